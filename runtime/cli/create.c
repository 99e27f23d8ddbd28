#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"
#include "runtime/lib/prime.h"
#include "runtime/lib/reexec.h"

static const char create_usage[] =
        "Usage: sloika create [options] CONTAINER_ID\n"
        "\n"
        "Creates a container from the bundle's config.json; its init waits until\n"
        "'sloika start'.\n"
        "\n"
        "  -b, --bundle DIR         bundle directory (default: current directory)\n"
        "  --pid-file FILE          write the init's pid to FILE\n"
        "  --console-socket PATH    unix socket that receives the pty master\n"
        "  --no-pivot               use MS_MOVE+chroot instead of pivot_root\n"
        "  --no-new-keyring         keep the caller's session keyring\n"
        "  --preserve-fds N         pass N extra fds (from fd 3) to the container\n";

static const char run_usage[] =
        "Usage: sloika run [options] CONTAINER_ID\n"
        "\n"
        "Creates and starts a container; waits for it and exits with its status\n"
        "(128+N when killed by signal N), then deletes it.\n"
        "\n"
        "  -b, --bundle DIR         bundle directory (default: current directory)\n"
        "  -d, --detach             return once the container runs\n"
        "  --pid-file FILE          write the init's pid to FILE\n"
        "  --console-socket PATH    unix socket that receives the pty master\n"
        "  --no-pivot               use MS_MOVE+chroot instead of pivot_root\n"
        "  --no-new-keyring         keep the caller's session keyring\n"
        "  --preserve-fds N         pass N extra fds (from fd 3) to the container\n";

int sl_cli_parse_create(sl_cli *g, const char *cmd, int argc, char **argv, sl_create_opts *o)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "pid-file", required_argument, NULL, 'p' },
                { "console-socket", required_argument, NULL, 'c' },
                { "no-pivot", no_argument, NULL, 'P' },
                { "no-new-keyring", no_argument, NULL, 'K' },
                { "preserve-fds", required_argument, NULL, 'F' },
                { "detach", no_argument, NULL, 'd' },
                { 0 },
        };
        bool is_run = strcmp(cmd, "run") == 0;
        int c;

        if (sl_cli_help(argc, argv, is_run ? run_usage : create_usage))
                return 2;
        *o = (sl_create_opts){ .root = g->root };
        while ((c = getopt_long_only(argc, argv, is_run ? "b:d" : "b:", opts, NULL)) != -1) {
                switch (c) {
                case 'b': o->bundle = optarg; break;
                case 'p': o->pid_file = optarg; break;
                case 'c': o->console_socket = optarg; break;
                case 'P': o->no_pivot = true; break;
                case 'K': o->no_new_keyring = true; break;
                case 'F': {
                        char *end;
                        long n = strtol(optarg, &end, 10);
                        if (*end || n < 0 || n > 1 << 20)
                                return sl_cli_usage(cmd, "--preserve-fds: \"%s\" is not a count", optarg);
                        o->preserve_fds = (int)n;
                        break;
                }
                case 'd':
                        if (!is_run)
                                return sl_cli_usage(cmd, "unknown option --detach");
                        o->detach = true;
                        break;
                default: return sl_cli_usage(cmd, "bad option");
                }
        }
        if (optind + 1 != argc)
                return sl_cli_usage(cmd, "expects exactly one container id");
        o->id = argv[optind];
        return 0;
}

#define PRIMED_ENV "_SLOIKA_PRIMED"

int sl_cli_prepare_exec(sl_cli *g, sl_error *err)
{
        const char *primed = getenv(PRIMED_ENV);
        char buf[16];

        if (primed) {
                /* Set by the image that re-executed us; not for hooks or containers. */
                g->primer = atoi(primed);
                unsetenv(PRIMED_ENV);
                return 0;
        }
        g->primer = sl_prime_cgroup_migration();
        snprintf(buf, sizeof(buf), "%d", (int)g->primer);
        setenv(PRIMED_ENV, buf, 1);
        if (sl_reexec_protected(g->argv0, err) < 0)
                return -1;
        unsetenv(PRIMED_ENV);
        return 0;
}

int sl_cmd_create(sl_cli *g, int argc, char **argv)
{
        sl_create_opts o;
        sl_error err = { 0 };
        int r = sl_cli_parse_create(g, "create", argc, argv, &o);

        if (r)
                return r == 2 ? 0 : r;
        if (sl_cli_prepare_exec(g, &err) < 0)
                return sl_cli_fail(&err);
        o.primer = g->primer;
        if (sl_container_create(&o, &err) < 0)
                return sl_cli_fail(&err);
        return 0;
}
