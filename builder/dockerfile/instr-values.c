/* ENV, LABEL, ARG, EXPOSE, VOLUME and the one-string instructions. */
#include "builder/dockerfile/instr-req.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "builder/dockerfile/words.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

static void push_kv(sl_df_instr *in, char *key, char *value)
{
        in->u.kv.items = sl_xrealloc(in->u.kv.items, (in->u.kv.n + 1) * sizeof *in->u.kv.items);
        in->u.kv.items[in->u.kv.n++] = (sl_df_kv){key, value};
}

/* ENV and LABEL: "K=V ..." or the legacy "K V with spaces". */
int sl_df_parse_kv(req *r)
{
        sl_df_instr *in = r->in;
        const char *kn = sl_df_kind_name(in->kind);
        sl_df_word *w;
        size_t n;
        sl_df_split_quoted(r->args, r->p->esc, &w, &n);
        int rc = 0;
        if (n == 0) {
                rc = sl_df_req_need_args(r);
        } else if (!strchr(w[0].text, '=')) {
                size_t k = strcspn(r->args, " \t\v\f\r");
                const char *v = r->args + k;
                while (sl_df_is_blank(*v))
                        v++;
                if (!*v)
                        rc = sl_df_perr(r->p, r->args_off, "%s needs a value: %s KEY=VALUE (or the legacy %s KEY VALUE)",
                                        kn, kn, kn);
                else {
                        in->u.kv.legacy = true;
                        push_kv(in, sl_xstrndup(r->args, k), sl_xstrdup(v));
                }
        } else {
                for (size_t i = 0; i < n && rc == 0; i++) {
                        char *eq = strchr(w[i].text, '=');
                        if (!eq)
                                rc = sl_df_perr(r->p, r->args_off + w[i].off, "%s: missing \"=\" in \"%s\": expected "
                                                "KEY=VALUE", kn, w[i].text);
                        else if (eq == w[i].text)
                                rc = sl_df_perr(r->p, r->args_off + w[i].off, "%s: empty name in \"%s\"", kn, w[i].text);
                        else
                                push_kv(in, sl_xstrndup(w[i].text, (size_t)(eq - w[i].text)), sl_xstrdup(eq + 1));
                }
        }
        sl_df_words_free(w, n);
        return rc;
}

int sl_df_parse_arg(req *r)
{
        sl_df_word *w;
        size_t n;
        sl_df_split_quoted(r->args, r->p->esc, &w, &n);
        int rc = n == 0 ? sl_df_req_need_args(r) : 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                char *eq = strchr(w[i].text, '=');
                size_t klen = eq ? (size_t)(eq - w[i].text) : strlen(w[i].text);
                if (klen == 0) {
                        rc = sl_df_perr(r->p, r->args_off + w[i].off, "ARG: empty name in \"%s\"", w[i].text);
                        break;
                }
                push_kv(r->in, sl_xstrndup(w[i].text, klen), eq ? sl_xstrdup(eq + 1) : NULL);
        }
        sl_df_words_free(w, n);
        return rc;
}

static void set_list(sl_df_instr *in, sl_df_word *w, size_t n)
{
        in->u.list.items = sl_xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                in->u.list.items[i] = SL_STEAL(w[i].text);
        in->u.list.n = n;
}

int sl_df_parse_expose(req *r)
{
        sl_df_word *w;
        size_t n;
        sl_df_split_blanks(r->args, &w, &n);
        int rc = n == 0 ? sl_df_req_need_args(r) : 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                uint16_t a, b;
                char proto[8];
                sl_error e;
                if (sl_df_has_var(w[i].text))
                        continue;
                if (strchr(w[i].text, ':'))
                        rc = sl_df_perr(r->p, r->args_off + w[i].off, "EXPOSE: \"%s\": a host port cannot be "
                                        "published from a Dockerfile; expected PORT[-PORT][/PROTO]", w[i].text);
                else if (sl_df_parse_port(w[i].text, &a, &b, proto, &e) < 0)
                        rc = sl_df_perr(r->p, r->args_off + w[i].off, "EXPOSE: %s", e.msg);
        }
        if (rc == 0)
                set_list(r->in, w, n);
        sl_df_words_free(w, n);
        return rc;
}

int sl_df_parse_volume(req *r)
{
        char **json;
        int j = sl_df_req_json_args(r, &json);
        if (j < 0)
                return -1;
        if (j) {
                r->in->u.list.exec_form = true;
                r->in->u.list.items = json;
                r->in->u.list.n = sl_strv_len(json);
                if (r->in->u.list.n == 0)
                        return sl_df_req_need_args(r);
                for (size_t i = 0; i < r->in->u.list.n; i++) {
                        /* Docker trims each path and refuses empty ones. */
                        size_t lead = strspn(json[i], " \t\n\r\v\f"), len = strlen(json[i]);
                        while (len > lead && sl_df_is_blank(json[i][len - 1]))
                                len--;
                        memmove(json[i], json[i] + lead, len - lead);
                        json[i][len - lead] = '\0';
                        if (!json[i][0])
                                return sl_df_perr(r->p, r->args_off, "VOLUME: a volume path cannot be empty");
                }
                return 0;
        }
        sl_df_word *w;
        size_t n;
        sl_df_split_blanks(r->args, &w, &n);
        set_list(r->in, w, n);
        sl_df_words_free(w, n);
        return n == 0 ? sl_df_req_need_args(r) : 0;
}

int sl_df_parse_string(req *r)
{
        if (!r->args[0])
                return sl_df_perr(r->p, r->kw_off, "%s requires exactly one argument", sl_df_kind_name(r->in->kind));
        if (r->in->kind == SL_DF_STOPSIGNAL && !sl_df_has_var(r->args)) {
                int sig;
                sl_error e;
                if (sl_df_parse_signal(r->args, &sig, &e) < 0)
                        return sl_df_perr(r->p, r->args_off, "STOPSIGNAL: %s", e.msg);
        }
        r->in->u.str = sl_xstrdup(r->args);
        return 0;
}
