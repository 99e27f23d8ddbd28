/* linux.resources on cgroup v1 controllers: one writer per controller,
 * each given the container's directory in that controller's hierarchy. */
#include "runtime/lib/cgroup-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#define F(name) "linux.resources." name

/* Memory values: a byte count or -1 for unlimited. */
static int check_mem(int64_t v, const char *field, sl_error *err)
{
        if (v < -1)
                return sl_err(err, EINVAL, "%s: invalid value %" PRId64 " (a byte count or -1)", field, v);
        return 0;
}

static int write_i64(const char *dir, const char *file, int64_t v, const char *field, sl_error *err)
{
        return sl_cg_writef(dir, file, field, err, "%" PRId64, v);
}

static int v1_memory_limits(const char *dir, const oci_linux_memory *m, sl_error *err)
{
        bool has_limit = m->has_limit, has_swap = m->has_swap && m->swap != 0;
        int64_t limit = m->limit, swap = m->swap;
        if ((has_limit && check_mem(limit, F("memory.limit"), err) < 0) ||
            (has_swap && check_mem(swap, F("memory.swap"), err) < 0))
                return -1;
        bool memsw = sl_cg_exists(dir, "memory.memsw.limit_in_bytes");
        /* An unlimited memory limit lifts the memory+swap limit too. */
        if (has_limit && limit == -1 && !has_swap && memsw)
                has_swap = true, swap = -1;
        if (has_swap && !memsw) {
                if (swap == -1) {
                        sl_log_debug("cgroup: memory.swap -1 skipped: no swap accounting");
                        has_swap = false;
                } else {
                        return sl_err(err, ENOTSUP, F("memory.swap") ": memory.memsw.limit_in_bytes: "
                                      "swap accounting is off in this kernel (boot with swapaccount=1)");
                }
        }
        if (has_limit && has_swap && limit > 0 && swap > 0 && swap < limit)
                return sl_err(err, EINVAL, F("memory.swap") ": memory+swap limit %" PRId64
                              " is below the memory limit %" PRId64, swap, limit);

        if (has_limit && !has_swap && memsw && limit > 0) {
                uint64_t cur = 0;
                if (sl_cg_read_u64(dir, "memory.memsw.limit_in_bytes", &cur, err) < 0)
                        return sl_err_wrap(err, F("memory.limit"));
                if (cur < (uint64_t)limit)
                        return sl_err(err, EINVAL, F("memory.limit") ": %" PRId64 " exceeds the current "
                                      "memory+swap limit %" PRIu64 " (memory.memsw.limit_in_bytes); raise "
                                      "memory.swap with it", limit, cur);
        }
        /* The kernel keeps memory <= memory+swap at every step, so raise
         * whichever bound must move first. */
        bool swap_first = false;
        if (has_limit && has_swap) {
                uint64_t cur = 0;
                if (sl_cg_read_u64(dir, "memory.limit_in_bytes", &cur, err) < 0)
                        return sl_err_wrap(err, F("memory.limit"));
                swap_first = swap == -1 || cur < (uint64_t)swap;
        }
        if (swap_first && write_i64(dir, "memory.memsw.limit_in_bytes", swap, F("memory.swap"), err) < 0)
                return -1;
        if (has_limit && write_i64(dir, "memory.limit_in_bytes", limit, F("memory.limit"), err) < 0) {
                if (err && err->code == EBUSY) {
                        char msg[sizeof err->msg];
                        snprintf(msg, sizeof msg, "%s", err->msg);
                        sl_err(err, EBUSY, "%s (%" PRId64 " is below what the container uses and the kernel "
                               "could not reclaim enough)", msg, limit);
                }
                return -1;
        }
        if (has_swap && !swap_first &&
            write_i64(dir, "memory.memsw.limit_in_bytes", swap, F("memory.swap"), err) < 0)
                return -1;
        return 0;
}

/* Kernels since 5.16 accept memory.kmem.limit_in_bytes and ignore it;
 * older ones apply it. Either way a refusal is the kernel's answer. */
static int v1_kmem(const char *dir, const char *file, int64_t v, const char *field, sl_error *err)
{
        if (check_mem(v, field, err) < 0)
                return -1;
        if (!sl_cg_exists(dir, file)) {
                sl_log_debug("cgroup: %s skipped: this kernel has no %s", field, file);
                return 0;
        }
        if (write_i64(dir, file, v, field, err) < 0) {
                if (err && (err->code == EOPNOTSUPP || err->code == ENOTSUP)) {
                        sl_log_debug("cgroup: %s skipped: %s", field, err->msg);
                        return 0;
                }
                return -1;
        }
        return 0;
}

