/* Mount points for RUN --mount targets, kept out of the step's layer.
 * Rather than let the runtime create them in the overlay's upper dir
 * (which would put them, and copied-up parents, into the layer), they
 * are made in a separate "stub" tree that is mounted as the topmost
 * lowerdir: missing components as root-owned 0755 dirs (or an empty
 * file for a file mount), existing parents with the image's mode, owner
 * and times so the merged view does not change. */
#ifndef SLOIKA_BUILDER_EXEC_MOUNTPOINTS_H
#define SLOIKA_BUILDER_EXEC_MOUNTPOINTS_H

#include <stdbool.h>

#include "common/error.h"

/* Resolves target (absolute) inside the root rootfd, following symlinks
 * as the container would but never out of the root, into *resolved
 * (absolute, clean). When it does not exist, creates it under stubfd (a
 * dir fd of the stub tree) and sets *created. A file mount (as_file)
 * needs a non-directory there, other mounts a directory. */
int sl_mountpoint_stub(int rootfd, int stubfd, const char *target, bool as_file, char **resolved, bool *created,
                       sl_error *err);

#endif
