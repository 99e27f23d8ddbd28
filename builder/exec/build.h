/* The executor: builds the stages a Dockerfile's target needs, in order,
 * step by step into the store, with the build cache, and names the result.
 *
 *   parse -> sl_df_check_stages -> target + needed stages -> per stage:
 *   FROM (scratch, a store tag, oci:PATH[:TAG] or an earlier stage), the
 *   base's ONBUILD triggers, then each instruction expanded with the
 *   stage's ARG/ENV scope. Every step ends as an image in the store (a
 *   manifest over the layers so far), which the cache maps its key to. */
#ifndef SLOIKA_BUILDER_EXEC_BUILD_H
#define SLOIKA_BUILDER_EXEC_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "builder/dockerfile/dockerfile.h"
#include "builder/layer/compress.h"
#include "common/digest.h"
#include "common/error.h"

typedef struct sl_build_opts {
        const char *root;          /* the store */
        const char *context;       /* the context dir */
        const char *dockerfile;    /* NULL: CONTEXT/Dockerfile; "-": stdin */
        char **tags;               /* NAME[:TAG], NULL-terminated, may be NULL */
        char **build_args;         /* K=V (or K: from the environment) */
        char **labels;             /* K=V added to the final image */
        char **secrets;            /* id=ID[,src=FILE|,env=VAR] (docker build --secret) */
        const char *target;        /* NULL: the last stage */
        const char *platform;      /* NULL or this host's platform */
        bool no_cache;
        bool quiet;                /* no progress, no step output */
        sl_df_network network;     /* RUN's default: NONE unless --network host */
        sl_compression compression;
        int64_t epoch;             /* timestamps in the image and clamp of file mtimes */
        const char *output_type;   /* NULL, "oci" or "oci-archive" */
        const char *output_dest;
} sl_build_opts;

/* Set from a SIGINT/SIGTERM handler; the build stops at the next step. */
extern volatile int sl_build_interrupted;

/* Builds; digest gets the image's manifest digest. A failing RUN sets
 * *exit_code to its status (else *exit_code is 1 on failure). */
int sl_build(const sl_build_opts *o, char digest[SL_DIGEST_STR_MAX], int *exit_code, sl_error *err);

#endif
