#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder/dockerfile/chmod.h"
#include "common/xalloc.h"

/* Runs the clauses of spec over mode; returns -1 (with the offending
 * character's offset in *bad) when spec is malformed. */
static int run(const char *spec, mode_t *mode, bool is_dir, size_t *bad)
{
        const char *p = spec;
        mode_t m = *mode & 07777;
        for (;;) {
                mode_t who = 0;
                for (; strchr("ugoa", *p) && *p; p++)
                        who |= *p == 'u' ? 04700 : *p == 'g' ? 02070 : *p == 'o' ? 01007 : 07777;
                if (who == 0)
                        who = 07777;
                if (!*p || !strchr("+-=", *p)) {
                        *bad = (size_t)(p - spec);
                        return -1;
                }
                while (*p && strchr("+-=", *p)) {
                        char op = *p++;
                        mode_t bits = 0;
                        if (*p && strchr("ugo", *p)) {
                                /* copy another class's rwx bits */
                                mode_t src = *p == 'u' ? (m >> 6) & 7 : *p == 'g' ? (m >> 3) & 7 : m & 7;
                                bits = (src << 6 | src << 3 | src) & who & 0777;
                                p++;
                        } else {
                                for (; *p && strchr("rwxXst", *p); p++) {
                                        switch (*p) {
                                        case 'r': bits |= 0444; break;
                                        case 'w': bits |= 0222; break;
                                        case 'x': bits |= 0111; break;
                                        case 'X': if (is_dir || (m & 0111)) bits |= 0111; break;
                                        case 's': bits |= 06000; break;
                                        case 't': bits |= 01000; break;
                                        }
                                }
                                bits &= who;
                        }
                        if (op == '+')
                                m |= bits;
                        else if (op == '-')
                                m &= ~bits;
                        else
                                m = (m & ~who) | bits;
                }
                if (*p == '\0')
                        break;
                if (*p != ',') {
                        *bad = (size_t)(p - spec);
                        return -1;
                }
                p++;
        }
        *mode = m;
        return 0;
}

int sl_chmod_parse(const char *s, sl_chmod *out, sl_error *err)
{
        *out = (sl_chmod){0};
        if (*s >= '0' && *s <= '7') {
                char *end;
                errno = 0;
                unsigned long v = strtoul(s, &end, 8);
                if (*end || errno || v > 07777)
                        return sl_err(err, EINVAL, "invalid mode \"%s\": expected an octal mode such as 0755 "
                                      "or a symbolic one such as u=rwx,g=rx,o=", s);
                out->mode = (mode_t)v;
                return 0;
        }
        mode_t probe = 0;
        size_t bad = 0;
        if (!*s || run(s, &probe, false, &bad) < 0)
                return sl_err(err, EINVAL, "invalid mode \"%s\" at \"%s\": expected an octal mode such as 0755 "
                              "or a symbolic one such as u=rwx,g=rx,o= ([ugoa]*[+-=][rwxXst]*, comma-separated)", s, s + bad);
        out->symbolic = true;
        out->spec = sl_xstrdup(s);
        return 0;
}

mode_t sl_chmod_apply(const sl_chmod *c, mode_t old, bool is_dir)
{
        if (!c->symbolic)
                return c->mode;
        mode_t m = old & 07777;
        size_t bad;
        if (run(c->spec, &m, is_dir, &bad) < 0)
                return old & 07777;  /* checked by sl_chmod_parse */
        return m;
}

void sl_chmod_free(sl_chmod *c)
{
        free(c->spec);
        *c = (sl_chmod){0};
}
