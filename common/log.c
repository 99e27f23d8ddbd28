#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "common/fileio.h"
#include "common/timeutil.h"

/* Messages longer than this are cut; log lines are not a data channel. */
#define MSG_MAX 4096
/* Worst case of escaping: every byte becomes \xNN or \u00NN. */
#define LINE_MAX_ (6 * MSG_MAX + 128)

static struct {
        int fd;               /* -1: stderr */
        sl_log_format fmt;
        sl_log_level min;
        bool stderr_copy;
        yajl_gen gen;         /* reused across lines so JSON costs no allocation each */
} L = { .fd = -1, .fmt = SL_LOG_TEXT, .min = SL_LOG_INFO };

/* logrus's level names, which runc writes. */
static const char *const level_names[] = { "debug", "info", "warning", "error" };

int sl_log_init(const char *path, sl_log_format fmt, sl_log_level min, sl_error *err)
{
        int fd = -1;
        if (path != NULL) {
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
                if (fd < 0)
                        return sl_err_sys(err, errno, "open log file %s", path);
        }
        bool copy = L.stderr_copy;
        sl_log_close();
        L.stderr_copy = copy;
        L.fd = fd;
        L.fmt = fmt;
        L.min = min;
        return 0;
}

void sl_log_close(void)
{
        if (L.fd >= 0)
                close(L.fd);
        if (L.gen)
                yajl_gen_free(L.gen);
        L.fd = -1;
        L.gen = NULL;
        L.fmt = SL_LOG_TEXT;
        L.min = SL_LOG_INFO;
        L.stderr_copy = false;
}

void sl_log_set_level(sl_log_level min) { L.min = min; }
sl_log_level sl_log_get_level(void) { return L.min; }
void sl_log_set_stderr_copy(bool on) { L.stderr_copy = on; }
int sl_log_fd(void) { return L.fd >= 0 ? L.fd : STDERR_FILENO; }

int sl_log_format_parse(const char *s, sl_log_format *out, sl_error *err)
{
        if (strcmp(s, "text") == 0)
                *out = SL_LOG_TEXT;
        else if (strcmp(s, "json") == 0)
                *out = SL_LOG_JSON;
        else
                return sl_err(err, EINVAL, "invalid log format \"%s\" (want text or json)", s);
        return 0;
}

int sl_log_level_parse(const char *s, sl_log_level *out, sl_error *err)
{
        if (strcmp(s, "debug") == 0)
                *out = SL_LOG_DEBUG;
        else if (strcmp(s, "info") == 0)
                *out = SL_LOG_INFO;
        else if (strcmp(s, "warn") == 0 || strcmp(s, "warning") == 0)
                *out = SL_LOG_WARN;
        else if (strcmp(s, "error") == 0)
                *out = SL_LOG_ERROR;
        else
                return sl_err(err, EINVAL, "invalid log level \"%s\" (want debug, info, warn or error)", s);
        return 0;
}

/* Quotes msg the way Go's %q does, which logrus uses for text values. */
static size_t quote_text(char *out, const char *msg, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;
        out[o++] = '"';
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)msg[i];
                switch (c) {
                case '"': out[o++] = '\\'; out[o++] = '"'; break;
                case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
                case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
                case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
                case '\t': out[o++] = '\\'; out[o++] = 't'; break;
                default:
                        if (c < 0x20 || c == 0x7f) {
                                out[o++] = '\\';
                                out[o++] = 'x';
                                out[o++] = hex[c >> 4];
                                out[o++] = hex[c & 15];
                        } else {
                                out[o++] = (char)c;
                        }
                }
        }
        out[o++] = '"';
        return o;
}

static size_t format_text(char *line, const char *ts, sl_log_level level, const char *msg, size_t len)
{
        size_t n = (size_t)snprintf(line, LINE_MAX_, "time=\"%s\" level=%s msg=", ts, level_names[level]);
        n += quote_text(line + n, msg, len);
        line[n++] = '\n';
        return n;
}

static size_t format_json(char *line, const char *ts, sl_log_level level, const char *msg, size_t len)
{
        if (L.gen == NULL) {
                L.gen = yajl_gen_alloc(NULL);
                if (L.gen == NULL)
                        return 0;
        }
        yajl_gen g = L.gen;
        yajl_gen_clear(g);
        yajl_gen_reset(g, NULL);
#define KEY(k) yajl_gen_string(g, (const unsigned char *)(k), sizeof(k) - 1)
        yajl_gen_map_open(g);
        KEY("level");
        yajl_gen_string(g, (const unsigned char *)level_names[level], strlen(level_names[level]));
        KEY("msg");
        yajl_gen_string(g, (const unsigned char *)msg, len);
        KEY("time");
        yajl_gen_string(g, (const unsigned char *)ts, strlen(ts));
        yajl_gen_map_close(g);
#undef KEY
        const unsigned char *buf;
        size_t blen;
        if (yajl_gen_get_buf(g, &buf, &blen) != yajl_gen_status_ok || blen + 1 > LINE_MAX_)
                return 0;
        memcpy(line, buf, blen);
        line[blen++] = '\n';
        return blen;
}

void sl_log(sl_log_level level, const char *fmt, ...)
{
        if (level < L.min || level > SL_LOG_ERROR)
                return;
        int saved_errno = errno;
        char msg[MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        size_t len = m < 0 ? 0 : (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;

        char ts[SL_TIME_STR_MAX];
        sl_time_now_rfc3339(false, ts);
        char line[LINE_MAX_];
        size_t n = L.fmt == SL_LOG_JSON ? format_json(line, ts, level, msg, len)
                                        : format_text(line, ts, level, msg, len);
        if (n > 0)
                (void)sl_write_all(sl_log_fd(), line, n);
        if (L.stderr_copy && L.fd >= 0 && level == SL_LOG_ERROR) {
                if (L.fmt != SL_LOG_TEXT)
                        n = format_text(line, ts, level, msg, len);
                (void)sl_write_all(STDERR_FILENO, line, n);
        }
        errno = saved_errno;
}
