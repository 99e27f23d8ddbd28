/* NOTIFY_SOCKET (sd_notify), handled as runc does: when the runtime is
 * started with NOTIFY_SOCKET set, the container gets NOTIFY_SOCKET=
 * /run/notify/notify.sock, a socket of the runtime's (the state dir's
 * "notify" dir bind-mounted read-only on /run/notify), and start (or run)
 * relays the container's READY=1 to the real socket, adding MAINPID. */
#ifndef SLOIKA_RUNTIME_NOTIFY_H
#define SLOIKA_RUNTIME_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

#define SL_NOTIFY_DIR "notify"
#define SL_NOTIFY_SOCK "notify.sock"
#define SL_NOTIFY_CONTAINER_DIR "/run/notify"

/* The host socket from the environment, NULL when unset or abstract. */
const char *sl_notify_socket_env(void);

/* Makes <state_dir>/notify and adds its bind mount and NOTIFY_SOCKET to
 * spec. */
int sl_notify_setup_spec(oci_spec *spec, int dirfd, const char *state_dir, const char *host_socket,
                         sl_error *err);

/* Binds <state dir>/notify/notify.sock (replacing a stale one); → fd. */
int sl_notify_bind(int dirfd, sl_error *err);

/* Waits until the container sends READY=1 on sock (or pid is gone, seen
 * through pidfd), then sends it and MAINPID=pid to host_socket. */
int sl_notify_relay(int sock, int pidfd, pid_t pid, const char *host_socket, sl_error *err);

#endif
