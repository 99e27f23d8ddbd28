#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/cli/cli.h"
#include "runtime/lib/exec.h"

static const char usage[] =
        "Usage: sloika exec [options] CONTAINER_ID COMMAND [ARGS...]\n"
        "       sloika exec [options] --process FILE CONTAINER_ID\n"
        "\n"
        "Runs a new process inside a running container: in all its namespaces and\n"
        "its cgroup, with config.json's process settings unless overridden. Exits\n"
        "with the process's status (128+N when killed by signal N), 255 when the\n"
        "process could not be started.\n"
        "\n"
        "  -p, --process FILE       the process as runtime-spec JSON (other process\n"
        "                           flags are then ignored)\n"
        "  --cwd DIR                working directory in the container\n"
        "  -e, --env NAME=VALUE     set an environment variable (repeatable)\n"
        "  -u, --user UID[:GID]     run as this user\n"
        "  -g, --additional-gids G  add a supplementary group (repeatable)\n"
        "  -c, --cap CAP            add a capability (repeatable)\n"
        "  --no-new-privs           set no_new_privs\n"
        "  --apparmor PROFILE       AppArmor profile\n"
        "  --process-label LABEL    SELinux label\n"
        "  -t, --tty                allocate a pseudo-terminal; exec relays it to its\n"
        "                           own stdio unless --console-socket is given\n"
        "  --console-socket PATH    unix socket that receives the pty master\n"
        "  -d, --detach             return once the process runs\n"
        "  --pid-file FILE          write the process's pid to FILE\n"
        "  --preserve-fds N         pass N extra fds (from fd 3) to the process\n"
        "  --cgroup PATH            run in this existing sub-cgroup of the container\n"
        "  --ignore-paused          exec even if the container is paused\n";

enum {
        OPT_CONSOLE = 256, OPT_CWD, OPT_PID_FILE, OPT_LABEL, OPT_APPARMOR, OPT_NNP,
        OPT_PRESERVE, OPT_IGNORE_PAUSED, OPT_CGROUP,
};

static int parse_u32(const char *s, uint32_t *out)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || *s == '-' || v > UINT32_MAX)
                return -1;
        *out = (uint32_t)v;
        return 0;
}

typedef struct exec_args {
        sl_exec_opts o;
        char **env, **caps;
        uint32_t *gids;
} exec_args;

static void exec_args_free(exec_args *a)
{
        sl_strv_free(a->env);
        sl_strv_free(a->caps);
        free(a->gids);
}

/* 0, 1 for a reported error, 2 when help was printed. */
static int parse(sl_cli *g, int argc, char **argv, exec_args *a)
{
        static const struct option opts[] = {
                { "console-socket", required_argument, NULL, OPT_CONSOLE },
                { "cwd", required_argument, NULL, OPT_CWD },
                { "env", required_argument, NULL, 'e' },
                { "tty", no_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "additional-gids", required_argument, NULL, 'g' },
                { "process", required_argument, NULL, 'p' },
                { "detach", no_argument, NULL, 'd' },
                { "pid-file", required_argument, NULL, OPT_PID_FILE },
                { "process-label", required_argument, NULL, OPT_LABEL },
                { "apparmor", required_argument, NULL, OPT_APPARMOR },
                { "no-new-privs", no_argument, NULL, OPT_NNP },
                { "cap", required_argument, NULL, 'c' },
                { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
                { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
                { "cgroup", required_argument, NULL, OPT_CGROUP },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        sl_exec_opts *o = &a->o;
        int c;

        *o = (sl_exec_opts){ .root = g->root };
        /* '+': the command's own flags follow the container id. */
        while ((c = getopt_long_only(argc, argv, "+e:tu:g:p:dc:h", opts, NULL)) != -1) {
                switch (c) {
                case 'h': fputs(usage, stdout); return 2;
                case OPT_CONSOLE: o->console_socket = optarg; break;
                case OPT_CWD: o->cwd = optarg; break;
                case 'e': sl_strv_append(&a->env, optarg); break;
                case 't': o->tty = true; break;
                case 'u': {
                        /* A copy: argv is re-executed as it is (sl_cli_prepare_exec). */
                        _cleanup_free_ char *uid = sl_xstrdup(optarg);
                        char *colon = strchr(uid, ':');
                        if (colon)
                                *colon = '\0';
                        if (parse_u32(uid, &o->uid) < 0 || (colon && parse_u32(colon + 1, &o->gid) < 0))
                                return sl_cli_usage("exec", "--user: \"%s\" is not UID[:GID]", optarg);
                        o->has_uid = true;
                        o->has_gid = colon != NULL;
                        break;
                }
                case 'g': {
                        uint32_t gid;
                        if (parse_u32(optarg, &gid) < 0)
                                return sl_cli_usage("exec", "--additional-gids: \"%s\" is not a gid", optarg);
                        a->gids = sl_xrealloc(a->gids, (o->additional_gids_len + 1) * sizeof(*a->gids));
                        a->gids[o->additional_gids_len++] = gid;
                        break;
                }
                case 'p': o->process_file = optarg; break;
                case 'd': o->detach = true; break;
                case OPT_PID_FILE: o->pid_file = optarg; break;
                case OPT_LABEL: o->process_label = optarg; break;
                case OPT_APPARMOR: o->apparmor = optarg; break;
                case OPT_NNP: o->no_new_privs = true; break;
                case 'c': sl_strv_append(&a->caps, optarg); break;
                case OPT_PRESERVE: {
                        uint32_t n;
                        if (parse_u32(optarg, &n) < 0 || n > 1u << 20)
                                return sl_cli_usage("exec", "--preserve-fds: \"%s\" is not a count", optarg);
                        o->preserve_fds = (int)n;
                        break;
                }
                case OPT_IGNORE_PAUSED: o->ignore_paused = true; break;
                case OPT_CGROUP: o->cgroup = optarg; break;
                default: return sl_cli_usage("exec", "bad option");
                }
        }
        if (optind >= argc)
                return sl_cli_usage("exec", "expects a container id");
        o->id = argv[optind++];
        if (!o->process_file && optind >= argc)
                return sl_cli_usage("exec", "expects a command after the container id, or --process");
        if (o->process_file && optind < argc)
                return sl_cli_usage("exec", "--process: takes no command after the container id");
        o->args = argv + optind;
        o->env = a->env;
        o->caps = a->caps;
        o->additional_gids = a->gids;
        return 0;
}

int sl_cmd_exec(sl_cli *g, int argc, char **argv)
{
        exec_args a = { 0 };
        sl_error err = { 0 };
        int status, r = parse(g, argc, argv, &a);

        if (r) {
                exec_args_free(&a);
                return r == 2 ? 0 : r;
        }
        if (sl_cli_prepare_exec(g, &err) < 0) {
                exec_args_free(&a);
                sl_cli_fail(&err);
                return 255;
        }
        a.o.primer = g->primer;
        r = sl_exec(&a.o, &status, &err);
        exec_args_free(&a);
        if (r < 0)
                sl_cli_fail(&err);
        return status;
}
