#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup.h"
#include "runtime/lib/container.h"
#include "runtime/lib/hooks.h"
#include "runtime/lib/init.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/mounts.h"
#include "runtime/lib/namespaces.h"
#include "runtime/lib/notify.h"
#include "runtime/lib/process.h"
#include "runtime/lib/seccomp.h"
#include "runtime/lib/signals.h"
#include "runtime/lib/state.h"
#include "runtime/lib/sync.h"
#include "runtime/lib/sysctl.h"
#include "runtime/lib/terminal.h"

/* clone3(2) has no glibc wrapper in Debian 12. */
struct sl_clone_args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
                set_tid, set_tid_size, cgroup;
};

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static pid_t clone_fork(unsigned long flags)
{
        struct sl_clone_args a = { .flags = flags, .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD };
        pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
        /* clone3 is ENOSYS before Linux 5.3, under seccomp profiles older
         * than it (Docker's default) and under valgrind: clone(2) without a
         * new stack forks the same way, for every flag but CLONE_NEWTIME,
         * whose bit the old call reads as part of the exit signal. */
        if (pid < 0 && errno == ENOSYS && !(flags & CLONE_NEWTIME))
                pid = (pid_t)syscall(SYS_clone, flags | (unsigned long)a.exit_signal, NULL, NULL, NULL, 0UL);
        return pid;
}

/* Everything one create needs, and what to undo when it fails. */
typedef struct creation {
        const sl_create_opts *o;
        oci_spec *spec;
        sl_ns_plan plan;
        sl_state_container st;
        char *bundle, *rootfs, *config_path, *cgroup_path;
        int rootfd, dirfd, sync_fd;
        pid_t pid;
        bool started;   /* run: START already queued for the init */
        bool defer_ready; /* run: may read READY only once the init is gone */
        bool ready_deferred; /* and did: run checks the init's report after it exits */
} creation;

/* The state with the init's pid and the cgroup it is about to get, saved
 * before the cgroup is made: a create killed during the setup then leaves
 * a state from which delete --force removes the cgroup. */
static int save_before_cgroup(creation *c, sl_error *err)
{
        _cleanup_free_ char *planned = NULL;
        if (sl_cgroup_path(c->o->id, c->spec, &planned, err) < 0)
                return -1;
        c->st.cgroup_path = planned;
        c->st.pid = c->pid;
        c->st.has_pid = true;
        c->st.pid_start_time = sl_proc_start_time(c->pid);
        c->st.has_pid_start_time = true;
        int r = sl_state_save(c->dirfd, &c->st, err);
        c->st.cgroup_path = NULL;
        return r;
}

/* When the init vanished without a word, its wait status says why (an
 * OOM kill under a tight memory limit, most often). */
static void explain_init_death(creation *c, sl_error *err)
{
        /* After EPIPE or ESRCH the init is gone or going; after another
         * failure (a cgroup write racing its OOM kill) only a dead one tells. */
        bool gone = err->code == EPIPE || err->code == ESRCH;
        int status;

        if (c->pid <= 0 || waitpid(c->pid, &status, gone ? 0 : WNOHANG) != c->pid)
                return;
        c->pid = 0;
        if (WIFSIGNALED(status))
                sl_err(err, EPIPE, "the container's init was killed by signal %d%s", WTERMSIG(status),
                       WTERMSIG(status) == SIGKILL && c->spec->linux && c->spec->linux->resources &&
                                       c->spec->linux->resources->memory
                               ? " (out of memory under linux.resources.memory.limit?)"
                               : "");
        else if (WIFEXITED(status) && gone && strstr(err->msg, "the container's init exited"))
                sl_err(err, EPIPE, "the container's init exited with status %d during create",
                       WEXITSTATUS(status));
}

static void creation_undo(creation *c)
{
        sl_error e;

        if (c->pid > 0) {
                kill(c->pid, SIGKILL);
                waitpid(c->pid, NULL, 0);
        }
        if (c->cgroup_path && sl_cgroup_destroy(c->cgroup_path, &e) < 0)
                sl_log_warn("create: clean up: %s", e.msg);
        if (c->dirfd >= 0 && sl_state_dir_remove(c->rootfd, c->o->id, &e) < 0)
                sl_log_warn("create: clean up: %s", e.msg);
}

static void creation_free(creation *c)
{
        sl_ns_close_joins(&c->plan);
        if (c->sync_fd >= 0)
                close(c->sync_fd);
        if (c->dirfd >= 0)
                close(c->dirfd);
        if (c->rootfd >= 0)
                close(c->rootfd);
        free(c->st.poststart);
        free(c->st.poststop);
        free(c->bundle);
        free(c->rootfs);
        free(c->config_path);
        free(c->cgroup_path);
        oci_spec_free(c->spec);
}

