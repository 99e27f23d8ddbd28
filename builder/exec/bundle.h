/* Runtime bundles from images: DIR/config.json from the image config and
 * DIR/rootfs an overlay of the image's unpacked layers from the store (no
 * copy), with its upper and work dirs inside DIR. `sloika run --bundle
 * DIR` then runs the image. */
#ifndef SLOIKA_BUILDER_EXEC_BUNDLE_H
#define SLOIKA_BUILDER_EXEC_BUNDLE_H

#include "common/error.h"

/* DIR must not exist or be empty. */
int sl_bundle_create(const char *store_root, const char *image, const char *dir, sl_error *err);
/* Unmounts DIR/rootfs and removes DIR. */
int sl_bundle_remove(const char *dir, sl_error *err);

#endif
