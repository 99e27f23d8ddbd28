#include "runtime/lib/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int open_slave(int master, sl_error *err)
{
        int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0)
                return fd;
        if (errno != EINVAL && errno != ENOTTY)
                return sl_err_sys(err, errno, "terminal: opening the pty slave (TIOCGPTPEER)");
        /* Kernels before 4.13: by name, refusing a symlink in its place. */
        char name[64];
        int rc = ptsname_r(master, name, sizeof name);
        if (rc != 0)
                return sl_err_sys(err, rc, "terminal: ptsname");
        fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return sl_err_sys(err, errno, "terminal: opening the pty slave %s", name);
        return fd;
}

int sl_terminal_open(int *master_out, int *slave_out, sl_error *err)
{
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return sl_err_sys(err, errno, "terminal: opening /dev/ptmx");
        if (grantpt(master) < 0)
                return sl_err_sys(err, errno, "terminal: grantpt");
        if (unlockpt(master) < 0)
                return sl_err_sys(err, errno, "terminal: unlockpt");
        _cleanup_close_ int slave = open_slave(master, err);
        if (slave < 0)
                return -1;
        *master_out = SL_STEAL_FD(master);
        *slave_out = SL_STEAL_FD(slave);
        return 0;
}

int sl_terminal_clear_onlcr(int fd, sl_error *err)
{
        struct termios t;
        if (tcgetattr(fd, &t) < 0)
                return sl_err_sys(err, errno, "terminal: tcgetattr");
        t.c_oflag &= ~(tcflag_t)ONLCR;
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                return sl_err_sys(err, errno, "terminal: clearing ONLCR");
        return 0;
}

int sl_terminal_send_fd(int sock, int master, sl_error *err)
{
        char name[64];
        int rc = ptsname_r(master, name, sizeof name);
        if (rc != 0)
                return sl_err_sys(err, rc, "terminal: ptsname");
        if (sl_unix_send_fd(sock, master, name, strlen(name), err) < 0)
                return sl_err_wrap(err, "terminal: sending the pty master to the console socket");
        return 0;
}

int sl_terminal_send(const char *console_socket, int master, sl_error *err)
{
        _cleanup_close_ int sock = sl_unix_connect(console_socket, err);
        if (sock < 0)
                return sl_err_wrap(err, "terminal: --console-socket");
        return sl_terminal_send_fd(sock, master, err);
}

int sl_terminal_attach(int slave, const oci_box *size, sl_error *err)
{
        if (setsid() < 0)
                return sl_err_sys(err, errno, "terminal: setsid");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return sl_err_sys(err, errno, "terminal: making the pty the controlling terminal");
        if (size) {
                struct winsize ws = {
                        .ws_row = (unsigned short)(size->has_height ? size->height : 0),
                        .ws_col = (unsigned short)(size->has_width ? size->width : 0),
                };
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return sl_err_sys(err, errno, "terminal: process.consoleSize");
        }
        for (int fd = 0; fd <= 2; fd++)
                if (fd != slave && dup2(slave, fd) < 0)
                        return sl_err_sys(err, errno, "terminal: dup2 of the pty to fd %d", fd);
        if (slave > 2)
                close(slave);
        return 0;
}

static int unix_socket(const char *path, struct sockaddr_un *addr, sl_error *err)
{
        *addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof addr->sun_path)
                return sl_err(err, ENAMETOOLONG, "\"%s\": socket path longer than %zu bytes",
                              path, sizeof addr->sun_path - 1);
        strcpy(addr->sun_path, path);
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return sl_err_sys(err, errno, "socket");
        return sock;
}

int sl_unix_connect(const char *path, sl_error *err)
{
        struct sockaddr_un addr;
        _cleanup_close_ int sock = unix_socket(path, &addr, err);
        if (sock < 0)
                return -1;
        if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0)
                return sl_err_sys(err, errno, "connecting to \"%s\"", path);
        return SL_STEAL_FD(sock);
}

int sl_unix_listen(const char *path, sl_error *err)
{
        struct sockaddr_un addr;
        _cleanup_close_ int sock = unix_socket(path, &addr, err);
        if (sock < 0)
                return -1;
        if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0)
                return sl_err_sys(err, errno, "binding \"%s\"", path);
        if (listen(sock, 4) < 0)
                return sl_err_sys(err, errno, "listening on \"%s\"", path);
        return SL_STEAL_FD(sock);
}

int sl_unix_send_fd(int sock, int fd, const void *payload, size_t len, sl_error *err)
{
        /* A stream socket drops ancillary data sent without a byte. */
        static const char nul = '\0';
        if (len == 0)
                payload = &nul, len = 1;
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctl;
        memset(&ctl, 0, sizeof ctl);
        struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
        ssize_t n;
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return sl_err_sys(err, errno, "sendmsg");
        for (size_t off = (size_t)n; off < len;) {
                n = send(sock, (const char *)payload + off, len - off, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return sl_err_sys(err, errno, "send");
                off += (size_t)n;
        }
        return 0;
}

int sl_unix_recv_fd(int sock, int *fd_out, char *buf, size_t cap, sl_error *err)
{
        *fd_out = -1;
        if (cap == 0)
                return sl_err(err, EINVAL, "recvmsg: empty buffer");
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = buf, .iov_len = cap - 1 };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
        };
        ssize_t n;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return sl_err_sys(err, errno, "recvmsg");
        buf[n] = '\0';
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(fd_out, CMSG_DATA(c), sizeof(int));
        if (msg.msg_flags & MSG_CTRUNC) {
                if (*fd_out >= 0)
                        close(*fd_out), *fd_out = -1;
                return sl_err(err, EMSGSIZE, "recvmsg: more than one fd was sent");
        }
        return (int)n;
}
