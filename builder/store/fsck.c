/* Store: fsck. Runs under the exclusive lock, so nothing it sees is work
 * in progress: anything in tmp/ is a crash's leftover. Findings are
 * reported first and only changed with repair, and damage found in one
 * pass (a corrupt blob) counts against what uses it (the tags). */
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

typedef struct fsck {
        sl_store *s;
        const sl_fsck_opts *o;
        sl_store_stats *st;
        sl_strset bad;  /* hexes of blobs found corrupt */
} fsck;

/* One report line, when the caller asked for reports. */
#define say(f, ...) sl_store_sayf((f)->o->report, (f)->o->ctx, __VA_ARGS__)

static const char *fixed(const fsck *f, const char *what)
{
        return f->o->repair ? what : "";
}

/* The names in dirfd, read before any is removed. */
static char **names_in(sl_store *s, int dirfd, const char *what, size_t *n, sl_error *err)
{
        *n = 0;
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return sl_err_sys(err, errno, "store %s: read %s", s->root, what), NULL;
        }
        char **v = sl_xcalloc(1, sizeof *v);
        for (struct dirent *de; (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                v = sl_xrealloc(v, (*n + 2) * sizeof *v);
                v[(*n)++] = sl_xstrdup(de->d_name);
                v[*n] = NULL;
        }
        closedir(d);
        return v;
}

