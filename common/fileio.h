/* Whole-file reads and complete writes, retrying on EINTR and short I/O. */
#ifndef SLOIKA_COMMON_FILEIO_H
#define SLOIKA_COMMON_FILEIO_H

#include <stddef.h>

#include "common/error.h"

/* Reads all of path into a NUL-terminated heap buffer (*out, free it);
 * *len (may be NULL) gets the byte count without the NUL. */
int sl_read_file(const char *path, char **out, size_t *len, sl_error *err);
/* Same, relative to dirfd (AT_FDCWD allowed); name is not followed
 * specially: use common/path.h for paths inside an untrusted root. */
int sl_read_file_at(int dirfd, const char *name, char **out, size_t *len, sl_error *err);
/* Reads fd from its current offset to EOF; same output as sl_read_file. */
int sl_read_fd_all(int fd, char **out, size_t *len, sl_error *err);
/* Writes all len bytes. Returns 0, or -1 with errno set (no sl_error, so it
 * is usable between fork and exec). */
int sl_write_all(int fd, const void *buf, size_t len);

#endif
