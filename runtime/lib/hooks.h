/* Lifecycle hooks (runtime-spec "hooks"): each runs as path + args + env,
 * fork+exec without a shell, with the container state JSON on stdin and the
 * runtime's stdout/stderr.  An absent env inherits the runtime's
 * environment (as runc does); absent args run argv = { path }.
 *
 * Which failures abort is the caller's decision by stage: runtime-spec
 * makes prestart/createRuntime/createContainer/startContainer failures fatal
 * and poststart/poststop failures warnings, so the caller logs the error of
 * the latter and goes on. */
#ifndef SLOIKA_RUNTIME_HOOKS_H
#define SLOIKA_RUNTIME_HOOKS_H

#include <stddef.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* Runs hooks[0..n) in order and stops at the first failure; stage is the
 * spec's name ("createRuntime"...) and only used in messages:
 *   hook createRuntime[1] (/path): timed out after 2s
 *   hook prestart[0] (/path): exited with status 3
 * On timeout the hook's process group is killed with SIGKILL and reaped. */
int sl_hooks_run(const oci_hook *hooks, size_t n, const char *stage,
                 const char *state_json, sl_error *err);

/* One hook; index is its position in the stage's array. */
int sl_hook_run(const oci_hook *hook, const char *stage, size_t index,
                const char *state_json, sl_error *err);

#endif
