#include "common/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "common/cleanup.h"
#include "common/xalloc.h"

#if defined(SYS_openat2) && defined(HAVE_LINUX_OPENAT2_H)
#define HAVE_OPENAT2_SYSCALL 1
#endif

/* -1 unknown, 0 the kernel lacks openat2, 1 it has it. */
static int openat2_state = -1;
static bool force_fallback;

void sl_path_force_fallback(bool on) { force_fallback = on; }

bool sl_path_uses_openat2(void)
{
#ifdef HAVE_OPENAT2_SYSCALL
        static int env_fallback = -1;
        if (env_fallback < 0) {
                const char *e = getenv("SLOIKA_PATH_FALLBACK");
                env_fallback = e && *e && strcmp(e, "0") != 0;
        }
        return !force_fallback && !env_fallback && openat2_state != 0;
#else
        return false;
#endif
}

/* Returns the fd, -1 with errno, or -2 when openat2 is not available. */
static int try_openat2(int rootfd, const char *path, int flags, mode_t mode)
{
#ifdef HAVE_OPENAT2_SYSCALL
        if (!sl_path_uses_openat2())
                return -2;
        struct open_how how = {
                .flags = (unsigned)(flags | O_CLOEXEC),
                .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        /* EAGAIN means a concurrent rename or mount made the kernel
         * unsure it stayed inside the root; asking again is the remedy. */
        for (int tries = 0; tries < 32; tries++) {
                long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
                if (fd >= 0) {
                        openat2_state = 1;
                        return (int)fd;
                }
                if (errno == ENOSYS) {
                        openat2_state = 0;
                        return -2;
                }
                if (errno != EAGAIN)
                        return -1;
        }
        return -1;
#else
        (void)rootfd, (void)path, (void)flags, (void)mode;
        return -2;
#endif
}

/* ---- the userspace walk ---- */

typedef enum { WALK_OPEN, WALK_MKDIRS, WALK_MKFILE } walk_kind;

typedef struct {
        int rootfd;
        int *dirs;        /* owned O_PATH fds below the root, innermost last */
        size_t n, cap;
        unsigned links;
        char *todo;       /* what is left to resolve */
} walk;

static int walk_cur(const walk *w) { return w->n ? w->dirs[w->n - 1] : w->rootfd; }

static void walk_push(walk *w, int fd)
{
        if (w->n == w->cap) {
                w->cap = w->cap ? 2 * w->cap : 16;
                w->dirs = sl_xrealloc(w->dirs, w->cap * sizeof *w->dirs);
        }
        w->dirs[w->n++] = fd;
}

/* ".." of the root is the root, as in a chroot. */
static void walk_pop(walk *w)
{
        if (w->n)
                close(w->dirs[--w->n]);
}

static void walk_free(walk *w)
{
        while (w->n)
                walk_pop(w);
        free(w->dirs);
        free(w->todo);
}

/* Replaces the symlink just met by its target: the new work is
 * "<target>/<rest>". fd is the link itself (O_PATH) when known, else the
 * link is read by name in the current directory. Returns 0 or -errno. */
static int walk_follow(walk *w, int fd, const char *name, const char *rest, bool trailing_slash)
{
        if (++w->links > SL_PATH_MAX_SYMLINKS)
                return -ELOOP;
        char target[PATH_MAX];
        ssize_t r = fd >= 0 ? readlinkat(fd, "", target, sizeof target)
                            : readlinkat(walk_cur(w), name, target, sizeof target);
        if (r < 0)
                return errno == EINVAL ? -EAGAIN : -errno; /* no longer a link: raced */
        if ((size_t)r >= sizeof target)
                return -ENAMETOOLONG;
        if (r == 0)
                return -ENOENT;
        target[r] = '\0';
        if (target[0] == '/')
                while (w->n)
                        walk_pop(w);
        char *next = *rest || trailing_slash ? sl_xasprintf("%s/%s", target, rest) : sl_xstrdup(target);
        free(w->todo);
        w->todo = next;
        return 0;
}

static int fd_mode(int fd, mode_t *m)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        *m = st.st_mode & S_IFMT;
        return 0;
}

/* Opens the directory the walk stands in, for paths ending in "/", "." or "..". */
static int walk_finish_here(walk *w, walk_kind kind, int flags, mode_t mode)
{
        int fd;
        if (kind == WALK_MKFILE)
                return -EISDIR;
        if (kind == WALK_MKDIRS)
                fd = openat(walk_cur(w), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        else
                fd = openat(walk_cur(w), ".", flags | O_CLOEXEC, mode);
        return fd < 0 ? -errno : fd;
}

/* One step into a component that must be a directory (an inner one, or the
 * last of sl_mkdirs_in_root). Returns 1 when it was a symlink now queued,
 * 0 when entered, or -errno. */
static int walk_enter_dir(walk *w, const char *name, const char *rest, bool trailing,
                          bool create, mode_t dirmode)
{
        for (int tries = 0;; tries++) {
                int fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        if (errno != ENOENT || !create || tries > 8)
                                return -errno;
                        if (mkdirat(walk_cur(w), name, dirmode) < 0 && errno != EEXIST)
                                return -errno;
                        continue; /* re-open what is there now, without following */
                }
                mode_t m = 0;
                int r = fd_mode(fd, &m);
                if (r == 0 && m == S_IFLNK) {
                        r = walk_follow(w, fd, name, rest, trailing);
                        if (r == 0)
                                r = 1;
                } else if (r == 0 && m != S_IFDIR)
                        r = -ENOTDIR;
                if (r == 0) {
                        walk_push(w, fd);
                        return 0;
                }
                close(fd);
                return r;
        }
}

