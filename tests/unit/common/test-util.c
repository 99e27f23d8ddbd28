/* Small helpers: string vectors, RFC 3339 time, whole-file I/O, xalloc. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "tests/unit/tap.h"
#include "tests/unit/common/testutil.h"

static void test_strv(void)
{
        char **v = NULL;
        is_int(sl_strv_len(v), 0, "a NULL vector is empty");
        ok(!sl_strv_contains(v, "a"), "a NULL vector contains nothing");
        sl_strv_append(&v, "PATH=/bin");
        char *owned = sl_xstrdup("HOME=/root");
        sl_strv_append_take(&v, owned);
        is_int(sl_strv_len(v), 2, "two appends give two entries");
        ok(v[2] == NULL, "the vector stays NULL-terminated");
        ok(v[1] == owned, "append_take stores the very string");
        ok(sl_strv_contains(v, "PATH=/bin") && !sl_strv_contains(v, "PATH"), "contains matches whole strings");
        _cleanup_strv_ char **d = sl_strv_dup(v);
        ok(d != v && d[0] != v[0] && strcmp(d[0], v[0]) == 0 && sl_strv_len(d) == 2,
           "dup copies every string");
        sl_strv_free(v);
        char **e = sl_strv_dup(NULL);
        ok(e && e[0] == NULL, "dup of NULL is an empty vector");
        sl_strv_free(e);
}

static void test_time(void)
{
        char buf[SL_TIME_STR_MAX];
        struct timespec ts = { .tv_sec = 1795253194, .tv_nsec = 123456789 }; /* 2026-11-21T09:26:34Z */
        is_int(sl_time_format_rfc3339(&ts, true, buf), 30, "nanosecond form is 30 characters");
        is_str(buf, "2026-11-21T09:26:34.123456789Z", "nanosecond form");
        sl_time_format_rfc3339(&ts, false, buf);
        is_str(buf, "2026-11-21T09:26:34Z", "second form");
        ts.tv_nsec = 5;
        sl_time_format_rfc3339(&ts, true, buf);
        is_str(buf, "2026-11-21T09:26:34.000000005Z", "nanoseconds are zero-padded to nine digits");
        ts = (struct timespec){ 0, 0 };
        sl_time_format_rfc3339(&ts, false, buf);
        is_str(buf, "1970-01-01T00:00:00Z", "the epoch");
        sl_time_now_rfc3339(true, buf);
        regex_t rx;
        regcomp(&rx, "^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{9}Z$",
                REG_EXTENDED | REG_NOSUB);
        ok(regexec(&rx, buf, 0, NULL, 0) == 0, "now is RFC 3339 with nanoseconds: %s", buf);
        regfree(&rx);
}

static void test_fileio(void)
{
        char dir[PATH_MAX], p[PATH_MAX];
        sl_error err = { 0 };
        tu_fmt(dir, sizeof dir, "%s", tu_mkdtemp());
        tu_fmt(p, sizeof p, "%s/f", dir);

        /* Bigger than any single buffer guess, with a NUL inside. */
        size_t n = 300000;
        char *data = sl_xmalloc(n);
        for (size_t i = 0; i < n; i++)
                data[i] = (char)(i * 31 % 251);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        is_int(sl_write_all(fd, data, n), 0, "write_all writes everything");
        close(fd);

        char *out = NULL;
        size_t len = 0;
        is_int(sl_read_file(p, &out, &len, &err), 0, "read_file succeeds");
        ok(len == n && memcmp(out, data, n) == 0 && out[n] == '\0',
           "read_file returns every byte, NUL-terminated");
        free(out);

        int pfd[2];
        if (pipe(pfd) == 0) {
                if (fork() == 0) {
                        close(pfd[0]);
                        _exit(sl_write_all(pfd[1], data, n) == 0 ? 0 : 1);
                }
                close(pfd[1]);
                out = NULL;
                is_int(sl_read_fd_all(pfd[0], &out, &len, &err), 0, "read_fd_all reads a pipe to EOF");
                ok(len == n && memcmp(out, data, n) == 0, "  getting every byte across short reads");
                free(out);
                close(pfd[0]);
        }

        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        out = NULL;
        is_int(sl_read_file_at(dfd, "f", &out, NULL, &err), 0, "read_file_at reads relative to a dir fd");
        ok(out && memcmp(out, data, n) == 0, "  the same content");
        free(out);
        close(dfd);

        out = NULL;
        tu_fmt(p, sizeof p, "%s/missing", dir);
        ok(sl_read_file(p, &out, NULL, &err) < 0 && err.code == ENOENT && strstr(err.msg, p) && out == NULL,
           "a missing file fails with ENOENT, naming it: %s", err.msg);
        ok(sl_write_all(-1, "x", 1) < 0 && errno == EBADF, "write_all reports errno on failure");
        free(data);
        tu_rm_rf(dir);
}

static void test_xalloc(void)
{
        char *s = sl_xasprintf("%s-%d", "id", 42);
        is_str(s, "id-42", "xasprintf formats");
        free(s);
        s = sl_xstrndup("abcdef", 3);
        is_str(s, "abc", "xstrndup stops at n");
        free(s);
        int *z = sl_xcalloc(4, sizeof *z);
        ok(z[0] == 0 && z[3] == 0, "xcalloc zeroes");
        z = sl_xrealloc(z, 1000 * sizeof *z);
        z[999] = 1;
        ok(z[0] == 0 && z[999] == 1, "xrealloc keeps the prefix and grows");
        free(z);
        void *a = sl_xmalloc(0), *b = sl_xmalloc(0);
        ok(a && b && a != b, "xmalloc(0) gives distinct pointers");
        free(a);
        free(b);
}

int main(void)
{
        test_strv();
        test_time();
        test_fileio();
        test_xalloc();
        return tap_done();
}
