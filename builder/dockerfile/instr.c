#include "builder/dockerfile/instr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/flags.h"
#include "builder/dockerfile/mount.h"
#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "builder/dockerfile/words.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

/* What one instruction's parser gets. */
typedef struct req {
        const sl_df_pctx *p;
        sl_df_instr *in;
        sl_df_flags flags;
        const char *args;      /* trimmed argument text (after flags) */
        size_t args_off;       /* its offset in the line */
        size_t kw_off;
} req;

static int need_args(const req *r)
{
        return sl_df_perr(r->p, r->kw_off, "%s requires at least one argument", sl_df_kind_name(r->in->kind));
}

static int flag_err(const req *r, const sl_df_flag *f, const sl_error *e)
{
        return sl_df_perr(r->p, f->off, "%s --%s: %s", sl_df_kind_name(r->in->kind), f->name, e->msg);
}

static char *flag_dup(const req *r, const char *name)
{
        const sl_df_flag *f = sl_df_flags_get(&r->flags, name);
        return f ? sl_xstrdup(f->value) : NULL;
}

/* 1 with *v for a JSON array of strings, 0 for anything else (shell
 * form), -1 (reported) for a JSON array of other things. */
static int json_args(const req *r, char ***v)
{
        int j = r->args[0] == '[' ? sl_df_parse_json_strings(r->args, v) : 0;
        if (j < 0)
                return sl_df_perr(r->p, r->args_off, "%s: when using JSON array syntax, arrays must be "
                                  "comprised of strings only", sl_df_kind_name(r->in->kind));
        return j;
}

