/* What a RUN --mount=type=bind of the build context shows: the context
 * less what .dockerignore excludes, as BuildKit receives it. Rather than
 * copying the context, a "mask" tree is built to be mounted as an overlay
 * lowerdir above it: whiteouts (0/0 char devices) hide the excluded
 * entries, and the dirs holding them carry the context dirs' metadata. */
#ifndef SLOIKA_BUILDER_EXEC_CTX_MASK_H
#define SLOIKA_BUILDER_EXEC_CTX_MASK_H

#include "builder/ignore.h"
#include "common/error.h"

/* srcfd: the source dir (O_RDONLY) inside the context, at the context
 * relative path rel ("" for the root), which ignore patterns match
 * against; maskfd: an empty dir (O_RDONLY) to fill. */
int sl_ctx_mask(int srcfd, const char *rel, const sl_ignore *ig, int maskfd, sl_error *err);

#endif
