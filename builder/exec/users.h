/* User and group names as an image knows them: its /etc/passwd and
 * /etc/group, read through the image's root fd (never a host path). */
#ifndef SLOIKA_BUILDER_EXEC_USERS_H
#define SLOIKA_BUILDER_EXEC_USERS_H

#include <stdint.h>

#include "common/error.h"

/* "user[:group]" as USER and RUN take it: a name or number each. Without
 * a group, the user's primary group from passwd (0 for a uid passwd does
 * not list). rootfd may be -1: then only numbers are accepted. */
int sl_resolve_user(int rootfd, const char *spec, uint32_t *uid, uint32_t *gid, sl_error *err);

/* "user[:group]" as COPY --chown takes it: without a group, the gid is
 * the user's primary group for a name, and the same number for a uid. */
int sl_resolve_chown(int rootfd, const char *spec, uint32_t *uid, uint32_t *gid, sl_error *err);

#endif
