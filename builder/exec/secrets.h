/* Build secrets (`build --secret id=ID[,src=FILE|,env=VAR]`, as docker
 * build takes them): read once when the build starts, handed to RUN
 * --mount=type=secret, and never written into a layer or a cache key. */
#ifndef SLOIKA_BUILDER_EXEC_SECRETS_H
#define SLOIKA_BUILDER_EXEC_SECRETS_H

#include <stddef.h>

#include "common/error.h"

typedef struct sl_secret {
        char *id;
        char *data;
        size_t len;
} sl_secret;

typedef struct sl_secrets {
        sl_secret *v;
        size_t n;
} sl_secrets;

/* Parses one --secret value and reads its content: src= (or source=)
 * names a file, env= an environment variable; with neither, the variable
 * named like the id when it is set, else the file named like the id.
 * type=file|env is accepted too. A later id replaces an earlier one. */
int sl_secrets_add(sl_secrets *s, const char *spec, sl_error *err);
const sl_secret *sl_secrets_find(const sl_secrets *s, const char *id);
/* Wipes the contents, then frees. */
void sl_secrets_free(sl_secrets *s);

#endif
