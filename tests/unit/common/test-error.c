/* The error convention: messages read outermost-first, keep the errno. */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "tests/unit/tap.h"

static int inner(sl_error *err)
{
        return sl_err_sys(err, ENOENT, "open %s", "/x");
}

static int outer(sl_error *err)
{
        if (inner(err) < 0)
                return sl_err_wrap(err, "load %s", "config.json");
        return 0;
}

int main(void)
{
        sl_error err = { 0 };
        char want[256];

        is_int(outer(&err), -1, "a failing call returns -1");
        snprintf(want, sizeof want, "load config.json: open /x: %s", strerror(ENOENT));
        is_str(err.msg, want, "wrap produces \"outer: inner: strerror\"");
        is_int(err.code, ENOENT, "wrap keeps the errno of the cause");

        sl_err_wrap(&err, "create");
        snprintf(want, sizeof want, "create: load config.json: open /x: %s", strerror(ENOENT));
        is_str(err.msg, want, "wrapping again prefixes again");

        sl_err(&err, EINVAL, "mounts[%d].destination: must be absolute", 2);
        is_str(err.msg, "mounts[2].destination: must be absolute", "sl_err formats without strerror");
        is_int(err.code, EINVAL, "sl_err sets the code");

        sl_err_clear(&err);
        ok(err.code == 0 && err.msg[0] == '\0', "clear empties the error");

        is_int(sl_err(NULL, EIO, "ignored"), -1, "a NULL error is allowed and still returns -1");
        is_int(sl_err_wrap(NULL, "ignored"), -1, "wrapping a NULL error returns -1");

        char longp[SL_ERROR_MSG_MAX + 100];
        memset(longp, 'p', sizeof longp - 1);
        longp[sizeof longp - 1] = '\0';
        sl_err_sys(&err, EPERM, "short");
        sl_err_wrap(&err, "%s", longp);
        ok(strlen(err.msg) == SL_ERROR_MSG_MAX - 1, "an overlong wrap is cut to the message size");
        return tap_done();
}
