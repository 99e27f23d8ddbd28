/* Live cgroup tests: real processes under real limits on whatever
 * hierarchies this process sees (the host's v1/hybrid/v2, or a fresh
 * cgroup2 mount in a private mount namespace, see
 * tests/integration/cgroup-v2.sh). Needs root; every cgroup it makes
 * lives under /sloika-test-<pid> and is removed at the end.
 *
 *   cgroup-live [EXPECTED_MODE]   (v1, v2 or hybrid; checked when given) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "runtime/lib/cgroup-internal.h"
#include "runtime/lib/cgroup.h"
#include "tests/unit/cgroup/cgtest.h"
#include "tests/unit/tap.h"

static sl_cg layout;
static char top[64];          /* /sloika-test-<pid> */
static bool made_sloika;      /* /sloika did not exist before */
static char *devdir;          /* device nodes for the device tests */

static void msleep(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

/* --- processes --- */

static pid_t spawn_sleeper(void)
{
        pid_t pid = fork();
        if (pid == 0) {
                execl("/bin/sleep", "sleep", "1000", (char *)NULL);
                _exit(127);
        }
        return pid;
}

static pid_t spawn_burner(void)
{
        pid_t pid = fork();
        if (pid == 0)
                for (volatile unsigned long i = 0;; i++)
                        ;
        return pid;
}

/* A child that waits for "go" (after it was put into its cgroup), runs
 * fn and sends back two ints. */
typedef void (*child_fn)(int out[2]);
struct waiter {
        pid_t pid;
        int go, res;
};

static struct waiter spawn_waiter(child_fn fn)
{
        int go[2], res[2];
        if (pipe(go) < 0 || pipe(res) < 0)
                exit(99);
        struct waiter w = { fork(), go[1], res[0] };
        if (w.pid == 0) {
                char c;
                close(go[1]);
                close(res[0]);
                if (read(go[0], &c, 1) != 1)
                        _exit(1);
                int out[2] = { 0, 0 };
                fn(out);
                if (write(res[1], out, sizeof out) != sizeof out)
                        _exit(1);
                _exit(0);
        }
        close(go[0]);
        close(res[1]);
        return w;
}

static bool waiter_run(struct waiter *w, int out[2])
{
        bool ok = write(w->go, "g", 1) == 1 && read(w->res, out, 2 * sizeof(int)) == 2 * sizeof(int);
        close(w->go);
        close(w->res);
        waitpid(w->pid, NULL, 0);
        return ok;
}

/* Bounded: a child left frozen would never be reaped. */
static void reap(pid_t pid)
{
        kill(pid, SIGKILL);
        for (int i = 0; i < 300 && waitpid(pid, NULL, WNOHANG) == 0; i++)
                msleep(10);
}

/* state (field 3) and utime (field 14) of /proc/PID/stat */
static bool proc_stat(pid_t pid, char *state, unsigned long long *utime)
{
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (!p)
                return false;
        return sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu", state, utime) == 2;
}

/* --- cgroup files --- */

/* The container's directory in the hierarchy of controller (NULL: the
 * unified tree), or NULL when there is none. */
static char *dir_of(const char *stored, const char *controller)
{
        sl_cg cg = { 0 };
        sl_error err = { 0 };
        if (sl_cg_layout_load(&cg, &err) < 0 || sl_cg_resolve_stored(&cg, stored, &err) < 0)
                return NULL;
        sl_cg_hier *h = controller ? sl_cg_v1(&cg, controller) : sl_cg_unified(&cg);
        char *dir = h ? strdup(h->dir) : NULL;
        sl_cg_free(&cg);
        return dir;
}

/* A control file's content from the v1 controller when mounted, else from
 * the unified tree. */
static const char *limit_file(const char *stored, const char *controller, const char *v1file, const char *v2file)
{
        static char buf[4][256];
        static int slot;
        char *out = buf[slot++ % 4];
        char *dir = controller ? dir_of(stored, controller) : NULL;
        const char *file = v1file;
        if (!dir) {
                dir = dir_of(stored, NULL);
                file = v2file;
        }
        snprintf(out, 256, "%s", dir ? cgt_get(dir, file) : "(no hierarchy)");
        free(dir);
        return out;
}

static bool gone_everywhere(const char *stored)
{
        sl_cg cg = { 0 };
        sl_error err = { 0 };
        if (sl_cg_layout_load(&cg, &err) < 0 || sl_cg_resolve_stored(&cg, stored, &err) < 0)
                return false;
        bool gone = true;
        for (size_t i = 0; i < cg.n; i++)
                if (access(cg.h[i].dir, F_OK) == 0) {
                        diag("still there: %s", cg.h[i].dir);
                        gone = false;
                }
        sl_cg_free(&cg);
        return gone;
}

/* Whether pid's /proc/PID/cgroup names path in every hierarchy. */
static bool pid_in(pid_t pid, const char *stored)
{
        sl_cg cg = { 0 };
        sl_error err = { 0 };
        char procpath[64];
        snprintf(procpath, sizeof procpath, "/proc/%d/cgroup", (int)pid);
        char *text = NULL;
        if (sl_cg_layout_load(&cg, &err) < 0 || sl_cg_resolve_stored(&cg, stored, &err) < 0 ||
            sl_read_file(procpath, &text, NULL, &err) < 0)
                return false;
        bool in = true;
        for (size_t i = 0; i < cg.n; i++) {
                char want[512];
                snprintf(want, sizeof want, ":%s\n", cg.h[i].path);
                if (!strstr(text, want)) {
                        diag("pid %d not in %s (%s)", (int)pid, cg.h[i].path, cg.h[i].mount);
                        in = false;
                }
        }
        free(text);
        sl_cg_free(&cg);
        return in;
}

static oci_spec *spec_with(const char *cgpath, const char *resources)
{
        char json[8192];
        snprintf(json, sizeof json, "{\"ociVersion\":\"1.2.0\",\"linux\":{%s%s%s\"resources\":%s}}",
                 cgpath ? "\"cgroupsPath\":\"" : "", cgpath ? cgpath : "", cgpath ? "\"," : "",
                 resources ? resources : "{}");
        return cgt_spec(json);
}

static char *setup(const char *name, const char *resources, pid_t pid, sl_error *err)
{
        char path[128];
        snprintf(path, sizeof path, "%s/%s", top, name);
        oci_spec *spec = spec_with(path, resources);
        char *stored = NULL;
        int rc = sl_cgroup_setup(name, spec, pid, &stored, err);
        oci_spec_free(spec);
        return rc == 0 ? stored : NULL;
}

/* A fresh error for each call, so a passing check prints no stale message. */
#define E (sl_err_clear(&err), &err)
#define skip(name, why) (printf("ok %d - %s # SKIP %s\n", ++tap_count_, (name), (why)))

static bool have(const char *v1, const char *v2)
{
        if (sl_cg_v1(&layout, v1))
                return true;
        sl_cg_hier *u = sl_cg_unified(&layout);
        if (!u || !v2)
                return false;
        char *avail = NULL;
        bool has = sl_cg_read(u->mount, "cgroup.controllers", &avail, NULL) == 0 && sl_cg_list_has(avail, ' ', v2);
        free(avail);
        return has;
}

static bool wait_signaled(pid_t pid, int sig, long timeout_ms)
{
        int status;
        for (long t = 0; t < timeout_ms; t += 10) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        return WIFSIGNALED(status) && WTERMSIG(status) == sig;
                if (r < 0)
                        return false;
                msleep(10);
        }
        diag("pid %d still alive after %ld ms", (int)pid, timeout_ms);
        reap(pid);
        return false;
}

