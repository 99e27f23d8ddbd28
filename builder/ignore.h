/* .dockerignore: which context paths a build never sees.
 *
 * Docker's semantics: one pattern per line, "#" at the start of a line is
 * a comment, blank lines are skipped; patterns are cleaned like Go's
 * filepath.Clean and are relative to the context root (a leading "/" is
 * dropped); "*" "?" and "[...]" match within one path segment, "**" any
 * number of segments; "!" re-includes; the last matching pattern wins;
 * a pattern matching a directory matches everything below it.
 * A Dockerfile-specific "<Dockerfile>.dockerignore" next to the Dockerfile
 * takes precedence over the context's .dockerignore. */
#ifndef SLOIKA_BUILDER_IGNORE_H
#define SLOIKA_BUILDER_IGNORE_H

#include "common/pathclean.h"

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct sl_ignore sl_ignore;

/* Parses ignore-file text; source names it in errors ("FILE:LINE: ..."). */
int sl_ignore_parse(const char *data, size_t len, const char *source, sl_ignore **out, sl_error *err);

/* The same matcher from a list of patterns, as COPY/ADD --exclude gives
 * them (no comments; "!" still re-includes). source names them in errors. */
int sl_ignore_from_patterns(char *const *patterns, const char *source, sl_ignore **out, sl_error *err);

/* Loads the patterns for a build: dockerfile_path ".dockerignore" if it
 * exists (dockerfile_path may be NULL), else the context's .dockerignore
 * (read through context_fd, inside the context), else no patterns.
 * *source (may be NULL) gets the file used, or NULL. */
int sl_ignore_load(int context_fd, const char *dockerfile_path, sl_ignore **out, char **source, sl_error *err);

/* Whether path (relative to the context root, "/"-separated; a leading
 * "/" or "./" is ignored) is excluded. */
bool sl_ignore_match(const sl_ignore *ig, const char *path);

/* For a walk: whether something below directory dir could be included.
 * True unless dir is excluded and no later "!" pattern can match beneath
 * it, so a walk may skip dir only when this is false. */
bool sl_ignore_may_descend(const sl_ignore *ig, const char *dir);

size_t sl_ignore_count(const sl_ignore *ig);
/* The i-th cleaned pattern, with its leading "!" for re-includes. */
const char *sl_ignore_pattern(const sl_ignore *ig, size_t i);

void sl_ignore_free(sl_ignore *ig);


#endif
