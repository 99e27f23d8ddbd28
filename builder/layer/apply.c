/* Layer applier. Two libarchive readers are chained: the outer one only
 * decompresses (raw format), the inner one reads tar from the outer one's
 * output, so the uncompressed bytes can be hashed (diff_id) and counted
 * (bomb caps) on their way through. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "builder/layer/apply.h"
#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"

#define DEFAULT_MAX_BYTES (64ull << 30)
#define DEFAULT_MAX_RATIO 2000u
#define RATIO_GRACE (64ull << 20)

typedef struct dir_time {
        char *path;
        struct timespec mtime;
} dir_time;

typedef struct applier {
        const sl_apply_opts *opts;
        const char *layer;
        int rootfd;
        struct archive *outer, *inner;
        sl_digest_ctx *hash;
        uint64_t tar_size;
        char stream_err[512];  /* why the outer stream failed, if it did */
        char buf[65536];
        sl_strset seen;        /* paths this layer created */
        dir_time *dirs;
        size_t n_dirs;
        uint64_t entries;
} applier;

static int entry_err(applier *ap, sl_error *err, int code, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static int entry_err(applier *ap, sl_error *err, int code, const char *path, const char *fmt, ...)
{
        char msg[1024];
        va_list va;
        va_start(va, fmt);
        vsnprintf(msg, sizeof msg, fmt, va);
        va_end(va);
        return sl_err(err, code, "layer %s: entry \"%.*s\": %s", ap->layer, 512, path, msg);
}

/* ---- the decompressed stream, hashed and capped ---- */

static la_ssize_t inner_read(struct archive *a, void *ctx, const void **buf)
{
        applier *ap = ctx;
        la_ssize_t n = archive_read_data(ap->outer, ap->buf, sizeof ap->buf);
        if (n < 0) {
                snprintf(ap->stream_err, sizeof ap->stream_err, "%s",
                         archive_error_string(ap->outer) ? archive_error_string(ap->outer) : "read error");
                archive_set_error(a, EIO, "%s", ap->stream_err);
                return -1;
        }
        ap->tar_size += (uint64_t)n;
        sl_digest_update(ap->hash, ap->buf, (size_t)n);
        uint64_t max = ap->opts->max_bytes ? ap->opts->max_bytes : DEFAULT_MAX_BYTES;
        uint64_t ratio = ap->opts->max_ratio ? ap->opts->max_ratio : DEFAULT_MAX_RATIO;
        int64_t packed = archive_filter_bytes(ap->outer, -1);
        if (ap->tar_size > max)
                snprintf(ap->stream_err, sizeof ap->stream_err,
                         "decompressed size exceeds the limit of %llu bytes (decompression bomb?)",
                         (unsigned long long)max);
        else if (ap->tar_size > RATIO_GRACE && packed > 0 && ap->tar_size / (uint64_t)packed > ratio)
                snprintf(ap->stream_err, sizeof ap->stream_err,
                         "decompression ratio exceeds %llu:1 (decompression bomb?)", (unsigned long long)ratio);
        if (ap->stream_err[0]) {
                archive_set_error(a, EFBIG, "%s", ap->stream_err);
                return -1;
        }
        *buf = ap->buf;
        return n;
}

static int stream_fail(applier *ap, struct archive *a, const char *path, sl_error *err)
{
        const char *why = ap->stream_err[0] ? ap->stream_err
                          : archive_error_string(a) ? archive_error_string(a) : "unreadable tar";
        if (path)
                return entry_err(ap, err, EINVAL, path, "%s", why);
        return sl_err(err, EINVAL, "layer %s: %s", ap->layer, why);
}

static int open_streams(applier *ap, int fd, sl_error *err)
{
        ap->outer = archive_read_new();
        ap->inner = archive_read_new();
        if (!ap->outer || !ap->inner)
                return sl_err(err, ENOMEM, "layer %s: cannot create readers", ap->layer);
        struct archive_entry *ae;
        if (archive_read_support_filter_gzip(ap->outer) != ARCHIVE_OK ||
            archive_read_support_filter_zstd(ap->outer) != ARCHIVE_OK ||
            archive_read_support_format_raw(ap->outer) != ARCHIVE_OK ||
            archive_read_open_fd(ap->outer, fd, 65536) != ARCHIVE_OK ||
            archive_read_next_header(ap->outer, &ae) != ARCHIVE_OK)
                return sl_err(err, EINVAL, "layer %s: %s", ap->layer,
                              archive_error_string(ap->outer) ? archive_error_string(ap->outer)
                                                              : "empty or unreadable stream");
        /* One compression layer at most: gzip-in-gzip is not a layer. */
        if (archive_filter_count(ap->outer) > 2)
                return sl_err(err, EINVAL, "layer %s: nested compression (%s over %s) is not a layer",
                              ap->layer, archive_filter_name(ap->outer, 0), archive_filter_name(ap->outer, 1));
        if (archive_read_support_format_tar(ap->inner) != ARCHIVE_OK ||
            archive_read_open2(ap->inner, ap, NULL, inner_read, NULL, NULL) != ARCHIVE_OK)
                return stream_fail(ap, ap->inner, NULL, err);
        return 0;
}

/* ---- names ---- */

/* Cleans a tar name into "a/b/c" (no leading "/", no "." or empty parts,
 * ".." resolved); "" is the root. link_of names the entry when name is
 * that entry's hardlink target. */
static int clean_name(applier *ap, const char *name, const char *link_of, char **out, sl_error *err)
{
        const char *entry = link_of ? link_of : name;
        const char *what = link_of ? "hardlink target " : "";
        const char *q = link_of ? "\"" : "";
        size_t len = strlen(name);
        if (len == 0)
                return entry_err(ap, err, EINVAL, entry, "%sempty name", what);
        if (len >= PATH_MAX)
                return entry_err(ap, err, ENAMETOOLONG, entry, "%sname longer than %d bytes", what, PATH_MAX - 1);
        char *res = sl_xmalloc(len + 1);
        size_t rl = 0;
        const char *p = name;
        while (*p) {
                while (*p == '/')
                        p++;
                const char *s = p;
                while (*p && *p != '/')
                        p++;
                size_t cl = (size_t)(p - s);
                if (cl == 0 || (cl == 1 && s[0] == '.'))
                        continue;
                if (cl == 2 && s[0] == '.' && s[1] == '.') {
                        if (rl == 0) {
                                free(res);
                                return entry_err(ap, err, EPERM, entry, "%s%s%.*s%spath escapes the root",
                                                 what, q, link_of ? 512 : 0, name, link_of ? "\": " : "");
                        }
                        while (rl > 0 && res[rl - 1] != '/')
                                rl--;
                        if (rl > 0)
                                rl--;
                        continue;
                }
                if (cl > NAME_MAX) {
                        free(res);
                        return entry_err(ap, err, ENAMETOOLONG, entry, "%sa component is longer than %d bytes",
                                         what, NAME_MAX);
                }
                if (rl)
                        res[rl++] = '/';
                memcpy(res + rl, s, cl);
                rl += cl;
        }
        res[rl] = 0;
        *out = res;
        return 0;
}

/* Opens the directory path (relative to the root) without following any
 * symlink, creating missing components 0755 when create is set. Returns
 * an O_PATH fd, or -1 (ENOENT when missing and !create). */
static int open_dir_strict(applier *ap, const char *path, bool create, const char *entry, sl_error *err)
{
        int fd = fcntl(ap->rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return sl_err_sys(err, errno, "dup");
        _cleanup_free_ char *copy = sl_xstrdup(path);
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int nfd = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0 && errno == ENOENT && create) {
                        if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
                                int e = errno;
                                close(fd);
                                return entry_err(ap, err, e, entry, "create parent \"%s\": %s", c, strerror(e));
                        }
                        nfd = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                int e = errno;
                close(fd);
                if (nfd < 0) {
                        if (e == ENOENT && !create) {
                                errno = ENOENT;
                                return -1;
                        }
                        if (e == ENOTDIR || e == ELOOP)
                                return entry_err(ap, err, e, entry,
                                                 "parent \"%s\" is a symlink or not a directory", c);
                        return entry_err(ap, err, e, entry, "open parent \"%s\": %s", c, strerror(e));
                }
                fd = nfd;
        }
        return fd;
}

