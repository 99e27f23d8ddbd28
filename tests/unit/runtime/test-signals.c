/* Signal names as `sloika kill` takes them. */
#include <signal.h>

#include "runtime/lib/signals.h"
#include "tests/unit/tap.h"

int main(void)
{
        sl_error err;

        is_int(sl_signal_parse("KILL", &err), SIGKILL, "a bare name");
        is_int(sl_signal_parse("SIGTERM", &err), SIGTERM, "a name with the SIG prefix");
        is_int(sl_signal_parse("sigusr1", &err), SIGUSR1, "names are case-insensitive");
        is_int(sl_signal_parse("9", &err), 9, "a number");
        is_int(sl_signal_parse("RTMIN+2", &err), SIGRTMIN + 2, "RTMIN+N");
        is_int(sl_signal_parse("SIGRTMAX-1", &err), SIGRTMAX - 1, "SIGRTMAX-N");
        is_int(sl_signal_parse("WINCH", &err), SIGWINCH, "WINCH");
        ok(sl_signal_parse("NOPE", &err) < 0, "an unknown name is refused");
        is_str(err.msg, "unknown signal \"NOPE\"", "the error names it");
        ok(sl_signal_parse("0", &err) < 0, "signal 0 is refused");
        ok(sl_signal_parse("65", &err) < 0, "a number above SIGRTMAX is refused");
        ok(sl_signal_parse("9x", &err) < 0, "a number with trailing junk is refused");
        ok(sl_signal_parse("RTMAX-99", &err) < 0, "RTMAX-N below RTMIN is refused");
        return tap_done();
}
