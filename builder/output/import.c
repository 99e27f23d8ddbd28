#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/layer/apply.h"
#include "builder/layer/fsutil.h"
#include "builder/output/import.h"
#include "builder/output/layout.h"
#include "builder/store/store-internal.h"
#include "common/cleanup.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

/* Unpacks the tar at source into a fresh dir under the store's tmp/. */
static int unpack_tar(sl_store *s, const char *source, const sl_import_opts *o, char **name_out,
                      sl_error *err)
{
        _cleanup_close_ int in = open(source, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return sl_err_sys(err, errno, "import %s", source);
        char *name = sl_store_tmp_name("import");
        if (mkdirat(s->tmpfd, name, 0755) < 0) {
                int e = errno;
                free(name);
                return sl_err_sys(err, e, "store %s: create tmp dir", s->root);
        }
        int dfd = openat(s->tmpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        sl_apply_opts ao = {.layer_name = source, .whiteouts = SL_WHITEOUT_APPLY,
                            .allow_devices = o->allow_devices};
        int rc = dfd < 0 ? sl_err_sys(err, errno, "store %s: open tmp dir", s->root)
                         : sl_layer_apply(in, dfd, &ao, NULL, err);
        if (dfd >= 0)
                close(dfd);
        if (rc < 0) {
                sl_rm_rf_at(s->tmpfd, name, NULL);
                free(name);
                return -1;
        }
        *name_out = name;
        return 0;
}

/* An imported rootfs is there to be a base image: its layer dir is made
 * now, as buildah's and docker's imports leave theirs, not by the first
 * build that uses it. */
static int unpack_now(sl_store *s, const oci_image *cfg, oci_descriptor *layer, sl_error *err)
{
        oci_manifest m = {.layers = layer, .layers_len = 1, .has_layers = true};
        char **dirs = NULL;
        size_t n = 0;
        if (sl_store_unpack_image(s, &m, cfg, &dirs, &n, err) < 0)
                return sl_err_wrap(err, "import: unpack layer %s", layer->digest);
        for (size_t i = 0; i < n; i++)
                free(dirs[i]);
        free(dirs);
        return 0;
}

int sl_import_rootfs(sl_store *s, const char *source, const sl_import_opts *o,
                     char manifest_digest[SL_DIGEST_STR_MAX], sl_error *err)
{
        struct stat st;
        if (stat(source, &st) < 0)
                return sl_err_sys(err, errno, "import %s", source);
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = -1, dfd = -1;
        _cleanup_free_ char *tmpname = NULL;
        if (S_ISDIR(st.st_mode)) {
                dfd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        sl_err_sys(err, errno, "import %s", source);
        } else if (unpack_tar(s, source, o, &tmpname, err) == 0) {
                dfd = openat(s->tmpfd, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dfd < 0)
                        sl_err_sys(err, errno, "store %s: open tmp dir", s->root);
        }
        if (dfd < 0)
                goto out;
        sl_diff_opts dopt = {.overlay = false, .clamp_mtime = true, .epoch = o->epoch};
        sl_compress_opts copt = {.compression = o->compression, .threaded = true};
        sl_layer_digests ld;
        if (sl_store_commit_layer(s, dfd, &dopt, &copt, &ld, err) < 0) {
                sl_err_wrap(err, "import %s", source);
                goto out;
        }
        char created[SL_TIME_STR_MAX];
        struct timespec ts = {.tv_sec = (time_t)o->epoch};
        sl_time_format_rfc3339(&ts, false, created);
        char *diff_ids[1] = {ld.diff_id};
        char *env[1] = {(char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
        oci_rootfs rootfs = {.type = (char *)"layers", .diff_ids = diff_ids, .diff_ids_len = 1, .has_diff_ids = true};
        oci_image_config icfg = {.env = env, .env_len = 1, .has_env = true};
        oci_history hist = {.created = created, .created_by = (char *)"sloika-build import",
                            .comment = (char *)"imported rootfs"};
        oci_image cfg = {.created = created, .architecture = (char *)sl_host_arch(), .os = (char *)"linux",
                         .config = &icfg, .rootfs = &rootfs, .history = &hist, .history_len = 1, .has_history = true};
        oci_descriptor layer = {.media_type = (char *)sl_compression_media_type(o->compression),
                                .digest = ld.digest, .size = (int64_t)ld.size, .has_size = true};
        rc = sl_store_put_image(s, &cfg, &layer, 1, manifest_digest, NULL, err);
        if (rc == 0)
                rc = unpack_now(s, &cfg, &layer, err);
out:
        if (dfd >= 0)
                close(dfd);
        if (tmpname)
                sl_rm_rf_at(s->tmpfd, tmpname, NULL);
        sl_store_release(s);
        return rc;
}
