/* Container cgroups on cgroup v1, v2 and hybrid hosts (v1 controllers plus
 * a cgroup2 tree at /sys/fs/cgroup/unified).
 *
 * A container's cgroup exists in every mounted hierarchy: each v1 one and
 * the unified tree, so process tracking, freezing and cgroup.kill work on
 * hybrid hosts too. Each linux.resources group goes to the v1 controller
 * when one is mounted, else to the unified tree when the controller is
 * enabled there (on this kind of host hugetlb lives only in cgroup2).
 *
 * cgroup_path is the string sl_cgroup_setup returns (the state stores it):
 * "/a/b" when the container sits at the same path in every hierarchy, or,
 * when a relative cgroupsPath resolved differently per hierarchy,
 * "CONTROLLERS:/path;..." with CONTROLLERS as in /proc/PID/cgroup (empty
 * for the unified tree).
 *
 * Errors start with "cgroup: " and name the field, the file and the cause:
 *   cgroup: linux.resources.memory.limit: write memory.limit_in_bytes: Device or resource busy */
#ifndef SLOIKA_RUNTIME_CGROUP_H
#define SLOIKA_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* Resolves linux.cgroupsPath (default "/sloika/<id>"; relative paths are
 * taken from the runtime's own cgroup, like runc; the systemd
 * "slice:prefix:name" form is refused), creates the cgroup in every
 * hierarchy, applies linux.resources (device rules get the default device
 * allowances and linux.devices appended, as runc does) and moves pid in.
 * On failure nothing it created is left behind. *cgroup_path_out (free
 * it) is what the other functions take. pid <= 0 creates and applies
 * without moving a process in. Run rootless (euid != 0), device rules are
 * left out, and when the hierarchy is not writable and no limit is asked
 * for, it succeeds with *cgroup_path_out NULL: the container has no cgroup
 * of its own (as with runc). */
int sl_cgroup_setup(const char *id, const oci_spec *spec, pid_t pid, char **cgroup_path_out,
                    sl_error *err);

/* The path sl_cgroup_setup would give (what the state stores), making
 * nothing: create saves it before the setup, so that a create killed
 * during the setup leaves a cgroup delete can find. */
int sl_cgroup_path(const char *id, const oci_spec *spec, char **out, sl_error *err);

/* Moves pid into the container's cgroup in every hierarchy (exec). */
int sl_cgroup_enter(const char *cgroup_path, pid_t pid, sl_error *err);

/* Applies r live with the same mapping as setup. Device rules are not
 * changed (runc's update ignores them too). memory.checkBeforeUpdate
 * refuses a limit below the current usage. */
int sl_cgroup_update(const char *cgroup_path, const oci_linux_resources *r, sl_error *err);

/* Freezes (true) or thaws (false) and waits until the kernel reports the
 * new state: v1 freezer.state, else cgroup.freeze + cgroup.events. */
int sl_cgroup_freeze(const char *cgroup_path, bool frozen, sl_error *err);
int sl_cgroup_is_frozen(const char *cgroup_path, bool *frozen, sl_error *err);

/* The pids in the cgroup (cgroup.procs), in kernel order; free *pids. */
int sl_cgroup_pids(const char *cgroup_path, pid_t **pids, size_t *n, sl_error *err);

/* Signals every process: cgroup.kill for SIGKILL where the kernel has it,
 * else freeze, signal each pid, and restore the previous freezer state
 * (a paused cgroup is thawed for SIGKILL so the processes can die). */
int sl_cgroup_kill_all(const char *cgroup_path, int sig, sl_error *err);

/* After a SIGKILL: thaws a cgroup frozen by the v1 freezer, whose tasks
 * cannot die frozen (cgroup2's freezer lets fatal signals through, so it
 * is left as it is there). A cgroup that is not frozen is left alone. */
int sl_cgroup_thaw_for_kill(const char *cgroup_path, sl_error *err);

/* Removes the cgroup (and any cgroups the container made below it) in
 * every hierarchy, retrying while exiting tasks still hold it. Succeeds
 * when it is already gone. Parent directories are left alone. */
