#include "builder/dockerfile/stages.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/vars.h"
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

int sl_df_global_env(const sl_dockerfile *df, const sl_expand_env *build_args, char ***envv, sl_error *err)
{
        sl_df_vars *v = sl_df_vars_global(df, build_args, err);
        if (!v)
                return -1;
        *envv = sl_df_vars_snapshot(v);
        sl_df_vars_free(v);
        return 0;
}

/* Expands word with the scope's values; errors name the line and what. */
static int expand_in(sl_df_vars *v, const sl_dockerfile *df, const sl_df_instr *in, const char *what,
                     const char *word, char **out, sl_error *err)
{
        sl_expand_env e = sl_df_vars_env(v);
        if (sl_expand_word(word, &e, out, err) < 0)
                return sl_err_wrap(err, "%s:%d: %s %s", df->name, in->line, sl_df_kind_name(in->kind), what);
        return 0;
}

int sl_df_stage_base(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, ssize_t *base,
                     sl_error *err)
{
        const sl_df_instr *from = df->stages[stage].from;
        sl_df_vars *g = sl_df_vars_global(df, build_args, err);
        if (!g)
                return -1;
        _cleanup_free_ char *image = NULL;
        int rc = expand_in(g, df, from, "image", from->u.from.image, &image, err);
        sl_df_vars_free(g);
        if (rc < 0)
                return -1;
        size_t idx;
        int r = sl_df_stage_ref(df, stage, image, false, &idx, err);
        if (r < 0)
                return sl_err_wrap(err, "%s:%d: FROM", df->name, from->line);
        *base = r ? (ssize_t)idx : -1;
        return 0;
}

int sl_df_stage_env(const sl_dockerfile *df, size_t stage, size_t upto, const sl_expand_env *build_args,
                    char *const *base_env, char ***envv, sl_error *err)
{
        sl_df_vars *v;
        if (sl_df_vars_begin(df, stage, build_args, base_env, &v, err) < 0)
                return -1;
        const sl_df_stage *st = &df->stages[stage];
        for (size_t i = 0; i < upto && i < st->n_instrs; i++)
                if (sl_df_vars_apply(v, st->instrs[i], err) < 0) {
                        sl_df_vars_free(v);
                        return -1;
                }
        *envv = sl_df_vars_snapshot(v);
        sl_df_vars_free(v);
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
        /* "scratch" is always the empty image, even if a stage took the name. */
        if (strcasecmp(ref, "scratch") == 0)
                return 0;
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

/* A --from value, expanded in the stage's scope and resolved. */
static int ref_dep(const sl_dockerfile *df, size_t stage, sl_df_vars *v, const sl_df_instr *in, const char *what,
                   const char *raw, size_t **deps, size_t *n, sl_error *err)
{
        _cleanup_free_ char *ref = NULL;
        if (expand_in(v, df, in, what, raw, &ref, err) < 0)
                return -1;
        size_t idx;
        int r = sl_df_stage_ref(df, stage, ref, true, &idx, err);
        if (r < 0)
                return sl_err_wrap(err, "%s:%d: %s %s", df->name, in->line, sl_df_kind_name(in->kind), what);
        if (r > 0)
                add_dep(deps, n, idx);
        return 0;
}

/* Walks the stage once, so each --from sees the ARG/ENV values before it. */
static int walk_deps(const sl_dockerfile *df, size_t stage, sl_df_vars *v, size_t **deps, size_t *n, sl_error *err)
{
        const sl_df_stage *st = &df->stages[stage];
        for (size_t i = 0; i < st->n_instrs; i++) {
                const sl_df_instr *in = st->instrs[i];
                if (in->kind == SL_DF_COPY && in->u.copy.from &&
                    ref_dep(df, stage, v, in, "--from", in->u.copy.from, deps, n, err) < 0)
                        return -1;
                for (size_t m = 0; in->kind == SL_DF_RUN && m < in->u.run.n_mounts; m++)
                        if (in->u.run.mounts[m].from &&
                            ref_dep(df, stage, v, in, "--mount from", in->u.run.mounts[m].from, deps, n, err) < 0)
                                return -1;
                if (sl_df_vars_apply(v, in, err) < 0)
                        return -1;
        }
        return 0;
}

int sl_df_stage_deps(const sl_dockerfile *df, size_t stage, const sl_expand_env *build_args, size_t **deps,
                     size_t *n, sl_error *err)
{
        *deps = NULL;
        *n = 0;
        ssize_t base;
        sl_df_vars *v = NULL;
        if (sl_df_stage_base(df, stage, build_args, &base, err) < 0)
                goto fail;
        if (base >= 0)
                add_dep(deps, n, (size_t)base);
        if (sl_df_vars_begin(df, stage, build_args, NULL, &v, err) < 0 || walk_deps(df, stage, v, deps, n, err) < 0)
                goto fail;
        sl_df_vars_free(v);
        return 0;
fail:
        sl_df_vars_free(v);
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

int sl_df_check_stages(const sl_dockerfile *df, const sl_expand_env *build_args, sl_error *err)
{
        for (size_t s = 0; s < df->n_stages; s++) {
                const sl_df_stage *st = &df->stages[s];
                for (size_t t = 0; st->name && t < s; t++)
                        if (df->stages[t].name && strcmp(df->stages[t].name, st->name) == 0)
                                return sl_err(err, 0, "%s:%d:%d: duplicate stage name \"%s\" (first defined at "
                                              "line %d)", df->name, st->from->line, st->from->column, st->name,
                                              df->stages[t].from->line);
                size_t *deps, n;
                if (sl_df_stage_deps(df, s, build_args, &deps, &n, err) < 0)
                        return -1;
                free(deps);
        }
        return 0;
}
