/* Test helper, a minimal seccomp agent for linux.seccomp.listenerPath:
 *   notify-listener SOCKET STATEFILE
 * listens on SOCKET, takes one listener fd, saves the message (the
 * containerProcessState JSON) to STATEFILE, then answers every notified
 * syscall with "success, return 0" without performing it, printing
 * "notified <syscall>" for each, until the container is gone. */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/lib/terminal.h"

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: notify-listener SOCKET STATEFILE\n");
                return 2;
        }
        alarm(30); /* a runtime that never connects fails the test, not hangs it */
        sl_error err = { 0 };
        int ls = sl_unix_listen(argv[1], &err);
        if (ls < 0) {
                fprintf(stderr, "notify-listener: %s\n", err.msg);
                return 1;
        }
        int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        static char msg[65536];
        int fd = -1;
        int n = conn < 0 ? -1 : sl_unix_recv_fd(conn, &fd, msg, sizeof msg, &err);
        if (n < 0 || fd < 0) {
                fprintf(stderr, "notify-listener: %s\n", conn < 0 ? strerror(errno) : err.msg);
                return 1;
        }
        FILE *f = fopen(argv[2], "w");
        if (!f || fputs(msg, f) < 0 || fclose(f) != 0) {
                perror("notify-listener: state file");
                return 1;
        }
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        if (seccomp_notify_alloc(&req, &resp) < 0)
                return 1;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 20000) <= 0 || (p.revents & POLLHUP))
                        break; /* timeout, or every task of the filter has exited */
                if (seccomp_notify_receive(fd, req) < 0)
                        break;
                char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
                printf("notified %s\n", name ? name : "?");
                fflush(stdout);
                free(name);
                resp->id = req->id;
                resp->val = 0;
                resp->error = 0;
                resp->flags = 0;
                seccomp_notify_respond(fd, resp);
        }
        seccomp_notify_free(req, resp);
        return 0;
}
