/* `ps`'s helpers: run the host's ps and keep the container's lines. */
#ifndef SLOIKA_RUNTIME_MANAGE_PS_H
#define SLOIKA_RUNTIME_MANAGE_PS_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Runs ps with args (argv without "ps"; NULL or empty: "-ef") and returns
 * its output (stdout and stderr, as runc reads them). A failing ps is an
 * error carrying its output. */
int sl_ps_run(char *const *args, char **out, sl_error *err);

/* Keeps the header line of ps output and the lines whose PID column (found
 * by name in the header) holds one of pids. Fails with runc's "couldn't
 * find PID field in ps output" when the header has no PID column. */
int sl_ps_filter(const char *output, const pid_t *pids, size_t n, char **filtered,
                 sl_error *err);

#endif
