/* sloika-build subcommands of the executor: argv[0] is the subcommand,
 * the return value the exit code (a failing RUN's own status for build). */
#ifndef SLOIKA_BUILDER_CLI_EXEC_CLI_H
#define SLOIKA_BUILDER_CLI_EXEC_CLI_H

int sl_build_cmd_build(int argc, char **argv);
int sl_build_cmd_bundle(int argc, char **argv);

#endif
