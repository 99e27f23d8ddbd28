/* One resource-usage sample for `events --stats`, read from the v1
 * controller where mounted, else from the unified tree. */
#include "runtime/lib/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup-internal.h"

void sl_cgroup_stats_free(struct sl_cgroup_stats *s)
{
        for (size_t i = 0; i < s->memory_stat_len; i++)
                free(s->memory_stat_keys[i]);
        free(s->memory_stat_keys);
        free(s->memory_stat_values);
        free(s->cpu_percpu);
        free(s->cpu_percpu_user);
        free(s->cpu_percpu_kernel);
        free(s->cpuset_cpus);
        free(s->cpuset_mems);
        free(s->io_service_bytes);
        free(s->io_serviced);
        free(s->hugetlb);
        memset(s, 0, sizeof *s);
}

static uint64_t u64_or(const char *dir, const char *file, uint64_t dflt)
{
        uint64_t v;
        return sl_cg_read_u64(dir, file, &v, NULL) == 0 ? v : dflt;
}

static uint64_t keyed_or(const char *dir, const char *file, const char *key, uint64_t dflt)
{
        uint64_t v;
        return sl_cg_read_keyed(dir, file, key, &v, NULL) == 0 ? v : dflt;
}

static void read_memory_stat(const char *dir, struct sl_cgroup_stats *s)
{
        _cleanup_free_ char *text = NULL;
        if (sl_cg_read(dir, "memory.stat", &text, NULL) < 0)
                return;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char key[128];
                unsigned long long v;
                if (sscanf(line, "%127s %llu", key, &v) != 2)
                        continue;
                s->memory_stat_keys = sl_xrealloc(s->memory_stat_keys, (s->memory_stat_len + 1) * sizeof(char *));
                s->memory_stat_values = sl_xrealloc(s->memory_stat_values,
                                                    (s->memory_stat_len + 1) * sizeof(uint64_t));
                s->memory_stat_keys[s->memory_stat_len] = sl_xstrdup(key);
                s->memory_stat_values[s->memory_stat_len++] = v;
        }
}

/* v1 memory.kmem.<prefix>{usage,max_usage,limit}_in_bytes and failcnt. */
static void kmem_entry(const char *dir, const char *prefix, struct sl_cgroup_mem_entry *e)
{
        _cleanup_free_ char *usage = sl_xasprintf("memory.kmem.%susage_in_bytes", prefix);
        _cleanup_free_ char *max = sl_xasprintf("memory.kmem.%smax_usage_in_bytes", prefix);
        _cleanup_free_ char *limit = sl_xasprintf("memory.kmem.%slimit_in_bytes", prefix);
        _cleanup_free_ char *failcnt = sl_xasprintf("memory.kmem.%sfailcnt", prefix);
        e->usage = u64_or(dir, usage, 0);
        e->max_usage = u64_or(dir, max, 0);
        e->limit = u64_or(dir, limit, 0);
        e->failcnt = u64_or(dir, failcnt, 0);
}

static uint64_t stat_value(const struct sl_cgroup_stats *s, const char *key)
{
        for (size_t i = 0; i < s->memory_stat_len; i++)
                if (strcmp(s->memory_stat_keys[i], key) == 0)
                        return s->memory_stat_values[i];
        return 0;
}

static void memory_stats(const sl_cg *cg, struct sl_cgroup_stats *s)
{
        const sl_cg_hier *h = sl_cg_v1(cg, "memory"), *u = sl_cg_unified(cg);
        if (h && sl_cg_read_u64(h->dir, "memory.usage_in_bytes", &s->memory_usage, NULL) == 0) {
                s->has_memory = true;
                s->memory_max_usage = u64_or(h->dir, "memory.max_usage_in_bytes", 0);
                s->memory_limit = u64_or(h->dir, "memory.limit_in_bytes", 0);
                s->memory_failcnt = u64_or(h->dir, "memory.failcnt", 0);
                if (sl_cg_read_u64(h->dir, "memory.memsw.usage_in_bytes", &s->swap_usage, NULL) == 0) {
                        s->has_swap = true;
                        s->swap_max_usage = u64_or(h->dir, "memory.memsw.max_usage_in_bytes", 0);
                        s->swap_limit = u64_or(h->dir, "memory.memsw.limit_in_bytes", 0);
                        s->swap_failcnt = u64_or(h->dir, "memory.memsw.failcnt", 0);
                }
                read_memory_stat(h->dir, s);
                s->memory_cache = stat_value(s, "cache");
                kmem_entry(h->dir, "", &s->kernel);
                kmem_entry(h->dir, "tcp.", &s->kernel_tcp);
        } else if (!h && u && sl_cg_read_u64(u->dir, "memory.current", &s->memory_usage, NULL) == 0) {
                s->has_memory = true;
                s->memory_max_usage = u64_or(u->dir, "memory.peak", 0);
                s->memory_limit = u64_or(u->dir, "memory.max", 0);
                s->memory_failcnt = keyed_or(u->dir, "memory.events", "max", 0);
                if (sl_cg_read_u64(u->dir, "memory.swap.current", &s->swap_usage, NULL) == 0) {
                        s->has_swap = true;
                        s->swap_max_usage = u64_or(u->dir, "memory.swap.peak", 0);
                        s->swap_limit = u64_or(u->dir, "memory.swap.max", 0);
                        s->swap_failcnt = keyed_or(u->dir, "memory.swap.events", "fail", 0);
                }
                read_memory_stat(u->dir, s);
                s->memory_cache = stat_value(s, "file");
        }
}

