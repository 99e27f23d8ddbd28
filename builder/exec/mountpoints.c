#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/exec/mountpoints.h"
#include "common/cleanup.h"
#include "common/pathclean.h"
#include "common/xalloc.h"

#define MAX_LINKS 40

/* The target with symlinks resolved inside the root; *depth gets the
 * number of leading components that exist (all, when it exists). */
static int resolve(int rootfd, const char *target, char **out, size_t *exist, struct stat *last, sl_error *err)
{
        _cleanup_free_ char *path = sl_path_clean_abs(target);
        for (int links = 0;; links++) {
                if (links > MAX_LINKS)
                        return sl_err(err, ELOOP, "mount target %s: too many symlinks", target);
                size_t plen = strlen(path), pos = 1, depth = 0;
                bool restarted = false;
                while (pos < plen) {
                        size_t end = pos + strcspn(path + pos, "/");
                        _cleanup_free_ char *rel = sl_xstrndup(path + 1, end - 1);
                        struct stat st;
                        if (fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                if (errno != ENOENT)
                                        return sl_err_sys(err, errno, "mount target %s: stat /%s", target, rel);
                                break;
                        }
                        if (S_ISLNK(st.st_mode)) {
                                char buf[PATH_MAX];
                                ssize_t n = readlinkat(rootfd, rel, buf, sizeof buf - 1);
                                if (n < 0)
                                        return sl_err_sys(err, errno, "mount target %s: readlink /%s", target, rel);
                                buf[n] = '\0';
                                const char *rest = path + end;
                                char *slash = strrchr(rel, '/');
                                _cleanup_free_ char *parent = slash ? sl_xstrndup(rel, (size_t)(slash - rel)) : sl_xstrdup("");
                                _cleanup_free_ char *joined = buf[0] == '/' ? sl_xasprintf("%s%s", buf, rest)
                                                                              : sl_xasprintf("/%s/%s%s", parent, buf, rest);
                                free(path);
                                path = sl_path_clean_abs(joined);
                                restarted = true;
                                break;
                        }
                        depth++;
                        *last = st;
                        if (end < plen && !S_ISDIR(st.st_mode))
                                return sl_err(err, ENOTDIR, "mount target %s: /%s is not a directory", target, rel);
                        pos = end + 1;
                }
                if (restarted)
                        continue;
                *exist = depth;
                *out = SL_STEAL(path);
                return 0;
        }
}

/* Copies an existing dir's mode, owner and times onto its stub (rel ""
 * is the stub root). */
static int copy_meta(int stubfd, const char *rel, const struct stat *st, sl_error *err)
{
        struct timespec ts[2] = {st->st_atim, st->st_mtim};
        if (fchownat(stubfd, rel, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0 ||
            (*rel ? fchmodat(stubfd, rel, st->st_mode & 07777, 0) : fchmod(stubfd, st->st_mode & 07777)) < 0 ||
            (*rel ? utimensat(stubfd, rel, ts, AT_SYMLINK_NOFOLLOW) : futimens(stubfd, ts)) < 0)
                return sl_err_sys(err, errno, "mount point stub /%s: copy the image's metadata", rel);
        return 0;
}

int sl_mountpoint_stub(int rootfd, int stubfd, const char *target, bool as_file, char **resolved, bool *created,
                       sl_error *err)
{
        *created = false;
        size_t exist = 0;
        struct stat last = {0};
        _cleanup_free_ char *path = NULL;
        if (resolve(rootfd, target, &path, &exist, &last, err) < 0)
                return -1;
        if (!strcmp(path, "/"))
                return sl_err(err, EINVAL, "mount target %s: cannot mount over the root", target);
        size_t ncomp = 0;
        for (const char *p = path; *p; p++)
                ncomp += *p == '/';
        if (exist == ncomp) {
                if (as_file && S_ISDIR(last.st_mode))
                        return sl_err(err, EISDIR, "mount target %s: is a directory, the mount is a file", target);
                if (!as_file && !S_ISDIR(last.st_mode))
                        return sl_err(err, ENOTDIR, "mount target %s: is not a directory", target);
                *resolved = SL_STEAL(path);
                return 0;
        }
        /* Create the components below the stub root, remembering the
         * existing ones' metadata to copy once their children exist. */
        struct stat *metas = sl_xcalloc(exist + 1, sizeof(struct stat));
        size_t *ends = sl_xcalloc(ncomp + 1, sizeof(size_t));
        size_t pos = 1;
        int rc = 0;
        for (size_t d = 0; rc == 0 && d < ncomp; d++) {
                size_t end = ends[d] = pos + strcspn(path + pos, "/");
                _cleanup_free_ char *rel = sl_xstrndup(path + 1, end - 1);
                if (d < exist) {
                        if (fstatat(rootfd, rel, &metas[d], AT_SYMLINK_NOFOLLOW) < 0)
                                rc = sl_err_sys(err, errno, "mount target %s: stat /%s", target, rel);
                        else if (mkdirat(stubfd, rel, 0755) < 0 && errno != EEXIST)
                                rc = sl_err_sys(err, errno, "mount point stub /%s", rel);
                } else if (d == ncomp - 1 && as_file) {
                        int fd = openat(stubfd, rel, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
                        if (fd < 0)
                                rc = sl_err_sys(err, errno, "mount point stub /%s", rel);
                        else
                                close(fd);
                } else if (mkdirat(stubfd, rel, 0755) < 0 && errno != EEXIST) {
                        rc = sl_err_sys(err, errno, "mount point stub /%s", rel);
                }
                pos = end + 1;
        }
        /* Deepest first: creating a child changed its parent's mtime. */
        for (size_t d = exist; rc == 0 && d-- > 0;) {
                _cleanup_free_ char *rel = sl_xstrndup(path + 1, ends[d] - 1);
                rc = copy_meta(stubfd, rel, &metas[d], err);
        }
        struct stat rst;
        if (rc == 0 && fstat(rootfd, &rst) < 0)
                rc = sl_err_sys(err, errno, "mount target %s: stat the root", target);
        if (rc == 0)
                rc = copy_meta(stubfd, "", &rst, err);
        free(ends);
        free(metas);
        if (rc < 0)
                return -1;
        *created = true;
        *resolved = SL_STEAL(path);
        return 0;
}
