/* Applies Docker's variable expansion to one instruction, at build time
 * when the stage's ARG/ENV values are known. Expanded: FROM image and
 * --platform; COPY/ADD sources, destination, --from, --chown, --chmod,
 * --checksum, --exclude and unquoted heredoc bodies; ENV and LABEL keys and
 * values; ARG defaults; EXPOSE (split into fields); VOLUME; WORKDIR; USER;
 * STOPSIGNAL; RUN --mount values. RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK/
 * MAINTAINER/ONBUILD are copied as written (the shell or the trigger's own
 * build expands them). Values that must be valid once expanded (ports,
 * signals, modes, mounts) are checked here. */
#ifndef SLOIKA_BUILDER_DF_EXPAND_INSTR_H
#define SLOIKA_BUILDER_DF_EXPAND_INSTR_H

#include "builder/dockerfile/dockerfile.h"
#include "builder/expand.h"

/* env->escape is taken from the Dockerfile. Errors read
 * "Dockerfile:LINE: COPY destination: NAME: is not allowed to be unset". */
int sl_df_instr_expand(const sl_dockerfile *df, const sl_df_instr *in, const sl_expand_env *env,
                       sl_df_instr **out, sl_error *err);
/* A deep copy without expansion; free with sl_df_instr_free. */
sl_df_instr *sl_df_instr_dup(const sl_df_instr *in);

#endif
