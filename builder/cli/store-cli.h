/* sloika-build subcommands over the image store (owned with the store):
 * each takes its own argv (argv[0] is the subcommand) and returns the
 * exit code, like the commands in cli.h. */
#ifndef SLOIKA_BUILDER_CLI_STORE_CLI_H
#define SLOIKA_BUILDER_CLI_STORE_CLI_H

#include "common/error.h"

int sl_build_cmd_import(int argc, char **argv);
int sl_build_cmd_images(int argc, char **argv);
int sl_build_cmd_inspect(int argc, char **argv);
int sl_build_cmd_rm(int argc, char **argv);
int sl_build_cmd_tag(int argc, char **argv);
int sl_build_cmd_prune(int argc, char **argv);
int sl_build_cmd_export(int argc, char **argv);
int sl_build_cmd_fsck(int argc, char **argv);

/* Prints "sloika-build CMD: <message>" and returns SL_EXIT_FAIL. */
int sl_store_cli_fail(const char *cmd, const sl_error *err);

#endif