int sl_cgroup_destroy(const char *cgroup_path, sl_error *err);

/* A watch for OOM kills in the container's cgroup: an eventfd on v1's
 * memory.oom_control, else inotify on cgroup2's memory.events. Fails with
 * ENOTSUP when neither exists. */
typedef struct sl_cgroup_oom sl_cgroup_oom;
int sl_cgroup_oom_open(const char *cgroup_path, sl_cgroup_oom **out, sl_error *err);
/* The fd to poll for POLLIN. */
int sl_cgroup_oom_fd(const sl_cgroup_oom *w);
/* Once the fd is readable: the number of OOM events since the last call
 * (0 for an unrelated wake-up); *gone is set when the cgroup was removed. */
int sl_cgroup_oom_read(sl_cgroup_oom *w, uint64_t *events, bool *gone, sl_error *err);
void sl_cgroup_oom_close(sl_cgroup_oom *w);

/* One blkio/io accounting line: op is "Read", "Write", "Sync", "Async",
 * "Discard" or "Total", as runc reports them. */
typedef struct sl_cgroup_blkio_entry {
        uint64_t major, minor;
        char op[16];
        uint64_t value;
} sl_cgroup_blkio_entry;

/* A sample for `events --stats`. has_* says whether the controller's
 * numbers could be read. Unlimited limits are reported as the kernel
 * prints them on v1 and as UINT64_MAX for v2's "max". */
struct sl_cgroup_stats {
        bool has_memory;
        uint64_t memory_usage, memory_max_usage, memory_limit, memory_failcnt;
        bool has_swap;     /* v1: memory+swap (memsw); v2: swap alone */
        uint64_t swap_usage, swap_max_usage, swap_limit, swap_failcnt;
        uint64_t memory_cache;     /* v1 memory.stat cache, v2 file */
        /* v1 only: memory.kmem.* and memory.kmem.tcp.* */
        struct sl_cgroup_mem_entry {
                uint64_t usage, max_usage, limit, failcnt;
        } kernel, kernel_tcp;
        char **memory_stat_keys;   /* memory.stat, as runc's "raw" */
        uint64_t *memory_stat_values;
        size_t memory_stat_len;

        bool has_cpu;      /* nanoseconds */
        uint64_t cpu_total, cpu_user, cpu_kernel;
        uint64_t *cpu_percpu;      /* v1 only, like the two below */
        size_t cpu_percpu_len;
        uint64_t *cpu_percpu_user, *cpu_percpu_kernel;
        size_t cpu_percpu_user_len, cpu_percpu_kernel_len;
        uint64_t throttling_periods, throttled_periods, throttled_time;

        /* cpuset.cpus/mems (v2: the effective sets) and v1's flags */
        bool has_cpuset;
        uint16_t *cpuset_cpus, *cpuset_mems;
        size_t cpuset_cpus_len, cpuset_mems_len;
        uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate, memory_spread_page,
                memory_spread_slab, memory_pressure, sched_load_balance;
        int64_t sched_relax_domain_level;

        bool has_pids;
        uint64_t pids_current, pids_limit;   /* limit 0: unlimited */

        struct sl_cgroup_hugetlb_stats {
                char page_size[24]; /* "2MB", as in the control file names */
                uint64_t usage, max_usage, failcnt; /* max_usage: v1 only */
        } *hugetlb;
        size_t hugetlb_len;

        bool has_blkio;
        sl_cgroup_blkio_entry *io_service_bytes;
        size_t io_service_bytes_len;
        sl_cgroup_blkio_entry *io_serviced;
        size_t io_serviced_len;
};

/* Fills *out (zeroed first); free with sl_cgroup_stats_free. The struct
 * has no typedef because the function takes the name. */
int sl_cgroup_stats(const char *cgroup_path, struct sl_cgroup_stats *out, sl_error *err);
void sl_cgroup_stats_free(struct sl_cgroup_stats *s);

#endif
