/* sloika exec, the runtime side: checks, what to join, the fork, waiting;
 * exec-child.c is the child that becomes the container process. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup.h"
#include "runtime/lib/exec-internal.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/namespaces.h"
#include "runtime/lib/process.h"
#include "runtime/lib/seccomp.h"
#include "runtime/lib/signals.h"
#include "runtime/lib/state.h"
#include "runtime/lib/sync.h"
#include "runtime/lib/terminal.h"

static void run_free(sl_exec_run *x)
{
        int *fds[] = { &x->state_root, &x->state_dir, &x->pidfd, &x->rootfd, &x->console_fd,
                       &x->sync_fd, &x->relay_fd };
        for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
                if (*fds[i] >= 0)
                        close(*fds[i]);
        free(x->cgroup);
        sl_exec_bpf_free(&x->bpf);
        oci_process_free(x->proc);
        oci_spec_free(x->spec);
        sl_state_container_free(x->st);
}

/* LISTEN_FDS from systemd socket activation, when meant for this process. */
static int listen_fds(void)
{
        const char *n = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
        if (!n || !pid || atoi(pid) != (int)getpid())
                return 0;
        return atoi(n) > 0 ? atoi(n) : 0;
}

/* The fds handed down must be the caller's: were one missing, an fd of
 * ours (the container's root, its pidfd) would take its number and leak. */
static int check_passed_fds(int n, sl_error *err)
{
        for (int fd = 3; fd < 3 + n; fd++)
                if (fcntl(fd, F_GETFD) < 0)
                        return sl_err(err, EBADF, "--preserve-fds: fd %d is not open", fd);
        return 0;
}

