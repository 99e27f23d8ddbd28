/* The container cgroup's lifecycle: create, apply, enter, update, freeze,
 * list, signal, destroy. The resource mapping is in cgroup-v1.c,
 * cgroup-v2.c and cgroup-devices.c, routed by cgroup-apply.c.
 *
 * Documented skips: settings accepted without effect, each logged, where
 * runc/crun also ignore them and clients send them anyway. Everything
 * else the kernel cannot do is an error naming the field.
 *  - memory.kernel, memory.kernelTCP on cgroup v2 (no such limits), and
 *    on v1 where the kernel has no memory.kmem.* file or refuses it with
 *    EOPNOTSUPP; kernels since 5.16 accept kernel and ignore it (debug log).
 *  - memory.swappiness and memory.disableOOMKiller on cgroup v2, which has
 *    neither (warning); memory.useHierarchy false on v2, always
 *    hierarchical (debug log).
 *  - memory.swap = -1 where swap is not accounted (nothing to lift).
 *  - zero values that runc treats as "unset": cpu.shares, cpu.quota,
 *    cpu.period, cpu.realtime*, blockIO.weight/leafWeight, memory.swap,
 *    and pids.limit on update.
 *  - linux.resources.devices on update (runc's update ignores them too;
 *    the device rules are fixed at create).
 *  - on hybrid hosts the device rules go to the v1 devices controller
 *    only; the unified tree gets no device program.
 *  - rootless (euid != 0): no device rules, and no cgroup at all when the
 *    hierarchy refuses us and no limit is set (runc does the same).
 * Value conventions: pids.limit <= 0 and memory values of -1 mean
 * unlimited; cpu.shares becomes cpu.weight on v2 by the linear map runc
 * uses; blkio weights go to BFQ's files when CFQ's are gone. */
#include "runtime/lib/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup-internal.h"

#define FREEZE_TIMEOUT_MS 5000
#define DESTROY_TIMEOUT_MS 5000

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void cg_cleanup(sl_cg *cg)
{
        sl_cg_free(cg);
}
#define _cleanup_cg_ _cleanup_(cg_cleanup)

/* The directory of this process's own cgroup in h: where a pid goes back
 * to when a failed setup removes what it made. */
static char *self_dir(const sl_cg_hier *h)
{
        const char *self = h->self ? h->self : "/";
        size_t rlen = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);
        if (rlen && strncmp(self, h->root, rlen) != 0)
                return sl_xstrdup(h->mount);
        return sl_xasprintf("%s%s", h->mount, strcmp(self + rlen, "/") == 0 ? "" : self + rlen);
}

static int rmdir_retry(const char *dir, sl_error *err);

/* Undoes a failed setup: moves pid back, removes the directories made. */
static void undo_setup(sl_cg *cg, pid_t pid)
{
        for (size_t i = 0; i < cg->n; i++) {
                sl_cg_hier *h = &cg->h[i];
                if (!h->created)
                        continue;
                if (pid > 0) {
                        _cleanup_free_ char *back = self_dir(h);
                        sl_cg_writef(back, "cgroup.procs", NULL, NULL, "%d", (int)pid);
                }
                sl_error e = { 0 };
                if (rmdir_retry(h->dir, &e) < 0)
                        sl_log_warn("cgroup: cleanup after failed setup: %s", e.msg);
        }
}

static int enter_all(sl_cg *cg, pid_t pid, sl_error *err)
{
        for (size_t i = 0; i < cg->n; i++)
                if (sl_cg_writef(cg->h[i].dir, "cgroup.procs", NULL, err, "%d", (int)pid) < 0)
                        return sl_err_wrap(err, "move pid %d into %s", (int)pid, cg->h[i].dir);
        return 0;
}

static int create_all(sl_cg *cg, sl_error *err)
{
        for (size_t i = 0; i < cg->n; i++) {
                sl_cg_hier *h = &cg->h[i];
                if (h->unified)
                        sl_cg_v2_enable_controllers(h->mount, h->dir);
                if (sl_cg_mkdirs(h->dir, &h->created, err) < 0)
                        return -1;
                if (!h->unified && sl_cg_controllers_have(h->controllers, "cpuset") &&
                    sl_cg_v1_cpuset_inherit(h->mount, h->dir, err) < 0)
                        return -1;
        }
        return 0;
}

