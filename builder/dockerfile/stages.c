#include "builder/dockerfile/stages.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

int sl_df_find_target(const sl_dockerfile *df, const char *target, size_t *idx, sl_error *err)
{
        if (!target || !target[0]) {
                *idx = df->n_stages - 1;
                return 0;
        }
        for (size_t i = 0; i < df->n_stages; i++)
                if (df->stages[i].name && strcasecmp(df->stages[i].name, target) == 0) {
                        *idx = i;
                        return 0;
                }
        return sl_err(err, 0, "%s: target stage \"%s\" could not be found", df->name, target);
}

static const char *lookup_arg(const sl_expand_env *build_args, const char *name)
{
        return build_args && build_args->lookup ? build_args->lookup(build_args->ctx, name) : NULL;
}

static void set_var(char ***envv, const char *key, const char *value)
{
        sl_strv_append_take(envv, sl_xasprintf("%s=%s", key, value));
}

/* One ARG line into env, with seen_env giving defaults their context. */
static int apply_arg(const sl_dockerfile *df, const sl_df_instr *in, const sl_expand_env *build_args,
                     char ***envv, char **globals, sl_error *err)
{
        for (size_t k = 0; k < in->u.kv.n; k++) {
                const sl_df_kv *kv = &in->u.kv.items[k];
                const char *override = lookup_arg(build_args, kv->key);
                if (override) {
                        set_var(envv, kv->key, override);
                } else if (kv->value) {
                        sl_expand_env e = {.lookup = sl_expand_envv_lookup, .ctx = *envv,
                                           .escape = df->directives.escape};
                        _cleanup_free_ char *v = NULL;
                        if (sl_expand_word(kv->value, &e, &v, err) < 0)
                                return sl_err_wrap(err, "%s:%d: ARG %s", df->name, in->line, kv->key);
                        set_var(envv, kv->key, v);
                } else if (globals) {
                        const char *g = sl_expand_envv_lookup(globals, kv->key);
                        if (g)
                                set_var(envv, kv->key, g);
                }
        }
        return 0;
}

int sl_df_global_env(const sl_dockerfile *df, const sl_expand_env *build_args, char ***envv, sl_error *err)
{
        _cleanup_strv_ char **env = sl_strv_dup(NULL);
        for (size_t i = 0; i < df->n_global_args; i++)
                if (apply_arg(df, &df->instrs[i], build_args, &env, NULL, err) < 0)
                        return -1;
        *envv = SL_STEAL(env);
        return 0;
}

static int expand_with(const sl_dockerfile *df, const sl_df_instr *in, const char *what, const char *word,
                       char **envv, char **out, sl_error *err)
{
        sl_expand_env e = {.lookup = sl_expand_envv_lookup, .ctx = envv, .escape = df->directives.escape};
        if (sl_expand_word(word, &e, out, err) < 0)
                return sl_err_wrap(err, "%s:%d: %s %s", df->name, in->line, sl_df_kind_name(in->kind), what);
        return 0;
}

/* The stage index FROM refers to, or -1 for an image. */
static int from_stage(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, ssize_t *base,
                      sl_error *err)
{
        const sl_df_instr *from = df->stages[stage].from;
        _cleanup_strv_ char **genv = NULL;
        _cleanup_free_ char *image = NULL;
        if (sl_df_global_env(df, build_args, &genv, err) < 0 ||
            expand_with(df, from, "image", from->u.from.image, genv, &image, err) < 0)
                return -1;
        size_t idx;
        int r = sl_df_stage_ref(df, stage, image, false, &idx, err);
        if (r < 0)
                return sl_err_wrap(err, "%s:%d: FROM", df->name, from->line);
        *base = r ? (ssize_t)idx : -1;
        return 0;
}

/* ARG values and ENV values seen as one: ENV wins over an ARG of the same
 * name, whichever came first. */
static char **merged(char **args, char **envs)
{
        char **m = sl_strv_dup(args);
        for (size_t i = 0; envs && envs[i]; i++)
                sl_strv_append(&m, envs[i]);
        return m;
}

/* A stage's ARG values and ENV values up to instruction `upto`. */
static int stage_vars(const sl_dockerfile *df, size_t stage, size_t upto, const sl_expand_env *build_args,
                      char *const *base_env, char ***args_out, char ***envs_out, sl_error *err)
{
        const sl_df_stage *st = &df->stages[stage];
        _cleanup_strv_ char **args = sl_strv_dup(NULL);
        _cleanup_strv_ char **envs = NULL;
        _cleanup_strv_ char **genv = NULL;
        ssize_t base = -1;
        if (base_env) {
                envs = sl_strv_dup(base_env);
        } else {
                if (from_stage(df, stage, build_args, &base, err) < 0)
                        return -1;
                if (base >= 0) {
                        /* Only ENV crosses into a stage built on another; its ARGs do not. */
                        _cleanup_strv_ char **base_args = NULL;
                        if (stage_vars(df, (size_t)base, df->stages[base].n_instrs, build_args, NULL, &base_args,
                                       &envs, err) < 0)
                                return -1;
                } else {
                        envs = sl_strv_dup(NULL);
                }
        }
        if (sl_df_global_env(df, build_args, &genv, err) < 0)
                return -1;
        for (size_t i = 0; i < upto && i < st->n_instrs; i++) {
                const sl_df_instr *in = st->instrs[i];
                if (in->kind != SL_DF_ARG && in->kind != SL_DF_ENV)
                        continue;
                /* All pairs of one line see the values from before it. */
                _cleanup_strv_ char **before = merged(args, envs);
                if (in->kind == SL_DF_ARG) {
                        _cleanup_strv_ char **scratch = sl_strv_dup(before);
                        size_t n0 = sl_strv_len(scratch);
                        if (apply_arg(df, in, build_args, &scratch, genv, err) < 0)
                                return -1;
                        for (size_t k = n0; scratch[k]; k++)
                                sl_strv_append(&args, scratch[k]);
                        continue;
                }
                for (size_t k = 0; k < in->u.kv.n; k++) {
                        _cleanup_free_ char *key = NULL, *v = NULL;
                        if (expand_with(df, in, "name", in->u.kv.items[k].key, before, &key, err) < 0 ||
                            expand_with(df, in, key, in->u.kv.items[k].value, before, &v, err) < 0)
                                return -1;
                        set_var(&envs, key, v);
                }
        }
        *args_out = SL_STEAL(args);
        *envs_out = SL_STEAL(envs);
        return 0;
}

