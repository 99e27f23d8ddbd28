#include "builder/ignore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/strbuf.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/path.h"
#include "common/pathclean.h"
#include "common/xalloc.h"

typedef enum { T_CHAR, T_STAR, T_QMARK, T_CLASS, T_ANYDIRS, T_ANY } ttype;

typedef struct token {
        ttype type;
        char c;
        bool negate;
        uint8_t set[32];   /* T_CLASS bitmap */
} token;

typedef struct pattern {
        char *text;        /* cleaned, with "!" when re-including */
        bool include;      /* a "!" pattern */
        token *t;
        size_t n;
} pattern;

struct sl_ignore {
        pattern *p;
        size_t n;
};

static void set_bit(token *t, unsigned char c) { t->set[c >> 3] |= (uint8_t)(1u << (c & 7)); }
static bool has_bit(const token *t, unsigned char c) { return t->set[c >> 3] & (1u << (c & 7)); }

static void push(pattern *p, token t)
{
        p->t = sl_xrealloc(p->t, (p->n + 1) * sizeof *p->t);
        p->t[p->n++] = t;
}

/* "[...]" starting after the '['; returns the position after ']' or NULL. */
static const char *compile_class(const char *s, token *t)
{
        *t = (token){.type = T_CLASS};
        if (*s == '^')
                t->negate = true, s++;
        bool first = true;
        while (*s && (*s != ']' || first)) {
                first = false;
                unsigned char lo = (unsigned char)*s++;
                if (lo == '\\') {
                        if (!*s)
                                return NULL;
                        lo = (unsigned char)*s++;
                }
                unsigned char hi = lo;
                if (s[0] == '-' && s[1] && s[1] != ']') {
                        s++;
                        hi = (unsigned char)*s++;
                        if (hi == '\\') {
                                if (!*s)
                                        return NULL;
                                hi = (unsigned char)*s++;
                        }
                        if (hi < lo)
                                return NULL;
                }
                for (unsigned c = lo; c <= hi; c++)
                        set_bit(t, (unsigned char)c);
        }
        return *s == ']' ? s + 1 : NULL;
}

static int compile(pattern *p, const char *s)
{
        while (*s) {
                char c = *s++;
                if (c == '*' && *s == '*') {
                        s++;
                        if (*s == '/')
                                s++;
                        push(p, (token){.type = *s ? T_ANYDIRS : T_ANY});
                } else if (c == '*') {
                        push(p, (token){.type = T_STAR});
                } else if (c == '?') {
                        push(p, (token){.type = T_QMARK});
                } else if (c == '[') {
                        token t;
                        s = compile_class(s, &t);
                        if (!s)
                                return -1;
                        push(p, t);
                } else if (c == '\\' && *s) {
                        push(p, (token){.type = T_CHAR, .c = *s++});
                } else {
                        push(p, (token){.type = T_CHAR, .c = c});
                }
        }
        return 0;
}

typedef enum {
        M_FULL,     /* all of the text */
        M_PARENT,   /* all of it, or a prefix ending before a '/' (a parent dir) */
        M_PARTIAL,  /* the text is a prefix of something matched (walk look-ahead) */
} mode;

/* One match of a pattern's tokens against [s0, end). The states that
 * failed are remembered, (token, position) each, so patterns with many
 * stars ("*a*a*a...b", "**" chains) cost a polynomial, not an
 * exponential, number of steps: a .dockerignore or --exclude cannot hang
 * a build. A state that matched ends the whole match, so failures are all
 * that needs remembering. */
typedef struct matcher {
        const token *t;
        size_t n;
        const char *s0, *end;
        mode m;
        uint8_t *failed;   /* (n + 1) x (end - s0 + 1) bits, made at the first wildcard */
} matcher;

static bool match_from(matcher *mt, size_t ti, const char *s);

static bool match_at(matcher *mt, size_t ti, const char *s)
{
        size_t cols = (size_t)(mt->end - mt->s0) + 1;
        if (!mt->failed)
                mt->failed = sl_xcalloc((mt->n + 1) * cols / 8 + 1, 1);
        size_t bit = ti * cols + (size_t)(s - mt->s0);
        if (mt->failed[bit >> 3] & (1u << (bit & 7)))
                return false;
        if (match_from(mt, ti, s))
                return true;
        mt->failed[bit >> 3] |= (uint8_t)(1u << (bit & 7));
        return false;
}

