/* COPY and ADD: sources (paths or heredocs), destination and flags. */
#include "builder/dockerfile/instr-req.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/chmod.h"
#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "builder/dockerfile/words.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

/* "[N]<<[-]WORD" as a COPY/ADD source: the index of that heredoc, or -1. */
static int heredoc_index(const sl_df_instr *in, const char *w)
{
        const char *p = w;
        while (isdigit((unsigned char)*p))
                p++;
        if (p[0] != '<' || p[1] != '<')
                return -1;
        for (size_t i = 0; i < in->n_heredocs; i++) {
                const char *name = in->heredocs[i].name;
                /* The word names the heredoc with any quoting removed. */
                sl_strbuf b = {0};
                for (const char *q = p + 2 + (p[2] == '-'); *q; q++)
                        if (*q != '"' && *q != '\'' && *q != '\\')
                                sl_strbuf_addc(&b, *q);
                bool same = b.s && strcmp(b.s, name) == 0;
                sl_strbuf_free(&b);
                if (same)
                        return (int)i;
        }
        return -1;
}

static int check_chmod(const req *r)
{
        const sl_df_flag *f = sl_df_flags_get(&r->flags, "chmod");
        sl_chmod mode;
        sl_error e;
        if (f && !sl_df_has_var(f->value)) {
                if (sl_chmod_parse(f->value, &mode, &e) < 0)
                        return sl_df_req_flag_err(r, f, &e);
                sl_chmod_free(&mode);
        }
        return 0;
}

static int check_checksum(const req *r)
{
        const sl_df_flag *f = sl_df_flags_get(&r->flags, "checksum");
        if (!f || sl_df_has_var(f->value))
                return 0;
        const char *colon = strchr(f->value, ':');
        size_t want = 0;
        if (colon && (size_t)(colon - f->value) == 6 && strncmp(f->value, "sha256", 6) == 0)
                want = 64;
        else if (colon && (size_t)(colon - f->value) == 6 && strncmp(f->value, "sha384", 6) == 0)
                want = 96;
        else if (colon && (size_t)(colon - f->value) == 6 && strncmp(f->value, "sha512", 6) == 0)
                want = 128;
        if (!want || strlen(colon + 1) != want || strspn(colon + 1, "0123456789abcdef") != want)
                return sl_df_perr(r->p, f->off, "ADD --checksum: invalid digest \"%s\": expected "
                                  "sha256:<64 hex digits> (or sha384, sha512)", f->value);
        return 0;
}

int sl_df_parse_copy(req *r)
{
        sl_df_instr *in = r->in;
        sl_df_copy *c = &in->u.copy;
        const char *kn = sl_df_kind_name(in->kind);
        char **json;
        sl_df_word *w = NULL;
        size_t n = 0;
        int j = sl_df_req_json_args(r, &json);
        if (j < 0)
                return -1;
        if (j) {
                c->exec_form = true;
                n = sl_strv_len(json);
                w = sl_xcalloc(n ? n : 1, sizeof *w);
                for (size_t i = 0; i < n; i++)
                        w[i] = (sl_df_word){.text = json[i], .off = 0};
                free(json);
        } else {
                sl_df_split_blanks(r->args, &w, &n);
        }
        int rc = 0;
        if (n == 0) {
                rc = sl_df_req_need_args(r);
                goto out;
        }
        if (n == 1) {
                rc = sl_df_perr(r->p, r->args_off + w[0].off, "%s requires at least two arguments (a source and "
                                "a destination), but got only \"%s\"", kn, w[0].text);
                goto out;
        }
        if (!c->exec_form && heredoc_index(in, w[n - 1].text) >= 0) {
                rc = sl_df_perr(r->p, r->args_off + w[n - 1].off, "%s cannot take a heredoc as the destination", kn);
                goto out;
        }
        c->srcs = sl_xcalloc(n - 1, sizeof *c->srcs);
        for (size_t i = 0; i + 1 < n; i++) {
                c->srcs[i].heredoc = c->exec_form ? -1 : heredoc_index(in, w[i].text);
                c->srcs[i].path = c->srcs[i].heredoc >= 0 ? sl_xstrdup(in->heredocs[c->srcs[i].heredoc].name)
                                                          : SL_STEAL(w[i].text);
                c->n_srcs++;
        }
        c->dest = SL_STEAL(w[n - 1].text);
        c->from = sl_df_req_flag_dup(r, "from");
        c->chown = sl_df_req_flag_dup(r, "chown");
        c->chmod = sl_df_req_flag_dup(r, "chmod");
        c->checksum = sl_df_req_flag_dup(r, "checksum");
        c->link = sl_df_flags_bool(&r->flags, "link");
        c->parents = sl_df_flags_bool(&r->flags, "parents");
        c->keep_git_dir = sl_df_flags_bool(&r->flags, "keep-git-dir");
        sl_svec ex = {0};
        for (size_t i = 0; i < r->flags.n; i++)
                if (strcmp(r->flags.v[i].name, "exclude") == 0)
                        sl_svec_push(&ex, sl_xstrdup(r->flags.v[i].value));
        c->n_excludes = ex.n;
        c->excludes = sl_svec_steal(&ex);
        const sl_df_flag *from = sl_df_flags_get(&r->flags, "from");
        if (from && !from->value[0])
                rc = sl_df_perr(r->p, from->off, "COPY --from needs a stage name, stage index or image");
        else if (check_chmod(r) < 0 || check_checksum(r) < 0)
                rc = -1;
out:
        sl_df_words_free(w, n);
        return rc;
}
