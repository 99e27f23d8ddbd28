#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/lib/manage-ps.h"
#include "runtime/lib/manage.h"

static const char usage[] =
        "Usage: sloika ps [options] CONTAINER_ID [PS_ARGS...]\n"
        "\n"
        "Runs ps(1) (with PS_ARGS, default -ef) and prints its header and the lines of\n"
        "the container's processes.\n"
        "\n"
        "  -f, --format FORMAT   table (default) or json (the array of host pids)\n";

static void print_json(const pid_t *pids, size_t n)
{
        putchar('[');
        for (size_t i = 0; i < n; i++)
                printf("%s%d", i ? "," : "", (int)pids[i]);
        puts("]");
}

int sl_cmd_ps(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *format = "table";
        sl_error err = { 0 };
        int c;

        /* "+": options stop at the id, so ps's own flags pass through. */
        while ((c = getopt_long_only(argc, argv, "+f:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f': format = optarg; break;
                case 'h': fputs(usage, stdout); return 0;
                default: return sl_cli_usage("ps", "bad option");
                }
        }
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
                return sl_cli_usage("ps", "invalid format option \"%s\" (table or json)", format);
        if (optind >= argc)
                return sl_cli_usage("ps", "expects a container id");
        const char *id = argv[optind];

        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (sl_manage_pids(g->root, id, &pids, &n, &err) < 0)
                return sl_cli_fail(&err);
        if (strcmp(format, "json") == 0) {
                print_json(pids, n);
                return 0;
        }
        _cleanup_free_ char *out = NULL, *filtered = NULL;
        if (sl_ps_run(argv + optind + 1, &out, &err) < 0 ||
            sl_ps_filter(out, pids, n, &filtered, &err) < 0)
                return sl_cli_fail(&err);
        fputs(filtered, stdout);
        return 0;
}
