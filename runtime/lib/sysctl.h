/* linux.sysctl: only keys that live in a namespace the container owns are
 * accepted (runc's rule), so a container cannot change the host kernel:
 * net.* needs a network namespace, kernel.hostname/domainname a UTS one,
 * the System V IPC and mqueue keys an IPC one. */
#ifndef SLOIKA_RUNTIME_SYSCTL_H
#define SLOIKA_RUNTIME_SYSCTL_H

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* Checks every key against spec->linux->namespaces. Errors read
 * `linux.sysctl "net.ipv4.ip_forward": needs a network namespace`. */
int sl_sysctl_validate(const oci_spec *spec, sl_error *err);

/* Validates, then writes each value under /proc/sys of the current root
 * (called after pivot_root); refuses a /proc/sys that is not procfs. */
int sl_sysctl_apply(const oci_spec *spec, sl_error *err);

#endif
