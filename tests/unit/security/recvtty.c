/* Test helper, a minimal --console-socket receiver:
 *   recvtty SOCKET INPUT
 * listens on SOCKET, takes one pty master, prints the pty name from the
 * message on its first line, writes INPUT to the master, then copies the
 * container's terminal output to stdout until the pty closes. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/lib/terminal.h"

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: recvtty SOCKET INPUT\n");
                return 2;
        }
        alarm(20); /* a runtime that never connects fails the test, not hangs it */
        sl_error err = { 0 };
        int ls = sl_unix_listen(argv[1], &err);
        if (ls < 0) {
                fprintf(stderr, "recvtty: %s\n", err.msg);
                return 1;
        }
        int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        char name[256];
        int master = -1;
        if (conn < 0 || sl_unix_recv_fd(conn, &master, name, sizeof name, &err) < 0 || master < 0) {
                fprintf(stderr, "recvtty: %s\n", conn < 0 ? strerror(errno) : err.msg);
                return 1;
        }
        printf("name=%s\n", name);
        fflush(stdout);
        size_t len = strlen(argv[2]);
        if (write(master, argv[2], len) != (ssize_t)len)
                perror("recvtty: write");
        char buf[4096];
        for (;;) {
                struct pollfd p = { .fd = master, .events = POLLIN };
                if (poll(&p, 1, 10000) <= 0)
                        break;
                ssize_t n = read(master, buf, sizeof buf);
                if (n <= 0)
                        break; /* EIO: the last slave fd closed */
                fwrite(buf, 1, (size_t)n, stdout);
                fflush(stdout);
        }
        return 0;
}
