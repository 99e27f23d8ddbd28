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

/* Deletes every container under state_root (builder/cli/reap.c, linked
 * into sloika-build only); main sets sl_store_cli_reaper to it so prune
 * and fsck can clear a killed build's step containers. */
int sl_build_reap_containers(const char *state_root, sl_error *err);
/* An sl_store_reap_fn, spelled out so this header needs no generated one. */
extern int (*sl_store_cli_reaper)(const char *state_root, sl_error *err);

/* Prints "sloika-build CMD: <message>" and returns SL_EXIT_FAIL. */
int sl_store_cli_fail(const char *cmd, const sl_error *err);

#endif
