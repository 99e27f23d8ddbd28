/* The argv an instruction's command runs as, following Docker: exec form
 * as written; shell form through the stage's SHELL; RUN heredocs resolved
 * the way BuildKit resolves them. */
#ifndef SLOIKA_BUILDER_DF_COMMAND_H
#define SLOIKA_BUILDER_DF_COMMAND_H

#include "builder/dockerfile/dockerfile.h"

/* Exec form: a copy of argv; shell form: shell + the text. shell is the
 * stage's SHELL (NULL-terminated; NULL means /bin/sh -c). Also what goes
 * into the image config for CMD and ENTRYPOINT. */
char **sl_df_command_argv(const sl_df_command *c, char *const *shell);

/* RUN's argv. With heredocs:
 *  - "RUN <<EOF" alone: the body is the script; shell form runs it with
 *    SHELL, unless it starts with "#!": then *script is that heredoc, which
 *    the executor writes (mode 0755) to script_dir/NAME and argv runs it
 *    directly;
 *  - any other use ("RUN python3 <<EOF"): the command with each body and
 *    delimiter appended goes to SHELL, which reads the heredocs itself.
 * *script is NULL unless a file must be written. */
char **sl_df_run_argv(const sl_df_instr *run, char *const *shell, const char *script_dir,
                      const sl_df_heredoc **script);

#endif
