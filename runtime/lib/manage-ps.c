#include "runtime/lib/manage-ps.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

extern char **environ;

int sl_ps_run(char *const *args, char **out, sl_error *err)
{
        size_t nargs = 0;
        while (args && args[nargs])
                nargs++;
        _cleanup_free_ char **argv = sl_xcalloc(nargs + 3, sizeof(char *));
        argv[0] = (char *)"ps";
        if (nargs == 0)
                argv[1] = (char *)"-ef";
        for (size_t i = 0; i < nargs; i++)
                argv[i + 1] = args[i];

        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return sl_err_sys(err, errno, "ps: pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
        pid_t pid;
        int r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        _cleanup_close_ int rfd = pipefd[0];
        if (r != 0)
                return sl_err_sys(err, r, "ps: run ps");

        size_t len = 0;
        char *text = NULL;
        int rr = sl_read_fd_all(rfd, &text, &len, err);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (rr < 0) {
                free(text);
                return sl_err_wrap(err, "ps: read its output");
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                while (len && text[len - 1] == '\n')
                        text[--len] = '\0';
                sl_err(err, EINVAL, "ps: exit status %d: %s",
                       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), text);
                free(text);
                return -1;
        }
        *out = text;
        return 0;
}

/* The next blank-separated field of line at or after *i: its start and
 * length, with *i moved past it; false at the end of the line. */
static bool next_field(const char *line, size_t len, size_t *i, size_t *start, size_t *flen)
{
        while (*i < len && (line[*i] == ' ' || line[*i] == '\t'))
                (*i)++;
        if (*i >= len)
                return false;
        *start = *i;
        while (*i < len && line[*i] != ' ' && line[*i] != '\t')
                (*i)++;
        *flen = *i - *start;
        return true;
}

/* The index of whitespace-separated field name in line, or -1. */
static int field_index(const char *line, size_t len, const char *name)
{
        size_t nlen = strlen(name), i = 0, start, flen;

        for (int idx = 0; next_field(line, len, &i, &start, &flen); idx++)
                if (flen == nlen && memcmp(line + start, name, nlen) == 0)
                        return idx;
        return -1;
}

/* Field idx of line as a pid, or -1 when missing or not a number. */
static long field_pid(const char *line, size_t len, int idx, char *bad, size_t badcap)
{
        size_t i = 0, start, flen;

        for (int k = 0; next_field(line, len, &i, &start, &flen); k++) {
                if (k != idx)
                        continue;
                snprintf(bad, badcap, "%.*s", (int)(flen < badcap ? flen : badcap - 1), line + start);
                char *end;
                long v = strtol(bad, &end, 10);
                return (*bad && !*end && v >= 0) ? v : -1;
        }
        snprintf(bad, badcap, "%s", "");
        return -1;
}

int sl_ps_filter(const char *output, const pid_t *pids, size_t n, char **filtered,
                 sl_error *err)
{
        const char *nl = strchr(output, '\n');
        size_t hlen = nl ? (size_t)(nl - output) : strlen(output);
        int idx = field_index(output, hlen, "PID");
        if (idx < 0)
                return sl_err(err, EINVAL, "couldn't find PID field in ps output");

        size_t cap = strlen(output) + 2, k = 0;
        char *buf = sl_xmalloc(cap);
        memcpy(buf, output, hlen);
        k = hlen;
        buf[k++] = '\n';
        for (const char *line = nl ? nl + 1 : output + hlen; *line;) {
                const char *e = strchr(line, '\n');
                size_t len = e ? (size_t)(e - line) : strlen(line);
                bool blank = true;
                for (size_t i = 0; i < len; i++)
                        if (line[i] != ' ' && line[i] != '\t')
                                blank = false;
                if (!blank) {
                        char bad[64];
                        long pid = field_pid(line, len, idx, bad, sizeof bad);
                        if (pid < 0) {
                                free(buf);
                                return sl_err(err, EINVAL, "unexpected pid '%s' in ps output line: %.*s", bad,
                                              (int)len, line);
                        }
                        for (size_t i = 0; i < n; i++)
                                if (pids[i] == (pid_t)pid) {
                                        memcpy(buf + k, line, len);
                                        k += len;
                                        buf[k++] = '\n';
                                        break;
                                }
                }
                line += len + (e ? 1 : 0);
        }
        buf[k] = '\0';
        *filtered = buf;
        return 0;
}
