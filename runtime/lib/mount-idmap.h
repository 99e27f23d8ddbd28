/* idmap/ridmap mount options: the detached mount gets the id mapping of a
 * user namespace built from the mount's uidMappings/gidMappings, or, when
 * the mount lists none, of the container's own user namespace.
 * mount_setattr needs CAP_SYS_ADMIN over the source filesystem, which a
 * container init inside a user namespace lacks; the runtime then builds
 * such mounts on the host with sl_mounts_prepare (mounts.h). */
#ifndef SLOIKA_RUNTIME_MOUNT_IDMAP_H
#define SLOIKA_RUNTIME_MOUNT_IDMAP_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* True unless this process is in the host's (initial) user namespace. */
bool sl_in_user_namespace(void);

/* userns_fd: the user namespace for a mount without mappings; -1 means the
 * caller's own, which must not be the host's. */
int sl_mount_idmap(int mfd, const oci_mount *m, bool recursive, int userns_fd, sl_error *err);

#endif
