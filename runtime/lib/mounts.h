/* Mounting config.json mounts[] inside a rootfs. Every mount is built
 * detached (fsopen/fsmount or open_tree), configured while nobody can see
 * it, then attached with move_mount(2) onto an O_PATH fd of a destination
 * that was resolved inside the rootfs. A symlink swapped into the path at
 * any moment therefore cannot send a mount outside the rootfs
 * (CVE-2021-30465, CVE-2024-21626). */
#ifndef SLOIKA_RUNTIME_MOUNTS_H
#define SLOIKA_RUNTIME_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/pathclean.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/mount-options.h"

typedef struct sl_mount_ctx {
        const oci_spec *spec;
        int rootfd;             /* O_PATH dir fd of the rootfs bind mount */
        const char *rootfs;     /* canonical host path of rootfd */
        bool in_userns;         /* mknod and some fs types are not allowed */
        const char *mount_label; /* SELinux context for tmpfs, devpts, mqueue; NULL = none */
        const int *premade;     /* per mounts[] index: a mount from sl_mounts_prepare, or -1; may be NULL */
} sl_mount_ctx;

/* Mounts every spec->mounts[] entry in order. Errors read
 * `mount "<dest>" (mounts[N]): <what>: <strerror>`. */
int sl_mounts_setup(const sl_mount_ctx *ctx, sl_error *err);

/* One entry, without the `mount "..." (mounts[N])` prefix; premade is a
 * mount built by sl_mounts_prepare for it, or -1. */
int sl_mount_entry(const sl_mount_ctx *ctx, const oci_mount *m, int premade, sl_error *err);

/* For a container in a user namespace, run by the runtime on the host
 * before the init sets up the rootfs: builds the idmap/ridmap bind mounts
 * (flags, recursive attrs and id mapping applied; still detached), which
 * the init could not, lacking CAP_SYS_ADMIN over their filesystems. Mounts
 * without their own mappings take userns_fd (the container's user
 * namespace). *fds gets spec->mounts_len entries, -1 where nothing was
 * built; hand them to sl_rootfs_setup_with, then sl_mounts_fds_free. */
int sl_mounts_prepare(const oci_spec *spec, int userns_fd, int **fds, sl_error *err);
/* The same, with relative bind sources resolved against dirfd (the bundle). */
int sl_mounts_prepare_at(const oci_spec *spec, int dirfd, int userns_fd, int **fds, sl_error *err);
/* Whether sl_mounts_prepare builds this entry (an idmapped bind mount);
 * the runtime and the init agree through it on which mounts are handed over. */
bool sl_mount_is_prepared(const oci_mount *m);
void sl_mounts_fds_free(int *fds, size_t n);

/* Whether mounts[] asks for a read-only /dev filesystem. sl_mounts_setup
 * mounts it read-write so the devices can be made in it; the caller turns
 * it read-only once they are. */
bool sl_mounts_dev_readonly(const oci_spec *spec);

/* Building blocks shared by devices, masking and cgroup mounts. */

/* A detached mount of a new filesystem instance: superblock options from
 * o->set and o->data (split on commas outside quotes), per-mount attrs
 * from o's flags. The kernel's own complaint is appended to errors. */
int sl_mount_fs_open(const char *type, const char *source, const sl_mount_opts *o, sl_error *err);
/* A detached clone of the mount tree at dirfd/path (path "" = dirfd itself). */
int sl_mount_clone(int dirfd, const char *path, bool recursive, sl_error *err);
/* mount_setattr on a mount fd. */
int sl_mount_setattr(int mfd, bool recursive, uint64_t set, uint64_t clr, sl_error *err);
/* Attaches the detached mount mfd on top of the object dstfd refers to. */
int sl_mount_attach(int mfd, int dstfd, sl_error *err);

/* Where fd lives inside rootfs, as an absolute container path; fails when
 * the object is outside rootfs. */
int sl_fd_inner_path(int fd, const char *rootfs, char **out, sl_error *err);

#endif