static void split(char *path, const char **dir, const char **base)
{
        char *slash = strrchr(path, '/');
        if (slash) {
                *slash = 0;
                *dir = path;
                *base = slash + 1;
        } else {
                *dir = "";
                *base = path;
        }
}

/* Clears the way for a new non-directory (or a directory, keep_dir) at
 * base: an old entry is removed, never opened. */
static int make_room(applier *ap, int parent, const char *base, bool keep_dir, const char *entry,
                     bool *is_dir, sl_error *err)
{
        struct stat st;
        *is_dir = false;
        if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : entry_err(ap, err, errno, entry, "stat: %s", strerror(errno));
        if (S_ISDIR(st.st_mode) && keep_dir) {
                *is_dir = true;
                return 0;
        }
        if (sl_rm_rf_at(parent, base, err) < 0)
                return sl_err_wrap(err, "layer %s: entry \"%s\": replace", ap->layer, entry);
        return 0;
}

/* ---- metadata ---- */

static int set_xattrs(applier *ap, struct archive_entry *ae, int parent, const char *base,
                      const char *entry, sl_error *err)
{
        const char *name;
        const void *value;
        size_t size;
        char p[64 + NAME_MAX];
        if (archive_entry_xattr_reset(ae) == 0)
                return 0;
        snprintf(p, sizeof p, "/proc/self/fd/%d/%s", parent, base);
        while (archive_entry_xattr_next(ae, &name, &value, &size) == ARCHIVE_OK) {
                /* overlay's own markers come from whiteouts, never from a tar */
                if (!strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13))
                        continue;
                if (lsetxattr(p, name, value, size, 0) < 0 && errno != ENOTSUP)
                        return entry_err(ap, err, errno, entry, "set xattr %s: %s", name, strerror(errno));
        }
        return 0;
}

