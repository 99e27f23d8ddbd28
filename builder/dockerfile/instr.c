/* One logical line to a typed instruction: keyword, flags, then the
 * per-instruction parser; and releasing instructions. */
#include "builder/dockerfile/instr.h"
#include "builder/dockerfile/instr-req.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/flags.h"
#include "builder/dockerfile/mount.h"
#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/words.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

int sl_df_req_need_args(const req *r)
{
        return sl_df_perr(r->p, r->kw_off, "%s requires at least one argument", sl_df_kind_name(r->in->kind));
}

int sl_df_req_flag_err(const req *r, const sl_df_flag *f, const sl_error *e)
{
        return sl_df_perr(r->p, f->off, "%s --%s: %s", sl_df_kind_name(r->in->kind), f->name, e->msg);
}

char *sl_df_req_flag_dup(const req *r, const char *name)
{
        const sl_df_flag *f = sl_df_flags_get(&r->flags, name);
        return f ? sl_xstrdup(f->value) : NULL;
}

/* 1 with *v for a JSON array of strings, 0 for anything else (shell
 * form), -1 (reported) for a JSON array of other things. */
int sl_df_req_json_args(const req *r, char ***v)
{
        int j = r->args[0] == '[' ? sl_df_parse_json_strings(r->args, v) : 0;
        if (j < 0)
                return sl_df_perr(r->p, r->args_off, "%s: when using JSON array syntax, arrays must be "
                                  "comprised of strings only", sl_df_kind_name(r->in->kind));
        return j;
}

/* JSON array of strings, or shell form (one string). */
int sl_df_req_maybe_json(const req *r, sl_df_command *c)
{
        char **v;
        int j = sl_df_req_json_args(r, &v);
        if (j < 0)
                return -1;
        if (j) {
                c->exec_form = true;
                c->argv = v;
        } else {
                c->argv = sl_xcalloc(2, sizeof *c->argv);
                c->argv[0] = sl_xstrdup(r->args);
        }
        c->argc = sl_strv_len(c->argv);
        return 0;
}

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la > 32 || lb > 32)
                return 99;
        size_t d[33][33];
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = d[i - 1][j - 1] + (toupper((unsigned char)a[i - 1]) != toupper((unsigned char)b[j - 1]));
                        size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
                        d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
        return d[la][lb];
}

static int unknown_instruction(const sl_df_pctx *p, size_t off, const char *kw)
{
        const char *best = NULL;
        size_t bd = 3;
        for (int k = 0; k < SL_DF_KIND_COUNT; k++) {
                size_t d = distance(kw, sl_df_kind_name(k));
                if (d < bd)
                        bd = d, best = sl_df_kind_name(k);
        }
        if (best)
                return sl_df_perr(p, off, "unknown instruction \"%s\" (did you mean \"%s\"?)", kw, best);
        return sl_df_perr(p, off, "unknown instruction \"%s\"", kw);
}

