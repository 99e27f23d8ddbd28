/* Shared by the cgroup sources: the host's hierarchies, path resolution,
 * cgroup file I/O and the per-version resource writers. */
#ifndef SLOIKA_RUNTIME_CGROUP_INTERNAL_H
#define SLOIKA_RUNTIME_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

#define SL_CG_BASE "/sys/fs/cgroup"

typedef enum { SL_CG_MODE_V1 = 1, SL_CG_MODE_V2, SL_CG_MODE_HYBRID } sl_cg_mode;

typedef struct sl_cg_hier {
        char *mount;       /* where the hierarchy is mounted */
        char *root;        /* the cgroup mounted there (mountinfo root), "/" usually */
        char *controllers; /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
        bool unified;
        char *self;        /* this process's cgroup in it, NULL if not listed */
        char *path;        /* the container's cgroup, once resolved */
        char *dir;         /* its directory */
        bool created;      /* made by this call (so failure removes it) */
} sl_cg_hier;

typedef struct sl_cg {
        sl_cg_mode mode;
        sl_cg_hier *h;
        size_t n;
} sl_cg;

/* --- cgroup-layout.c --- */
/* Parses mountinfo text (mounts under /sys/fs/cgroup, later mounts
 * shadowing earlier ones at or below the same point) and the
 * /proc/PID/cgroup text. */
int sl_cg_layout_parse(const char *mountinfo, const char *self_cgroup, sl_cg *out, sl_error *err);
/* The same from /proc/self. */
int sl_cg_layout_load(sl_cg *out, sl_error *err);
void sl_cg_free(sl_cg *cg);
const char *sl_cg_mode_name(sl_cg_mode mode);
bool sl_cg_controllers_have(const char *controllers, const char *name); /* comma list */
bool sl_cg_list_has(const char *list, char sep, const char *name);
/* The v1 hierarchy holding controller, or NULL. */
sl_cg_hier *sl_cg_v1(const sl_cg *cg, const char *controller);
sl_cg_hier *sl_cg_unified(const sl_cg *cg);

/* Joins path onto base ("/" based) dropping "." and resolving ".."; fails
 * when ".." would climb above the hierarchy root. */
int sl_cg_path_clean(const char *base, const char *path, char **out, sl_error *err);
/* Sets each hierarchy's path and dir from linux.cgroupsPath and returns
 * the string to store (see cgroup.h). */
int sl_cg_resolve_spec(sl_cg *cg, const char *cgroups_path, const char *id, char **stored,
                       sl_error *err);
/* Sets each hierarchy's path and dir from a stored string. */
int sl_cg_resolve_stored(sl_cg *cg, const char *stored, sl_error *err);
/* Layout load + resolve_stored in one step, errors prefixed "cgroup". */
int sl_cg_open(sl_cg *cg, const char *stored, sl_error *err);

/* --- cgroup-file.c --- */
/* Writes value to dir/file in one write(2). field (a JSON path, or NULL)
 * leads the error: "<field>: write <file>: <strerror>"; a missing file
 * reads "<field>: <file>: not supported by this kernel". */
int sl_cg_write(const char *dir, const char *file, const char *value, const char *field,
                sl_error *err);
int sl_cg_writef(const char *dir, const char *file, const char *field, sl_error *err,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool sl_cg_exists(const char *dir, const char *file);
/* Reads dir/file with trailing whitespace removed; free *out. */
int sl_cg_read(const char *dir, const char *file, char **out, sl_error *err);
/* Reads a number; "max" gives UINT64_MAX, "-1" gives UINT64_MAX too. */
int sl_cg_read_u64(const char *dir, const char *file, uint64_t *out, sl_error *err);
/* Value of "key N" in a flat keyed file (cpu.stat, memory.events). */
int sl_cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out,
                     sl_error *err);
/* Creates dir (and missing parents), remembering whether the leaf was
 * made here. */
int sl_cg_mkdirs(const char *dir, bool *created, sl_error *err);

/* memory.checkBeforeUpdate: refuses a new memory.limit below the usage
 * read from usage_file (each cgroup version names it differently). */
int sl_cg_check_before_update(const char *dir, const char *usage_file, const oci_linux_memory *m,
                              sl_error *err);

/* --- cgroup-v1.c / cgroup-v2.c: one writer per linux.resources group ---
 * Each returns 0 when the group is absent or empty. */
typedef int (*sl_cg_writer)(const char *dir, const oci_linux_resources *r, bool update,
                            sl_error *err);
