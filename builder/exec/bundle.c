#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/exec/bundle.h"
#include "builder/exec/overlay.h"
#include "builder/exec/spec.h"
#include "builder/exec/users.h"
#include "builder/layer/fsutil.h"
#include "builder/store/store.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

static int mkdir_empty(const char *dir, sl_error *err)
{
        if (mkdir(dir, 0755) == 0)
                return 0;
        if (errno != EEXIST)
                return sl_err_sys(err, errno, "create %s", dir);
        if (rmdir(dir) < 0)  /* only an empty one may be reused */
                return sl_err_sys(err, errno == ENOTEMPTY || errno == EEXIST ? EEXIST : errno, "bundle %s", dir);
        return mkdir_empty(dir, err);
}

static char **process_args(const oci_image_config *c)
{
        char **args = NULL;
        for (size_t i = 0; c && i < c->entrypoint_len; i++)
                sl_strv_append(&args, c->entrypoint[i]);
        for (size_t i = 0; c && i < c->cmd_len; i++)
                sl_strv_append(&args, c->cmd[i]);
        return args;
}

static int write_config(const char *dir, int rootfd, const oci_image *cfg, sl_error *err)
{
        const oci_image_config *c = cfg->config;
        _cleanup_strv_ char **args = process_args(c), **env = NULL;
        if (!args)
                return sl_err(err, EINVAL, "the image has neither Entrypoint nor Cmd: nothing to run");
        for (size_t i = 0; c && i < c->env_len; i++)
                sl_strv_append(&env, c->env[i]);
        if (!env)
                env = sl_xcalloc(1, sizeof(char *));
        uint32_t uid = 0, gid = 0;
        if (c && c->user && *c->user && sl_resolve_user(rootfd, c->user, &uid, &gid, err) < 0)
                return sl_err_wrap(err, "image User");
        sl_proc_spec ps = {.args = args, .env = env, .cwd = c ? c->working_dir : NULL, .uid = uid, .gid = gid,
                           .rootfs = "rootfs", .stop_signal = c ? c->stop_signal : NULL};
        return sl_write_spec(&ps, dir, err);
}

int sl_bundle_create(const char *store_root, const char *image, const char *dir, sl_error *err)
{
        sl_store *s = NULL;
        oci_manifest *m = NULL;
        oci_image *cfg = NULL;
        _cleanup_strv_ char **lowers = NULL;
        _cleanup_free_ char *rootfs = sl_xasprintf("%s/rootfs", dir), *upper = sl_xasprintf("%s/upper", dir),
                            *work = sl_xasprintf("%s/work", dir), *empty = sl_xasprintf("%s/empty", dir),
                            *opts = NULL, *abs_upper = NULL, *abs_work = NULL;
        char digest[SL_DIGEST_STR_MAX];
        size_t n = 0;
        bool created = false, mounted = false;
        int rc = -1, rootfd = -1;
        if (sl_store_open(store_root, &s, err) < 0)
                return -1;
        if (sl_store_resolve(s, image, digest, err) < 0 || sl_store_load_image(s, digest, &m, &cfg, err) < 0)
                goto out;
        if (m->layers_len && sl_store_unpack_image(s, m, cfg, &lowers, &n, err) < 0)
                goto out;
        if (mkdir_empty(dir, err) < 0)
                goto out;
        created = true;
        if (mkdir(rootfs, 0755) < 0 || mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
            (!n && mkdir(empty, 0755) < 0)) {
                sl_err_sys(err, errno, "create dirs in %s", dir);
                goto out;
        }
        if (!n) {
                sl_strv_append(&lowers, empty);
                n = 1;
        }
        abs_upper = realpath(upper, NULL);
        abs_work = realpath(work, NULL);
        if (!abs_upper || !abs_work) {
                sl_err_sys(err, errno, "resolve %s", dir);
                goto out;
        }
        if (sl_overlay_options(lowers, n, abs_upper, abs_work, &opts, err) < 0)
                goto out;
        if (mount("overlay", rootfs, "overlay", 0, opts) < 0) {
                sl_err_sys(err, errno, "mount overlay on %s", rootfs);
                goto out;
        }
        mounted = true;
        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                sl_err_sys(err, errno, "open %s", rootfs);
                goto out;
        }
        rc = write_config(dir, rootfd, cfg, err);
out:
        if (rootfd >= 0)
                close(rootfd);
        if (rc < 0 && mounted)
                umount2(rootfs, MNT_DETACH);
        if (rc < 0 && created)
                sl_rm_rf_at(AT_FDCWD, dir, NULL);
        oci_manifest_free(m);
        oci_image_free(cfg);
        sl_store_close(s);
        return rc;
}

int sl_bundle_remove(const char *dir, sl_error *err)
{
        _cleanup_free_ char *rootfs = sl_xasprintf("%s/rootfs", dir);
        struct stat st;
        if (lstat(dir, &st) < 0)
                return sl_err_sys(err, errno, "bundle %s", dir);
        if (umount2(rootfs, 0) < 0 && errno != EINVAL && errno != ENOENT) {
                if (errno != EBUSY || umount2(rootfs, MNT_DETACH) < 0)
                        return sl_err_sys(err, errno, "unmount %s", rootfs);
        }
        return sl_rm_rf_at(AT_FDCWD, dir, err);
}
