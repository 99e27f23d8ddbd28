#include "runtime/lib/update-flags.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

int sl_update_parse_size(const char *flag, const char *s, int64_t *out, sl_error *err)
{
        if (strcmp(s, "-1") == 0) {
                *out = -1;
                return 0;
        }
        const char *p = s;
        while (isdigit((unsigned char)*p))
                p++;
        bool ok = p > s;
        if (ok && *p == '.') {
                const char *frac = ++p;
                while (isdigit((unsigned char)*p))
                        p++;
                ok = p > frac;
        }
        size_t numlen = (size_t)(p - s);
        if (ok && *p == ' ')
                p++;
        double mult = 1;
        static const char units[] = "kmgtp";
        const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
        if (ok && u) {
                for (const char *k = units; k <= u; k++)
                        mult *= 1024;
                p++;
        }
        if (ok && (*p == 'i' || *p == 'I'))
                p++;
        if (ok && (*p == 'b' || *p == 'B'))
                p++;
        if (!ok || *p)
                return sl_err(err, EINVAL, "--%s: invalid size '%s' (bytes, with an optional k, m, g, t or p "
                              "suffix, or -1 for unlimited)", flag, s);
        char num[64];
        if (numlen >= sizeof num)
                return sl_err(err, ERANGE, "--%s: size '%s' is too large", flag, s);
        memcpy(num, s, numlen);
        num[numlen] = '\0';
        double v = strtod(num, NULL) * mult;
        if (v >= 9223372036854775807.0)
                return sl_err(err, ERANGE, "--%s: size '%s' is too large", flag, s);
        *out = (int64_t)v;
        return 0;
}

static int parse_i64(const char *flag, const char *s, int64_t *out, sl_error *err)
{
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || errno)
                return sl_err(err, EINVAL, "--%s: invalid value '%s' (an integer)", flag, s);
        *out = v;
        return 0;
}

static int parse_u64(const char *flag, const char *s, uint64_t *out, sl_error *err)
{
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (!*s || *end || errno || strchr(s, '-'))
                return sl_err(err, EINVAL, "--%s: invalid value '%s' (a non-negative integer)", flag, s);
        *out = v;
        return 0;
}

static oci_linux_memory *mem(oci_linux_resources *r)
{
        return r->memory ? r->memory : (r->memory = sl_xcalloc(1, sizeof *r->memory));
}

static oci_linux_cpu *cpu(oci_linux_resources *r)
{
        return r->cpu ? r->cpu : (r->cpu = sl_xcalloc(1, sizeof *r->cpu));
}

int sl_update_set_flag(oci_linux_resources *r, const char *flag, const char *value,
                       sl_error *err)
{
        static const struct {
                const char *flag;
                size_t off_value, off_has;
        } sizes[] = {
#define M(f, field) { f, offsetof(oci_linux_memory, field), offsetof(oci_linux_memory, has_##field) }
                M("memory", limit), M("memory-reservation", reservation), M("memory-swap", swap),
                M("kernel-memory", kernel), M("kernel-memory-tcp", kernel_tcp),
#undef M
        };
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
                if (strcmp(flag, sizes[i].flag) != 0)
                        continue;
                int64_t v;
                if (sl_update_parse_size(flag, value, &v, err) < 0)
                        return -1;
                char *m = (char *)mem(r);
                *(int64_t *)(m + sizes[i].off_value) = v;
                *(bool *)(m + sizes[i].off_has) = true;
                return 0;
        }
        if (strcmp(flag, "cpu-share") == 0 || strcmp(flag, "cpu-shares") == 0)
                return parse_u64(flag, value, &cpu(r)->shares, err) < 0 ? -1 : (cpu(r)->has_shares = true, 0);
        if (strcmp(flag, "cpu-quota") == 0)
                return parse_i64(flag, value, &cpu(r)->quota, err) < 0 ? -1 : (cpu(r)->has_quota = true, 0);
        if (strcmp(flag, "cpu-period") == 0)
                return parse_u64(flag, value, &cpu(r)->period, err) < 0 ? -1 : (cpu(r)->has_period = true, 0);
        if (strcmp(flag, "cpu-rt-period") == 0)
                return parse_u64(flag, value, &cpu(r)->realtime_period, err) < 0
                               ? -1 : (cpu(r)->has_realtime_period = true, 0);
        if (strcmp(flag, "cpu-rt-runtime") == 0)
                return parse_i64(flag, value, &cpu(r)->realtime_runtime, err) < 0
                               ? -1 : (cpu(r)->has_realtime_runtime = true, 0);
        if (strcmp(flag, "cpuset-cpus") == 0 || strcmp(flag, "cpuset-mems") == 0) {
                char **dst = flag[7] == 'c' ? &cpu(r)->cpus : &cpu(r)->mems;
                free(*dst);
                *dst = sl_xstrdup(value);
                return 0;
        }
        if (strcmp(flag, "pids-limit") == 0) {
                int64_t v;
                if (parse_i64(flag, value, &v, err) < 0)
                        return -1;
                if (v == 0)  /* runc leaves the limit as it is */
                        return 0;
                if (!r->pids)
                        r->pids = sl_xcalloc(1, sizeof *r->pids);
                r->pids->limit = v, r->pids->has_limit = true;
                return 0;
        }
        if (strcmp(flag, "blkio-weight") == 0) {
                uint64_t v;
                if (parse_u64(flag, value, &v, err) < 0)
                        return -1;
                if (v != 0 && (v < 10 || v > 1000))
                        return sl_err(err, EINVAL, "--%s: %" PRIu64 " is outside 10-1000", flag, v);
                if (!r->block_io)
                        r->block_io = sl_xcalloc(1, sizeof *r->block_io);
                r->block_io->weight = (uint16_t)v, r->block_io->has_weight = true;
                return 0;
        }
        return sl_err(err, EINVAL, "--%s: unknown flag", flag);
}

void sl_update_resources_clear(oci_linux_resources *r)
{
        if (r->cpu) {
                free(r->cpu->cpus);
                free(r->cpu->mems);
        }
        free(r->cpu);
        free(r->memory);
        free(r->pids);
        free(r->block_io);
        r->cpu = NULL, r->memory = NULL, r->pids = NULL, r->block_io = NULL;
}