int sl_cg_v1_memory(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_cpu(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_cpuset(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_pids(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_blkio(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_hugetlb(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_net_cls(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v1_net_prio(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_rdma(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
/* Both versions' hugetlb writer; limit is the file suffix ("limit_in_bytes", "max"). */
int sl_cg_hugetlb(const char *dir, const oci_linux_resources *r, const char *limit, sl_error *err);
/* Gives an empty v1 cpuset the parent's cpus and mems (walking up from
 * the hierarchy's mount), since a task cannot join an empty cpuset. */
int sl_cg_v1_cpuset_inherit(const char *mount, const char *dir, sl_error *err);

int sl_cg_v2_memory(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v2_cpu(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v2_cpuset(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v2_pids(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v2_io(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v2_hugetlb(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
int sl_cg_v2_unified(const char *dir, const oci_linux_resources *r, bool update, sl_error *err);
/* Enables in each ancestor's cgroup.subtree_control, from the mount down
 * to dir's parent, every controller the ancestor offers (best effort:
 * an ancestor holding processes cannot delegate). */
void sl_cg_v2_enable_controllers(const char *mount, const char *dir);

/* Conversions shared with the tests. */
uint64_t sl_cg_shares_to_weight(uint64_t shares);        /* cpu.shares → cpu.weight */
uint64_t sl_cg_blkio_to_io_weight(uint64_t weight);      /* blkio 10..1000 → io 1..10000 */
/* Parses "2MB", "1GB", "64KB" into bytes; -1 when malformed. */
int sl_cg_hugepage_size(const char *s, uint64_t *bytes);

/* --- cgroup-stats-cpuset.c --- */
struct sl_cgroup_stats;
/* Fills the cpuset part of a stats sample. */
void sl_cg_cpuset_stats(const sl_cg *cg, struct sl_cgroup_stats *s);
/* Parses a cpu list ("0-3,8") into numbers (free *out); -1 when malformed. */
int sl_cg_parse_cpu_list(const char *list, uint16_t **out, size_t *n);

/* --- cgroup-devices.c --- */
typedef struct sl_cg_dev_rule {
        bool allow;
        char type;           /* 'a', 'c' or 'b' */
        int64_t major, minor; /* -1: any */
        unsigned access;     /* SL_CG_DEV_* bits */
        char origin[48];     /* what errors name: "linux.resources.devices[2]" */
} sl_cg_dev_rule;
#define SL_CG_DEV_MKNOD 1u
#define SL_CG_DEV_READ 2u
#define SL_CG_DEV_WRITE 4u
#define SL_CG_DEV_ALL 7u

/* Parses linux.resources.devices[] (field names the JSON path). */
int sl_cg_dev_rule_parse(const oci_linux_device_cgroup *d, const char *field, sl_cg_dev_rule *out,
                         sl_error *err);
/* The effective rule list for a container: deny everything, then
 * linux.resources.devices, then the devices every container may use
 * (null, zero, full, tty, random, urandom, console, ptmx, pts, tun, mknod
 * of any node), then linux.devices. *n rules in *out (free it). */
int sl_cg_dev_rules(const oci_spec *spec, sl_cg_dev_rule **out, size_t *n, sl_error *err);
/* v1: writes the rules to devices.deny/devices.allow, starting from deny-all. */
int sl_cg_v1_devices(const char *dir, const sl_cg_dev_rule *rules, size_t n, sl_error *err);
/* v2: builds a BPF_PROG_TYPE_CGROUP_DEVICE program for the rules, attaches
 * it to dir (BPF_F_ALLOW_MULTI where the kernel takes it) and detaches
 * the programs attached before. */
int sl_cg_v2_devices(const char *dir, const sl_cg_dev_rule *rules, size_t n, sl_error *err);

struct bpf_insn;
/* The program's instructions (free *out); pure, for the tests. */
int sl_cg_dev_program(const sl_cg_dev_rule *rules, size_t n, struct bpf_insn **out,
                      size_t *len, sl_error *err);

/* --- cgroup-apply.c --- */
/* Whether r asks for any limit (device rules aside). */
bool sl_cg_resources_set(const oci_linux_resources *r);
/* Applies every resource group to the resolved cgroup: v1 controllers
 * where mounted, else the unified tree; devices too when rules != NULL. */
int sl_cg_apply(const sl_cg *cg, const oci_linux_resources *r, const sl_cg_dev_rule *rules,
                size_t nrules, bool update, sl_error *err);

#endif
