/* Moving a process between cgroups (writing cgroup.procs) waits for an RCU
 * grace period unless a migration happened moments before: on this kind
 * of host that is most of a container's start-up time. A throw-away child
 * forked first thing makes such a migration, so the grace period runs
 * while the runtime parses the config and clones the init, and the
 * runtime's own cgroup.procs write later finds it (nearly) passed. */
#ifndef SLOIKA_RUNTIME_PRIME_H
#define SLOIKA_RUNTIME_PRIME_H

#include <sys/types.h>

/* Forks the helper; returns its pid (-1 if it could not be forked). The
 * helper only moves itself to the root of a cgroup hierarchy and exits. */
pid_t sl_prime_cgroup_migration(void);

#endif
