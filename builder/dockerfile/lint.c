#include "builder/dockerfile/lint.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/expand_instr.h"
#include "builder/dockerfile/stages.h"
#include "builder/dockerfile/vars.h"
#include "builder/expand.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

typedef struct lint {
        const sl_dockerfile *df;
        sl_df_findings *out;
} lint;

bool sl_df_rule_skipped(const sl_dockerfile *df, const char *rule)
{
        if (df->check.skip_all)
                return true;
        /* Rule names are case-sensitive, as BuildKit reads them. */
        for (char **s = df->check.skip; s && *s; s++)
                if (strcmp(*s, rule) == 0)
                        return true;
        return false;
}

static void report(lint *l, const char *rule, int line, bool error, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static void report(lint *l, const char *rule, int line, bool error, const char *fmt, ...)
{
        if (!error && sl_df_rule_skipped(l->df, rule))
                return;
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        sl_df_findings *f = l->out;
        f->v = sl_xrealloc(f->v, (f->n + 1) * sizeof *f->v);
        size_t i = f->n++;
        /* Keep the findings in line order. */
        while (i > 0 && f->v[i - 1].line > line) {
                f->v[i] = f->v[i - 1];
                i--;
        }
        f->v[i] = (sl_df_finding){.rule = rule, .line = line, .error = error, .message = sl_xstrdup(msg)};
}

static int casing(const char *s)  /* 1 upper, -1 lower, 0 mixed */
{
        bool up = false, low = false;
        for (; *s; s++)
                up |= isupper((unsigned char)*s), low |= islower((unsigned char)*s);
        return up && !low ? 1 : low && !up ? -1 : 0;
}

static void instruction_casing(lint *l)
{
        int up = 0, low = 0;
        for (size_t i = 0; i < l->df->n_instrs; i++) {
                int c = casing(l->df->instrs[i].keyword);
                up += c > 0, low += c < 0;
        }
        int majority = low > up ? -1 : 1;
        for (size_t i = 0; i < l->df->n_instrs; i++) {
                const sl_df_instr *in = &l->df->instrs[i];
                if (casing(in->keyword) != majority)
                        report(l, "ConsistentInstructionCasing", in->line, false,
                               "Command '%s' should match the case of the command majority (%s)", in->keyword,
                               majority > 0 ? "uppercase" : "lowercase");
        }
}

static const char *const platform_args[] = {
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", NULL,
};

typedef struct fromvars {
        const sl_dockerfile *df;
        char **defaults;   /* "K=V" of global ARG defaults */
        lint *l;
        int line;
        bool declared_only; /* lookup answers "" for any declared name */
} fromvars;

static const char *from_lookup(void *ctx, const char *name)
{
        fromvars *fv = ctx;
        const char *v = sl_expand_envv_lookup(fv->defaults, name);
        if (v)
                return v;
        for (size_t i = 0; platform_args[i]; i++)
                if (strcmp(platform_args[i], name) == 0)
                        return "";
        if (fv->declared_only)
                for (size_t i = 0; i < fv->df->n_global_args; i++)
                        for (size_t k = 0; k < fv->df->instrs[i].u.kv.n; k++)
                                if (strcmp(fv->df->instrs[i].u.kv.items[k].key, name) == 0)
                                        return "";
        return NULL;
}

static void from_unset(void *ctx, const char *name)
{
        fromvars *fv = ctx;
        if (fv->declared_only)
                report(fv->l, "UndefinedArgInFrom", fv->line, false, "FROM argument '%s' is not declared", name);
}

static void from_args(lint *l)
{
        const sl_dockerfile *df = l->df;
        _cleanup_strv_ char **defaults = sl_strv_dup(NULL);
        for (size_t i = 0; i < df->n_global_args; i++)
                for (size_t k = 0; k < df->instrs[i].u.kv.n; k++) {
                        const sl_df_kv *kv = &df->instrs[i].u.kv.items[k];
                        sl_expand_env e = {.lookup = sl_expand_envv_lookup, .ctx = defaults,
                                           .escape = df->directives.escape};
                        _cleanup_free_ char *v = NULL;
                        if (kv->value && sl_expand_word(kv->value, &e, &v, NULL) == 0)
                                sl_strv_append_take(&defaults, sl_xasprintf("%s=%s", kv->key, v));
                }
        for (size_t s = 0; s < df->n_stages; s++) {
                const sl_df_instr *from = df->stages[s].from;
                fromvars fv = {.df = df, .defaults = defaults, .l = l, .line = from->line, .declared_only = true};
                sl_expand_env e = {.lookup = from_lookup, .ctx = &fv, .escape = df->directives.escape,
                                   .on_unset = from_unset, .unset_ctx = &fv};
                _cleanup_free_ char *img = NULL, *plat = NULL;
                sl_expand_word(from->u.from.image, &e, &img, NULL);
                if (from->u.from.platform)
                        sl_expand_word(from->u.from.platform, &e, &plat, NULL);
                /* With only the defaults, is the image name still usable? */
                if (strchr(from->u.from.image, '$')) {
                        _cleanup_free_ char *def = NULL;
                        fv.declared_only = false;
                        sl_expand_env d = {.lookup = from_lookup, .ctx = &fv, .escape = df->directives.escape};
                        if (sl_expand_word(from->u.from.image, &d, &def, NULL) == 0 &&
                            (def[0] == '\0' || def[0] == ':' || def[0] == '@' || def[strlen(def) - 1] == ':'))
                                report(l, "InvalidDefaultArgInFrom", from->line, false,
                                       "Default value for ARG %s results in empty or invalid base image name",
                                       from->u.from.image);
                }
                if (from->u.from.platform && !strchr(from->u.from.platform, '$'))
                        report(l, "FromPlatformFlagConstDisallowed", from->line, false,
                               "FROM --platform flag should not use constant value \"%s\"", from->u.from.platform);
        }
}

static void stage_names(lint *l)
{
        const sl_dockerfile *df = l->df;
        for (size_t s = 0; s < df->n_stages; s++) {
                const sl_df_instr *from = df->stages[s].from;
                const char *name = from->u.from.name_as_written;
                if (!name)
                        continue;
                if (casing(name) != -1 && strcmp(name, from->u.from.name) != 0)
                        report(l, "StageNameCasing", from->line, false, "Stage name '%s' should be lowercase", name);
                if (casing(from->keyword) * casing(from->u.from.as_keyword) == -1)
                        report(l, "FromAsCasing", from->line, false, "'%s' and '%s' keywords' casing do not match",
                               from->u.from.as_keyword, from->keyword);
                if (!strcmp(from->u.from.name, "scratch") || !strcmp(from->u.from.name, "context"))
                        report(l, "ReservedStageName", from->line, false,
                               "Stage name should not use the same name as reserved stage \"%s\"", from->u.from.name);
                for (size_t t = 0; t < s; t++)
                        if (df->stages[t].name && !strcmp(df->stages[t].name, from->u.from.name))
                                report(l, "DuplicateStageName", from->line, true,
                                       "Duplicate stage name \"%s\" (first defined at line %d): stage names "
                                       "must be unique", from->u.from.name, df->stages[t].from->line);
        }
}

static bool secret_name(const char *name)
{
        static const char *const words[] = {"apikey", "auth", "credential", "credentials", "key",
                                            "password", "pword", "passwd", "secret", "token", NULL};
        _cleanup_free_ char *copy = sl_xstrdup(name);
        char *save = NULL;
        for (char *t = strtok_r(copy, "_", &save); t; t = strtok_r(NULL, "_", &save))
                for (size_t i = 0; words[i]; i++)
                        if (strcasecmp(t, words[i]) == 0)
                                return true;
        return false;
}

static bool has_glob(const char *s) { return strpbrk(s, "*?[$") != NULL; }

static void per_instruction(lint *l, const sl_ignore *ig)
{
        const sl_dockerfile *df = l->df;
        for (size_t i = 0; i < df->n_instrs; i++) {
                const sl_df_instr *in = &df->instrs[i];
                const char *kn = sl_df_kind_name(in->kind);
                switch (in->kind) {
                case SL_DF_MAINTAINER:
                        report(l, "MaintainerDeprecated", in->line, false,
                               "MAINTAINER instruction is deprecated in favor of using label");
                        break;
                case SL_DF_ENV:
                case SL_DF_LABEL:
                        if (in->u.kv.legacy)
                                report(l, "LegacyKeyValueFormat", in->line, false,
                                       "\"%s key=value\" should be used instead of legacy \"%s key value\" format",
                                       kn, kn);
                        /* fall through */
                case SL_DF_ARG:
                        if (in->kind == SL_DF_LABEL)
                                break;
                        for (size_t k = 0; k < in->u.kv.n; k++)
                                if (secret_name(in->u.kv.items[k].key))
                                        report(l, "SecretsUsedInArgOrEnv", in->line, false,
                                               "Do not use ARG or ENV instructions for sensitive data (%s \"%s\")",
                                               kn, in->u.kv.items[k].key);
                        break;
                case SL_DF_EXPOSE:
                        for (size_t k = 0; k < in->u.list.n; k++) {
                                const char *slash = strchr(in->u.list.items[k], '/');
                                if (slash && casing(slash + 1) != -1)
                                        report(l, "ExposeProtoCasing", in->line, false,
                                               "Defined protocol '%s' in EXPOSE instruction should be lowercase",
                                               in->u.list.items[k]);
                        }
                        break;
                case SL_DF_COPY:
                case SL_DF_ADD:
                        if (!ig || in->u.copy.from)
                                break;
                        for (size_t k = 0; k < in->u.copy.n_srcs; k++) {
                                const sl_df_src *s = &in->u.copy.srcs[k];
                                if (s->heredoc < 0 && !has_glob(s->path) && !strstr(s->path, "://") &&
                                    sl_ignore_match(ig, s->path))
                                        report(l, "CopyIgnoredFile", in->line, false,
                                               "Attempting to %s file \"%s\" that is excluded by .dockerignore",
                                               in->kind == SL_DF_COPY ? "Copy" : "Add", s->path);
                        }
                        break;
                default:
                        break;
                }
        }
}

static void per_stage(lint *l)
{
        const sl_dockerfile *df = l->df;
        for (size_t s = 0; s < df->n_stages; s++) {
                const sl_df_stage *st = &df->stages[s];
                bool has_shell = false, abs_workdir = false;
                const sl_df_instr *last[SL_DF_KIND_COUNT] = {0};
                for (size_t i = 0; i < st->n_instrs; i++) {
                        const sl_df_instr *in = st->instrs[i];
                        if (in->kind == SL_DF_SHELL)
                                has_shell = true;
                        if ((in->kind == SL_DF_CMD || in->kind == SL_DF_ENTRYPOINT) && !in->u.cmd.exec_form &&
                            !has_shell)
                                report(l, "JSONArgsRecommended", in->line, false,
                                       "JSON arguments recommended for %s to prevent unintended behavior related "
                                       "to OS signals", sl_df_kind_name(in->kind));
                        if (in->kind == SL_DF_CMD || in->kind == SL_DF_ENTRYPOINT || in->kind == SL_DF_HEALTHCHECK) {
                                if (last[in->kind])
                                        report(l, "MultipleInstructionsDisallowed", last[in->kind]->line, false,
                                               "Multiple %s instructions should not be used in the same stage "
                                               "because only the last one will be used", sl_df_kind_name(in->kind));
                                last[in->kind] = in;
                        }
                        if (in->kind == SL_DF_WORKDIR) {
                                const char *w = in->u.str;
                                if (w[0] == '/' || w[0] == '$' || w[0] == '"' || w[0] == '\'')
                                        abs_workdir = true;
                                else if (!abs_workdir)
                                        report(l, "WorkdirRelativePath", in->line, false,
                                               "Relative workdir \"%s\" can have unexpected results if the base "
                                               "image changes", w);
                        }
                }
        }
}

/* Whether every variable a stage can see is known here: its FROM chain
 * ends in scratch (an image's own Env is not known without pulling it). */
static bool base_known(const sl_dockerfile *df, size_t s)
{
        _cleanup_strv_ char **genv = NULL;
        _cleanup_free_ char *image = NULL;
        sl_expand_env e = {.escape = df->directives.escape};
        if (sl_df_global_env(df, NULL, &genv, NULL) < 0)
                return false;
        e.lookup = sl_expand_envv_lookup, e.ctx = genv;
        if (sl_expand_word(df->stages[s].from->u.from.image, &e, &image, NULL) < 0)
                return false;
        if (strcmp(image, "scratch") == 0)
                return true;
        size_t idx;
        return sl_df_stage_ref(df, s, image, false, &idx, NULL) == 1 && base_known(df, idx);
}

typedef struct undef_ctx {
        lint *l;
        int line;
        char **seen;    /* reported already, or declared by ARG */
} undef_ctx;

static void undefined_var(void *ctx, const char *name)
{
        undef_ctx *u = ctx;
        if (sl_strv_contains(u->seen, name))
                return;
        sl_strv_append(&u->seen, name);
        report(u->l, "UndefinedVar", u->line, false, "Usage of undefined variable '$%s'", name);
}

static void undefined_vars(lint *l)
{
        const sl_dockerfile *df = l->df;
        for (size_t s = 0; s < df->n_stages; s++) {
                sl_df_vars *v = NULL;
                if (!base_known(df, s) || sl_df_vars_begin(df, s, NULL, NULL, &v, NULL) < 0)
                        continue;
                const sl_df_stage *st = &df->stages[s];
                _cleanup_strv_ char **declared = sl_strv_dup(NULL);
                for (size_t i = 0; i < st->n_instrs; i++) {
                        const sl_df_instr *in = st->instrs[i];
                        undef_ctx u = {.l = l, .line = in->line, .seen = sl_strv_dup(declared)};
                        sl_expand_env e = sl_df_vars_env(v);
                        e.on_unset = undefined_var, e.unset_ctx = &u;
                        sl_df_instr *x = NULL;
                        if (sl_df_instr_expand(df, in, &e, &x, NULL) == 0)
                                sl_df_instr_free(x);
                        sl_strv_free(u.seen);
                        /* A declared ARG without a value is defined, just empty. */
                        for (size_t a = 0; in->kind == SL_DF_ARG && a < in->u.kv.n; a++)
                                sl_strv_append(&declared, in->u.kv.items[a].key);
                        if (sl_df_vars_apply(v, in, NULL) < 0)
                                break;
                }
                sl_df_vars_free(v);
        }
}

void sl_df_lint(const sl_dockerfile *df, const sl_ignore *ignore, sl_df_findings *out)
{
        memset(out, 0, sizeof *out);
        lint l = {.df = df, .out = out};
        for (size_t i = 0; i < df->n_empty_continuations; i++)
                report(&l, "NoEmptyContinuation", df->empty_continuations[i], false,
                       "Empty continuation line found: empty continuation lines will become errors in a future release");
        instruction_casing(&l);
        from_args(&l);
        stage_names(&l);
        per_instruction(&l, ignore);
        per_stage(&l);
        undefined_vars(&l);
}

void sl_df_findings_free(sl_df_findings *f)
{
        for (size_t i = 0; i < f->n; i++)
                free(f->v[i].message);
        free(f->v);
        f->v = NULL;
        f->n = 0;
}
