/* Log lines in runc's text and JSON shapes, escaping, levels, and the
 * copy of errors to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/fileio.h"
#include "common/log.h"
#include "tests/unit/tap.h"
#include "tests/unit/common/testutil.h"

static char dir[PATH_MAX];

static bool matches(const char *s, const char *re)
{
        regex_t rx;
        if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
                return false;
        bool m = regexec(&rx, s, 0, NULL, 0) == 0;
        regfree(&rx);
        return m;
}

#define TIME_RE "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"

/* Logs to a fresh file and returns everything written there. */
static char *log_to_file(const char *name, sl_log_format fmt, sl_log_level min, void (*emit)(void))
{
        char p[PATH_MAX];
        sl_error err = { 0 };
        tu_fmt(p, sizeof p, "%s/%s", dir, name);
        if (sl_log_init(p, fmt, min, &err) < 0) {
                diag("%s", err.msg);
                return NULL;
        }
        emit();
        sl_log_close();
        char *out = NULL;
        if (sl_read_file(p, &out, NULL, &err) < 0)
                return NULL;
        return out;
}

static void emit_plain(void) { sl_log_error("container %s failed", "c1"); }
static void emit_tricky(void) { sl_log_warn("say \"hi\"\nback\\slash\ttab\x01"); }
static void emit_levels(void)
{
        sl_log_debug("d");
        sl_log_info("i");
        sl_log_warn("w");
        sl_log_error("e");
}

static void test_text(void)
{
        char *s = log_to_file("text.log", SL_LOG_TEXT, SL_LOG_INFO, emit_plain);
        ok(s && matches(s, "^time=\"" TIME_RE "\" level=error msg=\"container c1 failed\"\n$"),
           "text line has runc's shape: %s", s ? s : "(none)");
        free(s);

        s = log_to_file("tricky.log", SL_LOG_TEXT, SL_LOG_INFO, emit_tricky);
        const char *want = "level=warning msg=\"say \\\"hi\\\"\\nback\\\\slash\\ttab\\x01\"\n";
        ok(s && strstr(s, want) != NULL, "text escapes quotes, newlines, backslashes and controls: %s",
           s ? s : "(none)");
        ok(s && strchr(s, '\n') == s + strlen(s) - 1, "a message with a newline stays one line");
        free(s);
}

static void check_json_line(const char *line, const char *level, const char *msg)
{
        char ebuf[256];
        yajl_val v = yajl_tree_parse(line, ebuf, sizeof ebuf);
        ok(v != NULL && YAJL_IS_OBJECT(v), "JSON line parses: %s", v ? line : ebuf);
        if (v == NULL)
                return;
        const char *lp[] = { "level", NULL }, *mp[] = { "msg", NULL }, *tp[] = { "time", NULL };
        yajl_val l = yajl_tree_get(v, lp, yajl_t_string);
        yajl_val m = yajl_tree_get(v, mp, yajl_t_string);
        yajl_val t = yajl_tree_get(v, tp, yajl_t_string);
        is_str(l ? YAJL_GET_STRING(l) : NULL, level, "  level is %s", level);
        is_str(m ? YAJL_GET_STRING(m) : NULL, msg, "  msg round-trips exactly");
        ok(t && matches(YAJL_GET_STRING(t), "^" TIME_RE "$"), "  time is RFC 3339 UTC");
        is_int(v->u.object.len, 3, "  and there are no other keys");
        yajl_tree_free(v);
}

static void test_json(void)
{
        char *s = log_to_file("json.log", SL_LOG_JSON, SL_LOG_INFO, emit_plain);
        ok(s && matches(s, "^\\{\"level\":\"error\",\"msg\":\"container c1 failed\",\"time\":\"" TIME_RE
                           "\"\\}\n$"),
           "JSON line has runc's key order and shape: %s", s ? s : "(none)");
        if (s)
                check_json_line(s, "error", "container c1 failed");
        free(s);

        s = log_to_file("json-tricky.log", SL_LOG_JSON, SL_LOG_INFO, emit_tricky);
        ok(s && strchr(s, '\n') == s + strlen(s) - 1, "a JSON message with a newline stays one line");
        if (s)
                check_json_line(s, "warning", "say \"hi\"\nback\\slash\ttab\x01");
        free(s);
}

