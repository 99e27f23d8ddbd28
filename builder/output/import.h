/* Making a single-layer image from a rootfs (a tar, compressed or not, or
 * a directory), like `docker import`. The layer is always re-made by the
 * differ from the unpacked tree, so the same content gives the same
 * digest whatever tool wrote the tar, and a tar is unpacked through the
 * escape-proof applier first. */
#ifndef SLOIKA_BUILDER_OUTPUT_IMPORT_H
#define SLOIKA_BUILDER_OUTPUT_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "builder/store/store.h"

typedef struct sl_import_opts {
        sl_compression compression;
        bool allow_devices;   /* device nodes in a tar */
        int64_t epoch;        /* mtime clamp and the config's created time */
} sl_import_opts;

int sl_import_rootfs(sl_store *s, const char *source, const sl_import_opts *o,
                     char manifest_digest[SL_DIGEST_STR_MAX], sl_error *err);

#endif
