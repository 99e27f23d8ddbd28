/* linux.resources on the unified (cgroup2) tree, given the container's
 * directory there. */
#include "runtime/lib/cgroup-internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#define F(name) "linux.resources." name

uint64_t sl_cg_shares_to_weight(uint64_t shares)
{
        /* Maps the v1 range 2..262144 linearly onto 1..10000, as runc and
         * crun do, so a given --cpu-shares means the same on both. */
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t sl_cg_blkio_to_io_weight(uint64_t weight)
{
        /* 10..1000 onto 1..10000. */
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        return 1 + ((weight - 10) * 9999) / 990;
}

int sl_cg_hugepage_size(const char *s, uint64_t *bytes)
{
        char *end;
        if (!isdigit((unsigned char)*s))
                return -1;
        errno = 0;
        unsigned long long n = strtoull(s, &end, 10);
        if (errno || n == 0)
                return -1;
        uint64_t unit;
        if (strcmp(end, "KB") == 0)
                unit = 1ull << 10;
        else if (strcmp(end, "MB") == 0)
                unit = 1ull << 20;
        else if (strcmp(end, "GB") == 0)
                unit = 1ull << 30;
        else
                return -1;
        if (n > UINT64_MAX / unit)
                return -1;
        *bytes = n * unit;
        return 0;
}

static int write_max(const char *dir, const char *file, int64_t v, const char *field, sl_error *err)
{
        if (v < -1)
                return sl_err(err, EINVAL, "%s: invalid value %" PRId64 " (a byte count or -1)", field, v);
        if (v == -1)
                return sl_cg_write(dir, file, "max", field, err);
        return sl_cg_writef(dir, file, field, err, "%" PRId64, v);
}

static int v2_swap(const char *dir, const oci_linux_memory *m, bool update, sl_error *err)
{
        bool has_swap = m->has_swap && m->swap != 0;
        int64_t swap = m->swap, limit = m->has_limit ? m->limit : 0;
        if (!has_swap && m->has_limit && m->limit == -1)
                has_swap = true, swap = -1;
        if (!has_swap)
                return 0;
        if (!sl_cg_exists(dir, "memory.swap.max")) {
                if (swap == -1)
                        return 0;
                return sl_err(err, ENOTSUP, F("memory.swap") ": memory.swap.max: this kernel does not "
                              "account swap");
        }
        if (swap == -1)
                return sl_cg_write(dir, "memory.swap.max", "max", F("memory.swap"), err);
        /* OCI's swap is memory+swap; cgroup2 limits swap alone. */
        if (swap < -1)
                return sl_err(err, EINVAL, F("memory.swap") ": invalid value %" PRId64, swap);
        /* An update may change swap alone: take the memory limit in force. */
        uint64_t cur;
        if (!m->has_limit && update && sl_cg_read_u64(dir, "memory.max", &cur, NULL) == 0 && cur < INT64_MAX)
                limit = (int64_t)cur;
        if (limit <= 0)
                return sl_err(err, EINVAL, F("memory.swap") ": on cgroup v2 a memory+swap limit needs "
                              "memory.limit too");
        if (swap < limit)
                return sl_err(err, EINVAL, F("memory.swap") ": memory+swap limit %" PRId64
                              " is below the memory limit %" PRId64, swap, limit);
        return sl_cg_writef(dir, "memory.swap.max", F("memory.swap"), err, "%" PRId64, swap - limit);
}

int sl_cg_v2_memory(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        const oci_linux_memory *m = r->memory;
        if (!m)
                return 0;
        if (update && sl_cg_check_before_update(dir, "memory.current", m, err) < 0)
                return -1;
        if (m->has_limit && write_max(dir, "memory.max", m->limit, F("memory.limit"), err) < 0)
                return -1;
        if (v2_swap(dir, m, update, err) < 0)
                return -1;
        if (m->has_reservation && write_max(dir, "memory.low", m->reservation, F("memory.reservation"), err) < 0)
                return -1;
        if (m->has_kernel)
                sl_log_debug("cgroup: memory.kernel skipped: cgroup v2 has no kernel memory limit");
        if (m->has_kernel_tcp)
                sl_log_debug("cgroup: memory.kernelTCP skipped: cgroup v2 has no kernel TCP limit");
        if (m->has_swappiness)
                sl_log_warn("cgroup: memory.swappiness skipped: cgroup v2 has no per-cgroup swappiness");
        if (m->has_disable_oom_killer && m->disable_oom_killer)
                sl_log_warn("cgroup: memory.disableOOMKiller skipped: cgroup v2 cannot disable the OOM killer");
        if (m->has_use_hierarchy && !m->use_hierarchy)
                sl_log_debug("cgroup: memory.useHierarchy false skipped: cgroup v2 is always hierarchical");
        return 0;
}

/* Keeps the half of cpu.max the request leaves out. */
static int v2_cpu_max(const char *dir, const oci_linux_cpu *c, sl_error *err)
{
        bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;
        if (!quota && !period)
                return 0;
        if (quota && c->quota < -1)
                return sl_err(err, EINVAL, F("cpu.quota") ": invalid value %" PRId64, c->quota);
        _cleanup_free_ char *cur = NULL;
        if (sl_cg_read(dir, "cpu.max", &cur, err) < 0)
                return sl_err_wrap(err, quota ? F("cpu.quota") : F("cpu.period"));
        char *space = strchr(cur, ' ');
        if (!space)
                return sl_err(err, EINVAL, "cpu.max: unexpected content \"%s\"", cur);
        *space = '\0';
        _cleanup_free_ char *q = quota ? (c->quota == -1 ? sl_xstrdup("max") : sl_xasprintf("%" PRId64, c->quota))
                                       : sl_xstrdup(cur);
        _cleanup_free_ char *p = period ? sl_xasprintf("%" PRIu64, c->period) : sl_xstrdup(space + 1);
        return sl_cg_writef(dir, "cpu.max", quota ? F("cpu.quota") : F("cpu.period"), err, "%s %s", q, p);
}

int sl_cg_v2_cpu(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        const oci_linux_cpu *c = r->cpu;
        if (!c)
                return 0;
        if ((c->has_realtime_runtime && c->realtime_runtime != 0) ||
            (c->has_realtime_period && c->realtime_period != 0))
                return sl_err(err, ENOTSUP, F("%s") ": cgroup v2 has no realtime CPU bandwidth",
                              c->has_realtime_runtime ? "cpu.realtimeRuntime" : "cpu.realtimePeriod");
        if (c->has_shares && c->shares != 0) {
                if (c->shares < 2 || c->shares > 262144)
                        return sl_err(err, EINVAL, F("cpu.shares") ": %" PRIu64 " is outside 2-262144", c->shares);
                if (sl_cg_writef(dir, "cpu.weight", F("cpu.shares"), err, "%" PRIu64,
                                 sl_cg_shares_to_weight(c->shares)) < 0)
                        return -1;
        }
        if (v2_cpu_max(dir, c, err) < 0)
                return -1;
        if (c->has_burst &&
            sl_cg_writef(dir, "cpu.max.burst", F("cpu.burst"), err, "%" PRIu64, c->burst) < 0)
                return -1;
        if (c->has_idle && sl_cg_writef(dir, "cpu.idle", F("cpu.idle"), err, "%" PRId64, c->idle) < 0)
                return -1;
        return 0;
}

int sl_cg_v2_cpuset(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        return sl_cg_v1_cpuset(dir, r, update, err); /* same files, same syntax */
}

int sl_cg_v2_pids(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        return sl_cg_v1_pids(dir, r, update, err);
}

static int v2_io_max(const char *dir, const oci_linux_throttle_device *d, size_t n, const char *key,
                     const char *name, sl_error *err)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *field = sl_xasprintf(F("blockIO.%s[%zu]"), name, i);
                _cleanup_free_ char *rate = d[i].rate ? sl_xasprintf("%" PRIu64, d[i].rate) : sl_xstrdup("max");
                if (sl_cg_writef(dir, "io.max", field, err, "%" PRId64 ":%" PRId64 " %s=%s", d[i].major,
                                 d[i].minor, key, rate) < 0)
                        return -1;
        }
        return 0;
}

