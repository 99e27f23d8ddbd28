/* `exec --tty` without --console-socket, in the foreground (what runc
 * does then): the runtime keeps the pty master the process sent it and
 * relays between it and its own stdin/stdout, with its terminal (when
 * stdin is one) in raw mode and window size changes passed on. */
#ifndef SLOIKA_RUNTIME_EXEC_TTY_H
#define SLOIKA_RUNTIME_EXEC_TTY_H

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

typedef struct sl_exec_tty {
        struct termios saved;
        bool raw;                /* our terminal is raw: restore it */
} sl_exec_tty;

/* Before the fork: the process's consoleSize becomes our terminal's size
 * (so the program sees it from its first instruction), and our terminal
 * goes raw so nothing typed is echoed twice. No terminal: nothing. */
void sl_exec_tty_prepare(sl_exec_tty *t, oci_process *p);

/* Relays until child exits, then drains what it wrote and sets *status
 * (a wait status). */
int sl_exec_tty_relay(int master, pid_t child, int *status, sl_error *err);

/* Puts our terminal back as it was; safe to call more than once. */
void sl_exec_tty_restore(sl_exec_tty *t);

#endif
