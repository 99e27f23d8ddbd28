#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"

static const char usage[] =
        "Usage: sloika start CONTAINER_ID\n"
        "\n"
        "Runs the user program of a created container, then its poststart hooks.\n";

int sl_cmd_start(sl_cli *g, int argc, char **argv)
{
        sl_error err = { 0 };

        if (sl_cli_help(argc, argv, usage))
                return 0;
        if (argc != 2)
                return sl_cli_usage("start", "expects exactly one container id");
        if (sl_container_start(g->root, argv[1], &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
