#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "builder/exec/cache-mounts.h"
#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define PRIVATE_MAX 64

int sl_cache_mount_lock(int basefd, const char *hex, sl_df_sharing sharing, char **name, int *lockfd, sl_error *err)
{
        for (int k = 0; k < PRIVATE_MAX; k++) {
                _cleanup_free_ char *n = k ? sl_xasprintf("%s-%d", hex, k) : sl_xstrdup(hex);
                _cleanup_free_ char *lk = sl_xasprintf("%s.lock", n);
                int fd = openat(basefd, lk, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return sl_err_sys(err, errno, "cache mount lock %s", lk);
                int op = sharing == SL_DF_SHARING_SHARED ? LOCK_SH : LOCK_EX;
                if (sharing == SL_DF_SHARING_PRIVATE)
                        op |= LOCK_NB;
                /* No retry on EINTR: only SIGINT/SIGTERM, which stop the build, interrupt it. */
                if (flock(fd, op) == 0) {
                        *name = SL_STEAL(n);
                        *lockfd = fd;
                        return 0;
                }
                int e = errno;
                close(fd);
                if (sharing != SL_DF_SHARING_PRIVATE || e != EWOULDBLOCK)
                        return sl_err_sys(err, e, "cache mount lock %s", lk);
        }
        return sl_err(err, EBUSY, "cache mount: %d private instances are busy", PRIVATE_MAX);
}

/* Takes name's lock file without waiting; -1 when a step holds it. The
 * lock files stay, so a step that opened one meanwhile locks the same. */
static int try_lock(int dirfd, const char *name, const char *suffix)
{
        _cleanup_free_ char *lk = sl_xasprintf("%s%s", name, suffix);
        int fd = openat(dirfd, lk, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

int sl_cache_mounts_clear(sl_store *s, size_t *removed, sl_error *err)
{
        *removed = 0;
        int dfd = openat(sl_store_dirfd(s), SL_CACHE_MOUNTS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : sl_err_sys(err, errno, "%s/%s", sl_store_root(s), SL_CACHE_MOUNTS_DIR);
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return sl_err_sys(err, errno, "%s/%s", sl_store_root(s), SL_CACHE_MOUNTS_DIR);
        }
        _cleanup_strv_ char **names = NULL;
        for (struct dirent *e; (e = readdir(d));) {
                size_t n = strlen(e->d_name);
                if (n > 5 && !strcmp(e->d_name + n - 5, ".lock"))
                        sl_strv_append_take(&names, sl_xstrndup(e->d_name, n - 5));
        }
        int rc = 0;
        for (char **name = names; rc == 0 && name && *name; name++) {
                _cleanup_close_ int lk = try_lock(dirfd(d), *name, ".lock");
                _cleanup_close_ int init = lk < 0 ? -1 : try_lock(dirfd(d), *name, ".init");
                if (lk < 0 || init < 0)
                        continue;  /* in use */
                _cleanup_free_ char *tmp = sl_xasprintf("%s.new", *name);
                if (faccessat(dirfd(d), *name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        ++*removed;
                if (sl_rm_rf_at(dirfd(d), *name, err) < 0 || sl_rm_rf_at(dirfd(d), tmp, err) < 0)
                        rc = sl_err_wrap(err, "remove cache mount %s", *name);
        }
        closedir(d);
        return rc;
}
