/* tmpcopyup: seed a fresh, still detached tmpfs with the content of the
 * directory it is about to cover, so the container sees the image's files
 * on a writable tmpfs. */
#ifndef SLOIKA_RUNTIME_MOUNT_COPYUP_H
#define SLOIKA_RUNTIME_MOUNT_COPYUP_H

#include "common/error.h"

/* Copies the tree under srcfd (any dir fd, O_PATH is fine) into dstfd,
 * keeping type, mode, owner and times; never follows symlinks. */
int sl_mount_copyup(int srcfd, int dstfd, sl_error *err);

#endif