int sl_cg_v2_io(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        const oci_linux_block_io *b = r->block_io;
        if (!b)
                return 0;
        if (b->has_leaf_weight && b->leaf_weight != 0)
                return sl_err(err, ENOTSUP, F("blockIO.leafWeight") ": cgroup v2 has no leaf weight");
        /* BFQ takes blkio's 1..1000 scale; io.weight needs converting. */
        bool bfq = sl_cg_exists(dir, "io.bfq.weight");
        const char *file = bfq ? "io.bfq.weight" : "io.weight";
        if (b->has_weight && b->weight != 0) {
                if (b->weight < 10 || b->weight > 1000)
                        return sl_err(err, EINVAL, F("blockIO.weight") ": %u is outside 10-1000", b->weight);
                if (sl_cg_writef(dir, file, F("blockIO.weight"), err, "default %" PRIu64,
                                 bfq ? b->weight : sl_cg_blkio_to_io_weight(b->weight)) < 0)
                        return -1;
        }
        for (size_t i = 0; i < b->weight_device_len; i++) {
                const oci_linux_weight_device *d = &b->weight_device[i];
                if (d->has_leaf_weight && d->leaf_weight != 0)
                        return sl_err(err, ENOTSUP, F("blockIO.weightDevice[%zu].leafWeight")
                                      ": cgroup v2 has no leaf weight", i);
                if (!d->has_weight)
                        continue;
                _cleanup_free_ char *field = sl_xasprintf(F("blockIO.weightDevice[%zu].weight"), i);
                if (sl_cg_writef(dir, file, field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                 bfq ? d->weight : sl_cg_blkio_to_io_weight(d->weight)) < 0)
                        return -1;
        }
        if (v2_io_max(dir, b->throttle_read_bps_device, b->throttle_read_bps_device_len, "rbps",
                      "throttleReadBpsDevice", err) < 0 ||
            v2_io_max(dir, b->throttle_write_bps_device, b->throttle_write_bps_device_len, "wbps",
                      "throttleWriteBpsDevice", err) < 0 ||
            v2_io_max(dir, b->throttle_read_iops_device, b->throttle_read_iops_device_len, "riops",
                      "throttleReadIOPSDevice", err) < 0 ||
            v2_io_max(dir, b->throttle_write_iops_device, b->throttle_write_iops_device_len, "wiops",
                      "throttleWriteIOPSDevice", err) < 0)
                return -1;
        return 0;
}

