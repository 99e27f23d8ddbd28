/* process.terminal: a pty whose master goes to --console-socket.
 *
 * The pty is opened through "/dev/ptmx" of the calling process's root, so
 * the init calls sl_terminal_open after pivot_root: the pair then belongs to
 * the container's own devpts, the slave shows up as /dev/pts/N inside the
 * container (ttyname(0) and `tty` work there, ownership follows the
 * container's user namespace), and the host still drives the master,
 * because an fd passed by SCM_RIGHTS works whatever mount namespace it came
 * from.  Opening the host's ptmx instead would leave the container with a
 * tty that has no name inside it.  The slave is reached with TIOCGPTPEER,
 * not by path, so a /dev/pts entry planted in the rootfs cannot redirect it.
 *
 * --console-socket is a host path; connect it with sl_unix_connect before
 * pivot_root and send later with sl_terminal_send_fd (sl_terminal_send does
 * both when the path is still reachable).
 *
 * Order in the init: sl_terminal_open → sl_terminal_send_fd (then close the
 * master) → sl_terminal_attach. */
#ifndef SLOIKA_RUNTIME_TERMINAL_H
#define SLOIKA_RUNTIME_TERMINAL_H

#include <stddef.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* Opens a pty pair (both O_CLOEXEC, the slave O_NOCTTY).  Its termios stay
 * the kernel's defaults (ONLCR on), as runc's init leaves them: the console
 * socket's consumer decides. */
int sl_terminal_open(int *master, int *slave, sl_error *err);

/* Turns off "\n" → "\r\n" output translation; what runc's foreground
 * `run`/`exec` does to the master it receives before relaying it. */
int sl_terminal_clear_onlcr(int fd, sl_error *err);

/* Sends the master over the connected unix socket sock; the message payload
 * is the slave's name ("/dev/pts/N"), as runc sends the pty's name. */
int sl_terminal_send_fd(int sock, int master, sl_error *err);
int sl_terminal_send(const char *console_socket, int master, sl_error *err);

/* In the process that will exec the user program: new session, slave as
 * controlling terminal, size = consoleSize (NULL: leave it), slave on fds
 * 0, 1 and 2; the slave fd itself is closed unless it is one of them. */
int sl_terminal_attach(int slave, const oci_box *size, sl_error *err);

/* SCM_RIGHTS helpers on unix stream sockets, shared with seccomp notify and
 * usable for the init→runtime fd hand-over. */
int sl_unix_connect(const char *path, sl_error *err);                 /* → fd, O_CLOEXEC */
/* The receiving side (test agents, console-socket consumers): a listening
 * socket bound at path, O_CLOEXEC. */
int sl_unix_listen(const char *path, sl_error *err);
int sl_unix_send_fd(int sock, int fd, const void *payload, size_t len, sl_error *err);
/* Receives up to cap-1 payload bytes (NUL-terminated into buf) and one fd
 * (O_CLOEXEC, -1 when none came); returns the payload length. */
int sl_unix_recv_fd(int sock, int *fd_out, char *buf, size_t cap, sl_error *err);

#endif
