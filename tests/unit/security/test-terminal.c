/* A child opens a pty, sends the master to a console socket this test
 * listens on, and attaches the slave; the test then talks to the child
 * through the received master only. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>

#include "oci-specs/runtime-spec.h"
#include "runtime/lib/terminal.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static char sock_path[108];

static int child(void)
{
        sl_error err = { 0 };
        int m, s;
        oci_box size = { .height = 33, .has_height = true, .width = 101, .has_width = true };
        if (sl_terminal_open(&m, &s, &err) < 0 || sl_terminal_send(sock_path, m, &err) < 0) {
                fprintf(stderr, "# child: %s\n", err.msg);
                return 2;
        }
        close(m);
        if (sl_terminal_attach(s, &size, &err) < 0) {
                fprintf(stderr, "# child: %s\n", err.msg);
                return 3;
        }
        struct winsize ws = { 0 };
        ioctl(0, TIOCGWINSZ, &ws);
        const char *name = ttyname(0);
        printf("tty=%d%d%d size=%ux%u leader=%d fg=%d name=%s fds=%d\n",
               isatty(0), isatty(1), isatty(2), ws.ws_row, ws.ws_col,
               getsid(0) == getpid(), tcgetpgrp(0) == getpgrp(), name ? name : "?",
               fcntl(s, F_GETFD) < 0 && errno == EBADF);
        fflush(stdout);
        char line[128];
        if (!fgets(line, sizeof line, stdin))
                return 4;
        printf("got: %s", line);
        fflush(stdout);
        /* The parent clears ONLCR on the master before this line. */
        if (!fgets(line, sizeof line, stdin))
                return 5;
        printf("after clear: %s", line);
        fflush(stdout);
        return 0;
}

/* Reads from the master until want appears, EOF/EIO, or 5s pass. */
static void read_until(int fd, char *buf, size_t cap, size_t *len, const char *want)
{
        for (int spins = 0; spins < 50 && !strstr(buf, want); spins++) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 100) <= 0)
                        continue;
                ssize_t r = read(fd, buf + *len, cap - 1 - *len);
                if (r <= 0)
                        break;
                *len += (size_t)r;
                buf[*len] = '\0';
        }
}

int main(void)
{
        alarm(30);
        char dir[] = "/tmp/sl-tty-XXXXXX";
        if (!mkdtemp(dir))
                return 1;
        snprintf(sock_path, sizeof sock_path, "%s/console.sock", dir);
        sl_error err = { 0 };
        int ls = sl_unix_listen(sock_path, &err);
        if (ls < 0)
                return 1;

        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
                _exit(child());

        int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        char name[128];
        int master = -1;
        int n = conn < 0 ? -1 : sl_unix_recv_fd(conn, &master, name, sizeof name, &err);
        ok(n > 0 && master >= 0, "the console socket receives the pty master over SCM_RIGHTS");
        ok(n > 0 && strncmp(name, "/dev/pts/", 9) == 0, "the message payload is the pty name (%s)", n > 0 ? name : err.msg);
        ok(master >= 0 && isatty(master), "the received fd is a terminal");

        char buf[4096] = "";
        size_t len = 0;
        read_until(master, buf, sizeof buf, &len, "fds=");
        read_until(master, buf, sizeof buf, &len, "\n");
        char want[256];
        snprintf(want, sizeof want, "tty=111 size=33x101 leader=1 fg=1 name=%s fds=1\r\n", name);
        is_str(buf, want, "the child sees a tty on 0/1/2, consoleSize 33x101, its own session with the pty as "
                          "controlling terminal, the slave's name, and no extra slave fd; ONLCR is on, as in runc");

        if (write(master, "hello\n", 6) != 6)
                diag("write to master: %s", strerror(errno));
        len = 0;
        buf[0] = '\0';
        read_until(master, buf, sizeof buf, &len, "got: hello\r\n");
        ok(strstr(buf, "got: hello\r\n") != NULL, "input written to the master reaches the child's stdin and its "
                                                   "answer comes back through the master");
        ok(sl_terminal_clear_onlcr(master, &err) == 0, "ONLCR can be cleared from the master side");
        if (write(master, "again\n", 6) != 6)
                diag("write to master: %s", strerror(errno));
        len = 0;
        buf[0] = '\0';
        read_until(master, buf, sizeof buf, &len, "after clear: again\n");
        ok(strstr(buf, "after clear: again\n") && !strstr(buf, "\r"), "after clearing, newlines reach the master unchanged");
        int st;
        waitpid(pid, &st, 0);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child exits cleanly");

        /* Errors name the socket. */
        int m, s;
        if (sl_terminal_open(&m, &s, &err) == 0) {
                char missing[160];
                snprintf(missing, sizeof missing, "%s/missing.sock", dir);
                ok(sl_terminal_send(missing, m, &err) < 0 && strstr(err.msg, "terminal: --console-socket: connecting to \"") &&
                   strstr(err.msg, "No such file or directory"), "a missing console socket is a clear error (%s)", err.msg);
                close(m);
                close(s);
        } else {
                ok(0, "a second pty opens (%s)", err.msg);
        }

        close(master);
        close(conn);
        close(ls);
        unlink(sock_path);
        rmdir(dir);
        return tap_done();
}
