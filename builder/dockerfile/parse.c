#include "builder/dockerfile/dockerfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/instr.h"
#include "builder/dockerfile/pctx.h"
#include "builder/dockerfile/strbuf.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

int sl_df_perr(const sl_df_pctx *p, size_t off, const char *fmt, ...)
{
        int line, col;
        sl_df_pos(p->line, off, &line, &col);
        char msg[SL_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return sl_err(p->err, 0, "%s:%d:%d: %s", p->name, line, col, msg);
}

/* "# check=skip=A,B;error=true" */
static int parse_check(sl_dockerfile *df, sl_error *err)
{
        const char *v = df->directives.check;
        sl_svec skip = {0};
        if (!v) {
                df->check.skip = sl_svec_steal(&skip);
                return 0;
        }
        _cleanup_free_ char *copy = sl_xstrdup(v);
        char *save = NULL;
        for (char *part = strtok_r(copy, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
                while (*part == ' ')
                        part++;
                char *eq = strchr(part, '=');
                if (!eq)
                        goto bad;
                *eq = '\0';
                char *val = eq + 1;
                if (strcmp(part, "skip") == 0) {
                        char *s2 = NULL;
                        for (char *r = strtok_r(val, ",", &s2); r; r = strtok_r(NULL, ",", &s2)) {
                                while (*r == ' ')
                                        r++;
                                if (strcasecmp(r, "all") == 0)
                                        df->check.skip_all = true;
                                else if (*r)
                                        sl_svec_push(&skip, sl_xstrdup(r));
                        }
                } else if (strcmp(part, "error") == 0) {
                        if (strcasecmp(val, "true") == 0)
                                df->check.error = true;
                        else if (strcasecmp(val, "false") != 0)
                                goto bad;
                } else {
                        goto bad;
                }
        }
        df->check.skip = sl_svec_steal(&skip);
        return 0;
bad:
        sl_svec_free(&skip);
        return sl_err(err, 0, "%s:%d:1: invalid check directive \"%s\": expected skip=RULE[,RULE...] and/or "
                      "error=true|false separated by \";\"", df->name, df->directives.check_line, v);
}

/* Groups the instructions into stages once all are parsed, so the
 * pointers into df->instrs stay valid. */
static int build_stages(sl_dockerfile *df, sl_error *err)
{
        size_t i = 0;
        for (; i < df->n_instrs && df->instrs[i].kind != SL_DF_FROM; i++)
                if (df->instrs[i].kind != SL_DF_ARG)
                        return sl_err(err, 0, "%s:%d:%d: %s before the first FROM: only ARG may come before FROM",
                                      df->name, df->instrs[i].line, df->instrs[i].column,
                                      sl_df_kind_name(df->instrs[i].kind));
        df->n_global_args = i;
        if (df->n_instrs == 0)
                return sl_err(err, 0, "%s: the file has no instructions", df->name);
        if (i == df->n_instrs)
                return sl_err(err, 0, "%s: no FROM instruction: a Dockerfile needs at least one build stage",
                              df->name);
        for (; i < df->n_instrs; i++) {
                const sl_df_instr *in = &df->instrs[i];
                if (in->kind == SL_DF_FROM) {
                        df->stages = sl_xrealloc(df->stages, (df->n_stages + 1) * sizeof *df->stages);
                        sl_df_stage *s = &df->stages[df->n_stages];
                        *s = (sl_df_stage){.index = df->n_stages, .from = in};
                        s->name = in->u.from.name ? sl_xstrdup(in->u.from.name) : NULL;
                        df->n_stages++;
                        continue;
                }
                sl_df_stage *s = &df->stages[df->n_stages - 1];
                s->instrs = sl_xrealloc(s->instrs, (s->n_instrs + 1) * sizeof *s->instrs);
                s->instrs[s->n_instrs++] = in;
        }
        return 0;
}

int sl_dockerfile_parse(const char *data, size_t len, const char *name, sl_dockerfile **out, sl_error *err)
{
        sl_dockerfile *df = sl_xcalloc(1, sizeof *df);
        df->name = sl_xstrdup(name);
        sl_df_line *lines = NULL;
        size_t n_lines = 0;
        if (sl_df_lex(data, len, name, &df->directives, &lines, &n_lines, err) < 0)
                goto fail;
        if (parse_check(df, err) < 0)
                goto fail;
        df->instrs = sl_xcalloc(n_lines ? n_lines : 1, sizeof *df->instrs);
        for (size_t i = 0; i < n_lines; i++) {
                sl_df_line *l = &lines[i];
                if (l->empty_continuation) {
                        df->empty_continuations = sl_xrealloc(df->empty_continuations,
                                                              (df->n_empty_continuations + 1) * sizeof(int));
                        df->empty_continuations[df->n_empty_continuations++] = l->empty_continuation;
                }
                sl_df_instr *in = &df->instrs[df->n_instrs];
                in->heredocs = SL_STEAL(l->heredocs);
                in->n_heredocs = l->n_heredocs;
                l->n_heredocs = 0;
                sl_df_pctx p = {.name = name, .line = l, .esc = df->directives.escape, .err = err};
                if (sl_df_parse_instr(&p, 0, in) < 0)
                        goto fail;
                df->n_instrs++;
        }
        if (build_stages(df, err) < 0)
                goto fail;
        sl_df_lines_free(lines, n_lines);
        *out = df;
        return 0;
fail:
        sl_df_lines_free(lines, n_lines);
        sl_dockerfile_free(df);
        return -1;
}

int sl_dockerfile_parse_file(const char *path, sl_dockerfile **out, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (sl_read_file(path, &data, &len, err) < 0)
                return -1;
        return sl_dockerfile_parse(data, len, path, out, err);
}

int sl_dockerfile_parse_trigger(const char *text, const char *name, int line, char escape, sl_df_instr **out,
                                sl_error *err)
{
        if (text[strspn(text, " \t")] == '\0')
                return sl_err(err, 0, "%s:%d: empty ONBUILD trigger", name, line);
        /* Lexed as "ONBUILD <trigger>" so the same rules apply (heredocs
         * included); positions are then moved back onto the trigger text. */
        static const char prefix[] = "ONBUILD ";
        _cleanup_free_ char *src = sl_xasprintf("%s%s", prefix, text);
        sl_df_directives dirs;
        sl_df_line *lines = NULL;
        size_t n = 0;
        if (sl_df_lex(src, strlen(src), name, &dirs, &lines, &n, err) < 0)
                return -1;
        sl_df_directives_free(&dirs);
        int rc = 0;
        if (n != 1) {
                rc = sl_err(err, 0, "%s:%d: an ONBUILD trigger must be exactly one instruction", name, line);
                goto out;
        }
        for (size_t i = 0; i < lines[0].n_segs; i++) {
                sl_df_seg *s = &lines[0].segs[i];
                if (s->line == 1)
                        s->column -= (int)strlen(prefix);
                s->line += line - 1;
        }
        lines[0].start_line += line - 1;
        lines[0].end_line += line - 1;
        sl_df_pctx p = {.name = name, .line = &lines[0], .esc = escape == '`' ? '`' : '\\', .err = err};
        sl_df_instr onbuild = {.heredocs = SL_STEAL(lines[0].heredocs), .n_heredocs = lines[0].n_heredocs};
        lines[0].n_heredocs = 0;
        if (sl_df_parse_instr(&p, 0, &onbuild) < 0) {
                rc = -1;
                goto out;
        }
        *out = SL_STEAL(onbuild.u.onbuild.trigger);
        sl_df_instr_clear(&onbuild);
out:
        sl_df_lines_free(lines, n);
        return rc;
}

void sl_df_instr_free(sl_df_instr *in)
{
        if (!in)
                return;
        sl_df_instr_clear(in);
        free(in);
}

void sl_dockerfile_free(sl_dockerfile *df)
{
        if (!df)
                return;
        for (size_t i = 0; i < df->n_instrs; i++)
                sl_df_instr_clear(&df->instrs[i]);
        free(df->instrs);
        for (size_t i = 0; i < df->n_stages; i++) {
                free(df->stages[i].name);
                free(df->stages[i].instrs);
        }
        free(df->stages);
        sl_strv_free(df->check.skip);
        sl_df_directives_free(&df->directives);
        free(df->empty_continuations);
        free(df->name);
        free(df);
}
