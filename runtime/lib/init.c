#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/lib/caps.h"
#include "runtime/lib/devices.h"
#include "runtime/lib/hooks.h"
#include "runtime/lib/init.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/mounts.h"
#include "runtime/lib/process.h"
#include "runtime/lib/rootfs.h"
#include "runtime/lib/seccomp.h"
#include "runtime/lib/sync.h"
#include "runtime/lib/terminal.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

bool sl_init_has_runtime_hooks(const oci_spec *spec)
{
        return spec->hooks && (spec->hooks->prestart_len || spec->hooks->create_runtime_len);
}

/* Once READY was sent the runtime may be gone: errors go to stderr. */
__attribute__((noreturn)) static void fail(sl_init_ctx *ctx, bool ready, sl_error *err)
{
        if (!ready && sl_sync_send_error(ctx->sync_fd, err) == 0)
                _exit(1);
        /* The runtime's log destination is still ours until exec. */
        sl_log_error("container init: %s", err->msg);
        _exit(ready ? 127 : 1);
}

static int run_container_hooks(sl_init_ctx *ctx, const oci_hook *hooks, size_t n,
                               const char *stage, sl_status status, sl_error *err)
{
        _cleanup_free_ char *json = NULL;

        if (!n)
                return 0;
        if (sl_state_oci_json(ctx->state, status, &json, err) < 0)
                return -1;
        return sl_hooks_run(hooks, n, stage, json, err);
}

/* Waits for `start`: the init holds the exec fifo's read end (opened by
 * the runtime, so no path into the host is needed after pivot_root, and
 * no /proc access that a user switch could forbid); start opens the write
 * end and writes a byte. With no writer yet, poll reports nothing. */
static int wait_for_start(sl_init_ctx *ctx, sl_error *err)
{
        struct pollfd p = { .fd = ctx->fifo_fd, .events = POLLIN };
        char c;
        int32_t dummy;

        if (ctx->fifo_fd < 0)
                return sl_sync_expect(ctx->sync_fd, SL_SYNC_START, &dummy, "wait for start", err);
        while (poll(&p, 1, -1) < 0)
                if (errno != EINTR)
                        return sl_err_sys(err, errno, "wait on the exec fifo");
        if (read(ctx->fifo_fd, &c, 1) != 1)
                return sl_err(err, EPIPE, "start went away without starting the container");
        /* Left open: the exec closes it (close-on-exec), which tells start
         * the user program runs. */
        return 0;
}

/* Like runc, a missing process.cwd is created (images name a WORKDIR that
 * may not exist yet); now, while the root may still be written, resolved
 * inside it. */
static int make_cwd(sl_init_ctx *ctx, sl_error *err)
{
        const char *cwd = ctx->spec->process->cwd;
        _cleanup_close_ int rootfd = -1, dirfd = -1;

        if (strcmp(cwd, "/") == 0)
                return 0;
        rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return sl_err_sys(err, errno, "open rootfs \"%s\"", ctx->rootfs);
        dirfd = sl_mkdirs_in_root(rootfd, cwd, 0755, err);
        if (dirfd < 0)
                return sl_err_wrap(err, "process.cwd");
        return 0;
}

/* Mounts are made, pivot_root is next: where runtime-spec runs the
 * prestart and createRuntime hooks (in the runtime, which we wait for) and
 * then the createContainer hooks (here, in the container's namespaces). */
static int before_pivot(void *arg, sl_error *err)
{
        sl_init_ctx *ctx = arg;
        const oci_hooks *h = ctx->spec->hooks;

        if (make_cwd(ctx, err) < 0)
                return -1;
        if (sl_init_has_runtime_hooks(ctx->spec)) {
                if (sl_sync_send(ctx->sync_fd, SL_SYNC_HOOKS, 0) < 0)
                        return sl_err_sys(err, errno, "ask the runtime to run createRuntime hooks");
                if (sl_sync_expect(ctx->sync_fd, SL_SYNC_HOOKS_DONE, NULL, "init", err) < 0)
                        _exit(1);  /* the runtime reports its hook's failure itself */
        }
        if (h)
                return run_container_hooks(ctx, h->create_container, h->create_container_len,
                                           "createContainer", SL_STATUS_CREATING, err);
        return 0;
}

/* Without a mount namespace of its own the container shares the host's
 * mounts: nothing may be mounted, so the rootfs is only chrooted into
 * (what runc does too); mounts[] cannot be honoured then. */
static int chroot_only(const char *rootfs, sl_error *err)
{
        if (chroot(rootfs) < 0)
                return sl_err_sys(err, errno, "chroot to rootfs \"%s\" (no mount namespace)", rootfs);
        if (chdir("/") < 0)
                return sl_err_sys(err, errno, "chdir / in the rootfs");
        return 0;
}

/* Whether the runtime prepares the idmapped bind mounts (the init, in the
 * container's user namespace, has no rights over their filesystems);
 * both sides decide it from the config alone. */
bool sl_init_gets_mount_fds(const oci_spec *spec, const sl_ns_plan *plan)
{
        if (!plan->own_mount || !(plan->new_user || plan->join_user))
                return false;
        for (size_t i = 0; i < spec->mounts_len; i++)
                if (sl_mount_is_prepared(&spec->mounts[i]))
                        return true;
        return false;
}

