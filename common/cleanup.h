/* Scope-bound release of memory and fds, so error paths cannot leak.
 * Ownership leaves a variable through SL_STEAL / SL_STEAL_FD. */
#ifndef SLOIKA_COMMON_CLEANUP_H
#define SLOIKA_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void sl_freep(void *p) { free(*(void **)p); }
static inline void sl_closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void sl_fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void sl_closedirp(DIR **d) { if (*d) closedir(*d); }
static inline void sl_strvfreep(char ***v)
{
        if (*v) {
                for (char **p = *v; *p; p++)
                        free(*p);
                free(*v);
        }
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(sl_freep)
#define _cleanup_close_ _cleanup_(sl_closep)
#define _cleanup_fclose_ _cleanup_(sl_fclosep)
#define _cleanup_closedir_ _cleanup_(sl_closedirp)
#define _cleanup_strv_ _cleanup_(sl_strvfreep)

#define SL_STEAL(p) ({ __typeof__(p) sl_steal_tmp_ = (p); (p) = NULL; sl_steal_tmp_; })
#define SL_STEAL_FD(fd) ({ int sl_steal_fd_ = (fd); (fd) = -1; sl_steal_fd_; })

#endif
