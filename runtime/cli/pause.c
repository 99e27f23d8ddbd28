#include "runtime/cli/cli.h"
#include "runtime/lib/manage.h"

static const char usage[] =
        "Usage: sloika pause CONTAINER_ID\n"
        "\n"
        "Freezes every process of a running container (cgroup freezer, v1 or v2);\n"
        "`state` then reports \"paused\". See resume.\n";

int sl_cmd_pause(sl_cli *g, int argc, char **argv)
{
        sl_error err = { 0 };

        if (sl_cli_help(argc, argv, usage))
                return 0;
        if (argc != 2 || argv[1][0] == '-')
                return sl_cli_usage("pause", "expects exactly one container id");
        if (sl_manage_pause(g->root, argv[1], &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
