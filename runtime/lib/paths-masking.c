#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "runtime/lib/mounts.h"
#include "runtime/lib/paths-masking.h"

/* O_PATH fd of path inside the root; 0 with *fd = -1 when it is absent. */
static int open_existing(int rootfd, const char *path, int *fd, sl_error *err)
{
        _cleanup_free_ char *clean = sl_path_clean_abs(path);

        *fd = sl_openat_in_root(rootfd, clean, O_PATH, 0, err);
        if (*fd >= 0)
                return 0;
        if (err && err->code == ENOENT) {
                sl_err_clear(err);
                return 0;
        }
        return -1;
}

/* The container's /dev/null, refused unless it really is 1:3, so a rootfs
 * cannot "mask" with a file of its choosing. */
static int open_dev_null(int rootfd, sl_error *err)
{
        _cleanup_close_ int fd = sl_openat_in_root(rootfd, "/dev/null", O_PATH, 0, err);
        struct stat st;

        if (fd < 0)
                return sl_err_wrap(err, "/dev/null");
        if (fstat(fd, &st) < 0)
                return sl_err_sys(err, errno, "stat /dev/null");
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
                return sl_err(err, ENODEV, "/dev/null is not the null device");
        return SL_STEAL_FD(fd);
}

/* null: the container's /dev/null, opened on first need and reused. */
static int mask_one(int rootfd, int target, int *null, sl_error *err)
{
        _cleanup_close_ int mfd = -1;
        struct stat st;

        if (fstat(target, &st) < 0)
                return sl_err_sys(err, errno, "stat");
        if (S_ISDIR(st.st_mode)) {
                sl_mount_opts o = { .set = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC };
                mfd = sl_mount_fs_open("tmpfs", "tmpfs", &o, err);
        } else {
                if (*null < 0 && (*null = open_dev_null(rootfd, err)) < 0)
                        return -1;
                mfd = sl_mount_clone(*null, "", false, err);
        }
        if (mfd < 0)
                return -1;
        return sl_mount_attach(mfd, target, err);
}

int sl_mask_paths(int rootfd, char *const *paths, size_t n, sl_error *err)
{
        _cleanup_close_ int null = -1;

        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int fd = -1;
                if (open_existing(rootfd, paths[i], &fd, err) < 0 || (fd >= 0 && mask_one(rootfd, fd, &null, err) < 0))
                        return sl_err_wrap(err, "mask \"%s\" (linux.maskedPaths[%zu])", paths[i], i);
        }
        return 0;
}

static int readonly_one(int target, sl_error *err)
{
        _cleanup_close_ int mfd = sl_mount_clone(target, "", true, err);

        if (mfd < 0 || sl_mount_setattr(mfd, true, MOUNT_ATTR_RDONLY, 0, err) < 0)
                return -1;
        return sl_mount_attach(mfd, target, err);
}

int sl_readonly_paths(int rootfd, char *const *paths, size_t n, sl_error *err)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int fd = -1;
                if (open_existing(rootfd, paths[i], &fd, err) < 0 || (fd >= 0 && readonly_one(fd, err) < 0))
                        return sl_err_wrap(err, "readonly \"%s\" (linux.readonlyPaths[%zu])", paths[i], i);
        }
        return 0;
}
