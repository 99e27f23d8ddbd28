/* The store's RUN --mount=type=cache dirs: STORE/mounts/cache/<sha256 of
 * the id>[-N for private instances], each with NAME.lock (the sharing
 * lock a step holds while it runs) and NAME.init (held while it is made). */
#ifndef SLOIKA_BUILDER_EXEC_CACHE_MOUNTS_H
#define SLOIKA_BUILDER_EXEC_CACHE_MOUNTS_H

#include <stddef.h>

#include "builder/store/store.h"

#define SL_CACHE_MOUNTS_DIR "mounts/cache"

/* Removes every cache dir no running step holds (`prune --all`, as
 * `docker builder prune --all` drops cache mounts); *removed counts them. */
int sl_cache_mounts_clear(sl_store *s, size_t *removed, sl_error *err);

#endif