static int load_container(sl_exec_run *x, sl_error *err)
{
        const sl_exec_opts *o = x->o;

        if (sl_state_check_id(o->id, err) < 0)
                return -1;
        x->state_root = open(o->root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (x->state_root < 0) {
                if (errno == ENOENT)
                        return sl_err(err, ENOENT, "container \"%s\" does not exist", o->id);
                return sl_err_sys(err, errno, "open state root \"%s\"", o->root);
        }
        if (sl_state_load(x->state_root, o->id, &x->st, &x->state_dir, err) < 0)
                return -1;
        /* Opened before the status check: if that finds the init alive
         * (same start time), the pidfd is that process, not a recycled pid. */
        x->pidfd = (int)syscall(SYS_pidfd_open, x->st->pid, 0);
        switch (sl_state_status(x->state_dir, x->st)) {
        case SL_STATUS_STOPPED:
                return sl_err(err, ESRCH, "cannot exec in a stopped container");
        case SL_STATUS_CREATING:
                /* Its mounts, cgroup and security setup are not done yet. */
                return sl_err(err, EBUSY, "cannot exec in a container that is still being created");
        case SL_STATUS_PAUSED:
                if (!o->ignore_paused)
                        return sl_err(err, EBUSY,
                                      "cannot exec in a paused container (use --ignore-paused to override)");
                break;
        default:
                break;
        }
        if (x->pidfd < 0)
                return sl_err(err, ESRCH, "cannot exec in a stopped container");
        return 0;
}

static int load_process(sl_exec_run *x, sl_error *err)
{
        const sl_exec_opts *o = x->o;
        const oci_process *p;

        x->spec = oci_spec_parse_file(x->st->config_path, err);
        if (!x->spec)
                return -1;
        x->proc = sl_exec_build_process(o, x->spec, err);
        if (!x->proc)
                return -1;
        p = x->proc;
        if (sl_lsm_check(p, err) < 0)
                return o->process_file ? sl_err_wrap(err, "%s", o->process_file) : -1;
        if (p->has_terminal && p->terminal && !o->console_socket && o->detach)
                return sl_err(err, EINVAL, "process.terminal (--tty) with --detach: needs --console-socket");
        if (o->console_socket && !(p->has_terminal && p->terminal) && !o->detach)
                return sl_err(err, EINVAL,
                              "cannot use console socket if the runtime will not detach or allocate tty");
        if (x->spec->linux && x->spec->linux->seccomp &&
            sl_exec_seccomp_get(x->state_dir, x->st->config_path, x->spec->linux->seccomp, &x->bpf, err) < 0)
                return sl_err_wrap(err, "%s", x->st->config_path);
        return 0;
}

/* --cgroup SUB: runc 1.1's sub-cgroup of the container's, the same path
 * in every hierarchy. */
static int pick_cgroup(sl_exec_run *x, sl_error *err)
{
        const char *sub = x->o->cgroup, *base = x->st->cgroup_path;

        if (!sub) {
                x->cgroup = base ? sl_xstrdup(base) : NULL;
                return 0;
        }
        if (strchr(sub, ':'))
                return sl_err(err, ENOTSUP, "--cgroup \"%s\": per-controller sub-cgroups are not supported; "
                                            "give one path for every controller", sub);
        if (!base)
                return sl_err(err, ENOENT, "--cgroup \"%s\": the container has no cgroup", sub);
        if (strchr(base, ';') || strchr(base, ':'))
                return sl_err(err, ENOTSUP, "--cgroup \"%s\": the container's cgroup differs per controller", sub);
        while (*sub == '/')
                sub++;
        if (!*sub || strcmp(sub, "..") == 0 || strncmp(sub, "../", 3) == 0 || strstr(sub, "/../") ||
            (strlen(sub) >= 3 && strcmp(sub + strlen(sub) - 3, "/..") == 0))
                return sl_err(err, EINVAL, "--cgroup \"%s\": must name a cgroup below the container's", x->o->cgroup);
        x->cgroup = sl_xasprintf("%s/%s", base, sub);
        return 0;
}

/* The init's namespaces that are not ours already (a shared one needs no
 * joining), and its root. */
static int pick_namespaces(sl_exec_run *x, sl_error *err)
{
        char path[64];

        if (sl_ns_differing(x->st->pid, &x->ns_flags, err) < 0)
                return sl_err_wrap(err, "cannot exec in a stopped container");
        /* Its root as the init sees it: the pivoted root, or the chroot
         * of a --no-pivot or mount-namespace-less container. */
        snprintf(path, sizeof(path), "/proc/%d/root", (int)x->st->pid);
        x->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (x->rootfd < 0)
                return sl_err_sys(err, errno, "open the container's root %s", path);
        /* All of it read through /proc/PID: only valid if the init is
         * still the same process. */
        if (!sl_state_init_alive(x->st))
                return sl_err(err, ESRCH, "cannot exec in a stopped container");
        return 0;
}

/* A seccomp listener fd from the child goes to linux.seccomp.listenerPath
 * with the container's state, as for the init. */
static int relay_seccomp(sl_exec_run *x, int fd, sl_error *err)
{
        _cleanup_free_ char *json = NULL;
        sl_state_container st = *x->st;
        int r;

        /* The agent is told the pid of the process the filter is on (as
         * runc does for exec). */
        st.pid = x->child;
        r = sl_state_oci_json(&st, SL_STATUS_RUNNING, &json, err);
        if (r == 0)
                r = sl_seccomp_send_notify_fd(x->spec->linux->seccomp, fd, json, err);
        close(fd);
        if (r < 0)
                return -1;
        if (sl_sync_send(x->sync_fd, SL_SYNC_SECCOMP_DONE, 0) < 0)
                return sl_err_sys(err, errno, "linux.seccomp: resume the process");
        return 0;
}

/* Until the child's end closes: its execve (close-on-exec) or its exit
 * after an error record. */
static int await_exec(sl_exec_run *x, sl_error *err)
{
        for (;;) {
                sl_sync_msg m;
                int fd = -1;
                int n = sl_unix_recv_fd(x->sync_fd, &fd, (char *)&m, sizeof(m), err);
                if (n < 0)
                        return -1;
                if (fd >= 0) {
                        if (relay_seccomp(x, fd, err) < 0)
                                return -1;
                        continue;
                }
                if (n == 0)
                        return 0;
                if (n >= (int)offsetof(sl_sync_msg, text) && m.type == SL_SYNC_ERROR)
                        return sl_err(err, m.value, "%s", m.text);
                return sl_err(err, EPROTO, "unexpected message %u from the exec'd process", m.type);
        }
}

/* A pid namespace applies to children only: ours switches for the fork
 * and back right after, so nothing else we fork (sanitizer helpers) lands
 * in the container. */
static int spawn(sl_exec_run *x, sl_error *err)
{
        _cleanup_close_ int own_pidns = -1;
        int sp[2];

        if (x->ns_flags & CLONE_NEWPID) {
                own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (own_pidns < 0)
                        return sl_err_sys(err, errno, "open /proc/self/ns/pid");
                if (setns(x->pidfd, CLONE_NEWPID) < 0)
                        return sl_err_sys(err, errno, "join the container's pid namespace");
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return sl_err_sys(err, errno, "socketpair");
        x->child = fork();
        if (x->child == 0) {
                close(sp[0]);
                sl_exec_child_main(x, sp[1]);
        }
        int e = errno;
        close(sp[1]);
        x->sync_fd = sp[0];
        if (own_pidns >= 0 && setns(own_pidns, CLONE_NEWPID) < 0)
                sl_log_warn("exec: return to our pid namespace: %s", strerror(errno));
        if (x->child < 0) {
                /* The namespace's init died: the kernel allows no new process. */
                if (e == ENOMEM && (x->ns_flags & CLONE_NEWPID))
                        return sl_err(err, ESRCH, "cannot exec in a stopped container");
                return sl_err_sys(err, e, "fork");
        }
        return 0;
}

static void reap_failed(sl_exec_run *x)
{
        if (x->child <= 0)
                return;
        kill(x->child, SIGKILL);
        while (waitpid(x->child, NULL, 0) < 0 && errno == EINTR)
                ;
        x->child = 0;
}

static int run(sl_exec_run *x, int *exit_code, sl_error *err)
{
        const sl_exec_opts *o = x->o;
        int status;
        pid_t w;

        x->listen_fds = listen_fds();
        if (check_passed_fds(x->listen_fds + o->preserve_fds, err) < 0 || load_container(x, err) < 0 ||
            load_process(x, err) < 0 || pick_cgroup(x, err) < 0 || pick_namespaces(x, err) < 0)
                return -1;
        if (o->console_socket && x->proc->terminal) {
                x->console_fd = sl_unix_connect(o->console_socket, err);
                if (x->console_fd < 0)
                        return sl_err_wrap(err, "--console-socket");
        } else if (x->proc->terminal) {
                /* The master comes to us, over a console socket of our own. */
                int sp[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                        return sl_err_sys(err, errno, "--tty: socketpair");
                x->relay_fd = sp[0];
                x->console_fd = sp[1];
                sl_exec_tty_prepare(&x->tty, x->proc);
        }
        if (spawn(x, err) < 0)
                return -1;
        if (x->console_fd >= 0) {
                close(x->console_fd);
                x->console_fd = -1;
        }
        if (!o->detach && sl_signals_forward_to(x->child, err) < 0)
                return -1;
        if (await_exec(x, err) < 0 || (o->pid_file && sl_pid_file_write(o->pid_file, x->child, err) < 0))
                return -1;
        sl_log_debug("exec %s: process %d started", o->id, (int)x->child);
        if (o->detach) {
                *exit_code = 0;
                return 0;
        }
        if (x->relay_fd >= 0) {
                char name[64];
                _cleanup_close_ int master = -1;
                if (sl_unix_recv_fd(x->relay_fd, &master, name, sizeof(name), err) < 0)
                        return sl_err_wrap(err, "--tty: receive the pty master");
                if (master < 0)
                        return sl_err(err, EPROTO, "--tty: the process sent no pty master");
                if (sl_exec_tty_relay(master, x->child, &status, err) < 0)
                        return -1;
                w = x->child;
        } else {
                do
                        w = waitpid(x->child, &status, 0);
                while (w < 0 && errno == EINTR);
        }
        sl_signals_reset();
        if (w < 0)
                return sl_err_sys(err, errno, "wait for the exec'd process");
        x->child = 0;
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

int sl_exec(const sl_exec_opts *o, int *exit_code, sl_error *err)
{
        sl_exec_run x = { .o = o, .state_root = -1, .state_dir = -1, .pidfd = -1, .rootfd = -1,
                       .console_fd = -1, .sync_fd = -1, .relay_fd = -1 };
        int r;

        *exit_code = 255;
        r = run(&x, exit_code, err);
        if (o->primer > 0)
                waitpid(o->primer, NULL, 0);
        sl_exec_tty_restore(&x.tty);
        if (r < 0) {
                sl_signals_reset();
                reap_failed(&x);
                *exit_code = 255;
                sl_err_wrap(err, "exec failed");
        }
        run_free(&x);
        return r;
}
