/* The container's filesystem view, built inside its init process after it
 * entered its new mount (and pid, user...) namespaces. */
#ifndef SLOIKA_RUNTIME_ROOTFS_H
#define SLOIKA_RUNTIME_ROOTFS_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* In order: "/" made rprivate (rslave when rootfsPropagation asks for a
 * slave mode), the rootfs bound onto itself, mounts[], the default devices
 * and linux.devices, pivot_root (or MS_MOVE + chroot when no_pivot),
 * rootfsPropagation on the new "/", sysctl, readonlyPaths, maskedPaths,
 * root.readonly. On return "/" and the cwd are the container root.
 * linux.mountLabel becomes context="..." of tmpfs, devpts and mqueue mounts
 * when SELinux is enabled, and is skipped when it is not (as crun does).
 * rootfs_abs is the host path of root.path, already made absolute. */
int sl_rootfs_setup(const oci_spec *spec, const char *rootfs_abs, bool no_pivot, sl_error *err);

/* The same, calling before_pivot (when not NULL) once mounts and devices
 * are in place but before pivot_root/MS_MOVE: where runtime-spec puts the
 * createContainer hooks. Its error aborts the setup as is. */
typedef struct sl_rootfs_callbacks {
        int (*before_pivot)(void *arg, sl_error *err);
        void *arg;
        /* From sl_mounts_prepare (mounts.h), per mounts[] index; may be NULL. */
        const int *mount_fds;
} sl_rootfs_callbacks;

int sl_rootfs_setup_with(const oci_spec *spec, const char *rootfs_abs, bool no_pivot,
                         const sl_rootfs_callbacks *cb, sl_error *err);

#endif
