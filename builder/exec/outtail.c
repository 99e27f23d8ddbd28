#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "builder/exec/outtail.h"
#include "common/fileio.h"
#include "common/xalloc.h"

static void keep(sl_outtail_buf *b, const char *buf, size_t n)
{
        if (n >= SL_OUTTAIL_KEEP) {
                memcpy(b->keep, buf + n - SL_OUTTAIL_KEEP, SL_OUTTAIL_KEEP);
                b->kept = SL_OUTTAIL_KEEP;
                return;
        }
        if (b->kept + n > SL_OUTTAIL_KEEP) {
                size_t drop = b->kept + n - SL_OUTTAIL_KEEP;
                memmove(b->keep, b->keep + drop, b->kept - drop);
                b->kept -= drop;
        }
        memcpy(b->keep + b->kept, buf, n);
        b->kept += n;
}

static __attribute__((noreturn)) void pump(sl_outtail_buf *b, int in, int out)
{
        char buf[16384];
        signal(SIGINT, SIG_IGN);  /* the build decides when to stop */
        signal(SIGTERM, SIG_IGN);
        for (;;) {
                ssize_t n = read(in, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (out >= 0)
                        (void)sl_write_all(out, buf, (size_t)n);
                keep(b, buf, (size_t)n);
        }
        _exit(0);
}

int sl_outtail_start(sl_outtail *t, bool echo, sl_error *err)
{
        int p[2];
        memset(t, 0, sizeof(*t));
        t->saved[0] = t->saved[1] = t->saved[2] = -1;
        t->buf = mmap(NULL, sizeof(*t->buf), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (t->buf == MAP_FAILED) {
                t->buf = NULL;
                return sl_err_sys(err, errno, "map the output buffer");
        }
        fflush(stdout);
        fflush(stderr);
        if (pipe2(p, O_CLOEXEC) < 0)
                return sl_err_sys(err, errno, "pipe");
        t->pump = fork();
        if (t->pump < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return sl_err_sys(err, e, "fork the output pump");
        }
        if (t->pump == 0) {
                /* The pump outlives a killed build while the container
                 * still writes: it must not hold the build's fds (the
                 * store's lock, which prune and fsck wait for) meanwhile. */
                if (dup2(p[0], 3) == 3)
                        syscall(SYS_close_range, 4U, ~0U, 0U);
                pump(t->buf, 3, echo ? 1 : -1);
        }
        close(p[0]);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        for (int i = 0; i < 3; i++)
                t->saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
        if (null >= 0) {
                dup2(null, 0);
                close(null);
        }
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[1]);
        return 0;
}

void sl_outtail_stop(sl_outtail *t)
{
        if (t->pump <= 0)
                return;
        fflush(stdout);
        fflush(stderr);
        for (int i = 0; i < 3; i++) {
                if (t->saved[i] >= 0)
                        dup2(t->saved[i], i);
        }
        /* 1 and 2 no longer hold the pipe: the pump sees EOF once the
         * container's processes are gone. */
        int st;
        while (waitpid(t->pump, &st, 0) < 0 && errno == EINTR)
                ;
        t->pump = 0;
}

char *sl_outtail_last_lines(const sl_outtail *t, int n)
{
        if (!t->buf)
                return sl_xstrdup("");
        const char *k = t->buf->keep;
        size_t end = t->buf->kept;
        while (end && k[end - 1] == '\n')
                end--;
        size_t start = end;
        for (int lines = 0; start > 0; start--) {
                if (k[start - 1] == '\n' && ++lines == n)
                        break;
        }
        char *s = sl_xmalloc(end - start + 1);
        memcpy(s, k + start, end - start);
        s[end - start] = '\0';
        return s;
}

void sl_outtail_free(sl_outtail *t)
{
        sl_outtail_stop(t);
        for (int i = 0; i < 3; i++) {
                if (t->saved[i] >= 0)
                        close(t->saved[i]);
                t->saved[i] = -1;
        }
        if (t->buf)
                munmap(t->buf, sizeof(*t->buf));
        t->buf = NULL;
}
