/* What the runtime side of exec (exec.c) hands its child (exec-child.c). */
#ifndef SLOIKA_RUNTIME_EXEC_INTERNAL_H
#define SLOIKA_RUNTIME_EXEC_INTERNAL_H

#include <sys/types.h>

#include "oci-specs/runtime-spec.h"
#include "runtime/lib/exec-seccomp.h"
#include "runtime/lib/exec-tty.h"
#include "runtime/lib/exec.h"
#include "runtime/lib/state.h"

/* Everything one exec holds; the runtime side and the child share it. */
typedef struct sl_exec_run {
        const sl_exec_opts *o;
        sl_state_container *st;
        oci_spec *spec;
        oci_process *proc;
        char *cgroup;           /* where the process goes, NULL: no cgroup */
        sl_exec_bpf bpf;        /* the container's seccomp filter, compiled */
        int ns_flags;           /* namespaces of the init that differ from ours */
        int listen_fds;         /* LISTEN_FDS meant for us, passed on */
        int state_root, state_dir, pidfd, rootfd, console_fd, sync_fd;
        int relay_fd;           /* --tty without --console-socket: where the master comes */
        sl_exec_tty tty;        /* our own terminal then */
        pid_t child;
} sl_exec_run;

/* In the forked child: enters the container (cgroup, namespaces, root)
 * and execs the process; on failure sends the error over sync_fd and
 * exits 255. */
__attribute__((noreturn)) void sl_exec_child_main(sl_exec_run *x, int sync_fd);

#endif
