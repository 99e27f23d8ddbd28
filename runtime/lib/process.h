/* process.* and the per-process linux.* fields, applied by the container's
 * init to itself before it execs the user program. Each function names the
 * config field it failed on. */
#ifndef SLOIKA_RUNTIME_PROCESS_H
#define SLOIKA_RUNTIME_PROCESS_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* Checks what can be checked before anything is created: args present,
 * rlimit, scheduler, ioPriority and personality names. */
int sl_process_validate(const oci_spec *spec, sl_error *err);

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

#endif
