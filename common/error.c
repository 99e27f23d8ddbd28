#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sl_err_vset(sl_error *err, int code, int with_strerror, const char *fmt, va_list ap)
{
        if (err == NULL)
                return -1;
        err->code = code;
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        if (n < 0)
                err->msg[0] = '\0', n = 0;
        if (with_strerror && (size_t)n < sizeof err->msg)
                snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(code));
        return -1;
}

int sl_err(sl_error *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        sl_err_vset(err, code, 0, fmt, ap);
        va_end(ap);
        return -1;
}

int sl_err_sys(sl_error *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        sl_err_vset(err, code, 1, fmt, ap);
        va_end(ap);
        return -1;
}

int sl_err_wrap(sl_error *err, const char *fmt, ...)
{
        if (err == NULL)
                return -1;
        char prefix[SL_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        /* Room for both parts; the result is cut to the message size. */
        char joined[2 * SL_ERROR_MSG_MAX + 2];
        snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg);
        size_t len = strnlen(joined, sizeof err->msg - 1);
        memcpy(err->msg, joined, len);
        err->msg[len] = '\0';
        return -1;
}

void sl_err_clear(sl_error *err)
{
        if (err) {
                err->code = 0;
                err->msg[0] = '\0';
        }
}
