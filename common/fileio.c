#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

int sl_read_fd_all(int fd, char **out, size_t *len, sl_error *err)
{
        struct stat st;
        size_t cap = 8192;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
                cap = (size_t)st.st_size + 2; /* the data, the EOF probe's byte, the NUL */
        _cleanup_free_ char *buf = sl_xmalloc(cap);
        size_t n = 0;
        for (;;) {
                if (cap - n < 2) {
                        cap *= 2;
                        buf = sl_xrealloc(buf, cap);
                }
                ssize_t r = read(fd, buf + n, cap - n - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "read");
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        buf[n] = '\0';
        if (len)
                *len = n;
        *out = SL_STEAL(buf);
        return 0;
}

int sl_read_file_at(int dirfd, const char *name, char **out, size_t *len, sl_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return sl_err_sys(err, errno, "open %s", name);
        if (sl_read_fd_all(fd, out, len, err) < 0)
                return sl_err_wrap(err, "%s", name);
        return 0;
}

int sl_read_file(const char *path, char **out, size_t *len, sl_error *err)
{
        return sl_read_file_at(AT_FDCWD, path, out, len, err);
}

int sl_write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                if (w == 0) {
                        errno = EIO;
                        return -1;
                }
                p += w;
                len -= (size_t)w;
        }
        return 0;
}
