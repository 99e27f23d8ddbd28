#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder/exec/users.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/path.h"
#include "common/xalloc.h"

static bool parse_num(const char *s, uint32_t *out)
{
        char *end;
        if (!*s || strspn(s, "0123456789") != strlen(s))
                return false;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || v > UINT32_MAX)
                return false;
        *out = (uint32_t)v;
        return true;
}

/* Finds the line of file whose field 0 (by name) or field 2 (by id)
 * matches, and returns its fields 2 and 3. 0 found, 1 not found. */
static int lookup(int rootfd, const char *file, const char *name, const uint32_t *id, uint32_t *f2, uint32_t *f3,
                  sl_error *err)
{
        if (rootfd < 0)
                return 1;
        sl_error e2 = {0};
        _cleanup_close_ int fd = sl_openat_in_root(rootfd, file, O_RDONLY | O_CLOEXEC, 0, &e2);
        if (fd < 0) {
                if (e2.code == ENOENT)
                        return 1;
                *err = e2;
                return -1;
        }
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (sl_read_fd_all(fd, &data, &len, err) < 0)
                return sl_err_wrap(err, "read %s", file);
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *fields[4] = {0};
                char *p = line;
                for (int i = 0; i < 4 && p; i++) {
                        fields[i] = p;
                        p = strchr(p, ':');
                        if (p)
                                *p++ = '\0';
                }
                uint32_t a, b = 0;
                if (!fields[2] || !parse_num(fields[2], &a))
                        continue;
                if (fields[3] && !parse_num(fields[3], &b))
                        b = 0;
                if ((name && !strcmp(fields[0], name)) || (id && *id == a)) {
                        *f2 = a;
                        *f3 = b;
                        return 0;
                }
        }
        return 1;
}

static int resolve(int rootfd, const char *spec, bool chown_rules, uint32_t *uid, uint32_t *gid, sl_error *err)
{
        _cleanup_free_ char *user = sl_xstrdup(spec);
        char *group = strchr(user, ':');
        if (group)
                *group++ = '\0';
        if (!*user)
                return sl_err(err, EINVAL, "user \"%s\": empty user name", spec);
        uint32_t u, g = 0, dummy;
        bool numeric = parse_num(user, &u);
        int r = lookup(rootfd, "/etc/passwd", numeric ? NULL : user, numeric ? &u : NULL, &u, &g, err);
        if (r < 0)
                return -1;
        if (r == 1) {
                if (!numeric)
                        return sl_err(err, ENOENT, "unable to find user %s: no matching entries in passwd file", user);
                g = 0;
        }
        if (numeric && chown_rules)
                g = u;
        if (group) {
                if (parse_num(group, &g))
                        ;
                else {
                        r = lookup(rootfd, "/etc/group", group, NULL, &g, &dummy, err);
                        if (r < 0)
                                return -1;
                        if (r == 1)
                                return sl_err(err, ENOENT, "unable to find group %s: no matching entries in group file", group);
                }
        }
        *uid = u;
        *gid = g;
        return 0;
}

int sl_resolve_user(int rootfd, const char *spec, uint32_t *uid, uint32_t *gid, sl_error *err)
{
        return resolve(rootfd, spec, false, uid, gid, err);
}

int sl_resolve_chown(int rootfd, const char *spec, uint32_t *uid, uint32_t *gid, sl_error *err)
{
        return resolve(rootfd, spec, true, uid, gid, err);
}
