#include "runtime/cli/cli.h"
#include "runtime/lib/manage.h"

static const char usage[] =
        "Usage: sloika resume CONTAINER_ID\n"
        "\n"
        "Thaws a container that pause froze; `state` then reports \"running\".\n";

int sl_cmd_resume(sl_cli *g, int argc, char **argv)
{
        sl_error err = { 0 };

        if (sl_cli_help(argc, argv, usage))
                return 0;
        if (argc != 2 || argv[1][0] == '-')
                return sl_cli_usage("resume", "expects exactly one container id");
        if (sl_manage_resume(g->root, argv[1], &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
