#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/dockerfile/stages.h"
#include "builder/exec/copy.h"
#include "builder/exec/ctx-mask.h"
#include "builder/exec/run-mounts.h"
#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/path.h"
#include "common/pathclean.h"
#include "common/strv.h"
#include "common/xalloc.h"

/* A from= reference: an earlier stage (by name or index) or an image. */
static int resolve_from(builder *b, stage_ctx *sc, const char *ref, img_state *other, const img_state **out,
                        sl_error *err)
{
        size_t idx;
        int r = sl_df_stage_ref(b->df, sc->index, ref, true, &idx, err);
        if (r < 0)
                return -1;
        if (r == 1) {
                if (!b->built[idx])
                        return sl_err(err, EINVAL, "from=%s: stage %zu was not built", ref, idx);
                *out = &b->stages[idx];
                return 0;
        }
        if (img_state_from_ref(b, ref, other, err) < 0)
                return -1;
        *out = other;
        return 0;
}

/* COPY SOURCE / as a plan: what a bind of the context shows. */
static int context_plan(builder *b, const char *source, sl_copy_src *src, sl_copy_plan *plan, sl_error *err)
{
        sl_df_src one = {.path = (char *)(source && *source ? source : "."), .heredoc = -1};
        sl_df_instr in = {.kind = SL_DF_COPY, .original = "RUN --mount"};
        in.u.copy = (sl_df_copy){.srcs = &one, .n_srcs = 1, .dest = "/"};
        *src = (sl_copy_src){.rootfd = b->ctxfd, .ignore = b->ignore, .is_context = true};
        return sl_copy_plan_make(src, &in, "/", -1, plan, err);
}

int run_mounts_inputs(builder *b, stage_ctx *sc, const sl_df_instr *x, bool content, char **out, sl_error *err)
{
        char *s = sl_xstrdup("");
        for (size_t i = 0; i < x->u.run.n_mounts; i++) {
                const sl_df_mount *m = &x->u.run.mounts[i];
                char d[SL_DIGEST_STR_MAX] = "";
                if ((m->type != SL_DF_MOUNT_BIND && m->type != SL_DF_MOUNT_CACHE) ||
                    (m->type == SL_DF_MOUNT_CACHE && !m->from))
                        continue;
                if (m->from) {
                        img_state other = {0};
                        const img_state *from;
                        if (resolve_from(b, sc, m->from, &other, &from, err) < 0) {
                                free(s);
                                return sl_err_wrap(err, "--mount=%s", m->raw);
                        }
                        snprintf(d, sizeof d, "%s", *from->digest ? from->digest : "scratch");
                        img_state_free(&other);
                } else {
                        sl_copy_src src;
                        sl_copy_plan plan = {0};
                        int rc = context_plan(b, m->source, &src, &plan, err);
                        if (rc == 0)
                                rc = sl_copy_plan_digest(&src, &plan, content, d, err);
                        sl_copy_plan_free(&plan);
                        if (rc < 0) {
                                free(s);
                                return sl_err_wrap(err, "--mount=%s", m->raw);
                        }
                }
                char *next = sl_xasprintf("%smount[%zu]=%s\n", s, i, d);
                free(s);
                s = next;
        }
        *out = s;
        return 0;
}

/* A fresh dir (or empty file) in the work dir, to mount on or copy into. */
static char *new_point(run_mounts *rm, const char *name, bool file, sl_error *err)
{
        char *p = sl_xasprintf("%s/%s", rm->dir, name);
        int rc = file ? open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : mkdir(p, 0755);
        if (rc < 0) {
                sl_err_sys(err, errno, "create %s", p);
                free(p);
                return NULL;
        }
        if (file)
                close(rc);
        return p;
}

static void add_mount(run_mounts *rm, const char *dst, char *src, bool ro, bool file, uint64_t size)
{
        rm->m = sl_xrealloc(rm->m, (rm->n + 1) * sizeof(*rm->m));
        rm->m[rm->n++] = (sl_run_mount){.dst = sl_xstrdup(dst), .src = src, .readonly = ro, .file = file, .size = size};
}