static void destroy_ok(char *cg, const char *what)
{
        sl_error err = { 0 };
        ok(sl_cgroup_destroy(cg, E) == 0, "%s: destroy succeeds: %s", what, err.msg);
        ok(gone_everywhere(cg), "%s: destroy leaves no directory in any hierarchy", what);
        free(cg);
}

/* A child that touches 4 MiB after it was put into its cgroup, so the
 * memory is charged there, then waits. */
struct hog {
        pid_t pid;
        int go, ready;
};

static struct hog spawn_hog(void)
{
        int go[2], ready[2];
        if (pipe(go) < 0 || pipe(ready) < 0)
                exit(99);
        struct hog h = { fork(), go[1], ready[0] };
        if (h.pid == 0) {
                char c;
                if (read(go[0], &c, 1) != 1)
                        _exit(1);
                size_t n = 4u << 20;
                volatile char *p = malloc(n); /* volatile: the stores must happen */
                for (size_t i = 0; i < n; i += 4096)
                        p[i] = 1;
                if (write(ready[1], "r", 1) != 1)
                        _exit(1);
                for (;;)
                        pause();
        }
        close(go[0]);
        close(ready[1]);
        return h;
}

static bool hog_start(struct hog *h)
{
        char c;
        bool ok = write(h->go, "g", 1) == 1 && read(h->ready, &c, 1) == 1;
        close(h->go);
        close(h->ready);
        return ok;
}

