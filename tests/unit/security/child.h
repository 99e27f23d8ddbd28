/* Runs a measurement in a forked child, so seccomp filters, capability
 * drops and session changes stay out of the test process.  The child
 * writes what it observed to a pipe; the parent gets that text and the
 * child's wait status, and asserts on them. */
#ifndef SLOIKA_TESTS_SECURITY_CHILD_H
#define SLOIKA_TESTS_SECURITY_CHILD_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_out_fd_ = -1;

/* In the child: append formatted text to what the parent receives. */
static inline void child_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void child_say(const char *fmt, ...)
{
        char buf[4096];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (n > (int)sizeof buf - 1)
                n = (int)sizeof buf - 1;
        for (int off = 0; n > 0 && off < n;) {
                ssize_t w = write(child_out_fd_, buf + off, (size_t)(n - off));
                if (w <= 0)
                        break;
                off += (int)w;
        }
}

/* Runs fn(arg) in a child that exits with fn's return value; fills out
 * (NUL-terminated) with what the child said; returns the wait status. */
static inline int run_child(int (*fn)(void *), void *arg, char *out, size_t cap)
{
        int p[2];
        if (pipe(p) < 0)
                abort();
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                abort();
        if (pid == 0) {
                close(p[0]);
                child_out_fd_ = p[1];
                _exit(fn(arg));
        }
        close(p[1]);
        size_t len = 0;
        for (;;) {
                ssize_t r = read(p[0], out + len, cap - 1 - len);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                len += (size_t)r;
                if (len == cap - 1)
                        break;
        }
        out[len] = '\0';
        close(p[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        abort();
        return status;
}

#endif
