/* process.capabilities: all five sets, named as in runtime-spec
 * ("CAP_CHOWN" ...), applied with libcap and prctl.
 *
 * Call order in the container init (what runc does, and what these
 * functions assume):
 *   1. prctl(PR_SET_KEEPCAPS, 1)   - so the uid change keeps permitted;
 *   2. setgroups / setgid / setuid - to process.user;
 *   3. sl_caps_apply               - restores effective from permitted to
 *      regain CAP_SETPCAP, drops the bounding set (PR_CAPBSET_DROP), sets
 *      permitted/effective/inheritable (cap_set_proc), clears the ambient
 *      set and raises the configured ones, and clears KEEPCAPS again;
 *   4. execve.
 * Seccomp without noNewPrivileges must be loaded before step 3 (it needs
 * CAP_SYS_ADMIN); see seccomp.h.
 *
 * An absent set is empty (as in runc).  Names libcap does not know are an
 * error naming the set and the name; names libcap knows but the running
 * kernel lacks (above /proc/sys/kernel/cap_last_cap) are skipped with a
 * warning, as runc does.  An ambient capability must also be in permitted
 * and inheritable (the kernel's rule); that is an error here rather than
 * runc's warning, so a config is never half-applied silently. */
#ifndef SLOIKA_RUNTIME_CAPS_H
#define SLOIKA_RUNTIME_CAPS_H

#include <stdint.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* caps == NULL leaves the process's capabilities as they are. */
int sl_caps_apply(const oci_linux_capabilities *caps, sl_error *err);

/* "CAP_CHOWN" (any case, the "CAP_" prefix required) → 0; unknown → -1. */
int sl_caps_from_name(const char *name);
/* 0 → "CAP_CHOWN"; a static string, NULL when libcap has no name for it. */
const char *sl_caps_to_name(int cap);

/* The five sets as bit masks (bit n = capability n), after dropping the
 * capabilities the kernel lacks; exposed so callers and tests can compare
 * them with /proc/<pid>/status. */
typedef struct sl_caps_masks {
        uint64_t bounding, effective, inheritable, permitted, ambient;
} sl_caps_masks;
int sl_caps_masks_from_spec(const oci_linux_capabilities *caps, sl_caps_masks *out, sl_error *err);

/* The highest capability the running kernel knows. */
int sl_caps_last_cap(void);

#endif
