/* linux.resources → control file values, checked against scratch
 * directories of plain files, and the routing of each group to v1 or the
 * unified tree. The live tests check the kernel takes the same values. */
#include <stdlib.h>
#include <string.h>

#include "runtime/lib/cgroup-internal.h"
#include "tests/unit/cgroup/cgtest.h"
#include "tests/unit/tap.h"

static char *dir;

static void fresh(const char *const *files)
{
        if (dir) {
                cgt_rm_rf(dir);
                free(dir);
        }
        dir = cgt_mkdtemp();
        for (const char *const *f = files; *f; f++)
                cgt_put(dir, *f, "");
}

static int apply(sl_cg_writer w, const char *json, bool update, sl_error *err)
{
        oci_linux_resources *r = cgt_resources(json);
        int rc = w(dir, r, update, err);
        oci_linux_resources_free(r);
        return rc;
}

static void test_conversions(void)
{
        is_int(sl_cg_shares_to_weight(2), 1, "shares 2 → weight 1");
        is_int(sl_cg_shares_to_weight(1024), 39, "shares 1024 → weight 39");
        is_int(sl_cg_shares_to_weight(262144), 10000, "shares 262144 → weight 10000");
        is_int(sl_cg_blkio_to_io_weight(10), 1, "blkio weight 10 → io.weight 1");
        is_int(sl_cg_blkio_to_io_weight(500), 4950, "blkio weight 500 → io.weight 4950");
        is_int(sl_cg_blkio_to_io_weight(1000), 10000, "blkio weight 1000 → io.weight 10000");
        uint64_t b = 0;
        ok(sl_cg_hugepage_size("2MB", &b) == 0 && b == 2097152, "2MB page size");
        ok(sl_cg_hugepage_size("1GB", &b) == 0 && b == 1073741824, "1GB page size");
        ok(sl_cg_hugepage_size("64KB", &b) == 0 && b == 65536, "64KB page size");
        ok(sl_cg_hugepage_size("2mb", &b) < 0 && sl_cg_hugepage_size("MB", &b) < 0 &&
           sl_cg_hugepage_size("", &b) < 0, "malformed page sizes refused");
}

static void test_v1_memory(void)
{
        static const char *const files[] = {
                "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
                "memory.swappiness", "memory.oom_control", "memory.use_hierarchy",
                "memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes", "memory.usage_in_bytes", NULL
        };
        sl_error err = { 0 };
        fresh(files);
        cgt_put(dir, "memory.limit_in_bytes", "9223372036854771712");
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":1048576,\"swap\":2097152,\"reservation\":524288,"
                 "\"swappiness\":30,\"disableOOMKiller\":true,\"kernelTCP\":4096,\"useHierarchy\":true}}",
                 false, &err) == 0, "v1 memory applies: %s", err.msg);
        is_str(cgt_get(dir, "memory.limit_in_bytes"), "1048576", "limit → memory.limit_in_bytes");
        is_str(cgt_get(dir, "memory.memsw.limit_in_bytes"), "2097152", "swap → memory.memsw.limit_in_bytes");
        is_str(cgt_get(dir, "memory.soft_limit_in_bytes"), "524288", "reservation → soft limit");
        is_str(cgt_get(dir, "memory.swappiness"), "30", "swappiness");
        is_str(cgt_get(dir, "memory.oom_control"), "1", "disableOOMKiller → oom_control 1");
        is_str(cgt_get(dir, "memory.kmem.tcp.limit_in_bytes"), "4096", "kernelTCP");
        is_str(cgt_get(dir, "memory.use_hierarchy"), "1", "useHierarchy");

        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":-1}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "memory.limit_in_bytes"), "-1") == 0 &&
           strcmp(cgt_get(dir, "memory.memsw.limit_in_bytes"), "-1") == 0,
           "limit -1 lifts memory and memory+swap");
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":2097152,\"swap\":1048576}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.memory.swap") && strstr(err.msg, "below the memory limit"),
           "swap below limit: %s", err.msg);
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"swappiness\":101}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.memory.swappiness"), "swappiness 101: %s", err.msg);
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":-5}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.memory.limit: invalid value -5"), "limit -5: %s", err.msg);

        cgt_put(dir, "memory.usage_in_bytes", "5000000");
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":1000000,\"checkBeforeUpdate\":true}}", true, &err) < 0 &&
           strstr(err.msg, "below the current usage") && strstr(err.msg, "memory.limit"),
           "checkBeforeUpdate refuses a limit under usage: %s", err.msg);
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":9000000,\"checkBeforeUpdate\":true}}", true, &err) == 0 &&
           strcmp(cgt_get(dir, "memory.limit_in_bytes"), "9000000") == 0, "checkBeforeUpdate allows a limit above usage");

        cgt_unlink(dir, "memory.memsw.limit_in_bytes");
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"swap\":4000000}}", false, &err) < 0 &&
           strstr(err.msg, "swapaccount"), "swap without swap accounting: %s", err.msg);
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"limit\":-1,\"swap\":-1}}", false, &err) == 0,
           "swap -1 without swap accounting is a documented skip");
        cgt_unlink(dir, "memory.kmem.limit_in_bytes");
        ok(apply(sl_cg_v1_memory, "{\"memory\":{\"kernel\":1048576}}", false, &err) == 0,
           "kernel limit without memory.kmem.limit_in_bytes is a documented skip");
}

