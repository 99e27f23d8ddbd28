#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/dockerfile/command.h"
#include "builder/exec/outtail.h"
#include "builder/expand.h"
#include "builder/exec/mountpoints.h"
#include "builder/exec/overlay.h"
#include "builder/exec/run.h"
#include "builder/exec/spec.h"
#include "builder/exec/users.h"
#include "builder/layer/fsutil.h"
#include "common/atomicfile.h"
#include "common/cleanup.h"
#include "common/digest.h"
#include "common/path.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/container.h"
#include "runtime/lib/state.h"
#include <signal.h>
#include <sys/wait.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SCRIPT_DIR "/dev/.sloika-build"

/* Mount points the runtime may create in the upper dir; removed again
 * when the image did not have them and they are still empty. */
static const char *const stubs[] = {"etc/resolv.conf", "etc/hosts", "etc", "proc", "dev", "sys"};
#define N_STUBS (sizeof stubs / sizeof stubs[0])

int sl_config_chain_id(const oci_image *config, char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        out[0] = '\0';
        if (!config || !config->rootfs)
                return 0;
        for (size_t i = 0; i < config->rootfs->diff_ids_len; i++) {
                char next[SL_DIGEST_STR_MAX];
                if (sl_chain_id(i ? out : NULL, config->rootfs->diff_ids[i], next, err) < 0)
                        return -1;
                memcpy(out, next, sizeof next);
        }
        return 0;
}

