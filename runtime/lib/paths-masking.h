/* linux.maskedPaths and linux.readonlyPaths, applied inside the container
 * root after pivot_root. A masked file gets /dev/null bound over it, a
 * masked directory an empty read-only tmpfs; a read-only path becomes a
 * recursive read-only bind of itself that keeps its nosuid/nodev/noexec.
 * Paths that do not exist are skipped. */
#ifndef SLOIKA_RUNTIME_PATHS_MASKING_H
#define SLOIKA_RUNTIME_PATHS_MASKING_H

#include <stddef.h>

#include "common/error.h"

/* rootfd: O_PATH fd of the container root. Errors name
 * "linux.maskedPaths[N]" / "linux.readonlyPaths[N]". */
int sl_mask_paths(int rootfd, char *const *paths, size_t n, sl_error *err);
int sl_readonly_paths(int rootfd, char *const *paths, size_t n, sl_error *err);

#endif
