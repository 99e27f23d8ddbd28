#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "builder/exec/ctx-mask.h"
#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

static int whiteout(int maskfd, const char *name, const char *path, sl_error *err)
{
        if (mknodat(maskfd, name, S_IFCHR | 0000, makedev(0, 0)) < 0)
                return sl_err_sys(err, errno, "context mask: whiteout %s", path);
        return 0;
}

static int copy_meta(int fd, const struct stat *st, const char *path, sl_error *err)
{
        struct timespec ts[2] = {st->st_atim, st->st_mtim};
        if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, ts) < 0)
                return sl_err_sys(err, errno, "context mask: metadata of %s", path);
        return 0;
}

static char **entries(int dirfd, const char *path, sl_error *err)
{
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        if (!d) {
                if (fd >= 0)
                        close(fd);
                sl_err_sys(err, errno, "context mask: read %s", *path ? path : ".");
                return NULL;
        }
        char **v = sl_xcalloc(1, sizeof(char *));
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                        sl_strv_append(&v, e->d_name);
        closedir(d);
        return v;
}

/* Masks dir srcfd (context path rel) into maskfd. *used: the mask dir got
 * entries; *shown: some entry stays visible. */
static int walk(int srcfd, const char *rel, const sl_ignore *ig, int maskfd, bool *used, bool *shown, sl_error *err)
{
        *used = *shown = false;
        _cleanup_strv_ char **names = entries(srcfd, rel, err);
        if (!names)
                return -1;
        for (char **n = names; *n; n++) {
                _cleanup_free_ char *p = *rel ? sl_xasprintf("%s/%s", rel, *n) : sl_xstrdup(*n);
                struct stat st;
                if (fstatat(srcfd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return sl_err_sys(err, errno, "context mask: stat %s", p);
                bool excluded = sl_ignore_match(ig, p);
                if (!S_ISDIR(st.st_mode) || (excluded && !sl_ignore_may_descend(ig, p))) {
                        if (excluded && whiteout(maskfd, *n, p, err) < 0)
                                return -1;
                        *used |= excluded;
                        *shown |= !excluded;
                        continue;
                }
                if (mkdirat(maskfd, *n, 0700) < 0)
                        return sl_err_sys(err, errno, "context mask: mkdir %s", p);
                _cleanup_close_ int sub = openat(srcfd, *n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int msub = openat(maskfd, *n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                bool sub_used, sub_shown;
                if (sub < 0 || msub < 0)
                        return sl_err_sys(err, errno, "context mask: open %s", p);
                if (walk(sub, p, ig, msub, &sub_used, &sub_shown, err) < 0)
                        return -1;
                if (excluded && !sub_shown) {
                        /* nothing re-included below: the dir is not sent at all */
                        if (sl_rm_rf_at(maskfd, *n, err) < 0 || whiteout(maskfd, *n, p, err) < 0)
                                return -1;
                        *used = true;
                } else if (sub_used) {
                        if (copy_meta(msub, &st, p, err) < 0)
                                return -1;
                        *used = *shown = true;
                } else {
                        if (unlinkat(maskfd, *n, AT_REMOVEDIR) < 0)
                                return sl_err_sys(err, errno, "context mask: rmdir %s", p);
                        *shown = true;
                }
        }
        return 0;
}

int sl_ctx_mask(int srcfd, const char *rel, const sl_ignore *ig, int maskfd, sl_error *err)
{
        bool used, shown;
        struct stat st;
        if (fstat(srcfd, &st) < 0)
                return sl_err_sys(err, errno, "context mask: stat %s", *rel ? rel : ".");
        if (walk(srcfd, rel, ig, maskfd, &used, &shown, err) < 0)
                return -1;
        return copy_meta(maskfd, &st, *rel ? rel : ".", err);
}
