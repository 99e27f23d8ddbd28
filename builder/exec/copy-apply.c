/* Writing a COPY/ADD plan into an image root: parents are created inside
 * the root (never through a symlink out of it), an existing entry is
 * replaced rather than written through, and local archives for ADD go
 * through the escape-proof layer applier. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/exec/add-archive.h"
#include "builder/exec/copy.h"
#include "builder/layer/apply.h"
#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/path.h"
#include "common/xalloc.h"

/* mkdir -p of dir inside the root, returning its O_PATH fd. With --chown
 * the directories made here belong to that user, as in BuildKit and
 * buildah; those already there keep their owner. */
static int mkdirs_owned(int root, const char *dir, const sl_copy_opts *o, sl_error *err)
{
        if (!o->has_chown)
                return sl_mkdirs_in_root(root, dir, 0755, err);
        _cleanup_free_ char *p = sl_xstrdup(dir);
        size_t len = strlen(p);
        for (size_t i = 1; i <= len; i++) {
                if (i < len && p[i] != '/')
                        continue;
                if (p[i - 1] == '/')
                        continue;
                char keep = p[i];
                p[i] = '\0';
                sl_error probe = {0};
                _cleanup_close_ int fd = sl_openat_in_root(root, p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &probe);
                if (fd < 0 && probe.code == ENOENT) {
                        fd = sl_mkdirs_in_root(root, p, 0755, err);
                        if (fd < 0)
                                return -1;
                        if (fchownat(fd, "", o->uid, o->gid, AT_EMPTY_PATH) < 0)
                                return sl_err_sys(err, errno, "chown %s", p);
                }
                p[i] = keep;
        }
        return sl_mkdirs_in_root(root, dir, 0755, err);
}

/* The O_PATH fd of dst's parent (created if missing) and dst's name. */
static int parent_of(int root, const char *dst, const sl_copy_opts *o, const char **name, sl_error *err)
{
        const char *slash = strrchr(dst, '/');
        _cleanup_free_ char *dir = slash && slash != dst ? strndup(dst, (size_t)(slash - dst)) : sl_xstrdup("/");
        *name = slash ? slash + 1 : dst;
        if (!**name)
                return sl_err(err, EINVAL, "copy to %s: no file name", dst);
        return mkdirs_owned(root, dir, o, err);
}

/* Makes room for a new entry name in dirfd: anything there that is not a
 * directory (or, when keep_dir is false, a directory too) is removed. */
static int clear_slot(int dirfd, const char *name, bool keep_dir, bool *is_dir, sl_error *err)
{
        struct stat st;
        *is_dir = false;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : sl_err_sys(err, errno, "stat %s", name);
        if (S_ISDIR(st.st_mode) && keep_dir) {
                *is_dir = true;
                return 0;
        }
        return sl_rm_rf_at(dirfd, name, err);
}

static int copy_bytes(int in, int out, sl_error *err)
{
        for (;;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                        return sl_err_sys(err, errno, "copy");
                break;
        }
        char buf[65536];
        for (;;) {
                ssize_t n = read(in, buf, sizeof buf);
                if (n == 0)
                        return 0;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "read");
                }
                if (sl_write_all(out, buf, (size_t)n) < 0)
                        return sl_err_sys(err, errno, "write");
        }
}

static int set_meta(int fd, const sl_copy_entry *e, const sl_copy_opts *o, sl_error *err)
{
        uid_t uid = o->has_chown ? o->uid : 0;
        gid_t gid = o->has_chown ? o->gid : 0;
        if (fchown(fd, uid, gid) < 0)
                return sl_err_sys(err, errno, "chown %s", e->dst);
        mode_t mode = o->chmod ? sl_chmod_apply(o->chmod, e->st.st_mode, e->kind == SL_COPY_DIR) : (e->st.st_mode & 07777);
        if (fchmod(fd, mode) < 0)
                return sl_err_sys(err, errno, "chmod %s", e->dst);
        if (e->kind != SL_COPY_HEREDOC) {
                struct timespec ts[2] = {e->st.st_mtim, e->st.st_mtim};
                if (futimens(fd, ts) < 0)
                        return sl_err_sys(err, errno, "set times of %s", e->dst);
        }
        return 0;
}

