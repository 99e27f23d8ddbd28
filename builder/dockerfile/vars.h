/* The ARG and ENV values in scope while walking a stage in order, as
 * Docker computes them: ENV inherited from the base (the image's Env, or a
 * base stage's ENV lines), then each ARG and ENV line. A --build-arg
 * overrides an ARG default; a redeclared global ARG without default takes
 * the global value; ENV wins over an ARG of the same name; all pairs of
 * one line see the values from before it. Each step costs O(variables). */
#ifndef SLOIKA_BUILDER_DF_VARS_H
#define SLOIKA_BUILDER_DF_VARS_H

#include "builder/dockerfile/dockerfile.h"
#include "builder/expand.h"

typedef struct sl_df_vars sl_df_vars;

/* The scope of stage `stage` right after its FROM. base_env is the Env of
 * the image FROM resolved to; NULL when not known (a base stage's ENV lines
 * are then followed, an image contributes nothing). build_args may be NULL. */
int sl_df_vars_begin(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, char *const *base_env,
                     sl_df_vars **out, sl_error *err);
/* The scope of FROM lines: the ARGs before the first FROM. */
sl_df_vars *sl_df_vars_global(const sl_dockerfile *df, const sl_expand_env *build_args, sl_error *err);

/* Takes in an ARG or ENV line (any other instruction changes nothing). */
int sl_df_vars_apply(sl_df_vars *v, const sl_df_instr *in, sl_error *err);

/* An expansion environment over the current values; valid until the next
 * apply or free. */
sl_expand_env sl_df_vars_env(sl_df_vars *v);
/* The value of name, or NULL. */
const char *sl_df_vars_get(const sl_df_vars *v, const char *name);
/* "NAME=VALUE" of every variable set (ENV after ARG, so the last wins). */
char **sl_df_vars_snapshot(const sl_df_vars *v);
/* Only those set by ENV (what an image config's Env gets). */
char **sl_df_vars_env_only(const sl_df_vars *v);

void sl_df_vars_free(sl_df_vars *v);

#endif
