#include "builder/dockerfile/words.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/strbuf.h"
#include "common/xalloc.h"

bool sl_df_is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

void sl_df_words_free(sl_df_word *w, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(w[i].text);
        free(w);
}

typedef struct wordlist {
        sl_df_word *w;
        size_t n, cap;
} wordlist;

static void push(wordlist *l, char *text, size_t off)
{
        if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 8;
                l->w = sl_xrealloc(l->w, l->cap * sizeof *l->w);
        }
        l->w[l->n++] = (sl_df_word){.text = text, .off = off};
}

void sl_df_split_quoted(const char *s, char esc, sl_df_word **out, size_t *n)
{
        wordlist l = {0};
        size_t i = 0, len = strlen(s);
        while (i < len) {
                while (i < len && sl_df_is_blank(s[i]))
                        i++;
                if (i >= len)
                        break;
                size_t start = i;
                char quote = 0;
                sl_strbuf b = {0};
                for (; i < len; i++) {
                        char c = s[i];
                        if (!quote && sl_df_is_blank(c))
                                break;
                        if (c == esc && quote != '\'') {
                                if (i + 1 == len)
                                        continue; /* a trailing escape is dropped */
                                sl_strbuf_addc(&b, c);
                                c = s[++i];
                        } else if (!quote && (c == '\'' || c == '"')) {
                                quote = c;
                        } else if (quote && c == quote) {
                                quote = 0;
                        }
                        sl_strbuf_addc(&b, c);
                }
                push(&l, sl_strbuf_steal(&b), start);
        }
        *out = l.w;
        *n = l.n;
}

void sl_df_split_blanks(const char *s, sl_df_word **out, size_t *n)
{
        wordlist l = {0};
        size_t i = 0;
        while (s[i]) {
                while (s[i] && sl_df_is_blank(s[i]))
                        i++;
                if (!s[i])
                        break;
                size_t start = i;
                while (s[i] && !sl_df_is_blank(s[i]))
                        i++;
                push(&l, sl_xstrndup(s + start, i - start), start);
        }
        *out = l.w;
        *n = l.n;
}

