#include "runtime/lib/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"

extern char **environ;

/* NULL-terminated copy of a counted string array (the strings are shared). */
static char **strv_view(char **v, size_t n)
{
        char **out = calloc(n + 1, sizeof *out);
        if (out)
                memcpy(out, v, n * sizeof *v);
        return out;
}

/* The state goes through a memfd rather than a pipe: a hook that never
 * reads stdin cannot block the runtime, whatever the state's size. */
static int state_fd(const char *state_json, sl_error *err)
{
        _cleanup_close_ int fd = memfd_create("sloika-hook-state", MFD_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "memfd_create");
        if (sl_write_all(fd, state_json, strlen(state_json)) < 0)
                return sl_err_sys(err, errno, "writing the state");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return sl_err_sys(err, errno, "lseek");
        return SL_STEAL_FD(fd);
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* A hook gets stdin, stdout and stderr only, whatever else the runtime
 * holds open (as runc's hooks do). */
static void cloexec_from_3(void)
{
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return;
        long max = sysconf(_SC_OPEN_MAX); /* kernel < 5.11 */
        for (int fd = 3; fd < max; fd++) {
                int fl = fcntl(fd, F_GETFD);
                if (fl >= 0 && !(fl & FD_CLOEXEC))
                        fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        }
}

static void __attribute__((noreturn))
exec_child(int stdin_fd, int errpipe, const char *path, char **argv, char **envp)
{
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        if (dup2(stdin_fd, 0) >= 0) {
                cloexec_from_3();
                execve(path, argv, envp);
        }
        int e = errno;
        ssize_t ignored = write(errpipe, &e, sizeof e);
        (void)ignored;
        _exit(127);
}

enum wait_result { HOOK_EXITED, HOOK_TIMED_OUT, HOOK_LOST };

/* Blocks until the hook ends; HOOK_LOST when someone else reaped it. */
static enum wait_result reap_status(pid_t pid, int *status)
{
        while (waitpid(pid, status, 0) < 0)
                if (errno != EINTR)
                        return HOOK_LOST;
        return HOOK_EXITED;
}

/* Waits up to timeout_s seconds (0 = forever) for the hook to end. */
static enum wait_result wait_exit(pid_t pid, int timeout_s, int *status)
{
        if (timeout_s <= 0)
                return reap_status(pid, status);
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                /* No pidfd (kernel < 5.3): poll the child. */
                for (long ms = 0;; ms += 10) {
                        pid_t r = waitpid(pid, status, WNOHANG);
                        if (r == pid)
                                return HOOK_EXITED;
                        if (r < 0 && errno != EINTR)
                                return HOOK_LOST;
                        if (ms >= timeout_s * 1000L)
                                return HOOK_TIMED_OUT;
                        nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
                }
        }
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        long left = timeout_s * 1000L;
        while (left > 0) {
                int r = poll(&p, 1, (int)left);
                if (r > 0)
                        return reap_status(pid, status);
                if (r < 0 && errno != EINTR)
                        return reap_status(pid, status);
                clock_gettime(CLOCK_MONOTONIC, &now);
                left = timeout_s * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
                                            (now.tv_nsec - start.tv_nsec) / 1000000L);
        }
        return HOOK_TIMED_OUT;
}

int sl_hook_run(const oci_hook *hook, const char *stage, size_t index,
                const char *state_json, sl_error *err)
{
        const char *path = hook->path ? hook->path : "";
#define H "hook %s[%zu] (%s)", stage, index, path
        if (path[0] != '/')
                return sl_err(err, EINVAL, "hook %s[%zu] (%s): path: must be absolute", stage, index, path);
        if (hook->has_timeout && hook->timeout <= 0)
                return sl_err(err, EINVAL, "hook %s[%zu] (%s): timeout: must be greater than zero, got %lld",
                              stage, index, path, (long long)hook->timeout);
        _cleanup_free_ char **argv = NULL;
        char *only_path[] = { (char *)path, NULL };
        if (hook->args_len > 0 && !(argv = strv_view(hook->args, hook->args_len)))
                return sl_err_sys(err, ENOMEM, H);
        _cleanup_free_ char **envp = NULL;
        if (hook->has_env && !(envp = strv_view(hook->env, hook->env_len)))
                return sl_err_sys(err, ENOMEM, H);
        _cleanup_close_ int in = state_fd(state_json ? state_json : "", err);
        if (in < 0)
                return sl_err_wrap(err, H);
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return sl_err_sys(err, errno, "hook %s[%zu] (%s): pipe", stage, index, path);
        _cleanup_close_ int rd = pfd[0], wr = pfd[1];

        pid_t pid = fork();
        if (pid < 0)
                return sl_err_sys(err, errno, "hook %s[%zu] (%s): fork", stage, index, path);
        if (pid == 0)
                exec_child(in, wr, path, argv ? argv : only_path, hook->has_env ? envp : environ);
        close(SL_STEAL_FD(wr));

        int child_errno = 0;
        ssize_t r;
        while ((r = read(rd, &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
                ;
        if (r == (ssize_t)sizeof child_errno) {
                reap_status(pid, &(int){ 0 });
                return sl_err_sys(err, child_errno, "hook %s[%zu] (%s): exec", stage, index, path);
        }

        int status = 0;
        int timeout = hook->has_timeout ? (int)hook->timeout : 0;
        switch (wait_exit(pid, timeout, &status)) {
        case HOOK_EXITED:
                break;
        case HOOK_TIMED_OUT:
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                reap_status(pid, &status);
                return sl_err(err, ETIMEDOUT, "hook %s[%zu] (%s): timed out after %ds", stage, index, path, timeout);
        case HOOK_LOST:
                return sl_err_sys(err, errno, "hook %s[%zu] (%s): waiting for it", stage, index, path);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                return sl_err(err, ECHILD, "hook %s[%zu] (%s): exited with status %d",
                              stage, index, path, WEXITSTATUS(status));
        if (WIFSIGNALED(status))
                return sl_err(err, ECHILD, "hook %s[%zu] (%s): killed by signal %d (%s)",
                              stage, index, path, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 0;
#undef H
}

int sl_hooks_run(const oci_hook *hooks, size_t n, const char *stage,
                 const char *state_json, sl_error *err)
{
        for (size_t i = 0; i < n; i++)
                if (sl_hook_run(&hooks[i], stage, i, state_json, err) < 0)
                        return -1;
        return 0;
}