int sl_df_stage_env(const sl_dockerfile *df, size_t stage, size_t upto, const sl_expand_env *build_args,
                    char *const *base_env, char ***envv, sl_error *err)
{
        _cleanup_strv_ char **args = NULL;
        _cleanup_strv_ char **envs = NULL;
        if (stage_vars(df, stage, upto, build_args, base_env, &args, &envs, err) < 0)
                return -1;
        *envv = merged(args, envs);
        return 0;
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

int sl_df_stage_ref(const sl_dockerfile *df, size_t at, const char *ref, bool allow_index, size_t *idx,
                    sl_error *err)
{
        if (allow_index && all_digits(ref)) {
                unsigned long n = strtoul(ref, NULL, 10);
                if (n >= at || strlen(ref) > 9)
                        return sl_err(err, 0, "stage index %s does not name an earlier stage (this is stage %zu)",
                                      ref, at);
                *idx = n;
                return 1;
        }
        for (size_t i = 0; i < df->n_stages; i++) {
                const char *name = df->stages[i].name;
                if (!name || strcasecmp(name, ref) != 0)
                        continue;
                if (i >= at)
                        return sl_err(err, 0, "\"%s\" is the stage at line %d, which is not before this one: "
                                      "a stage can only use earlier stages", ref, df->stages[i].from->line);
                *idx = i;
                return 1;
        }
        return 0;
}

static void add_dep(size_t **deps, size_t *n, size_t d)
{
        for (size_t i = 0; i < *n; i++)
                if ((*deps)[i] == d)
                        return;
        *deps = sl_xrealloc(*deps, (*n + 1) * sizeof **deps);
        size_t i = *n;
        while (i > 0 && (*deps)[i - 1] > d) {
                (*deps)[i] = (*deps)[i - 1];
                i--;
        }
        (*deps)[i] = d;
        (*n)++;
}

/* A --from value of instruction `pos` of the stage, expanded and resolved. */
static int ref_dep(const sl_dockerfile *df, size_t stage, size_t pos, const char *what, const char *raw,
                   const sl_expand_env *build_args, size_t **deps, size_t *n, sl_error *err)
{
        const sl_df_instr *in = df->stages[stage].instrs[pos];
        _cleanup_strv_ char **env = NULL;
        _cleanup_free_ char *ref = NULL;
        if (sl_df_stage_env(df, stage, pos, build_args, NULL, &env, err) < 0 ||
            expand_with(df, in, what, raw, env, &ref, err) < 0)
                return -1;
        size_t idx;
        int r = sl_df_stage_ref(df, stage, ref, true, &idx, err);
        if (r < 0)
                return sl_err_wrap(err, "%s:%d: %s %s", df->name, in->line, sl_df_kind_name(in->kind), what);
        if (r > 0)
                add_dep(deps, n, idx);
        return 0;
}

int sl_df_stage_deps(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, size_t **deps,
                     size_t *n, sl_error *err)
{
        *deps = NULL;
        *n = 0;
        ssize_t base;
        if (from_stage(df, stage, build_args, &base, err) < 0)
                goto fail;
        if (base >= 0)
                add_dep(deps, n, (size_t)base);
        const sl_df_stage *st = &df->stages[stage];
        for (size_t i = 0; i < st->n_instrs; i++) {
                const sl_df_instr *in = st->instrs[i];
                if (in->kind == SL_DF_COPY && in->u.copy.from &&
                    ref_dep(df, stage, i, "--from", in->u.copy.from, build_args, deps, n, err) < 0)
                        goto fail;
                if (in->kind != SL_DF_RUN)
                        continue;
                for (size_t m = 0; m < in->u.run.n_mounts; m++)
                        if (in->u.run.mounts[m].from &&
                            ref_dep(df, stage, i, "--mount from", in->u.run.mounts[m].from, build_args, deps, n, err) < 0)
                                goto fail;
        }
        return 0;
fail:
        free(*deps);
        *deps = NULL;
        *n = 0;
        return -1;
}

static int mark(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, bool *needed, sl_error *err)
{
        if (needed[stage])
                return 0;
        needed[stage] = true;
        size_t *deps, n;
        if (sl_df_stage_deps(df, stage, build_args, &deps, &n, err) < 0)
                return -1;
        int rc = 0;
        /* Dependencies are strictly earlier stages, so this terminates. */
        for (size_t i = 0; i < n && rc == 0; i++)
                rc = mark(df, deps[i], build_args, needed, err);
        free(deps);
        return rc;
}

int sl_df_needed_stages(const sl_dockerfile *df, size_t target, const sl_expand_env *build_args, bool *needed,
                        sl_error *err)
{
        memset(needed, 0, df->n_stages * sizeof *needed);
        return mark(df, target, build_args, needed, err);
}
