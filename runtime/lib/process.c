#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/lib/caps.h"
#include "runtime/lib/devices.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/process.h"
#include "runtime/lib/seccomp.h"
#include "runtime/lib/sync.h"
#include "runtime/lib/terminal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const struct {
        const char *name;
        int res;
} rlimit_names[] = {
        { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int rlimit_from_name(const char *name)
{
        for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
                if (strcmp(name, rlimit_names[i].name) == 0)
                        return rlimit_names[i].res;
        return -1;
}

/* sched_setattr(2) has no glibc wrapper in Debian 12. */
struct sl_sched_attr {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};

static int sched_policy_from_name(const char *name)
{
        static const struct { const char *n; int p; } t[] = {
                { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },
                { "SCHED_BATCH", 3 }, { "SCHED_ISO", 4 },  { "SCHED_IDLE", 5 },
                { "SCHED_DEADLINE", 6 },
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                if (strcmp(name, t[i].n) == 0)
                        return t[i].p;
        return -1;
}

static int64_t sched_flag_from_name(const char *name)
{
        static const struct { const char *n; uint64_t f; } t[] = {
                { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
                { "SCHED_FLAG_DL_OVERRUN", 0x04 },    { "SCHED_FLAG_KEEP_POLICY", 0x08 },
                { "SCHED_FLAG_KEEP_PARAMS", 0x10 },   { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
                { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                if (strcmp(name, t[i].n) == 0)
                        return (int64_t)t[i].f;
        return -1;
}

static int ioprio_class_from_name(const char *name)
{
        if (strcmp(name, "IOPRIO_CLASS_RT") == 0) return 1;
        if (strcmp(name, "IOPRIO_CLASS_BE") == 0) return 2;
        if (strcmp(name, "IOPRIO_CLASS_IDLE") == 0) return 3;
        return -1;
}

static long personality_from_domain(const char *d)
{
        if (strcmp(d, "LINUX") == 0) return PER_LINUX;
        if (strcmp(d, "LINUX32") == 0) return PER_LINUX32;
        return -1;
}

int sl_process_check(const oci_process *p, sl_error *err)
{
        if (!p)
                return sl_err(err, EINVAL, "process: missing");
        if (!p->args_len || !p->args[0] || !*p->args[0])
                return sl_err(err, EINVAL, "process.args: must not be empty");
        if (!p->cwd || p->cwd[0] != '/')
                return sl_err(err, EINVAL, "process.cwd: \"%s\" is not an absolute path", p->cwd ? p->cwd : "");
        for (size_t i = 0; i < p->rlimits_len; i++) {
                if (rlimit_from_name(p->rlimits[i].type) < 0)
                        return sl_err(err, EINVAL, "process.rlimits[%zu].type: unknown rlimit \"%s\"",
                                      i, p->rlimits[i].type);
                if (p->rlimits[i].soft > p->rlimits[i].hard)
                        return sl_err(err, EINVAL, "process.rlimits[%zu]: soft limit above the hard one", i);
        }
        if (p->scheduler) {
                if (sched_policy_from_name(p->scheduler->policy) < 0)
                        return sl_err(err, EINVAL, "process.scheduler.policy: unknown policy \"%s\"",
                                      p->scheduler->policy);
                for (size_t i = 0; i < p->scheduler->flags_len; i++)
                        if (sched_flag_from_name(p->scheduler->flags[i]) < 0)
                                return sl_err(err, EINVAL, "process.scheduler.flags[%zu]: unknown flag \"%s\"",
                                              i, p->scheduler->flags[i]);
        }
        if (p->io_priority && ioprio_class_from_name(p->io_priority->class) < 0)
                return sl_err(err, EINVAL, "process.ioPriority.class: unknown class \"%s\"",
                              p->io_priority->class);
        if (p->io_priority && (p->io_priority->priority < 0 || p->io_priority->priority > 7))
                return sl_err(err, EINVAL, "process.ioPriority.priority: %d is not in 0..7",
                              p->io_priority->priority);
        if (p->exec_cpu_affinity)
                return sl_err(err, ENOTSUP, "process.execCPUAffinity: not supported");
        return 0;
}

int sl_process_validate(const oci_spec *spec, sl_error *err)
{
        const oci_linux *l = spec->linux;

        if (sl_process_check(spec->process, err) < 0)
                return -1;
        if (l && l->personality) {
                if (personality_from_domain(l->personality->domain) < 0)
                        return sl_err(err, EINVAL, "linux.personality.domain: unknown domain \"%s\"",
                                      l->personality->domain);
                if (l->personality->flags_len)
                        return sl_err(err, EINVAL, "linux.personality.flags: no flags are supported");
        }
        return 0;
}

int sl_process_set_hostname(const oci_spec *spec, bool own_uts, sl_error *err)
{
        if ((spec->hostname && *spec->hostname) || (spec->domainname && *spec->domainname)) {
                if (!own_uts)
                        return sl_err(err, EINVAL, "%s: needs a new uts namespace",
                                      spec->hostname && *spec->hostname ? "hostname" : "domainname");
        }
        if (spec->hostname && *spec->hostname &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return sl_err_sys(err, errno, "hostname \"%s\"", spec->hostname);
        if (spec->domainname && *spec->domainname &&
            setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return sl_err_sys(err, errno, "domainname \"%s\"", spec->domainname);
        return 0;
}

int sl_process_apply_early(const oci_process *p, const oci_linux *l, sl_error *err)
{
        if (p->has_oom_score_adj) {
                char buf[16];
                int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
                _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || sl_write_all(fd, buf, (size_t)n) < 0)
                        return sl_err_sys(err, errno, "process.oomScoreAdj: write %d", p->oom_score_adj);
        }
        for (size_t i = 0; i < p->rlimits_len; i++) {
                struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
                if (setrlimit(rlimit_from_name(p->rlimits[i].type), &rl) < 0)
                        return sl_err_sys(err, errno, "process.rlimits[%zu] (%s)", i, p->rlimits[i].type);
        }
        if (p->scheduler) {
                const oci_scheduler *s = p->scheduler;
                struct sl_sched_attr a = {
                        .size = sizeof(a),
                        .sched_policy = (uint32_t)sched_policy_from_name(s->policy),
                        .sched_nice = s->nice,
                        .sched_priority = (uint32_t)s->priority,
                        .sched_runtime = s->runtime,
                        .sched_deadline = s->deadline,
                        .sched_period = s->period,
                };
                for (size_t i = 0; i < s->flags_len; i++)
                        a.sched_flags |= (uint64_t)sched_flag_from_name(s->flags[i]);
                if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
                        return sl_err_sys(err, errno, "process.scheduler (%s)", s->policy);
        }
        if (p->io_priority) {
                int prio = (ioprio_class_from_name(p->io_priority->class) << 13) | p->io_priority->priority;
                if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, prio) < 0)
                        return sl_err_sys(err, errno, "process.ioPriority");
        }
        if (l && l->personality &&
            personality((unsigned long)personality_from_domain(l->personality->domain)) < 0)
                return sl_err_sys(err, errno, "linux.personality.domain \"%s\"", l->personality->domain);
        return 0;
}

int sl_process_set_user(const oci_process *p, sl_error *err)
{
        const oci_user *u = p->user;
        uid_t uid = u ? u->uid : 0;
        gid_t gid = u ? u->gid : 0;

        if (u && u->additional_gids_len) {
                gid_t *g = (gid_t *)u->additional_gids;  /* uint32_t and gid_t agree */
                if (setgroups(u->additional_gids_len, g) < 0)
                        return sl_err_sys(err, errno, "process.user.additionalGids");
        } else if (setgroups(0, NULL) < 0 && errno != EPERM) {
                return sl_err_sys(err, errno, "process.user: clear supplementary groups");
        }
        if (setresgid(gid, gid, gid) < 0)
                return sl_err_sys(err, errno, "process.user.gid %u", (unsigned)gid);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return sl_err_sys(err, errno, "process.user: keep capabilities");
        if (setresuid(uid, uid, uid) < 0)
                return sl_err_sys(err, errno, "process.user.uid %u", (unsigned)uid);
        umask(u && u->has_umask ? (mode_t)u->umask : 022);
        return 0;
}

/* Docker picks exit status 127 or 126 by matching Go's lowercase errno text
 * ("no such file or directory", "permission denied"), as runc words it. */
static const char *errno_text(int code, char *buf, size_t size)
{
        snprintf(buf, size, "%s", strerror(code));
        buf[0] = (char)tolower((unsigned char)buf[0]);
        return buf;
}

int sl_process_chdir(const oci_process *p, sl_error *err)
{
        char text[128];

        /* runc's words: Docker matches "chdir to cwd" to explain the failure. */
        if (chdir(p->cwd) < 0) {
                int code = errno;
                return sl_err(err, code, "process.cwd: chdir to cwd (\"%s\") set in config.json failed: %s",
                              p->cwd, errno_text(code, text, sizeof text));
        }
        return 0;
}

static const char *env_get(char *const *env, const char *name)
{
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}

/* HOME of uid in the container's /etc/passwd (we are chrooted there). */
static char *home_of(uid_t uid)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        char line[1024];

        while (f && fgets(line, sizeof(line), f)) {
                char *fields[7] = { 0 }, *s = line;
                size_t n = 0;
                while (n < 7 && (fields[n] = strsep(&s, ":")))
                        n++;
                if (n < 6 || strtoul(fields[2], NULL, 10) != uid || !*fields[2])
                        continue;
                return sl_xstrdup(fields[5]);
        }
        return sl_xstrdup("/");
}

char **sl_process_env(const oci_process *p)
{
        char **env = NULL;

        for (size_t i = 0; i < p->env_len; i++)
                sl_strv_append(&env, p->env[i]);
        if (!env_get(env, "HOME")) {
                _cleanup_free_ char *home = home_of(p->user ? p->user->uid : 0);
                sl_strv_append_take(&env, sl_xasprintf("HOME=%s", home));
        }
        return env;
}

static bool is_executable_file(const char *path)
{
        struct stat sb;
        return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

char *sl_process_find_exec(const char *arg0, char *const *env, sl_error *err)
{
        const char *path = env_get(env, "PATH");

        if (strchr(arg0, '/')) {
                errno = 0;
                if (!is_executable_file(arg0)) {
                        int code = errno ? errno : EACCES;
                        char text[128];
                        sl_err(err, code, "exec: \"%s\": %s", arg0, errno_text(code, text, sizeof text));
                        return NULL;
                }
                return sl_xstrdup(arg0);
        }
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const char *s = path;; s++) {
                const char *e = strchrnul(s, ':');
                char *cand = sl_xasprintf("%.*s%s%s", (int)(e - s), s, e == s ? "" : "/", arg0);
                if (is_executable_file(cand))
                        return cand;
                free(cand);
                if (!*e)
                        break;
                s = e;
        }
        sl_err(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
        return NULL;
}

int sl_process_cloexec_fds(int preserve_fds, sl_error *err)
{
        unsigned first = 3u + (unsigned)preserve_fds;

        /* Passed-down fds survive the exec whatever flag the caller left. */
        for (int fd = 3; fd < (int)first; fd++)
                if (fcntl(fd, F_SETFD, 0) < 0)
                        return sl_err_sys(err, errno, "--preserve-fds: fd %d", fd);
        if (syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
                return sl_err_sys(err, errno, "mark fds from %u close-on-exec", first);
        return 0;
}

static void add_listen_env(char ***env, int listen_fds)
{
        if (listen_fds <= 0)
                return;
        sl_strv_append_take(env, sl_xasprintf("LISTEN_FDS=%d", listen_fds));
        sl_strv_append_take(env, sl_xasprintf("LISTEN_PID=%d", (int)getpid()));
}

/* The pty is opened through the container's own /dev/ptmx (see
 * terminal.h), so this runs inside its root. */
static int setup_terminal(sl_process_launch *l, sl_error *err)
{
        _cleanup_close_ int master = -1;
        int slave = -1;

        if (l->console_fd < 0)
                return sl_err(err, EINVAL, "process.terminal: needs --console-socket");
        if (sl_terminal_open(&master, &slave, err) < 0)
                return -1;
        if ((l->console_bind && sl_devices_bind_console(slave, err) < 0) ||
            sl_terminal_send_fd(l->console_fd, master, err) < 0) {
                close(slave);
                return -1;
        }
        return sl_terminal_attach(slave, l->p->console_size, err);
}

static int load_filter(sl_process_launch *l, int *notify_fd, sl_error *err)
{
        if (!l->seccomp_bpf)
                return sl_seccomp_load(l->seccomp, notify_fd, err);
        *notify_fd = -1;
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, l->seccomp_bpf_flags, l->seccomp_bpf) < 0)
                return sl_err_sys(err, errno, "seccomp: loading the filter");
        return 0;
}

static int load_seccomp(sl_process_launch *l, sl_error *err)
{
        int notify_fd = -1;

        if (load_filter(l, &notify_fd, err) < 0)
                return -1;
        if (notify_fd < 0)
                return 0;
        int r = sl_unix_send_fd(l->sync_fd, notify_fd, "seccomp", 8, err);
        close(notify_fd);
        if (r < 0 || sl_sync_expect(l->sync_fd, SL_SYNC_SECCOMP_DONE, NULL, "seccomp", err) < 0)
                return -1;
        return 0;
}

int sl_process_prepare(sl_process_launch *l, sl_error *err)
{
        const oci_process *p = l->p;
        bool nnp = p->has_no_new_privileges && p->no_new_privileges;
        int r = 0;

        /* Seccomp without noNewPrivileges needs CAP_SYS_ADMIN, so it goes
         * before the capabilities drop; with it, right before execve. */
        l->seccomp_late = l->seccomp && nnp && !sl_seccomp_spec_uses_notify(l->seccomp);
        if (p->has_terminal && p->terminal)
                r = setup_terminal(l, err);
        if (l->console_fd >= 0) {
                close(l->console_fd);
                l->console_fd = -1;
        }
        if (r < 0)
                return -1;
        l->env = sl_process_env(p);
        add_listen_env(&l->env, l->listen_fds);
        l->exe = sl_process_find_exec(p->args[0], l->env, err);
        if (!l->exe || sl_lsm_apply(p, err) < 0)
                return -1;
        /* Before the filter, which may not know close_range. */
        if (sl_process_cloexec_fds(l->listen_fds + l->preserve_fds, err) < 0)
                return -1;
        if (l->clear_pdeathsig && prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
                return sl_err_sys(err, errno, "clear the parent-death signal");
        if (l->seccomp && !l->seccomp_late && load_seccomp(l, err) < 0)
                return -1;
        if (sl_process_set_user(p, err) < 0 || sl_caps_apply(p->capabilities, err) < 0)
                return -1;
        if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return sl_err_sys(err, errno, "process.noNewPrivileges");
        return sl_process_chdir(p, err);
}

int sl_process_exec(sl_process_launch *l, sl_error *err)
{
        const oci_process *p = l->p;
        int notify_fd = -1;

        if (l->seccomp_late && load_filter(l, &notify_fd, err) < 0)
                return -1;
        /* Generated arrays carry a length, execve wants a NULL at the end. */
        char **argv = sl_xcalloc(p->args_len + 1, sizeof(*argv));
        memcpy(argv, p->args, p->args_len * sizeof(*argv));
        execve(l->exe, argv, l->env);
        int code = errno;
        char text[128];
        free(argv);
        return sl_err(err, code, "exec: \"%s\": %s", p->args[0], errno_text(code, text, sizeof text));
}
