/* Layer differ: walk, sort, then emit one tar entry per item. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "builder/layer/differ.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"

typedef enum { ITEM_PLAIN, ITEM_WHITEOUT, ITEM_OPAQUE_MARK } item_kind;

typedef struct xattr_kv {
        char *name;
        char *value;
        size_t len;
} xattr_kv;

typedef struct item {
        char *path;            /* relative, no leading "./", no trailing "/" */
        item_kind kind;
        struct stat st;
        char *symlink;
        const char *hardlink;  /* path of the first item sharing the inode */
        xattr_kv *xattrs;
        size_t n_xattrs;
} item;

typedef struct walker {
        const sl_diff_opts *opts;
        item *items;
        size_t n, cap;
} walker;

static item *add_item(walker *w)
{
        if (w->n == w->cap) {
                w->cap = w->cap ? 2 * w->cap : 256;
                w->items = sl_xrealloc(w->items, w->cap * sizeof *w->items);
        }
        item *it = &w->items[w->n++];
        memset(it, 0, sizeof *it);
        return it;
}

static void free_items(walker *w)
{
        for (size_t i = 0; i < w->n; i++) {
                item *it = &w->items[i];
                free(it->path);
                free(it->symlink);
                for (size_t k = 0; k < it->n_xattrs; k++) {
                        free(it->xattrs[k].name);
                        free(it->xattrs[k].value);
                }
                free(it->xattrs);
        }
        free(w->items);
}

static bool is_overlay_xattr(const char *name)
{
        return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

static int cmp_xattr(const void *a, const void *b)
{
        return strcmp(((const xattr_kv *)a)->name, ((const xattr_kv *)b)->name);
}

/* Reads the xattrs of name in dirfd without following it (through the
 * pinned dir's /proc path, since there is no lgetxattrat). Sets *opaque
 * when overlay marks the dir opaque. */
static int read_xattrs(int dirfd, const char *name, const char *rel, item *it, bool *opaque,
                       sl_error *err)
{
        char p[64 + NAME_MAX];
        snprintf(p, sizeof p, "/proc/self/fd/%d/%s", dirfd, name);
        ssize_t n = llistxattr(p, NULL, 0);
        if (n < 0) {
                if (errno == ENOTSUP || errno == ENODATA)
                        return 0;
                return sl_err_sys(err, errno, "%s: list xattrs", rel);
        }
        if (n == 0)
                return 0;
        _cleanup_free_ char *names = sl_xmalloc((size_t)n + 1);
        n = llistxattr(p, names, (size_t)n);
        if (n < 0)
                return sl_err_sys(err, errno, "%s: list xattrs", rel);
        names[n] = 0;
        for (char *k = names; k < names + n; k += strlen(k) + 1) {
                ssize_t vl = lgetxattr(p, k, NULL, 0);
                if (vl < 0) {
                        if (errno == ENODATA)
                                continue;
                        return sl_err_sys(err, errno, "%s: read xattr %s", rel, k);
                }
                char *v = sl_xmalloc((size_t)vl + 1);
                vl = lgetxattr(p, k, v, (size_t)vl);
                if (vl < 0) {
                        free(v);
                        return sl_err_sys(err, errno, "%s: read xattr %s", rel, k);
                }
                if (is_overlay_xattr(k)) {
                        const char *what = k + (k[0] == 't' ? 16 : 13);
                        if (!strcmp(what, "opaque") && vl == 1 && v[0] == 'y')
                                *opaque = true;
                        free(v);
                        /* a renamed dir or a metadata-only copy-up keeps its
                         * content in a lower layer: the tar would lose it */
                        if (!strcmp(what, "redirect") || !strcmp(what, "metacopy"))
                                return sl_err(err, ENOTSUP, "%s: overlay %s is set; mount the overlay with "
                                              "redirect_dir=off,metacopy=off", rel, what);
                        continue;
                }
                it->xattrs = sl_xrealloc(it->xattrs, (it->n_xattrs + 1) * sizeof *it->xattrs);
                it->xattrs[it->n_xattrs++] = (xattr_kv){sl_xstrdup(k), v, (size_t)vl};
        }
        if (it->n_xattrs > 1)
                qsort(it->xattrs, it->n_xattrs, sizeof *it->xattrs, cmp_xattr);
        return 0;
}

static int walk_dir(walker *w, int dirfd, const char *prefix, sl_error *err);

static int walk_entry(walker *w, int dirfd, const char *name, const char *prefix, sl_error *err)
{
        _cleanup_free_ char *rel = prefix[0] ? sl_xasprintf("%s/%s", prefix, name) : sl_xstrdup(name);
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "%s: stat", rel);
        if (S_ISSOCK(st.st_mode))
                return 0;  /* tar cannot hold sockets; Docker drops them too */
        if (w->opts->overlay && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
                item *it = add_item(w);
                it->kind = ITEM_WHITEOUT;
                it->st = st;
                it->path = prefix[0] ? sl_xasprintf("%s/.wh.%s", prefix, name)
                                     : sl_xasprintf(".wh.%s", name);
                return 0;
        }
        bool opaque = false;
        size_t idx = w->n;
        item *it = add_item(w);
        it->st = st;
        it->path = SL_STEAL(rel);
        if (read_xattrs(dirfd, name, it->path, it, &opaque, err) < 0)
                return -1;
        if (S_ISLNK(st.st_mode)) {
                size_t cap = (size_t)st.st_size + 1;
                if (cap < 64)
                        cap = 64;
                for (;;) {
                        char *buf = sl_xmalloc(cap);
                        ssize_t n = readlinkat(dirfd, name, buf, cap);
                        if (n < 0) {
                                free(buf);
                                return sl_err_sys(err, errno, "%s: readlink", w->items[idx].path);
                        }
                        if ((size_t)n < cap) {
                                buf[n] = 0;
                                w->items[idx].symlink = buf;
                                break;
                        }
                        free(buf);
                        cap *= 2;
                }
        }
        if (!S_ISDIR(st.st_mode))
                return 0;
        const char *dpath = w->items[idx].path;  /* stable: items are not freed while walking */
        _cleanup_free_ char *dcopy = sl_xstrdup(dpath);
        if (opaque && w->opts->overlay) {
                item *m = add_item(w);
                m->kind = ITEM_OPAQUE_MARK;
                m->st = st;
                m->path = sl_xasprintf("%s/.wh..wh..opq", dcopy);
        }
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "%s: open directory", dcopy);
        struct stat fst;
        if (fstat(fd, &fst) < 0 || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev)
                return sl_err(err, EAGAIN, "%s: directory changed while reading it", dcopy);
        return walk_dir(w, fd, dcopy, err);
}

