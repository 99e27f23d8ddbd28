/* `exec`: a new process inside a running container, as runc runs it. It
 * joins every namespace of the container's init (through a pidfd, so a
 * recycled pid is never joined), its cgroup and its root (/proc/PID/root,
 * right for pivot_root, --no-pivot and chroot-only containers alike), and
 * gets the container's process settings (user, rlimits, capabilities,
 * seccomp filter, LSM labels, noNewPrivileges, oomScoreAdj) unless the
 * process JSON or the flags say otherwise. Errors read like runc's
 * ("exec failed: cannot exec in a stopped container"). */
#ifndef SLOIKA_RUNTIME_EXEC_H
#define SLOIKA_RUNTIME_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

typedef struct sl_exec_opts {
        const char *root;            /* --root */
        const char *id;
        const char *process_file;    /* --process: the whole process, flags below ignored */
        char **args;                 /* CMD ARGS... (NULL-terminated) */
        const char *cwd;
        char **env;                  /* -e NAME=VALUE..., NULL-terminated; replace same names */
        bool tty;
        bool has_uid, has_gid;       /* --user uid[:gid] */
        uint32_t uid, gid;
        uint32_t *additional_gids;   /* -g, appended */
        size_t additional_gids_len;
        char **caps;                 /* --cap, added to bounding/effective/permitted */
        const char *apparmor;
        const char *process_label;
        bool no_new_privs;
        /* Used with flags and with --process alike. */
        const char *console_socket;
        const char *pid_file;
        const char *cgroup;          /* --cgroup: a sub-cgroup of the container's */
        int preserve_fds;
        bool detach;
        bool ignore_paused;
        pid_t primer;                /* a child of ours to reap, or <= 0 */
} sl_exec_opts;

/* Runs the process; unless detached, forwards signals to it, waits and
 * sets *exit_code to its status (128+N when killed by signal N). Detached,
 * it returns once the program was exec'd. *exit_code is 255 on failure. */
int sl_exec(const sl_exec_opts *o, int *exit_code, sl_error *err);

/* The process to run: the --process JSON, its absent fields (capabilities,
 * rlimits, noNewPrivileges, apparmorProfile, selinuxLabel, oomScoreAdj)
 * taken from the container's config.process as runc does; or, without --process, config.process with the flags
 * applied (terminal only with --tty). Takes what it keeps out of spec. */
oci_process *sl_exec_build_process(const sl_exec_opts *o, oci_spec *spec, sl_error *err);

#endif
