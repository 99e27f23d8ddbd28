#include <getopt.h>
#include <stdbool.h>

#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"

static const char usage[] =
        "Usage: sloika delete [options] CONTAINER_ID\n"
        "\n"
        "Deletes a stopped or created container and runs its poststop hooks.\n"
        "\n"
        "  -f, --force    kill a running container first; also removes what a\n"
        "                 crashed create left behind\n";

int sl_cmd_delete(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
        sl_error err = { 0 };
        bool force = false;
        int c;

        if (sl_cli_help(argc, argv, usage))
                return 0;
        while ((c = getopt_long_only(argc, argv, "f", opts, NULL)) != -1) {
                if (c != 'f')
                        return sl_cli_usage("delete", "bad option");
                force = true;
        }
        if (optind + 1 != argc)
                return sl_cli_usage("delete", "expects exactly one container id");
        if (sl_container_delete(g->root, argv[optind], force, &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
