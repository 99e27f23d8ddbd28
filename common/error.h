/* One error convention for all of sloika: a function that fails returns a
 * negative value and fills an sl_error; each caller may prefix its own
 * context, so the final message reads outermost-first, like
 * "create: mount "/proc" (mounts[0]): Permission denied". */
#ifndef SLOIKA_COMMON_ERROR_H
#define SLOIKA_COMMON_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define SL_ERROR_MSG_MAX 2048

typedef struct sl_error {
        int code;                     /* errno value, 0 when unset */
        char msg[SL_ERROR_MSG_MAX];   /* human readable, no trailing newline */
} sl_error;

/* Sets the error to the formatted message; returns -1. err may be NULL. */
int sl_err(sl_error *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Like sl_err, appending ": <strerror(code)>". */
int sl_err_sys(sl_error *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with "<context>: "; keeps the code; returns -1. */
int sl_err_wrap(sl_error *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
int sl_err_vset(sl_error *err, int code, int with_strerror, const char *fmt, va_list ap);
void sl_err_clear(sl_error *err);

#endif