static void test_levels(void)
{
        char *s = log_to_file("levels.log", SL_LOG_TEXT, SL_LOG_INFO, emit_levels);
        ok(s && !strstr(s, "level=debug") && strstr(s, "level=info msg=\"i\"") &&
           strstr(s, "level=warning msg=\"w\"") && strstr(s, "level=error msg=\"e\""),
           "at info, debug lines are dropped and the rest kept");
        free(s);
        s = log_to_file("debug.log", SL_LOG_TEXT, SL_LOG_DEBUG, emit_levels);
        ok(s && strstr(s, "level=debug msg=\"d\""), "at debug, debug lines are written");
        free(s);
        s = log_to_file("error.log", SL_LOG_JSON, SL_LOG_ERROR, emit_levels);
        ok(s && !strstr(s, "\"info\"") && !strstr(s, "\"warning\"") && strstr(s, "\"error\""),
           "at error, only errors are written");
        free(s);

        char p[PATH_MAX];
        tu_fmt(p, sizeof p, "%s/append.log", dir);
        tu_write(p, "earlier line\n");
        sl_error err = { 0 };
        sl_log_init(p, SL_LOG_TEXT, SL_LOG_INFO, &err);
        sl_log_info("later");
        sl_log_close();
        char *out = NULL;
        sl_read_file(p, &out, NULL, &err);
        ok(out && strncmp(out, "earlier line\ntime=", 18) == 0, "an existing log file is appended to");
        free(out);

        ok(sl_log_init("/nonexistent-dir/x.log", SL_LOG_TEXT, SL_LOG_INFO, &err) < 0 &&
           err.code == ENOENT && strstr(err.msg, "/nonexistent-dir/x.log"),
           "an unopenable log file fails naming it: %s", err.msg);
}

/* Runs emit with fd 2 redirected to a file and returns what reached it. */
static char *capture_stderr(void (*emit)(void))
{
        char p[PATH_MAX];
        tu_fmt(p, sizeof p, "%s/stderr.%d", dir, tap_count_);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int saved = dup(STDERR_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        emit();
        dup2(saved, STDERR_FILENO);
        close(saved);
        char *out = NULL;
        sl_error err = { 0 };
        sl_read_file(p, &out, NULL, &err);
        return out;
}

static char copy_log[PATH_MAX];
static void emit_with_copy(void)
{
        sl_error err = { 0 };
        sl_log_init(copy_log, SL_LOG_JSON, SL_LOG_DEBUG, &err);
        sl_log_set_stderr_copy(true);
        sl_log_warn("just a warning");
        sl_log_error("bad \"thing\"");
        sl_log_close();
}
static void emit_without_copy(void)
{
        sl_error err = { 0 };
        sl_log_init(copy_log, SL_LOG_JSON, SL_LOG_DEBUG, &err);
        sl_log_error("quiet");
        sl_log_close();
}
static void emit_default(void)
{
        sl_log_close();
        sl_log_debug("hidden");
        sl_log_info("shown");
}

static void test_stderr(void)
{
        tu_fmt(copy_log, sizeof copy_log, "%s/copy.log", dir);
        char *s = capture_stderr(emit_with_copy);
        ok(s && matches(s, "^time=\"" TIME_RE "\" level=error msg=\"bad \\\\\"thing\\\\\"\"\n$"),
           "with stderr copy, only the error reaches stderr, as text: %s", s ? s : "(none)");
        free(s);
        char *f = NULL;
        sl_error err = { 0 };
        sl_read_file(copy_log, &f, NULL, &err);
        ok(f && strstr(f, "just a warning") && strstr(f, "bad \\\"thing\\\""),
           "  while the file gets both lines in JSON");
        free(f);
        s = capture_stderr(emit_without_copy);
        ok(s && *s == '\0', "without stderr copy, logging to a file leaves stderr empty");
        free(s);
        s = capture_stderr(emit_default);
        ok(s && matches(s, "^time=\"" TIME_RE "\" level=info msg=\"shown\"\n$"),
           "by default, text at info goes to stderr: %s", s ? s : "(none)");
        free(s);
}

static void test_misc(void)
{
        sl_error err = { 0 };
        char p[PATH_MAX];
        tu_fmt(p, sizeof p, "%s/errno.log", dir);
        sl_log_init(p, SL_LOG_JSON, SL_LOG_DEBUG, &err);
        errno = EXDEV;
        sl_log_info("keeps errno");
        is_int(errno, EXDEV, "logging preserves errno");
        char big[10000];
        memset(big, 'q', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        sl_log_info("%s", big);
        sl_log_close();
        char *out = NULL;
        sl_read_file(p, &out, NULL, &err);
        char *second = out ? strchr(out, '\n') : NULL;
        ok(second && strstr(second + 1, "qqqq\",\"time\"") && strchr(second + 1, '\n'),
           "an overlong message is cut but the line stays well-formed");
        free(out);

        sl_log_format f = SL_LOG_TEXT;
        sl_log_level l = SL_LOG_INFO;
        ok(sl_log_format_parse("json", &f, &err) == 0 && f == SL_LOG_JSON, "\"json\" parses as a format");
        ok(sl_log_format_parse("xml", &f, &err) < 0 && strstr(err.msg, "xml"), "\"xml\" is rejected: %s",
           err.msg);
        ok(sl_log_level_parse("warning", &l, &err) == 0 && l == SL_LOG_WARN, "\"warning\" parses as a level");
        ok(sl_log_level_parse("debug", &l, &err) == 0 && l == SL_LOG_DEBUG, "\"debug\" parses as a level");
        ok(sl_log_level_parse("loud", &l, &err) < 0, "\"loud\" is rejected");
}

int main(void)
{
        tu_fmt(dir, sizeof dir, "%s", tu_mkdtemp());
        test_text();
        test_json();
        test_levels();
        test_stderr();
        test_misc();
        tu_rm_rf(dir);
        return tap_done();
}
