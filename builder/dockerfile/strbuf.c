#include "builder/dockerfile/strbuf.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

static void reserve(sl_strbuf *b, size_t extra)
{
        if (b->len + extra + 1 <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + extra + 1)
                cap *= 2;
        b->s = sl_xrealloc(b->s, cap);
        b->cap = cap;
}

void sl_strbuf_addn(sl_strbuf *b, const char *s, size_t n)
{
        reserve(b, n);
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

void sl_strbuf_addc(sl_strbuf *b, char c) { sl_strbuf_addn(b, &c, 1); }
void sl_strbuf_adds(sl_strbuf *b, const char *s) { sl_strbuf_addn(b, s, strlen(s)); }

char *sl_strbuf_steal(sl_strbuf *b)
{
        char *s = b->s ? b->s : sl_xstrdup("");
        b->s = NULL;
        b->len = b->cap = 0;
        return s;
}

void sl_strbuf_free(sl_strbuf *b)
{
        free(b->s);
        b->s = NULL;
        b->len = b->cap = 0;
}

void sl_svec_push(sl_svec *sv, char *owned)
{
        if (sv->n + 2 > sv->cap) {
                sv->cap = sv->cap ? sv->cap * 2 : 8;
                sv->v = sl_xrealloc(sv->v, sv->cap * sizeof *sv->v);
        }
        sv->v[sv->n++] = owned;
        sv->v[sv->n] = NULL;
}

char **sl_svec_steal(sl_svec *sv)
{
        char **v = sv->v ? sv->v : sl_xcalloc(1, sizeof *v);
        sv->v = NULL;
        sv->n = sv->cap = 0;
        return v;
}

void sl_svec_free(sl_svec *sv)
{
        sl_strv_free(sv->v);
        sv->v = NULL;
        sv->n = sv->cap = 0;
}
