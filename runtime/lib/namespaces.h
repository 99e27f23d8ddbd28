/* linux.namespaces: which namespaces the init gets new (clone flags) and
 * which it joins by path, plus the id maps and time offsets the runtime
 * writes for them. */
#ifndef SLOIKA_RUNTIME_NAMESPACES_H
#define SLOIKA_RUNTIME_NAMESPACES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

#define SL_NS_MAX 8

typedef struct sl_ns_join {
        int flag;               /* CLONE_NEW* */
        const char *type;       /* "network" ... */
        const char *path;
        size_t index;           /* in linux.namespaces[] */
        int fd;                 /* opened by sl_ns_open_joins, -1 before */
} sl_ns_join;

typedef struct sl_ns_plan {
        /* New namespaces, cgroup and time excluded: the cgroup namespace is
         * unshared by the init once the runtime has moved it into its
         * cgroup, and a time namespace needs its offsets written before any
         * process enters it. */
        unsigned long clone_flags;
        bool new_user, new_pid, new_mount, new_uts, new_cgroup, new_time;
        bool join_user;
        /* The container has a mount / UTS namespace of its own, new or
         * joined (not the runtime's). */
        bool own_mount, own_uts;
        sl_ns_join join[SL_NS_MAX];
        size_t n_join;
} sl_ns_plan;

/* Reads linux.namespaces; duplicates, unknown types and mappings without a
 * user namespace are errors naming the entry. */
int sl_ns_plan_from_spec(const oci_spec *spec, sl_ns_plan *plan, sl_error *err);

/* Whether the init must come from an intermediate process (that joins
 * namespaces or makes a time namespace before cloning the init): pid and
 * time namespaces only apply to children, and after entering a new user
 * namespace host-owned namespaces can no longer be joined. */
bool sl_ns_needs_intermediate(const sl_ns_plan *plan);

/* Opens every path to join (in the runtime's mount namespace, so before
 * any setns). */
int sl_ns_open_joins(sl_ns_plan *plan, sl_error *err);
/* setns into each opened namespace, the user namespace last (from the
 * host's user namespace every other one can be joined), and closes them. */
int sl_ns_join_all(sl_ns_plan *plan, sl_error *err);
void sl_ns_close_joins(sl_ns_plan *plan);

/* Writes linux.uidMappings / gidMappings of the user namespace of pid. */
int sl_ns_write_id_maps(pid_t pid, const oci_linux *l, sl_error *err);

/* The namespaces of pid the caller is not in already, as CLONE_NEW*
 * flags, from /proc/PID/ns: what exec joins (setns refuses to re-enter
 * one's own user namespace). No time namespace on the kernel is fine. */
int sl_ns_differing(pid_t pid, int *flags, sl_error *err);

/* unshare(CLONE_NEWTIME) and write linux.timeOffsets for the children. */
int sl_ns_new_time(const oci_linux *l, sl_error *err);

#endif
