/* Shell-style word expansion as the Dockerfile frontend applies it to
 * ENV, ARG, LABEL, COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL,
 * FROM and instruction flags (never to RUN/CMD/ENTRYPOINT shell form,
 * which the shell itself expands):
 *   $VAR ${VAR} ${VAR:-w} ${VAR-w} ${VAR:+w} ${VAR+w} ${VAR:?msg} ${VAR?msg}
 *   ${VAR#glob} ${VAR##glob} ${VAR%glob} ${VAR%%glob} ${VAR/glob/w} ${VAR//glob/w}
 * Single quotes keep everything literal; double quotes allow expansion and
 * the escapes \" \$ \\ (the escape char is the Dockerfile's `escape`
 * directive); outside quotes the escape char makes the next char literal.
 * Quotes are removed from the result. */
#ifndef SLOIKA_BUILDER_EXPAND_H
#define SLOIKA_BUILDER_EXPAND_H

#include <stdbool.h>

#include "common/error.h"

/* Returns the value of name, or NULL when it is not set. */
typedef const char *(*sl_expand_lookup_fn)(void *ctx, const char *name);

typedef struct sl_expand_env {
        sl_expand_lookup_fn lookup;  /* NULL: no variable is set */
        void *ctx;
        char escape;                 /* '\\' or '`'; 0 means '\\' */
        /* Told about every variable referenced while unset (lints); may be NULL. */
        void (*on_unset)(void *ctx, const char *name);
        void *unset_ctx;
        /* Heredoc bodies: quotes stay literal and the escape char only
         * escapes '$' and itself, so scripts keep their own quoting. */
        bool keep_quotes;
} sl_expand_env;

/* Expands word into one string (whitespace is kept). */
int sl_expand_word(const char *word, const sl_expand_env *env, char **out, sl_error *err);

/* Expands word and splits it into fields at unquoted whitespace, including
 * whitespace produced by unquoted expansions (EXPOSE $PORTS). Empty fields
 * are dropped. *out is a NULL-terminated vector; free with sl_strv_freev. */
int sl_expand_fields(const char *word, const sl_expand_env *env, char ***out, sl_error *err);

/* A lookup over a NULL-terminated "KEY=VALUE" vector (ctx is the char **);
 * the last definition of a key wins. */
const char *sl_expand_envv_lookup(void *envv, const char *name);

#endif
