/* Shared between the executor's driver (build.c) and its steps (steps.c). */
#ifndef SLOIKA_BUILDER_EXEC_BUILD_INTERNAL_H
#define SLOIKA_BUILDER_EXEC_BUILD_INTERNAL_H

#include "builder/dockerfile/vars.h"
#include "builder/exec/build.h"
#include "builder/exec/secrets.h"
#include "builder/ignore.h"
#include "builder/store/store.h"
#include "common/timeutil.h"

/* An image in the making: the last step's result in the store. */
typedef struct img_state {
        char digest[SL_DIGEST_STR_MAX];  /* "" for scratch */
        oci_manifest *m;                 /* NULL for scratch */
        oci_image *cfg;
} img_state;

typedef struct builder {
        const sl_build_opts *o;
        sl_store *s;
        sl_dockerfile *df;
        int ctxfd;                 /* O_PATH fd of the context */
        sl_ignore *ignore;
        char **bargs_env;          /* --build-arg values as NAME=VALUE */
        sl_expand_env bargs;
        img_state *stages;         /* results, for FROM and --from */
        bool *built;
        size_t n_needed, stage_no; /* for "[stage i/n]" */
        char created[SL_TIME_STR_MAX];
        int exit_code;             /* of a failing RUN */
        sl_secrets secrets;        /* --secret values */
} builder;

/* The per-stage context of a step. */
typedef struct stage_ctx {
        size_t index;
        img_state st;
        sl_df_vars *vars;
        bool cmd_set;      /* CMD was given in this stage (ENTRYPOINT keeps it) */
} stage_ctx;

void img_state_free(img_state *st);
int img_state_load(builder *b, const char *digest, img_state *st, sl_error *err);
/* Stores cfg (taken) over st's layers plus layer (may be NULL) and makes
 * st the result. */
int img_state_commit(builder *b, img_state *st, oci_image *cfg, const oci_descriptor *layer, sl_error *err);
/* Loads the image a reference names: a store tag or digest, or oci:PATH[:TAG]. */
int img_state_from_ref(builder *b, const char *ref, img_state *st, sl_error *err);

/* Runs one instruction (a Dockerfile line or an ONBUILD trigger). */
int step_run(builder *b, stage_ctx *sc, const sl_df_instr *in, sl_error *err);

void progress(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
