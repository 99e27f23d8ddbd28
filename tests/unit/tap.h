/* A minimal TAP producer for unit tests: each check is reported by the
 * behaviour it names, and the automake TAP driver counts them. */
#ifndef SLOIKA_TESTS_TAP_H
#define SLOIKA_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count_, tap_failed_;

static inline int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static inline int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
{
        va_list ap;
        printf("%sok %d - ", pass ? "" : "not ", ++tap_count_);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        if (!pass) {
                tap_failed_++;
                printf("#   failed at %s:%d\n", file, line);
        }
        fflush(stdout);
        return pass;
}

#define ok(cond, ...) tap_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) do { \
        long long g_ = (long long)(got), w_ = (long long)(want); \
        if (!ok(g_ == w_, __VA_ARGS__)) printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)
#define is_str(got, want, ...) do { \
        const char *g_ = (got), *w_ = (want); \
        if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__)) \
                printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)
#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

static inline int tap_done(void)
{
        printf("1..%d\n", tap_count_);
        return tap_failed_ ? 1 : 0;
}

#endif