int sl_cg_v1_memory(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        const oci_linux_memory *m = r->memory;
        if (!m)
                return 0;
        if (update && sl_cg_check_before_update(dir, "memory.usage_in_bytes", m, err) < 0)
                return -1;
        if (v1_memory_limits(dir, m, err) < 0)
                return -1;
        if (m->has_reservation && (check_mem(m->reservation, F("memory.reservation"), err) < 0 ||
                                   write_i64(dir, "memory.soft_limit_in_bytes", m->reservation,
                                             F("memory.reservation"), err) < 0))
                return -1;
        if (m->has_kernel && v1_kmem(dir, "memory.kmem.limit_in_bytes", m->kernel, F("memory.kernel"), err) < 0)
                return -1;
        if (m->has_kernel_tcp &&
            v1_kmem(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, F("memory.kernelTCP"), err) < 0)
                return -1;
        if (m->has_swappiness) {
                if (m->swappiness > 100)
                        return sl_err(err, EINVAL, F("memory.swappiness") ": %" PRIu64 " is outside 0-100",
                                      m->swappiness);
                if (sl_cg_writef(dir, "memory.swappiness", F("memory.swappiness"), err, "%" PRIu64,
                                 m->swappiness) < 0)
                        return -1;
        }
        if (m->has_disable_oom_killer &&
            sl_cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
                        F("memory.disableOOMKiller"), err) < 0)
                return -1;
        if (m->has_use_hierarchy &&
            sl_cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
                        F("memory.useHierarchy"), err) < 0)
                return -1;
        return 0;
}

/* A cgroup's realtime budget must fit in its parent's, and new cgroups
 * start with none: grant the ancestors below the hierarchy root (the one
 * directory with release_agent) the same runtime first, top down. */
static int v1_rt_runtime(const char *dir, int64_t runtime, sl_error *err)
{
        const char *field = F("cpu.realtimeRuntime");
        if (runtime < -1)
                return sl_err(err, EINVAL, "%s: invalid value %" PRId64, field, runtime);
        if (runtime > 0) {
                char **chain = NULL;
                size_t n = 0;
                _cleanup_free_ char *cur = sl_xstrdup(dir);
                for (char *slash; (slash = strrchr(cur, '/')) && slash != cur;) {
                        *slash = '\0';
                        if (sl_cg_exists(cur, "release_agent") || !sl_cg_exists(cur, "cpu.rt_runtime_us"))
                                break;
                        chain = sl_xrealloc(chain, (n + 1) * sizeof *chain);
                        chain[n++] = sl_xstrdup(cur);
                }
                int rc = 0;
                for (size_t i = n; i-- > 0;) {
                        uint64_t have = 0;
                        if (rc == 0 && sl_cg_read_u64(chain[i], "cpu.rt_runtime_us", &have, NULL) == 0 &&
                            have != UINT64_MAX && have < (uint64_t)runtime &&
                            write_i64(chain[i], "cpu.rt_runtime_us", runtime, NULL, err) < 0)
                                rc = sl_err_sys(err, err ? err->code : EINVAL, "%s: grant %" PRId64 " us to parent %s",
                                                field, runtime, chain[i]);
                        free(chain[i]);
                }
                free(chain);
                if (rc < 0)
                        return -1;
        }
        return write_i64(dir, "cpu.rt_runtime_us", runtime, field, err);
}

int sl_cg_v1_cpu(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        const oci_linux_cpu *c = r->cpu;
        if (!c)
                return 0;
        if (c->has_shares && c->shares != 0) {
                if (sl_cg_writef(dir, "cpu.shares", F("cpu.shares"), err, "%" PRIu64, c->shares) < 0)
                        return -1;
                /* The kernel clamps to 2..262144 without saying so. */
                uint64_t got = 0;
                if (sl_cg_read_u64(dir, "cpu.shares", &got, err) < 0)
                        return sl_err_wrap(err, F("cpu.shares"));
                if (got != c->shares)
                        return sl_err(err, EINVAL, F("cpu.shares") ": %" PRIu64 " is outside the kernel's "
                                      "range (it stored %" PRIu64 "; valid: 2-262144)", c->shares, got);
        }
        if (c->has_period && c->period != 0 &&
            sl_cg_writef(dir, "cpu.cfs_period_us", F("cpu.period"), err, "%" PRIu64, c->period) < 0)
                return -1;
        if (c->has_quota && c->quota != 0) {
                if (c->quota < -1)
                        return sl_err(err, EINVAL, F("cpu.quota") ": invalid value %" PRId64, c->quota);
                if (write_i64(dir, "cpu.cfs_quota_us", c->quota, F("cpu.quota"), err) < 0)
                        return -1;
        }
        if (c->has_burst &&
            sl_cg_writef(dir, "cpu.cfs_burst_us", F("cpu.burst"), err, "%" PRIu64, c->burst) < 0)
                return -1;
        if (c->has_realtime_period && c->realtime_period != 0 &&
            sl_cg_writef(dir, "cpu.rt_period_us", F("cpu.realtimePeriod"), err, "%" PRIu64,
                         c->realtime_period) < 0)
                return -1;
        if (c->has_realtime_runtime && c->realtime_runtime != 0 && v1_rt_runtime(dir, c->realtime_runtime, err) < 0)
                return -1;
        if (c->has_idle && write_i64(dir, "cpu.idle", c->idle, F("cpu.idle"), err) < 0)
                return -1;
        return 0;
}

