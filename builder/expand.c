#include "builder/expand.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/strbuf.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

/* Nesting of ${...} deeper than this is refused rather than recursed. */
#define MAX_DEPTH 64
/* Hostile input must not exhaust the builder: an expansion may produce at
 * most this much text ("ENV A=$A$A" thirty times would ask for 16 GiB)... */
#define MAX_EXPANSION (1u << 20)
/* ...and a #, %, / pattern may cost at most this many bytes of matching. */
#define MAX_MATCH_WORK (1ull << 24)

/* Where expanded text goes: one string, or fields split at whitespace. */
typedef struct sink {
        bool split;
        bool pattern;   /* a ${VAR#pattern}: quoted text must stay literal */
        sl_strbuf cur;
        sl_svec fields;
        size_t total;   /* bytes produced, for MAX_EXPANSION */
} sink;

/* Quoted or escaped text: never split, and literal inside a pattern. */
static void sink_raw(sink *k, const char *s, size_t n)
{
        k->total += n;
        for (size_t i = 0; k->pattern && i < n; i++) {
                if (strchr("*?[]\\", s[i]))
                        sl_strbuf_addc(&k->cur, '\\');
                sl_strbuf_addc(&k->cur, s[i]);
        }
        if (!k->pattern)
                sl_strbuf_addn(&k->cur, s, n);
}

static void sink_end_field(sink *k)
{
        if (k->cur.len > 0)
                sl_svec_push(&k->fields, sl_strbuf_steal(&k->cur));
}

/* Unquoted text: in field mode its whitespace separates fields. */
static void sink_split(sink *k, const char *s, size_t n)
{
        k->total += n;
        if (!k->split) {
                sl_strbuf_addn(&k->cur, s, n);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                if (isspace((unsigned char)s[i]))
                        sink_end_field(k);
                else
                        sl_strbuf_addc(&k->cur, s[i]);
        }
}

typedef struct lexer {
        const char *s;
        size_t i;
        const sl_expand_env *env;
        char esc;
        int depth;
        sl_error *err;
} lexer;

static int process(lexer *lx, const char *stops, char *found, sink *out);

static int check_size(lexer *lx, const sink *k)
{
        if (k->total <= MAX_EXPANSION)
                return 0;
        return sl_err(lx->err, E2BIG, "the expansion is longer than %u bytes (a variable that doubles itself?)",
                      MAX_EXPANSION);
}

static const char *lookup(lexer *lx, const char *name)
{
        const char *v = lx->env && lx->env->lookup ? lx->env->lookup(lx->env->ctx, name) : NULL;
        if (!v && lx->env && lx->env->on_unset)
                lx->env->on_unset(lx->env->unset_ctx, name);
        return v;
}

static bool is_name_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool is_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }
static bool is_special_param(char c) { return c && strchr("*#@!?-$", c) != NULL; }

/* A name after '$': letters/digits/_, a run of digits, or one special char. */
static char *read_name(lexer *lx)
{
        const char *s = lx->s;
        size_t start = lx->i;
        if (isdigit((unsigned char)s[lx->i])) {
                while (isdigit((unsigned char)s[lx->i]))
                        lx->i++;
        } else if (is_special_param(s[lx->i])) {
                lx->i++;
        } else if (is_name_start(s[lx->i])) {
                while (is_name_char(s[lx->i]))
                        lx->i++;
        }
        return sl_xstrndup(s + start, lx->i - start);
}

/* The word of ${NAME<op>word}, expanded as one string up to one of stops
 * (default "}"); as_pattern keeps quoted glob characters literal. */
static int read_modifier_word(lexer *lx, const char *name, const char *stops, bool as_pattern, char *found,
                              char **word)
{
        if (++lx->depth > MAX_DEPTH)
                return sl_err(lx->err, 0, "${%s...}: substitutions nested too deeply", name);
        sink k = {.split = false, .pattern = as_pattern};
        int r = process(lx, stops ? stops : "}", found, &k);
        lx->depth--;
        if (r < 0) {
                sl_strbuf_free(&k.cur);
                return -1;
        }
        *word = sl_strbuf_steal(&k.cur);
        return 0;
}

