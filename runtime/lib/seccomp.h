/* linux.seccomp → a libseccomp filter loaded into the calling process.
 *
 * Where the container init calls it (the order matters):
 *  - The filter is built with libseccomp's NO_NEW_PRIVS attribute off, so
 *    process.noNewPrivileges stays the config's choice.  Without NNP the
 *    kernel demands CAP_SYS_ADMIN to load a filter, so: if noNewPrivileges
 *    is true, set PR_SET_NO_NEW_PRIVS and load the filter last, right before
 *    execve (fewest syscalls run under it); otherwise load it before
 *    sl_caps_apply drops CAP_SYS_ADMIN.
 *  - With SCMP_ACT_NOTIFY the init gets a listener fd.  listenerPath is a
 *    host path the init cannot reach after pivot_root, so the init passes
 *    the fd to the runtime (SCM_RIGHTS over its sync socket; see
 *    sl_unix_send_fd in terminal.h) and the runtime calls
 *    sl_seccomp_send_notify_fd.  Syscalls the init still makes after the
 *    load (sendmsg, close, execve) must not be SCMP_ACT_NOTIFY, or the init
 *    waits on a listener that does not exist yet; a NOTIFY defaultAction is
 *    rejected for that reason. */
#ifndef SLOIKA_RUNTIME_SECCOMP_H
#define SLOIKA_RUNTIME_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* Validates and loads the filter.  *notify_fd_out receives the listener fd
 * (O_CLOEXEC) when an action is SCMP_ACT_NOTIFY, else -1.  Errors name the
 * field: `seccomp: linux.seccomp.syscalls[3].action: unknown action "X"`. */
int sl_seccomp_load(const oci_linux_seccomp *sc, int *notify_fd_out, sl_error *err);

/* Validates and builds the filter like sl_seccomp_load, and writes its
 * BPF program (struct sock_filter[]) to fd instead of loading it; for
 * callers that cache it. A filter with SCMP_ACT_NOTIFY needs the load. */
int sl_seccomp_export_bpf(const oci_linux_seccomp *sc, int fd, sl_error *err);

/* Connects to sc->listener_path and sends the runtime-spec
 * "containerProcessState" JSON (ociVersion, fds ["seccompFd"], pid,
 * metadata = listenerMetadata, state = state_json verbatim) with notify_fd
 * attached through SCM_RIGHTS.  pid and ociVersion come from state_json. */
int sl_seccomp_send_notify_fd(const oci_linux_seccomp *sc, int notify_fd,
                              const char *state_json, sl_error *err);

/* Builds the containerProcessState JSON that sl_seccomp_send_notify_fd
 * sends; exposed so it can be checked on its own.  *out is malloc'd. */
int sl_seccomp_container_process_state(const char *metadata, const char *state_json,
                                       char **out, sl_error *err);

/* True when defaultAction or a syscall rule is SCMP_ACT_NOTIFY, i.e. the
 * runtime must expect a listener fd and send it to listenerPath. */
bool sl_seccomp_spec_uses_notify(const oci_linux_seccomp *sc);

/* What `sloika features` reports under linux.seccomp.  The arrays are
 * static; supported_flags is what both libseccomp and the kernel handle. */
typedef struct sl_seccomp_feature_list {
        bool enabled;
        const char *const *actions;     size_t n_actions;
        const char *const *operators;   size_t n_operators;
        const char *const *archs;       size_t n_archs;
        const char *const *known_flags; size_t n_known_flags;
        const char *supported_flags[8]; size_t n_supported_flags;
} sl_seccomp_feature_list;

void sl_seccomp_features(sl_seccomp_feature_list *out);

#endif
