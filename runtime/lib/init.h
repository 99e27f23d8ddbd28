/* The container's init: the process the runtime clones into the new
 * namespaces. It sets itself up as config.json asks, reports READY, waits
 * for start (the exec fifo, or a START message for `run`) and execs the
 * user program. It is a copy of the runtime (no exec in between), so it
 * reads the parsed config from memory. */
#ifndef SLOIKA_RUNTIME_INIT_H
#define SLOIKA_RUNTIME_INIT_H

#include <stdbool.h>

#include "oci-specs/runtime-spec.h"
#include "runtime/lib/namespaces.h"
#include "runtime/lib/state.h"

typedef struct sl_init_ctx {
        const oci_spec *spec;
        sl_ns_plan *plan;
        sl_state_container *state;  /* pid filled in from SL_SYNC_GO */
        const char *rootfs;         /* absolute host path */
        int sync_fd;                /* the init's end */
        int fifo_fd;                /* exec.fifo's read end (create), -1 for run */
        int console_fd;             /* connected --console-socket, or -1 */
        int listen_fds;             /* LISTEN_FDS handed down */
        int preserve_fds;
        bool no_pivot;
        bool no_new_keyring;
        bool joined_already;        /* an intermediate process did the setns */
} sl_init_ctx;

/* Never returns: execs the user program or exits non-zero after reporting
 * the error to the runtime (or to stderr once the runtime stopped
 * listening). */
__attribute__((noreturn)) void sl_init_main(sl_init_ctx *ctx);

/* Whether the init stops to let the runtime run prestart/createRuntime
 * hooks; both sides decide it from the config alone. */
bool sl_init_has_runtime_hooks(const oci_spec *spec);

/* Whether the runtime builds idmapped bind mounts for the init (which, in
 * the container's user namespace, cannot) and sends them after
 * SL_SYNC_GO: one SCM_RIGHTS message per mounts[] entry that
 * sl_mount_is_prepared (mounts.h) picks, in order, its payload the index
 * in decimal. */
bool sl_init_gets_mount_fds(const oci_spec *spec, const sl_ns_plan *plan);

#endif
