/* The store's RUN --mount=type=cache dirs: STORE/mounts/cache/<sha256 of
 * the id>[-N for private instances], each with NAME.lock (the sharing
 * lock a step holds while it runs) and NAME.init (held while it is made). */
#ifndef SLOIKA_BUILDER_EXEC_CACHE_MOUNTS_H
#define SLOIKA_BUILDER_EXEC_CACHE_MOUNTS_H

#include <stddef.h>

#include "builder/dockerfile/dockerfile.h"
#include "builder/store/store.h"

#define SL_CACHE_MOUNTS_DIR "mounts/cache"

/* Locks one instance of the cache whose id hashes to hex, in basefd (the
 * cache mounts dir), as its sharing mode asks: shared ones together,
 * locked ones one at a time, and private ones each an instance nobody
 * else holds (a new one when all are busy). *name gets the instance's
 * name, *lockfd the lock to close when the step is done. */
int sl_cache_mount_lock(int basefd, const char *hex, sl_df_sharing sharing, char **name, int *lockfd, sl_error *err);

/* Removes every cache dir no running step holds (`prune --all`, as
 * `docker builder prune --all` drops cache mounts); *removed counts them. */
int sl_cache_mounts_clear(sl_store *s, size_t *removed, sl_error *err);

#endif
