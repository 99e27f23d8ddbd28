/* Small fd-based filesystem helpers for the layer code and the store:
 * nothing here follows a symlink. */
#ifndef SLOIKA_BUILDER_LAYER_FSUTIL_H
#define SLOIKA_BUILDER_LAYER_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Removes name in dirfd and, for a directory, everything under it.
 * A missing name is success. */
int sl_rm_rf_at(int dirfd, const char *name, sl_error *err);
/* Removes everything inside the directory dirfd, keeping it. */
int sl_rm_children(int dirfd, sl_error *err);

/* A set of strings (paths seen in a layer). */
typedef struct sl_strset {
        char **slots;
        size_t cap, len;
} sl_strset;

void sl_strset_add(sl_strset *s, const char *key);
bool sl_strset_has(const sl_strset *s, const char *key);
void sl_strset_free(sl_strset *s);

#endif
