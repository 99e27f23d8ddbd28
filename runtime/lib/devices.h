/* /dev inside the container: the default device nodes (null, zero, full,
 * random, urandom, tty), linux.devices, /dev/ptmx -> pts/ptmx and the
 * /dev/fd, stdin, stdout, stderr links. Nodes are made with mknod, or bind
 * mounted from the host's node of the same path inside a user namespace,
 * where mknod is refused. Nothing is done when mounts[] binds /dev. */
#ifndef SLOIKA_RUNTIME_DEVICES_H
#define SLOIKA_RUNTIME_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/mounts.h"

typedef struct sl_device {
        const char *path;
        char type;              /* 'c', 'b' or 'p' */
        int64_t major, minor;
        mode_t mode;            /* permission bits */
        uid_t uid;
        gid_t gid;
} sl_device;

/* Checks and normalises linux.devices[i] ("u" becomes 'c', mode defaults
 * to 0666, ids to 0). */
int sl_device_from_spec(const oci_linux_device *d, sl_device *out, sl_error *err);

/* Creates one node inside the rootfs. */
int sl_device_create(const sl_mount_ctx *ctx, const sl_device *dev, sl_error *err);

/* Whether mounts[] bind mounts something over /dev (then /dev is left alone). */
bool sl_devices_dev_is_bound(const oci_spec *spec);

int sl_devices_setup(const sl_mount_ctx *ctx, sl_error *err);

/* After sl_rootfs_setup, for process.terminal: binds the pty slave (an fd
 * opened from the container's own /dev/pts) over /dev/console, creating
 * the mount point inside the current root. */
int sl_devices_bind_console(int slave_fd, sl_error *err);

#endif
