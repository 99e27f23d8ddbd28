#include "common/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Noreturn void oom(size_t size)
{
        /* No stdio: it may itself need memory. */
        char msg[96];
        int n = snprintf(msg, sizeof msg, "sloika: out of memory allocating %zu bytes\n", size);
        if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
                (void)0;
        abort();
}

void *sl_xmalloc(size_t size)
{
        void *p = malloc(size ? size : 1);
        if (p == NULL)
                oom(size);
        return p;
}

void *sl_xcalloc(size_t n, size_t size)
{
        if (n == 0 || size == 0)
                n = size = 1;
        void *p = calloc(n, size);
        if (p == NULL)
                oom(n * size);
        return p;
}

void *sl_xrealloc(void *p, size_t size)
{
        void *q = realloc(p, size ? size : 1);
        if (q == NULL)
                oom(size);
        return q;
}

char *sl_xstrdup(const char *s)
{
        char *p = strdup(s);
        if (p == NULL)
                oom(strlen(s) + 1);
        return p;
}

char *sl_xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);
        if (p == NULL)
                oom(n + 1);
        return p;
}

char *sl_xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                oom(0);
        return s;
}