/* Shell-glob matching ('*' crossing '/') of parts of one value. fnmatch
 * needs a C string, so the value is copied once and cut with a NUL in
 * place. A pattern without '*' or '[' matches exactly `fixed` bytes, so
 * only that length is tried; other patterns try every length, within a
 * budget, so a long value cannot make a #, % or / take hours. */
typedef struct glob {
        lexer *lx;
        const char *name;
        const char *pat;
        ssize_t fixed;     /* the only length that can match, or -1 */
        char first;        /* the literal the pattern starts with, or 0 */
        char *buf;
        size_t n;
        uint64_t budget;
} glob;

static ssize_t fixed_length(const char *p)
{
        ssize_t len = 0;
        for (; *p; p++, len++) {
                if (*p == '*' || *p == '[')
                        return -1;
                if (*p == '\\' && !*++p)
                        return -1;
        }
        return len;
}

static void glob_init(glob *g, lexer *lx, const char *name, const char *pat, const char *v)
{
        *g = (glob){.lx = lx, .name = name, .pat = pat, .fixed = fixed_length(pat), .buf = sl_xstrdup(v),
                    .n = strlen(v), .budget = MAX_MATCH_WORK};
        if (pat[0] == '\\')
                g->first = pat[1];
        else if (!strchr("*?[", pat[0]))
                g->first = pat[0];
}

/* Whether the pattern matches buf[off, off + len) entirely: 1, 0, or -1
 * with the error set when the budget is spent. */
static int glob_at(glob *g, size_t off, size_t len)
{
        if (g->fixed >= 0 && len != (size_t)g->fixed)
                return 0;
        if (g->first && (len == 0 || g->buf[off] != g->first))
                return 0;  /* free: spares the budget for where a match can start */
        if (len + 1 > g->budget)
                return sl_err(g->lx->err, E2BIG, "${%s...}: the pattern costs too much to match against a %zu-byte value",
                              g->name, g->n);
        g->budget -= len + 1;
        char saved = g->buf[off + len];
        g->buf[off + len] = '\0';
        bool hit = fnmatch(g->pat, g->buf + off, 0) == 0;
        g->buf[off + len] = saved;
        return hit;
}

/* ${V#p} ${V##p}: strip the shortest/longest matching prefix;
 * ${V%p} ${V%%p}: the shortest/longest matching suffix. */
static char *strip(glob *g, bool prefix, bool longest)
{
        size_t n = g->n;
        for (size_t k = 0; k <= n; k++) {
                size_t len = longest ? n - k : k; /* the length of the part to remove */
                if (g->fixed >= 0) {
                        if ((size_t)g->fixed > n)
                                break;
                        len = (size_t)g->fixed, k = n;
                }
                int r = glob_at(g, prefix ? 0 : n - len, len);
                if (r < 0)
                        return NULL;
                if (r)
                        return prefix ? sl_xstrdup(g->buf + len) : sl_xstrndup(g->buf, n - len);
        }
        return sl_xstrdup(g->buf);
}

/* ${V/p/r} replaces the first longest match of p; ${V//p/r} every one. */
static char *replace(glob *g, const char *rep, bool all)
{
        sl_strbuf b = {0};
        size_t n = g->n, i = 0, rlen = strlen(rep);
        bool done = false;
        while (i < n) {
                size_t len = 0;
                int hit = 0;
                if (!done)
                        for (len = g->fixed >= 0 ? (size_t)g->fixed : n - i; len > 0 && len <= n - i; len--) {
                                hit = glob_at(g, i, len);
                                if (hit || g->fixed >= 0)
                                        break;
                        }
                if (hit > 0 && b.len + rlen > MAX_EXPANSION)
                        hit = sl_err(g->lx->err, E2BIG, "${%s/...}: the result is longer than %u bytes", g->name,
                                     MAX_EXPANSION);
                if (hit < 0) {
                        sl_strbuf_free(&b);
                        return NULL;
                }
                if (hit > 0) {
                        sl_strbuf_adds(&b, rep);
                        i += len;
                        done = !all;
                } else {
                        sl_strbuf_addc(&b, g->buf[i++]);
                }
        }
        return sl_strbuf_steal(&b);
}

