#include "runtime/lib/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"

static bool list_has(const char *list, const char *name)
{
        size_t len = strlen(name);
        for (const char *p = list; (p = strstr(p, name)); p += len) {
                bool start = p == list || p[-1] == ',';
                bool end = p[len] == '\0' || p[len] == ',' || p[len] == '\n';
                if (start && end)
                        return true;
        }
        return false;
}

/* 1 listed, 0 not listed, -1 when securityfs is not there to ask. */
static int lsm_listed(const char *name)
{
        _cleanup_free_ char *buf = NULL;
        if (sl_read_file("/sys/kernel/security/lsm", &buf, NULL, NULL) < 0)
                return -1;
        return list_has(buf, name);
}

bool sl_lsm_apparmor_enabled(void)
{
        int listed = lsm_listed("apparmor");
        if (listed >= 0)
                return listed;
        _cleanup_free_ char *buf = NULL;
        return sl_read_file("/sys/module/apparmor/parameters/enabled", &buf, NULL, NULL) == 0 && buf[0] == 'Y';
}

bool sl_lsm_selinux_enabled(void)
{
        int listed = lsm_listed("selinux");
        if (listed >= 0)
                return listed;
        _cleanup_fclose_ FILE *f = fopen("/proc/filesystems", "re");
        char line[128];
        while (f && fgets(line, sizeof line, f))
                if (strstr(line, "\tselinuxfs\n"))
                        return true;
        return false;
}

int sl_lsm_check(const oci_process *p, sl_error *err)
{
        if (p->apparmor_profile && *p->apparmor_profile && !sl_lsm_apparmor_enabled())
                return sl_err(err, EOPNOTSUPP, "process.apparmorProfile: AppArmor is not enabled on this host");
        if (p->selinux_label && *p->selinux_label && !sl_lsm_selinux_enabled())
                return sl_err(err, EOPNOTSUPP, "process.selinuxLabel: SELinux is not enabled on this host");
        return 0;
}

/* Writes value to the first of paths that exists, on a real procfs. */
static int write_attr(const char *field, const char *const *paths, const char *value, sl_error *err)
{
        _cleanup_close_ int fd = -1;
        const char *used = paths[0];
        for (size_t i = 0; paths[i] && fd < 0; i++) {
                used = paths[i];
                fd = open(used, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 && errno != ENOENT)
                        return sl_err_sys(err, errno, "%s: opening %s", field, used);
        }
        if (fd < 0)
                return sl_err_sys(err, ENOENT, "%s: opening %s", field, used);
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
                return sl_err_sys(err, errno, "%s: fstatfs %s", field, used);
        if (sfs.f_type != PROC_SUPER_MAGIC)
                return sl_err(err, EXDEV, "%s: %s is not on procfs", field, used);
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        if (n < 0)
                return sl_err_sys(err, errno, "%s: writing \"%s\" to %s", field, value, used);
        if ((size_t)n != len)
                return sl_err(err, EIO, "%s: short write to %s", field, used);
        return 0;
}

int sl_lsm_apply(const oci_process *p, sl_error *err)
{
        if (sl_lsm_check(p, err) < 0)
                return -1;
        if (p->apparmor_profile && *p->apparmor_profile) {
                static const char *const paths[] = {
                        "/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec", NULL,
                };
                char value[4096];
                int n = snprintf(value, sizeof value, "exec %s", p->apparmor_profile);
                if (n < 0 || (size_t)n >= sizeof value)
                        return sl_err(err, ENAMETOOLONG, "process.apparmorProfile: too long");
                if (write_attr("process.apparmorProfile", paths, value, err) < 0)
                        return -1;
        }
        if (p->selinux_label && *p->selinux_label) {
                static const char *const paths[] = { "/proc/thread-self/attr/exec", NULL };
                if (write_attr("process.selinuxLabel", paths, p->selinux_label, err) < 0)
                        return -1;
        }
        return 0;
}