int sl_cg_v2_hugetlb(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        return sl_cg_hugetlb(dir, r, "max", err);
}

/* Files the runtime itself manages: writing them through "unified" would
 * move processes or undo the cgroup's setup. */
static bool unified_reserved(const char *key)
{
        static const char *const reserved[] = { "cgroup.procs", "cgroup.threads", "cgroup.kill",
                                                "cgroup.freeze", "cgroup.subtree_control", NULL };
        for (const char *const *p = reserved; *p; p++)
                if (strcmp(key, *p) == 0)
                        return true;
        return false;
}

int sl_cg_v2_unified(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        if (!r->unified)
                return 0;
        for (size_t i = 0; i < r->unified->len; i++) {
                const char *key = r->unified->keys[i], *value = r->unified->values[i];
                _cleanup_free_ char *field = sl_xasprintf(F("unified[\"%s\"]"), key);
                const char *dot = strchr(key, '.');
                if (!dot || dot == key || strchr(key, '/') || strcmp(key, "..") == 0)
                        return sl_err(err, EINVAL, "%s: not a cgroup file name like memory.high", field);
                if (unified_reserved(key))
                        return sl_err(err, EPERM, "%s: managed by the runtime, not settable", field);
                if (!value)
                        return sl_err(err, EINVAL, "%s: no value", field);
                if (!sl_cg_exists(dir, key)) {
                        _cleanup_free_ char *ctrl = sl_xstrndup(key, (size_t)(dot - key));
                        _cleanup_free_ char *avail = NULL;
                        if (strcmp(ctrl, "cgroup") != 0 && sl_cg_read(dir, "cgroup.controllers", &avail, NULL) == 0 &&
                            !sl_cg_list_has(avail, ' ', ctrl))
                                return sl_err(err, ENOENT, "%s: the %s controller is not available in the "
                                              "unified hierarchy (it offers: %s)", field, ctrl,
                                              *avail ? avail : "none");
                        return sl_err(err, ENOENT, "%s: no such cgroup file", field);
                }
                if (sl_cg_write(dir, key, value, field, err) < 0)
                        return -1;
        }
        return 0;
}

void sl_cg_v2_enable_controllers(const char *mount, const char *dir)
{
        _cleanup_free_ char *cur = sl_xstrdup(mount);
        const char *rest = dir + strlen(mount);
        for (;;) {
                _cleanup_free_ char *avail = NULL;
                if (sl_cg_read(cur, "cgroup.controllers", &avail, NULL) == 0) {
                        char *save = NULL;
                        for (char *c = strtok_r(avail, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                                _cleanup_free_ char *plus = sl_xasprintf("+%s", c);
                                if (sl_cg_write(cur, "cgroup.subtree_control", plus, NULL, NULL) < 0)
                                        sl_log_debug("cgroup: cannot enable %s in %s", c, cur);
                        }
                }
                const char *slash = *rest ? strchr(rest + 1, '/') : NULL;
                if (!slash)
                        break;
                free(cur);
                cur = sl_xstrndup(dir, (size_t)(slash - dir));
                rest = slash;
        }
}
