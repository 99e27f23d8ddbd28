/* process.apparmorProfile and process.selinuxLabel.
 *
 * Both set the label the kernel gives the process at its next execve, by
 * writing to /proc/thread-self/attr/..., so sl_lsm_apply goes in the init
 * right before execve; the setting survives pivot_root, so it may also go
 * earlier, as long as a procfs is mounted at /proc (checked with fstatfs,
 * so a rootfs cannot fake it).  sl_lsm_check needs no /proc/thread-self and
 * belongs early in create, so a config this host cannot honour fails before
 * anything is set up.
 *
 * Whether an LSM is active comes from /sys/kernel/security/lsm when
 * securityfs is mounted, else from /sys/module/apparmor/parameters/enabled
 * (AppArmor) and a registered selinuxfs in /proc/filesystems (SELinux, which
 * registers it only when it is enabled). */
#ifndef SLOIKA_RUNTIME_LSM_H
#define SLOIKA_RUNTIME_LSM_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

bool sl_lsm_apparmor_enabled(void);
bool sl_lsm_selinux_enabled(void);

/* Fails with "process.apparmorProfile: AppArmor is not enabled on this
 * host" (or the SELinux equivalent) when a field is set and its LSM is
 * not active.  NULL or empty fields are fine. */
int sl_lsm_check(const oci_process *p, sl_error *err);

/* sl_lsm_check, then "exec <profile>" to attr/apparmor/exec (attr/exec on
 * kernels without per-LSM directories) and the SELinux label to attr/exec. */
int sl_lsm_apply(const oci_process *p, sl_error *err);

#endif