static void percpu(const char *dir, const char *file, uint64_t **v, size_t *n)
{
        _cleanup_free_ char *text = NULL;
        if (sl_cg_read(dir, file, &text, NULL) < 0)
                return;
        for (char *p = text, *end;; p = end) {
                unsigned long long x = strtoull(p, &end, 10);
                if (end == p)
                        break;
                *v = sl_xrealloc(*v, (*n + 1) * sizeof(uint64_t));
                (*v)[(*n)++] = x;
        }
}


static void cpu_stats(const sl_cg *cg, struct sl_cgroup_stats *s)
{
        const sl_cg_hier *acct = sl_cg_v1(cg, "cpuacct"), *cpu = sl_cg_v1(cg, "cpu"), *u = sl_cg_unified(cg);
        if (acct && sl_cg_read_u64(acct->dir, "cpuacct.usage", &s->cpu_total, NULL) == 0) {
                s->has_cpu = true;
                long hz = sysconf(_SC_CLK_TCK);
                uint64_t tick = hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
                if (sl_cg_read_u64(acct->dir, "cpuacct.usage_user", &s->cpu_user, NULL) < 0)
                        s->cpu_user = keyed_or(acct->dir, "cpuacct.stat", "user", 0) * tick;
                if (sl_cg_read_u64(acct->dir, "cpuacct.usage_sys", &s->cpu_kernel, NULL) < 0)
                        s->cpu_kernel = keyed_or(acct->dir, "cpuacct.stat", "system", 0) * tick;
                percpu(acct->dir, "cpuacct.usage_percpu", &s->cpu_percpu, &s->cpu_percpu_len);
                percpu(acct->dir, "cpuacct.usage_percpu_user", &s->cpu_percpu_user, &s->cpu_percpu_user_len);
                percpu(acct->dir, "cpuacct.usage_percpu_sys", &s->cpu_percpu_kernel, &s->cpu_percpu_kernel_len);
        } else if (u && sl_cg_read_keyed(u->dir, "cpu.stat", "usage_usec", &s->cpu_total, NULL) == 0) {
                s->has_cpu = true;
                s->cpu_total *= 1000;
                s->cpu_user = keyed_or(u->dir, "cpu.stat", "user_usec", 0) * 1000;
                s->cpu_kernel = keyed_or(u->dir, "cpu.stat", "system_usec", 0) * 1000;
        }
        if (cpu) {
                s->throttling_periods = keyed_or(cpu->dir, "cpu.stat", "nr_periods", 0);
                s->throttled_periods = keyed_or(cpu->dir, "cpu.stat", "nr_throttled", 0);
                s->throttled_time = keyed_or(cpu->dir, "cpu.stat", "throttled_time", 0);
        } else if (u) {
                s->throttling_periods = keyed_or(u->dir, "cpu.stat", "nr_periods", 0);
                s->throttled_periods = keyed_or(u->dir, "cpu.stat", "nr_throttled", 0);
                s->throttled_time = keyed_or(u->dir, "cpu.stat", "throttled_usec", 0) * 1000;
        }
}

static void pids_stats(const sl_cg *cg, struct sl_cgroup_stats *s)
{
        const sl_cg_hier *h = sl_cg_v1(cg, "pids"), *u = sl_cg_unified(cg);
        const char *dir = h ? h->dir : (u ? u->dir : NULL);
        if (dir && sl_cg_read_u64(dir, "pids.current", &s->pids_current, NULL) == 0) {
                s->has_pids = true;
                s->pids_limit = u64_or(dir, "pids.max", 0);
                if (s->pids_limit == UINT64_MAX)
                        s->pids_limit = 0;
        }
}

static void add_entry(sl_cgroup_blkio_entry **v, size_t *n, uint64_t major, uint64_t minor, const char *op,
                      uint64_t value)
{
        *v = sl_xrealloc(*v, (*n + 1) * sizeof **v);
        sl_cgroup_blkio_entry *e = &(*v)[(*n)++];
        e->major = major, e->minor = minor, e->value = value;
        snprintf(e->op, sizeof e->op, "%s", op);
}

/* "8:0 Read 4096" lines; the closing "Total N" has no device. */
static void blkio_v1_file(const char *dir, const char *file, sl_cgroup_blkio_entry **v, size_t *n)
{
        _cleanup_free_ char *text = NULL;
        if (sl_cg_read(dir, file, &text, NULL) < 0)
                return;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long major, minor, value;
                char op[16];
                if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4)
                        add_entry(v, n, major, minor, op, value);
        }
}