/* At '#', '%' or '/' after ${NAME. */
static char *process_pattern_op(lexer *lx, const char *name, char op)
{
        bool twice = lx->s[lx->i + 1] == op;
        lx->i += twice ? 2 : 1;
        _cleanup_free_ char *pat = NULL, *rep = NULL;
        char found = '}';
        if (read_modifier_word(lx, name, op == '/' ? "/}" : "}", true, &found, &pat) < 0)
                return NULL;
        if (op == '/' && found == '/' && read_modifier_word(lx, name, NULL, false, NULL, &rep) < 0)
                return NULL;
        const char *v = lookup(lx, name);
        if (!v)
                v = "";
        if (op == '/' && !pat[0])
                return sl_xstrdup(v);
        glob g;
        glob_init(&g, lx, name, pat, v);
        char *res = op == '/' ? replace(&g, rep ? rep : "", twice) : strip(&g, op == '#', twice);
        free(g.buf);
        return res;
}

/* At '{' after '$': returns the substituted value (owned) or NULL on error. */
static char *process_braced(lexer *lx)
{
        size_t open = lx->i - 1; /* the '$' */
        lx->i++;                 /* '{' */
        _cleanup_free_ char *name = read_name(lx);
        if (name[0] == '\0') {
                sl_err(lx->err, 0, "bad substitution at \"%.20s\": expected a variable name after \"${\"",
                       lx->s + open);
                return NULL;
        }
        char c = lx->s[lx->i];
        if (c == '}') {
                lx->i++;
                const char *v = lookup(lx, name);
                return sl_xstrdup(v ? v : "");
        }
        if (c == '\0') {
                sl_err(lx->err, 0, "missing \"}\" in substitution \"%s\"", lx->s + open);
                return NULL;
        }
        if (c == '#' || c == '%' || c == '/')
                return process_pattern_op(lx, name, c);
        bool colon = false;
        if (c == ':') {
                colon = true;
                c = lx->s[++lx->i];
        }
        if (c != '-' && c != '+' && c != '?') {
                sl_err(lx->err, 0, "unsupported modifier \"%s%c\" in substitution ${%s...}: expected one of "
                       ":- - :+ + :? ? # ## %% %%%% / //", colon ? ":" : "", c ? c : ' ', name);
                return NULL;
        }
        lx->i++;
        _cleanup_free_ char *word = NULL;
        if (read_modifier_word(lx, name, NULL, false, NULL, &word) < 0)
                return NULL;
        const char *v = lookup(lx, name);
        bool usable = v && (!colon || v[0] != '\0');
        switch (c) {
        case '-':
                return sl_xstrdup(usable ? v : word);
        case '+':
                return sl_xstrdup(usable ? word : "");
        default: /* '?' */
                if (usable)
                        return sl_xstrdup(v);
                if (word[0])
                        sl_err(lx->err, 0, "%s: %s", name, word);
                else
                        sl_err(lx->err, 0, "%s: is not allowed to be %s", name,
                               v ? "empty" : "unset");
                return NULL;
        }
}

/* At '$': returns the expansion (owned), or NULL with the error set. */
static char *process_dollar(lexer *lx)
{
        lx->i++;
        char c = lx->s[lx->i];
        if (c == '{')
                return process_braced(lx);
        _cleanup_free_ char *name = read_name(lx);
        if (name[0] == '\0')
                return sl_xstrdup("$"); /* a lone '$' is literal */
        const char *v = lookup(lx, name);
        return sl_xstrdup(v ? v : "");
}

static int process_single_quote(lexer *lx, sink *out)
{
        size_t start = ++lx->i;
        const char *end = strchr(lx->s + start, '\'');
        if (!end)
                return sl_err(lx->err, 0, "unexpected end of statement while looking for matching single-quote");
        sink_raw(out, lx->s + start, (size_t)(end - (lx->s + start)));
        /* An empty '' still makes a (possibly empty) word in field mode;
         * Docker drops empty fields too, so nothing more to record. */
        lx->i = (size_t)(end - lx->s) + 1;
        return 0;
}

