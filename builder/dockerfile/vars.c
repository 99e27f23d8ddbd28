#include "builder/dockerfile/vars.h"

#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/stages.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

struct sl_df_vars {
        const sl_dockerfile *df;
        const sl_expand_env *build_args;
        char **globals;   /* global ARG values, for redeclared ARGs */
        char **args;      /* "K=V", one entry per name */
        char **envs;
};

static ssize_t find(char **v, const char *name)
{
        size_t len = strlen(name);
        for (size_t i = 0; v && v[i]; i++)
                if (strncmp(v[i], name, len) == 0 && v[i][len] == '=')
                        return (ssize_t)i;
        return -1;
}

static const char *get(char **v, const char *name)
{
        ssize_t i = find(v, name);
        return i < 0 ? NULL : v[i] + strlen(name) + 1;
}

static void set(char ***v, const char *name, const char *value)
{
        char *kv = sl_xasprintf("%s=%s", name, value);
        ssize_t i = find(*v, name);
        if (i < 0) {
                sl_strv_append_take(v, kv);
        } else {
                free((*v)[i]);
                (*v)[i] = kv;
        }
}

const char *sl_df_vars_get(const sl_df_vars *v, const char *name)
{
        const char *e = get(v->envs, name);
        return e ? e : get(v->args, name);
}

static const char *lookup(void *ctx, const char *name) { return sl_df_vars_get(ctx, name); }

sl_expand_env sl_df_vars_env(sl_df_vars *v)
{
        return (sl_expand_env){.lookup = lookup, .ctx = v, .escape = v->df->directives.escape};
}

static sl_df_vars *vars_new(const sl_dockerfile *df, const sl_expand_env *build_args)
{
        sl_df_vars *v = sl_xcalloc(1, sizeof *v);
        v->df = df;
        v->build_args = build_args;
        v->args = sl_strv_dup(NULL);
        v->envs = sl_strv_dup(NULL);
        return v;
}

/* Computes every pair of the line against the values before it, then sets
 * them all. */
int sl_df_vars_apply(sl_df_vars *v, const sl_df_instr *in, sl_error *err)
{
        if (in->kind != SL_DF_ARG && in->kind != SL_DF_ENV)
                return 0;
        const sl_dockerfile *df = v->df;
        sl_expand_env e = sl_df_vars_env(v);
        _cleanup_strv_ char **names = sl_strv_dup(NULL);
        _cleanup_strv_ char **values = sl_strv_dup(NULL);
        for (size_t k = 0; k < in->u.kv.n; k++) {
                const sl_df_kv *kv = &in->u.kv.items[k];
                char *name = NULL, *value = NULL;
                if (in->kind == SL_DF_ENV) {
                        if (sl_expand_word(kv->key, &e, &name, err) < 0)
                                return sl_err_wrap(err, "%s:%d: ENV name", df->name, in->line);
                        if (sl_expand_word(kv->value, &e, &value, err) < 0) {
                                sl_err_wrap(err, "%s:%d: ENV %s", df->name, in->line, name);
                                free(name);
                                return -1;
                        }
                } else {
                        const char *override = v->build_args && v->build_args->lookup ?
                                v->build_args->lookup(v->build_args->ctx, kv->key) : NULL;
                        name = sl_xstrdup(kv->key);
                        if (override) {
                                value = sl_xstrdup(override);
                        } else if (kv->value) {
                                if (sl_expand_word(kv->value, &e, &value, err) < 0) {
                                        free(name);
                                        return sl_err_wrap(err, "%s:%d: ARG %s", df->name, in->line, kv->key);
                                }
                        } else if (get(v->globals, kv->key)) {
                                value = sl_xstrdup(get(v->globals, kv->key));
                        } else {
                                free(name);
                                continue; /* declared, not set */
                        }
                }
                sl_strv_append_take(&names, name);
                sl_strv_append_take(&values, value);
        }
        for (size_t i = 0; names[i]; i++)
                set(in->kind == SL_DF_ENV ? &v->envs : &v->args, names[i], values[i]);
        return 0;
}

sl_df_vars *sl_df_vars_global(const sl_dockerfile *df, const sl_expand_env *build_args, sl_error *err)
{
        sl_df_vars *v = vars_new(df, build_args);
        for (size_t i = 0; i < df->n_global_args; i++)
                if (sl_df_vars_apply(v, &df->instrs[i], err) < 0) {
                        sl_df_vars_free(v);
                        return NULL;
                }
        return v;
}

int sl_df_vars_begin(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, char *const *base_env,
                     sl_df_vars **out, sl_error *err)
{
        sl_df_vars *g = sl_df_vars_global(df, build_args, err);
        if (!g)
                return -1;
        sl_df_vars *v = vars_new(df, build_args);
        v->globals = SL_STEAL(g->args);
        sl_df_vars_free(g);
        if (base_env) {
                for (size_t i = 0; base_env[i]; i++) {
                        const char *eq = strchr(base_env[i], '=');
                        if (eq && eq > base_env[i]) {
                                _cleanup_free_ char *name = sl_xstrndup(base_env[i], (size_t)(eq - base_env[i]));
                                set(&v->envs, name, eq + 1);
                        }
                }
        } else {
                ssize_t base;
                if (sl_df_stage_base(df, stage, build_args, &base, err) < 0)
                        goto fail;
                if (base >= 0) {
                        /* Only ENV crosses into a stage built on another; its ARGs do not. */
                        sl_df_vars *b;
                        if (sl_df_vars_begin(df, (size_t)base, build_args, NULL, &b, err) < 0)
                                goto fail;
                        const sl_df_stage *bs = &df->stages[base];
                        for (size_t i = 0; i < bs->n_instrs; i++)
                                if (sl_df_vars_apply(b, bs->instrs[i], err) < 0) {
                                        sl_df_vars_free(b);
                                        goto fail;
                                }
                        sl_strv_free(v->envs);
                        v->envs = SL_STEAL(b->envs);
                        sl_df_vars_free(b);
                }
        }
        *out = v;
        return 0;
fail:
        sl_df_vars_free(v);
        return -1;
}

char **sl_df_vars_snapshot(const sl_df_vars *v)
{
        char **s = sl_strv_dup(v->args);
        for (size_t i = 0; v->envs[i]; i++)
                sl_strv_append(&s, v->envs[i]);
        return s;
}

char **sl_df_vars_env_only(const sl_df_vars *v) { return sl_strv_dup(v->envs); }

void sl_df_vars_free(sl_df_vars *v)
{
        if (!v)
                return;
        sl_strv_free(v->globals);
        sl_strv_free(v->args);
        sl_strv_free(v->envs);
        free(v);
}