int sl_cgroup_setup(const char *id, const oci_spec *spec, pid_t pid, char **cgroup_path_out,
                    sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        _cleanup_free_ char *stored = NULL;
        _cleanup_free_ sl_cg_dev_rule *rules = NULL;
        size_t nrules = 0;
        const oci_linux *lx = spec ? spec->linux : NULL;
        const oci_linux_resources *res = lx ? lx->resources : NULL;
        /* Rootless, like runc: no device rules (the user namespace already
         * keeps devices out), and no cgroup at all when the hierarchy is
         * not writable and no limit was asked for. */
        bool rootless = geteuid() != 0;
        if (sl_cg_layout_load(&cg, err) < 0 ||
            sl_cg_resolve_spec(&cg, lx ? lx->cgroups_path : NULL, id, &stored, err) < 0 ||
            (!rootless && sl_cg_dev_rules(spec, &rules, &nrules, err) < 0))
                return sl_err_wrap(err, "cgroup");
        sl_log_debug("cgroup: %s host, container cgroup %s", sl_cg_mode_name(cg.mode), stored);
        if (create_all(&cg, err) < 0 ||
            sl_cg_apply(&cg, res, rules, nrules, false, err) < 0 ||
            (pid > 0 && enter_all(&cg, pid, err) < 0)) {
                undo_setup(&cg, pid);
                if (rootless && err && !sl_cg_resources_set(res) &&
                    (err->code == EACCES || err->code == EPERM || err->code == EROFS)) {
                        sl_log_debug("cgroup: rootless, running without a cgroup: %s", err->msg);
                        sl_err_clear(err);
                        *cgroup_path_out = NULL;
                        return 0;
                }
                return sl_err_wrap(err, "cgroup");
        }
        *cgroup_path_out = SL_STEAL(stored);
        return 0;
}

int sl_cgroup_path(const char *id, const oci_spec *spec, char **out, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        const oci_linux *lx = spec ? spec->linux : NULL;
        if (sl_cg_layout_load(&cg, err) < 0 ||
            sl_cg_resolve_spec(&cg, lx ? lx->cgroups_path : NULL, id, out, err) < 0)
                return sl_err_wrap(err, "cgroup");
        return 0;
}

int sl_cgroup_enter(const char *cgroup_path, pid_t pid, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        if (enter_all(&cg, pid, err) < 0)
                return sl_err_wrap(err, "cgroup");
        return 0;
}

int sl_cgroup_update(const char *cgroup_path, const oci_linux_resources *r, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        for (size_t i = 0; i < cg.n; i++)
                if (!sl_cg_exists(cg.h[i].dir, "cgroup.procs"))
                        return sl_err(err, ENOENT, "cgroup: %s does not exist", cg.h[i].dir);
        if (r && r->devices_len)
                sl_log_debug("cgroup: update leaves linux.resources.devices unchanged");
        if (sl_cg_apply(&cg, r, NULL, 0, true, err) < 0)
                return sl_err_wrap(err, "cgroup");
        return 0;
}

/* --- freezer --- */

static int freeze_v1(const char *dir, bool frozen, sl_error *err)
{
        const char *want = frozen ? "FROZEN" : "THAWED";
        long deadline = now_ms() + FREEZE_TIMEOUT_MS;
        for (unsigned round = 0;; round++) {
                /* A task in a vfork or an uninterruptible sleep can leave the
                 * cgroup FREEZING; asking again retries those tasks. */
                if (round % 20 == 0 && sl_cg_write(dir, "freezer.state", want, NULL, err) < 0)
                        return -1;
                _cleanup_free_ char *state = NULL;
                if (sl_cg_read(dir, "freezer.state", &state, err) < 0)
                        return -1;
                if (strcmp(state, want) == 0)
                        return 0;
                if (now_ms() > deadline) {
                        if (frozen)
                                sl_cg_write(dir, "freezer.state", "THAWED", NULL, NULL);
                        return sl_err(err, ETIMEDOUT, "freezer.state stayed %s for %d ms (wanted %s)", state,
                                      FREEZE_TIMEOUT_MS, want);
                }
                sleep_ms(round < 10 ? 1 : 10);
        }
}