static int process_double_quote(lexer *lx, sink *out)
{
        lx->i++;
        for (;;) {
                char c = lx->s[lx->i];
                if (c == '\0')
                        return sl_err(lx->err, 0, "unexpected end of statement while looking for matching double-quote");
                if (c == '"') {
                        lx->i++;
                        return 0;
                }
                if (c == '$') {
                        _cleanup_free_ char *v = process_dollar(lx);
                        if (!v)
                                return -1;
                        sink_raw(out, v, strlen(v));
                        if (check_size(lx, out) < 0)
                                return -1;
                        continue;
                }
                lx->i++;
                if (c == lx->esc) {
                        char n = lx->s[lx->i];
                        if (n == '\0')
                                continue; /* a trailing escape is dropped */
                        if (n == '"' || n == '$' || n == lx->esc) {
                                lx->i++;
                                c = n;
                        }
                }
                sink_raw(out, &c, 1);
        }
}

/* Processes text up to one of stops (consumed, stored in *found) or, when
 * stops is NULL, to the end. */
static int process(lexer *lx, const char *stops, char *found, sink *out)
{
        for (;;) {
                char c = lx->s[lx->i];
                if (c == '\0') {
                        if (stops)
                                return sl_err(lx->err, 0, "missing \"}\" in substitution");
                        return 0;
                }
                if (stops && strchr(stops, c)) {
                        lx->i++;
                        if (found)
                                *found = c;
                        return 0;
                }
                bool quotes = !(lx->env && lx->env->keep_quotes);
                if (c == lx->esc && !quotes) {
                        char n = lx->s[lx->i + 1];
                        if (n == '$' || n == lx->esc)
                                lx->i++;
                        else
                                n = c;
                        lx->i++;
                        sink_raw(out, &n, 1);
                } else if (c == lx->esc) {
                        char n = lx->s[++lx->i];
                        if (n == '\0')
                                continue;
                        lx->i++;
                        sink_raw(out, &n, 1);
                } else if (c == '\'' && quotes) {
                        if (process_single_quote(lx, out) < 0)
                                return -1;
                } else if (c == '"' && quotes) {
                        if (process_double_quote(lx, out) < 0)
                                return -1;
                } else if (c == '$') {
                        _cleanup_free_ char *v = process_dollar(lx);
                        if (!v)
                                return -1;
                        sink_split(out, v, strlen(v));
                        if (check_size(lx, out) < 0)
                                return -1;
                } else {
                        lx->i++;
                        sink_split(out, &c, 1);
                }
        }
}

static int run(const char *word, const sl_expand_env *env, sink *k, sl_error *err)
{
        lexer lx = {.s = word, .env = env, .esc = env && env->escape ? env->escape : '\\', .err = err};
        return process(&lx, NULL, NULL, k);
}

int sl_expand_word(const char *word, const sl_expand_env *env, char **out, sl_error *err)
{
        sink k = {.split = false};
        if (run(word, env, &k, err) < 0) {
                sl_strbuf_free(&k.cur);
                return -1;
        }
        *out = sl_strbuf_steal(&k.cur);
        return 0;
}

int sl_expand_fields(const char *word, const sl_expand_env *env, char ***out, sl_error *err)
{
        sink k = {.split = true};
        if (run(word, env, &k, err) < 0) {
                sl_strbuf_free(&k.cur);
                sl_svec_free(&k.fields);
                return -1;
        }
        sink_end_field(&k);
        sl_strbuf_free(&k.cur);
        *out = sl_svec_steal(&k.fields);
        return 0;
}

const char *sl_expand_envv_lookup(void *envv, const char *name)
{
        char **v = envv;
        size_t len = strlen(name);
        const char *found = NULL;
        for (; v && *v; v++)
                if (strncmp(*v, name, len) == 0 && (*v)[len] == '=')
                        found = *v + len + 1;
        return found;
}