/* Binds what fd (any kind, from a safe lookup) names onto point. */
static int bind_fd(run_mounts *rm, int fd, const char *point, sl_error *err)
{
        _cleanup_free_ char *proc = sl_xasprintf("/proc/self/fd/%d", fd);
        if (mount(proc, point, NULL, MS_BIND | MS_REC, NULL) < 0)
                return sl_err_sys(err, errno, "bind mount onto %s", point);
        sl_strv_append(&rm->staged, point);
        return 0;
}

/* An overlay view of the dir fd names: under the mask tree (when given)
 * that hides what .dockerignore excludes, and writable with a throwaway
 * upper dir when rw. */
static int overlay_fd(run_mounts *rm, int fd, const char *mask, bool rw, const char *point, size_t i, sl_error *err)
{
        _cleanup_free_ char *lower = sl_xasprintf("/proc/self/fd/%d", fd);
        _cleanup_free_ char *upper = sl_xasprintf("%s/upper%zu", rm->dir, i), *work = sl_xasprintf("%s/work%zu", rm->dir, i);
        _cleanup_free_ char *opts = NULL;
        char *lowers[] = {(char *)mask, lower, NULL};
        char **lw = mask ? lowers : lowers + 1;
        if (rw && (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0))
                return sl_err_sys(err, errno, "create %s", upper);
        if (sl_overlay_options(lw, mask ? 2 : 1, rw ? upper : NULL, rw ? work : NULL, &opts, err) < 0)
                return -1;
        if (mount("overlay", point, "overlay", rw ? 0 : MS_RDONLY, opts) < 0)
                return sl_err_sys(err, errno, "mount an overlay view on %s", point);
        sl_strv_append(&rm->staged, point);
        return 0;
}

/* The context dir fd (source at rel) as BuildKit would have been sent it:
 * its .dockerignore exclusions hidden by a whiteout mask. */