static int put_file(const sl_copy_src *src, const sl_copy_entry *e, int pdir, const char *name,
                    const sl_copy_opts *o, sl_error *err)
{
        bool is_dir;
        if (clear_slot(pdir, name, false, &is_dir, err) < 0)
                return -1;
        _cleanup_close_ int out = openat(pdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return sl_err_sys(err, errno, "create %s", e->dst);
        if (e->kind == SL_COPY_HEREDOC) {
                if (sl_write_all(out, e->content, strlen(e->content)) < 0)
                        return sl_err_sys(err, errno, "write %s", e->dst);
        } else {
                _cleanup_close_ int in = sl_openat_in_root(src->rootfd, e->src, O_RDONLY | O_CLOEXEC, 0, err);
                if (in < 0 || copy_bytes(in, out, err) < 0)
                        return sl_err_wrap(err, "copy %s to %s", e->src, e->dst);
        }
        return set_meta(out, e, o, err);
}

static int put_dir(const sl_copy_entry *e, int pdir, const char *name, const sl_copy_opts *o, sl_error *err)
{
        bool is_dir;
        if (clear_slot(pdir, name, true, &is_dir, err) < 0)
                return -1;
        if (!is_dir && mkdirat(pdir, name, 0755) < 0)
                return sl_err_sys(err, errno, "mkdir %s", e->dst);
        _cleanup_close_ int fd = openat(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "open %s", e->dst);
        return set_meta(fd, e, o, err);
}

static int put_link(const sl_copy_src *src, const sl_copy_entry *e, int pdir, const char *name,
                    const sl_copy_opts *o, sl_error *err)
{
        char target[4096];
        const char *slash = strrchr(e->src, '/');
        _cleanup_free_ char *dir = slash ? strndup(e->src, (size_t)(slash - e->src)) : NULL;
        _cleanup_close_ int sdir = dir ? sl_openat_in_root(src->rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, err)
                                       : dup(src->rootfd);
        if (sdir < 0)
                return -1;
        ssize_t n = readlinkat(sdir, slash ? slash + 1 : e->src, target, sizeof target - 1);
        if (n < 0)
                return sl_err_sys(err, errno, "readlink %s", e->src);
        target[n] = '\0';
        bool is_dir;
        if (clear_slot(pdir, name, false, &is_dir, err) < 0)
                return -1;
        if (symlinkat(target, pdir, name) < 0)
                return sl_err_sys(err, errno, "symlink %s", e->dst);
        uid_t uid = o->has_chown ? o->uid : 0;
        gid_t gid = o->has_chown ? o->gid : 0;
        if (fchownat(pdir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "chown %s", e->dst);
        struct timespec ts[2] = {e->st.st_mtim, e->st.st_mtim};
        if (utimensat(pdir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "set times of %s", e->dst);
        return 0;
}

static int extract(const sl_copy_src *src, const sl_copy_entry *e, int root, const sl_copy_opts *o, sl_error *err)
{
        _cleanup_close_ int dpath = mkdirs_owned(root, e->dst, o, err);
        if (dpath < 0)
                return -1;
        _cleanup_close_ int dfd = openat(dpath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int in = sl_openat_in_root(src->rootfd, e->src, O_RDONLY | O_CLOEXEC, 0, err);
        if (dfd < 0)
                return sl_err_sys(err, errno, "open %s", e->dst);
        if (in < 0)
                return -1;
        return sl_add_extract(in, dfd, e->src, o->has_chown, o->uid, o->gid, err);
}

static const sl_copy_plan *sort_plan;

static int by_inode(const void *a, const void *b)
{
        const sl_copy_entry *x = &sort_plan->e[*(const size_t *)a], *y = &sort_plan->e[*(const size_t *)b];
        if (x->st.st_dev != y->st.st_dev)
                return x->st.st_dev < y->st.st_dev ? -1 : 1;
        if (x->st.st_ino != y->st.st_ino)
                return x->st.st_ino < y->st.st_ino ? -1 : 1;
        return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* For each entry, the index of the first entry of the same source inode
 * (itself when it is the first or not a multiply-linked file). */
static size_t *link_groups(const sl_copy_plan *p)
{
        size_t *first = sl_xcalloc(p->n + 1, sizeof(size_t)), *idx = sl_xcalloc(p->n + 1, sizeof(size_t)), m = 0;
        for (size_t i = 0; i < p->n; i++) {
                first[i] = i;
                if (p->e[i].kind == SL_COPY_FILE && p->e[i].st.st_nlink > 1)
                        idx[m++] = i;
        }
        sort_plan = p;
        qsort(idx, m, sizeof(size_t), by_inode);
        for (size_t k = 1; k < m; k++) {
                const sl_copy_entry *x = &p->e[idx[k]], *y = &p->e[idx[k - 1]];
                if (x->st.st_dev == y->st.st_dev && x->st.st_ino == y->st.st_ino)
                        first[idx[k]] = first[idx[k - 1]];
        }
        free(idx);
        return first;
}

/* Links dst to the copy made for an earlier entry of the same inode, as
 * BuildKit keeps hardlinks within what one COPY copies. */
static int put_hardlink(const sl_copy_entry *first, const sl_copy_entry *e, int root, int pdir, const char *name,
                        const sl_copy_opts *o, sl_error *err)
{
        const char *fname;
        _cleanup_close_ int fdir = parent_of(root, first->dst, o, &fname, err);
        bool is_dir;
        if (fdir < 0 || clear_slot(pdir, name, false, &is_dir, err) < 0)
                return -1;
        if (linkat(fdir, fname, pdir, name, 0) < 0)
                return sl_err_sys(err, errno, "link %s to %s", e->dst, first->dst);
        return 0;
}

int sl_copy_plan_apply(const sl_copy_src *src, const sl_copy_plan *p, int dstroot, const sl_copy_opts *o,
                       sl_error *err)
{
        _cleanup_free_ size_t *first = link_groups(p);
        for (size_t i = 0; i < p->n; i++) {
                const sl_copy_entry *e = &p->e[i];
                if (e->kind == SL_COPY_EXTRACT) {
                        if (extract(src, e, dstroot, o, err) < 0)
                                return -1;
                        continue;
                }
                const char *name;
                _cleanup_close_ int pdir = parent_of(dstroot, e->dst, o, &name, err);
                if (pdir < 0)
                        return sl_err_wrap(err, "copy to %s", e->dst);
                int r;
                switch (e->kind) {
                case SL_COPY_DIR: r = put_dir(e, pdir, name, o, err); break;
                case SL_COPY_LINK: r = put_link(src, e, pdir, name, o, err); break;
                default:
                        r = first[i] != i ? put_hardlink(&p->e[first[i]], e, dstroot, pdir, name, o, err)
                                          : put_file(src, e, pdir, name, o, err);
                        break;
                }
                if (r < 0)
                        return -1;
        }
        return 0;
}
