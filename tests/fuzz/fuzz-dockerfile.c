/* A Dockerfile, as sloika-build meets it before anything runs: parse,
 * lint, the stage gate and stage planning, then every stage walked in
 * order with its ARG/ENV scope, each instruction expanded as a build
 * would, and ONBUILD triggers parsed back as a child build reads them. */
#include <stdbool.h>

#include "builder/dockerfile/dockerfile.h"
#include "builder/dockerfile/expand_instr.h"
#include "builder/dockerfile/lint.h"
#include "builder/dockerfile/stages.h"
#include "builder/dockerfile/vars.h"
#include "common/strv.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* A --build-arg for every name, so no stage is cut short by a missing
 * base name (its value makes a valid image name and port). */
static const char *any_arg(void *ctx, const char *name)
{
        (void)ctx;
        return name[0] == 'P' ? "8080" : "busybox";
}

static void walk_stage(const sl_dockerfile *df, size_t s, const sl_expand_env *bargs)
{
        sl_error err = {0};
        char *base_env[] = {"PATH=/usr/bin:/bin", "HOME=/root", NULL};
        sl_df_vars *vars = NULL;
        if (sl_df_vars_begin(df, s, bargs, base_env, &vars, &err) < 0) {
                FUZZ_ASSERT(err.msg[0], "vars_begin failed without a message");
                return;
        }
        const sl_df_stage *st = &df->stages[s];
        char escape = df->directives.escape ? df->directives.escape : '\\';
        for (size_t i = 0; i < st->n_instrs; i++) {
                sl_expand_env env = sl_df_vars_env(vars);
                env.escape = escape;
                sl_df_instr *x = NULL;
                if (sl_df_instr_expand(df, st->instrs[i], &env, &x, &err) == 0) {
                        FUZZ_ASSERT(x && x->kind == st->instrs[i]->kind, "expansion changed the instruction kind");
                        sl_df_instr_free(x);
                }
                if (st->instrs[i]->kind == SL_DF_ONBUILD) {
                        sl_df_instr *t = NULL;
                        if (sl_dockerfile_parse_trigger(st->instrs[i]->u.onbuild.expression, "trigger", 1, escape,
                                                        &t, &err) == 0)
                                sl_df_instr_free(t);
                }
                if (sl_df_vars_apply(vars, st->instrs[i], &err) < 0)
                        break;
        }
        char **snap = sl_df_vars_snapshot(vars);
        char **envonly = sl_df_vars_env_only(vars);
        sl_strv_free(snap);
        sl_strv_free(envonly);
        sl_df_vars_free(vars);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
        sl_error err = {0};
        sl_dockerfile *df = NULL;
        if (sl_dockerfile_parse((const char *)data, len, "Dockerfile", &df, &err) < 0) {
                FUZZ_ASSERT(err.msg[0], "parse failed without a message");
                return 0;
        }
        sl_df_findings f = {0};
        sl_df_lint(df, NULL, &f);
        for (size_t i = 0; i < f.n; i++)
                FUZZ_ASSERT(f.v[i].rule && f.v[i].message, "a lint finding without rule or message");
        sl_df_findings_free(&f);

        sl_expand_env bargs = {.lookup = any_arg};
        for (int pass = 0; pass < 2; pass++) {
                const sl_expand_env *ba = pass ? &bargs : NULL;
                if (sl_df_check_stages(df, ba, &err) < 0 || df->n_stages == 0)
                        continue;
                size_t target = 0;
                FUZZ_ASSERT(sl_df_find_target(df, NULL, &target, &err) == 0 && target == df->n_stages - 1,
                            "no default target: %s", err.msg);
                bool *needed = calloc(df->n_stages, sizeof *needed);
                if (!needed)
                        abort();
                if (sl_df_needed_stages(df, target, ba, needed, &err) == 0)
                        FUZZ_ASSERT(needed[target], "the target stage is not needed");
                free(needed);
                for (size_t s = 0; s < df->n_stages; s++) {
                        size_t *deps = NULL, n = 0;
                        if (sl_df_stage_deps(df, s, ba, &deps, &n, &err) == 0)
                                for (size_t k = 0; k < n; k++)
                                        FUZZ_ASSERT(deps[k] < s, "stage %zu depends on later stage %zu", s, deps[k]);
                        free(deps);
                        walk_stage(df, s, ba);
                }
        }
        sl_dockerfile_free(df);
        return 0;
}