static void test_v2_memory(void)
{
        static const char *const files[] = { "memory.max", "memory.swap.max", "memory.low", "memory.current", NULL };
        sl_error err = { 0 };
        fresh(files);
        ok(apply(sl_cg_v2_memory, "{\"memory\":{\"limit\":1048576,\"swap\":3145728,\"reservation\":4096,"
                 "\"kernel\":1,\"swappiness\":5}}", false, &err) == 0, "v2 memory applies: %s", err.msg);
        is_str(cgt_get(dir, "memory.max"), "1048576", "limit → memory.max");
        is_str(cgt_get(dir, "memory.swap.max"), "2097152", "memory+swap → memory.swap.max holds swap alone");
        is_str(cgt_get(dir, "memory.low"), "4096", "reservation → memory.low");
        ok(apply(sl_cg_v2_memory, "{\"memory\":{\"limit\":-1}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "memory.max"), "max") == 0 && strcmp(cgt_get(dir, "memory.swap.max"), "max") == 0,
           "-1 → max for memory and swap");
        ok(apply(sl_cg_v2_memory, "{\"memory\":{\"swap\":3145728}}", false, &err) < 0 &&
           strstr(err.msg, "memory.swap") && strstr(err.msg, "needs memory.limit"), "v2 swap alone: %s", err.msg);
}

static void test_cpu(void)
{
        static const char *const v1[] = { "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us",
                                          "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle", "cpuset.cpus",
                                          "cpuset.mems", NULL };
        sl_error err = { 0 };
        fresh(v1);
        ok(apply(sl_cg_v1_cpu, "{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"burst\":1000,"
                 "\"realtimeRuntime\":950,\"realtimePeriod\":1000000,\"idle\":1}}", false, &err) == 0,
           "v1 cpu applies: %s", err.msg);
        is_str(cgt_get(dir, "cpu.shares"), "512", "shares");
        is_str(cgt_get(dir, "cpu.cfs_quota_us"), "50000", "quota → cfs_quota_us");
        is_str(cgt_get(dir, "cpu.cfs_period_us"), "100000", "period → cfs_period_us");
        is_str(cgt_get(dir, "cpu.cfs_burst_us"), "1000", "burst");
        is_str(cgt_get(dir, "cpu.rt_runtime_us"), "950", "realtimeRuntime");
        is_str(cgt_get(dir, "cpu.rt_period_us"), "1000000", "realtimePeriod");
        is_str(cgt_get(dir, "cpu.idle"), "1", "idle");
        ok(apply(sl_cg_v1_cpuset, "{\"cpu\":{\"cpus\":\"0\",\"mems\":\"0\"}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "cpuset.cpus"), "0") == 0 && strcmp(cgt_get(dir, "cpuset.mems"), "0") == 0,
           "cpus/mems → cpuset");

        static const char *const v2[] = { "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", NULL };
        fresh(v2);
        cgt_put(dir, "cpu.max", "max 100000\n");
        ok(apply(sl_cg_v2_cpu, "{\"cpu\":{\"shares\":1024,\"quota\":50000}}", false, &err) == 0, "v2 cpu applies");
        is_str(cgt_get(dir, "cpu.weight"), "39", "shares 1024 → cpu.weight 39");
        is_str(cgt_get(dir, "cpu.max"), "50000 100000", "quota joins the current period in cpu.max");
        ok(apply(sl_cg_v2_cpu, "{\"cpu\":{\"period\":200000}}", true, &err) == 0 &&
           strcmp(cgt_get(dir, "cpu.max"), "50000 200000") == 0, "period alone keeps the quota");
        ok(apply(sl_cg_v2_cpu, "{\"cpu\":{\"quota\":-1}}", true, &err) == 0 &&
           strcmp(cgt_get(dir, "cpu.max"), "max 200000") == 0, "quota -1 → max");
        ok(apply(sl_cg_v2_cpu, "{\"cpu\":{\"burst\":500,\"idle\":1}}", true, &err) == 0 &&
           strcmp(cgt_get(dir, "cpu.max.burst"), "500") == 0 && strcmp(cgt_get(dir, "cpu.idle"), "1") == 0,
           "burst → cpu.max.burst, idle → cpu.idle");
        ok(apply(sl_cg_v2_cpu, "{\"cpu\":{\"realtimeRuntime\":100}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.cpu.realtimeRuntime"), "realtime on v2: %s", err.msg);
        ok(apply(sl_cg_v2_cpu, "{\"cpu\":{\"shares\":1}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.cpu.shares"), "shares out of range on v2: %s", err.msg);
}

static void test_pids_blkio(void)
{
        static const char *const files[] = { "pids.max", "blkio.bfq.weight", "blkio.bfq.weight_device",
                                             "blkio.throttle.read_bps_device", "blkio.throttle.write_iops_device",
                                             NULL };
        sl_error err = { 0 };
        fresh(files);
        ok(apply(sl_cg_v1_pids, "{\"pids\":{\"limit\":10}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "pids.max"), "10") == 0, "pids.limit → pids.max");
        ok(apply(sl_cg_v1_pids, "{\"pids\":{\"limit\":-1}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "pids.max"), "max") == 0, "pids.limit -1 → max");
        ok(apply(sl_cg_v1_blkio, "{\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,"
                 "\"weight\":300}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
                 "\"throttleWriteIOPSDevice\":[{\"major\":254,\"minor\":0,\"rate\":100}]}}", false, &err) == 0,
           "v1 blkio applies: %s", err.msg);
        is_str(cgt_get(dir, "blkio.bfq.weight"), "500", "weight → blkio.bfq.weight without CFQ");
        is_str(cgt_get(dir, "blkio.bfq.weight_device"), "8:0 300", "weightDevice → bfq.weight_device");
        is_str(cgt_get(dir, "blkio.throttle.read_bps_device"), "8:0 1048576", "throttleReadBpsDevice");
        is_str(cgt_get(dir, "blkio.throttle.write_iops_device"), "254:0 100", "throttleWriteIOPSDevice");
        ok(apply(sl_cg_v1_blkio, "{\"blockIO\":{\"leafWeight\":100}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.blockIO.leafWeight: blkio.leaf_weight: not supported by this kernel"),
           "leafWeight without the file: %s", err.msg);
        ok(apply(sl_cg_v1_blkio, "{\"blockIO\":{\"weight\":5}}", false, &err) < 0 &&
           strstr(err.msg, "blockIO.weight"), "weight out of range: %s", err.msg);

        static const char *const v2[] = { "io.weight", "io.max", NULL };
        fresh(v2);
        ok(apply(sl_cg_v2_io, "{\"blockIO\":{\"weight\":500,\"throttleWriteBpsDevice\":[{\"major\":8,"
                 "\"minor\":16,\"rate\":4096}]}}", false, &err) == 0, "v2 io applies: %s", err.msg);
        is_str(cgt_get(dir, "io.weight"), "default 4950", "weight converted for io.weight");
        is_str(cgt_get(dir, "io.max"), "8:16 wbps=4096", "throttle → io.max");
        ok(apply(sl_cg_v2_io, "{\"blockIO\":{\"leafWeight\":10}}", false, &err) < 0 &&
           strstr(err.msg, "blockIO.leafWeight"), "leafWeight on v2: %s", err.msg);
}

static void test_hugetlb_net_rdma_unified(void)
{
        static const char *const files[] = { "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "net_cls.classid",
                                             "net_prio.ifpriomap", "rdma.max", "cgroup.controllers", NULL };
        sl_error err = { 0 };
        fresh(files);
        ok(apply(sl_cg_v2_hugetlb, "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "hugetlb.2MB.max"), "4194304") == 0 &&
           strcmp(cgt_get(dir, "hugetlb.2MB.rsvd.max"), "4194304") == 0, "hugepageLimits → hugetlb.2MB.max and rsvd");
        ok(apply(sl_cg_v2_hugetlb, "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1},"
                 "{\"pageSize\":\"1GB\",\"limit\":1}]}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.hugepageLimits[1].pageSize") && strstr(err.msg, "1GB"),
           "unknown page size names the entry: %s", err.msg);
        ok(apply(sl_cg_v1_hugetlb, "{\"hugepageLimits\":[{\"pageSize\":\"2XB\",\"limit\":1}]}", false, &err) < 0 &&
           strstr(err.msg, "hugepageLimits[0].pageSize"), "malformed page size: %s", err.msg);
        ok(apply(sl_cg_v1_net_cls, "{\"network\":{\"classID\":1048577}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "net_cls.classid"), "1048577") == 0, "classID → net_cls.classid");
        ok(apply(sl_cg_v1_net_prio, "{\"network\":{\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]}}", false,
                 &err) == 0 && strcmp(cgt_get(dir, "net_prio.ifpriomap"), "eth0 5") == 0,
           "priorities → net_prio.ifpriomap");
        ok(apply(sl_cg_rdma, "{\"rdma\":{\"mlx5_0\":{\"hcaHandles\":3,\"hcaObjects\":10}}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "rdma.max"), "mlx5_0 hca_handle=3 hca_object=10") == 0, "rdma → rdma.max");

        cgt_put(dir, "cgroup.controllers", "hugetlb\n");
        ok(apply(sl_cg_v2_unified, "{\"unified\":{\"hugetlb.2MB.max\":\"8388608\"}}", false, &err) == 0 &&
           strcmp(cgt_get(dir, "hugetlb.2MB.max"), "8388608") == 0, "unified key written as is");
        ok(apply(sl_cg_v2_unified, "{\"unified\":{\"memory.high\":\"1000\"}}", false, &err) < 0 &&
           strstr(err.msg, "linux.resources.unified[\"memory.high\"]") &&
           strstr(err.msg, "memory controller is not available"), "unified key of a missing controller: %s", err.msg);
        ok(apply(sl_cg_v2_unified, "{\"unified\":{\"../etc.passwd\":\"x\"}}", false, &err) < 0 &&
           strstr(err.msg, "not a cgroup file name"), "unified key with a slash: %s", err.msg);
        ok(apply(sl_cg_v2_unified, "{\"unified\":{\"cgroup.procs\":\"1\"}}", false, &err) < 0 &&
           strstr(err.msg, "managed by the runtime"), "unified cgroup.procs refused: %s", err.msg);
}

/* A hand-built hybrid layout over scratch dirs: memory in v1, hugetlb
 * only in the unified tree, no net_cls. */
static void test_routing(void)
{
        char *v1mem = cgt_mkdtemp(), *uni = cgt_mkdtemp();
        cgt_put(v1mem, "memory.limit_in_bytes", "");
        cgt_put(uni, "cgroup.controllers", "hugetlb\n");
        cgt_put(uni, "hugetlb.2MB.max", "");
        sl_cg_hier h[2] = {
                { .mount = v1mem, .root = "/", .controllers = "memory", .dir = v1mem },
                { .mount = uni, .root = "/", .controllers = "", .unified = true, .dir = uni },
        };
        sl_cg cg = { .mode = SL_CG_MODE_HYBRID, .h = h, .n = 2 };
        sl_error err = { 0 };
        oci_linux_resources *r = cgt_resources("{\"memory\":{\"limit\":1048576},"
                                               "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}]}");
        ok(sl_cg_apply(&cg, r, NULL, 0, false, &err) == 0, "hybrid routing applies: %s", err.msg);
        is_str(cgt_get(v1mem, "memory.limit_in_bytes"), "1048576", "memory goes to the v1 controller");
        is_str(cgt_get(uni, "hugetlb.2MB.max"), "2097152", "hugetlb, absent from v1, goes to the unified tree");
        oci_linux_resources_free(r);

        r = cgt_resources("{\"network\":{\"classID\":1}}");
        ok(sl_cg_apply(&cg, r, NULL, 0, false, &err) < 0 &&
           strstr(err.msg, "linux.resources.network.classID: the net_cls controller is not available"),
           "unmounted v1-only controller: %s", err.msg);
        oci_linux_resources_free(r);
        r = cgt_resources("{\"pids\":{\"limit\":5}}");
        ok(sl_cg_apply(&cg, r, NULL, 0, false, &err) < 0 &&
           strstr(err.msg, "linux.resources.pids: the pids controller is not available"),
           "controller in neither tree: %s", err.msg);
        oci_linux_resources_free(r);

        cg.mode = SL_CG_MODE_V2;
        cg.h = &h[1];
        cg.n = 1;
        r = cgt_resources("{\"memory\":{\"limit\":1048576}}");
        ok(sl_cg_apply(&cg, r, NULL, 0, false, &err) < 0 &&
           strstr(err.msg, "linux.resources.memory: the memory controller is not available"),
           "v2 without the memory controller: %s", err.msg);
        oci_linux_resources_free(r);
        r = cgt_resources("{\"memory\":{}}");
        ok(sl_cg_apply(&cg, r, NULL, 0, false, &err) == 0, "an empty group needs no controller");
        oci_linux_resources_free(r);

        cg.mode = SL_CG_MODE_V1;
        cg.h = &h[0];
        r = cgt_resources("{\"unified\":{\"memory.high\":\"1\"}}");
        ok(sl_cg_apply(&cg, r, NULL, 0, false, &err) < 0 && strstr(err.msg, "linux.resources.unified: needs cgroup v2"),
           "unified on a v1-only host: %s", err.msg);
        oci_linux_resources_free(r);
        cgt_rm_rf(v1mem);
        cgt_rm_rf(uni);
        free(v1mem);
        free(uni);
}

int main(void)
{
        test_conversions();
        test_v1_memory();
        test_v2_memory();
        test_cpu();
        test_pids_blkio();
        test_hugetlb_net_rdma_unified();
        test_routing();
        if (dir) {
                cgt_rm_rf(dir);
                free(dir);
        }
        return tap_done();
}
