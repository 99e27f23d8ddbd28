/* Signal names as kill(1) and runc take them, and the forwarding a
 * foreground `run` does to its container. */
#ifndef SLOIKA_RUNTIME_SIGNALS_H
#define SLOIKA_RUNTIME_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

/* "KILL", "SIGKILL", "sigkill", "9", "RTMIN+3" → the number. */
int sl_signal_parse(const char *s, sl_error *err);

/* Forwards the signals a terminal or a manager sends (HUP, INT, QUIT,
 * TERM, USR1, USR2, WINCH, CONT, ALRM, PIPE) to pid until reset. */
int sl_signals_forward_to(pid_t pid, sl_error *err);
void sl_signals_reset(void);

/* Whether pid neither catches, ignores nor blocks sig: the kernel drops
 * such a signal (KILL and STOP aside) when pid is the init of a pid
 * namespace signalled from outside. False when pid is gone. */
bool sl_signal_unhandled(pid_t pid, int sig);

/* Sends sig to every pid listed in any visible hierarchy's
 * /sys/fs/cgroup/<h>/<cgroup_path>/cgroup.procs, skipping hierarchies this
 * mount namespace lacks; returns how many were signalled. The fallback when
 * the cgroup view differs from the one create had. */
int sl_signal_cgroup_procs(const char *cgroup_path, int sig);

#endif