static void test_limits(void)
{
        if (!have("memory", "memory") || !have("pids", "pids") || !have("cpu", "cpu") || !have("cpuset", "cpuset")) {
                skip("memory, pids, cpu and cpuset limits", "memory, pids, cpu or cpuset controller not available");
                return;
        }
        sl_error err = { 0 };
        struct hog h = spawn_hog();
        char *cg = setup("limits", "{\"memory\":{\"limit\":67108864,\"reservation\":33554432},"
                                   "\"pids\":{\"limit\":50},"
                                   "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,\"cpus\":\"0\",\"mems\":\"0\"}}",
                         h.pid, E);
        ok(cg != NULL, "setup applies memory, pids, cpu and cpuset limits: %s", err.msg);
        if (!cg) {
                reap(h.pid);
                return;
        }
        ok(hog_start(&h), "the process runs inside its limits");
        ok(pid_in(h.pid, cg), "the process is in the container cgroup in every hierarchy");
        is_str(limit_file(cg, "memory", "memory.limit_in_bytes", "memory.max"), "67108864",
               "memory.limit is the kernel's memory limit");
        is_str(limit_file(cg, "memory", "memory.soft_limit_in_bytes", "memory.low"), "33554432",
               "memory.reservation is the kernel's soft limit");
        is_str(limit_file(cg, "pids", "pids.max", "pids.max"), "50", "pids.limit is pids.max");
        if (sl_cg_v1(&layout, "cpu")) {
                is_str(limit_file(cg, "cpu", "cpu.cfs_quota_us", NULL), "20000", "cpu.quota is cpu.cfs_quota_us");
                is_str(limit_file(cg, "cpu", "cpu.cfs_period_us", NULL), "100000", "cpu.period is cpu.cfs_period_us");
                is_str(limit_file(cg, "cpu", "cpu.shares", NULL), "512", "cpu.shares");
        } else {
                is_str(limit_file(cg, "cpu", NULL, "cpu.max"), "20000 100000", "cpu.quota/period are cpu.max");
                is_str(limit_file(cg, "cpu", NULL, "cpu.weight"), "20", "cpu.shares 512 is cpu.weight 20");
        }
        is_str(limit_file(cg, "cpuset", "cpuset.cpus", "cpuset.cpus"), "0", "cpu.cpus is cpuset.cpus");

        pid_t *pids = NULL;
        size_t n = 0;
        int prc = sl_cgroup_pids(cg, &pids, &n, E);
        ok(prc == 0 && n == 1 && pids[0] == h.pid, "pids lists the process");
        free(pids);

        struct sl_cgroup_stats st;
        ok(sl_cgroup_stats(cg, &st, E) == 0, "stats read: %s", err.msg);
        ok(st.has_memory && st.memory_limit == 67108864 && st.memory_usage >= (4u << 20),
           "stats: memory usage counts the 4 MiB touched, limit is 64 MiB (usage %llu)",
           (unsigned long long)st.memory_usage);
        ok(st.has_pids && st.pids_current == 1 && st.pids_limit == 50, "stats: pids current 1, limit 50");
        ok(st.has_cpu && st.cpu_total > 0, "stats: cpu usage counted (%llu ns)", (unsigned long long)st.cpu_total);
        ok(st.memory_stat_len > 0, "stats: memory.stat entries for the raw view");
        sl_cgroup_stats_free(&st);

        oci_linux_resources *r = cgt_resources("{\"memory\":{\"limit\":134217728},\"pids\":{\"limit\":20},"
                                               "\"cpu\":{\"quota\":50000}}");
        ok(sl_cgroup_update(cg, r, E) == 0, "update applies live: %s", err.msg);
        oci_linux_resources_free(r);
        is_str(limit_file(cg, "memory", "memory.limit_in_bytes", "memory.max"), "134217728", "update raised the memory limit");
        is_str(limit_file(cg, "pids", "pids.max", "pids.max"), "20", "update lowered pids.max");
        if (sl_cg_v1(&layout, "cpu"))
                is_str(limit_file(cg, "cpu", "cpu.cfs_quota_us", NULL), "50000", "update changed the cpu quota");
        else
                is_str(limit_file(cg, "cpu", NULL, "cpu.max"), "50000 100000", "update changed the cpu quota, kept the period");

        r = cgt_resources("{\"memory\":{\"limit\":4096,\"checkBeforeUpdate\":true}}");
        ok(sl_cgroup_update(cg, r, E) < 0 && strstr(err.msg, "cgroup: linux.resources.memory.limit") &&
           strstr(err.msg, "below the current usage"), "checkBeforeUpdate refuses a limit under usage: %s", err.msg);
        oci_linux_resources_free(r);
        is_str(limit_file(cg, "memory", "memory.limit_in_bytes", "memory.max"), "134217728",
               "the refused update left the limit alone");
        r = cgt_resources("{\"memory\":{\"swappiness\":200}}");
        ok(sl_cgroup_update(cg, r, E) < 0 && strstr(err.msg, "linux.resources.memory.swappiness"),
           "invalid swappiness names the field: %s", err.msg);
        oci_linux_resources_free(r);
        if (sl_cg_v1(&layout, "cpu")) {
                r = cgt_resources("{\"cpu\":{\"shares\":1}}");
                ok(sl_cgroup_update(cg, r, E) < 0 && strstr(err.msg, "linux.resources.cpu.shares"),
                   "cpu.shares the kernel clamps is an error naming the field: %s", err.msg);
                oci_linux_resources_free(r);
        }
        if (sl_cg_v1(&layout, "cpu") && sl_cg_exists(sl_cg_v1(&layout, "cpu")->mount, "cpu.rt_runtime_us")) {
                r = cgt_resources("{\"cpu\":{\"realtimePeriod\":1000000,\"realtimeRuntime\":1000}}");
                ok(sl_cgroup_update(cg, r, E) == 0, "realtime runtime granted through new parents: %s", err.msg);
                oci_linux_resources_free(r);
                is_str(limit_file(cg, "cpu", "cpu.rt_runtime_us", NULL), "1000", "cpu.realtimeRuntime is cpu.rt_runtime_us");
        }
        if (sl_cg_v1(&layout, "memory") && sl_cg_exists(sl_cg_v1(&layout, "memory")->mount, "memory.memsw.limit_in_bytes")) {
                r = cgt_resources("{\"memory\":{\"limit\":134217728,\"swap\":167772160}}");
                ok(sl_cgroup_update(cg, r, E) == 0, "memory and memory+swap set together: %s", err.msg);
                oci_linux_resources_free(r);
                is_str(limit_file(cg, "memory", "memory.memsw.limit_in_bytes", NULL), "167772160",
                       "memory.swap is memory.memsw.limit_in_bytes");
                r = cgt_resources("{\"memory\":{\"limit\":268435456}}");
                ok(sl_cgroup_update(cg, r, E) < 0 && strstr(err.msg, "exceeds the current memory+swap limit"),
                   "a memory limit above memory+swap says to raise swap: %s", err.msg);
                oci_linux_resources_free(r);
                r = cgt_resources("{\"memory\":{\"limit\":268435456,\"swap\":536870912}}");
                ok(sl_cgroup_update(cg, r, E) == 0 &&
                   strcmp(limit_file(cg, "memory", "memory.memsw.limit_in_bytes", NULL), "536870912") == 0 &&
                   strcmp(limit_file(cg, "memory", "memory.limit_in_bytes", NULL), "268435456") == 0,
                   "raising both orders the writes so the kernel accepts them: %s", err.msg);
                oci_linux_resources_free(r);
        }
        if (sl_cg_v1(&layout, "memory")) {
                r = cgt_resources("{\"memory\":{\"limit\":1,\"swap\":1}}");
                ok(sl_cgroup_update(cg, r, E) < 0 && strstr(err.msg, "linux.resources.memory.") &&
                   (strstr(err.msg, "write memory.") || strstr(err.msg, "memory.limit_in_bytes")),
                   "a limit the kernel refuses names field and file: %s", err.msg);
                oci_linux_resources_free(r);
        }
        reap(h.pid);
        destroy_ok(cg, "limits");
        ok(sl_cgroup_destroy(cg = (char *)"/sloika-test-nonexistent/x", E) == 0, "destroy of a missing cgroup succeeds");
}

