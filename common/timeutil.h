/* RFC 3339 timestamps in UTC, the form OCI state and runc's logs use. */
#ifndef SLOIKA_COMMON_TIMEUTIL_H
#define SLOIKA_COMMON_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* "2026-11-28T09:26:34.123456789Z" plus NUL fits. */
#define SL_TIME_STR_MAX 40

/* Formats ts as "YYYY-MM-DDTHH:MM:SSZ", or with nanos as
 * "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (always nine digits). Returns the length,
 * or -1 if the year does not fit the format. */
int sl_time_format_rfc3339(const struct timespec *ts, bool nanos, char buf[SL_TIME_STR_MAX]);
/* The current CLOCK_REALTIME time in that form. */
int sl_time_now_rfc3339(bool nanos, char buf[SL_TIME_STR_MAX]);

#endif
