#include "builder/dockerfile/lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/words.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

/* Physical lines of the input, without their "\n" / "\r\n". */
typedef struct source {
        const char *data;
        size_t len, pos;
        int lineno;  /* of the line last returned */
        bool cr;     /* it ended in "\r\n" */
} source;

static bool next_line(source *src, const char **line, size_t *n)
{
        if (src->pos >= src->len)
                return false;
        const char *start = src->data + src->pos;
        const char *nl = memchr(start, '\n', src->len - src->pos);
        size_t l = nl ? (size_t)(nl - start) : src->len - src->pos;
        src->pos += l + (nl ? 1 : 0);
        if (src->lineno == 0 && l >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0)
                start += 3, l -= 3; /* a UTF-8 byte order mark */
        src->cr = l > 0 && start[l - 1] == '\r';
        if (src->cr)
                l--;
        src->lineno++;
        *line = start;
        *n = l;
        return true;
}

static size_t leading_ws(const char *s, size_t n)
{
        size_t i = 0;
        while (i < n && sl_df_is_blank(s[i]))
                i++;
        return i;
}

static bool is_comment(const char *s, size_t n)
{
        size_t i = leading_ws(s, n);
        return i < n && s[i] == '#';
}

/* Strips a trailing escape char (plus blanks after it); true if found.
 * An escape char right before it makes it literal ("echo \\\\"). */
static bool trim_continuation(const char *s, size_t *n, char esc)
{
        size_t e = *n;
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
                e--;
        if (e > 0 && s[e - 1] == esc && (e == 1 || s[e - 2] != esc)) {
                *n = e - 1;
                return true;
        }
        return false;
}