/* The runtime's prepared mounts, one message per mounts[] index that
 * sl_mount_is_prepared picks, in order, each carrying its index. */
static int receive_mount_fds(sl_init_ctx *ctx, int **out, sl_error *err)
{
        const oci_spec *spec = ctx->spec;
        int *fds = sl_xmalloc(spec->mounts_len * sizeof(*fds));

        for (size_t i = 0; i < spec->mounts_len; i++)
                fds[i] = -1;
        for (size_t i = 0; i < spec->mounts_len; i++) {
                char buf[16];
                if (!sl_mount_is_prepared(&spec->mounts[i]))
                        continue;
                if (sl_unix_recv_fd(ctx->sync_fd, &fds[i], buf, sizeof(buf), err) < 0 || fds[i] < 0 ||
                    strtoul(buf, NULL, 10) != i) {
                        sl_mounts_fds_free(fds, spec->mounts_len);
                        return err->code ? sl_err_wrap(err, "mounts[%zu]: receive the prepared mount", i)
                                         : sl_err(err, EPROTO, "mounts[%zu]: the runtime sent no prepared mount", i);
                }
        }
        *out = fds;
        return 0;
}

__attribute__((noreturn)) void sl_init_main(sl_init_ctx *ctx)
{
        const oci_spec *spec = ctx->spec;
        const oci_process *p = spec->process;
        const oci_hooks *h = spec->hooks;
        const oci_linux_seccomp *sc = spec->linux ? spec->linux->seccomp : NULL;
        int32_t pid;
        sl_error err = { 0 };

        if (!ctx->joined_already && ctx->plan->n_join && sl_ns_join_all(ctx->plan, &err) < 0)
                fail(ctx, false, &err);
        if (sl_sync_expect(ctx->sync_fd, SL_SYNC_GO, &pid, "init", &err) < 0)
                _exit(1);  /* the runtime gave up and reports why itself */
        ctx->state->pid = pid;

        if ((ctx->plan->new_user || ctx->plan->join_user) &&
            (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
                sl_err_sys(&err, errno, "user namespace: become uid 0 (is it mapped?)");
                fail(ctx, false, &err);
        }
        if (ctx->plan->new_cgroup && unshare(CLONE_NEWCGROUP) < 0) {
                sl_err_sys(&err, errno, "linux.namespaces: create cgroup namespace");
                fail(ctx, false, &err);
        }
        if (sl_process_apply_early(p, spec->linux, &err) < 0 ||
            sl_process_set_hostname(spec, ctx->plan->own_uts, &err) < 0)
                fail(ctx, false, &err);
        if (!ctx->no_new_keyring &&
            syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS) {
                sl_err_sys(&err, errno, "create session keyring");
                fail(ctx, false, &err);
        }
        /* Relative bind sources name files in the bundle (runc runs from
         * it); a joined mount namespace may lack it, so only a relative
         * source that then fails to open reports the problem. */
        if (ctx->state->bundle && chdir(ctx->state->bundle) < 0)
                sl_log_debug("chdir to the bundle %s: %s", ctx->state->bundle, strerror(errno));
        if (ctx->plan->own_mount) {
                sl_rootfs_callbacks cb = { .before_pivot = before_pivot, .arg = ctx };
                int *mount_fds = NULL;
                if (sl_init_gets_mount_fds(spec, ctx->plan) && receive_mount_fds(ctx, &mount_fds, &err) < 0)
                        fail(ctx, false, &err);
                cb.mount_fds = mount_fds;
                if (sl_rootfs_setup_with(spec, ctx->rootfs, ctx->no_pivot, &cb, &err) < 0)
                        fail(ctx, false, &err);
                sl_mounts_fds_free(mount_fds, spec->mounts_len);
        } else if (before_pivot(ctx, &err) < 0 || chroot_only(ctx->rootfs, &err) < 0) {
                fail(ctx, false, &err);
        }

        /* From here on the same path as a process exec starts. */
        sl_process_launch launch = {
                .p = p, .seccomp = sc, .sync_fd = ctx->sync_fd, .console_fd = ctx->console_fd,
                /* /dev/console is the pty too, as programs that log to
                 * the console expect (runc does the same). */
                .console_bind = ctx->plan->own_mount,
                .listen_fds = ctx->listen_fds, .preserve_fds = ctx->preserve_fds,
        };
        ctx->console_fd = -1;
        if (sl_process_prepare(&launch, &err) < 0)
                fail(ctx, false, &err);

        if (sl_sync_send(ctx->sync_fd, SL_SYNC_READY, 0) < 0)
                _exit(1);
        if (wait_for_start(ctx, &err) < 0)
                fail(ctx, true, &err);
        if (h && run_container_hooks(ctx, h->start_container, h->start_container_len,
                                     "startContainer", SL_STATUS_CREATED, &err) < 0)
                fail(ctx, true, &err);
        sl_process_exec(&launch, &err);
        fail(ctx, true, &err);
}