/* Whether tokens t[ti..n) match [s, end) in the matcher's mode. */
static bool match_from(matcher *mt, size_t ti, const char *s)
{
        const char *end = mt->end;
        mode m = mt->m;
        bool partial = m == M_PARTIAL;
        for (; ti < mt->n; ti++) {
                const token *t = &mt->t[ti];
                if (s == end && partial)
                        return true;
                switch (t->type) {
                case T_CHAR:
                        if (s == end || *s != t->c)
                                return false;
                        s++;
                        break;
                case T_QMARK:
                        if (s == end || *s == '/')
                                return false;
                        s++;
                        break;
                case T_CLASS:
                        if (s == end || has_bit(t, (unsigned char)*s) == t->negate)
                                return false;
                        s++;
                        break;
                case T_STAR:
                        for (const char *q = s;; q++) {
                                if (match_at(mt, ti + 1, q))
                                        return true;
                                if (q == end || *q == '/')
                                        return false;
                        }
                case T_ANY:
                        return true;
                case T_ANYDIRS:
                        /* empty, or anything ending in '/' */
                        if (match_at(mt, ti + 1, s))
                                return true;
                        for (const char *q = s; q < end; q++)
                                if (*q == '/' && match_at(mt, ti + 1, q + 1))
                                        return true;
                        return partial;
                }
        }
        return s == end || (m == M_PARENT && *s == '/');
}

/* Whether tokens t[0..n) match [s, end) in the given mode. */
static bool match_tokens(const token *t, size_t n, const char *s, const char *end, mode m)
{
        matcher mt = {.t = t, .n = n, .s0 = s, .end = end, .m = m};
        bool r = match_from(&mt, 0, s);
        free(mt.failed);
        return r;
}

/* The pattern matches path itself or one of its parent directories. */
static bool pattern_matches(const pattern *p, const char *path)
{
        return match_tokens(p->t, p->n, path, path + strlen(path), M_PARENT);
}

static char *clean_query(const char *path)
{
        char *c = sl_path_clean(path);
        if (c[0] == '/') {
                char *s = sl_xstrdup(c[1] ? c + 1 : ".");
                free(c);
                return s;
        }
        return c;
}

/* Index of the last pattern matching path, or -1. */
static ssize_t last_match(const sl_ignore *ig, const char *path)
{
        for (size_t i = ig->n; i-- > 0;)
                if (pattern_matches(&ig->p[i], path))
                        return (ssize_t)i;
        return -1;
}

bool sl_ignore_match(const sl_ignore *ig, const char *path)
{
        if (!ig || ig->n == 0)
                return false;
        _cleanup_free_ char *p = clean_query(path);
        ssize_t i = last_match(ig, p);
        return i >= 0 && !ig->p[i].include;
}

bool sl_ignore_may_descend(const sl_ignore *ig, const char *dir)
{
        if (!ig || ig->n == 0)
                return true;
        _cleanup_free_ char *p = clean_query(dir);
        ssize_t last = last_match(ig, p);
        if (last < 0 || ig->p[last].include)
                return true;
        _cleanup_free_ char *prefix = sl_xasprintf("%s/", p);
        for (size_t i = (size_t)last + 1; i < ig->n; i++)
                if (ig->p[i].include && match_tokens(ig->p[i].t, ig->p[i].n, prefix, prefix + strlen(prefix), M_PARTIAL))
                        return true;
        return false;
}

