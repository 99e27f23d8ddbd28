/* sloika: an OCI runtime with runc's command line. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "runtime/cli/cli.h"

static const char usage[] =
        "Usage: sloika [global options] COMMAND [options] [arguments]\n"
        "\n"
        "An OCI runtime (runtime-spec 1.2) with runc's command line.\n"
        "\n"
        "Commands:\n"
        "  create     create a container that waits for start\n"
        "  start      run the user program of a created container\n"
        "  run        create and start a container\n"
        "  state      print the state of a container\n"
        "  kill       send a signal to a container's init (or all its processes)\n"
        "  delete     delete a container\n"
        "  list       list containers\n"
        "  spec       write a default config.json\n"
        "  features   print the features this runtime supports (JSON)\n"
        "  exec       run a new process inside a running container\n"
        "  ps         list the processes of a container\n"
        "  pause      freeze every process of a container\n"
        "  resume     thaw a paused container\n"
        "  update     change a container's cgroup limits while it runs\n"
        "  events     print a container's stats and events (JSON)\n"
        "\n"
        "Global options:\n"
        "  --root DIR            state directory (default /run/sloika)\n"
        "  --log FILE            log to FILE (errors are also written to stderr)\n"
        "  --log-format FORMAT   text or json (default text)\n"
        "  --debug               log debug messages\n"
        "  --systemd-cgroup      manage cgroups through systemd\n"
        "  -v, --version         print the version\n"
        "  -h, --help            print this help\n"
        "\n"
        "Run 'sloika COMMAND --help' for a command's options.\n";

int sl_cli_fail(const sl_error *err)
{
        sl_log_error("%s", err->msg);
        return 1;
}

int sl_cli_usage(const char *cmd, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        sl_log_error("%s: %s (see 'sloika %s --help')", cmd, msg, cmd);
        return 1;
}

bool sl_cli_help(int argc, char **argv, const char *text)
{
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        break;
                if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
                    strcmp(argv[i], "-help") == 0) {
                        fputs(text, stdout);
                        return true;
                }
        }
        return false;
}

static const struct {
        const char *name;
        int (*fn)(sl_cli *, int, char **);
} commands[] = {
        { "create", sl_cmd_create }, { "run", sl_cmd_run },       { "start", sl_cmd_start },
        { "state", sl_cmd_state },   { "kill", sl_cmd_kill },     { "delete", sl_cmd_delete },
        { "list", sl_cmd_list },     { "spec", sl_cmd_spec },     { "features", sl_cmd_features },
        { "exec", sl_cmd_exec },     { "ps", sl_cmd_ps },         { "pause", sl_cmd_pause },
        { "resume", sl_cmd_resume }, { "update", sl_cmd_update }, { "events", sl_cmd_events },
};

/* --systemd-cgroup is accepted for managers that pass it; sloika manages
 * cgroups directly, so it only works where it changes nothing. */
static int check_systemd(sl_error *err)
{
        struct stat sb;

        if (stat("/run/systemd/system", &sb) < 0)
                return sl_err(err, ENOTSUP,
                              "--systemd-cgroup: systemd is not running on this host (no /run/systemd/system)");
        return sl_err(err, ENOTSUP, "--systemd-cgroup: the systemd cgroup driver is not supported; "
                                    "drop the flag to use cgroupfs");
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "log", required_argument, NULL, 'l' },
                { "log-format", required_argument, NULL, 'f' },
                { "debug", no_argument, NULL, 'd' },
                { "systemd-cgroup", no_argument, NULL, 's' },
                { "version", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        sl_cli g = { .root = "/run/sloika", .argv0 = argv };
        const char *log_path = NULL;
        sl_log_format fmt = SL_LOG_TEXT;
        bool debug = false;
        sl_error err = { 0 };
        int c;

        /* Stop at the command: its options belong to it. */
        while ((c = getopt_long_only(argc, argv, "+vh", opts, NULL)) != -1) {
                switch (c) {
                case 'r': g.root = optarg; break;
                case 'l': log_path = optarg; break;
                case 'f':
                        if (sl_log_format_parse(optarg, &fmt, &err) < 0)
                                return sl_cli_fail(&err);
                        break;
                case 'd': debug = true; break;
                case 's': g.systemd_cgroup = true; break;
                case 'v':
                        printf("sloika version %s\nspec: 1.2.0\n", PACKAGE_VERSION);
                        return 0;
                case 'h': fputs(usage, stdout); return 0;
                default: fputs(usage, stderr); return 1;
                }
        }
        if (log_path || fmt != SL_LOG_TEXT || debug) {
                sl_log_set_stderr_copy(log_path != NULL);
                if (sl_log_init(log_path, fmt, debug ? SL_LOG_DEBUG : SL_LOG_INFO, &err) < 0)
                        return sl_cli_fail(&err);
        }
        if (optind >= argc) {
                fputs(usage, stderr);
                return 1;
        }
        if (g.systemd_cgroup) {
                check_systemd(&err);
                return sl_cli_fail(&err);
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[optind], commands[i].name) == 0) {
                        int cargc = argc - optind;
                        char **cargv = argv + optind;
                        optind = 0;  /* a fresh getopt scan for the command */
                        return commands[i].fn(&g, cargc, cargv);
                }
        sl_err(&err, EINVAL, "unknown command \"%s\" (see 'sloika --help')", argv[optind]);
        return sl_cli_fail(&err);
}
