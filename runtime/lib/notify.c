#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/lib/notify.h"

const char *sl_notify_socket_env(void)
{
        const char *s = getenv("NOTIFY_SOCKET");
        return s && s[0] == '/' ? s : NULL;
}

int sl_notify_setup_spec(oci_spec *spec, int dirfd, const char *state_dir, const char *host_socket,
                         sl_error *err)
{
        static const char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro" };
        const size_t nopts = sizeof(opts) / sizeof(opts[0]);
        oci_process *p = spec->process;
        oci_mount *m;

        if (strlen(host_socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                return sl_err(err, ENAMETOOLONG, "NOTIFY_SOCKET \"%s\": path too long", host_socket);
        if (mkdirat(dirfd, SL_NOTIFY_DIR, 0755) < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "NOTIFY_SOCKET: create the notify dir");
        spec->mounts = sl_xrealloc(spec->mounts, (spec->mounts_len + 1) * sizeof(*spec->mounts));
        m = &spec->mounts[spec->mounts_len++];
        spec->has_mounts = true;
        *m = (oci_mount){
                .destination = sl_xstrdup(SL_NOTIFY_CONTAINER_DIR),
                .type = sl_xstrdup("bind"),
                .source = sl_xasprintf("%s/%s", state_dir, SL_NOTIFY_DIR),
                .options = sl_xcalloc(nopts, sizeof(char *)),
                .options_len = nopts,
                .has_options = true,
        };
        for (size_t i = 0; i < nopts; i++)
                m->options[i] = sl_xstrdup(opts[i]);
        p->env = sl_xrealloc(p->env, (p->env_len + 1) * sizeof(*p->env));
        p->env[p->env_len++] = sl_xstrdup("NOTIFY_SOCKET=" SL_NOTIFY_CONTAINER_DIR "/" SL_NOTIFY_SOCK);
        p->has_env = true;
        return 0;
}

int sl_notify_bind(int dirfd, sl_error *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int dfd = openat(dirfd, SL_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (dfd < 0 || fd < 0)
                return sl_err_sys(err, errno, "NOTIFY_SOCKET: open the notify dir");
        /* Bound through the dir's fd, so the path length of --root does not matter. */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, SL_NOTIFY_SOCK);
        unlinkat(dfd, SL_NOTIFY_SOCK, 0);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return sl_err_sys(err, errno, "NOTIFY_SOCKET: bind %s/%s", SL_NOTIFY_DIR, SL_NOTIFY_SOCK);
        /* The container's user may be anyone. */
        fchmodat(dfd, SL_NOTIFY_SOCK, 0777, 0);
        return SL_STEAL_FD(fd);
}

int sl_notify_relay(int sock, int pidfd, pid_t pid, const char *host_socket, sl_error *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[4096], out[4200];

        for (;;) {
                struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
                if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "NOTIFY_SOCKET: wait for READY=1");
                }
                if (p[1].revents)
                        return 0;  /* the container ended without being ready */
                ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "NOTIFY_SOCKET: read");
                }
                buf[n] = '\0';
                if (strstr(buf, "READY=1"))
                        break;
        }
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int len = snprintf(out, sizeof(out), "READY=1\nMAINPID=%d\n", (int)pid);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", host_socket);
        if (fd < 0 || sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return sl_err_sys(err, errno, "NOTIFY_SOCKET: send READY=1 to %s", host_socket);
        return 0;
}
