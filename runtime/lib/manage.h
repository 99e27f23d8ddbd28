/* The management commands' library side: ps, pause, resume, update and
 * stats over a container's state and cgroup. Errors use runc's wording
 * where clients match on it: "container not running", "container not
 * paused", `container "ID" does not exist`. */
#ifndef SLOIKA_RUNTIME_MANAGE_H
#define SLOIKA_RUNTIME_MANAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/cgroup.h"
#include "runtime/lib/state.h"

/* A loaded container: its state, derived status and cgroup. */
typedef struct sl_managed {
        sl_state_container *st;
        sl_status status;
} sl_managed;

/* Loads <root>/<id>; a missing root or container reads
 * `container "ID" does not exist` (ENOENT). */
int sl_manage_open(const char *root, const char *id, sl_managed *m, sl_error *err);
void sl_manage_close(sl_managed *m);

/* The container's processes (host pids); none once it has stopped. */
int sl_manage_pids(const char *root, const char *id, pid_t **pids, size_t *n, sl_error *err);

/* Freezes a created or running container; thaws a paused one. */
int sl_manage_pause(const char *root, const char *id, sl_error *err);
int sl_manage_resume(const char *root, const char *id, sl_error *err);

/* Applies r to a live (created, running or paused) container's cgroup. */
int sl_manage_update(const char *root, const char *id, const oci_linux_resources *r,
                     sl_error *err);

/* The cgroup path of a live container (for stats and OOM
 * watching); fails with "container with id ID is not running" as runc
 * does once it has stopped. Free *cgroup_path. */
int sl_manage_live_cgroup(const char *root, const char *id, char **cgroup_path, sl_error *err);

/* Whether the container's init is still alive (false once the state is
 * gone as well). */
bool sl_manage_alive(const char *root, const char *id);

#endif
