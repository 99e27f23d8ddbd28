/* `events`: one stats sample, or a stream of samples and OOM events. */
#ifndef SLOIKA_RUNTIME_EVENTS_H
#define SLOIKA_RUNTIME_EVENTS_H

#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

/* Go's duration syntax, as runc's --interval takes it: a sequence of
 * decimal numbers with units ns, us (or µs), ms, s, m, h ("5s", "500ms",
 * "1m30s", "1.5s"). Must be positive. */
int sl_events_parse_interval(const char *s, uint64_t *ns, sl_error *err);

/* One stats line (no newline) for a live container. */
int sl_events_stats(const char *root, const char *id, char **json, sl_error *err);

/* Writes a stats line to out right away and then every interval_ns, and an
 * oom line for each OOM kill, until the container stops. */
int sl_events_stream(const char *root, const char *id, uint64_t interval_ns, FILE *out,
                     sl_error *err);

#endif
