/* Reading and writing cgroup control files. Each write is one write(2):
 * the kernel parses a control file per write call. */
#include "runtime/lib/cgroup-internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

int sl_cg_write(const char *dir, const char *file, const char *value, const char *field,
                sl_error *err)
{
        _cleanup_free_ char *path = sl_xasprintf("%s/%s", dir, file);
        const char *sep = field ? ": " : "";
        field = field ? field : "";
        _cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return sl_err(err, ENOENT, "%s%s%s: not supported by this kernel (no such cgroup file)",
                                      field, sep, file);
                return sl_err_sys(err, errno, "%s%sopen %s", field, sep, file);
        }
        size_t len = strlen(value);
        ssize_t n;
        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return sl_err_sys(err, errno, "%s%swrite %s", field, sep, file);
        if ((size_t)n != len)
                return sl_err(err, EIO, "%s%swrite %s: short write", field, sep, file);
        return 0;
}

int sl_cg_writef(const char *dir, const char *file, const char *field, sl_error *err,
                 const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *value = NULL;
        int r = vasprintf(&value, fmt, ap);
        va_end(ap);
        if (r < 0)
                abort();
        r = sl_cg_write(dir, file, value, field, err);
        free(value);
        return r;
}

bool sl_cg_exists(const char *dir, const char *file)
{
        _cleanup_free_ char *path = sl_xasprintf("%s/%s", dir, file);
        return access(path, F_OK) == 0;
}

int sl_cg_read(const char *dir, const char *file, char **out, sl_error *err)
{
        _cleanup_free_ char *path = sl_xasprintf("%s/%s", dir, file);
        char *data = NULL;
        size_t len = 0;
        if (sl_read_file(path, &data, &len, NULL) < 0)
                return sl_err_sys(err, errno, "read %s", file);
        while (len > 0 && isspace((unsigned char)data[len - 1]))
                data[--len] = '\0';
        *out = data;
        return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
        if (strcmp(s, "max") == 0 || strcmp(s, "-1") == 0) {
                *out = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || (*end && !isspace((unsigned char)*end)) || *s == '-')
                return -1;
        *out = v;
        return 0;
}

int sl_cg_read_u64(const char *dir, const char *file, uint64_t *out, sl_error *err)
{
        _cleanup_free_ char *s = NULL;
        if (sl_cg_read(dir, file, &s, err) < 0)
                return -1;
        if (parse_u64(s, out) < 0)
                return sl_err(err, EINVAL, "%s: not a number: \"%s\"", file, s);
        return 0;
}

int sl_cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out,
                     sl_error *err)
{
        _cleanup_free_ char *s = NULL;
        if (sl_cg_read(dir, file, &s, err) < 0)
                return -1;
        size_t klen = strlen(key);
        for (char *line = s; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (strncmp(line, key, klen) == 0 && line[klen] == ' ' &&
                    parse_u64(line + klen + 1, out) == 0)
                        return 0;
                line = nl ? nl + 1 : NULL;
        }
        return sl_err(err, ENOENT, "%s: no \"%s\" entry", file, key);
}

int sl_cg_mkdirs(const char *dir, bool *created, sl_error *err)
{
        /* Leaf first: the parents usually exist already. */
        *created = false;
        if (mkdir(dir, 0755) == 0) {
                *created = true;
                return 0;
        }
        if (errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return sl_err_sys(err, errno, "mkdir %s", dir);
        _cleanup_free_ char *parent = sl_xstrdup(dir);
        char *slash = strrchr(parent, '/');
        if (!slash || slash == parent)
                return sl_err_sys(err, ENOENT, "mkdir %s", dir);
        *slash = '\0';
        bool made_parent;
        if (sl_cg_mkdirs(parent, &made_parent, err) < 0)
                return -1;
        if (mkdir(dir, 0755) == 0)
                *created = true;
        else if (errno != EEXIST)
                return sl_err_sys(err, errno, "mkdir %s", dir);
        return 0;
}

int sl_cg_check_before_update(const char *dir, const char *usage_file, const oci_linux_memory *m,
                              sl_error *err)
{
        if (!m->has_check_before_update || !m->check_before_update || !m->has_limit || m->limit <= 0)
                return 0;
        uint64_t usage = 0;
        if (sl_cg_read_u64(dir, usage_file, &usage, err) < 0)
                return sl_err_wrap(err, "linux.resources.memory.checkBeforeUpdate");
        if ((uint64_t)m->limit < usage)
                return sl_err(err, EBUSY, "linux.resources.memory.limit: %" PRId64 " is below the current "
                              "usage of %" PRIu64 " bytes (checkBeforeUpdate)", m->limit, usage);
        return 0;
}
