#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "runtime/lib/devices.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/mount-idmap.h"
#include "runtime/lib/mounts.h"
#include "runtime/lib/paths-masking.h"
#include "runtime/lib/rootfs.h"
#include "runtime/lib/sysctl.h"

/* pivot_root refuses shared mounts around the new root and binding an
 * unbindable rootfs fails, so setup runs under rprivate (or rslave, which
 * keeps receiving host mounts) and the requested mode is applied to the
 * new "/" once it is the root. The rootfs is then bound onto itself (it
 * must be a mount point for pivot_root); the returned fd is the root of
 * that bind mount and is all later steps use to reach the rootfs. */
static int prepare_root(unsigned long propagation, int dir, const char *rootfs, sl_error *err)
{
        unsigned long setup = (propagation & MS_SLAVE) ? MS_SLAVE | MS_REC : MS_PRIVATE | MS_REC;
        _cleanup_close_ int mfd = -1;

        if (mount(NULL, "/", NULL, setup, NULL) < 0)
                return sl_err_sys(err, errno, "make / %s", sl_mount_propagation_name(setup));
        mfd = sl_mount_clone(dir, "", true, err);
        if (mfd < 0 || sl_mount_attach(mfd, dir, err) < 0)
                return sl_err_wrap(err, "bind rootfs \"%s\" onto itself", rootfs);
        return SL_STEAL_FD(mfd);
}

static int pivot(int rootfd, sl_error *err)
{
        _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);

        if (oldroot < 0)
                return sl_err_sys(err, errno, "pivot_root: open old root");
        if (fchdir(rootfd) < 0)
                return sl_err_sys(err, errno, "pivot_root: chdir to rootfs");
        /* Stacks the old root on top of the new one; no put_old dir needed. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return sl_err_sys(err, errno, "pivot_root");
        if (fchdir(oldroot) < 0)
                return sl_err_sys(err, errno, "pivot_root: chdir to old root");
        /* So that detaching the old root cannot propagate to the host. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return sl_err_sys(err, errno, "pivot_root: make old root rslave");
        if (umount2(".", MNT_DETACH) < 0)
                return sl_err_sys(err, errno, "pivot_root: detach old root");
        if (chdir("/") < 0)
                return sl_err_sys(err, errno, "chdir /");
        return 0;
}

static bool is_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        if (strcmp(dir, "/") == 0)
                return true;
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* --no-pivot still should not leave the host's other mounts in the
 * container's namespace; everything that neither holds nor lies in the
 * rootfs is detached (lazily, so order does not matter). */