static int masked_context(builder *b, run_mounts *rm, int fd, const char *rel, bool rw, const char *point, size_t i,
                          sl_error *err)
{
        if (*rel && sl_ignore_match(b->ignore, rel) && !sl_ignore_may_descend(b->ignore, rel))
                return sl_err(err, ENOENT, "source %s: excluded by .dockerignore", rel);
        _cleanup_free_ char *mask = sl_xasprintf("%s/mask%zu", rm->dir, i);
        _cleanup_free_ char *proc = sl_xasprintf("/proc/self/fd/%d", fd);
        if (mkdir(mask, 0700) < 0)
                return sl_err_sys(err, errno, "create %s", mask);
        _cleanup_close_ int mfd = open(mask, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int sfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (mfd < 0 || sfd < 0)
                return sl_err_sys(err, errno, "open %s", mfd < 0 ? mask : rel);
        if (sl_ctx_mask(sfd, rel, b->ignore, mfd, err) < 0)
                return -1;
        return overlay_fd(rm, fd, mask, rw, point, i, err);
}

/* A private copy of the regular file fd (O_PATH) names, for a rw bind. */
static int copy_file_to(int fd, const char *dst, sl_error *err)
{
        _cleanup_free_ char *proc = sl_xasprintf("/proc/self/fd/%d", fd);
        _cleanup_close_ int in = open(proc, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        _cleanup_close_ int out = open(dst, O_WRONLY | O_TRUNC | O_CLOEXEC);
        struct stat st;
        if (in < 0 || out < 0 || fstat(in, &st) < 0)
                return sl_err_sys(err, errno, "copy the bind source to %s", dst);
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0)
                if (sl_write_all(out, buf, (size_t)n) < 0)
                        return sl_err_sys(err, errno, "write %s", dst);
        if (n < 0)
                return sl_err_sys(err, errno, "read the bind source");
        if (fchown(out, st.st_uid, st.st_gid) < 0 || fchmod(out, st.st_mode & 07777) < 0)
                return sl_err_sys(err, errno, "chmod %s", dst);
        return 0;
}

static int prep_bind(builder *b, stage_ctx *sc, run_mounts *rm, size_t i, const sl_df_mount *m, const char *dst,
                     sl_error *err)
{
        int rootfd = b->ctxfd;
        bool context = !m->from;
        if (m->from) {
                img_state other = {0};
                const img_state *from;
                if (resolve_from(b, sc, m->from, &other, &from, err) < 0)
                        return -1;
                rm->views = sl_xrealloc(rm->views, (rm->n_views + 1) * sizeof(*rm->views));
                sl_overlay *v = &rm->views[rm->n_views];
                int rc = sl_overlay_open(b->s, from->m, from->cfg, false, v, err);
                img_state_free(&other);
                if (rc < 0)
                        return -1;
                rm->n_views++;
                rootfd = v->rootfd;
        }
        const char *source = m->source && *m->source ? m->source : "/";
        _cleanup_close_ int fd = sl_openat_in_root(rootfd, source, O_PATH | O_CLOEXEC, 0, err);
        struct stat st;
        if (fd < 0)
                return sl_err_wrap(err, "source %s", source);
        if (fstat(fd, &st) < 0)
                return sl_err_sys(err, errno, "source %s", source);
        bool dir = S_ISDIR(st.st_mode);
        if (!dir && !S_ISREG(st.st_mode))
                return sl_err(err, EINVAL, "source %s: neither a directory nor a regular file", source);
        _cleanup_free_ char *name = sl_xasprintf("bind%zu", i);
        char *point = new_point(rm, name, !dir, err);
        if (!point)
                return -1;
        add_mount(rm, dst, point, m->readonly, !dir, 0);
        if (context && dir && sl_ignore_count(b->ignore)) {
                _cleanup_free_ char *clean = sl_path_clean_abs(source);
                return masked_context(b, rm, fd, clean + 1, !m->readonly, point, i, err);
        }
        if (context && sl_ignore_count(b->ignore)) {
                /* a file: the plan refuses it when excluded */
                sl_copy_src src;
                sl_copy_plan plan = {0};
                int rc = context_plan(b, m->source, &src, &plan, err);
                sl_copy_plan_free(&plan);
                if (rc < 0)
                        return -1;
        }
        if (m->readonly)
                return bind_fd(rm, fd, point, err);
        if (dir)
                return overlay_fd(rm, fd, NULL, true, point, i, err);
        return copy_file_to(fd, point, err);
}

/* Creates the cache dir name in basefd when missing (under the lock): an
 * empty dir, or a copy of from's source, owned and moded as asked. */
static int create_cache(builder *b, stage_ctx *sc, int basefd, const char *name, const sl_df_mount *m, sl_error *err)
{
        struct stat st;
        if (fstatat(basefd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return S_ISDIR(st.st_mode) ? 0 : sl_err(err, EEXIST, "cache mount %s: not a directory", name);
        _cleanup_free_ char *tmp = sl_xasprintf("%s.new", name);
        sl_rm_rf_at(basefd, tmp, NULL);
        if (mkdirat(basefd, tmp, 0700) < 0)
                return sl_err_sys(err, errno, "create cache mount dir %s", tmp);
        _cleanup_close_ int fd = openat(basefd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int rc = fd < 0 ? sl_err_sys(err, errno, "open %s", tmp) : 0;
        if (rc == 0 && m->from) {
                img_state other = {0};
                const img_state *from;
                sl_overlay v = {.rootfd = -1};
                rc = resolve_from(b, sc, m->from, &other, &from, err);
                if (rc == 0)
                        rc = sl_overlay_open(b->s, from->m, from->cfg, false, &v, err);
                if (rc == 0) {
                        sl_df_src one = {.path = m->source && *m->source ? m->source : ".", .heredoc = -1};
                        sl_df_instr in = {.kind = SL_DF_COPY, .original = "RUN --mount"};
                        in.u.copy = (sl_df_copy){.srcs = &one, .n_srcs = 1, .dest = "/"};
                        sl_copy_src src = {.rootfd = v.rootfd};
                        sl_copy_plan plan = {0};
                        sl_copy_opts co = {0};
                        rc = sl_copy_plan_make(&src, &in, "/", -1, &plan, err);
                        if (rc == 0)
                                rc = sl_copy_plan_apply(&src, &plan, fd, &co, err);
                        sl_copy_plan_free(&plan);
                }
                sl_overlay_release(b->s, &v, NULL);
                img_state_free(&other);
        }
        if (rc == 0 && (fchown(fd, m->has_uid ? m->uid : 0, m->has_gid ? m->gid : 0) < 0 ||
                        fchmod(fd, m->has_mode ? m->mode : 0755) < 0))
                rc = sl_err_sys(err, errno, "cache mount %s: set owner and mode", name);
        if (rc == 0 && renameat(basefd, tmp, basefd, name) < 0)
                rc = sl_err_sys(err, errno, "cache mount %s: rename into place", name);
        if (rc < 0)
                sl_rm_rf_at(basefd, tmp, NULL);
        return rc;
}

static int prep_cache(builder *b, stage_ctx *sc, run_mounts *rm, size_t i, const sl_df_mount *m, const char *dst,
                      sl_error *err)
{
        _cleanup_close_ int basefd = sl_mkdirs_in_root(sl_store_dirfd(b->s), SL_CACHE_MOUNTS_DIR, 0700, err);
        if (basefd < 0)
                return -1;
        const char *id = m->id && *m->id ? m->id : dst;
        char d[SL_DIGEST_STR_MAX];
        if (sl_digest_buffer(SL_DIGEST_SHA256, id, strlen(id), d, err) < 0)
                return -1;
        _cleanup_free_ char *name = NULL;
        int lockfd = -1;
        if (sl_cache_mount_lock(basefd, d + strlen("sha256:"), m->sharing, &name, &lockfd, err) < 0)
                return -1;
        rm->locks = sl_xrealloc(rm->locks, (rm->n_locks + 1) * sizeof(int));
        rm->locks[rm->n_locks++] = lockfd;
        /* Creation takes a lock of its own: a shared holder must not
         * wait for the others' steps to end. */
        _cleanup_free_ char *init = sl_xasprintf("%s.init", name);
        _cleanup_close_ int initfd = openat(basefd, init, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (initfd < 0 || flock(initfd, LOCK_EX) < 0)
                return sl_err_sys(err, errno, "cache mount lock %s", init);
        if (create_cache(b, sc, basefd, name, m, err) < 0)
                return sl_err_wrap(err, "cache id %s", id);
        _cleanup_free_ char *path = sl_xasprintf("%s/%s/%s", sl_store_root(b->s), SL_CACHE_MOUNTS_DIR, name);
        if (!m->from && m->source && *m->source) {
                /* source= without from= is a subdir of the cache */
                _cleanup_close_ int cfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                _cleanup_close_ int sfd = cfd < 0 ? -1 : sl_mkdirs_in_root(cfd, m->source, 0755, err);
                if (cfd < 0)
                        return sl_err_sys(err, errno, "open %s", path);
                if (sfd < 0)
                        return -1;
                _cleanup_free_ char *sub = sl_xasprintf("cache%zu", i);
                _cleanup_free_ char *point = new_point(rm, sub, false, err);
                if (!point || bind_fd(rm, sfd, point, err) < 0)
                        return -1;
                add_mount(rm, dst, SL_STEAL(point), m->readonly, false, 0);
                return 0;
        }
        add_mount(rm, dst, SL_STEAL(path), m->readonly, false, 0);
        return 0;
}

/* Secret files live on a tmpfs in the work dir: never on disk. */
static int prep_secret(builder *b, run_mounts *rm, size_t i, const sl_df_mount *m, const char *dst, sl_error *err)
{
        const char *id = m->id ? m->id : m->env;
        const sl_secret *sec = sl_secrets_find(&b->secrets, id);
        if (!sec) {
                if (m->required)
                        return sl_err(err, ENOENT, "secret %s is required but was not given (--secret id=%s,src=FILE)",
                                      id, id);
                return 0;
        }
        if (m->env) {
                if (strlen(sec->data) != sec->len)
                        return sl_err(err, EINVAL, "secret %s holds a NUL byte: it cannot be an environment variable", id);
                sl_strv_append_take(&rm->env, sl_xasprintf("%s=%s", m->env, sec->data));
        }
        if (!dst)
                return 0;
        _cleanup_free_ char *dir = sl_xasprintf("%s/secrets", rm->dir);
        if (access(dir, F_OK) < 0) {
                if (mkdir(dir, 0700) < 0)
                        return sl_err_sys(err, errno, "create %s", dir);
                if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
                        return sl_err_sys(err, errno, "mount a tmpfs on %s", dir);
                sl_strv_append(&rm->staged, dir);
        }
        char *path = sl_xasprintf("%s/%zu", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        int rc = 0;
        if (fd < 0 || sl_write_all(fd, sec->data, sec->len) < 0 ||
            fchown(fd, m->has_uid ? m->uid : 0, m->has_gid ? m->gid : 0) < 0 ||
            fchmod(fd, m->has_mode ? m->mode : 0400) < 0)
                rc = sl_err_sys(err, errno, "secret %s: write %s", id, path);
        if (fd >= 0)
                close(fd);
        if (rc < 0) {
                free(path);
                return -1;
        }
        add_mount(rm, dst, path, true, true, 0);
        return 0;
}

int run_mounts_prepare(builder *b, stage_ctx *sc, const sl_df_instr *x, run_mounts *rm, sl_error *err)
{
        *rm = (run_mounts){0};
        if (!x->u.run.n_mounts)
                return 0;
        if (sl_store_workdir(b->s, "mnt", &rm->dir, err) < 0)
                return -1;
        const char *wd = sc->st.cfg->config && sc->st.cfg->config->working_dir ? sc->st.cfg->config->working_dir : "/";
        for (size_t i = 0; i < x->u.run.n_mounts; i++) {
                const sl_df_mount *m = &x->u.run.mounts[i];
                _cleanup_free_ char *dst = NULL;
                if (m->target) {
                        _cleanup_free_ char *j = m->target[0] == '/' ? sl_xstrdup(m->target) : sl_xasprintf("%s/%s", wd, m->target);
                        dst = sl_path_clean_abs(j);
                }
                int rc;
                switch (m->type) {
                case SL_DF_MOUNT_BIND: rc = prep_bind(b, sc, rm, i, m, dst, err); break;
                case SL_DF_MOUNT_CACHE: rc = prep_cache(b, sc, rm, i, m, dst, err); break;
                case SL_DF_MOUNT_TMPFS:
                        add_mount(rm, dst, NULL, false, false, m->has_size ? m->size : 0);
                        rc = 0;
                        break;
                case SL_DF_MOUNT_SECRET: rc = prep_secret(b, rm, i, m, dst, err); break;
                default: rc = sl_err(err, EINVAL, "unknown mount type"); break;
                }
                if (rc < 0)
                        return sl_err_wrap(err, "--mount=%s", m->raw);
        }
        return 0;
}

void run_mounts_release(builder *b, run_mounts *rm)
{
        for (size_t i = sl_strv_len(rm->staged); i-- > 0;)
                umount2(rm->staged[i], MNT_DETACH);
        for (size_t i = 0; i < rm->n_views; i++)
                sl_overlay_release(b->s, &rm->views[i], NULL);
        for (size_t i = 0; i < rm->n_locks; i++)
                close(rm->locks[i]);
        if (rm->dir)
                sl_store_remove_workdir(b->s, rm->dir, NULL);
        for (size_t i = 0; i < rm->n; i++) {
                free(rm->m[i].dst);
                free(rm->m[i].src);
        }
        free(rm->m);
        free(rm->dir);
        free(rm->views);
        free(rm->locks);
        sl_strv_free(rm->staged);
        if (rm->env)
                for (char **e = rm->env; *e; e++)
                        explicit_bzero(*e, strlen(*e));
        sl_strv_free(rm->env);
        *rm = (run_mounts){0};
}
