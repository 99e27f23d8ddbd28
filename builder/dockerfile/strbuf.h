/* Growable strings and string vectors shared by the Dockerfile front end.
 * Memory comes from sl_x* allocators, so appends cannot fail. */
#ifndef SLOIKA_BUILDER_STRBUF_H
#define SLOIKA_BUILDER_STRBUF_H

#include <stddef.h>

#include "common/strv.h"

typedef struct sl_strbuf {
        char *s;        /* always NUL-terminated once anything was added */
        size_t len, cap;
} sl_strbuf;

void sl_strbuf_addc(sl_strbuf *b, char c);
void sl_strbuf_addn(sl_strbuf *b, const char *s, size_t n);
void sl_strbuf_adds(sl_strbuf *b, const char *s);
/* Hands the string to the caller ("" when empty) and resets b. */
char *sl_strbuf_steal(sl_strbuf *b);
void sl_strbuf_free(sl_strbuf *b);

/* A NULL-terminated vector of owned strings being built (amortized growth);
 * the result is an ordinary common/strv.h vector. */
typedef struct sl_svec {
        char **v;
        size_t n, cap;
} sl_svec;

void sl_svec_push(sl_svec *sv, char *owned);
/* Hands over the NULL-terminated array (never NULL) and resets sv. */
char **sl_svec_steal(sl_svec *sv);
void sl_svec_free(sl_svec *sv);

#endif
