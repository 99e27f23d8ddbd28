/* Checks and conversions of literal instruction values (ports, signals,
 * durations, modes, sizes). Each returns 0, or -1 with a message that
 * names the value and says what was expected (no position: callers add it). */
#ifndef SLOIKA_BUILDER_DF_VALUES_H
#define SLOIKA_BUILDER_DF_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* "80", "80/tcp", "8000-8010/udp"; proto is "tcp" when absent (lowercased). */
int sl_df_parse_port(const char *s, uint16_t *first, uint16_t *last, char proto[8], sl_error *err);
/* "SIGTERM", "TERM", "15", "SIGRTMIN+3" → signal number. */
int sl_df_parse_signal(const char *s, int *signo, sl_error *err);
/* Go duration syntax ("30s", "1m30s", "1.5h", "0") → nanoseconds. */
int sl_df_parse_duration(const char *s, int64_t *ns, sl_error *err);
/* An octal mode such as "755" or "0644" (at most 07777). */
int sl_df_parse_mode(const char *s, uint32_t *mode, sl_error *err);
/* A byte size such as "64m", "1g", "512k", "1024" (binary multiples). */
int sl_df_parse_size(const char *s, uint64_t *bytes, sl_error *err);
int sl_df_parse_uint32(const char *s, uint32_t *v, sl_error *err);
/* "true"/"false" in any case. */
int sl_df_parse_bool(const char *s, bool *v, sl_error *err);

/* Whether s still holds a variable reference to expand later. */
bool sl_df_has_var(const char *s);

#endif