static int freeze_v2(const char *dir, bool frozen, sl_error *err)
{
        if (sl_cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", NULL, err) < 0)
                return -1;
        long deadline = now_ms() + FREEZE_TIMEOUT_MS;
        for (unsigned round = 0;; round++) {
                uint64_t state = 0;
                if (sl_cg_read_keyed(dir, "cgroup.events", "frozen", &state, err) < 0)
                        return -1;
                if ((state == 1) == frozen)
                        return 0;
                if (now_ms() > deadline) {
                        if (frozen)
                                sl_cg_write(dir, "cgroup.freeze", "0", NULL, NULL);
                        return sl_err(err, ETIMEDOUT, "cgroup.events: not %s after %d ms",
                                      frozen ? "frozen" : "thawed", FREEZE_TIMEOUT_MS);
                }
                sleep_ms(round < 10 ? 1 : 10);
        }
}

/* The v1 freezer where mounted, else cgroup2's cgroup.freeze. */
static int freezer_of(const sl_cg *cg, const char **dir, bool *v1, sl_error *err)
{
        sl_cg_hier *h = sl_cg_v1(cg, "freezer"), *u = sl_cg_unified(cg);
        if (h) {
                *dir = h->dir, *v1 = true;
                return 0;
        }
        if (u && sl_cg_exists(u->dir, "cgroup.freeze")) {
                *dir = u->dir, *v1 = false;
                return 0;
        }
        return sl_err(err, ENOTSUP, "cgroup: no freezer: the v1 freezer controller is not mounted and "
                      "the kernel has no cgroup.freeze");
}

int sl_cgroup_freeze(const char *cgroup_path, bool frozen, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        const char *dir;
        bool v1;
        if (sl_cg_open(&cg, cgroup_path, err) < 0 || freezer_of(&cg, &dir, &v1, err) < 0)
                return -1;
        if ((v1 ? freeze_v1(dir, frozen, err) : freeze_v2(dir, frozen, err)) < 0)
                return sl_err_wrap(err, "cgroup: %s %s", frozen ? "freeze" : "thaw", dir);
        return 0;
}

static int is_frozen(const sl_cg *cg, bool *frozen, sl_error *err)
{
        const char *dir;
        bool v1;
        if (freezer_of(cg, &dir, &v1, err) < 0)
                return -1;
        _cleanup_free_ char *state = NULL;
        if (sl_cg_read(dir, v1 ? "freezer.state" : "cgroup.freeze", &state, err) < 0)
                return sl_err_wrap(err, "cgroup: %s", dir);
        *frozen = v1 ? strcmp(state, "THAWED") != 0 : strcmp(state, "1") == 0;
        return 0;
}

int sl_cgroup_is_frozen(const char *cgroup_path, bool *frozen, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        return is_frozen(&cg, frozen, err);
}

/* --- processes --- */

/* cgroup.procs is the same in every hierarchy the pids entered; the
 * unified one also lists processes of controllers v1 does not mount. */
static const sl_cg_hier *procs_hier(const sl_cg *cg)
{
        const sl_cg_hier *h = sl_cg_unified(cg);
        if (!h)
                h = sl_cg_v1(cg, "freezer");
        if (!h)
                h = sl_cg_v1(cg, "pids");
        return h ? h : (cg->n ? &cg->h[0] : NULL);
}

static int read_pids(const sl_cg *cg, pid_t **pids, size_t *n, sl_error *err)
{
        const sl_cg_hier *h = procs_hier(cg);
        if (!h)
                return sl_err(err, ENOENT, "cgroup: no hierarchy");
        _cleanup_free_ char *procs = NULL;
        if (sl_cg_read(h->dir, "cgroup.procs", &procs, err) < 0)
                return sl_err_wrap(err, "cgroup: %s", h->dir);
        size_t cap = 16, k = 0;
        pid_t *out = sl_xmalloc(cap * sizeof *out);
        for (char *p = procs, *end; *p; p = end) {
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                if (k == cap)
                        out = sl_xrealloc(out, (cap *= 2) * sizeof *out);
                out[k++] = (pid_t)v;
        }
        *pids = out;
        *n = k;
        return 0;
}

int sl_cgroup_pids(const char *cgroup_path, pid_t **pids, size_t *n, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        return read_pids(&cg, pids, n, err);
}

int sl_cgroup_kill_all(const char *cgroup_path, int sig, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        sl_cg_hier *u = sl_cg_unified(&cg), *v1freezer = sl_cg_v1(&cg, "freezer");
        if (sig == SIGKILL && u && sl_cg_exists(u->dir, "cgroup.kill")) {
                if (sl_cg_write(u->dir, "cgroup.kill", "1", NULL, err) < 0)
                        return sl_err_wrap(err, "cgroup: kill %s", u->dir);
                /* Tasks frozen by the v1 freezer die only once thawed. */
                bool frozen = false;
                if (v1freezer && is_frozen(&cg, &frozen, err) == 0 && frozen)
                        return sl_cgroup_freeze(cgroup_path, false, err);
                return 0;
        }
        /* Frozen, the processes cannot fork new ones we would miss. */
        bool was_frozen = false, froze = false;
        sl_error ferr = { 0 };
        if (is_frozen(&cg, &was_frozen, &ferr) == 0 && !was_frozen)
                froze = sl_cgroup_freeze(cgroup_path, true, &ferr) == 0;
        if (ferr.msg[0])
                sl_log_debug("cgroup: kill without freezing: %s", ferr.msg);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = read_pids(&cg, &pids, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (kill(pids[i], sig) < 0 && errno != ESRCH) {
                        r = sl_err_sys(err, errno, "cgroup: kill pid %d with signal %d", (int)pids[i], sig);
                        break;
                }
        }
        /* A frozen task handles its signal (or dies) only once thawed. */
        if (froze || (was_frozen && sig == SIGKILL)) {
                sl_error terr = { 0 };
                if (sl_cgroup_freeze(cgroup_path, false, &terr) < 0 && r == 0)
                        r = sl_err(err, terr.code, "%s", terr.msg);
        }
        return r;
}

int sl_cgroup_thaw_for_kill(const char *cgroup_path, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        const sl_cg_hier *h = sl_cg_v1(&cg, "freezer");
        _cleanup_free_ char *state = NULL;
        if (!h || sl_cg_read(h->dir, "freezer.state", &state, NULL) < 0 || strcmp(state, "THAWED") == 0)
                return 0;
        if (freeze_v1(h->dir, false, err) < 0)
                return sl_err_wrap(err, "cgroup: thaw %s", h->dir);
        return 0;
}

/* --- destroy --- */

static int rmdir_retry(const char *dir, sl_error *err)
{
        long deadline = now_ms() + DESTROY_TIMEOUT_MS;
        for (long wait = 1;; wait = wait < 100 ? wait * 2 : 100) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                /* EBUSY while exiting tasks are still being reaped. */
                if (errno != EBUSY || now_ms() > deadline) {
                        int saved = errno;
                        _cleanup_free_ char *procs = NULL;
                        sl_cg_read(dir, "cgroup.procs", &procs, NULL);
                        for (char *p = procs; p && *p; p++)
                                if (*p == '\n')
                                        *p = ' ';
                        return sl_err_sys(err, saved, "rmdir %s%s%s%s", dir, procs && *procs ? " (holding pids " : "",
                                          procs && *procs ? procs : "", procs && *procs ? ")" : "");
                }
                sleep_ms(wait);
        }
}

/* The container may have made cgroups of its own below its cgroup; a
 * cgroup with children refuses rmdir with EBUSY. */
static int remove_tree(const char *dir, sl_error *err)
{
        if (rmdir(dir) == 0 || errno == ENOENT)
                return 0;
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : sl_err_sys(err, errno, "open %s", dir);
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = sl_xasprintf("%s/%s", dir, e->d_name);
                if (remove_tree(sub, err) < 0)
                        return -1;
        }
        return rmdir_retry(dir, err);
}

int sl_cgroup_destroy(const char *cgroup_path, sl_error *err)
{
        _cleanup_cg_ sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        int r = 0;
        for (size_t i = 0; i < cg.n; i++) {
                sl_error e = { 0 };
                if (remove_tree(cg.h[i].dir, &e) < 0 && r == 0)
                        r = sl_err(err, e.code, "cgroup: %s", e.msg); /* keep going: remove the rest */
        }
        return r;
}
