/* mounts[] entries of type "cgroup", on cgroup v1, v2 and hybrid hosts.
 * In a cgroup namespace the real filesystems are mounted (cgroup2, or a
 * tmpfs with one cgroup v1 mount per host hierarchy, plus cgroup2 at
 * "unified" on hybrid hosts); without one, the container's own cgroup
 * directories of the host are bind mounted instead, like runc does. */
#ifndef SLOIKA_RUNTIME_MOUNT_CGROUP_H
#define SLOIKA_RUNTIME_MOUNT_CGROUP_H

#include "common/error.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/mount-options.h"
#include "runtime/lib/mounts.h"

/* Attaches the tree on dstfd; returns an fd of its top mount (the caller
 * applies recursive attrs and propagation to it and closes it). */
int sl_mount_cgroup(const sl_mount_ctx *ctx, const oci_mount *m, const sl_mount_opts *o, int dstfd, sl_error *err);

#endif