/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6" */
static void io_v2(const char *dir, struct sl_cgroup_stats *s)
{
        _cleanup_free_ char *text = NULL;
        if (sl_cg_read(dir, "io.stat", &text, NULL) < 0)
                return;
        static const struct { const char *key, *op; bool bytes; } keys[] = {
                { "rbytes", "Read", true }, { "wbytes", "Write", true }, { "dbytes", "Discard", true },
                { "rios", "Read", false },  { "wios", "Write", false },  { "dios", "Discard", false },
        };
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long major, minor;
                if (sscanf(line, "%llu:%llu", &major, &minor) != 2)
                        continue;
                for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                        _cleanup_free_ char *pat = sl_xasprintf(" %s=", keys[i].key);
                        const char *p = strstr(line, pat);
                        if (!p)
                                continue;
                        uint64_t v = strtoull(p + strlen(pat), NULL, 10);
                        if (keys[i].bytes)
                                add_entry(&s->io_service_bytes, &s->io_service_bytes_len, major, minor, keys[i].op, v);
                        else
                                add_entry(&s->io_serviced, &s->io_serviced_len, major, minor, keys[i].op, v);
                }
        }
}

static void blkio_stats(const sl_cg *cg, struct sl_cgroup_stats *s)
{
        const sl_cg_hier *h = sl_cg_v1(cg, "blkio"), *u = sl_cg_unified(cg);
        if (h) {
                s->has_blkio = sl_cg_exists(h->dir, "blkio.throttle.io_service_bytes_recursive");
                blkio_v1_file(h->dir, "blkio.throttle.io_service_bytes_recursive", &s->io_service_bytes,
                              &s->io_service_bytes_len);
                blkio_v1_file(h->dir, "blkio.throttle.io_serviced_recursive", &s->io_serviced, &s->io_serviced_len);
        } else if (u && sl_cg_exists(u->dir, "io.stat")) {
                s->has_blkio = true;
                io_v2(u->dir, s);
        }
}

/* One entry per huge page size the kernel has (hugepages-2048kB → 2MB). */
static void hugetlb_stats(const sl_cg *cg, struct sl_cgroup_stats *s)
{
        const sl_cg_hier *h = sl_cg_v1(cg, "hugetlb"), *u = sl_cg_unified(cg);
        const char *dir = h ? h->dir : (u ? u->dir : NULL);
        _cleanup_closedir_ DIR *d = dir ? opendir("/sys/kernel/mm/hugepages") : NULL;
        for (struct dirent *e; d && (e = readdir(d));) {
                unsigned long kb;
                if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1)
                        continue;
                char size[24];
                if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
                        snprintf(size, sizeof size, "%luGB", kb / (1024 * 1024));
                else if (kb >= 1024 && kb % 1024 == 0)
                        snprintf(size, sizeof size, "%luMB", kb / 1024);
                else
                        snprintf(size, sizeof size, "%luKB", kb);
                _cleanup_free_ char *usage = sl_xasprintf(h ? "hugetlb.%s.usage_in_bytes" : "hugetlb.%s.current", size);
                uint64_t v;
                if (sl_cg_read_u64(dir, usage, &v, NULL) < 0)
                        continue;
                s->hugetlb = sl_xrealloc(s->hugetlb, (s->hugetlb_len + 1) * sizeof *s->hugetlb);
                struct sl_cgroup_hugetlb_stats *e2 = &s->hugetlb[s->hugetlb_len++];
                memset(e2, 0, sizeof *e2);
                snprintf(e2->page_size, sizeof e2->page_size, "%s", size);
                e2->usage = v;
                if (h) {
                        _cleanup_free_ char *max = sl_xasprintf("hugetlb.%s.max_usage_in_bytes", size);
                        _cleanup_free_ char *fail = sl_xasprintf("hugetlb.%s.failcnt", size);
                        e2->max_usage = u64_or(dir, max, 0);
                        e2->failcnt = u64_or(dir, fail, 0);
                } else {
                        _cleanup_free_ char *events = sl_xasprintf("hugetlb.%s.events", size);
                        e2->failcnt = keyed_or(dir, events, "max", 0);
                }
        }
}

int sl_cgroup_stats(const char *cgroup_path, struct sl_cgroup_stats *out, sl_error *err)
{
        memset(out, 0, sizeof *out);
        sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        const sl_cg_hier *probe = cg.n ? &cg.h[0] : NULL;
        if (!probe || !sl_cg_exists(probe->dir, "cgroup.procs")) {
                sl_err(err, ENOENT, "cgroup: %s does not exist", probe ? probe->dir : cgroup_path);
                sl_cg_free(&cg);
                return -1;
        }
        memory_stats(&cg, out);
        cpu_stats(&cg, out);
        pids_stats(&cg, out);
        blkio_stats(&cg, out);
        hugetlb_stats(&cg, out);
        sl_cg_cpuset_stats(&cg, out);
        sl_cg_free(&cg);
        return 0;
}
