/* Recursive copy through fds only: every step is relative to an already
 * open directory and uses O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so a symlink
 * in the image is copied as a symlink, never followed out of the rootfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/lib/mount-copyup.h"

static int copy_dir(int src, int dst, sl_error *err, int depth);

static int copy_data(int src, int dst, const char *name, sl_error *err)
{
        char buf[65536];

        for (;;) {
                ssize_t n = read(src, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return sl_err_sys(err, errno, "read %s", name);
                if (n == 0)
                        return 0;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(dst, buf + off, (size_t)(n - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return sl_err_sys(err, errno, "write %s", name);
                        off += w;
                }
        }
}

static int copy_meta(int dst, const char *name, const struct stat *st, sl_error *err)
{
        struct timespec times[2] = { st->st_atim, st->st_mtim };

        if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "chown %s", name);
        if (!S_ISLNK(st->st_mode) && fchmodat(dst, name, st->st_mode & 07777, 0) < 0)
                return sl_err_sys(err, errno, "chmod %s", name);
        if (utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "set times of %s", name);
        return 0;
}

static int copy_entry(int src, int dst, const char *name, sl_error *err, int depth)
{
        struct stat st;

        if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "stat %s", name);
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int s = -1, d = -1;
                if (mkdirat(dst, name, 0700) < 0)
                        return sl_err_sys(err, errno, "mkdir %s", name);
                s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0 || d < 0)
                        return sl_err_sys(err, errno, "open directory %s", name);
                if (copy_dir(s, d, err, depth + 1) < 0)
                        return sl_err_wrap(err, "%s", name);
        } else if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int s = -1, d = -1;
                s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0)
                        return sl_err_sys(err, errno, "open %s", name);
                d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (d < 0)
                        return sl_err_sys(err, errno, "create %s", name);
                if (copy_data(s, d, name, err) < 0)
                        return -1;
        } else if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                if (n < 0)
                        return sl_err_sys(err, errno, "readlink %s", name);
                target[n] = '\0';
                if (symlinkat(target, dst, name) < 0)
                        return sl_err_sys(err, errno, "symlink %s", name);
        } else if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0) {
                return sl_err_sys(err, errno, "mknod %s", name);
        }
        return copy_meta(dst, name, &st, err);
}

static int copy_dir(int src, int dst, sl_error *err, int depth)
{
        _cleanup_closedir_ DIR *dir = NULL;
        int dup_fd;
        struct dirent *de;

        if (depth > 256)
                return sl_err(err, ELOOP, "directory tree deeper than 256 levels");
        dup_fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup_fd < 0)
                return sl_err_sys(err, errno, "open directory");
        dir = fdopendir(dup_fd);
        if (!dir) {
                close(dup_fd);
                return sl_err_sys(err, errno, "read directory");
        }
        while ((errno = 0, de = readdir(dir))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (copy_entry(src, dst, de->d_name, err, depth) < 0)
                        return -1;
        }
        if (errno)
                return sl_err_sys(err, errno, "read directory");
        return 0;
}

int sl_mount_copyup(int srcfd, int dstfd, sl_error *err)
{
        _cleanup_close_ int src = openat(srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int dst = openat(dstfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (src < 0 || dst < 0)
                return sl_err_sys(err, errno, "tmpcopyup: open directory");
        if (copy_dir(src, dst, err, 0) < 0)
                return sl_err_wrap(err, "tmpcopyup");
        return 0;
}