int sl_cg_v1_cpuset(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        const oci_linux_cpu *c = r->cpu;
        if (!c)
                return 0;
        if (c->cpus && *c->cpus && sl_cg_write(dir, "cpuset.cpus", c->cpus, F("cpu.cpus"), err) < 0)
                return -1;
        if (c->mems && *c->mems && sl_cg_write(dir, "cpuset.mems", c->mems, F("cpu.mems"), err) < 0)
                return -1;
        return 0;
}

static int inherit_one(const char *mount, const char *dir, const char *file, sl_error *err)
{
        _cleanup_free_ char *cur = NULL;
        if (sl_cg_read(dir, file, &cur, err) < 0)
                return -1;
        if (*cur || strcmp(dir, mount) == 0)
                return 0;
        _cleanup_free_ char *parent = sl_xstrdup(dir);
        *strrchr(parent, '/') = '\0';
        if (inherit_one(mount, parent, file, err) < 0)
                return -1;
        _cleanup_free_ char *value = NULL;
        if (sl_cg_read(parent, file, &value, err) < 0)
                return -1;
        return sl_cg_write(dir, file, value, NULL, err);
}

int sl_cg_v1_cpuset_inherit(const char *mount, const char *dir, sl_error *err)
{
        if (inherit_one(mount, dir, "cpuset.cpus", err) < 0 ||
            inherit_one(mount, dir, "cpuset.mems", err) < 0)
                return sl_err_wrap(err, "cpuset %s", dir);
        return 0;
}

int sl_cg_v1_pids(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        if (!r->pids || !r->pids->has_limit)
                return 0;
        /* runc skips a zero limit: on update it leaves pids.max alone. */
        if (update && r->pids->limit == 0)
                return 0;
        /* At create, zero or negative is unlimited. */
        if (r->pids->limit <= 0)
                return sl_cg_write(dir, "pids.max", "max", F("pids.limit"), err);
        return write_i64(dir, "pids.max", r->pids->limit, F("pids.limit"), err);
}

static int write_throttle(const char *dir, const char *file, const oci_linux_throttle_device *d,
                          size_t n, const char *key, sl_error *err)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *field = sl_xasprintf(F("blockIO.%s[%zu]"), key, i);
                if (sl_cg_writef(dir, file, field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major,
                                 d[i].minor, d[i].rate) < 0)
                        return -1;
        }
        return 0;
}

int sl_cg_v1_blkio(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        const oci_linux_block_io *b = r->block_io;
        if (!b)
                return 0;
        /* CFQ's files are gone from current kernels; BFQ's take the same values. */
        bool cfq = sl_cg_exists(dir, "blkio.weight");
        const char *weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
        const char *weight_device = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (b->has_weight && b->weight != 0) {
                if (b->weight < 10 || b->weight > 1000)
                        return sl_err(err, EINVAL, F("blockIO.weight") ": %u is outside 10-1000", b->weight);
                if (sl_cg_writef(dir, weight, F("blockIO.weight"), err, "%u", b->weight) < 0)
                        return -1;
        }
        if (b->has_leaf_weight && b->leaf_weight != 0 &&
            sl_cg_writef(dir, "blkio.leaf_weight", F("blockIO.leafWeight"), err, "%u", b->leaf_weight) < 0)
                return -1;
        for (size_t i = 0; i < b->weight_device_len; i++) {
                const oci_linux_weight_device *d = &b->weight_device[i];
                _cleanup_free_ char *wf = sl_xasprintf(F("blockIO.weightDevice[%zu].weight"), i);
                _cleanup_free_ char *lf = sl_xasprintf(F("blockIO.weightDevice[%zu].leafWeight"), i);
                if (d->has_weight && sl_cg_writef(dir, weight_device, wf, err, "%" PRId64 ":%" PRId64 " %u",
                                                  d->major, d->minor, d->weight) < 0)
                        return -1;
                if (d->has_leaf_weight &&
                    sl_cg_writef(dir, "blkio.leaf_weight_device", lf, err, "%" PRId64 ":%" PRId64 " %u",
                                 d->major, d->minor, d->leaf_weight) < 0)
                        return -1;
        }
        if (write_throttle(dir, "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
                           b->throttle_read_bps_device_len, "throttleReadBpsDevice", err) < 0 ||
            write_throttle(dir, "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
                           b->throttle_write_bps_device_len, "throttleWriteBpsDevice", err) < 0 ||
            write_throttle(dir, "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
                           b->throttle_read_iops_device_len, "throttleReadIOPSDevice", err) < 0 ||
            write_throttle(dir, "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
                           b->throttle_write_iops_device_len, "throttleWriteIOPSDevice", err) < 0)
                return -1;
        return 0;
}

