/* The layer applier: a tar stream (gzip, zstd or plain, detected from the
 * bytes) is unpacked into a target directory, and cannot reach anything
 * outside it:
 *   - names are cleaned lexically: a leading "/" is dropped, ".." that
 *     would leave the root is an error, over-long names are errors;
 *   - parents are walked component by component without following any
 *     symlink (a symlink in a parent path is an error), missing ones are
 *     created 0755;
 *   - an existing entry is replaced, never written through;
 *   - hardlinks must name a regular file this same layer extracted;
 *   - device nodes are refused unless allowed;
 *   - truncated streams, sizes that lie, a second compression layer and
 *     decompression beyond max_bytes or max_ratio are errors.
 * Whiteouts are applied (".wh.x" removes x, ".wh..wh..opq" removes what
 * the dir held before this layer), or for a per-layer dir that becomes an
 * overlay lowerdir, written in overlay's form (char 0/0 devices and
 * trusted.overlay.opaque=y).
 * Errors read: layer NAME: entry "PATH": problem. The target may hold a
 * partial extraction after an error: the caller removes it (the store
 * unpacks into a temporary dir for that reason). */
#ifndef SLOIKA_BUILDER_LAYER_APPLY_H
#define SLOIKA_BUILDER_LAYER_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/error.h"

typedef enum { SL_WHITEOUT_APPLY, SL_WHITEOUT_OVERLAY } sl_whiteout_mode;

typedef struct sl_apply_opts {
        const char *layer_name;     /* for messages; NULL: "layer" */
        sl_whiteout_mode whiteouts;
        bool allow_devices;
        uint64_t max_bytes;         /* uncompressed cap; 0: 64 GiB */
        uint32_t max_ratio;         /* uncompressed/compressed cap past 64 MiB; 0: 2000 */
        const char *expect_diff_id; /* NULL, or the sha256 the tar must have */
} sl_apply_opts;

typedef struct sl_apply_result {
        char diff_id[SL_DIGEST_STR_MAX];
        uint64_t tar_size;
        uint64_t entries;
} sl_apply_result;

/* Reads the layer from fd (its current offset to EOF). out may be NULL. */
int sl_layer_apply(int fd, int targetfd, const sl_apply_opts *opts, sl_apply_result *out,
                   sl_error *err);

#endif
