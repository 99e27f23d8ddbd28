#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"
#include "runtime/lib/state.h"

static const char usage[] =
        "Usage: sloika list [options]\n"
        "\n"
        "Lists the containers under --root.\n"
        "\n"
        "  -f, --format FORMAT   table (default) or json\n"
        "  -q, --quiet           print only the ids\n";

/* runc's tabwriter layout: cells padded by 3, columns at least 12 wide. */
static size_t col_width(size_t w)
{
        return w + 3 > 12 ? w + 3 : 12;
}

static void print_table(const sl_container_info *v, size_t n)
{
        static const char *const head[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
        size_t w[5];
        char pid[16], owner[64];

        sl_state_owner_name(geteuid(), owner, sizeof(owner));

        for (int k = 0; k < 5; k++)
                w[k] = strlen(head[k]);
        for (size_t i = 0; i < n; i++) {
                size_t l[5] = { strlen(v[i].id), (size_t)snprintf(pid, sizeof(pid), "%d", v[i].pid),
                                strlen(v[i].status), strlen(v[i].bundle), strlen(v[i].created) };
                for (int k = 0; k < 5; k++)
                        if (l[k] > w[k])
                                w[k] = l[k];
        }
        for (int k = 0; k < 5; k++)
                printf("%-*s", (int)col_width(w[k]), head[k]);
        printf("%s\n", head[5]);
        for (size_t i = 0; i < n; i++) {
                snprintf(pid, sizeof(pid), "%d", v[i].pid);
                printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)col_width(w[0]), v[i].id,
                       (int)col_width(w[1]), pid, (int)col_width(w[2]), v[i].status,
                       (int)col_width(w[3]), v[i].bundle, (int)col_width(w[4]), v[i].created,
                       owner);
        }
}

int sl_cmd_list(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { 0 },
        };
        sl_container_info *v;
        sl_error err = { 0 };
        bool quiet = false, json = false;
        size_t n;
        int c;

        if (sl_cli_help(argc, argv, usage))
                return 0;
        while ((c = getopt_long_only(argc, argv, "f:q", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (strcmp(optarg, "json") == 0)
                                json = true;
                        else if (strcmp(optarg, "table") != 0)
                                return sl_cli_usage("list", "--format: \"%s\" is neither table nor json", optarg);
                        break;
                case 'q': quiet = true; break;
                default: return sl_cli_usage("list", "bad option");
                }
        }
        if (optind != argc)
                return sl_cli_usage("list", "takes no arguments");
        if (sl_container_list(g->root, &v, &n, &err) < 0)
                return sl_cli_fail(&err);
        if (quiet) {
                for (size_t i = 0; i < n; i++)
                        puts(v[i].id);
        } else if (json) {
                fputs("[", stdout);
                for (size_t i = 0; i < n; i++)
                        printf("%s%s", i ? "," : "", v[i].json);
                puts("]");
        } else {
                print_table(v, n);
        }
        sl_container_list_free(v, n);
        return 0;
}