static int load_config(creation *c, sl_error *err)
{
        const sl_create_opts *o = c->o;
        const char *root_path;

        c->bundle = realpath(o->bundle ? o->bundle : ".", NULL);
        if (!c->bundle)
                return sl_err_sys(err, errno, "bundle \"%s\"", o->bundle ? o->bundle : ".");
        c->config_path = sl_xasprintf("%s/config.json", c->bundle);
        c->spec = oci_spec_parse_file(c->config_path, err);
        if (!c->spec)
                return -1;
        if (!c->spec->root || !c->spec->root->path)
                return sl_err(err, EINVAL, "%s: root.path: missing", c->config_path);
        root_path = c->spec->root->path;
        c->rootfs = root_path[0] == '/' ? sl_xstrdup(root_path)
                                        : sl_xasprintf("%s/%s", c->bundle, root_path);
        if (sl_process_validate(c->spec, err) < 0 || sl_ns_plan_from_spec(c->spec, &c->plan, err) < 0 ||
            sl_lsm_check(c->spec->process, err) < 0 || sl_sysctl_validate(c->spec, err) < 0)
                return sl_err_wrap(err, "%s", c->config_path);
        bool tty = c->spec->process->has_terminal && c->spec->process->terminal;
        if (tty && !o->console_socket)
                return sl_err(err, EINVAL, "%s: process.terminal: needs --console-socket", c->config_path);
        if (!tty && o->console_socket)
                return sl_err(err, EINVAL, "--console-socket: the config has no process.terminal");
        if (!c->plan.own_mount && c->spec->mounts_len)
                sl_log_warn("%s: mounts: not mounted, the container shares the host's mount namespace",
                            c->config_path);
        return 0;
}

/* oci_hook and sl_state_hook have the same members; the copy shares the
 * strings with the spec. */
static void copy_hooks(const oci_hook *from, size_t n, sl_state_hook **to, size_t *len, bool *has)
{
        if (!n)
                return;
        *to = sl_xcalloc(n, sizeof(**to));
        for (size_t i = 0; i < n; i++)
                (*to)[i] = (sl_state_hook){
                        .path = from[i].path,
                        .args = from[i].args, .args_len = from[i].args_len, .has_args = from[i].has_args,
                        .env = from[i].env, .env_len = from[i].env_len, .has_env = from[i].has_env,
                        .timeout = from[i].timeout, .has_timeout = from[i].has_timeout,
                };
        *len = n;
        *has = true;
}

static oci_hook to_oci_hook(const sl_state_hook *h)
{
        return (oci_hook){ .path = h->path, .args = h->args, .args_len = h->args_len,
                           .has_args = h->has_args, .env = h->env, .env_len = h->env_len,
                           .has_env = h->has_env, .timeout = h->timeout, .has_timeout = h->has_timeout };
}

