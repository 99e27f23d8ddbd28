#include "builder/dockerfile/expand_instr.h"

#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/chmod.h"
#include "builder/dockerfile/instr.h"
#include "builder/dockerfile/mount.h"
#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

static char *dup0(const char *s) { return s ? sl_xstrdup(s) : NULL; }

static void dup_command(sl_df_command *d, const sl_df_command *s)
{
        d->exec_form = s->exec_form;
        d->argv = sl_strv_dup(s->argv);
        d->argc = s->argc;
}

static sl_df_mount dup_mount(const sl_df_mount *s)
{
        sl_df_mount m = *s;
        m.raw = dup0(s->raw);
        m.target = dup0(s->target);
        m.source = dup0(s->source);
        m.from = dup0(s->from);
        m.id = dup0(s->id);
        m.env = dup0(s->env);
        return m;
}

sl_df_instr *sl_df_instr_dup(const sl_df_instr *s)
{
        sl_df_instr *d = sl_xcalloc(1, sizeof *d);
        *d = *s;
        d->keyword = dup0(s->keyword);
        d->original = dup0(s->original);
        d->heredocs = s->n_heredocs ? sl_xcalloc(s->n_heredocs, sizeof *d->heredocs) : NULL;
        for (size_t i = 0; i < s->n_heredocs; i++) {
                d->heredocs[i] = s->heredocs[i];
                d->heredocs[i].name = dup0(s->heredocs[i].name);
                d->heredocs[i].content = dup0(s->heredocs[i].content);
        }
        switch (s->kind) {
        case SL_DF_FROM:
                d->u.from.image = dup0(s->u.from.image);
                d->u.from.name = dup0(s->u.from.name);
                d->u.from.name_as_written = dup0(s->u.from.name_as_written);
                d->u.from.platform = dup0(s->u.from.platform);
                d->u.from.as_keyword = dup0(s->u.from.as_keyword);
                break;
        case SL_DF_RUN:
                dup_command(&d->u.run.cmd, &s->u.run.cmd);
                d->u.run.mounts = s->u.run.n_mounts ? sl_xcalloc(s->u.run.n_mounts, sizeof(sl_df_mount)) : NULL;
                for (size_t i = 0; i < s->u.run.n_mounts; i++)
                        d->u.run.mounts[i] = dup_mount(&s->u.run.mounts[i]);
                break;
        case SL_DF_CMD:
        case SL_DF_ENTRYPOINT:
                dup_command(&d->u.cmd, &s->u.cmd);
                break;
        case SL_DF_COPY:
        case SL_DF_ADD: {
                const sl_df_copy *c = &s->u.copy;
                sl_df_copy *e = &d->u.copy;
                e->srcs = sl_xcalloc(c->n_srcs ? c->n_srcs : 1, sizeof *e->srcs);
                for (size_t i = 0; i < c->n_srcs; i++)
                        e->srcs[i] = (sl_df_src){dup0(c->srcs[i].path), c->srcs[i].heredoc};
                e->dest = dup0(c->dest);
                e->from = dup0(c->from);
                e->chown = dup0(c->chown);
                e->chmod = dup0(c->chmod);
                e->checksum = dup0(c->checksum);
                e->excludes = sl_strv_dup(c->excludes);
                break;
        }
        case SL_DF_ENV:
        case SL_DF_LABEL:
        case SL_DF_ARG:
                d->u.kv.items = sl_xcalloc(s->u.kv.n ? s->u.kv.n : 1, sizeof(sl_df_kv));
                for (size_t i = 0; i < s->u.kv.n; i++)
                        d->u.kv.items[i] = (sl_df_kv){dup0(s->u.kv.items[i].key), dup0(s->u.kv.items[i].value)};
                break;
        case SL_DF_EXPOSE:
        case SL_DF_VOLUME:
        case SL_DF_SHELL:
                d->u.list.items = sl_strv_dup(s->u.list.items);
                break;
        case SL_DF_WORKDIR:
        case SL_DF_USER:
        case SL_DF_STOPSIGNAL:
        case SL_DF_MAINTAINER:
                d->u.str = dup0(s->u.str);
                break;
        case SL_DF_HEALTHCHECK:
                dup_command(&d->u.health.cmd, &s->u.health.cmd);
                break;
        case SL_DF_ONBUILD:
                d->u.onbuild.expression = dup0(s->u.onbuild.expression);
                d->u.onbuild.trigger = s->u.onbuild.trigger ? sl_df_instr_dup(s->u.onbuild.trigger) : NULL;
                break;
        default:
                break;
        }
        return d;
}

typedef struct xctx {
        const sl_dockerfile *df;
        const sl_df_instr *in;
        sl_expand_env env;
        sl_error *err;
} xctx;

/* Replaces *slot (if set) by its expansion. */
static int word(xctx *x, const char *what, char **slot)
{
        if (!*slot)
                return 0;
        char *v;
        if (sl_expand_word(*slot, &x->env, &v, x->err) < 0)
                return sl_err_wrap(x->err, "%s:%d: %s %s", x->df->name, x->in->line,
                                   sl_df_kind_name(x->in->kind), what);
        free(*slot);
        *slot = v;
        return 0;
}

static int fail(xctx *x, const char *what, const sl_error *e)
{
        return sl_err(x->err, 0, "%s:%d: %s %s: %s", x->df->name, x->in->line, sl_df_kind_name(x->in->kind),
                      what, e->msg);
}

