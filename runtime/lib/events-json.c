#include "runtime/lib/events-json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "common/xalloc.h"

static void str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void u64(yajl_gen g, const char *key, uint64_t v)
{
        char buf[24];
        int n = snprintf(buf, sizeof buf, "%" PRIu64, v);
        str(g, key);
        yajl_gen_number(g, buf, (size_t)n);
}

/* Go's omitempty: zero values are left out. */
static void u64_nz(yajl_gen g, const char *key, uint64_t v)
{
        if (v)
                u64(g, key, v);
}

static void u64_array_nz(yajl_gen g, const char *key, const uint64_t *v, size_t n)
{
        if (!n)
                return;
        str(g, key);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++) {
                char buf[24];
                int k = snprintf(buf, sizeof buf, "%" PRIu64, v[i]);
                yajl_gen_number(g, buf, (size_t)k);
        }
        yajl_gen_array_close(g);
}

static void u16_array_nz(yajl_gen g, const char *key, const uint16_t *v, size_t n)
{
        if (!n)
                return;
        str(g, key);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++)
                yajl_gen_integer(g, v[i]);
        yajl_gen_array_close(g);
}

static void cpu(yajl_gen g, const struct sl_cgroup_stats *s)
{
        str(g, "cpu");
        yajl_gen_map_open(g);
        str(g, "usage");
        yajl_gen_map_open(g);
        u64_nz(g, "total", s->cpu_total);
        u64_array_nz(g, "percpu", s->cpu_percpu, s->cpu_percpu_len);
        u64_array_nz(g, "percpu_kernel", s->cpu_percpu_kernel, s->cpu_percpu_kernel_len);
        u64_array_nz(g, "percpu_user", s->cpu_percpu_user, s->cpu_percpu_user_len);
        u64(g, "kernel", s->cpu_kernel);
        u64(g, "user", s->cpu_user);
        yajl_gen_map_close(g);
        str(g, "throttling");
        yajl_gen_map_open(g);
        u64_nz(g, "periods", s->throttling_periods);
        u64_nz(g, "throttled_periods", s->throttled_periods);
        u64_nz(g, "throttled_time", s->throttled_time);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

static void cpuset(yajl_gen g, const struct sl_cgroup_stats *s)
{
        str(g, "cpuset");
        yajl_gen_map_open(g);
        u16_array_nz(g, "cpus", s->cpuset_cpus, s->cpuset_cpus_len);
        u64(g, "cpu_exclusive", s->cpu_exclusive);
        u16_array_nz(g, "mems", s->cpuset_mems, s->cpuset_mems_len);
        u64(g, "mem_hardwall", s->mem_hardwall);
        u64(g, "mem_exclusive", s->mem_exclusive);
        u64(g, "memory_migrate", s->memory_migrate);
        u64(g, "memory_spread_page", s->memory_spread_page);
        u64(g, "memory_spread_slab", s->memory_spread_slab);
        u64(g, "memory_pressure", s->memory_pressure);
        u64(g, "sched_load_balance", s->sched_load_balance);
        str(g, "sched_relax_domain_level");
        yajl_gen_integer(g, s->sched_relax_domain_level);
        yajl_gen_map_close(g);
}

static void mem_entry(yajl_gen g, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
                      uint64_t failcnt)
{
        str(g, key);
        yajl_gen_map_open(g);
        u64(g, "limit", limit);
        u64_nz(g, "usage", usage);
        u64_nz(g, "max", max);
        u64(g, "failcnt", failcnt);
        yajl_gen_map_close(g);
}

static void memory(yajl_gen g, const struct sl_cgroup_stats *s)
{
        str(g, "memory");
        yajl_gen_map_open(g);
        u64_nz(g, "cache", s->memory_cache);
        mem_entry(g, "usage", s->memory_limit, s->memory_usage, s->memory_max_usage, s->memory_failcnt);
        mem_entry(g, "swap", s->swap_limit, s->swap_usage, s->swap_max_usage, s->swap_failcnt);
        mem_entry(g, "kernel", s->kernel.limit, s->kernel.usage, s->kernel.max_usage, s->kernel.failcnt);
        mem_entry(g, "kernelTCP", s->kernel_tcp.limit, s->kernel_tcp.usage, s->kernel_tcp.max_usage,
                  s->kernel_tcp.failcnt);
        if (s->memory_stat_len) {
                str(g, "raw");
                yajl_gen_map_open(g);
                for (size_t i = 0; i < s->memory_stat_len; i++)
                        u64(g, s->memory_stat_keys[i], s->memory_stat_values[i]);
                yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
}

static void blkio_list(yajl_gen g, const char *key, const sl_cgroup_blkio_entry *v, size_t n)
{
        if (!n)
                return;
        str(g, key);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++) {
                yajl_gen_map_open(g);
                u64_nz(g, "major", v[i].major);
                u64_nz(g, "minor", v[i].minor);
                if (v[i].op[0]) {
                        str(g, "op");
                        str(g, v[i].op);
                }
                u64_nz(g, "value", v[i].value);
                yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
}

static void blkio(yajl_gen g, const struct sl_cgroup_stats *s)
{
        str(g, "blkio");
        yajl_gen_map_open(g);
        blkio_list(g, "ioServiceBytesRecursive", s->io_service_bytes, s->io_service_bytes_len);
        blkio_list(g, "ioServicedRecursive", s->io_serviced, s->io_serviced_len);
        yajl_gen_map_close(g);
}

static void hugetlb(yajl_gen g, const struct sl_cgroup_stats *s)
{
        str(g, "hugetlb");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < s->hugetlb_len; i++) {
                str(g, s->hugetlb[i].page_size);
                yajl_gen_map_open(g);
                u64_nz(g, "usage", s->hugetlb[i].usage);
                u64_nz(g, "max", s->hugetlb[i].max_usage);
                u64(g, "failcnt", s->hugetlb[i].failcnt);
                yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
}

static int finish(yajl_gen g, char **out, sl_error *err)
{
        const unsigned char *buf;
        size_t len;
        int r = 0;
        if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
                r = sl_err(err, EINVAL, "events: cannot generate JSON");
        else
                *out = sl_xasprintf("%.*s", (int)len, (const char *)buf);
        yajl_gen_free(g);
        return r;
}

static yajl_gen begin(const char *type, const char *id)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        if (!g)
                abort();  /* out of memory, as sl_xmalloc does */
        yajl_gen_map_open(g);
        str(g, "type");
        str(g, type);
        str(g, "id");
        str(g, id);
        return g;
}

int sl_events_stats_json(const char *id, const struct sl_cgroup_stats *s, char **out,
                         sl_error *err)
{
        yajl_gen g = begin("stats", id);
        str(g, "data");
        yajl_gen_map_open(g);
        cpu(g, s);
        cpuset(g, s);
        memory(g, s);
        str(g, "pids");
        yajl_gen_map_open(g);
        u64_nz(g, "current", s->pids_current);
        u64_nz(g, "limit", s->pids_limit);
        yajl_gen_map_close(g);
        blkio(g, s);
        hugetlb(g, s);
        str(g, "intel_rdt");
        yajl_gen_map_open(g);
        yajl_gen_map_close(g);
        str(g, "network_interfaces");
        yajl_gen_null(g);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        return finish(g, out, err);
}

int sl_events_oom_json(const char *id, char **out, sl_error *err)
{
        yajl_gen g = begin("oom", id);
        yajl_gen_map_close(g);
        return finish(g, out, err);
}
