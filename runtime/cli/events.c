#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/cli/cli.h"
#include "runtime/lib/events.h"

static const char usage[] =
        "Usage: sloika events [options] CONTAINER_ID\n"
        "\n"
        "Prints the container's resource usage as JSON lines in runc's shape\n"
        "({\"type\":\"stats\",\"id\":...,\"data\":{...}}) every interval, and an\n"
        "{\"type\":\"oom\",\"id\":...} line for each OOM kill, until the container stops.\n"
        "\n"
        "  --interval DURATION   time between samples (default 5s; Go syntax: 1s, 500ms)\n"
        "  --stats               print one sample and exit\n";

int sl_cmd_events(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = {
                { "interval", required_argument, NULL, 'i' },
                { "stats", no_argument, NULL, 's' },
                { 0 },
        };
        uint64_t interval = 5000000000ull;
        bool stats = false;
        sl_error err = { 0 };
        int c;

        if (sl_cli_help(argc, argv, usage))
                return 0;
        while ((c = getopt_long_only(argc, argv, "", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        if (sl_events_parse_interval(optarg, &interval, &err) < 0)
                                return sl_cli_fail(&err);
                        break;
                case 's': stats = true; break;
                default: return sl_cli_usage("events", "bad option");
                }
        }
        if (optind + 1 != argc)
                return sl_cli_usage("events", "expects exactly one container id");
        if (stats) {
                char *json;
                if (sl_events_stats(g->root, argv[optind], &json, &err) < 0)
                        return sl_cli_fail(&err);
                puts(json);
                free(json);
                return 0;
        }
        if (sl_events_stream(g->root, argv[optind], interval, stdout, &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
