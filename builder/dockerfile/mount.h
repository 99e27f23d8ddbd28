/* RUN --mount=type=...,key=value,... (cache, bind, tmpfs, secret). */
#ifndef SLOIKA_BUILDER_DF_MOUNT_H
#define SLOIKA_BUILDER_DF_MOUNT_H

#include "builder/dockerfile/dockerfile.h"
#include "builder/expand.h"

/* Parses one --mount value (CSV of key[=value]). With env, every value
 * but the type is expanded first; with env NULL values are kept as
 * written and numeric ones holding a variable are left unset (has_* false)
 * for the expanding re-parse. Errors name the key and what was expected. */
int sl_df_mount_parse(const char *raw, const sl_expand_env *env, sl_df_mount *out, sl_error *err);
void sl_df_mount_free(sl_df_mount *m);

const char *sl_df_mount_type_name(sl_df_mount_type t);

#endif
