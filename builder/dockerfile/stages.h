/* The stage graph: --target, references between stages, and which stages
 * a target needs, so the executor builds only those.
 *
 * build_args is a lookup of --build-arg values (the executor also answers
 * the automatic platform args such as TARGETARCH through it); it may be
 * NULL when none were given. */
#ifndef SLOIKA_BUILDER_DF_STAGES_H
#define SLOIKA_BUILDER_DF_STAGES_H

#include "builder/dockerfile/dockerfile.h"
#include <sys/types.h>

#include "builder/expand.h"

/* The stage named target (case-insensitive); NULL means the last stage. */
int sl_df_find_target(const sl_dockerfile *df, const char *target, size_t *idx, sl_error *err);

/* "NAME=VALUE" for the ARGs before the first FROM, as FROM lines see them:
 * a --build-arg wins over the default; an ARG without either is unset. */
int sl_df_global_env(const sl_dockerfile *df, const sl_expand_env *build_args, char ***envv, sl_error *err);

/* The variables ("NAME=VALUE", last wins) that instruction `upto` of a
 * stage (index into stage->instrs; n_instrs for the end) expands with:
 * base_env (the Env of the image FROM resolved to; NULL when not known,
 * then a base stage's ENV lines are followed, an image contributes
 * nothing), then the stage's ARG and ENV lines in order. A --build-arg
 * overrides an ARG default; a redeclared global ARG without default takes
 * the global value; ENV wins over an ARG of the same name. To walk a whole
 * stage, builder/dockerfile/vars.h does this step by step. */
int sl_df_stage_env(const sl_dockerfile *df, size_t stage, size_t upto, const sl_expand_env *build_args,
                    char *const *base_env, char ***envv, sl_error *err);

/* The stage FROM of stage `stage` names (*base), or -1 for an image; the
 * image name is expanded with the global ARGs. */
int sl_df_stage_base(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, ssize_t *base,
                     sl_error *err);

/* Resolves a reference from stage `at` (FROM, COPY --from, --mount from=):
 * returns 1 with *idx for a stage named ref (or, when allow_index, an index
 * such as "0"); 0 when ref is an image ("scratch" always is); -1 when it names this or a later
 * stage, which cannot be built first. */
int sl_df_stage_ref(const sl_dockerfile *df, size_t at, const char *ref, bool allow_index, size_t *idx,
                    sl_error *err);

/* The stages stage `stage` uses directly, in ascending order, after
 * expanding FROM and --from values. */
int sl_df_stage_deps(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, size_t **deps,
                     size_t *n, sl_error *err);

/* needed[i] (n_stages entries) tells whether building target needs stage i;
 * needed[target] is true. */
int sl_df_needed_stages(const sl_dockerfile *df, size_t target, const sl_expand_env *build_args, bool *needed,
                        sl_error *err);

/* What must hold before a build starts: stage names are unique, and every
 * FROM / --from reference expands and resolves (stages only use earlier
 * ones). The lint reports the same as findings; this is the executor's gate. */
int sl_df_check_stages(const sl_dockerfile *df, const sl_expand_env *build_args, sl_error *err);

#endif