int sl_df_parse_instr(const sl_df_pctx *p, size_t base, sl_df_instr *in)
{
        const char *text = p->line->text;
        size_t i = base;
        while (sl_df_is_blank(text[i]))
                i++;
        size_t kw_off = i;
        while (text[i] && !sl_df_is_blank(text[i]))
                i++;
        _cleanup_free_ char *kw = sl_xstrndup(text + kw_off, i - kw_off);
        int kind = sl_df_kind_from_name(kw);
        if (kind < 0) {
                unknown_instruction(p, kw_off, kw);
                sl_df_instr_clear(in);
                return -1;
        }
        in->kind = (sl_df_kind)kind;
        in->keyword = SL_STEAL(kw);
        sl_df_pos(p->line, kw_off, &in->line, &in->column);
        in->end_line = p->line->end_line;
        size_t end = strlen(text);
        while (end > kw_off && sl_df_is_blank(text[end - 1]))
                end--;
        in->original = sl_xstrndup(text + kw_off, end - kw_off);

        while (sl_df_is_blank(text[i]))
                i++;
        sl_df_word *fw;
        size_t nf, rest;
        sl_df_extract_flags(text + i, &fw, &nf, &rest);
        for (size_t f = 0; f < nf; f++)
                fw[f].off += i;
        req r = {.p = p, .in = in, .kw_off = kw_off, .args_off = i + rest};
        int rc = sl_df_flags_parse(p, in->kind, fw, nf, &r.flags);
        sl_df_words_free(fw, nf);
        if (rc < 0) {
                sl_df_instr_clear(in);
                return -1;
        }
        _cleanup_free_ char *args = sl_xstrndup(text + r.args_off, end > r.args_off ? end - r.args_off : 0);
        r.args = args;
        switch (in->kind) {
        case SL_DF_FROM: rc = sl_df_parse_from(&r); break;
        case SL_DF_RUN: rc = sl_df_parse_run(&r); break;
        case SL_DF_CMD:
        case SL_DF_ENTRYPOINT: rc = sl_df_parse_cmd(&r); break;
        case SL_DF_COPY:
        case SL_DF_ADD: rc = sl_df_parse_copy(&r); break;
        case SL_DF_ENV:
        case SL_DF_LABEL: rc = sl_df_parse_kv(&r); break;
        case SL_DF_ARG: rc = sl_df_parse_arg(&r); break;
        case SL_DF_EXPOSE: rc = sl_df_parse_expose(&r); break;
        case SL_DF_VOLUME: rc = sl_df_parse_volume(&r); break;
        case SL_DF_SHELL: rc = sl_df_parse_shell(&r); break;
        case SL_DF_WORKDIR:
        case SL_DF_USER:
        case SL_DF_STOPSIGNAL:
        case SL_DF_MAINTAINER: rc = sl_df_parse_string(&r); break;
        case SL_DF_HEALTHCHECK: rc = sl_df_parse_healthcheck(&r); break;
        case SL_DF_ONBUILD: rc = sl_df_parse_onbuild(&r); break;
        default: rc = sl_df_perr(p, kw_off, "internal error: unhandled instruction %s", in->keyword);
        }
        sl_df_flags_free(&r.flags);
        if (rc < 0)
                sl_df_instr_clear(in);
        return rc;
}

void sl_df_command_clear(sl_df_command *c)
{
        sl_strv_free(c->argv);
        memset(c, 0, sizeof *c);
}

void sl_df_instr_clear(sl_df_instr *in)
{
        switch (in->kind) {
        case SL_DF_FROM:
                free(in->u.from.image);
                free(in->u.from.name);
                free(in->u.from.name_as_written);
                free(in->u.from.platform);
                free(in->u.from.as_keyword);
                break;
        case SL_DF_RUN:
                sl_df_command_clear(&in->u.run.cmd);
                for (size_t i = 0; i < in->u.run.n_mounts; i++)
                        sl_df_mount_free(&in->u.run.mounts[i]);
                free(in->u.run.mounts);
                break;
        case SL_DF_CMD:
        case SL_DF_ENTRYPOINT:
                sl_df_command_clear(&in->u.cmd);
                break;
        case SL_DF_COPY:
        case SL_DF_ADD: {
                sl_df_copy *c = &in->u.copy;
                for (size_t i = 0; i < c->n_srcs; i++)
                        free(c->srcs[i].path);
                free(c->srcs);
                free(c->dest);
                free(c->from);
                free(c->chown);
                free(c->chmod);
                free(c->checksum);
                sl_strv_free(c->excludes);
                break;
        }
        case SL_DF_ENV:
        case SL_DF_LABEL:
        case SL_DF_ARG:
                for (size_t i = 0; i < in->u.kv.n; i++) {
                        free(in->u.kv.items[i].key);
                        free(in->u.kv.items[i].value);
                }
                free(in->u.kv.items);
                break;
        case SL_DF_EXPOSE:
        case SL_DF_VOLUME:
        case SL_DF_SHELL:
                sl_strv_free(in->u.list.items);
                break;
        case SL_DF_WORKDIR:
        case SL_DF_USER:
        case SL_DF_STOPSIGNAL:
        case SL_DF_MAINTAINER:
                free(in->u.str);
                break;
        case SL_DF_HEALTHCHECK:
                sl_df_command_clear(&in->u.health.cmd);
                break;
        case SL_DF_ONBUILD:
                if (in->u.onbuild.trigger) {
                        sl_df_instr_clear(in->u.onbuild.trigger);
                        free(in->u.onbuild.trigger);
                }
                free(in->u.onbuild.expression);
                break;
        default:
                break;
        }
        free(in->keyword);
        free(in->original);
        sl_df_heredocs_free(in->heredocs, in->n_heredocs);
        memset(in, 0, sizeof *in);
}
