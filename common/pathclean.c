#include "common/pathclean.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

char *sl_path_clean(const char *path)
{
        if (!*path)
                return sl_xstrdup(".");
        bool rooted = path[0] == '/';
        size_t n = strlen(path);
        char *out = sl_xmalloc(n + 2);
        size_t w = 0, r = 0, dotdot = 0;
        if (rooted)
                out[w++] = '/', r = 1, dotdot = 1;
        while (r < n) {
                if (path[r] == '/') {
                        r++;
                } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
                        r++;
                } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
                        r += 2;
                        if (w > dotdot) {
                                w--;
                                while (w > dotdot && out[w] != '/')
                                        w--;
                        } else if (!rooted) {
                                if (w > 0)
                                        out[w++] = '/';
                                out[w++] = '.', out[w++] = '.';
                                dotdot = w;
                        }
                } else {
                        if ((rooted && w != 1) || (!rooted && w != 0))
                                out[w++] = '/';
                        for (; r < n && path[r] != '/'; r++)
                                out[w++] = path[r];
                }
        }
        if (w == 0)
                out[w++] = '.';
        out[w] = '\0';
        return out;
}

char *sl_path_clean_abs(const char *path)
{
        char *rooted = sl_xasprintf("/%s", path);
        char *out = sl_path_clean(rooted);
        free(rooted);
        return out;
}
