/* process.* and the per-process linux.* fields, applied by the container's
 * init, or by a process `exec` starts, to itself before it execs the user
 * program. Each function names the config field it failed on. */
#ifndef SLOIKA_RUNTIME_PROCESS_H
#define SLOIKA_RUNTIME_PROCESS_H

#include <stdbool.h>

#include "common/error.h"

struct sock_fprog;
#include "oci-specs/runtime-spec.h"

/* Checks what can be checked before anything is created: args present,
 * rlimit, scheduler, ioPriority and personality names. */
int sl_process_validate(const oci_spec *spec, sl_error *err);
/* The process.* part of sl_process_validate, for a process of its own
 * (exec's --process JSON or flags). */
int sl_process_check(const oci_process *p, sl_error *err);

/* hostname and domainname; needs a UTS namespace of the container's own. */
int sl_process_set_hostname(const oci_spec *spec, bool own_uts, sl_error *err);

/* Fields that go through the host's /proc or need privileges the user
 * switch drops: oomScoreAdj, rlimits, scheduler, ioPriority, personality. */
int sl_process_apply_early(const oci_process *p, const oci_linux *l, sl_error *err);

/* Switches to process.user (additionalGids, gid, uid) keeping the
 * capabilities in the permitted set for sl_caps_apply, and sets the umask
 * (default 0022). */
int sl_process_set_user(const oci_process *p, sl_error *err);

/* chdir to process.cwd; run after pivot_root so the path resolves inside
 * the container. */
int sl_process_chdir(const oci_process *p, sl_error *err);

/* The environment for execve: process.env, plus HOME from the container's
 * /etc/passwd when absent. Returns a NULL-terminated vector (free it). */
char **sl_process_env(const oci_process *p);

/* Finds args[0] like a shell, on the PATH of env (not the runtime's).
 * Returns a heap path or NULL with err set. */
char *sl_process_find_exec(const char *arg0, char *const *env, sl_error *err);

/* Marks every fd above 2 + preserve_fds close-on-exec, and the preserved
 * ones not (a missing one is an error naming it). */
int sl_process_cloexec_fds(int preserve_fds, sl_error *err);

/* The tail every container process goes through, once it sits in the
 * container's namespaces, cgroup and root (the init after pivot_root, an
 * exec'd process after setns and chroot). */
typedef struct sl_process_launch {
        const oci_process *p;
        const oci_linux_seccomp *seccomp;   /* NULL: none */
        /* The same filter already compiled (exec's cache), loaded as it is
         * with these SECCOMP_FILTER_FLAG_*; NULL: built from seccomp. */
        const struct sock_fprog *seccomp_bpf;
        unsigned seccomp_bpf_flags;
        int sync_fd;          /* to the runtime: a seccomp listener fd goes there */
        int console_fd;       /* connected --console-socket, or -1; closed by prepare */
        bool console_bind;    /* also bind the pty slave over /dev/console */
        int listen_fds;       /* LISTEN_FDS handed down (then LISTEN_PID is ours) */
        /* Reset the parent-death signal the caller set for its setup, before
         * any seccomp filter (which could deny prctl) and the execve (which
         * keeps it). */
        bool clear_pdeathsig;
        int preserve_fds;
        /* Set by sl_process_prepare for sl_process_exec. */
        char *exe;
        char **env;
        bool seccomp_late;
} sl_process_launch;

/* Terminal (process.terminal needs console_fd), environment, the
 * executable's lookup, LSM label, fds, seccomp (unless it must come last:
 * with noNewPrivileges), user, capabilities, noNewPrivileges and cwd. A
 * seccomp listener fd is sent over sync_fd (payload "seccomp"), then
 * SL_SYNC_SECCOMP_DONE is awaited. */
int sl_process_prepare(sl_process_launch *l, sl_error *err);

/* Loads a seccomp filter left for last and execs; returns only on failure. */
int sl_process_exec(sl_process_launch *l, sl_error *err);

#endif
