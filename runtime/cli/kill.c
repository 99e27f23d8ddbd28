#include <getopt.h>
#include <signal.h>
#include <stdbool.h>

#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"
#include "runtime/lib/signals.h"

static const char usage[] =
        "Usage: sloika kill [options] CONTAINER_ID [SIGNAL]\n"
        "\n"
        "Sends SIGNAL (a name with or without SIG, or a number; default TERM) to\n"
        "the container's init.\n"
        "\n"
        "  -a, --all    signal every process in the container's cgroup\n";

int sl_cmd_kill(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
        sl_error err = { 0 };
        bool all = false;
        int c, sig = SIGTERM;

        if (sl_cli_help(argc, argv, usage))
                return 0;
        while ((c = getopt_long_only(argc, argv, "a", opts, NULL)) != -1) {
                if (c != 'a')
                        return sl_cli_usage("kill", "bad option");
                all = true;
        }
        if (optind >= argc || argc - optind > 2)
                return sl_cli_usage("kill", "expects a container id and an optional signal");
        if (argc - optind == 2) {
                sig = sl_signal_parse(argv[optind + 1], &err);
                if (sig < 0)
                        return sl_cli_fail(&err);
        }
        if (sl_container_kill(g->root, argv[optind], sig, all, &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
