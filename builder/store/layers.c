/* Store: committing layer blobs and unpacking layer chains. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/layer/apply.h"
#include "builder/layer/fsutil.h"
#include "builder/store/store-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

typedef struct diff_job {
        int dirfd;
        const sl_diff_opts *opts;
} diff_job;

static int diff_producer(void *ctx, sl_byte_sink sink, void *sink_ctx, sl_error *err)
{
        diff_job *j = ctx;
        return sl_layer_diff(j->dirfd, j->opts, sink, sink_ctx, err);
}

int sl_store_commit_layer(sl_store *s, int dirfd, const sl_diff_opts *diff,
                          const sl_compress_opts *comp, sl_layer_digests *out, sl_error *err)
{
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = -1;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = sl_store_tmpfile(s, &tmp, err);
        if (fd >= 0) {
                diff_job j = {dirfd, diff};
                if (sl_layer_write_blob(diff_producer, &j, comp, fd, out, err) < 0) {
                        sl_err_wrap(err, "store %s", s->root);
                        sl_store_discard_tmp(s, tmp);
                }
                else
                        rc = sl_store_commit_tmp(s, fd, tmp, out->digest, err);
        }
        sl_store_release(s);
        return rc;
}

int sl_chain_id(const char *parent, const char *diff_id, char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        if (!parent) {
                if (sl_digest_parse(diff_id, NULL, NULL, err) < 0)
                        return -1;
                snprintf(out, SL_DIGEST_STR_MAX, "%s", diff_id);
                return 0;
        }
        _cleanup_free_ char *joined = sl_xasprintf("%s %s", parent, diff_id);
        return sl_digest_buffer(SL_DIGEST_SHA256, joined, strlen(joined), out, err);
}

/* Unpacks one layer blob into layers/<chain hex>, through a tmp/ dir that
 * is removed on any error and renamed into place when complete. */
static int unpack_one(sl_store *s, const oci_descriptor *layer, const char *diff_id,
                      const char *chain_hex, sl_error *err)
{
        _cleanup_close_ int blob = sl_store_open_blob(s, layer->digest, err);
        if (blob < 0)
                return sl_err_wrap(err, "layer %s", layer->digest);
        _cleanup_free_ char *name = sl_store_tmp_name("layer");
        if (mkdirat(s->tmpfd, name, 0755) < 0)
                return sl_err_sys(err, errno, "store %s: create tmp/%s", s->root, name);
        int rc = -1;
        int dfd = openat(s->tmpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0) {
                sl_err_sys(err, errno, "store %s: open tmp/%s", s->root, name);
        } else {
                sl_apply_opts o = {.layer_name = layer->digest, .whiteouts = SL_WHITEOUT_OVERLAY,
                                   .allow_devices = true, .expect_diff_id = diff_id};
                /* devices are allowed here: these dirs are only ever an
                 * overlay lowerdir of a container with its own /dev policy */
                rc = sl_layer_apply(blob, dfd, &o, NULL, err);
                close(dfd);
        }
        /* NOREPLACE: an empty layer's dir could otherwise be swapped
         * under a build that already mounted it */
        if (rc == 0 && renameat2(s->tmpfd, name, s->layersfd, chain_hex, RENAME_NOREPLACE) < 0) {
                if (errno != EEXIST && errno != ENOTEMPTY)
                        rc = sl_err_sys(err, errno, "store %s: move layer %s into place", s->root, chain_hex);
                /* else another process unpacked it first: keep theirs */
                sl_rm_rf_at(s->tmpfd, name, NULL);
        } else if (rc < 0) {
                sl_error ignore;
                sl_rm_rf_at(s->tmpfd, name, &ignore);
        }
        return rc;
}

int sl_store_unpack_image(sl_store *s, const oci_manifest *m, const oci_image *config,
                          char ***lowerdirs, size_t *n, sl_error *err)
{
        size_t nl = m->layers_len;
        if (!config->rootfs || config->rootfs->diff_ids_len != nl)
                return sl_err(err, EINVAL, "image has %zu layers but %zu diff_ids", nl,
                              config->rootfs ? config->rootfs->diff_ids_len : 0);
        if (sl_store_hold(s, err) < 0)
                return -1;
        char **dirs = sl_xcalloc(nl + 1, sizeof *dirs);
        char chain[SL_DIGEST_STR_MAX], prev[SL_DIGEST_STR_MAX];
        int rc = 0;
        for (size_t i = 0; i < nl && rc == 0; i++) {
                const char *diff_id = config->rootfs->diff_ids[i];
                if (sl_chain_id(i ? prev : NULL, diff_id, chain, err) < 0) {
                        rc = sl_err_wrap(err, "rootfs.diff_ids[%zu]", i);
                        break;
                }
                const char *hex = strchr(chain, ':') + 1;
                struct stat st;
                if (fstatat(s->layersfd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        rc = unpack_one(s, &m->layers[i], diff_id, hex, err);
                /* overlay wants the topmost lowerdir first */
                dirs[nl - 1 - i] = sl_xasprintf("%s/layers/%s", s->root, hex);
                memcpy(prev, chain, sizeof chain);
        }
        sl_store_release(s);
        if (rc < 0) {
                for (size_t i = 0; i < nl; i++)
                        free(dirs[i]);
                free(dirs);
                return -1;
        }
        *lowerdirs = dirs;
        *n = nl;
        return 0;
}