static void add_pattern(sl_ignore *ig, const char *text, bool include, pattern *compiled)
{
        ig->p = sl_xrealloc(ig->p, (ig->n + 1) * sizeof *ig->p);
        compiled->text = include ? sl_xasprintf("!%s", text) : sl_xstrdup(text);
        compiled->include = include;
        ig->p[ig->n++] = *compiled;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* One pattern (trimmed, non-empty): "!" prefix, cleaning, compiling. */
static int add_line(sl_ignore *ig, const char *line, size_t n, const char *source, int lineno, sl_error *err)
{
        bool include = line[0] == '!';
        if (include) {
                line++, n--;
                while (n > 0 && is_space(*line))
                        line++, n--;
        }
        _cleanup_free_ char *raw = sl_xstrndup(line, n);
        _cleanup_free_ char *clean = n ? sl_path_clean(raw) : sl_xstrdup("");
        const char *text = clean[0] == '/' && clean[1] ? clean + 1 : clean;
        pattern p = {0};
        if (compile(&p, text) < 0) {
                free(p.t);
                return sl_err(err, 0, "%s:%d: invalid pattern \"%s\": unterminated or malformed [...]", source,
                              lineno, raw);
        }
        add_pattern(ig, text, include, &p);
        return 0;
}

int sl_ignore_from_patterns(char *const *patterns, const char *source, sl_ignore **out, sl_error *err)
{
        sl_ignore *ig = sl_xcalloc(1, sizeof *ig);
        for (size_t i = 0; patterns && patterns[i]; i++) {
                const char *line = patterns[i];
                size_t n = strlen(line);
                while (n > 0 && is_space(*line))
                        line++, n--;
                while (n > 0 && is_space(line[n - 1]))
                        n--;
                if (n > 0 && add_line(ig, line, n, source, (int)i + 1, err) < 0) {
                        sl_ignore_free(ig);
                        return -1;
                }
        }
        *out = ig;
        return 0;
}

int sl_ignore_parse(const char *data, size_t len, const char *source, sl_ignore **out, sl_error *err)
{
        sl_ignore *ig = sl_xcalloc(1, sizeof *ig);
        size_t pos = 0;
        int lineno = 0;
        while (pos < len) {
                const char *line = data + pos;
                const char *nl = memchr(line, '\n', len - pos);
                size_t n = nl ? (size_t)(nl - line) : len - pos;
                pos += n + (nl ? 1 : 0);
                if (lineno++ == 0 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
                        line += 3, n -= 3;
                if (n > 0 && line[0] == '#')
                        continue;
                while (n > 0 && is_space(*line))
                        line++, n--;
                while (n > 0 && is_space(line[n - 1]))
                        n--;
                if (n == 0)
                        continue;
                if (add_line(ig, line, n, source, lineno, err) < 0) {
                        sl_ignore_free(ig);
                        return -1;
                }
        }
        *out = ig;
        return 0;
}

int sl_ignore_load(int context_fd, const char *dockerfile_path, sl_ignore **out, char **source, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        _cleanup_free_ char *used = NULL;
        sl_error e;
        if (dockerfile_path) {
                char *candidate = sl_xasprintf("%s.dockerignore", dockerfile_path);
                if (sl_read_file(candidate, &data, &len, &e) == 0) {
                        used = candidate;
                } else {
                        free(candidate);
                        if (e.code != ENOENT) {
                                *err = e;
                                return -1;
                        }
                }
        }
        if (!used) {
                _cleanup_close_ int fd = sl_openat_in_root(context_fd, ".dockerignore", O_RDONLY | O_CLOEXEC, 0, &e);
                if (fd >= 0) {
                        if (sl_read_fd_all(fd, &data, &len, err) < 0)
                                return sl_err_wrap(err, ".dockerignore");
                        used = sl_xstrdup(".dockerignore");
                } else if (e.code != ENOENT) {
                        *err = e;
                        return -1;
                }
        }
        if (sl_ignore_parse(data ? data : "", len, used ? used : ".dockerignore", out, err) < 0)
                return -1;
        if (source)
                *source = SL_STEAL(used);
        return 0;
}

size_t sl_ignore_count(const sl_ignore *ig) { return ig ? ig->n : 0; }
const char *sl_ignore_pattern(const sl_ignore *ig, size_t i) { return ig->p[i].text; }

void sl_ignore_free(sl_ignore *ig)
{
        if (!ig)
                return;
        for (size_t i = 0; i < ig->n; i++) {
                free(ig->p[i].text);
                free(ig->p[i].t);
        }
        free(ig->p);
        free(ig);
}
