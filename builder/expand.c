#include "builder/expand.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/strbuf.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

/* Nesting of ${...} deeper than this is refused rather than recursed. */
#define MAX_DEPTH 64

/* Where expanded text goes: one string, or fields split at whitespace. */
typedef struct sink {
        bool split;
        sl_strbuf cur;
        sl_svec fields;
} sink;

static void sink_raw(sink *k, const char *s, size_t n) { sl_strbuf_addn(&k->cur, s, n); }

static void sink_end_field(sink *k)
{
        if (k->cur.len > 0)
                sl_svec_push(&k->fields, sl_strbuf_steal(&k->cur));
}

/* Unquoted text: in field mode its whitespace separates fields. */
static void sink_split(sink *k, const char *s, size_t n)
{
        if (!k->split) {
                sink_raw(k, s, n);
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

static int process(lexer *lx, char stop, sink *out);

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

/* The word of ${NAME<op>word}, expanded as one string up to the '}'. */
static int read_modifier_word(lexer *lx, const char *name, char **word)
{
        if (++lx->depth > MAX_DEPTH)
                return sl_err(lx->err, 0, "${%s...}: substitutions nested too deeply", name);
        sink k = {.split = false};
        int r = process(lx, '}', &k);
        lx->depth--;
        if (r < 0) {
                sl_strbuf_free(&k.cur);
                return -1;
        }
        *word = sl_strbuf_steal(&k.cur);
        return 0;
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
        bool colon = false;
        if (c == ':') {
                colon = true;
                c = lx->s[++lx->i];
        }
        if (c != '-' && c != '+' && c != '?') {
                sl_err(lx->err, 0, "unsupported modifier \"%s%c\" in substitution ${%s...}: expected one of "
                       ":- - :+ + :? ?", colon ? ":" : "", c ? c : ' ', name);
                return NULL;
        }
        lx->i++;
        _cleanup_free_ char *word = NULL;
        if (read_modifier_word(lx, name, &word) < 0)
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

/* Processes text up to stop (consumed) or, when stop is 0, to the end. */
static int process(lexer *lx, char stop, sink *out)
{
        for (;;) {
                char c = lx->s[lx->i];
                if (c == '\0') {
                        if (stop)
                                return sl_err(lx->err, 0, "missing \"%c\" in substitution", stop);
                        return 0;
                }
                if (stop && c == stop) {
                        lx->i++;
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
                } else {
                        lx->i++;
                        sink_split(out, &c, 1);
                }
        }
}

static int run(const char *word, const sl_expand_env *env, sink *k, sl_error *err)
{
        lexer lx = {.s = word, .env = env, .esc = env && env->escape ? env->escape : '\\', .err = err};
        return process(&lx, 0, k);
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
