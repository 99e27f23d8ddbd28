/* RUN --mount: what a step's mounts add to its cache key, and the host
 * side of each mount while the step runs (staged binds, the persistent
 * cache dirs and their locks, a tmpfs for secrets). */
#ifndef SLOIKA_BUILDER_EXEC_RUN_MOUNTS_H
#define SLOIKA_BUILDER_EXEC_RUN_MOUNTS_H

#include "builder/exec/build-internal.h"
#include "builder/exec/cache-mounts.h"
#include "builder/exec/overlay.h"
#include "builder/exec/run.h"

typedef struct run_mounts {
        char *dir;               /* work dir under the store's tmp/ */
        sl_run_mount *m;
        size_t n;
        char **env;              /* secret env= values, NAME=VALUE */
        char **staged;           /* mount points made here, unmounted last first */
        int *locks;              /* flock fds of cache dirs */
        size_t n_locks;
        sl_overlay *views;       /* read-only views of from= images */
        size_t n_views;
} run_mounts;

/* The part of the cache key the mounts of x (expanded) add: for a bind of
 * the context, the digest of what it shows (metadata only, or content);
 * for a bind from a stage or image, its digest. Cache, tmpfs and secret
 * mounts add nothing beyond the instruction text. */
int run_mounts_inputs(builder *b, stage_ctx *sc, const sl_df_instr *x, bool content, char **out, sl_error *err);

/* Prepares every mount of x; release with run_mounts_release, always. */
int run_mounts_prepare(builder *b, stage_ctx *sc, const sl_df_instr *x, run_mounts *rm, sl_error *err);
void run_mounts_release(builder *b, run_mounts *rm);

#endif
