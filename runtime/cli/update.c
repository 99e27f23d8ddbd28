/* Placeholder until the update command lands: fails clearly, never fakes. */
#include <errno.h>

#include "runtime/cli/cli.h"

int sl_cmd_update(sl_cli *g, int argc, char **argv)
{
        sl_error err = { 0 };

        (void)g;
        (void)argc;
        (void)argv;
        sl_err(&err, ENOSYS, "update: not implemented yet");
        return sl_cli_fail(&err);
}