static int expand_copy(xctx *x, sl_df_instr *d)
{
        sl_df_copy *c = &d->u.copy;
        for (size_t i = 0; i < c->n_srcs; i++)
                if (c->srcs[i].heredoc < 0 && word(x, "source", &c->srcs[i].path) < 0)
                        return -1;
        if (word(x, "destination", &c->dest) < 0 || word(x, "--from", &c->from) < 0 ||
            word(x, "--chown", &c->chown) < 0 || word(x, "--chmod", &c->chmod) < 0 ||
            word(x, "--checksum", &c->checksum) < 0)
                return -1;
        for (size_t i = 0; c->excludes[i]; i++)
                if (word(x, "--exclude", &c->excludes[i]) < 0)
                        return -1;
        sl_chmod mode;
        sl_error e;
        if (c->chmod) {
                if (sl_chmod_parse(c->chmod, &mode, &e) < 0)
                        return fail(x, "--chmod", &e);
                sl_chmod_free(&mode);
        }
        /* COPY <<EOF bodies are expanded unless the delimiter was quoted. */
        sl_expand_env hx = x->env;
        hx.keep_quotes = true;
        for (size_t i = 0; i < d->n_heredocs; i++) {
                if (!d->heredocs[i].expand)
                        continue;
                char *v;
                if (sl_expand_word(d->heredocs[i].content, &hx, &v, x->err) < 0)
                        return sl_err_wrap(x->err, "%s:%d: %s heredoc %s", x->df->name, x->in->line,
                                           sl_df_kind_name(d->kind), d->heredocs[i].name);
                free(d->heredocs[i].content);
                d->heredocs[i].content = v;
        }
        return 0;
}

static int expand_expose(xctx *x, sl_df_instr *d)
{
        sl_svec out = {0};
        for (size_t i = 0; d->u.list.items[i]; i++) {
                char **f;
                if (sl_expand_fields(d->u.list.items[i], &x->env, &f, x->err) < 0) {
                        sl_svec_free(&out);
                        return sl_err_wrap(x->err, "%s:%d: EXPOSE", x->df->name, x->in->line);
                }
                for (size_t k = 0; f[k]; k++)
                        sl_svec_push(&out, SL_STEAL(f[k]));
                free(f);
        }
        sl_strv_free(d->u.list.items);
        d->u.list.n = out.n;
        d->u.list.items = sl_svec_steal(&out);
        for (size_t i = 0; i < d->u.list.n; i++) {
                uint16_t a, b;
                char proto[8];
                sl_error e;
                if (sl_df_parse_port(d->u.list.items[i], &a, &b, proto, &e) < 0)
                        return fail(x, "port", &e);
        }
        return 0;
}

static int expand_run(xctx *x, sl_df_instr *d)
{
        for (size_t i = 0; i < d->u.run.n_mounts; i++) {
                sl_df_mount m;
                sl_error e;
                if (sl_df_mount_parse(d->u.run.mounts[i].raw, &x->env, &m, &e) < 0)
                        return fail(x, "--mount", &e);
                sl_df_mount_free(&d->u.run.mounts[i]);
                d->u.run.mounts[i] = m;
        }
        return 0;
}

static int expand_body(xctx *x, sl_df_instr *d)
{
        switch (d->kind) {
        case SL_DF_FROM:
                return word(x, "image", &d->u.from.image) < 0 ? -1 : word(x, "--platform", &d->u.from.platform);
        case SL_DF_RUN:
                return expand_run(x, d);
        case SL_DF_COPY:
        case SL_DF_ADD:
                return expand_copy(x, d);
        case SL_DF_ENV:
        case SL_DF_LABEL:
                for (size_t i = 0; i < d->u.kv.n; i++)
                        if (word(x, "name", &d->u.kv.items[i].key) < 0 ||
                            word(x, d->u.kv.items[i].key, &d->u.kv.items[i].value) < 0)
                                return -1;
                return 0;
        case SL_DF_ARG:
                for (size_t i = 0; i < d->u.kv.n; i++)
                        if (word(x, d->u.kv.items[i].key, &d->u.kv.items[i].value) < 0)
                                return -1;
                return 0;
        case SL_DF_EXPOSE:
                return expand_expose(x, d);
        case SL_DF_VOLUME:
                for (size_t i = 0; d->u.list.items[i]; i++) {
                        if (word(x, "path", &d->u.list.items[i]) < 0)
                                return -1;
                        if (!d->u.list.items[i][0])
                                return sl_err(x->err, 0, "%s:%d: VOLUME: a volume path cannot be empty",
                                              x->df->name, x->in->line);
                }
                return 0;
        case SL_DF_WORKDIR:
        case SL_DF_USER:
                return word(x, "argument", &d->u.str);
        case SL_DF_STOPSIGNAL: {
                int sig;
                sl_error e;
                if (word(x, "signal", &d->u.str) < 0)
                        return -1;
                return sl_df_parse_signal(d->u.str, &sig, &e) < 0 ? fail(x, "signal", &e) : 0;
        }
        default:
                return 0;
        }
}

int sl_df_instr_expand(const sl_dockerfile *df, const sl_df_instr *in, const sl_expand_env *env,
                       sl_df_instr **out, sl_error *err)
{
        xctx x = {.df = df, .in = in, .err = err};
        if (env)
                x.env = *env;
        x.env.escape = df->directives.escape;
        x.env.keep_quotes = false;
        sl_df_instr *d = sl_df_instr_dup(in);
        if (expand_body(&x, d) < 0) {
                sl_df_instr_free(d);
                return -1;
        }
        *out = d;
        return 0;
}
