/* The sloika command line: runc's global flags and commands. main.c
 * parses the global flags and hands each command its own argv; every
 * command parses its flags and calls the library. */
#ifndef SLOIKA_RUNTIME_CLI_H
#define SLOIKA_RUNTIME_CLI_H

#include <stdbool.h>

#include "common/error.h"

typedef struct sl_cli {
        const char *root;
        bool systemd_cgroup;
        char **argv0;   /* the whole original argv, for re-exec */
        int primer;     /* pid of the cgroup-migration primer, or -1 */
} sl_cli;

/* Logs err (log file and stderr) and returns the exit status 1. */
int sl_cli_fail(const sl_error *err);
/* Reports a usage problem of command cmd and returns 1. */
int sl_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether argv asks for help (-h/--help): prints usage and returns true. */
bool sl_cli_help(int argc, char **argv, const char *usage);

/* For commands that start container processes: primes the cgroup
 * migration (see prime.h) and re-execs from a write-protected binary
 * (see reexec.h). */
int sl_cli_prepare_exec(sl_cli *g, sl_error *err);

struct sl_create_opts;
/* create's flags, shared with run (which adds --detach): returns 0, 1 for
 * an error already reported, or 2 when help was printed. */
int sl_cli_parse_create(sl_cli *g, const char *cmd, int argc, char **argv,
                        struct sl_create_opts *o);

int sl_cmd_create(sl_cli *g, int argc, char **argv);
int sl_cmd_run(sl_cli *g, int argc, char **argv);
int sl_cmd_start(sl_cli *g, int argc, char **argv);
int sl_cmd_state(sl_cli *g, int argc, char **argv);
int sl_cmd_kill(sl_cli *g, int argc, char **argv);
int sl_cmd_delete(sl_cli *g, int argc, char **argv);
int sl_cmd_list(sl_cli *g, int argc, char **argv);
int sl_cmd_spec(sl_cli *g, int argc, char **argv);
int sl_cmd_features(sl_cli *g, int argc, char **argv);
int sl_cmd_exec(sl_cli *g, int argc, char **argv);
int sl_cmd_ps(sl_cli *g, int argc, char **argv);
int sl_cmd_pause(sl_cli *g, int argc, char **argv);
int sl_cmd_resume(sl_cli *g, int argc, char **argv);
int sl_cmd_update(sl_cli *g, int argc, char **argv);
int sl_cmd_events(sl_cli *g, int argc, char **argv);

#endif