static int detach_host_mounts(const char *rootfs, sl_error *err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        char **points = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        if (!f)
                return sl_err_sys(err, errno, "open /proc/self/mountinfo");
        while (getline(&line, &cap, f) > 0) {
                char mp[PATH_MAX];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                if (is_under(mp, rootfs) || is_under(rootfs, mp))
                        continue;
                points = sl_xrealloc(points, (n + 1) * sizeof(*points));
                points[n++] = sl_xstrdup(mp);
        }
        for (size_t i = n; i-- > 0;) {
                /* Mount points with escaped characters (\040) are skipped:
                 * they fail with ENOENT and stay hidden under the chroot. */
                if (r == 0 && umount2(points[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        r = sl_err_sys(err, errno, "no-pivot: detach host mount %s", points[i]);
                free(points[i]);
        }
        free(points);
        return r;
}

static int move_root(int rootfd, const char *rootfs, sl_error *err)
{
        if (detach_host_mounts(rootfs, err) < 0)
                return -1;
        if (fchdir(rootfd) < 0)
                return sl_err_sys(err, errno, "chdir to rootfs");
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return sl_err_sys(err, errno, "move rootfs onto /");
        if (chroot(".") < 0)
                return sl_err_sys(err, errno, "chroot");
        if (chdir("/") < 0)
                return sl_err_sys(err, errno, "chdir /");
        return 0;
}

static int finish_root(const oci_spec *spec, unsigned long propagation, sl_error *err)
{
        const oci_linux *l = spec->linux;
        _cleanup_close_ int rootfd = -1;

        if (propagation && mount(NULL, "/", NULL, propagation, NULL) < 0)
                return sl_err_sys(err, errno, "linux.rootfsPropagation: make / %s",
                                  sl_mount_propagation_name(propagation));
        if (sl_sysctl_apply(spec, err) < 0)
                return -1;
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return sl_err_sys(err, errno, "open /");
        if (l && sl_readonly_paths(rootfd, l->readonly_paths, l->readonly_paths_len, err) < 0)
                return -1;
        if (l && sl_mask_paths(rootfd, l->masked_paths, l->masked_paths_len, err) < 0)
                return -1;
        if (spec->root && spec->root->has_readonly && spec->root->readonly &&
            sl_mount_setattr(rootfd, false, MOUNT_ATTR_RDONLY, 0, err) < 0)
                return sl_err_wrap(err, "root.readonly");
        return 0;
}

/* The /dev mount's "ro", held back until its devices were made. */
static int dev_readonly(const sl_mount_ctx *ctx, sl_error *err)
{
        _cleanup_close_ int dev = -1;

        if (!sl_mounts_dev_readonly(ctx->spec))
                return 0;
        dev = sl_openat_in_root(ctx->rootfd, "/dev", O_PATH | O_DIRECTORY, 0, err);
        if (dev < 0 || sl_mount_setattr(dev, false, MOUNT_ATTR_RDONLY, 0, err) < 0)
                return sl_err_wrap(err, "make /dev read-only");
        return 0;
}

/* Without SELinux there is nothing a label could mean, so linux.mountLabel
 * is skipped there, like crun does (runtime-tools linux_mount_label). */
static const char *mount_label(const oci_spec *spec)
{
        const char *label = spec->linux ? spec->linux->mount_label : NULL;

        return label && *label && sl_lsm_selinux_enabled() ? label : NULL;
}

int sl_rootfs_setup(const oci_spec *spec, const char *rootfs_abs, bool no_pivot, sl_error *err)
{
        return sl_rootfs_setup_with(spec, rootfs_abs, no_pivot, NULL, err);
}

int sl_rootfs_setup_with(const oci_spec *spec, const char *rootfs_abs, bool no_pivot,
                         const sl_rootfs_callbacks *cb, sl_error *err)
{
        const oci_linux *l = spec->linux;
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int dir = -1, rootfd = -1;
        unsigned long propagation = 0;
        sl_mount_ctx ctx;

        if (l && l->rootfs_propagation && sl_mount_propagation_parse(l->rootfs_propagation, &propagation) < 0)
                return sl_err(err, EINVAL, "linux.rootfsPropagation \"%s\": not a propagation mode",
                              l->rootfs_propagation);
        if (sl_sysctl_validate(spec, err) < 0)
                return -1;
        dir = open(rootfs_abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return sl_err_sys(err, errno, "rootfs \"%s\"", rootfs_abs);
        /* Where it really is, for checking where destinations land. */
        if (sl_fd_inner_path(dir, "/", &rootfs, err) < 0)
                return sl_err_wrap(err, "rootfs \"%s\"", rootfs_abs);
        if (strcmp(rootfs, "/") == 0)
                return sl_err(err, EINVAL, "rootfs \"%s\": the host root cannot be a container rootfs", rootfs_abs);
        rootfd = prepare_root(propagation, dir, rootfs, err);
        if (rootfd < 0)
                return -1;
        ctx = (sl_mount_ctx){ .spec = spec, .rootfd = rootfd, .rootfs = rootfs,
                              .in_userns = sl_in_user_namespace(), .mount_label = mount_label(spec),
                              .premade = cb ? cb->mount_fds : NULL };
        if (sl_mounts_setup(&ctx, err) < 0 || sl_devices_setup(&ctx, err) < 0 || dev_readonly(&ctx, err) < 0)
                return -1;
        if (cb && cb->before_pivot && cb->before_pivot(cb->arg, err) < 0)
                return -1;
        if ((no_pivot ? move_root(rootfd, rootfs, err) : pivot(rootfd, err)) < 0)
                return -1;
        return finish_root(spec, propagation, err);
}