static bool find_disk(char *out, size_t size)
{
        static const char *const candidates[] = { "vda", "sda", "nvme0n1", "xvda", "loop0", NULL };
        for (const char *const *c = candidates; *c; c++) {
                char path[64];
                snprintf(path, sizeof path, "/sys/block/%s", *c);
                const char *dev = cgt_get(path, "dev");
                if (strcmp(dev, "(missing)") != 0) {
                        snprintf(out, size, "%s", dev);
                        return true;
                }
        }
        return false;
}

static void test_blkio(void)
{
        char disk[32], json[512];
        unsigned maj, min;
        if (!have("blkio", "io") || !find_disk(disk, sizeof disk) || sscanf(disk, "%u:%u", &maj, &min) != 2) {
                skip("blockIO limits", "no blkio/io controller or no disk");
                return;
        }
        snprintf(json, sizeof json, "{\"blockIO\":{\"weight\":200,\"throttleReadBpsDevice\":[{\"major\":%u,"
                 "\"minor\":%u,\"rate\":1048576}],\"throttleWriteIOPSDevice\":[{\"major\":%u,\"minor\":%u,"
                 "\"rate\":300}]}}", maj, min, maj, min);
        sl_error err = { 0 };
        pid_t pid = spawn_sleeper();
        char *cg = setup("blkio", json, pid, E);
        ok(cg != NULL, "setup applies blockIO: %s", err.msg);
        if (cg) {
                char want[128];
                if (sl_cg_v1(&layout, "blkio")) {
                        char *dir = dir_of(cg, "blkio");
                        const char *w = sl_cg_exists(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
                        ok(strstr(cgt_get(dir, w), "200") != NULL, "blockIO.weight is %s", w);
                        snprintf(want, sizeof want, "%s 1048576", disk);
                        is_str(cgt_get(dir, "blkio.throttle.read_bps_device"), want, "throttleReadBpsDevice");
                        snprintf(want, sizeof want, "%s 300", disk);
                        is_str(cgt_get(dir, "blkio.throttle.write_iops_device"), want, "throttleWriteIOPSDevice");
                        free(dir);
                } else {
                        char *dir = dir_of(cg, NULL);
                        snprintf(want, sizeof want, "%s rbps=1048576 wbps=max riops=max wiops=300", disk);
                        is_str(cgt_get(dir, "io.max"), want, "throttle devices are io.max");
                        free(dir);
                }
        }
        reap(pid);
        if (cg)
                destroy_ok(cg, "blkio");
}

static void fork_until_fail(int out[2])
{
        pid_t kids[64];
        int n = 0;
        out[1] = 0;
        while (n < 64) {
                pid_t k = fork();
                if (k == 0) {
                        pause();
                        _exit(0);
                }
                if (k < 0) {
                        out[1] = errno;
                        break;
                }
                kids[n++] = k;
        }
        out[0] = n;
        for (int i = 0; i < n; i++) {
                kill(kids[i], SIGKILL);
                waitpid(kids[i], NULL, 0);
        }
}

static void test_pids_fork(void)
{
        if (!have("pids", "pids")) {
                skip("pids.limit stops forks", "no pids controller");
                return;
        }
        sl_error err = { 0 };
        struct waiter w = spawn_waiter(fork_until_fail);
        char *cg = setup("forks", "{\"pids\":{\"limit\":5}}", w.pid, E);
        ok(cg != NULL, "setup with pids.limit 5: %s", err.msg);
        int out[2] = { -1, -1 };
        ok(waiter_run(&w, out), "the forking child reports");
        is_int(out[1], EAGAIN, "fork beyond pids.limit fails with EAGAIN");
        is_int(out[0], 4, "exactly limit-1 children could be forked");
        if (cg)
                destroy_ok(cg, "forks");
}

static void open_devices(int out[2])
{
        char path[4200];
        snprintf(path, sizeof path, "%s/kmsg", devdir);
        int fd = open(path, O_RDONLY | O_NONBLOCK);
        out[0] = fd < 0 ? errno : 0;
        if (fd >= 0)
                close(fd);
        snprintf(path, sizeof path, "%s/null", devdir);
        fd = open(path, O_RDWR);
        out[1] = fd < 0 ? errno : 0;
        if (fd >= 0)
                close(fd);
}

static bool make_devdir(void)
{
        static char buf[] = "/tmp/sl-cgroup-dev.XXXXXX";
        struct statvfs sv;
        if (statvfs("/tmp", &sv) == 0 && (sv.f_flag & ST_NODEV))
                memcpy(buf, "/dev", 4); /* /tmp is nodev: use devtmpfs */
        if (!mkdtemp(buf))
                return false;
        devdir = buf;
        char p[64];
        snprintf(p, sizeof p, "%s/kmsg", devdir);
        if (mknod(p, S_IFCHR | 0600, makedev(1, 11)) < 0)
                return false;
        snprintf(p, sizeof p, "%s/null", devdir);
        return mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0;
}

static void remove_devdir(void)
{
        if (devdir) {
                cgt_rm_rf(devdir);
                devdir = NULL;
        }
}

static void test_devices(void)
{
        bool v1 = sl_cg_v1(&layout, "devices") != NULL;
        if (!v1 && !sl_cg_unified(&layout)) {
                skip("device rules", "neither a devices controller nor a cgroup2 tree");
                return;
        }
        if (!make_devdir()) {
                skip("device rules", "cannot make device nodes in a scratch dir");
                remove_devdir();
                return;
        }
        const char *how = v1 ? "v1 devices controller" : "eBPF device program";
        sl_error err = { 0 };
        struct waiter w = spawn_waiter(open_devices);
        char *cg = setup("devices", "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", w.pid, E);
        ok(cg != NULL, "setup with a deny-all device rule (%s): %s", how, err.msg);
        int out[2] = { -1, -1 };
        ok(waiter_run(&w, out), "the device-opening child reports");
        is_int(out[0], EPERM, "%s: opening a denied char device (1:11) gives EPERM", how);
        is_int(out[1], 0, "%s: the default-allowed /dev/null (1:3) opens", how);
        if (cg)
                destroy_ok(cg, "devices");

        /* Replacing the rules of a running cgroup: only 1:11 allowed now.
         * On v2 the kmsg open succeeding shows the old program is gone. */
        w = spawn_waiter(open_devices);
        cg = setup("devices2", "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", w.pid, E);
        sl_cg_dev_rule only_kmsg[] = { { true, 'c', 1, 11, SL_CG_DEV_ALL, "test" } };
        char *dir = cg ? dir_of(cg, v1 ? "devices" : NULL) : NULL;
        int rc = !dir ? -1 : v1 ? sl_cg_v1_devices(dir, only_kmsg, 1, E) : sl_cg_v2_devices(dir, only_kmsg, 1, E);
        ok(rc == 0, "%s: rules replaced on a live cgroup: %s", how, err.msg);
        free(dir);
        ok(waiter_run(&w, out), "the device-opening child reports");
        is_int(out[0], 0, "%s: the newly allowed device opens (earlier rules are gone)", how);
        is_int(out[1], EPERM, "%s: /dev/null (1:3) denied by a rule list without it", how);
        if (cg)
                destroy_ok(cg, "devices2");
        remove_devdir();
}

static void test_freeze(void)
{
        sl_error err = { 0 };
        pid_t pid = spawn_burner();
        char *cg = setup("freeze", NULL, pid, E);
        ok(cg != NULL, "setup for the freezer test: %s", err.msg);
        if (!cg) {
                reap(pid);
                return;
        }
        msleep(100);
        bool frozen = false;
        ok(sl_cgroup_freeze(cg, true, E) == 0, "freeze succeeds: %s", err.msg);
        ok(sl_cgroup_is_frozen(cg, &frozen, E) == 0 && frozen, "is_frozen reports frozen");
        char *fdir = dir_of(cg, "freezer");
        if (fdir)
                is_str(cgt_get(fdir, "freezer.state"), "FROZEN", "v1 freezer.state is FROZEN");
        else {
                fdir = dir_of(cg, NULL);
                ok(strstr(cgt_get(fdir, "cgroup.events"), "frozen 1") != NULL, "v2 cgroup.events says frozen 1");
        }
        free(fdir);
        char state = '?';
        unsigned long long u1 = 0, u2 = 0, u3 = 0;
        proc_stat(pid, &state, &u1);
        msleep(300);
        proc_stat(pid, &state, &u2);
        ok(u1 == u2, "a frozen busy loop gets no CPU time (utime %llu then %llu, state %c)", u1, u2, state);
        if (sl_cg_v1(&layout, "freezer"))
                ok(state == 'D', "a v1-frozen task shows state D");
        ok(sl_cgroup_freeze(cg, false, E) == 0, "thaw succeeds: %s", err.msg);
        ok(sl_cgroup_is_frozen(cg, &frozen, E) == 0 && !frozen, "is_frozen reports thawed");
        msleep(300);
        proc_stat(pid, &state, &u3);
        ok(u3 > u2, "the thawed loop runs again (utime %llu → %llu)", u2, u3);
        reap(pid);
        destroy_ok(cg, "freeze");
}

static void test_kill(void)
{
        sl_error err = { 0 };
        pid_t a = spawn_sleeper(), b = spawn_sleeper();
        char *cg = setup("kill", NULL, a, E);
        ok(cg != NULL, "setup for the kill test: %s", err.msg);
        if (!cg) {
                reap(a), reap(b);
                return;
        }
        ok(sl_cgroup_enter(cg, b, E) == 0, "enter moves a second process in: %s", err.msg);
        ok(pid_in(b, cg), "the entered process is in every hierarchy");
        pid_t *pids = NULL;
        size_t n = 0;
        int prc = sl_cgroup_pids(cg, &pids, &n, E);
        ok(prc == 0 && n == 2, "pids lists both (%zu)", n);
        free(pids);
        ok(sl_cgroup_kill_all(cg, SIGTERM, E) == 0, "kill_all SIGTERM (freeze, signal, thaw): %s", err.msg);
        ok(wait_signaled(a, SIGTERM, 3000) && wait_signaled(b, SIGTERM, 3000), "both processes died of SIGTERM");
        bool frozen = true;
        ok(sl_cgroup_is_frozen(cg, &frozen, E) == 0 && !frozen, "kill_all left a running cgroup thawed");

        a = spawn_sleeper(), b = spawn_sleeper();
        sl_cgroup_enter(cg, a, E);
        sl_cgroup_enter(cg, b, E);
        ok(sl_cgroup_freeze(cg, true, E) == 0, "paused before SIGKILL: %s", err.msg);
        ok(sl_cgroup_kill_all(cg, SIGKILL, E) == 0, "kill_all SIGKILL on a paused cgroup: %s", err.msg);
        ok(wait_signaled(a, SIGKILL, 3000) && wait_signaled(b, SIGKILL, 3000), "both paused processes died of SIGKILL");
        sl_cgroup_freeze(cg, false, E);
        destroy_ok(cg, "kill");
}

static void test_destroy_nested(void)
{
        sl_error err = { 0 };
        char *cg = setup("nested", NULL, 0, E);
        ok(cg != NULL, "setup without a pid: %s", err.msg);
        if (!cg)
                return;
        sl_cg c = { 0 };
        sl_cg_layout_load(&c, E);
        sl_cg_resolve_stored(&c, cg, E);
        bool made = true;
        for (size_t i = 0; i < c.n; i++) {
                char sub[4200];
                snprintf(sub, sizeof sub, "%s/inner", c.h[i].dir);
                made = made && mkdir(sub, 0755) == 0;
        }
        sl_cg_free(&c);
        ok(made, "the container made cgroups of its own below its cgroup");
        destroy_ok(cg, "nested");
}

static void test_paths(void)
{
        sl_error err = { 0 };
        char id[64], rel[64];
        snprintf(id, sizeof id, "sl-live-%d", (int)getpid());
        pid_t pid = spawn_sleeper();
        oci_spec *spec = spec_with(NULL, NULL);
        char *cg = NULL;
        ok(sl_cgroup_setup(id, spec, pid, &cg, E) == 0, "setup with no cgroupsPath: %s", err.msg);
        oci_spec_free(spec);
        char want[128];
        snprintf(want, sizeof want, "/sloika/%s", id);
        is_str(cg, want, "the default cgroup is /sloika/<id>");
        if (cg) {
                ok(pid_in(pid, cg), "the process is in /sloika/<id> everywhere");
                reap(pid);
                destroy_ok(cg, "default path");
        } else {
                reap(pid);
        }

        snprintf(rel, sizeof rel, "sl-live-rel-%d", (int)getpid());
        pid = spawn_sleeper();
        spec = spec_with(rel, NULL);
        cg = NULL;
        ok(sl_cgroup_setup("rel", spec, pid, &cg, E) == 0, "setup with a relative cgroupsPath: %s", err.msg);
        oci_spec_free(spec);
        if (cg) {
                diag("relative path stored as %s", cg);
                ok(pid_in(pid, cg), "the process is below the runtime's own cgroup in every hierarchy");
                bool below = true;
                for (size_t i = 0; i < layout.n; i++) {
                        char w2[512];
                        snprintf(w2, sizeof w2, "%s%s%s", layout.h[i].self,
                                 strcmp(layout.h[i].self, "/") == 0 ? "" : "/", rel);
                        char *d = layout.h[i].unified ? dir_of(cg, NULL) : dir_of(cg, layout.h[i].controllers);
                        below = below && d && strstr(d, w2);
                        free(d);
                }
                ok(below, "relative paths resolve against the own cgroup of each hierarchy");
                reap(pid);
                destroy_ok(cg, "relative path");
        } else {
                reap(pid);
        }

        spec = spec_with("system.slice:sloika:x", NULL);
        ok(sl_cgroup_setup("x", spec, 0, &cg, E) < 0 && strstr(err.msg, "cgroup: cgroupsPath") &&
           strstr(err.msg, "systemd"), "systemd cgroupsPath is a clear error: %s", err.msg);
        oci_spec_free(spec);
        spec = spec_with("/../../../etc", NULL);
        ok(sl_cgroup_setup("x", spec, 0, &cg, E) < 0 && strstr(err.msg, "climbs above"),
           "cgroupsPath escaping the hierarchy refused: %s", err.msg);
        oci_spec_free(spec);
}

static void test_failed_setup(void)
{
        sl_error err = { 0 };
        pid_t pid = spawn_sleeper();
        char *cg = setup("broken", "{\"unified\":{\"bogus.file\":\"1\"}}", pid, E);
        ok(cg == NULL && strstr(err.msg, "cgroup: linux.resources.unified"), "a failing resource fails setup: %s", err.msg);
        char stored[128];
        snprintf(stored, sizeof stored, "%s/broken", top);
        ok(gone_everywhere(stored), "a failed setup leaves no cgroup directory");
        char path[64], *text = NULL;
        snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
        ok(sl_read_file(path, &text, NULL, E) == 0 && !strstr(text, "/broken"),
           "the process is not left in the removed cgroup");
        free(text);
        reap(pid);

        if (!sl_cg_v1(&layout, "net_cls")) {
                cg = setup("netcls", "{\"network\":{\"classID\":1048577}}", 0, E);
                ok(!cg && strstr(err.msg, "linux.resources.network.classID: the net_cls controller is not available"),
                   "network.classID without net_cls: %s", err.msg);
                free(cg);
        }
        if (!have("rdma", "rdma")) {
                cg = setup("rdma", "{\"rdma\":{\"mlx5_0\":{\"hcaHandles\":1}}}", 0, E);
                ok(!cg && strstr(err.msg, "linux.resources.rdma: the rdma controller is not available"),
                   "rdma without the controller: %s", err.msg);
                free(cg);
        }
        if (!have("memory", "memory")) {
                cg = setup("nomem", "{\"memory\":{\"limit\":1048576}}", 0, E);
                ok(!cg && strstr(err.msg, "cgroup: linux.resources.memory: the memory controller is not available"),
                   "memory.limit without a memory controller: %s", err.msg);
                free(cg);
                snprintf(stored, sizeof stored, "%s/nomem", top);
                ok(gone_everywhere(stored), "the refused setup left nothing");
        }
}

/* On hybrid hosts like this one hugetlb is not mounted as v1 but is
 * offered by the cgroup2 tree: the limit must land there. */
static void test_hugetlb(void)
{
        bool v1 = sl_cg_v1(&layout, "hugetlb") != NULL;
        if (!have("hugetlb", "hugetlb") || access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) < 0) {
                skip("hugepageLimits", "no hugetlb controller or no 2MB huge pages");
                return;
        }
        sl_error err = { 0 };
        pid_t pid = spawn_sleeper();
        char *cg = setup("huge", "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", pid, E);
        ok(cg != NULL, "setup with hugepageLimits (%s): %s", v1 ? "v1" : "unified tree", err.msg);
        if (!cg) {
                reap(pid);
                return;
        }
        is_str(limit_file(cg, "hugetlb", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.max"), "4194304",
               "hugepageLimits[0] is the 2MB hugetlb limit");
        if (!v1) {
                oci_linux_resources *r = cgt_resources("{\"unified\":{\"hugetlb.2MB.max\":\"2097152\"}}");
                ok(sl_cgroup_update(cg, r, E) == 0, "a unified key updates a cgroup2 file: %s", err.msg);
                oci_linux_resources_free(r);
                is_str(limit_file(cg, NULL, NULL, "hugetlb.2MB.max"), "2097152", "the unified value is in the file");
                if (!have("foo_never", "memory")) {
                        r = cgt_resources("{\"unified\":{\"memory.high\":\"1000000\"}}");
                        ok(sl_cgroup_update(cg, r, E) < 0 &&
                           strstr(err.msg, "linux.resources.unified[\"memory.high\"]: the memory controller is not "
                                           "available in the unified hierarchy"),
                           "a unified key of a controller the tree lacks: %s", err.msg);
                        oci_linux_resources_free(r);
                }
        }
        struct sl_cgroup_stats st;
        int src = sl_cgroup_stats(cg, &st, E);
        size_t k = 0;
        while (k < st.hugetlb_len && strcmp(st.hugetlb[k].page_size, "2MB") != 0)
                k++;
        ok(src == 0 && k < st.hugetlb_len && st.hugetlb[k].usage == 0,
           "stats list the 2MB huge pages in use (none, of %zu sizes)", st.hugetlb_len);
        sl_cgroup_stats_free(&st);
        reap(pid);
        destroy_ok(cg, "huge");
}

static void test_stats(void)
{
        sl_error err = { 0 };
        pid_t pid = spawn_burner();
        char *cg = setup("stats", NULL, pid, E);
        ok(cg != NULL, "setup for the stats test: %s", err.msg);
        if (!cg) {
                reap(pid);
                return;
        }
        msleep(100);
        struct sl_cgroup_stats st;
        ok(sl_cgroup_stats(cg, &st, E) == 0, "stats read: %s", err.msg);
        ok(st.has_cpu && st.cpu_total > 10000000ull && st.cpu_user > 0,
           "stats: a busy process's cpu time is counted (%s; %llu ns, user %llu ns)",
           sl_cg_v1(&layout, "cpuacct") ? "cpuacct" : "cgroup2 cpu.stat", (unsigned long long)st.cpu_total,
           (unsigned long long)st.cpu_user);
        if (have("pids", "pids"))
                ok(st.has_pids && st.pids_current == 1 && st.pids_limit == 0, "stats: one pid, no pids limit");
        sl_cgroup_stats_free(&st);
        reap(pid);
        destroy_ok(cg, "stats");
        ok(sl_cgroup_stats(cg = (char *)"/sloika-test-nonexistent/x", &st, E) < 0 && strstr(err.msg, "does not exist"),
           "stats of a missing cgroup is an error: %s", err.msg);
}

/* Runs as nobody in a child: 1 = no cgroup and success without limits,
 * 2 = a clear permission error with a limit. */
static void test_rootless(void)
{
        int fds[2];
        if (pipe(fds) < 0)
                return;
        pid_t pid = fork();
        if (pid == 0) {
                close(fds[0]);
                int out[2] = { 0, 0 };
                sl_error err = { 0 };
                if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(1);
                char *cg = (char *)"unset";
                oci_spec *spec = spec_with("/sloika-test-rootless", NULL);
                out[0] = sl_cgroup_setup("rl", spec, getpid(), &cg, &err) == 0 && cg == NULL;
                oci_spec_free(spec);
                spec = spec_with("/sloika-test-rootless", "{\"pids\":{\"limit\":5}}");
                out[1] = sl_cgroup_setup("rl", spec, getpid(), &cg, &err) < 0 &&
                         strstr(err.msg, "Permission denied") != NULL;
                oci_spec_free(spec);
                if (write(fds[1], out, sizeof out) != sizeof out)
                        _exit(1);
                _exit(0);
        }
        close(fds[1]);
        int out[2] = { 0, 0 };
        bool got = read(fds[0], out, sizeof out) == sizeof out;
        close(fds[0]);
        waitpid(pid, NULL, 0);
        ok(got && out[0], "rootless without limits runs with no cgroup of its own");
        ok(got && out[1], "rootless with a limit it cannot set fails with a permission error");
        ok(gone_everywhere("/sloika-test-rootless"), "rootless attempts leave nothing");
}

/* rmdir of the per-run top cgroup (and /sloika when this run made it). */
static void remove_top(const char *stored)
{
        sl_cg cg = { 0 };
        sl_error err = { 0 };
        if (sl_cg_layout_load(&cg, E) < 0 || sl_cg_resolve_stored(&cg, stored, E) < 0)
                return;
        for (size_t i = 0; i < cg.n; i++)
                if (rmdir(cg.h[i].dir) < 0 && errno != ENOENT)
                        diag("rmdir %s: %s", cg.h[i].dir, strerror(errno));
        sl_cg_free(&cg);
}

int main(int argc, char **argv)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root\n");
                return 0;
        }
        sl_error err = { 0 };
        if (sl_cg_layout_load(&layout, E) < 0) {
                printf("1..0 # SKIP %s\n", err.msg);
                return 0;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        diag("host mode %s, %zu hierarchies", sl_cg_mode_name(layout.mode), layout.n);
        if (argc > 1)
                is_str(sl_cg_mode_name(layout.mode), argv[1], "the host mode is detected as %s", argv[1]);
        snprintf(top, sizeof top, "/sloika-test-%d", (int)getpid());
        char *sl = dir_of("/sloika", layout.n && layout.h[0].unified ? NULL : layout.h[0].controllers);
        made_sloika = !sl || access(sl, F_OK) < 0;
        free(sl);

        test_limits();
        test_blkio();
        test_pids_fork();
        test_devices();
        test_freeze();
        test_kill();
        test_destroy_nested();
        test_paths();
        test_failed_setup();
        test_hugetlb();
        test_stats();
        test_rootless();

        remove_top(top);
        ok(gone_everywhere(top), "no test cgroup is left behind");
        if (made_sloika)
                remove_top("/sloika");
        sl_cg_free(&layout);
        return tap_done();
}