/* hugetlb.<size>.<limit> and, where the kernel has reservation
 * accounting, hugetlb.<size>.rsvd.<limit> (reservations count against
 * the limit too, as runc sets them). v1 names the file limit_in_bytes,
 * v2 max. */
int sl_cg_hugetlb(const char *dir, const oci_linux_resources *r, const char *limit, sl_error *err)
{
        for (size_t i = 0; i < r->hugepage_limits_len; i++) {
                const oci_linux_hugepage_limit *h = &r->hugepage_limits[i];
                _cleanup_free_ char *field = sl_xasprintf(F("hugepageLimits[%zu]"), i);
                uint64_t size;
                if (!h->page_size || sl_cg_hugepage_size(h->page_size, &size) < 0)
                        return sl_err(err, EINVAL, "%s.pageSize: \"%s\" is not a size like 2MB", field,
                                      h->page_size ? h->page_size : "");
                _cleanup_free_ char *file = sl_xasprintf("hugetlb.%s.%s", h->page_size, limit);
                _cleanup_free_ char *rsvd = sl_xasprintf("hugetlb.%s.rsvd.%s", h->page_size, limit);
                if (!sl_cg_exists(dir, file))
                        return sl_err(err, ENOENT, "%s.pageSize: this kernel has no %s huge pages (no %s)",
                                      field, h->page_size, file);
                _cleanup_free_ char *lf = sl_xasprintf("%s.limit", field);
                if (sl_cg_writef(dir, file, lf, err, "%" PRIu64, h->limit) < 0)
                        return -1;
                if (sl_cg_exists(dir, rsvd) && sl_cg_writef(dir, rsvd, lf, err, "%" PRIu64, h->limit) < 0)
                        return -1;
        }
        return 0;
}

int sl_cg_v1_hugetlb(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        return sl_cg_hugetlb(dir, r, "limit_in_bytes", err);
}

int sl_cg_v1_net_cls(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        if (!r->network || !r->network->has_class_id)
                return 0;
        return sl_cg_writef(dir, "net_cls.classid", F("network.classID"), err, "%" PRIu32,
                            r->network->class_id);
}

int sl_cg_v1_net_prio(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        if (!r->network)
                return 0;
        for (size_t i = 0; i < r->network->priorities_len; i++) {
                const oci_linux_interface_priority *p = &r->network->priorities[i];
                _cleanup_free_ char *field = sl_xasprintf(F("network.priorities[%zu]"), i);
                if (!p->name || !*p->name || strchr(p->name, ' ') || strchr(p->name, '\n'))
                        return sl_err(err, EINVAL, "%s.name: invalid interface name", field);
                if (sl_cg_writef(dir, "net_prio.ifpriomap", field, err, "%s %" PRIu32, p->name,
                                 p->priority) < 0)
                        return -1;
        }
        return 0;
}

/* rdma.max has the same syntax on v1 and v2. */
int sl_cg_rdma(const char *dir, const oci_linux_resources *r, bool update, sl_error *err)
{
        (void)update;
        if (!r->rdma)
                return 0;
        for (size_t i = 0; i < r->rdma->len; i++) {
                const char *dev = r->rdma->keys[i];
                const oci_linux_rdma *v = &r->rdma->values[i];
                _cleanup_free_ char *field = sl_xasprintf(F("rdma[\"%s\"]"), dev);
                if (!*dev || strchr(dev, ' ') || strchr(dev, '\n'))
                        return sl_err(err, EINVAL, "%s: invalid device name", field);
                if (!v->has_hca_handles && !v->has_hca_objects)
                        continue;
                _cleanup_free_ char *handles = v->has_hca_handles
                        ? sl_xasprintf(" hca_handle=%" PRIu32, v->hca_handles) : sl_xstrdup("");
                _cleanup_free_ char *objects = v->has_hca_objects
                        ? sl_xasprintf(" hca_object=%" PRIu32, v->hca_objects) : sl_xstrdup("");
                if (sl_cg_writef(dir, "rdma.max", field, err, "%s%s%s", dev, handles, objects) < 0)
                        return -1;
        }
        return 0;
}