static int walk_dir(walker *w, int dirfd, const char *prefix, sl_error *err)
{
        int dupfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (dupfd < 0)
                return sl_err_sys(err, errno, "%s: dup", prefix[0] ? prefix : ".");
        _cleanup_closedir_ DIR *d = fdopendir(dupfd);
        if (!d) {
                close(dupfd);
                return sl_err_sys(err, errno, "%s: opendir", prefix[0] ? prefix : ".");
        }
        /* the dup shares dirfd's offset: start from the top even if the
         * same dir was read before */
        rewinddir(d);
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno)
                                return sl_err_sys(err, errno, "%s: readdir", prefix[0] ? prefix : ".");
                        break;
                }
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (walk_entry(w, dirfd, de->d_name, prefix, err) < 0)
                        return -1;
        }
        return 0;
}

static int cmp_item_path(const void *a, const void *b)
{
        return strcmp(((const item *)a)->path, ((const item *)b)->path);
}

static int cmp_inode(const void *a, const void *b)
{
        const item *x = *(item *const *)a, *y = *(item *const *)b;
        if (x->st.st_dev != y->st.st_dev)
                return x->st.st_dev < y->st.st_dev ? -1 : 1;
        if (x->st.st_ino != y->st.st_ino)
                return x->st.st_ino < y->st.st_ino ? -1 : 1;
        return x < y ? -1 : x > y;  /* items are sorted by path: earlier path first */
}

