/* The exec'd process before its execve: it enters the container and goes
 * through the launch path the init uses (process.c). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "runtime/lib/cgroup.h"
#include "runtime/lib/exec-internal.h"
#include "runtime/lib/process.h"
#include "runtime/lib/sync.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

/* In the child, before it has left the host: cgroup, namespaces, root. */
static int enter_container(sl_exec_run *x, sl_error *err)
{
        /* The cgroup first, so the cgroup namespace's view starts at it. */
        if (x->cgroup && sl_cgroup_enter(x->cgroup, 0, err) < 0)
                return -1;
        /* One call through the pidfd: the kernel enters the user namespace
         * first, so the others are joined with its privileges. */
        if ((x->ns_flags & ~CLONE_NEWPID) && setns(x->pidfd, x->ns_flags & ~CLONE_NEWPID) < 0)
                return sl_err_sys(err, errno, "join the container's namespaces");
        if (fchdir(x->rootfd) < 0 || chroot(".") < 0)
                return sl_err_sys(err, errno, "enter the container's root");
        close(x->rootfd);
        x->rootfd = -1;
        close(x->pidfd);
        x->pidfd = -1;
        if ((x->ns_flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
                return sl_err_sys(err, errno, "user namespace: become uid 0 (is it mapped?)");
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
                return sl_err_sys(err, errno, "create session keyring");
        return 0;
}

__attribute__((noreturn)) void sl_exec_child_main(sl_exec_run *x, int sync_fd)
{
        const oci_linux *l = x->spec->linux;
        sl_process_launch launch = {
                .p = x->proc,
                .seccomp = l ? l->seccomp : NULL,
                .seccomp_bpf = x->bpf.prog.filter ? &x->bpf.prog : NULL,
                .seccomp_bpf_flags = x->bpf.flags,
                .sync_fd = sync_fd,
                .console_fd = x->console_fd,
                .listen_fds = x->listen_fds,
                .preserve_fds = x->o->preserve_fds,
                .clear_pdeathsig = true,
        };
        struct pollfd peer = { .fd = sync_fd, .events = POLLIN };
        sl_error err = { 0 };

        /* Until execve makes it an ordinary process again, nothing in the
         * container may ptrace it and take what it holds of the host (its
         * root fd, the state dir: CVE-2016-9962); the state dir is not
         * needed here at all. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                sl_err_sys(&err, errno, "prctl(PR_SET_DUMPABLE)");
                goto fail;
        }
        /* Should exec die (a manager's timeout) before the program runs,
         * the half-set-up process must not go on alone. The parent sits in
         * another pid namespace, so its death shows on the socket, not in
         * getppid(). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
            (poll(&peer, 1, 0) == 1 && (peer.revents & POLLHUP)))
                _exit(255);
        close(x->state_dir);
        close(x->state_root);
        x->state_dir = x->state_root = -1;
        x->console_fd = -1;  /* prepare closes it */
        if (enter_container(x, &err) < 0 || sl_process_apply_early(x->proc, l, &err) < 0 ||
            sl_process_prepare(&launch, &err) < 0 || sl_process_exec(&launch, &err) < 0)
                sl_err_wrap(&err, "unable to start container process");
fail:
        if (sl_sync_send_error(sync_fd, &err) < 0)
                sl_log_error("exec failed: %s", err.msg);
        _exit(255);
}