static bool valid_hex64(const char *name)
{
        return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

static int check_tmp(fsck *f, const char *name, sl_error *err)
{
        int n = sl_store_leftover(f->s, name, f->o->repair, f->o->report, f->o->ctx, err);
        if (n < 0)
                return -1;
        f->st->leftovers += (size_t)n;
        if (f->o->repair) {
                f->st->tmp_removed++;
                f->st->repaired += (size_t)n;
        }
        return 0;
}

static int remove_entry(fsck *f, int dirfd, const char *name, const char *what, sl_error *err)
{
        if (!f->o->repair)
                return 0;
        if (sl_rm_rf_at(dirfd, name, err) < 0)
                return sl_err_wrap(err, "store %s: remove %s%s", f->s->root, what, name);
        f->st->repaired++;
        return 0;
}

static int check_blob(fsck *f, const char *name, sl_error *err)
{
        sl_store *s = f->s;
        f->st->blobs_checked++;
        struct stat st;
        if (!valid_hex64(name) || fstatat(s->blobsfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
                say(f, "error: blobs/sha256/%s: not a blob (bad name or not a regular file)%s", name,
                    fixed(f, ": removed"));
                f->st->problems++;
                f->st->blobs_removed += f->o->repair;
                return remove_entry(f, s->blobsfd, name, "blobs/sha256/", err);
        }
        _cleanup_close_ int fd = openat(s->blobsfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        char got[SL_DIGEST_STR_MAX];
        if (fd < 0 || sl_digest_fd(SL_DIGEST_SHA256, fd, got, NULL, err) < 0)
                return sl_err_wrap(err, "store %s: hash blob %s", s->root, name);
        if (strcmp(got + 7, name) == 0)
                return 0;
        say(f, "error: blob sha256:%s: content hashes to %s%s", name, got, fixed(f, ": removed"));
        f->st->problems++;
        sl_strset_add(&f->bad, name);
        if (!f->o->repair)
                return 0;
        if (unlinkat(s->blobsfd, name, 0) < 0)
                return sl_err_sys(err, errno, "store %s: remove corrupt blob %s", s->root, name);
        f->st->blobs_removed++;
        f->st->bytes_freed += (uint64_t)st.st_size;
        f->st->repaired++;
        return 0;
}

/* Only complete layers are renamed into layers/, under their chain id. */
static int check_layer_dir(fsck *f, const char *name, sl_error *err)
{
        struct stat st;
        if (valid_hex64(name) && fstatat(f->s->layersfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
                return 0;
        say(f, "error: layers/%s: not a layer dir (bad name or not a directory)%s", name, fixed(f, ": removed"));
        f->st->problems++;
        f->st->layers_removed += f->o->repair;
        return remove_entry(f, f->s->layersfd, name, "layers/", err);
}

/* A blob an image needs: present and not found corrupt above. */
static const char *blob_problem(fsck *f, const char *digest)
{
        sl_error e;
        const char *hex = sl_store_blob_hex(digest, &e);
        if (!hex)
                return "is not a sha256 digest";
        if (sl_strset_has(&f->bad, hex))
                return "is corrupt";
        return sl_store_has_blob(f->s, digest) ? NULL : "is missing";
}

/* The first thing wrong with an image, written to why; 0 when sound. */
static int image_problem(fsck *f, const char *digest, char *why, size_t size)
{
        const char *p = blob_problem(f, digest);
        if (p)
                return snprintf(why, size, "manifest %s %s", digest, p);
        oci_manifest *m = NULL;
        oci_image *c = NULL;
        sl_error e = {0};
        if (sl_store_load_image(f->s, digest, &m, NULL, &e) < 0)
                return snprintf(why, size, "%s", e.msg);
        int r = 0;
        if (!m->config || !m->config->digest)
                r = snprintf(why, size, "manifest %s has no config", digest);
        else if ((p = blob_problem(f, m->config->digest)))
                r = snprintf(why, size, "config %s %s", m->config->digest, p);
        for (size_t i = 0; !r && i < m->layers_len; i++)
                if ((p = blob_problem(f, m->layers[i].digest)))
                        r = snprintf(why, size, "layer blob %s %s", m->layers[i].digest, p);
        oci_manifest_free(m);
        m = NULL;
        if (!r && sl_store_load_image(f->s, digest, &m, &c, &e) < 0)
                r = snprintf(why, size, "%s", e.msg);
        else if (!r && (!c->rootfs || c->rootfs->diff_ids_len != m->layers_len))
                r = snprintf(why, size, "config has %zu diff_ids for %zu layers",
                             c->rootfs ? c->rootfs->diff_ids_len : 0, m->layers_len);
        oci_manifest_free(m);
        oci_image_free(c);
        return r;
}

static bool is_manifest(fsck *f, const char *digest)
{
        oci_manifest *m = NULL;
        sl_error e;
        bool yes = sl_store_load_image(f->s, digest, &m, NULL, &e) == 0 && m->config && m->config->digest;
        oci_manifest_free(m);
        return yes;
}

/* An entry naming a broken image would make the next build reuse it. */
static int check_cache(fsck *f, const char *name, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        char why[512];
        if (sl_read_file_at(f->s->cachefd, name, &data, &len, NULL) < 0 || len >= SL_DIGEST_STR_MAX ||
            blob_problem(f, data)) {
                say(f, "leftover: cache/%s: names no stored blob%s", name, fixed(f, ": removed"));
                f->st->leftovers++;
        } else if (is_manifest(f, data) && image_problem(f, data, why, sizeof why)) {
                say(f, "error: cache/%s: names a broken image: %s%s", name, why, fixed(f, ": removed"));
                f->st->problems++;
        } else
                return 0;
        return remove_entry(f, f->s->cachefd, name, "cache/", err);
}

static int check_tags(fsck *f, sl_error *err)
{
        oci_index *idx;
        if (sl_store_list(f->s, &idx, err) < 0) {
                say(f, "error: index.json: %s", err->msg);
                f->st->problems++;
                return 0;  /* nothing to repair it from */
        }
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < idx->manifests_len; i++) {
                const char *ref = oci_string_map_get(idx->manifests[i].annotations, SL_REF_NAME_ANNOTATION);
                char why[512];
                if (!image_problem(f, idx->manifests[i].digest ? idx->manifests[i].digest : "(none)", why, sizeof why))
                        continue;
                say(f, "error: tag %s: %s%s", ref ? ref : "(unnamed)", why, ref ? fixed(f, ": untagged") : "");
                f->st->problems++;
                if (f->o->repair && ref) {
                        rc = sl_store_untag(f->s, ref, err);
                        f->st->repaired += rc == 0;
                }
        }
        oci_index_free(idx);
        return rc;
}

typedef int (*check_fn)(fsck *f, const char *name, sl_error *err);

static int check_dir(fsck *f, int dirfd, const char *what, check_fn fn, sl_error *err)
{
        size_t n;
        char **names = names_in(f->s, dirfd, what, &n, err);
        if (!names)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
                rc = fn(f, names[i], err);
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return rc;
}

int sl_store_fsck_ex(sl_store *s, const sl_fsck_opts *o, sl_store_stats *st, sl_error *err)
{
        memset(st, 0, sizeof *st);
        if (sl_store_lock_exclusive(s, err) < 0)
                return -1;
        fsck f = {.s = s, .o = o, .st = st};
        int rc = check_dir(&f, s->tmpfd, "tmp", check_tmp, err);
        if (rc == 0)
                rc = check_dir(&f, s->blobsfd, "blobs/sha256", check_blob, err);
        if (rc == 0)
                rc = check_dir(&f, s->layersfd, "layers", check_layer_dir, err);
        if (rc == 0)
                rc = check_tags(&f, err);
        if (rc == 0)
                rc = check_dir(&f, s->cachefd, "cache", check_cache, err);
        sl_strset_free(&f.bad);
        sl_store_unlock_exclusive(s);
        return rc;
}

int sl_store_fsck(sl_store *s, sl_store_report_fn report, void *ctx, sl_store_stats *st, sl_error *err)
{
        sl_fsck_opts o = {.repair = true, .report = report, .ctx = ctx};
        return sl_store_fsck_ex(s, &o, st, err);
}
