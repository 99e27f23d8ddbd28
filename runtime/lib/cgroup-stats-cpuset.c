/* The cpuset part of `events --stats`: the cpus and memory nodes the
 * container may use and, on v1, the cpuset controller's flags. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup-internal.h"
#include "runtime/lib/cgroup.h"

int sl_cg_parse_cpu_list(const char *list, uint16_t **out, size_t *n)
{
        *out = NULL;
        *n = 0;
        for (const char *p = list; *p;) {
                char *end;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (end == p)
                        goto bad;
                p = end;
                if (*p == '-') {
                        b = strtoul(++p, &end, 10);
                        if (end == p || b < a)
                                goto bad;
                        p = end;
                }
                if (b > 65535)
                        goto bad;
                for (unsigned long i = a; i <= b; i++) {
                        *out = sl_xrealloc(*out, (*n + 1) * sizeof **out);
                        (*out)[(*n)++] = (uint16_t)i;
                }
                if (*p == ',')
                        p++;
                else if (*p && *p != '\n')
                        goto bad;
                else
                        break;
        }
        return 0;
bad:
        free(*out);
        *out = NULL;
        *n = 0;
        return -1;
}

static void list_of(const char *dir, const char *file, uint16_t **v, size_t *n)
{
        _cleanup_free_ char *text = NULL;
        if (sl_cg_read(dir, file, &text, NULL) == 0)
                sl_cg_parse_cpu_list(text, v, n);
}

static uint64_t flag_of(const char *dir, const char *file)
{
        uint64_t v;
        return sl_cg_read_u64(dir, file, &v, NULL) == 0 ? v : 0;
}

void sl_cg_cpuset_stats(const sl_cg *cg, struct sl_cgroup_stats *s)
{
        const sl_cg_hier *h = sl_cg_v1(cg, "cpuset"), *u = sl_cg_unified(cg);
        if (h) {
                s->has_cpuset = true;
                list_of(h->dir, "cpuset.cpus", &s->cpuset_cpus, &s->cpuset_cpus_len);
                list_of(h->dir, "cpuset.mems", &s->cpuset_mems, &s->cpuset_mems_len);
                s->cpu_exclusive = flag_of(h->dir, "cpuset.cpu_exclusive");
                s->mem_hardwall = flag_of(h->dir, "cpuset.mem_hardwall");
                s->mem_exclusive = flag_of(h->dir, "cpuset.mem_exclusive");
                s->memory_migrate = flag_of(h->dir, "cpuset.memory_migrate");
                s->memory_spread_page = flag_of(h->dir, "cpuset.memory_spread_page");
                s->memory_spread_slab = flag_of(h->dir, "cpuset.memory_spread_slab");
                s->memory_pressure = flag_of(h->dir, "cpuset.memory_pressure");
                s->sched_load_balance = flag_of(h->dir, "cpuset.sched_load_balance");
                _cleanup_free_ char *relax = NULL;
                if (sl_cg_read(h->dir, "cpuset.sched_relax_domain_level", &relax, NULL) == 0)
                        s->sched_relax_domain_level = strtoll(relax, NULL, 10);
        } else if (u && sl_cg_exists(u->dir, "cpuset.cpus.effective")) {
                s->has_cpuset = true;
                list_of(u->dir, "cpuset.cpus.effective", &s->cpuset_cpus, &s->cpuset_cpus_len);
                list_of(u->dir, "cpuset.mems.effective", &s->cpuset_mems, &s->cpuset_mems_len);
        }
}
