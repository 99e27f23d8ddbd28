/* Store maintenance: garbage collection, under the exclusive lock so no
 * build is writing meanwhile (fsck is in fsck.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/layer/fsutil.h"
#include "builder/store/store-internal.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

/* What the tags reach: blob hexes and layer chain hexes. */
typedef struct reach {
        sl_strset blobs, layers;
} reach;

static void mark_hex(sl_strset *set, const char *digest)
{
        const char *c = strchr(digest, ':');
        if (c)
                sl_strset_add(set, c + 1);
}

static void mark_image(sl_store *s, const char *manifest_digest, reach *r)
{
        oci_manifest *m = NULL;
        oci_image *c = NULL;
        mark_hex(&r->blobs, manifest_digest);
        if (sl_store_load_image(s, manifest_digest, &m, NULL, NULL) < 0)
                return;
        mark_hex(&r->blobs, m->config->digest);
        for (size_t i = 0; i < m->layers_len; i++)
                mark_hex(&r->blobs, m->layers[i].digest);
        oci_manifest_free(m);
        if (sl_store_load_image(s, manifest_digest, &m, &c, NULL) == 0) {
                char chain[SL_DIGEST_STR_MAX], prev[SL_DIGEST_STR_MAX];
                for (size_t i = 0; c->rootfs && i < c->rootfs->diff_ids_len; i++) {
                        if (sl_chain_id(i ? prev : NULL, c->rootfs->diff_ids[i], chain, NULL) < 0)
                                break;
                        mark_hex(&r->layers, chain);
                        memcpy(prev, chain, sizeof chain);
                }
                oci_manifest_free(m);
                oci_image_free(c);
        }
}

typedef int (*entry_fn)(sl_store *s, int dirfd, const char *name, void *ctx, sl_error *err);

static int each_entry(sl_store *s, int dirfd, entry_fn fn, void *ctx, sl_error *err)
{
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "store %s: open", s->root);
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return sl_err_sys(err, errno, "store %s: opendir", s->root);
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (fn(s, dirfd, de->d_name, ctx, err) < 0)
                        return -1;
        }
        return 0;
}

typedef struct sweep {
        reach *r;
        sl_store_stats *st;
        sl_store_report_fn report;
        void *report_ctx;
} sweep;

static int sweep_blob(sl_store *s, int dirfd, const char *name, void *ctx, sl_error *err)
{
        sweep *w = ctx;
        w->st->blobs_checked++;
        if (sl_strset_has(&w->r->blobs, name))
                return 0;
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                w->st->bytes_freed += (uint64_t)st.st_size;
        if (sl_rm_rf_at(dirfd, name, err) < 0)
                return sl_err_wrap(err, "store %s: remove blob %s", s->root, name);
        w->st->blobs_removed++;
        return 0;
}

static int sweep_layer(sl_store *s, int dirfd, const char *name, void *ctx, sl_error *err)
{
        sweep *w = ctx;
        if (sl_strset_has(&w->r->layers, name))
                return 0;
        if (sl_rm_rf_at(dirfd, name, err) < 0)
                return sl_err_wrap(err, "store %s: remove layer %s", s->root, name);
        w->st->layers_removed++;
        return 0;
}

static int sweep_tmp(sl_store *s, int dirfd, const char *name, void *ctx, sl_error *err)
{
        (void)dirfd;
        sweep *w = ctx;
        if (sl_store_leftover(s, name, true, w->report, w->report_ctx, err) < 0)
                return -1;
        w->st->tmp_removed++;
        return 0;
}

/* A cache entry keeps what it names: an image's blobs and layers, or a
 * single blob. Entries naming nothing left are dropped. */
static int mark_cache(sl_store *s, int dirfd, const char *name, void *ctx, sl_error *err)
{
        reach *r = ctx;
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (sl_read_file_at(dirfd, name, &data, &len, NULL) < 0 || !sl_store_has_blob(s, data)) {
                if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                        return sl_err_sys(err, errno, "store %s: remove cache/%s", s->root, name);
                return 0;
        }
        mark_image(s, data, r);
        return 0;
}

static int collect_reach(sl_store *s, reach *r, oci_index **idx_out, sl_error *err)
{
        oci_index *idx;
        if (sl_store_list(s, &idx, err) < 0)
                return -1;
        for (size_t i = 0; i < idx->manifests_len; i++)
                mark_image(s, idx->manifests[i].digest, r);
        *idx_out = idx;
        return each_entry(s, s->cachefd, mark_cache, r, err);
}

/* Layer dirs that a mounted overlay uses (a bundle made from an image
 * that was untagged since) stay: their names appear in the mount's
 * lowerdir= option in this namespace's mountinfo. */
static void mark_mounted_layers(sl_store *s, reach *r)
{
        _cleanup_free_ char *info = NULL;
        if (sl_read_file("/proc/self/mountinfo", &info, NULL, NULL) < 0)
                return;
        _cleanup_free_ char *needle = sl_xasprintf("%s/layers/", s->root);
        size_t nl = strlen(needle);
        for (const char *p = info; (p = strstr(p, needle)); p += nl) {
                const char *hex = p + nl;
                size_t hl = strspn(hex, "0123456789abcdef");
                if (hl == 64) {
                        _cleanup_free_ char *h = sl_xstrndup(hex, 64);
                        sl_strset_add(&r->layers, h);
                }
        }
}

int sl_store_gc(sl_store *s, sl_store_stats *st, sl_error *err)
{
        memset(st, 0, sizeof *st);
        if (sl_store_lock_exclusive(s, err) < 0)
                return -1;
        reach r = {0};
        oci_index *idx = NULL;
        sweep w = {&r, st, NULL, NULL};
        int rc = collect_reach(s, &r, &idx, err);
        mark_mounted_layers(s, &r);
        if (rc == 0)
                rc = each_entry(s, s->tmpfd, sweep_tmp, &w, err);
        if (rc == 0)
                rc = each_entry(s, s->blobsfd, sweep_blob, &w, err);
        if (rc == 0)
                rc = each_entry(s, s->layersfd, sweep_layer, &w, err);
        oci_index_free(idx);
        sl_strset_free(&r.blobs);
        sl_strset_free(&r.layers);
        sl_store_unlock_exclusive(s);
        return rc;
}