/* Every later path of a multiply-linked inode links to its first path. */
static void link_hardlinks(walker *w)
{
        item **multi = sl_xcalloc(w->n ? w->n : 1, sizeof *multi);
        size_t m = 0;
        for (size_t i = 0; i < w->n; i++)
                if (w->items[i].kind == ITEM_PLAIN && !S_ISDIR(w->items[i].st.st_mode) &&
                    w->items[i].st.st_nlink > 1)
                        multi[m++] = &w->items[i];
        qsort(multi, m, sizeof *multi, cmp_inode);
        for (size_t i = 1; i < m; i++) {
                item *first = multi[i - 1]->hardlink ? NULL : multi[i - 1];
                if (multi[i]->st.st_dev == multi[i - 1]->st.st_dev &&
                    multi[i]->st.st_ino == multi[i - 1]->st.st_ino)
                        multi[i]->hardlink = first ? first->path : multi[i - 1]->hardlink;
        }
        free(multi);
}

#define READ_BUF 65536

typedef struct emit_ctx {
        sl_byte_sink sink;
        void *sink_ctx;
        sl_error *err;
        bool sink_failed;
        char *buf;  /* READ_BUF bytes, for every file */
} emit_ctx;

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
        emit_ctx *e = ctx;
        if (e->sink(e->sink_ctx, buf, len, e->err) < 0) {
                e->sink_failed = true;
                archive_set_error(a, EIO, "layer sink failed");
                return -1;
        }
        return (la_ssize_t)len;
}

static int archive_fail(struct archive *a, emit_ctx *e, const char *what, sl_error *err)
{
        if (e->sink_failed)
                return sl_err_wrap(err, "%s", what);
        return sl_err(err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "%s: %s", what,
                      archive_error_string(a) ? archive_error_string(a) : "tar write failed");
}

static int write_data(struct archive *a, emit_ctx *e, const char *path, const void *buf, size_t n,
                      sl_error *err)
{
        la_ssize_t w = archive_write_data(a, buf, n);
        if (w < 0 || (size_t)w != n)
                return archive_fail(a, e, path, err);
        return 0;
}

/* Streams a regular file's bytes; holes are written as zeros without
 * being read, and the size must not have changed since the walk. */
static int copy_file(struct archive *a, emit_ctx *e, int rootfd, const item *it, sl_error *err)
{
        static const char zeros[65536];
        _cleanup_close_ int fd = sl_openat_in_root(rootfd, it->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0, err);
        if (fd < 0)
                return -1;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return sl_err_sys(err, errno, "%s: stat", it->path);
        if (st.st_ino != it->st.st_ino || st.st_size != it->st.st_size)
                return sl_err(err, EAGAIN, "%s: file changed while making the layer", it->path);
        char *buf = e->buf;
        off_t size = st.st_size, pos = 0;
        /* with a block for every byte there is no hole to look for: most
         * files skip the two lseeks */
        bool dense = st.st_blocks * 512 >= st.st_size;
        while (pos < size) {
                off_t data = dense ? pos : lseek(fd, pos, SEEK_DATA);
                if (data < 0) {
                        if (errno != ENXIO)
                                data = pos;  /* no SEEK_DATA here: read everything */
                        else
                                data = size;
                }
                if (data > size)
                        data = size;
                while (pos < data) {
                        size_t n = (size_t)(data - pos) < sizeof zeros ? (size_t)(data - pos) : sizeof zeros;
                        if (write_data(a, e, it->path, zeros, n, err) < 0)
                                return -1;
                        pos += (off_t)n;
                }
                if (pos >= size)
                        break;
                off_t hole = dense ? size : lseek(fd, pos, SEEK_HOLE);
                if (hole < 0 || hole > size)
                        hole = size;
                if (hole == pos)
                        hole = size;
                while (pos < hole) {
                        size_t want = (size_t)(hole - pos) < READ_BUF ? (size_t)(hole - pos) : READ_BUF;
                        ssize_t r = pread(fd, buf, want, pos);
                        if (r < 0) {
                                if (errno == EINTR)
                                        continue;
                                return sl_err_sys(err, errno, "%s: read", it->path);
                        }
                        if (r == 0)
                                return sl_err(err, EAGAIN, "%s: file shrank while making the layer", it->path);
                        if (write_data(a, e, it->path, buf, (size_t)r, err) < 0)
                                return -1;
                        pos += r;
                }
        }
        return 0;
}

