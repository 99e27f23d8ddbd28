/* Helpers shared by the libFuzzer targets. A finding must stop the run,
 * so every check aborts (libFuzzer then saves the input as a crash). */
#ifndef SLOIKA_TESTS_FUZZ_H
#define SLOIKA_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond, ...) do { \
        if (!(cond)) { \
                fprintf(stderr, "fuzz assertion failed (%s:%d): %s: ", __FILE__, __LINE__, #cond); \
                fprintf(stderr, __VA_ARGS__); \
                fputc('\n', stderr); \
                abort(); \
        } \
} while (0)

/* A NUL-terminated copy of the input (parsers take C strings too). */
static inline char *fuzz_cstr(const uint8_t *data, size_t len)
{
        char *s = malloc(len + 1);
        if (!s)
                abort();
        memcpy(s, data, len);
        s[len] = 0;
        return s;
}

/* Splits s in place at the first NUL byte of the first len bytes:
 * returns the part after it (or "" when there is none), so one input
 * can carry two texts (patterns and paths, a word and its variables). */
static inline char *fuzz_split_nul(char *s, size_t len, size_t *first_len)
{
        size_t n = strnlen(s, len);
        *first_len = n;
        return n < len ? s + n + 1 : s + len;
}

/* Splits s at '\n' into a NULL-terminated vector of pointers into s
 * (modified in place); free the vector only. */
static inline char **fuzz_lines(char *s, size_t *n_out)
{
        size_t n = 1;
        for (char *p = s; *p; p++)
                n += *p == '\n';
        char **v = calloc(n + 1, sizeof *v);
        if (!v)
                abort();
        size_t i = 0;
        for (char *p = s;;) {
                v[i++] = p;
                char *nl = strchr(p, '\n');
                if (!nl)
                        break;
                *nl = 0;
                p = nl + 1;
        }
        v[i] = NULL;
        *n_out = i;
        return v;
}

#endif
