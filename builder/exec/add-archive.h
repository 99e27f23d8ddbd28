/* ADD of a local archive, as Docker reads one: a tar, plain or compressed
 * with gzip, bzip2, xz or zstd, is unpacked into the destination dir
 * (through the escape-proof layer applier), and --chown applies to the
 * unpacked entries, as BuildKit >= 0.23 does. */
#ifndef SLOIKA_BUILDER_EXEC_ADD_ARCHIVE_H
#define SLOIKA_BUILDER_EXEC_ADD_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Whether fd (read from offset 0; its offset moves) is an archive ADD
 * unpacks: a tar, or a compressed file whose content is a tar. */
bool sl_add_is_archive(int fd);

/* Unpacks the archive fd into the dir destfd; name is for messages. With
 * chown, every entry of the archive gets uid:gid. */
int sl_add_extract(int fd, int destfd, const char *name, bool chown, uint32_t uid, uint32_t gid, sl_error *err);

#endif
