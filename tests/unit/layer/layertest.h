/* Helpers shared by the layer and store tests: scratch dirs, files, and
 * reading a tar back with libarchive. */
#ifndef SLOIKA_TESTS_LAYER_LAYERTEST_H
#define SLOIKA_TESTS_LAYER_LAYERTEST_H

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/tap.h"

#define lt_fmt(buf, n, ...) do { \
        if ((size_t)snprintf((buf), (n), __VA_ARGS__) >= (size_t)(n)) \
                abort(); \
} while (0)

static inline char *lt_mkdtemp(const char *tag)
{
        const char *base = getenv("TMPDIR");
        char *buf = malloc(4096);
        snprintf(buf, 4096, "%s/sl-%s.XXXXXX", base && *base ? base : "/tmp", tag);
        if (!mkdtemp(buf)) {
                perror("mkdtemp");
                exit(99);
        }
        return buf;
}

static inline int lt_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        (void)st, (void)flag, (void)f;
        return remove(p) < 0 ? -1 : 0;
}

static inline void lt_rm_rf(const char *path)
{
        nftw(path, lt_rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

static inline void lt_write(const char *path, const char *content, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
                perror(path);
                exit(99);
        }
        fchmod(fd, mode);
        close(fd);
}

static inline char *lt_read(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = calloc(1, 1 << 16);
        size_t n = fread(buf, 1, (1 << 16) - 1, f);
        buf[n] = 0;
        fclose(f);
        return buf;
}

static inline int lt_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int lt_system(const char *fmt, ...)
{
        char cmd[8192];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof cmd, fmt, ap);
        va_end(ap);
        int r = system(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* One tar entry as read back. */
typedef struct lt_entry {
        char path[1024];
        mode_t type, perm;
        long long uid, gid, size, mtime;
        char link[1024];       /* symlink target or hardlink target */
        int hardlink;
        char xattrs[1024];     /* "name=value;" ... */
        int has_atime, has_ctime, has_uname;
} lt_entry;

/* Reads every entry of an (optionally compressed) tar file. */
static inline int lt_read_tar(const char *file, lt_entry **out, size_t *n)
{
        struct archive *a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK) {
                diag("open %s: %s", file, archive_error_string(a));
                archive_read_free(a);
                return -1;
        }
        lt_entry *v = NULL;
        size_t k = 0;
        struct archive_entry *ae;
        int r;
        while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
                v = realloc(v, (k + 1) * sizeof *v);
                lt_entry *e = &v[k++];
                memset(e, 0, sizeof *e);
                snprintf(e->path, sizeof e->path, "%s", archive_entry_pathname(ae));
                e->type = archive_entry_filetype(ae);
                e->perm = archive_entry_perm(ae);
                e->uid = archive_entry_uid(ae);
                e->gid = archive_entry_gid(ae);
                e->size = archive_entry_size(ae);
                e->mtime = archive_entry_mtime(ae);
                e->has_atime = archive_entry_atime_is_set(ae);
                e->has_ctime = archive_entry_ctime_is_set(ae);
                e->has_uname = (archive_entry_uname(ae) && *archive_entry_uname(ae)) ||
                               (archive_entry_gname(ae) && *archive_entry_gname(ae));
                if (archive_entry_hardlink(ae)) {
                        e->hardlink = 1;
                        snprintf(e->link, sizeof e->link, "%s", archive_entry_hardlink(ae));
                } else if (archive_entry_symlink(ae)) {
                        snprintf(e->link, sizeof e->link, "%s", archive_entry_symlink(ae));
                }
                const char *name;
                const void *val;
                size_t sz;
                archive_entry_xattr_reset(ae);
                while (archive_entry_xattr_next(ae, &name, &val, &sz) == ARCHIVE_OK) {
                        size_t l = strlen(e->xattrs);
                        snprintf(e->xattrs + l, sizeof e->xattrs - l, "%s=%.*s;", name, (int)sz, (const char *)val);
                }
        }
        archive_read_free(a);
        *out = v;
        *n = k;
        return r == ARCHIVE_EOF ? 0 : -1;
}

static inline lt_entry *lt_find(lt_entry *v, size_t n, const char *path)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(v[i].path, path))
                        return &v[i];
        return NULL;
}

#endif