/* "# name = value": returns false when the line is no directive. */
static bool match_directive(const char *s, size_t n, char **key, char **value)
{
        size_t i = 0;
        if (n == 0 || s[0] != '#')
                return false;
        i = 1;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        size_t ks = i;
        if (i >= n || !isalpha((unsigned char)s[i]))
                return false;
        while (i < n && isalnum((unsigned char)s[i]))
                i++;
        size_t ke = i;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i >= n || s[i] != '=')
                return false;
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        size_t ve = n;
        while (ve > i && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
                ve--;
        if (ve == i)
                return false;
        *key = sl_xstrndup(s + ks, ke - ks);
        for (char *p = *key; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        *value = sl_xstrndup(s + i, ve - i);
        return true;
}

typedef struct lexstate {
        const char *name;
        sl_df_directives *dirs;
        bool directives_done;
        sl_error *err;
} lexstate;

/* Returns 1 when the line was a directive, 0 when not, -1 on error. */
static int try_directive(lexstate *st, const char *s, size_t n, int lineno)
{
        if (st->directives_done)
                return 0;
        _cleanup_free_ char *key = NULL, *value = NULL;
        if (!match_directive(s, n, &key, &value)) {
                st->directives_done = true;
                return 0;
        }
        char **slot;
        int *line;
        if (strcmp(key, "syntax") == 0) {
                slot = &st->dirs->syntax, line = &st->dirs->syntax_line;
        } else if (strcmp(key, "check") == 0) {
                slot = &st->dirs->check, line = &st->dirs->check_line;
        } else if (strcmp(key, "escape") == 0) {
                if (st->dirs->escape_line)
                        return sl_err(st->err, 0, "%s:%d:1: only one escape parser directive can be used",
                                      st->name, lineno);
                if (strcmp(value, "\\") != 0 && strcmp(value, "`") != 0)
                        return sl_err(st->err, 0, "%s:%d:1: invalid escape token '%s': expected ` or \\",
                                      st->name, lineno, value);
                st->dirs->escape = value[0];
                st->dirs->escape_line = lineno;
                return 1;
        } else {
                /* Unknown directives are comments and end the directive block. */
                st->directives_done = true;
                return 0;
        }
        if (*slot)
                return sl_err(st->err, 0, "%s:%d:1: only one %s parser directive can be used",
                              st->name, lineno, key);
        *slot = SL_STEAL(value);
        *line = lineno;
        return 1;
}

bool sl_df_keyword_takes_heredocs(const char *kw, size_t len)
{
        return (len == 3 && (strncasecmp(kw, "run", 3) == 0 || strncasecmp(kw, "add", 3) == 0)) ||
               (len == 4 && strncasecmp(kw, "copy", 4) == 0);
}

/* RUN, COPY and ADD (also as an ONBUILD trigger) read heredocs, except
 * in JSON form. */
static bool line_takes_heredocs(const char *text)
{
        if (!strstr(text, "<<"))
                return false;
        const char *kw = text;
        size_t n = strcspn(kw, " \t\v\f\r");
        if (n == 7 && strncasecmp(kw, "onbuild", 7) == 0) {
                kw += n;
                kw += strspn(kw, " \t\v\f\r");
                n = strcspn(kw, " \t\v\f\r");
        }
        if (!sl_df_keyword_takes_heredocs(kw, n))
                return false;
        const char *rest = kw + n;
        rest += strspn(rest, " \t\v\f\r");
        sl_df_word *flags;
        size_t nf, off;
        sl_df_extract_flags(rest, &flags, &nf, &off);
        sl_df_words_free(flags, nf);
        char **json = NULL;
        bool is_json = rest[off] == '[' && sl_df_parse_json_strings(rest + off, &json) > 0;
        sl_strv_free(json);
        return !is_json;
}

void sl_df_pos(const sl_df_line *l, size_t off, int *line, int *column)
{
        const sl_df_seg *s = &l->segs[0];
        for (size_t i = 1; i < l->n_segs && l->segs[i].off <= off; i++)
                s = &l->segs[i];
        *line = s->line;
        *column = s->column + (int)(off - s->off);
}

/* Recognizes "[N]<<[-]WORD" in a raw (quotes kept) word. Returns false when
 * the word opens no heredoc. */
static bool parse_heredoc_word(const char *w, sl_df_heredoc *h)
{
        const char *p = w;
        int fd = -1;
        if (isdigit((unsigned char)*p)) {
                fd = 0;
                while (isdigit((unsigned char)*p) && fd < 1000)
                        fd = fd * 10 + (*p++ - '0');
        }
        if (p[0] != '<' || p[1] != '<')
                return false;
        p += 2;
        bool chomp = false;
        if (*p == '-')
                chomp = true, p++;
        if (*p == '\0' || strchr(p, '<'))
                return false;
        sl_strbuf b = {0};
        bool quoted = false;
        char quote = 0;
        for (; *p; p++) {
                if (!quote && (*p == '\'' || *p == '"')) {
                        quote = *p, quoted = true;
                        continue;
                }
                if (quote && *p == quote) {
                        quote = 0;
                        continue;
                }
                if (*p == '\\' && quote != '\'' && p[1]) {
                        quoted = true;
                        p++;
                }
                sl_strbuf_addc(&b, *p);
        }
        if (b.len == 0) {
                sl_strbuf_free(&b);
                return false;
        }
        *h = (sl_df_heredoc){.name = sl_strbuf_steal(&b), .expand = !quoted, .chomp = chomp, .fd = fd};
        return true;
}

static void strip_tabs(sl_strbuf *b, const char *s, size_t n)
{
        size_t i = 0;
        while (i < n && s[i] == '\t')
                i++;
        sl_strbuf_addn(b, s + i, n - i);
}

/* Reads the bodies of the heredocs the logical line opens. */
static int read_heredocs(lexstate *st, source *src, sl_df_line *l, char esc)
{
        sl_df_word *words;
        size_t nw;
        sl_df_split_quoted(l->text, esc, &words, &nw);
        int rc = 0;
        for (size_t i = 0; i < nw && rc == 0; i++) {
                sl_df_heredoc h;
                if (!parse_heredoc_word(words[i].text, &h))
                        continue;
                sl_df_pos(l, words[i].off, &h.line, &h.column);
                sl_strbuf body = {0};
                bool terminated = false;
                const char *s;
                size_t n;
                while (next_line(src, &s, &n)) {
                        /* within the line: the text is not NUL-terminated here */
                        size_t t = 0;
                        while (h.chomp && t < n && s[t] == '\t')
                                t++;
                        if (n - t == strlen(h.name) && memcmp(s + t, h.name, n - t) == 0) {
                                terminated = true;
                                break;
                        }
                        if (h.chomp)
                                strip_tabs(&body, s, n);
                        else
                                sl_strbuf_addn(&body, s, n);
                        sl_strbuf_adds(&body, src->cr ? "\r\n" : "\n");
                }
                h.content = sl_strbuf_steal(&body);
                l->heredocs = sl_xrealloc(l->heredocs, (l->n_heredocs + 1) * sizeof *l->heredocs);
                l->heredocs[l->n_heredocs++] = h;
                if (!terminated)
                        rc = sl_err(st->err, 0, "%s:%d:%d: unterminated heredoc \"%s\": no line \"%s\" before the end of the file",
                                    st->name, h.line, h.column, h.name, h.name);
        }
        sl_df_words_free(words, nw);
        l->end_line = src->lineno;
        return rc;
}

static void add_seg(sl_df_line *l, size_t off, int line, int column)
{
        l->segs = sl_xrealloc(l->segs, (l->n_segs + 1) * sizeof *l->segs);
        l->segs[l->n_segs++] = (sl_df_seg){off, line, column};
}

typedef struct linelist {
        sl_df_line *v;
        size_t n, cap;
} linelist;

static sl_df_line *new_line(linelist *ll)
{
        if (ll->n == ll->cap) {
                ll->cap = ll->cap ? ll->cap * 2 : 32;
                ll->v = sl_xrealloc(ll->v, ll->cap * sizeof *ll->v);
        }
        sl_df_line *l = &ll->v[ll->n++];
        memset(l, 0, sizeof *l);
        return l;
}

int sl_df_lex(const char *data, size_t len, const char *name, sl_df_directives *dirs,
              sl_df_line **lines, size_t *n_lines, sl_error *err)
{
        memset(dirs, 0, sizeof *dirs);
        dirs->escape = '\\';
        lexstate st = {.name = name, .dirs = dirs, .err = err};
        source src = {.data = data, .len = len};
        linelist ll = {0};
        const char *s;
        size_t n;
        while (next_line(&src, &s, &n)) {
                int lineno = src.lineno;
                size_t lw = leading_ws(s, n);
                int d = try_directive(&st, s + lw, n - lw, lineno);
                if (d < 0)
                        goto fail;
                if (d > 0 || is_comment(s, n))
                        continue;
                char esc = dirs->escape;
                size_t tn = n - lw;
                bool cont = trim_continuation(s + lw, &tn, esc);
                if (!cont && tn == 0)
                        continue;
                sl_strbuf text = {0};
                sl_df_line *l = new_line(&ll);
                l->start_line = lineno;
                add_seg(l, 0, lineno, (int)lw + 1);
                sl_strbuf_addn(&text, s + lw, tn);
                while (cont && next_line(&src, &s, &n)) {
                        /* Directives are over once an instruction started. */
                        st.directives_done = true;
                        if (is_comment(s, n))
                                continue;
                        if (leading_ws(s, n) == n) {
                                if (!l->empty_continuation)
                                        l->empty_continuation = src.lineno;
                                continue;
                        }
                        size_t cn = n;
                        cont = trim_continuation(s, &cn, esc);
                        add_seg(l, text.len, src.lineno, 1);
                        sl_strbuf_addn(&text, s, cn);
                }
                st.directives_done = true;
                l->text = sl_strbuf_steal(&text);
                l->end_line = src.lineno;
                if (line_takes_heredocs(l->text) && read_heredocs(&st, &src, l, esc) < 0)
                        goto fail;
        }
        *lines = ll.v;
        *n_lines = ll.n;
        return 0;
fail:
        sl_df_lines_free(ll.v, ll.n);
        sl_df_directives_free(dirs);
        return -1;
}

void sl_df_heredocs_free(sl_df_heredoc *h, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(h[i].name);
                free(h[i].content);
        }
        free(h);
}

void sl_df_lines_free(sl_df_line *lines, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(lines[i].text);
                free(lines[i].segs);
                sl_df_heredocs_free(lines[i].heredocs, lines[i].n_heredocs);
        }
        free(lines);
}

void sl_df_directives_free(sl_df_directives *d)
{
        free(d->syntax);
        free(d->check);
        d->syntax = d->check = NULL;
}
