/* Resolving paths inside a root directory (a container rootfs, a build
 * context) through fds, so that no symlink or ".." inside it can reach a
 * file outside: ".." stops at the root and absolute symlinks restart at
 * the root, as if the process were chrooted there.
 *
 * openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) does the work when the
 * kernel has it; otherwise (ENOSYS, or SLOIKA_PATH_FALLBACK=1 in the
 * environment) a userspace walk opens one component at a time with
 * O_PATH|O_NOFOLLOW, reads symlinks itself and fails with ELOOP after 40.
 * All returned fds are O_CLOEXEC. Errors name the path. */
#ifndef SLOIKA_COMMON_PATH_H
#define SLOIKA_COMMON_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

#define SL_PATH_MAX_SYMLINKS 40

/* Opens path (absolute or relative, both taken from the root) like
 * openat(2) with flags; O_NOFOLLOW applies to the last component,
 * O_CREAT creates it (inside the root even through a dangling symlink).
 * Returns the fd, or -1 with err->code the errno. */
int sl_openat_in_root(int rootfd, const char *path, int flags, mode_t mode, sl_error *err);

/* Creates every missing directory of path inside the root (mode before
 * umask) and returns an O_PATH|O_DIRECTORY fd of the last one. Existing
 * symlinks along the way are followed, inside the root. */
int sl_mkdirs_in_root(int rootfd, const char *path, mode_t mode, sl_error *err);

/* Like sl_mkdirs_in_root (mode 0755) for the parents, then creates the last component
 * as an empty regular file (mode before umask) if it is missing, and
 * returns an O_PATH fd of it. An existing non-directory (a device node, a
 * socket) is returned as is, since it can serve as a bind-mount target;
 * an existing directory fails with EISDIR. */
int sl_mkfile_in_root(int rootfd, const char *path, mode_t mode, sl_error *err);

/* "/proc/self/fd/N", the name through which mount(2) and friends reach
 * what an fd refers to. Free the result. */
char *sl_fd_path(int fd);
/* The same into a caller buffer, for use where malloc is unwelcome. */
#define SL_FD_PATH_MAX 32
const char *sl_fd_path_buf(int fd, char buf[SL_FD_PATH_MAX]);

/* Test hook: force the userspace walk even where openat2 works. */
void sl_path_force_fallback(bool on);
/* Whether sl_openat_in_root currently resolves through openat2. */
bool sl_path_uses_openat2(void);

#endif