static void remove_stubs(int upperfd, const bool *had)
{
        for (size_t i = 0; i < N_STUBS; i++) {
                struct stat st;
                if (had[i] || fstatat(upperfd, stubs[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        unlinkat(upperfd, stubs[i], AT_REMOVEDIR);  /* only when empty */
                else if (S_ISREG(st.st_mode) && st.st_size == 0)
                        unlinkat(upperfd, stubs[i], 0);
        }
}

volatile pid_t sl_run_pid;

void sl_run_on_signal(int sig)
{
        (void)sig;
        sl_build_interrupted = 1;
        if (sl_run_pid > 0)
                kill(sl_run_pid, SIGKILL);  /* a pid 1 ignores INT and TERM */
}

/* Starts the container detached, then waits for its init here, so that
 * SIGINT/SIGTERM stop the step (sl_run_on_signal) rather than reach a
 * pid 1 that ignores them. The container is deleted in every case. */
static int run_and_wait(const sl_create_opts *co, int *exit_code, sl_error *err)
{
        *exit_code = 255;
        if (sl_build_interrupted)
                return sl_err(err, EINTR, "interrupted");
        if (sl_container_run(co, exit_code, err) < 0)
                return -1;
        *exit_code = 255;
        /* The init's pid from the state file: the state report says 0
         * once it has exited, which a short command does at once. */
        sl_state_container *st = NULL;
        int rc = -1, rootfd = sl_state_root_open(co->root, false, err), dirfd = -1;
        if (rootfd < 0 || sl_state_load(rootfd, co->id, &st, &dirfd, err) < 0)
                goto out;
        if (st->pid <= 0) {
                sl_err(err, ESRCH, "container %s: no init pid in its state", co->id);
                goto out;
        }
        sl_run_pid = st->pid;
        if (sl_build_interrupted)
                kill(st->pid, SIGKILL);
        int status;
        pid_t w;
        while ((w = waitpid(st->pid, &status, __WALL)) < 0 && errno == EINTR)
                ;
        sl_run_pid = 0;
        if (w < 0) {
                sl_err_sys(err, errno, "wait for the container");
                goto out;
        }
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        rc = 0;
out:
        sl_state_container_free(st);
        if (dirfd >= 0)
                close(dirfd);
        if (rootfd >= 0)
                close(rootfd);
        sl_error e2 = {0};
        if (sl_container_delete(co->root, co->id, true, &e2) < 0 && rc == 0) {
                *err = e2;
                rc = -1;
        }
        return rc;
}

/* "sloika-build-<store>-<random>": the store part (the first 8 hex digits
 * of the sha256 of the store root's path) tells which store a step
 * container and its cgroup belong to, so concurrent builds on other
 * stores can be told apart. */
static char *container_id(const sl_store *s)
{
        unsigned char b[6];
        char d[SL_DIGEST_STR_MAX] = "sha256:00000000";
        const char *root = sl_store_root(s);
        if (getrandom(b, sizeof b, 0) != sizeof b)
                memset(b, 0, sizeof b);
        sl_digest_buffer(SL_DIGEST_SHA256, root, strlen(root), d, NULL);
        return sl_xasprintf("sloika-build-%.8s-%02x%02x%02x%02x%02x%02x", d + strlen("sha256:"), b[0], b[1],
                            b[2], b[3], b[4], b[5]);
}

/* Writes a "#!" heredoc script where the container sees it at SCRIPT_DIR. */
static int write_script(const char *dir, const sl_df_heredoc *h, sl_error *err)
{
        _cleanup_free_ char *p = sl_xasprintf("%s/%s", dir, h->name);
        if (strchr(h->name, '/'))
                return sl_err(err, EINVAL, "RUN heredoc name %s: must not contain /", h->name);
        return sl_atomic_write_file(p, h->content, strlen(h->content), 0755, err);
}

static size_t depth(const char *path)
{
        size_t n = 0;
        for (; *path; path++)
                n += *path == '/';
        return n;
}

/* The spec's entries for the RUN's --mounts, at their resolved targets. */
static oci_mount *spec_mounts(const sl_run_req *r, char *const *dsts, char ***opts_out)
{
        oci_mount *m = sl_xcalloc(r->n_mounts + 1, sizeof(*m));
        char **opts = sl_xcalloc(r->n_mounts * 6 + 1, sizeof(char *));
        size_t no = 0;
        for (size_t i = 0; i < r->n_mounts; i++) {
                const sl_run_mount *x = &r->mounts[i];
                m[i].destination = dsts[i];
                m[i].options = opts + no;
                if (x->src) {
                        m[i].type = "bind";
                        m[i].source = x->src;
                        opts[no++] = sl_xstrdup("rbind");
                        if (x->readonly)
                                opts[no++] = sl_xstrdup("ro");
                } else {
                        m[i].type = "tmpfs";
                        m[i].source = "tmpfs";
                        opts[no++] = sl_xstrdup("nosuid");
                        opts[no++] = sl_xstrdup("nodev");
                        if (x->size)
                                opts[no++] = sl_xasprintf("size=%llu", (unsigned long long)x->size);
                }
                m[i].options_len = (size_t)(opts + no - m[i].options);
                m[i].has_options = true;
        }
        /* Outer targets first, so a nested one is mounted inside its parent
         * rather than hidden by it (stable: same depth keeps its order). */
        for (size_t i = 1; i < r->n_mounts; i++)
                for (size_t j = i; j > 0 && depth(m[j - 1].destination) > depth(m[j].destination); j--) {
                        oci_mount t = m[j];
                        m[j] = m[j - 1];
                        m[j - 1] = t;
                }
        *opts_out = opts;
        return m;
}

static int run_container(sl_store *s, const sl_run_req *r, sl_overlay *ov, char *const *dsts, int *exit_code,
                         sl_error *err)
{
        _cleanup_free_ char *work = NULL;
        if (sl_store_workdir(s, "run", &work, err) < 0)
                return -1;
        _cleanup_free_ char *bundle = sl_xasprintf("%s/bundle", work);
        _cleanup_free_ char *state = sl_xasprintf("%s/state", work);
        _cleanup_free_ char *scripts = sl_xasprintf("%s/scripts", work);
        _cleanup_free_ char *id = container_id(s);
        _cleanup_strv_ char **argv = NULL, **env = NULL, **mopts = NULL;
        _cleanup_free_ oci_mount *mounts = NULL;
        int rc = -1;
        /* A secret in the environment reaches config.json and the state:
         * keep them in memory. */
        bool ram = r->extra_env && *r->extra_env;
        if (ram && mount("tmpfs", work, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0) {
                sl_err_sys(err, errno, "mount a tmpfs on %s", work);
                ram = false;
                goto out;
        }
        if (mkdir(bundle, 0700) < 0 || mkdir(state, 0700) < 0 || mkdir(scripts, 0755) < 0) {
                sl_err_sys(err, errno, "create %s", work);
                goto out;
        }
        const sl_df_heredoc *script = NULL;
        argv = sl_df_run_argv(r->run, r->shell, SCRIPT_DIR, &script);
        if (!argv || !argv[0]) {
                sl_err(err, EINVAL, "RUN: empty command");
                goto out;
        }
        if (script && write_script(scripts, script, err) < 0)
                goto out;
        env = sl_strv_dup(r->env);
        if (!sl_expand_envv_lookup(env, "PATH"))
                sl_strv_append(&env, DEFAULT_PATH);
        for (char *const *e = r->extra_env; e && *e; e++)
                sl_strv_append(&env, *e);
        uint32_t uid = 0, gid = 0;
        if (r->user && *r->user && sl_resolve_user(ov->rootfd, r->user, &uid, &gid, err) < 0)
                goto out;
        sl_proc_spec ps = {
                .args = argv, .env = env, .cwd = r->cwd, .uid = uid, .gid = gid, .rootfs = ov->merged,
                .host_network = r->host_network, .hostname = "buildkitsandbox",
                .extra_bind_src = script ? scripts : NULL, .extra_bind_dst = script ? SCRIPT_DIR : NULL,
        };
        mounts = spec_mounts(r, dsts, &mopts);
        ps.mounts = mounts;
        ps.n_mounts = r->n_mounts;
        if (sl_write_spec(&ps, bundle, err) < 0)
                goto out;
        sl_create_opts co = {.root = state, .id = id, .bundle = bundle, .primer = -1, .detach = true};
        sl_outtail tail;
        if (sl_outtail_start(&tail, r->echo, err) < 0)
                goto out;
        sl_error rerr = {0};
        int rr = run_and_wait(&co, exit_code, &rerr);
        sl_outtail_stop(&tail);
        if (rr < 0 && *exit_code == 255) {
                *exit_code = 0;  /* no program status: the container did not run */
                *err = rerr;
                sl_err_wrap(err, "RUN container");
        } else if (sl_build_interrupted) {
                sl_err(err, EINTR, "%s: interrupted", r->run->original);
        } else if (*exit_code != 0) {
                _cleanup_free_ char *last = sl_outtail_last_lines(&tail, 10);
                sl_err(err, ECHILD, "%s: exit code %d%s%s", r->run->original, *exit_code,
                       *last ? "; last output:\n" : "", last);
        } else
                rc = 0;
        sl_outtail_free(&tail);
out:
        if (ram)
                umount2(work, MNT_DETACH);
        sl_store_remove_workdir(s, work, rc < 0 ? NULL : err);
        return rc;
}

/* Resolves the mount targets in the image and, when some do not exist,
 * makes them in a stub tree and mounts the overlay again with it on top. */
static int mount_points(sl_store *s, const sl_run_req *r, sl_overlay *ov, char ***dsts, char **stubdir,
                        sl_error *err)
{
        *dsts = sl_xcalloc(r->n_mounts + 1, sizeof(char *));
        if (!r->n_mounts)
                return 0;
        if (sl_store_workdir(s, "stub", stubdir, err) < 0)
                return -1;
        _cleanup_close_ int stubfd = open(*stubdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (stubfd < 0)
                return sl_err_sys(err, errno, "open %s", *stubdir);
        bool any = false;
        for (size_t i = 0; i < r->n_mounts; i++) {
                bool created;
                if (sl_mountpoint_stub(ov->rootfd, stubfd, r->mounts[i].dst, r->mounts[i].file, &(*dsts)[i], &created,
                                       err) < 0)
                        return sl_err_wrap(err, "RUN --mount");
                any |= created;
        }
        if (!any)
                return 0;
        sl_overlay_release(s, ov, NULL);
        return sl_overlay_open_over(s, r->manifest, r->config, *stubdir, true, ov, err);
}

int sl_exec_run(sl_store *s, const sl_run_req *r, sl_layer_digests *layer, int *exit_code, sl_error *err)
{
        sl_overlay ov;
        *exit_code = 0;
        if (sl_overlay_open(s, r->manifest, r->config, true, &ov, err) < 0)
                return -1;
        _cleanup_strv_ char **dsts = NULL;
        _cleanup_free_ char *stubdir = NULL;
        if (mount_points(s, r, &ov, &dsts, &stubdir, err) < 0) {
                sl_overlay_release(s, &ov, NULL);
                if (stubdir)
                        sl_store_remove_workdir(s, stubdir, NULL);
                return -1;
        }
        bool had[N_STUBS];
        for (size_t i = 0; i < N_STUBS; i++) {
                int fd = sl_openat_in_root(ov.rootfd, stubs[i], O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, NULL);
                had[i] = fd >= 0;
                if (fd >= 0)
                        close(fd);
        }
        int rc = run_container(s, r, &ov, dsts, exit_code, err);
        if (sl_overlay_unmount(&ov, rc < 0 ? NULL : err) < 0)
                rc = -1;
        if (rc == 0) {
                _cleanup_close_ int upperfd = open(ov.upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                char parent[SL_DIGEST_STR_MAX], chain[SL_DIGEST_STR_MAX];
                if (upperfd < 0)
                        rc = sl_err_sys(err, errno, "open %s", ov.upper);
                else {
                        remove_stubs(upperfd, had);
                        rc = sl_store_commit_layer(s, upperfd, &r->diff, &r->comp, layer, err);
                }
                /* The upper dir is the new layer's dir: no unpack needed later. */
                if (rc == 0 && sl_config_chain_id(r->config, parent, err) == 0 &&
                    sl_chain_id(*parent ? parent : NULL, layer->diff_id, chain, err) == 0)
                        sl_store_adopt_layer(s, ov.upper, chain, NULL);
        }
        sl_overlay_release(s, &ov, NULL);
        if (stubdir)
                sl_store_remove_workdir(s, stubdir, NULL);
        return rc;
}
