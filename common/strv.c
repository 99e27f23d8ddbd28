#include "common/strv.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

size_t sl_strv_len(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

void sl_strv_append_take(char ***v, char *s)
{
        size_t n = sl_strv_len(*v);
        *v = sl_xrealloc(*v, (n + 2) * sizeof **v);
        (*v)[n] = s;
        (*v)[n + 1] = NULL;
}

void sl_strv_append(char ***v, const char *s)
{
        sl_strv_append_take(v, sl_xstrdup(s));
}

char **sl_strv_dup(char *const *v)
{
        size_t n = sl_strv_len(v);
        char **out = sl_xcalloc(n + 1, sizeof *out);
        for (size_t i = 0; i < n; i++)
                out[i] = sl_xstrdup(v[i]);
        return out;
}

bool sl_strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

void sl_strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}
