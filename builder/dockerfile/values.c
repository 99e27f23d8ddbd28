#include "builder/dockerfile/values.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool sl_df_has_var(const char *s) { return strchr(s, '$') != NULL; }

static int parse_ulong(const char *s, int base, unsigned long long max, unsigned long long *v)
{
        if (!*s || !isdigit((unsigned char)*s))
                return -1;
        char *end;
        errno = 0;
        unsigned long long x = strtoull(s, &end, base);
        if (errno || *end || x > max)
                return -1;
        *v = x;
        return 0;
}

int sl_df_parse_port(const char *s, uint16_t *first, uint16_t *last, char proto[8], sl_error *err)
{
        const char *slash = strchr(s, '/');
        size_t plen = slash ? (size_t)(slash - s) : strlen(s);
        strcpy(proto, "tcp");
        if (slash) {
                const char *p = slash + 1;
                if (strcasecmp(p, "tcp") && strcasecmp(p, "udp") && strcasecmp(p, "sctp"))
                        return sl_err(err, 0, "invalid protocol in port \"%s\": expected tcp, udp or sctp", s);
                for (int i = 0; p[i]; i++)
                        proto[i] = (char)tolower((unsigned char)p[i]), proto[i + 1] = '\0';
        }
        char buf[32];
        if (plen == 0 || plen >= sizeof buf)
                return sl_err(err, 0, "invalid port \"%s\": expected PORT[-PORT][/PROTO]", s);
        memcpy(buf, s, plen);
        buf[plen] = '\0';
        char *dash = strchr(buf, '-');
        if (dash)
                *dash = '\0';
        unsigned long long a, b;
        if (parse_ulong(buf, 10, 65535, &a) < 0 || (dash && parse_ulong(dash + 1, 10, 65535, &b) < 0))
                return sl_err(err, 0, "invalid port \"%s\": expected PORT[-PORT][/PROTO] with ports 0-65535", s);
        if (!dash)
                b = a;
        if (b < a)
                return sl_err(err, 0, "invalid port range \"%s\": the end is below the start", s);
        *first = (uint16_t)a;
        *last = (uint16_t)b;
        return 0;
}

static const struct { const char *name; int no; } signals[] = {
        {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS}, {"CHLD", SIGCHLD}, {"CLD", SIGCHLD},
        {"CONT", SIGCONT}, {"FPE", SIGFPE}, {"HUP", SIGHUP}, {"ILL", SIGILL}, {"INT", SIGINT},
        {"IO", SIGIO}, {"IOT", SIGIOT}, {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"POLL", SIGPOLL},
        {"PROF", SIGPROF}, {"PWR", SIGPWR}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
        {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP}, {"SYS", SIGSYS}, {"TERM", SIGTERM},
        {"TRAP", SIGTRAP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
        {"URG", SIGURG}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"VTALRM", SIGVTALRM},
        {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

int sl_df_parse_signal(const char *s, int *signo, sl_error *err)
{
        unsigned long long n;
        if (parse_ulong(s, 10, 64, &n) == 0 && n > 0) {
                *signo = (int)n;
                return 0;
        }
        const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
                if (strcasecmp(name, signals[i].name) == 0) {
                        *signo = signals[i].no;
                        return 0;
                }
        /* RTMIN+n / RTMAX-n, with the kernel's numbering 34..64 */
        long off = 0;
        char *end;
        if (strncasecmp(name, "RTMIN", 5) == 0) {
                off = name[5] ? strtol(name + 5, &end, 10) : 0;
                if ((!name[5] || (name[5] == '+' && !*end)) && off >= 0 && 34 + off <= 64) {
                        *signo = 34 + (int)off;
                        return 0;
                }
        } else if (strncasecmp(name, "RTMAX", 5) == 0) {
                off = name[5] ? strtol(name + 5, &end, 10) : 0;
                if ((!name[5] || (name[5] == '-' && !*end)) && off <= 0 && 64 + off >= 34) {
                        *signo = 64 + (int)off;
                        return 0;
                }
        }
        return sl_err(err, 0, "invalid signal \"%s\": expected a name such as SIGTERM or a number 1-64", s);
}

int sl_df_parse_duration(const char *s, int64_t *ns, sl_error *err)
{
        static const struct { const char *unit; double ns; } units[] = {
                {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3}, {"ms", 1e6},
                {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
        };
        const char *p = s;
        bool neg = false;
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (strcmp(p, "0") == 0) {
                *ns = 0;
                return 0;
        }
        if (!*p)
                goto bad;
        double total = 0;
        while (*p) {
                if (!isdigit((unsigned char)*p) && *p != '.')
                        goto bad;
                char *end;
                double v = strtod(p, &end);
                if (end == p)
                        goto bad;
                p = end;
                size_t ul = 0;
                while (p[ul] && !isdigit((unsigned char)p[ul]) && p[ul] != '.')
                        ul++;
                size_t i;
                for (i = 0; i < sizeof units / sizeof units[0]; i++)
                        if (strlen(units[i].unit) == ul && strncmp(p, units[i].unit, ul) == 0)
                                break;
                if (i == sizeof units / sizeof units[0])
                        goto bad;
                total += v * units[i].ns;
                p += ul;
        }
        if (total > 9.2e18)
                goto bad;
        *ns = (int64_t)(neg ? -total : total);
        return 0;
bad:
        return sl_err(err, 0, "invalid duration \"%s\": expected a number with a unit, such as 30s, 1m30s or 500ms", s);
}

int sl_df_parse_mode(const char *s, uint32_t *mode, sl_error *err)
{
        unsigned long long v;
        if (strlen(s) > 5 || parse_ulong(s, 8, 07777, &v) < 0)
                return sl_err(err, 0, "invalid mode \"%s\": expected an octal mode such as 0755", s);
        *mode = (uint32_t)v;
        return 0;
}

int sl_df_parse_size(const char *s, uint64_t *bytes, sl_error *err)
{
        char *end;
        if (!isdigit((unsigned char)*s))
                goto bad;
        errno = 0;
        double v = strtod(s, &end);
        if (errno)
                goto bad;
        while (*end == ' ')
                end++;
        double mult = 1;
        const char *u = "kmgtp";
        const char *hit = *end ? strchr(u, tolower((unsigned char)*end)) : NULL;
        if (hit) {
                for (const char *q = u; q <= hit; q++)
                        mult *= 1024;
                end++;
                if (*end == 'i' || *end == 'I')
                        end++;
        }
        if (*end == 'b' || *end == 'B')
                end++;
        if (*end || v * mult > 1.8e19)
                goto bad;
        *bytes = (uint64_t)(v * mult);
        return 0;
bad:
        return sl_err(err, 0, "invalid size \"%s\": expected bytes or a number with k, m, g, t or p", s);
}

int sl_df_parse_uint32(const char *s, uint32_t *v, sl_error *err)
{
        unsigned long long x;
        if (parse_ulong(s, 10, UINT32_MAX, &x) < 0)
                return sl_err(err, 0, "invalid number \"%s\": expected a non-negative integer", s);
        *v = (uint32_t)x;
        return 0;
}

int sl_df_parse_bool(const char *s, bool *v, sl_error *err)
{
        if (strcasecmp(s, "true") == 0)
                *v = true;
        else if (strcasecmp(s, "false") == 0)
                *v = false;
        else
                return sl_err(err, 0, "invalid boolean \"%s\": expected true or false", s);
        return 0;
}
