/* Logging in runc's shapes, so tools that parse runc's --log output (such
 * as containerd's shim) read sloika's too:
 *   text: time="2026-11-28T09:26:34Z" level=error msg="..."
 *   json: {"level":"error","msg":"...","time":"2026-11-28T09:26:34Z"}
 * Each line is written with one write(2), so concurrent writers to an
 * O_APPEND file do not interleave. errno is preserved across calls. */
#ifndef SLOIKA_COMMON_LOG_H
#define SLOIKA_COMMON_LOG_H

#include <stdbool.h>

#include "common/error.h"

typedef enum { SL_LOG_DEBUG, SL_LOG_INFO, SL_LOG_WARN, SL_LOG_ERROR } sl_log_level;
typedef enum { SL_LOG_TEXT, SL_LOG_JSON } sl_log_format;

/* path NULL logs to stderr; otherwise the file is opened
 * O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC (0640). Replaces any previous
 * destination (the stderr-copy setting is kept). Before any init, logging
 * goes to stderr as text at info. */
int sl_log_init(const char *path, sl_log_format fmt, sl_log_level min, sl_error *err);
/* Closes a log file and returns to the stderr/text/info defaults. */
void sl_log_close(void);
void sl_log_set_level(sl_log_level min);
sl_log_level sl_log_get_level(void);
/* When logging to a file, also copy error lines (as text) to stderr. */
void sl_log_set_stderr_copy(bool on);
/* The fd lines go to (a log file or STDERR_FILENO), e.g. to keep it open
 * across exec for a child that logs too. */
int sl_log_fd(void);

/* "text" / "json"; "debug" / "info" / "warn" or "warning" / "error".
 * Return 0, or -1 with err naming the bad value. */
int sl_log_format_parse(const char *s, sl_log_format *out, sl_error *err);
int sl_log_level_parse(const char *s, sl_log_level *out, sl_error *err);

void sl_log(sl_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define sl_log_debug(...) sl_log(SL_LOG_DEBUG, __VA_ARGS__)
#define sl_log_info(...) sl_log(SL_LOG_INFO, __VA_ARGS__)
#define sl_log_warn(...) sl_log(SL_LOG_WARN, __VA_ARGS__)
#define sl_log_error(...) sl_log(SL_LOG_ERROR, __VA_ARGS__)

#endif