/* The last component of a WALK_OPEN or WALK_MKFILE. Returns the fd, 1 when
 * it was a symlink now queued, or -errno. */
static int walk_last(walk *w, walk_kind kind, const char *name, const char *rest,
                     int flags, mode_t mode)
{
        for (int tries = 0;; tries++) {
                /* Probe without following, so a symlink is seen and resolved
                 * by us inside the root rather than by the kernel. */
                int probe = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (probe < 0 && errno != ENOENT)
                        return -errno;
                if (probe < 0) {
                        if (kind == WALK_OPEN) {
                                /* O_NOFOLLOW: a link created meanwhile fails
                                 * the open instead of being followed. */
                                int fd = openat(walk_cur(w), name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
                                return fd < 0 ? -errno : fd;
                        }
                        if (tries > 8)
                                return -ENOENT;
                        if (mknodat(walk_cur(w), name, S_IFREG | mode, 0) < 0 && errno != EEXIST)
                                return -errno;
                        continue;
                }
                mode_t m = 0;
                int r = fd_mode(probe, &m);
                if (r < 0) {
                        close(probe);
                        return r;
                }
                bool follow = kind == WALK_MKFILE || !(flags & O_NOFOLLOW);
                if (m == S_IFLNK && follow) {
                        r = walk_follow(w, probe, name, rest, false);
                        close(probe);
                        return r < 0 ? r : 1;
                }
                if (kind == WALK_MKFILE) {
                        if (m == S_IFDIR) {
                                close(probe);
                                return -EISDIR;
                        }
                        return probe;
                }
                close(probe);
                int fd = openat(walk_cur(w), name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
                return fd < 0 ? -errno : fd;
        }
}

/* Returns an fd or -errno. */
static int walk_resolve(int rootfd, const char *path, walk_kind kind, int flags, mode_t mode)
{
        walk w = { .rootfd = rootfd, .todo = sl_xstrdup(path) };
        size_t pos = 0;
        int result;
        for (;;) {
                char *p = w.todo + pos;
                while (*p == '/')
                        p++;
                if (*p == '\0') {
                        result = walk_finish_here(&w, kind, flags, mode);
                        break;
                }
                char *end = p + strcspn(p, "/");
                bool trailing = *end == '/';
                char *rest = end;
                while (*rest == '/')
                        rest++;
                bool last = *rest == '\0';
                *end = '\0';
                pos = (size_t)(rest - w.todo);

                if (strcmp(p, ".") == 0)
                        continue;
                if (strcmp(p, "..") == 0) {
                        walk_pop(&w);
                        continue;
                }
                if (!last || trailing || kind == WALK_MKDIRS) {
                        int r = walk_enter_dir(&w, p, rest, trailing, kind != WALK_OPEN,
                                               kind == WALK_MKDIRS ? mode : 0755);
                        if (r < 0) {
                                result = r;
                                break;
                        }
                        if (r == 1)
                                pos = 0;
                        continue;
                }
                int r = walk_last(&w, kind, p, rest, flags, mode);
                if (r == 1) {
                        pos = 0;
                        continue;
                }
                result = r;
                break;
        }
        walk_free(&w);
        return result;
}

/* ---- public API ---- */

int sl_openat_in_root(int rootfd, const char *path, int flags, mode_t mode, sl_error *err)
{
        int fd = try_openat2(rootfd, path, flags, mode);
        if (fd == -2) {
                if (*path == '\0')
                        fd = -ENOENT;
                else
                        fd = walk_resolve(rootfd, path, WALK_OPEN, flags, mode);
                if (fd < 0)
                        errno = -fd, fd = -1;
        }
        if (fd < 0)
                return sl_err_sys(err, errno, "open \"%s\" in root", path);
        return fd;
}

int sl_mkdirs_in_root(int rootfd, const char *path, mode_t mode, sl_error *err)
{
        int fd = try_openat2(rootfd, path, O_PATH | O_DIRECTORY, 0);
        if (fd >= 0)
                return fd;
        if (fd == -2 || errno == ENOENT) {
                fd = walk_resolve(rootfd, path, WALK_MKDIRS, 0, mode);
                if (fd >= 0)
                        return fd;
                errno = -fd;
        }
        return sl_err_sys(err, errno, "mkdir -p \"%s\" in root", path);
}

int sl_mkfile_in_root(int rootfd, const char *path, mode_t mode, sl_error *err)
{
        int fd = try_openat2(rootfd, path, O_PATH, 0);
        if (fd >= 0) {
                mode_t m = 0;
                int r = fd_mode(fd, &m);
                if (r == 0 && m != S_IFDIR)
                        return fd;
                close(fd);
                errno = r < 0 ? -r : EISDIR;
        } else if (fd == -2 || errno == ENOENT) {
                fd = walk_resolve(rootfd, path, WALK_MKFILE, 0, mode);
                if (fd >= 0)
                        return fd;
                errno = -fd;
        }
        return sl_err_sys(err, errno, "create file \"%s\" in root", path);
}

const char *sl_fd_path_buf(int fd, char buf[SL_FD_PATH_MAX])
{
        snprintf(buf, SL_FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

char *sl_fd_path(int fd)
{
        return sl_xasprintf("/proc/self/fd/%d", fd);
}
