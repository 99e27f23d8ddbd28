/* The layer differ: turns a directory (an OverlayFS upper dir, or a plain
 * rootfs for import) into an uncompressed tar stream that is the same
 * bytes for the same tree, whenever and wherever it is made:
 *   - entries sorted bytewise by path, the root itself omitted;
 *   - numeric uid/gid only, no uname/gname, no atime/ctime;
 *   - mtimes newer than the epoch are clamped to it (SOURCE_DATE_EPOCH);
 *   - overlay whiteouts (char 0/0) become ".wh.<name>" and opaque dirs
 *     (trusted.overlay.opaque or user.overlay.opaque = "y") get a
 *     "<dir>/.wh..wh..opq" entry; overlay's own xattrs are dropped;
 *   - files sharing an inode become hardlinks to the first path;
 *   - holes of sparse files are streamed as zeros without reading them.
 * The tree is read through fds without following any symlink. An upper
 * dir that relies on overlay's redirect_dir or metacopy features (their
 * xattrs) is refused: mount with redirect_dir=off,metacopy=off. */
#ifndef SLOIKA_BUILDER_LAYER_DIFFER_H
#define SLOIKA_BUILDER_LAYER_DIFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Receives the tar stream in pieces; returns 0 or -1 with err set. */
typedef int (*sl_byte_sink)(void *ctx, const void *buf, size_t len, sl_error *err);

typedef struct sl_diff_opts {
        bool overlay;      /* interpret whiteouts and opaque xattrs */
        bool clamp_mtime;  /* clamp mtimes to epoch */
        int64_t epoch;     /* seconds since 1970 */
} sl_diff_opts;

/* Writes the tar of the tree under dirfd to sink. */
int sl_layer_diff(int dirfd, const sl_diff_opts *opts, sl_byte_sink sink, void *ctx,
                  sl_error *err);

/* The epoch from $SOURCE_DATE_EPOCH, else 0 (1970-01-01). An unparsable
 * value is an error naming it. */
int sl_source_date_epoch(int64_t *out, sl_error *err);

#endif
