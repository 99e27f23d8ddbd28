#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "runtime/lib/sysctl.h"

static bool has_ns(const oci_spec *spec, const char *type)
{
        for (size_t i = 0; spec->linux && i < spec->linux->namespaces_len; i++)
                if (spec->linux->namespaces[i].type && strcmp(spec->linux->namespaces[i].type, type) == 0)
                        return true;
        return false;
}

static bool starts_with(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Which namespace owns a key, or NULL when none does. */
static const char *owning_ns(const char *key)
{
        if (starts_with(key, "net."))
                return "network";
        if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
                return "uts";
        if (starts_with(key, "kernel.msg") || strcmp(key, "kernel.sem") == 0 ||
            starts_with(key, "kernel.shm") || starts_with(key, "fs.mqueue."))
                return "ipc";
        return NULL;
}

/* "net.ipv4.conf.eth0.forwarding" or "net/ipv4/..." -> "net/ipv4/..."; a key
 * that could climb out of /proc/sys is refused. */
static char *key_path(const char *key)
{
        char *p = sl_xstrdup(key);
        bool slashes = strchr(key, '/') != NULL;

        if (!slashes)
                for (char *c = p; *c; c++)
                        if (*c == '.')
                                *c = '/';
        if (!*p || p[0] == '/' || strstr(p, "//") || strcmp(p, "..") == 0 || starts_with(p, "../") ||
            strstr(p, "/../") || (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0)) {
                free(p);
                return NULL;
        }
        return p;
}

int sl_sysctl_validate(const oci_spec *spec, sl_error *err)
{
        const oci_string_map *m = spec->linux ? spec->linux->sysctl : NULL;

        for (size_t i = 0; m && i < m->len; i++) {
                const char *key = m->keys[i];
                _cleanup_free_ char *dotted = sl_xstrdup(key);
                _cleanup_free_ char *path = key_path(key);
                const char *ns;

                for (char *c = dotted; *c; c++)
                        if (*c == '/')
                                *c = '.';
                ns = owning_ns(dotted);
                if (!path)
                        return sl_err(err, EINVAL, "linux.sysctl \"%s\": not a valid key", key);
                if (!ns)
                        return sl_err(err, EPERM, "linux.sysctl \"%s\": not in a namespace the container owns", key);
                if (!has_ns(spec, ns))
                        return sl_err(err, EPERM, "linux.sysctl \"%s\": needs a %s namespace", key, ns);
                if (!m->values[i])
                        return sl_err(err, EINVAL, "linux.sysctl \"%s\": value is not a string", key);
        }
        return 0;
}

int sl_sysctl_apply(const oci_spec *spec, sl_error *err)
{
        const oci_string_map *m = spec->linux ? spec->linux->sysctl : NULL;
        _cleanup_close_ int procsys = -1;
        struct statfs sfs;

        if (!m || m->len == 0)
                return 0;
        if (sl_sysctl_validate(spec, err) < 0)
                return -1;
        procsys = open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (procsys < 0)
                return sl_err_sys(err, errno, "linux.sysctl: open /proc/sys");
        if (fstatfs(procsys, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
                return sl_err(err, EPERM, "linux.sysctl: /proc/sys is not procfs");
        for (size_t i = 0; i < m->len; i++) {
                _cleanup_free_ char *path = key_path(m->keys[i]);
                _cleanup_close_ int fd = sl_openat_in_root(procsys, path, O_WRONLY | O_TRUNC, 0, err);
                size_t len = strlen(m->values[i]);

                if (fd < 0)
                        return sl_err_wrap(err, "linux.sysctl \"%s\"", m->keys[i]);
                if (write(fd, m->values[i], len) != (ssize_t)len)
                        return sl_err_sys(err, errno, "linux.sysctl \"%s\": write \"%s\"", m->keys[i], m->values[i]);
        }
        return 0;
}
