/* NULL-terminated string vectors (argv, env), heap-owned element-wise;
 * free with sl_strv_free or the _cleanup_strv_ attribute. */
#ifndef SLOIKA_COMMON_STRV_H
#define SLOIKA_COMMON_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t sl_strv_len(char *const *v);                 /* NULL counts as empty */
void sl_strv_append(char ***v, const char *s);      /* appends a copy of s */
void sl_strv_append_take(char ***v, char *s);       /* appends s itself */
char **sl_strv_dup(char *const *v);                 /* never NULL */
bool sl_strv_contains(char *const *v, const char *s);
void sl_strv_free(char **v);

#endif