/* Runs hooks kept in the state; failures only warn (poststart, poststop). */
static void run_state_hooks(const sl_state_container *st, const sl_state_hook *hooks, size_t n,
                            const char *stage, sl_status status)
{
        _cleanup_free_ char *json = NULL;
        sl_error e;

        if (!n)
                return;
        if (sl_state_oci_json(st, status, &json, &e) < 0) {
                sl_log_warn("%s", e.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                oci_hook hook = to_oci_hook(&hooks[i]);
                if (sl_hook_run(&hook, stage, i, json, &e) < 0)
                        sl_log_warn("%s", e.msg);
        }
}

static void fill_state(creation *c)
{
        const oci_hooks *h = c->spec->hooks;
        char created[SL_TIME_STR_MAX];

        sl_time_now_rfc3339(true, created);
        c->st = (sl_state_container){
                .oci_version = c->spec->oci_version,
                .id = (char *)c->o->id,
                .bundle = c->bundle,
                .rootfs = c->rootfs,
                .created = sl_xstrdup(created),
                .config_path = c->config_path,
                .own_pid_namespace = c->plan.new_pid,
                .has_own_pid_namespace = true,
                .annotations = c->spec->annotations,
        };
        if (h) {
                copy_hooks(h->poststart, h->poststart_len, &c->st.poststart, &c->st.poststart_len,
                           &c->st.has_poststart);
                copy_hooks(h->poststop, h->poststop_len, &c->st.poststop, &c->st.poststop_len,
                           &c->st.has_poststop);
        }
}

/* LISTEN_FDS from systemd socket activation, when meant for this process. */
static int listen_fds(void)
{
        const char *n = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
        if (!n || !pid || atoi(pid) != (int)getpid())
                return 0;
        return atoi(n) > 0 ? atoi(n) : 0;
}

/* Forks the init into its namespaces; returns its pid in the parent. */
static int spawn_init(creation *c, int child_fd, int fifo_fd, int console_fd, sl_error *err)
{
        sl_init_ctx ctx = {
                .spec = c->spec, .plan = &c->plan, .state = &c->st, .rootfs = c->rootfs,
                .sync_fd = child_fd, .fifo_fd = fifo_fd, .console_fd = console_fd,
                .listen_fds = listen_fds(), .preserve_fds = c->o->preserve_fds,
                .no_pivot = c->o->no_pivot, .no_new_keyring = c->o->no_new_keyring,
        };
        pid_t pid;
        int32_t init_pid;

        if (sl_ns_open_joins(&c->plan, err) < 0)
                return -1;
        if (!sl_ns_needs_intermediate(&c->plan)) {
                pid = clone_fork(c->plan.clone_flags);
                if (pid < 0)
                        return sl_err_sys(err, errno, "linux.namespaces: clone the init");
                if (pid == 0) {
                        close(c->sync_fd);
                        close(c->dirfd);  /* the create lock stays with create */
                        sl_init_main(&ctx);
                }
                c->pid = pid;
                return 0;
        }
        /* An intermediate joins and unshares what only children see, then
         * clones the init as the runtime's child (CLONE_PARENT). */
        pid = fork();
        if (pid < 0)
                return sl_err_sys(err, errno, "fork");
        if (pid == 0) {
                sl_error e = { 0 };
                pid_t init;
                close(c->sync_fd);
                close(c->dirfd);  /* the create lock stays with create */
                if (sl_ns_join_all(&c->plan, &e) < 0 ||
                    (c->plan.new_time && sl_ns_new_time(c->spec->linux, &e) < 0)) {
                        sl_sync_send_error(child_fd, &e);
                        _exit(1);
                }
                init = clone_fork(c->plan.clone_flags | CLONE_PARENT);
                if (init == 0) {
                        ctx.joined_already = true;
                        sl_init_main(&ctx);
                }
                if (init < 0) {
                        sl_err_sys(&e, errno, "linux.namespaces: clone the init");
                        sl_sync_send_error(child_fd, &e);
                        _exit(1);
                }
                sl_sync_send(child_fd, SL_SYNC_PID, init);
                _exit(0);
        }
        if (sl_sync_expect(c->sync_fd, SL_SYNC_PID, &init_pid, "namespaces", err) < 0) {
                waitpid(pid, NULL, 0);
                return -1;
        }
        waitpid(pid, NULL, 0);
        c->pid = init_pid;
        return 0;
}

static int run_runtime_hooks(creation *c, sl_error *err)
{
        const oci_hooks *h = c->spec->hooks;
        _cleanup_free_ char *json = NULL, *prestart_json = NULL;

        /* prestart is the legacy hook that runtime-spec 1.0 ran at start:
         * it is told "created" (as crun does, and the OCI validation suite
         * checks); createRuntime is told the truth, "creating". */
        if (sl_state_oci_json(&c->st, SL_STATUS_CREATING, &json, err) < 0 ||
            sl_state_oci_json(&c->st, SL_STATUS_CREATED, &prestart_json, err) < 0)
                return -1;
        if (sl_hooks_run(h->prestart, h->prestart_len, "prestart", prestart_json, err) < 0 ||
            sl_hooks_run(h->create_runtime, h->create_runtime_len, "createRuntime", json, err) < 0)
                return -1;
        return 0;
}

static int relay_seccomp_fd(creation *c, sl_error *err)
{
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int fd = -1;
        char buf[16];

        if (sl_unix_recv_fd(c->sync_fd, &fd, buf, sizeof(buf), err) < 0)
                return -1;
        if (fd < 0)
                return sl_err(err, EPROTO, "linux.seccomp: the init sent no listener fd");
        if (sl_state_oci_json(&c->st, SL_STATUS_CREATING, &json, err) < 0 ||
            sl_seccomp_send_notify_fd(c->spec->linux->seccomp, fd, json, err) < 0)
                return -1;
        return sl_sync_send(c->sync_fd, SL_SYNC_SECCOMP_DONE, 0) < 0
                       ? sl_err_sys(err, errno, "linux.seccomp: resume the init")
                       : 0;
}

/* The init may have died of its own error (a namespace it could not
 * join) before the runtime's step failed on the dead process: its message
 * says more than ours. */
static void init_error(creation *c, sl_error *err)
{
        struct pollfd p = { .fd = c->sync_fd, .events = POLLIN };
        sl_error child;

        if (poll(&p, 1, 0) == 1 && sl_sync_expect(c->sync_fd, SL_SYNC_READY, NULL, "init", &child) < 0 &&
            child.code != EPIPE)
                *err = child;
}

/* A hybrid host's cgroup2 tree (the unified hierarchy) may be hidden in
 * one mount namespace and visible in another: create leaves this mark in
 * the state dir when it made a cgroup2 directory, so that a delete that
 * cannot see the tree still removes it. */
#define CGROUP2_MARK "cgroup2"

static bool unified_visible(void)
{
        struct statfs sfs;

        return (statfs("/sys/fs/cgroup/unified", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) ||
               (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC);
}

static void mark_cgroup2(int dirfd)
{
        int fd;

        if (unified_visible() && (fd = openat(dirfd, CGROUP2_MARK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0)
                close(fd);
}

/* Builds the idmapped bind mounts the init cannot (sl_init_gets_mount_fds)
 * with the container's user namespace, and hands them over. */
static int send_mount_fds(creation *c, sl_error *err)
{
        _cleanup_close_ int nsfd = -1, bundlefd = -1;
        char path[64];
        int *fds = NULL, r = 0;

        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c->pid);
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return sl_err_sys(err, errno, "open the container's user namespace %s", path);
        bundlefd = open(c->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (bundlefd < 0)
                return sl_err_sys(err, errno, "bundle \"%s\"", c->bundle);
        if (sl_mounts_prepare_at(c->spec, bundlefd, nsfd, &fds, err) < 0)
                return -1;
        for (size_t i = 0; i < c->spec->mounts_len && r == 0; i++) {
                char idx[24];
                if (fds[i] < 0)
                        continue;
                snprintf(idx, sizeof(idx), "%zu", i);
                r = sl_unix_send_fd(c->sync_fd, fds[i], idx, strlen(idx) + 1, err);
        }
        sl_mounts_fds_free(fds, c->spec->mounts_len);
        return r < 0 ? sl_err_wrap(err, "hand the prepared mounts to the init") : 0;
}

/* The steps of create up to the init waiting for start; for `run` no exec
 * fifo is made, the init waits for a START message instead. */
static int create_steps(creation *c, bool use_fifo, sl_error *err)
{
        const sl_create_opts *o = c->o;
        const oci_linux *l;
        int sp[2];
        _cleanup_close_ int fifo_fd = -1, console_fd = -1;

        if (sl_state_check_id(o->id, err) < 0 || load_config(c, err) < 0)
                return -1;
        l = c->spec->linux;
        c->rootfd = sl_state_root_open(o->root, true, err);
        if (c->rootfd < 0)
                return -1;
        c->dirfd = sl_state_dir_create(c->rootfd, o->id, err);
        if (c->dirfd < 0)
                return -1;
        fill_state(c);
        c->st.notify_socket = (char *)sl_notify_socket_env();
        if (c->st.notify_socket) {
                _cleanup_free_ char *root_abs = realpath(o->root, NULL);
                _cleanup_free_ char *dir = root_abs ? sl_xasprintf("%s/%s", root_abs, o->id) : NULL;
                if (!dir)
                        return sl_err_sys(err, errno, "--root \"%s\"", o->root);
                if (sl_notify_setup_spec(c->spec, c->dirfd, dir, c->st.notify_socket, err) < 0)
                        return -1;
        }
        if (use_fifo) {
                if (mkfifoat(c->dirfd, SL_EXEC_FIFO, 0622) < 0)
                        return sl_err_sys(err, errno, "create exec fifo");
                fifo_fd = openat(c->dirfd, SL_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                if (fifo_fd < 0)
                        return sl_err_sys(err, errno, "open exec fifo");
        }
        if (o->console_socket) {
                console_fd = sl_unix_connect(o->console_socket, err);
                if (console_fd < 0)
                        return sl_err_wrap(err, "--console-socket");
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return sl_err_sys(err, errno, "socketpair");
        c->sync_fd = sp[0];
        int r = spawn_init(c, sp[1], fifo_fd, console_fd, err);
        close(sp[1]);
        sl_ns_close_joins(&c->plan);
        if (r < 0)
                return -1;

        if (c->plan.new_user && sl_ns_write_id_maps(c->pid, l, err) < 0)
                return -1;
        if (save_before_cgroup(c, err) < 0) {
                init_error(c, err);
                return -1;
        }
        if (sl_cgroup_setup(o->id, c->spec, c->pid, &c->cgroup_path, err) < 0) {
                init_error(c, err);
                return -1;
        }
        sl_log_debug("create %s: init pid %d, cgroup %s", o->id, (int)c->pid, c->cgroup_path);
        c->st.cgroup_path = c->cgroup_path;
        mark_cgroup2(c->dirfd);
        c->st.pid = c->pid;
        c->st.has_pid = true;
        c->st.pid_start_time = sl_proc_start_time(c->pid);
        c->st.has_pid_start_time = true;
        /* Saved before the init goes on, so that should this create be
         * killed, delete --force still finds the process and the cgroup. */
        if (!c->st.pid_start_time) {
                sl_err(err, ESRCH, "the container's init exited during create");
                init_error(c, err);
                return -1;
        }
        if (sl_state_save(c->dirfd, &c->st, err) < 0)
                return -1;
        if (sl_sync_send(c->sync_fd, SL_SYNC_GO, c->pid) < 0)
                return sl_err_sys(err, errno, "resume the init");
        if (sl_init_gets_mount_fds(c->spec, &c->plan) && send_mount_fds(c, err) < 0) {
                init_error(c, err);
                return -1;
        }
        if (sl_init_has_runtime_hooks(c->spec)) {
                if (sl_sync_expect(c->sync_fd, SL_SYNC_HOOKS, NULL, "init", err) < 0 ||
                    run_runtime_hooks(c, err) < 0)
                        return -1;
                if (sl_sync_send(c->sync_fd, SL_SYNC_HOOKS_DONE, 0) < 0)
                        return sl_err_sys(err, errno, "resume the init");
        }
        if (l && l->seccomp && sl_seccomp_spec_uses_notify(l->seccomp) && relay_seccomp_fd(c, err) < 0)
                return -1;
        /* run: START goes out with READY still to come, so the init execs
         * without waiting for another round trip; not with NOTIFY_SOCKET,
         * whose relay must be bound before the program runs. */
        if (!use_fifo && !c->st.notify_socket) {
                if (sl_sync_send(c->sync_fd, SL_SYNC_START, 0) < 0) {
                        /* The init may have failed its setup and closed its
                         * end already: its message is still ours to read. */
                        sl_err_sys(err, errno, "start the container");
                        init_error(c, err);
                        return -1;
                }
                c->started = true;
        }
        /* A foreground run without a pid file or poststart hooks has nothing
         * to do between READY and the program's exit: it sleeps until the
         * exit and reads READY (or the init's error) then, sparing a wakeup. */
        if (c->started && c->defer_ready && !o->pid_file && !(c->spec->hooks && c->spec->hooks->poststart_len)) {
                c->ready_deferred = true;
                return 0;
        }
        if (sl_sync_expect(c->sync_fd, SL_SYNC_READY, NULL, "init", err) < 0)
                return -1;
        sl_log_debug("create %s: init ready", o->id);
        if (o->pid_file && sl_pid_file_write(o->pid_file, c->pid, err) < 0)
                return -1;
        return 0;
}

static int create(creation *c, const sl_create_opts *o, bool use_fifo, sl_error *err)
{
        int r;

        *c = (creation){ .o = o, .rootfd = -1, .dirfd = -1, .sync_fd = -1,
                         .defer_ready = !use_fifo && !o->detach };
        r = create_steps(c, use_fifo, err);
        /* The primer is done once our own cgroup move was; after an early
         * failure it may still be in its write, and must not outlive us. */
        if (o->primer > 0)
                waitpid(o->primer, NULL, 0);
        if (r < 0) {
                explain_init_death(c, err);
                creation_undo(c);
                /* Kept verbatim: clients match runc's "container with id exists". */
                if (err->code == EEXIST && c->dirfd < 0)
                        return -1;
                return sl_err_wrap(err, "create");
        }
        /* Created: the container is no longer "creating". */
        flock(c->dirfd, LOCK_UN);
        return 0;
}

int sl_container_create(const sl_create_opts *o, sl_error *err)
{
        creation c;
        int r = create(&c, o, true, err);

        free(c.st.created);
        creation_free(&c);
        return r;
}

/* Polls until the init is gone; it need not be our child. */
static void wait_gone(const sl_state_container *st)
{
        int pfd = (int)syscall(SYS_pidfd_open, st->pid, 0);

        if (pfd >= 0 && sl_state_init_alive(st)) {
                struct pollfd p = { .fd = pfd, .events = POLLIN };
                while (poll(&p, 1, 10000) < 0 && errno == EINTR)
                        ;
        }
        if (pfd >= 0)
                close(pfd);
        for (int i = 0; i < 1000 && sl_state_init_alive(st); i++)
                usleep(1000);
}

/* Blocks until the container reports READY=1 (or its init is gone). */
static int relay_ready(int notify_fd, const sl_state_container *st, sl_error *err)
{
        _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
        return sl_notify_relay(notify_fd, pfd, st->pid, st->notify_socket, err);
}

int sl_container_start(const char *root, const char *id, sl_error *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1, fifo = -1, notify_fd = -1;
        sl_state_container *st = NULL;
        int r = -1;

        rootfd = sl_state_root_open(root, false, err);
        if (rootfd < 0 || sl_state_load(rootfd, id, &st, &dirfd, err) < 0)
                return -1;
        switch (sl_state_status(dirfd, st)) {
        case SL_STATUS_CREATED: break;
        case SL_STATUS_STOPPED: sl_err(err, EINVAL, "cannot start a container that has stopped"); goto out;
        case SL_STATUS_CREATING: sl_err(err, EINVAL, "cannot start a container that is still being created"); goto out;
        default: sl_err(err, EINVAL, "cannot start an already running container"); goto out;
        }
        if (st->notify_socket) {
                notify_fd = sl_notify_bind(dirfd, err);
                if (notify_fd < 0)
                        goto out;
        }
        /* Only the init holds the read end: ENXIO means it is gone. */
        fifo = openat(dirfd, SL_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0 || write(fifo, "0", 1) != 1) {
                if (errno == ENXIO || errno == EPIPE)
                        sl_err(err, ESRCH, "cannot start a container that has stopped");
                else
                        sl_err_sys(err, errno, "start: write the exec fifo");
                goto out;
        }
        unlinkat(dirfd, SL_EXEC_FIFO, 0);
        if (notify_fd >= 0 && relay_ready(notify_fd, st, err) < 0)
                goto out;
        /* Returns once the user program runs (the exec closes the init's
         * read end): a signal sent after start must reach the program, not
         * the init's own code, which as pid 1 without handlers would drop
         * it. poststart follows the exec too. */
        struct pollfd p = { .fd = fifo, .events = 0 };
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
        if (st->poststart_len)
                run_state_hooks(st, st->poststart, st->poststart_len, "poststart", SL_STATUS_RUNNING);
        r = 0;
out:
        sl_state_container_free(st);
        return r;
}

/* SIGKILL to the init through a pidfd checked against its start time. */
static void kill_init(const sl_state_container *st)
{
        _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, st->pid, 0);

        if (pfd >= 0 && sl_state_init_alive(st))
                syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
}

/* Signals the container's cgroup. The cgroup view may differ from
 * create's (a cgroup2 tree hidden then or now, another mount namespace):
 * when the recorded hierarchies cannot all be read, the visible ones are;
 * with a pid namespace of its own, SIGKILL to the init takes every process
 * in it anyway. */
static int kill_cgroup(const sl_state_container *st, int sig, sl_error *err)
{
        sl_error e = { 0 };

        if (sl_cgroup_kill_all(st->cgroup_path, sig, &e) == 0)
                return 0;
        sl_log_debug("kill %s: %s; signalling the processes this cgroup view shows", st->id, e.msg);
        if (sl_signal_cgroup_procs(st->cgroup_path, sig) > 0 || (sig == SIGKILL && st->own_pid_namespace))
                return 0;
        *err = e;
        return -1;
}

static int kill_everything(const sl_state_container *st, sl_error *err)
{
        /* The init first: its pid namespace goes with it, whatever the
         * cgroup view. */
        if (st->own_pid_namespace)
                kill_init(st);
        if (st->cgroup_path && kill_cgroup(st, SIGKILL, err) < 0)
                return -1;
        kill_init(st);
        wait_gone(st);
        return 0;
}

/* Created with the tree visible, deleted with it hidden: the directory is
 * reached through a detached cgroup2 mount of our own. */
static void remove_hidden_cgroup2(int rootfd, const sl_state_container *st)
{
        _cleanup_free_ char *mark = sl_xasprintf("%s/%s", st->id, CGROUP2_MARK);
        _cleanup_close_ int fsfd = -1, mfd = -1, dfd = -1;
        const char *rel = st->cgroup_path + 1;
        struct stat sb;

        if (!*rel || fstatat(rootfd, mark, &sb, 0) < 0 || unified_visible())
                return;
        fsfd = fsopen("cgroup2", FSOPEN_CLOEXEC);
        if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return;
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
        if (mfd < 0)
                return;
        /* Sub-cgroups the container made first, then its own. */
        dfd = openat(mfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(fcntl(dfd, F_DUPFD_CLOEXEC, 0)) : NULL;
        for (struct dirent *e; d && (e = readdir(d));)
                if (e->d_type == DT_DIR && e->d_name[0] != '.')
                        unlinkat(dfd, e->d_name, AT_REMOVEDIR);
        if (d)
                closedir(d);
        if (unlinkat(mfd, rel, AT_REMOVEDIR) == 0)
                sl_log_debug("removed the hidden cgroup2 directory %s", st->cgroup_path);
}

static int destroy(int rootfd, const sl_state_container *st, sl_error *err)
{
        sl_error e;

        if (!st->own_pid_namespace && st->cgroup_path && kill_cgroup(st, SIGKILL, &e) < 0)
                sl_log_warn("delete %s: %s", st->id, e.msg);
        if (st->cgroup_path && sl_cgroup_destroy(st->cgroup_path, err) < 0)
                return sl_err_wrap(err, "delete %s", st->id);
        if (st->cgroup_path && st->cgroup_path[0] == '/')
                remove_hidden_cgroup2(rootfd, st);
        if (sl_state_dir_remove(rootfd, st->id, err) < 0)
                return -1;
        run_state_hooks(st, st->poststop, st->poststop_len, "poststop", SL_STATUS_STOPPED);
        return 0;
}

/* delete --force while a create runs: killing its init makes the create
 * fail and undo what it made; what it leaves (if it dies too) is removed
 * here once its lock is free. */
static int stop_creating(int rootfd, int dirfd, const sl_state_container *st, sl_error *err)
{
        sl_state_container *now = NULL;
        _cleanup_close_ int fd = -1;
        int i, r;

        for (i = 0; i < 10000 && sl_state_creating(dirfd); i++) {
                if (st->pid > 0 && i % 100 == 0)
                        kill_init(st);
                usleep(1000);
        }
        if (i == 10000)
                return sl_err(err, EBUSY, "delete %s: its create still runs after 10 s", st->id);
        if (sl_state_load(rootfd, st->id, &now, &fd, err) < 0)
                return err->code == ENOENT ? sl_state_dir_remove(rootfd, st->id, err) : -1;
        r = kill_everything(now, err) < 0 ? -1 : destroy(rootfd, now, err);
        sl_state_container_free(now);
        return r;
}

int sl_container_delete(const char *root, const char *id, bool force, sl_error *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        sl_state_container *st = NULL;
        int r = -1;

        if (sl_state_check_id(id, err) < 0)
                return -1;
        rootfd = sl_state_root_open(root, false, err);
        if (rootfd < 0)
                return force && err->code == ENOENT ? 0 : -1;
        if (sl_state_load(rootfd, id, &st, &dirfd, err) < 0) {
                /* A create that was killed half-way leaves a dir without state. */
                if (force && err->code == ENOENT)
                        return sl_state_dir_remove(rootfd, id, err);
                return -1;
        }
        switch (sl_state_status(dirfd, st)) {
        case SL_STATUS_STOPPED:
                break;
        case SL_STATUS_CREATED:
                if (kill_everything(st, err) < 0)
                        goto out;
                break;
        case SL_STATUS_CREATING:
                if (!force) {
                        sl_err(err, EBUSY, "cannot delete container %s that is not stopped: creating", id);
                        goto out;
                }
                r = stop_creating(rootfd, dirfd, st, err);
                goto out;
        default:
                if (!force) {
                        sl_err(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                               sl_status_name(sl_state_status(dirfd, st)));
                        goto out;
                }
                if (kill_everything(st, err) < 0)
                        goto out;
        }
        r = destroy(rootfd, st, err);
out:
        sl_state_container_free(st);
        return r;
}

/* The init of a pid namespace only gets signals it handles; the kernel
 * drops the rest. Right after start the program may not have installed its
 * handlers yet (a shell's `trap` runs after it started), so a signal it is
 * about to catch would be lost: give it a moment (200 ms at most). A
 * program still busy starting up (running, not blocked) gets up to 50 ms
 * more to reach the wait or read where it expects signals. Then the signal
 * goes out regardless, as with runc. */
static void wait_for_handler(int dirfd, const sl_state_container *st, int sig)
{
        struct stat sb;
        struct timespec now;
        int i = 0, j = 0;

        /* Only a program that just started may still be installing its
         * handlers; start's removal of the exec fifo dates the state dir.
         * Later, an ignored signal is the program's choice: no delay. */
        clock_gettime(CLOCK_REALTIME, &now);
        if (fstat(dirfd, &sb) < 0 || now.tv_sec - sb.st_mtim.tv_sec > 2)
                return;
        while (i < 200 && sl_signal_unhandled(st->pid, sig))
                usleep(1000), i++;
        while (j < 50 && sl_proc_run_state(st->pid) == 'R')
                usleep(1000), j++;
        sl_log_debug("kill %s: waited %d ms for the init's handler, %d ms for it to block", st->id, i, j);
        if (sl_signal_unhandled(st->pid, sig))
                sl_log_debug("kill %s: the container's init has no handler for signal %d, so as pid 1 "
                            "of its pid namespace it ignores it", st->id, sig);
}

/* After SIGKILL the init counts as stopped once it is exiting (see
 * sl_proc_start_time), which follows the signal closely but not at once:
 * waiting for it lets `kill ID KILL; delete ID` work, as runc users expect. */
static void wait_exiting(const sl_state_container *st)
{
        for (int i = 0; i < 5000 && sl_state_init_alive(st); i++)
                usleep(1000);
}

int sl_container_kill(const char *root, const char *id, int sig, bool all, sl_error *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1, pfd = -1;
        sl_state_container *st = NULL;
        int r = -1;

        rootfd = sl_state_root_open(root, false, err);
        if (rootfd < 0 || sl_state_load(rootfd, id, &st, &dirfd, err) < 0)
                return -1;
        switch (sl_state_status(dirfd, st)) {
        case SL_STATUS_STOPPED: sl_err(err, ESRCH, "container not running"); goto out;
        case SL_STATUS_CREATING: sl_err(err, EBUSY, "container %s is still being created", id); goto out;
        default: break;
        }
        if (all && st->cgroup_path) {
                r = kill_cgroup(st, sig, err);
                if (r == 0 && sig == SIGKILL)
                        wait_exiting(st);
                goto out;
        }
        /* Through a pidfd checked against the start time, so a recycled pid
         * is never signalled. */
        pfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
        if (pfd < 0 || !sl_state_init_alive(st)) {
                sl_err(err, ESRCH, "container not running");
                goto out;
        }
        if (st->own_pid_namespace && sig != SIGKILL && sig != SIGSTOP)
                wait_for_handler(dirfd, st, sig);
        if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0) {
                sl_err_sys(err, errno, "kill %s", id);
                goto out;
        }
        /* A paused (v1-frozen) init dies of SIGKILL only once thawed. */
        if (sig == SIGKILL && st->cgroup_path && sl_cgroup_thaw_for_kill(st->cgroup_path, err) < 0)
                goto out;
        if (sig == SIGKILL)
                wait_exiting(st);
        r = 0;
out:
        sl_state_container_free(st);
        return r;
}

int sl_container_state(const char *root, const char *id, char **out, sl_error *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        sl_state_container *st = NULL;
        int r;

        rootfd = sl_state_root_open(root, false, err);
        if (rootfd < 0) {
                if (err->code == ENOENT)
                        sl_err(err, ENOENT, "container \"%s\" does not exist", id);
                return -1;
        }
        if (sl_state_load(rootfd, id, &st, &dirfd, err) < 0)
                return -1;
        r = sl_state_report_json(st, sl_state_status(dirfd, st), true, out, err);
        sl_state_container_free(st);
        return r;
}

static int info_cmp(const void *a, const void *b)
{
        return strcmp(((const sl_container_info *)a)->id, ((const sl_container_info *)b)->id);
}

int sl_container_list(const char *root, sl_container_info **out, size_t *n, sl_error *err)
{
        _cleanup_closedir_ DIR *d = NULL;
        sl_container_info *v = NULL;
        struct dirent *e;
        size_t len = 0;
        int rootfd;

        *out = NULL;
        *n = 0;
        rootfd = sl_state_root_open(root, false, err);
        if (rootfd < 0)
                return err->code == ENOENT ? 0 : -1;
        d = fdopendir(rootfd);
        if (!d) {
                close(rootfd);
                return sl_err_sys(err, errno, "list %s", root);
        }
        while ((e = readdir(d))) {
                sl_state_container *st = NULL;
                int cfd = -1;
                sl_error ignored;
                if (e->d_name[0] == '.' || sl_state_load(dirfd(d), e->d_name, &st, &cfd, &ignored) < 0)
                        continue;
                sl_status s = sl_state_status(cfd, st);
                close(cfd);
                v = sl_xrealloc(v, (len + 1) * sizeof(*v));
                v[len] = (sl_container_info){
                        .id = sl_xstrdup(st->id), .status = sl_xstrdup(sl_status_name(s)),
                        .bundle = sl_xstrdup(st->bundle), .created = sl_xstrdup(st->created),
                        .pid = s == SL_STATUS_STOPPED ? 0 : st->pid,
                };
                if (sl_state_report_json(st, s, false, &v[len].json, &ignored) < 0)
                        v[len].json = sl_xstrdup("{}");
                len++;
                sl_state_container_free(st);
        }
        if (len)
                qsort(v, len, sizeof(*v), info_cmp);
        *out = v;
        *n = len;
        return 0;
}

void sl_container_list_free(sl_container_info *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].id);
                free(v[i].status);
                free(v[i].bundle);
                free(v[i].created);
                free(v[i].json);
        }
        free(v);
}

int sl_container_run(const sl_create_opts *o, int *exit_code, sl_error *err)
{
        _cleanup_close_ int notify_fd = -1;
        creation c;
        int status, r = -1;
        pid_t w;

        *exit_code = 255;
        if (create(&c, o, false, err) < 0)
                goto out;
        if (!o->detach && sl_signals_forward_to(c.pid, err) < 0)
                goto fail;
        if (c.st.notify_socket) {
                notify_fd = sl_notify_bind(c.dirfd, err);
                if (notify_fd < 0)
                        goto fail;
        }
        if (!c.started && sl_sync_send(c.sync_fd, SL_SYNC_START, 0) < 0) {
                sl_err_sys(err, errno, "start the container");
                goto fail;
        }
        if (notify_fd >= 0 && relay_ready(notify_fd, &c.st, err) < 0)
                goto fail;
        /* As with start, a detached run returns once the program runs (the
         * exec closes the init's end), and poststart follows the exec; a
         * foreground run has nothing to wait for but the exit. */
        if (o->detach || c.st.poststart_len) {
                char b;
                while (recv(c.sync_fd, &b, 1, 0) < 0 && errno == EINTR)
                        ;
        }
        if (c.st.poststart_len)
                run_state_hooks(&c.st, c.st.poststart, c.st.poststart_len, "poststart", SL_STATUS_RUNNING);
        if (o->detach) {
                *exit_code = 0;
                r = 0;
                goto out;
        }
        do
                w = waitpid(c.pid, &status, 0);
        while (w < 0 && errno == EINTR);
        sl_signals_reset();
        if (w < 0) {
                sl_err_sys(err, errno, "wait for the container");
                goto out;
        }
        c.pid = 0;
        if (c.ready_deferred && sl_sync_expect(c.sync_fd, SL_SYNC_READY, NULL, "init", err) < 0) {
                /* The init failed its setup (or died in it): a failed create. */
                const oci_linux *l = c.spec->linux;
                if (err->code == EPIPE && WIFSIGNALED(status))
                        sl_err(err, EPIPE, "the container's init was killed by signal %d%s", WTERMSIG(status),
                               WTERMSIG(status) == SIGKILL && l && l->resources && l->resources->memory
                                       ? " (out of memory under linux.resources.memory.limit?)" : "");
                else if (err->code == EPIPE)
                        sl_err(err, EPIPE, "the container's init exited with status %d during create",
                               WEXITSTATUS(status));
                sl_err_wrap(err, "create");
                goto fail;
        }
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r = destroy(c.rootfd, &c.st, err);
        goto out;
fail:
        creation_undo(&c);
out:
        free(c.st.created);
        creation_free(&c);
        return r;
}
