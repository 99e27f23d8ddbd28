#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "runtime/lib/default-seccomp.h"

/* Denied outright with EPERM, grouped by why. */
static const char *const denied[] = {
        /* the kernel itself: modules, kexec, reboot, swap, accounting */
        "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
        "reboot", "swapon", "swapoff", "acct", "syslog", "quotactl", "quotactl_fd",
        /* the host's clock */
        "settimeofday", "stime", "clock_settime", "clock_adjtime",
        /* mounts: the runtime built the container's tree; it stays as built */
        "mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
        "move_mount", "open_tree", "mount_setattr",
        /* other namespaces, and files by handle (which bypass the mount tree) */
        "setns", "open_by_handle_at", "name_to_handle_at",
        /* wide kernel attack surface an application seldom needs */
        "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
        "lookup_dcookie", "uselib", "ustat", "nfsservctl", "vm86", "vm86old", "iopl", "ioperm",
};

/* New namespaces through clone and unshare, one rule per flag because a
 * rule can only compare the masked argument for equality. CLONE_NEWTIME
 * shares its bit with clone's exit signal, so only unshare checks it. */
static const unsigned long ns_flags[] = {
        CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* NAME's first argument has FLAG set (mask and value both FLAG). */
#define FLAG_RULE \
        "{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":%lu," \
        "\"valueTwo\":%lu,\"op\":\"SCMP_CMP_MASKED_EQ\"}],\"errnoRet\":%d},"

static void __attribute__((format(printf, 3, 4))) add(char **out, size_t *len, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        *out = sl_xrealloc(*out, *len + (size_t)n + 1);
        memcpy(*out + *len, buf, (size_t)n + 1);
        *len += (size_t)n;
}

char *sl_default_seccomp_json(void)
{
        char *out = sl_xstrdup("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                               "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
                               "\"syscalls\":[{\"names\":[");
        size_t len = strlen(out);

        for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
                add(&out, &len, "%s\"%s\"", i ? "," : "", denied[i]);
        add(&out, &len, "],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%d},", EPERM);
        for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
                add(&out, &len, FLAG_RULE, "clone", ns_flags[i], ns_flags[i], EPERM);
                add(&out, &len, FLAG_RULE, "unshare", ns_flags[i], ns_flags[i], EPERM);
        }
        add(&out, &len, FLAG_RULE, "unshare", (unsigned long)CLONE_NEWTIME, (unsigned long)CLONE_NEWTIME, EPERM);
        /* clone3 passes its flags in memory seccomp cannot read: ENOSYS
         * makes the C library fall back to clone, which the rules see. */
        add(&out, &len, "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%d}]},", ENOSYS);
        return out;
}
