#include "common/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

/* Creates ".<base>.tmp-<pid>-<n>" exclusively in dfd; the name goes to tmp. */
static int create_temp(int dfd, const char *base, char **tmp, sl_error *err)
{
        static unsigned counter;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        for (int tries = 0; tries < 100; tries++) {
                char *name = sl_xasprintf(".%s.tmp-%d-%u-%lx", base, (int)getpid(), counter++,
                                          (unsigned long)ts.tv_nsec);
                int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0) {
                        *tmp = name;
                        return fd;
                }
                int e = errno;
                free(name);
                if (e != EEXIST)
                        return sl_err_sys(err, e, "create temporary file for %s", base);
        }
        return sl_err(err, EEXIST, "create temporary file for %s: too many collisions", base);
}

static int write_temp(int fd, const void *data, size_t len, mode_t mode)
{
        if (sl_write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0)
                return -1;
        return 0;
}

int sl_atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
                       mode_t mode, sl_error *err)
{
        const char *slash = strrchr(name, '/');
        const char *base = slash ? slash + 1 : name;
        if (*base == '\0')
                return sl_err(err, EINVAL, "atomic write %s: no file name", name);
        _cleanup_free_ char *dir = slash ? sl_xstrndup(name, (size_t)(slash - name) + 1) : NULL;
        _cleanup_close_ int dfd = openat(dirfd, dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return sl_err_sys(err, errno, "atomic write %s: open directory", name);

        _cleanup_free_ char *tmp = NULL;
        int fd = create_temp(dfd, base, &tmp, err);
        if (fd < 0)
                return sl_err_wrap(err, "atomic write %s", name);
        int failed = write_temp(fd, data, len, mode);
        int e = errno;
        if (close(fd) < 0 && !failed)
                failed = -1, e = errno;
        if (!failed && renameat(dfd, tmp, dfd, base) < 0)
                failed = -1, e = errno;
        if (failed) {
                unlinkat(dfd, tmp, 0);
                return sl_err_sys(err, e, "atomic write %s", name);
        }
        /* The rename is only durable once the directory is. */
        if (fsync(dfd) < 0)
                return sl_err_sys(err, errno, "atomic write %s: fsync directory", name);
        return 0;
}

int sl_atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
                         sl_error *err)
{
        return sl_atomic_write_at(AT_FDCWD, path, data, len, mode, err);
}