static int set_owner_mode_time(applier *ap, struct archive_entry *ae, int parent, const char *base,
                               const char *entry, sl_error *err)
{
        mode_t type = archive_entry_filetype(ae);
        if (fchownat(parent, base, (uid_t)archive_entry_uid(ae), (gid_t)archive_entry_gid(ae),
                     AT_SYMLINK_NOFOLLOW) < 0)
                return entry_err(ap, err, errno, entry, "chown: %s", strerror(errno));
        if (type != AE_IFLNK && fchmodat(parent, base, archive_entry_perm(ae) & 07777, 0) < 0)
                return entry_err(ap, err, errno, entry, "chmod: %s", strerror(errno));
        if (set_xattrs(ap, ae, parent, base, entry, err) < 0)
                return -1;
        struct timespec ts[2];
        ts[1].tv_sec = archive_entry_mtime(ae);
        ts[1].tv_nsec = archive_entry_mtime_nsec(ae);
        ts[0] = ts[1];
        if (type == AE_IFDIR) {
                /* later entries would bump it: set it at the end */
                ap->dirs = sl_xrealloc(ap->dirs, (ap->n_dirs + 1) * sizeof *ap->dirs);
                ap->dirs[ap->n_dirs++] = (dir_time){sl_xstrdup(entry), ts[1]};
                return 0;
        }
        if (utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return entry_err(ap, err, errno, entry, "set times: %s", strerror(errno));
        return 0;
}

/* ---- entry kinds ---- */

static bool all_zero(const char *p, size_t n)
{
        return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int write_file(applier *ap, struct archive_entry *ae, int parent, const char *base,
                      const char *entry, sl_error *err)
{
        _cleanup_close_ int fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return entry_err(ap, err, errno, entry, "create: %s", strerror(errno));
        int64_t size = archive_entry_size(ae);
        if (size < 0)
                return entry_err(ap, err, EINVAL, entry, "negative size");
        for (;;) {
                const void *buf;
                size_t n;
                la_int64_t off;
                int r = archive_read_data_block(ap->inner, &buf, &n, &off);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return stream_fail(ap, ap->inner, entry, err);
                if (off < 0 || (uint64_t)off + n > (uint64_t)size)
                        return entry_err(ap, err, EINVAL, entry, "data beyond the entry's size");
                /* zero blocks become holes: sparse files stay sparse */
                if (all_zero(buf, n))
                        continue;
                for (size_t done = 0; done < n;) {
                        ssize_t w = pwrite(fd, (const char *)buf + done, n - done, off + (off_t)done);
                        if (w < 0) {
                                if (errno == EINTR)
                                        continue;
                                return entry_err(ap, err, errno, entry, "write: %s", strerror(errno));
                        }
                        done += (size_t)w;
                }
        }
        if (ftruncate(fd, size) < 0)
                return entry_err(ap, err, errno, entry, "set size: %s", strerror(errno));
        return 0;
}

static int make_hardlink(applier *ap, struct archive_entry *ae, int parent, const char *base,
                         const char *entry, sl_error *err)
{
        _cleanup_free_ char *target = NULL;
        const char *raw = archive_entry_hardlink(ae);
        if (clean_name(ap, raw, entry, &target, err) < 0)
                return -1;
        if (!sl_strset_has(&ap->seen, target))
                return entry_err(ap, err, EPERM, entry,
                                 "hardlink to \"%s\", which this layer has not extracted", raw);
        _cleanup_free_ char *tcopy = sl_xstrdup(target);
        const char *tdir, *tbase;
        split(tcopy, &tdir, &tbase);
        _cleanup_close_ int tparent = open_dir_strict(ap, tdir, false, entry, err);
        if (tparent < 0)
                return errno == ENOENT ? entry_err(ap, err, ENOENT, entry, "hardlink target \"%s\" is gone", raw) : -1;
        struct stat st;
        if (fstatat(tparent, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                return entry_err(ap, err, EPERM, entry, "hardlink target \"%s\" is not a regular file", raw);
        if (linkat(tparent, tbase, parent, base, 0) < 0)
                return entry_err(ap, err, errno, entry, "link to \"%s\": %s", raw, strerror(errno));
        return 0;
}

static int apply_whiteout(applier *ap, const char *dir, const char *base, const char *entry, sl_error *err)
{
        bool opaque = !strcmp(base, ".wh..wh..opq");
        const char *victim = base + 4;
        if (!opaque && (!*victim || !strcmp(victim, ".") || !strcmp(victim, "..")))
                return entry_err(ap, err, EINVAL, entry, "whiteout names no file");
        bool overlay = ap->opts->whiteouts == SL_WHITEOUT_OVERLAY;
        _cleanup_close_ int parent = open_dir_strict(ap, dir, overlay, entry, err);
        if (parent < 0)
                return errno == ENOENT ? 0 : -1;  /* nothing there to hide */
        if (opaque && overlay) {
                char p[SL_FD_PATH_MAX];
                snprintf(p, sizeof p, "/proc/self/fd/%d", parent);
                if (setxattr(p, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return entry_err(ap, err, errno, entry, "mark opaque: %s", strerror(errno));
                return 0;
        }
        if (opaque) {
                /* remove what lower layers put here, keep what this one did */
                _cleanup_close_ int dfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return entry_err(ap, err, errno, entry, "open: %s", strerror(errno));
                _cleanup_closedir_ DIR *d = fdopendir(dfd);
                if (!d)
                        return entry_err(ap, err, errno, entry, "opendir: %s", strerror(errno));
                dfd = -1;
                for (struct dirent *de; (de = readdir(d));) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        _cleanup_free_ char *child = dir[0] ? sl_xasprintf("%s/%s", dir, de->d_name)
                                                            : sl_xstrdup(de->d_name);
                        if (!sl_strset_has(&ap->seen, child) &&
                            sl_rm_rf_at(dirfd(d), de->d_name, err) < 0)
                                return sl_err_wrap(err, "layer %s: entry \"%s\"", ap->layer, entry);
                }
                return 0;
        }
        if (sl_rm_rf_at(parent, victim, err) < 0)
                return sl_err_wrap(err, "layer %s: entry \"%s\"", ap->layer, entry);
        if (overlay && mknodat(parent, victim, S_IFCHR | 0, makedev(0, 0)) < 0)
                return entry_err(ap, err, errno, entry, "make overlay whiteout: %s", strerror(errno));
        return 0;
}

static int apply_entry(applier *ap, struct archive_entry *ae, sl_error *err)
{
        const char *raw = archive_entry_pathname(ae);
        if (!raw)
                raw = archive_entry_pathname_utf8(ae);
        if (!raw)
                return sl_err(err, EINVAL, "layer %s: an entry has no name (a damaged tar?)", ap->layer);
        _cleanup_free_ char *path = NULL;
        if (clean_name(ap, raw, NULL, &path, err) < 0)
                return -1;
        mode_t type = archive_entry_filetype(ae);
        bool is_link = archive_entry_hardlink(ae) != NULL;
        if (!path[0]) {
                if (type == AE_IFDIR && !is_link)
                        return 0;  /* "./": the root is the target's own */
                return entry_err(ap, err, EINVAL, raw, "a non-directory names the root");
        }
        _cleanup_free_ char *split_copy = sl_xstrdup(path);
        const char *dir, *base;
        split(split_copy, &dir, &base);
        /* AUFS keeps hardlink bookkeeping in .wh..wh.* dirs: not content */
        if (strstr(path, ".wh..wh.") && strcmp(base, ".wh..wh..opq") != 0 &&
            (!strncmp(path, ".wh..wh.", 8) || strstr(path, "/.wh..wh.")))
                return 0;
        if (!strncmp(base, ".wh.", 4))
                return apply_whiteout(ap, dir, base, path, err);

        if (!is_link && (type == AE_IFCHR || type == AE_IFBLK) && !ap->opts->allow_devices)
                return entry_err(ap, err, EPERM, path, "device nodes are not allowed in this layer");
        if (!is_link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK &&
            type != AE_IFCHR && type != AE_IFBLK && type != AE_IFIFO)
                return entry_err(ap, err, EINVAL, path, "unsupported entry type 0%o", (unsigned)type);

        _cleanup_close_ int parent = open_dir_strict(ap, dir, true, path, err);
        if (parent < 0)
                return -1;
        bool exists_dir;
        if (make_room(ap, parent, base, type == AE_IFDIR && !is_link, path, &exists_dir, err) < 0)
                return -1;
        sl_strset_add(&ap->seen, path);
        if (is_link)
                return make_hardlink(ap, ae, parent, base, path, err);
        int r = 0;
        switch (type) {
        case AE_IFREG:
                r = write_file(ap, ae, parent, base, path, err);
                break;
        case AE_IFDIR:
                if (!exists_dir && mkdirat(parent, base, 0700) < 0)
                        r = entry_err(ap, err, errno, path, "mkdir: %s", strerror(errno));
                break;
        case AE_IFLNK: {
                const char *t = archive_entry_symlink(ae);
                if (!t)
                        t = archive_entry_symlink_utf8(ae);
                if (!t || symlinkat(t, parent, base) < 0)
                        r = entry_err(ap, err, t ? errno : EINVAL, path, "symlink: %s",
                                      t ? strerror(errno) : "no target");
                break;
        }
        default: {
                dev_t dev = makedev(archive_entry_rdevmajor(ae), archive_entry_rdevminor(ae));
                if (mknodat(parent, base, type | 0600, type == AE_IFIFO ? 0 : dev) < 0)
                        r = entry_err(ap, err, errno, path, "mknod: %s", strerror(errno));
        }
        }
        if (r < 0)
                return -1;
        return set_owner_mode_time(ap, ae, parent, base, path, err);
}

static int finish_dir_times(applier *ap, sl_error *err)
{
        /* deepest first does not matter: setting a dir's time touches no parent */
        for (size_t i = 0; i < ap->n_dirs; i++) {
                int pfd = open_dir_strict(ap, ap->dirs[i].path, false, ap->dirs[i].path, err);
                if (pfd < 0) {
                        if (errno == ENOENT)
                                continue;  /* removed by a later entry */
                        return -1;
                }
                char p[SL_FD_PATH_MAX];
                snprintf(p, sizeof p, "/proc/self/fd/%d", pfd);
                struct timespec ts[2] = {ap->dirs[i].mtime, ap->dirs[i].mtime};
                int r = utimensat(AT_FDCWD, p, ts, 0);
                int e = errno;
                close(pfd);
                if (r < 0)
                        return entry_err(ap, err, e, ap->dirs[i].path, "set times: %s", strerror(e));
        }
        return 0;
}

/* The tar's end marker may be followed by padding: it is part of the
 * diff_id, so hash the stream to its end. */
static int drain(applier *ap, sl_error *err)
{
        const void *b;
        for (la_ssize_t n; (n = inner_read(ap->inner, ap, &b)) != 0;)
                if (n < 0)
                        return stream_fail(ap, ap->inner, NULL, err);
        return 0;
}

int sl_layer_apply(int fd, int targetfd, const sl_apply_opts *opts, sl_apply_result *out, sl_error *err)
{
        applier ap = {.opts = opts, .layer = opts->layer_name ? opts->layer_name : "(unnamed)",
                      .rootfd = targetfd};
        int rc = -1;
        ap.hash = sl_digest_new(SL_DIGEST_SHA256, err);
        if (!ap.hash || open_streams(&ap, fd, err) < 0)
                goto out;
        for (;;) {
                struct archive_entry *ae;
                int r = archive_read_next_header(ap.inner, &ae);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        stream_fail(&ap, ap.inner, NULL, err);
                        goto out;
                }
                ap.entries++;
                if (apply_entry(&ap, ae, err) < 0)
                        goto out;
        }
        if (ap.entries == 0 && ap.tar_size == 0) {
                sl_err(err, EINVAL, "layer %s: empty stream", ap.layer);
                goto out;
        }
        if (finish_dir_times(&ap, err) < 0 || drain(&ap, err) < 0)
                goto out;
        char got[SL_DIGEST_STR_MAX];
        if (sl_digest_final(ap.hash, got, err) < 0)
                goto out;
        if (opts->expect_diff_id && strcmp(got, opts->expect_diff_id) != 0) {
                sl_err(err, EINVAL, "layer %s: uncompressed content is %s, but diff_id says %s",
                       ap.layer, got, opts->expect_diff_id);
                goto out;
        }
        if (out) {
                memcpy(out->diff_id, got, sizeof got);
                out->tar_size = ap.tar_size;
                out->entries = ap.entries;
        }
        rc = 0;
out:
        if (ap.inner)
                archive_read_free(ap.inner);
        if (ap.outer)
                archive_read_free(ap.outer);
        sl_digest_free(ap.hash);
        sl_strset_free(&ap.seen);
        for (size_t i = 0; i < ap.n_dirs; i++)
                free(ap.dirs[i].path);
        free(ap.dirs);
        return rc;
}
