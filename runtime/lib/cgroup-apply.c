/* Routes each linux.resources group to the hierarchy that has its
 * controller: the v1 one where mounted, else the unified tree where the
 * controller is enabled. A requested group with neither is an error
 * naming the field and the controller. */
#include "runtime/lib/cgroup-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"

static bool memory_set(const oci_linux_resources *r)
{
        const oci_linux_memory *m = r->memory;
        return m && (m->has_limit || m->has_reservation || m->has_swap || m->has_kernel ||
                     m->has_kernel_tcp || m->has_swappiness || m->has_disable_oom_killer ||
                     m->has_use_hierarchy);
}

static bool cpu_set(const oci_linux_resources *r)
{
        const oci_linux_cpu *c = r->cpu;
        return c && ((c->has_shares && c->shares) || (c->has_quota && c->quota) ||
                     (c->has_period && c->period) || c->has_burst ||
                     (c->has_realtime_runtime && c->realtime_runtime) ||
                     (c->has_realtime_period && c->realtime_period) || c->has_idle);
}

static bool cpuset_set(const oci_linux_resources *r)
{
        return r->cpu && ((r->cpu->cpus && *r->cpu->cpus) || (r->cpu->mems && *r->cpu->mems));
}

static bool pids_set(const oci_linux_resources *r)
{
        return r->pids && r->pids->has_limit;
}

static bool blkio_set(const oci_linux_resources *r)
{
        const oci_linux_block_io *b = r->block_io;
        return b && ((b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) ||
                     b->weight_device_len || b->throttle_read_bps_device_len ||
                     b->throttle_write_bps_device_len || b->throttle_read_iops_device_len ||
                     b->throttle_write_iops_device_len);
}

static bool hugetlb_set(const oci_linux_resources *r)
{
        return r->hugepage_limits_len > 0;
}

static bool classid_set(const oci_linux_resources *r)
{
        return r->network && r->network->has_class_id;
}

static bool prio_set(const oci_linux_resources *r)
{
        return r->network && r->network->priorities_len > 0;
}

static bool rdma_set(const oci_linux_resources *r)
{
        return r->rdma && r->rdma->len > 0;
}

static const struct group {
        const char *field;   /* under linux.resources */
        const char *v1, *v2; /* controller names, NULL when that version has none */
        bool (*set)(const oci_linux_resources *r);
        sl_cg_writer w1, w2;
} groups[] = {
        { "cpu.cpus/mems", "cpuset", "cpuset", cpuset_set, sl_cg_v1_cpuset, sl_cg_v2_cpuset },
        { "memory", "memory", "memory", memory_set, sl_cg_v1_memory, sl_cg_v2_memory },
        { "cpu", "cpu", "cpu", cpu_set, sl_cg_v1_cpu, sl_cg_v2_cpu },
        { "pids", "pids", "pids", pids_set, sl_cg_v1_pids, sl_cg_v2_pids },
        { "blockIO", "blkio", "io", blkio_set, sl_cg_v1_blkio, sl_cg_v2_io },
        { "hugepageLimits", "hugetlb", "hugetlb", hugetlb_set, sl_cg_v1_hugetlb, sl_cg_v2_hugetlb },
        { "network.classID", "net_cls", NULL, classid_set, sl_cg_v1_net_cls, NULL },
        { "network.priorities", "net_prio", NULL, prio_set, sl_cg_v1_net_prio, NULL },
        { "rdma", "rdma", "rdma", rdma_set, sl_cg_rdma, sl_cg_rdma },
};

static bool v2_offers(const sl_cg_hier *u, const char *controller)
{
        _cleanup_free_ char *avail = NULL;
        if (!u || sl_cg_read(u->dir, "cgroup.controllers", &avail, NULL) < 0)
                return false;
        return sl_cg_list_has(avail, ' ', controller);
}

static int unavailable(const sl_cg *cg, const struct group *g, sl_error *err)
{
        const sl_cg_hier *u = sl_cg_unified(cg);
        const char *name = g->v1 ? g->v1 : g->v2;
        if (cg->mode == SL_CG_MODE_V2)
                return sl_err(err, ENOTSUP, "linux.resources.%s: the %s controller is not available: %s",
                              g->field, g->v2 ? g->v2 : name,
                              g->v2 ? "not enabled in the parent's cgroup.subtree_control (held by cgroup v1, "
                                      "or not built into the kernel)"
                                    : "cgroup v2 has no such controller");
        return sl_err(err, ENOTSUP, "linux.resources.%s: the %s controller is not available: not mounted as "
                      "cgroup v1%s", g->field, name,
                      u && g->v2 ? " and not enabled in the unified hierarchy" : "");
}

static int apply_devices(const sl_cg *cg, const sl_cg_dev_rule *rules, size_t n, sl_error *err)
{
        sl_cg_hier *h = sl_cg_v1(cg, "devices"), *u = sl_cg_unified(cg);
        if (h)
                return sl_cg_v1_devices(h->dir, rules, n, err);
        if (u)
                return sl_cg_v2_devices(u->dir, rules, n, err);
        return sl_err(err, ENOTSUP, "linux.resources.devices: the devices controller is not mounted and "
                      "there is no cgroup2 tree for a device program");
}

bool sl_cg_resources_set(const oci_linux_resources *r)
{
        if (!r)
                return false;
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
                if (groups[i].set(r))
                        return true;
        return r->unified && r->unified->len > 0;
}

int sl_cg_apply(const sl_cg *cg, const oci_linux_resources *r, const sl_cg_dev_rule *rules,
                size_t nrules, bool update, sl_error *err)
{
        sl_cg_hier *u = sl_cg_unified(cg);
        if (rules && apply_devices(cg, rules, nrules, err) < 0)
                return -1;
        if (!r)
                return 0;
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
                const struct group *g = &groups[i];
                if (!g->set(r))
                        continue;
                sl_cg_hier *h = g->v1 ? sl_cg_v1(cg, g->v1) : NULL;
                if (h) {
                        if (g->w1(h->dir, r, update, err) < 0)
                                return -1;
                } else if (g->v2 && v2_offers(u, g->v2)) {
                        if (g->w2(u->dir, r, update, err) < 0)
                                return -1;
                } else {
                        return unavailable(cg, g, err);
                }
        }
        if (r->unified && r->unified->len > 0) {
                if (!u)
                        return sl_err(err, ENOTSUP, "linux.resources.unified: needs cgroup v2, and this host "
                                      "has only cgroup v1");
                if (sl_cg_v2_unified(u->dir, r, update, err) < 0)
                        return -1;
        }
        return 0;
}
