/* Placeholder until the resume command lands: fails clearly, never fakes. */
#include <errno.h>

#include "runtime/cli/cli.h"

int sl_cmd_resume(sl_cli *g, int argc, char **argv)
{
        sl_error err = { 0 };

        (void)g;
        (void)argc;
        (void)argv;
        sl_err(&err, ENOSYS, "resume: not implemented yet");
        return sl_cli_fail(&err);
}