static const char *skip_json_ws(const char *p)
{
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        return p;
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool read_hex4(const char *p, uint32_t *v)
{
        *v = 0;
        for (int i = 0; i < 4; i++) {
                int h = hexval(p[i]);
                if (h < 0)
                        return false;
                *v = *v << 4 | (uint32_t)h;
        }
        return true;
}

static void put_utf8(sl_strbuf *b, uint32_t cp)
{
        char u[4];
        size_t n;
        if (cp < 0x80) {
                u[0] = (char)cp, n = 1;
        } else if (cp < 0x800) {
                u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
                u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
        } else {
                u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
                u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
        }
        sl_strbuf_addn(b, u, n);
}

/* A JSON string at p (after the opening quote); returns the position
 * after the closing quote, or NULL when it is not valid JSON. */
static const char *read_json_string(const char *p, sl_strbuf *b)
{
        for (;;) {
                unsigned char c = (unsigned char)*p;
                if (c == '\0' || c < 0x20)
                        return NULL;
                if (c == '"')
                        return p + 1;
                if (c != '\\') {
                        sl_strbuf_addc(b, (char)c);
                        p++;
                        continue;
                }
                char e = p[1];
                p += 2;
                switch (e) {
                case '"': sl_strbuf_addc(b, '"'); break;
                case '\\': sl_strbuf_addc(b, '\\'); break;
                case '/': sl_strbuf_addc(b, '/'); break;
                case 'b': sl_strbuf_addc(b, '\b'); break;
                case 'f': sl_strbuf_addc(b, '\f'); break;
                case 'n': sl_strbuf_addc(b, '\n'); break;
                case 'r': sl_strbuf_addc(b, '\r'); break;
                case 't': sl_strbuf_addc(b, '\t'); break;
                case 'u': {
                        uint32_t cp, lo;
                        if (!read_hex4(p, &cp))
                                return NULL;
                        p += 4;
                        if (cp >= 0xd800 && cp < 0xdc00 && p[0] == '\\' && p[1] == 'u' &&
                            read_hex4(p + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                p += 6;
                        } else if (cp >= 0xd800 && cp < 0xe000) {
                                cp = 0xfffd; /* a lone surrogate, as Go decodes it */
                        }
                        put_utf8(b, cp);
                        break;
                }
                default:
                        return NULL;
                }
        }
}

/* Skips one JSON value of any type; NULL when it is not valid JSON. */
static const char *skip_json_value(const char *p, int depth)
{
        p = skip_json_ws(p);
        if (depth > 64)
                return NULL;
        if (*p == '"') {
                sl_strbuf b = {0};
                p = read_json_string(p + 1, &b);
                sl_strbuf_free(&b);
                return p;
        }
        if (*p == '[' || *p == '{') {
                char close = *p == '[' ? ']' : '}';
                p = skip_json_ws(p + 1);
                if (*p == close)
                        return p + 1;
                for (;;) {
                        if (close == '}') {
                                if (*p != '"' || !(p = skip_json_value(p, depth + 1)))
                                        return NULL;
                                p = skip_json_ws(p);
                                if (*p++ != ':')
                                        return NULL;
                        }
                        if (!(p = skip_json_value(p, depth + 1)))
                                return NULL;
                        p = skip_json_ws(p);
                        if (*p == close)
                                return p + 1;
                        if (*p++ != ',')
                                return NULL;
                }
        }
        static const char *const words[] = {"true", "false", "null"};
        for (size_t i = 0; i < 3; i++)
                if (strncmp(p, words[i], strlen(words[i])) == 0)
                        return p + strlen(words[i]);
        /* A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
        const char *start = p;
        if (*p == '-')
                p++;
        if (*p == '0')
                p++;
        else if (*p >= '1' && *p <= '9')
                while (isdigit((unsigned char)*p))
                        p++;
        else
                return NULL;
        if (*p == '.') {
                if (!isdigit((unsigned char)*++p))
                        return NULL;
                while (isdigit((unsigned char)*p))
                        p++;
        }
        if (*p == 'e' || *p == 'E') {
                p++;
                if (*p == '+' || *p == '-')
                        p++;
                if (!isdigit((unsigned char)*p))
                        return NULL;
                while (isdigit((unsigned char)*p))
                        p++;
        }
        return p > start ? p : NULL;
}

int sl_df_parse_json_strings(const char *s, char ***out)
{
        const char *p = skip_json_ws(s);
        if (*p != '[')
                return 0;
        /* Valid JSON at all? Anything after the array makes it shell form. */
        const char *end = skip_json_value(p, 0);
        if (!end || *skip_json_ws(end) != '\0')
                return 0;
        p = skip_json_ws(p + 1);
        sl_svec v = {0};
        while (*p != ']') {
                if (*p != '"') {
                        sl_svec_free(&v);
                        return -1;
                }
                sl_strbuf b = {0};
                p = read_json_string(p + 1, &b);
                sl_svec_push(&v, sl_strbuf_steal(&b));
                p = skip_json_ws(p);
                if (*p == ',')
                        p = skip_json_ws(p + 1);
        }
        *out = sl_svec_steal(&v);
        return 1;
}

void sl_df_extract_flags(const char *s, sl_df_word **out, size_t *n, size_t *rest_off)
{
        wordlist l = {0};
        size_t i = 0, len = strlen(s);
        for (;;) {
                while (i < len && sl_df_is_blank(s[i]))
                        i++;
                if (i >= len || s[i] != '-' || s[i + 1] != '-')
                        break;
                size_t start = i;
                sl_strbuf b = {0};
                char quote = 0;
                bool quoted = false;
                for (; i < len; i++) {
                        char c = s[i];
                        if (!quote && sl_df_is_blank(c))
                                break;
                        if (!quote && (c == '\'' || c == '"')) {
                                quote = c;
                                quoted = true;
                                continue;
                        }
                        if (quote && c == quote) {
                                quote = 0;
                                continue;
                        }
                        if (c == '\\') {
                                if (i + 1 == len)
                                        continue;
                                c = s[++i];
                        }
                        sl_strbuf_addc(&b, c);
                }
                if (!quoted && b.len == 2 && strcmp(b.s, "--") == 0) {
                        sl_strbuf_free(&b);
                        break; /* "--" ends the flags */
                }
                push(&l, sl_strbuf_steal(&b), start);
        }
        while (i < len && sl_df_is_blank(s[i]))
                i++;
        *rest_off = i;
        *out = l.w;
        *n = l.n;
}
