/* sloika-build subcommands. Each takes its own argv (argv[0] is the
 * subcommand name) and returns the process exit code. */
#ifndef SLOIKA_BUILDER_CLI_H
#define SLOIKA_BUILDER_CLI_H

/* Exit codes shared by the subcommands. */
#define SL_EXIT_OK 0
#define SL_EXIT_FAIL 1     /* the work failed: a bad Dockerfile, lint errors */
#define SL_EXIT_USAGE 2    /* the command line was wrong */

int sl_build_cmd_check(int argc, char **argv);

#endif
