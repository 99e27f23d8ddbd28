#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"

static const char usage[] =
        "Usage: sloika state CONTAINER_ID\n"
        "\n"
        "Prints the container's state as JSON (status: created, running, paused\n"
        "or stopped; pid 0 once stopped).\n";

int sl_cmd_state(sl_cli *g, int argc, char **argv)
{
        sl_error err = { 0 };
        char *json;

        if (sl_cli_help(argc, argv, usage))
                return 0;
        if (argc != 2)
                return sl_cli_usage("state", "expects exactly one container id");
        if (sl_container_state(g->root, argv[1], &json, &err) < 0)
                return sl_cli_fail(&err);
        fputs(json, stdout);
        if (!*json || json[strlen(json) - 1] != '\n')
                putchar('\n');
        free(json);
        return 0;
}
