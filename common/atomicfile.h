/* Replacing a file so readers see the old or the new content, never a mix,
 * and the new content survives a crash once the call returns. */
#ifndef SLOIKA_COMMON_ATOMICFILE_H
#define SLOIKA_COMMON_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Writes data to a fresh temporary file next to name (relative to dirfd,
 * which may be AT_FDCWD; name may contain directories), sets its mode
 * exactly (no umask), fsyncs it, renames it over name and fsyncs the
 * directory. On any failure the temporary file is removed and name keeps
 * its old content. */
int sl_atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
                       mode_t mode, sl_error *err);
int sl_atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
                         sl_error *err);

#endif
