/* idmap/ridmap mount options: the detached mount gets the id mapping of a
 * user namespace built from the mount's uidMappings/gidMappings, or, when
 * the mount lists none, of the container's own user namespace. */
#ifndef SLOIKA_RUNTIME_MOUNT_IDMAP_H
#define SLOIKA_RUNTIME_MOUNT_IDMAP_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* True unless this process is in the host's (initial) user namespace. */
bool sl_in_user_namespace(void);

int sl_mount_idmap(int mfd, const oci_mount *m, bool recursive, sl_error *err);

#endif