static void fill_entry(struct archive_entry *ae, const item *it, const sl_diff_opts *o)
{
        const struct stat *st = &it->st;
        int64_t mtime = st->st_mtim.tv_sec;
        if (o->clamp_mtime && mtime > o->epoch)
                mtime = o->epoch;
        archive_entry_set_pathname(ae, it->path);
        archive_entry_set_uid(ae, st->st_uid);
        archive_entry_set_gid(ae, st->st_gid);
        archive_entry_set_mtime(ae, (time_t)mtime, 0);
        if (it->kind != ITEM_PLAIN) {
                archive_entry_set_filetype(ae, AE_IFREG);
                archive_entry_set_perm(ae, 0);
                archive_entry_set_size(ae, 0);
                return;
        }
        archive_entry_set_perm(ae, st->st_mode & 07777);
        for (size_t k = 0; k < it->n_xattrs; k++)
                archive_entry_xattr_add_entry(ae, it->xattrs[k].name, it->xattrs[k].value,
                                              it->xattrs[k].len);
        if (it->hardlink) {
                archive_entry_set_filetype(ae, AE_IFREG);
                archive_entry_set_hardlink(ae, it->hardlink);
                archive_entry_set_size(ae, 0);
                return;
        }
        archive_entry_set_filetype(ae, st->st_mode & S_IFMT);
        archive_entry_set_size(ae, S_ISREG(st->st_mode) ? st->st_size : 0);
        if (S_ISLNK(st->st_mode))
                archive_entry_set_symlink(ae, it->symlink);
        if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
                archive_entry_set_rdevmajor(ae, major(st->st_rdev));
                archive_entry_set_rdevminor(ae, minor(st->st_rdev));
        }
}

static int emit(walker *w, int rootfd, sl_byte_sink sink, void *sink_ctx, sl_error *err)
{
        _cleanup_free_ char *buf = sl_xmalloc(READ_BUF);
        emit_ctx e = {sink, sink_ctx, err, false, buf};
        struct archive *a = archive_write_new();
        if (!a)
                return sl_err(err, ENOMEM, "cannot create a tar writer");
        int rc = -1;
        struct archive_entry *ae = archive_entry_new();
        /* pax only where ustar cannot say it; raw name bytes whatever the
         * locale; no padding beyond the two end blocks. */
        if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_set_options(a, "hdrcharset=BINARY") != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
            archive_write_open2(a, &e, NULL, write_cb, NULL, NULL) != ARCHIVE_OK) {
                archive_fail(a, &e, "tar writer", err);
                goto out;
        }
        for (size_t i = 0; i < w->n; i++) {
                const item *it = &w->items[i];
                archive_entry_clear(ae);
                fill_entry(ae, it, w->opts);
                if (archive_write_header(a, ae) < ARCHIVE_WARN) {
                        archive_fail(a, &e, it->path, err);
                        goto out;
                }
                if (it->kind == ITEM_PLAIN && !it->hardlink && S_ISREG(it->st.st_mode) &&
                    it->st.st_size > 0 && copy_file(a, &e, rootfd, it, err) < 0)
                        goto out;
                if (archive_write_finish_entry(a) < ARCHIVE_WARN) {
                        archive_fail(a, &e, it->path, err);
                        goto out;
                }
        }
        if (archive_write_close(a) != ARCHIVE_OK) {
                archive_fail(a, &e, "tar end", err);
                goto out;
        }
        rc = 0;
out:
        archive_entry_free(ae);
        archive_write_free(a);
        return rc;
}

int sl_layer_diff(int dirfd, const sl_diff_opts *opts, sl_byte_sink sink, void *ctx, sl_error *err)
{
        walker w = {.opts = opts};
        int rc = walk_dir(&w, dirfd, "", err);
        if (rc == 0) {
                if (w.n > 1)
                        qsort(w.items, w.n, sizeof *w.items, cmp_item_path);
                link_hardlinks(&w);
                rc = emit(&w, dirfd, sink, ctx, err);
        }
        free_items(&w);
        return rc < 0 ? sl_err_wrap(err, "layer diff") : 0;
}

int sl_source_date_epoch(int64_t *out, sl_error *err)
{
        const char *s = getenv("SOURCE_DATE_EPOCH");
        *out = 0;
        if (!s || !*s)
                return 0;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || v < 0)
                return sl_err(err, EINVAL, "SOURCE_DATE_EPOCH: \"%s\" is not a number of seconds", s);
        *out = v;
        return 0;
}