/* JSON array of strings, or shell form (one string). */
static int maybe_json(const req *r, sl_df_command *c)
{
        char **v;
        int j = json_args(r, &v);
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

static int parse_from(req *r)
{
        sl_df_word *w;
        size_t n;
        sl_df_split_blanks(r->args, &w, &n);
        int rc = 0;
        if (n == 0) {
                rc = need_args(r);
        } else if (n == 2 || n > 3 || (n == 3 && strcasecmp(w[1].text, "as") != 0)) {
                rc = sl_df_perr(r->p, r->args_off + w[1].off,
                                "FROM expects \"FROM [--platform=PLATFORM] IMAGE [AS NAME]\", got \"%s\"", r->args);
        } else {
                r->in->u.from.image = sl_xstrdup(w[0].text);
                if (n == 3) {
                        const char *name = w[2].text;
                        bool valid = isalpha((unsigned char)name[0]);
                        for (const char *c = name; *c && valid; c++)
                                valid = isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.';
                        if (!valid) {
                                rc = sl_df_perr(r->p, r->args_off + w[2].off,
                                                "invalid stage name \"%s\": a name starts with a letter and "
                                                "has only letters, digits, \"-\", \"_\" and \".\"", name);
                        } else {
                                r->in->u.from.as_keyword = sl_xstrdup(w[1].text);
                                r->in->u.from.name_as_written = sl_xstrdup(name);
                                char *lower = sl_xstrdup(name);
                                for (char *c = lower; *c; c++)
                                        *c = (char)tolower((unsigned char)*c);
                                r->in->u.from.name = lower;
                        }
                }
                r->in->u.from.platform = flag_dup(r, "platform");
        }
        sl_df_words_free(w, n);
        return rc;
}

static int parse_run(req *r)
{
        sl_df_instr *in = r->in;
        if (!r->args[0])
                return need_args(r);
        if (maybe_json(r, &in->u.run.cmd) < 0)
                return -1;
        if (in->u.run.cmd.argc == 0)
                return need_args(r);
        for (size_t i = 0; i < r->flags.n; i++) {
                const sl_df_flag *f = &r->flags.v[i];
                sl_error e;
                if (strcmp(f->name, "mount") == 0) {
                        sl_df_mount m;
                        if (sl_df_mount_parse(f->value, NULL, &m, &e) < 0)
                                return flag_err(r, f, &e);
                        in->u.run.mounts = sl_xrealloc(in->u.run.mounts, (in->u.run.n_mounts + 1) * sizeof m);
                        in->u.run.mounts[in->u.run.n_mounts++] = m;
                } else if (strcmp(f->name, "network") == 0) {
                        if (strcmp(f->value, "default") == 0)
                                in->u.run.network = SL_DF_NET_DEFAULT;
                        else if (strcmp(f->value, "none") == 0)
                                in->u.run.network = SL_DF_NET_NONE;
                        else if (strcmp(f->value, "host") == 0)
                                in->u.run.network = SL_DF_NET_HOST;
                        else
                                return sl_df_perr(r->p, f->off, "RUN --network: invalid mode \"%s\": expected "
                                                  "default, none or host", f->value);
                } else if (strcmp(f->name, "security") == 0) {
                        if (strcmp(f->value, "sandbox") == 0)
                                in->u.run.security = SL_DF_SECURITY_SANDBOX;
                        else if (strcmp(f->value, "insecure") == 0)
                                in->u.run.security = SL_DF_SECURITY_INSECURE;
                        else
                                return sl_df_perr(r->p, f->off, "RUN --security: invalid mode \"%s\": expected "
                                                  "sandbox or insecure", f->value);
                }
        }
        return 0;
}

static int parse_cmd(req *r)
{
        if (!r->args[0])
                return need_args(r);
        return maybe_json(r, &r->in->u.cmd);
}

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
        uint32_t mode;
        sl_error e;
        if (f && !sl_df_has_var(f->value) && sl_df_parse_mode(f->value, &mode, &e) < 0)
                return flag_err(r, f, &e);
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

static int parse_copy(req *r)
{
        sl_df_instr *in = r->in;
        sl_df_copy *c = &in->u.copy;
        const char *kn = sl_df_kind_name(in->kind);
        char **json;
        sl_df_word *w = NULL;
        size_t n = 0;
        int j = json_args(r, &json);
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
                rc = need_args(r);
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
        c->from = flag_dup(r, "from");
        c->chown = flag_dup(r, "chown");
        c->chmod = flag_dup(r, "chmod");
        c->checksum = flag_dup(r, "checksum");
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

static void push_kv(sl_df_instr *in, char *key, char *value)
{
        in->u.kv.items = sl_xrealloc(in->u.kv.items, (in->u.kv.n + 1) * sizeof *in->u.kv.items);
        in->u.kv.items[in->u.kv.n++] = (sl_df_kv){key, value};
}

/* ENV and LABEL: "K=V ..." or the legacy "K V with spaces". */
static int parse_kv(req *r)
{
        sl_df_instr *in = r->in;
        const char *kn = sl_df_kind_name(in->kind);
        sl_df_word *w;
        size_t n;
        sl_df_split_quoted(r->args, r->p->esc, &w, &n);
        int rc = 0;
        if (n == 0) {
                rc = need_args(r);
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

static int parse_arg(req *r)
{
        sl_df_word *w;
        size_t n;
        sl_df_split_quoted(r->args, r->p->esc, &w, &n);
        int rc = n == 0 ? need_args(r) : 0;
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

static int parse_expose(req *r)
{
        sl_df_word *w;
        size_t n;
        sl_df_split_blanks(r->args, &w, &n);
        int rc = n == 0 ? need_args(r) : 0;
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

static int parse_volume(req *r)
{
        char **json;
        int j = json_args(r, &json);
        if (j < 0)
                return -1;
        if (j) {
                r->in->u.list.exec_form = true;
                r->in->u.list.items = json;
                r->in->u.list.n = sl_strv_len(json);
                if (r->in->u.list.n == 0)
                        return need_args(r);
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
        return n == 0 ? need_args(r) : 0;
}

static int parse_shell(req *r)
{
        char **json;
        if (!r->args[0])
                return need_args(r);
        int j = json_args(r, &json);
        if (j < 0)
                return -1;
        if (!j)
                return sl_df_perr(r->p, r->args_off, "SHELL requires the arguments in JSON form, such as "
                                  "SHELL [\"/bin/sh\", \"-c\"]");
        r->in->u.list.exec_form = true;
        r->in->u.list.items = json;
        r->in->u.list.n = sl_strv_len(json);
        if (r->in->u.list.n == 0)
                return sl_df_perr(r->p, r->args_off, "SHELL requires at least one element, such as [\"/bin/sh\", \"-c\"]");
        return 0;
}

static int parse_string(req *r)
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

static int health_duration(const req *r, const char *name, int64_t *out)
{
        const sl_df_flag *f = sl_df_flags_get(&r->flags, name);
        sl_error e;
        if (!f)
                return 0;
        if (sl_df_parse_duration(f->value, out, &e) < 0)
                return flag_err(r, f, &e);
        if (*out != 0 && *out < 1000000)
                return sl_df_perr(r->p, f->off, "HEALTHCHECK --%s: %s is below the minimum of 1ms (0 means "
                                  "inherit)", name, f->value);
        return 0;
}

static int parse_healthcheck(req *r)
{
        sl_df_health *h = &r->in->u.health;
        if (!r->args[0])
                return need_args(r);
        size_t k = strcspn(r->args, " \t\v\f\r");
        const char *rest = r->args + k;
        while (sl_df_is_blank(*rest))
                rest++;
        if (k == 4 && strncasecmp(r->args, "NONE", 4) == 0) {
                if (*rest)
                        return sl_df_perr(r->p, r->args_off + (size_t)(rest - r->args), "HEALTHCHECK NONE takes no arguments");
                h->none = true;
                return 0;
        }
        if (k != 3 || strncasecmp(r->args, "CMD", 3) != 0)
                return sl_df_perr(r->p, r->args_off, "HEALTHCHECK: unknown type \"%.*s\": expected CMD or NONE",
                                  (int)k, r->args);
        if (!*rest)
                return sl_df_perr(r->p, r->args_off, "HEALTHCHECK CMD needs a command");
        req sub = *r;
        sub.args = rest;
        sub.args_off = r->args_off + (size_t)(rest - r->args);
        if (maybe_json(&sub, &h->cmd) < 0)
                return -1;
        if (h->cmd.argc == 0)
                return sl_df_perr(r->p, sub.args_off, "HEALTHCHECK CMD needs a command");
        if (health_duration(r, "interval", &h->interval_ns) < 0 || health_duration(r, "timeout", &h->timeout_ns) < 0 ||
            health_duration(r, "start-period", &h->start_period_ns) < 0 ||
            health_duration(r, "start-interval", &h->start_interval_ns) < 0)
                return -1;
        const sl_df_flag *f = sl_df_flags_get(&r->flags, "retries");
        if (f) {
                uint32_t n;
                sl_error e;
                if (sl_df_parse_uint32(f->value, &n, &e) < 0 || n < 1 || n > INT32_MAX)
                        return sl_df_perr(r->p, f->off, "HEALTHCHECK --retries: invalid count \"%s\": expected an "
                                          "integer of at least 1", f->value);
                h->retries = (int)n;
        }
        return 0;
}

static int parse_onbuild(req *r)
{
        if (!r->args[0])
                return need_args(r);
        size_t k = strcspn(r->args, " \t\v\f\r");
        _cleanup_free_ char *kw = sl_xstrndup(r->args, k);
        int kind = sl_df_kind_from_name(kw);
        if (kind == SL_DF_ONBUILD)
                return sl_df_perr(r->p, r->args_off, "chaining ONBUILD via \"ONBUILD ONBUILD\" isn't allowed");
        if (kind == SL_DF_FROM || kind == SL_DF_MAINTAINER)
                return sl_df_perr(r->p, r->args_off, "%s isn't allowed as an ONBUILD trigger", sl_df_kind_name(kind));
        sl_df_instr *t = sl_xcalloc(1, sizeof *t);
        /* The trigger owns copies of the heredocs it reads (COPY <<EOF). */
        t->n_heredocs = r->in->n_heredocs;
        t->heredocs = t->n_heredocs ? sl_xcalloc(t->n_heredocs, sizeof *t->heredocs) : NULL;
        for (size_t i = 0; i < t->n_heredocs; i++) {
                t->heredocs[i] = r->in->heredocs[i];
                t->heredocs[i].name = sl_xstrdup(r->in->heredocs[i].name);
                t->heredocs[i].content = sl_xstrdup(r->in->heredocs[i].content);
        }
        if (sl_df_parse_instr(r->p, r->args_off, t) < 0) {
                free(t);
                return -1;
        }
        r->in->u.onbuild.trigger = t;
        /* The image config keeps the trigger as text, bodies included. */
        sl_strbuf b = {0};
        sl_strbuf_adds(&b, r->args);
        for (size_t i = 0; i < r->in->n_heredocs; i++) {
                sl_strbuf_addc(&b, '\n');
                sl_strbuf_adds(&b, r->in->heredocs[i].content);
                sl_strbuf_adds(&b, r->in->heredocs[i].name);
        }
        r->in->u.onbuild.expression = sl_strbuf_steal(&b);
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
        case SL_DF_FROM: rc = parse_from(&r); break;
        case SL_DF_RUN: rc = parse_run(&r); break;
        case SL_DF_CMD:
        case SL_DF_ENTRYPOINT: rc = parse_cmd(&r); break;
        case SL_DF_COPY:
        case SL_DF_ADD: rc = parse_copy(&r); break;
        case SL_DF_ENV:
        case SL_DF_LABEL: rc = parse_kv(&r); break;
        case SL_DF_ARG: rc = parse_arg(&r); break;
        case SL_DF_EXPOSE: rc = parse_expose(&r); break;
        case SL_DF_VOLUME: rc = parse_volume(&r); break;
        case SL_DF_SHELL: rc = parse_shell(&r); break;
        case SL_DF_WORKDIR:
        case SL_DF_USER:
        case SL_DF_STOPSIGNAL:
        case SL_DF_MAINTAINER: rc = parse_string(&r); break;
        case SL_DF_HEALTHCHECK: rc = parse_healthcheck(&r); break;
        case SL_DF_ONBUILD: rc = parse_onbuild(&r); break;
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
