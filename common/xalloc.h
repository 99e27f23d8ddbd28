/* Allocation that cannot fail: on out-of-memory the process aborts with a
 * message, so callers need no NULL checks for memory. */
#ifndef SLOIKA_COMMON_XALLOC_H
#define SLOIKA_COMMON_XALLOC_H

#include <stddef.h>

void *sl_xmalloc(size_t size);               /* size 0 still returns a unique pointer */
void *sl_xcalloc(size_t n, size_t size);     /* zeroed; aborts on n*size overflow */
void *sl_xrealloc(void *p, size_t size);
char *sl_xstrdup(const char *s);
char *sl_xstrndup(const char *s, size_t n);
char *sl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
