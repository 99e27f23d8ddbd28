#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "runtime/lib/exec-tty.h"
#include "runtime/lib/terminal.h"

static void copy_size(int master)
{
        struct winsize ws;

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                ioctl(master, TIOCSWINSZ, &ws);
}

/* Whatever is left in the master once the process is gone. */
static void drain(int master)
{
        char buf[4096];
        ssize_t n;
        int fl = fcntl(master, F_GETFL);

        if (fl >= 0)
                fcntl(master, F_SETFL, fl | O_NONBLOCK);
        while ((n = read(master, buf, sizeof(buf))) > 0)
                sl_write_all(STDOUT_FILENO, buf, (size_t)n);
}

static int relay(int master, pid_t child, int sigfd, int *status, sl_error *err)
{
        struct pollfd p[3] = {
                { .fd = sigfd, .events = POLLIN },
                { .fd = master, .events = POLLIN },
                { .fd = STDIN_FILENO, .events = POLLIN },
        };
        char buf[4096];

        for (;;) {
                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "--tty: poll");
                }
                if (p[0].revents) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo == SIGWINCH)
                                copy_size(master);
                        if (waitpid(child, status, WNOHANG) == child) {
                                drain(master);
                                return 0;
                        }
                }
                if (p[1].revents) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n > 0)
                                sl_write_all(STDOUT_FILENO, buf, (size_t)n);
                        else if (n == 0 || errno != EINTR)
                                p[1].fd = -1;  /* EIO: every slave fd closed; wait for the exit */
                }
                if (p[2].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n > 0) {
                                sl_write_all(master, buf, (size_t)n);
                        } else if (n == 0 || errno != EINTR) {
                                /* End of input: ^D, the end-of-file character
                                 * (the slave's termios are not the master's). */
                                sl_write_all(master, "\x04", 1);
                                p[2].fd = -1;
                        }
                }
        }
}

void sl_exec_tty_prepare(sl_exec_tty *t, oci_process *p)
{
        struct termios raw;
        struct winsize ws;

        t->raw = false;
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t->saved) < 0)
                return;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
                if (!p->console_size)
                        p->console_size = sl_xcalloc(1, sizeof(*p->console_size));
                *p->console_size = (oci_box){ .height = ws.ws_row, .has_height = true,
                                              .width = ws.ws_col, .has_width = true };
        }
        raw = t->saved;
        cfmakeraw(&raw);
        t->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

void sl_exec_tty_restore(sl_exec_tty *t)
{
        if (t->raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
        t->raw = false;
}

int sl_exec_tty_relay(int master, pid_t child, int *status, sl_error *err)
{
        sigset_t set, old;
        _cleanup_close_ int sigfd = -1;
        int r;

        /* Piped output gets plain "\n", as from a program without a tty. */
        if (!isatty(STDOUT_FILENO) && sl_terminal_clear_onlcr(master, err) < 0)
                return -1;
        /* Resizes between the fork and now. */
        if (isatty(STDIN_FILENO))
                copy_size(master);
        sigemptyset(&set);
        sigaddset(&set, SIGWINCH);
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, &old);
        sigfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sigfd < 0) {
                r = sl_err_sys(err, errno, "--tty: signalfd");
        } else if (waitpid(child, status, WNOHANG) == child) {  /* gone before we listened */
                drain(master);
                r = 0;
        } else {
                r = relay(master, child, sigfd, status, err);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
