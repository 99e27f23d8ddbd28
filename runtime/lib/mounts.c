/* mounts[] entries: resolve the destination inside the rootfs, build the
 * mount detached, attach it onto the destination fd. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "runtime/lib/mount-cgroup.h"
#include "runtime/lib/mount-copyup.h"
#include "runtime/lib/mount-idmap.h"
#include "runtime/lib/mounts.h"

int sl_fd_inner_path(int fd, const char *rootfs, char **out, sl_error *err)
{
        char link[64], target[PATH_MAX];
        size_t rlen = strlen(rootfs);
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof(target) - 1);
        if (n < 0)
                return sl_err_sys(err, errno, "readlink %s", link);
        target[n] = '\0';
        if (strcmp(rootfs, "/") == 0) {
                *out = sl_xstrdup(target);
                return 0;
        }
        if (strncmp(target, rootfs, rlen) != 0 || (target[rlen] != '\0' && target[rlen] != '/'))
                return sl_err(err, EXDEV, "resolves to \"%s\", outside the rootfs", target);
        *out = sl_xstrdup(target[rlen] ? target + rlen : "/");
        return 0;
}

/* The kernel explains fsconfig failures in the fs context's log. */
static int fs_err(sl_error *err, int fsfd, int code, const char *what, const char *type)
{
        char msg[256];
        ssize_t n = read(fsfd, msg, sizeof(msg) - 1);

        if (n > 2) {
                msg[n] = '\0';
                msg[strcspn(msg, "\n")] = '\0';
                return sl_err(err, code, "%s %s: %s: %s", what, type, msg + 2, strerror(code));
        }
        return sl_err_sys(err, code, "%s %s", what, type);
}

static int fs_set_option(int fsfd, char *word, const char *type, sl_error *err)
{
        char *eq = strchr(word, '=');
        int r;

        if (eq) {
                /* Quotes only protect commas in a legacy data string;
                 * fsconfig takes the bare value. */
                char *value = eq + 1;
                size_t len = strlen(value);
                _cleanup_free_ char *bare = len >= 2 && value[0] == '"' && value[len - 1] == '"'
                                            ? sl_xstrndup(value + 1, len - 2) : NULL;
                *eq = '\0';
                r = fsconfig(fsfd, FSCONFIG_SET_STRING, word, bare ? bare : value, 0);
                *eq = '=';
        } else {
                r = fsconfig(fsfd, FSCONFIG_SET_FLAG, word, NULL, 0);
        }
        if (r < 0) {
                _cleanup_free_ char *what = sl_xasprintf("option \"%s\" of", word);
                return fs_err(err, fsfd, errno, what, type);
        }
        return 0;
}

/* Splits data on commas that are not inside double quotes (SELinux
 * contexts carry commas inside quotes). */
static int fs_set_data(int fsfd, const char *data, const char *type, sl_error *err)
{
        _cleanup_free_ char *copy = sl_xstrdup(data);
        char *start = copy;
        bool quoted = false;

        for (char *p = copy;; p++) {
                if (*p == '"')
                        quoted = !quoted;
                if ((*p == ',' && !quoted) || *p == '\0') {
                        bool last = *p == '\0';
                        *p = '\0';
                        if (*start && fs_set_option(fsfd, start, type, err) < 0)
                                return -1;
                        if (last)
                                break;
                        start = p + 1;
                }
        }
        return 0;
}

int sl_mount_fs_open(const char *type, const char *source, const sl_mount_opts *o, sl_error *err)
{
        static const struct { unsigned long ms; const char *name; } sb_flags[] = {
                { MS_RDONLY, "ro" }, { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
                { MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" },
        };
        _cleanup_close_ int fsfd = -1;
        uint64_t set, clr;
        int mfd;

        fsfd = fsopen(type, FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return sl_err_sys(err, errno, "fsopen \"%s\"", type);
        if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source && *source ? source : type, 0) < 0)
                return fs_err(err, fsfd, errno, "source of", type);
        for (size_t i = 0; i < sizeof(sb_flags) / sizeof(sb_flags[0]); i++)
                if ((o->set & sb_flags[i].ms) &&
                    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].name, NULL, 0) < 0)
                        return fs_err(err, fsfd, errno, sb_flags[i].name, type);
        if (o->data && fs_set_data(fsfd, o->data, type, err) < 0)
                return -1;
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return fs_err(err, fsfd, errno, "create", type);
        sl_mount_opts_attr(o, &set, &clr);
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)set);
        if (mfd < 0)
                return fs_err(err, fsfd, errno, "fsmount", type);
        return mfd;
}

int sl_mount_clone(int dirfd, const char *path, bool recursive, sl_error *err)
{
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        int mfd;

        if (!*path)
                flags |= AT_EMPTY_PATH;
        mfd = open_tree(dirfd, path, flags);
        if (mfd < 0)
                return sl_err_sys(err, errno, "open_tree \"%s\"", path);
        return mfd;
}

int sl_mount_setattr(int mfd, bool recursive, uint64_t set, uint64_t clr, sl_error *err)
{
        struct mount_attr attr = { .attr_set = set, .attr_clr = clr };

        if (!set && !clr)
                return 0;
        if (mount_setattr(mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return sl_err_sys(err, errno, "mount_setattr%s set=%#llx clear=%#llx",
                                  recursive ? " (recursive)" : "",
                                  (unsigned long long)set, (unsigned long long)clr);
        return 0;
}

int sl_mount_attach(int mfd, int dstfd, sl_error *err)
{
        if (move_mount(mfd, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return sl_err_sys(err, errno, "move_mount");
        return 0;
}

static int apply_propagation(int mfd, const sl_mount_opts *o, sl_error *err)
{
        for (size_t i = 0; i < o->n_propagation; i++) {
                unsigned long p = o->propagation[i];
                struct mount_attr attr = { .propagation = p & ~(unsigned long)MS_REC };

                if (mount_setattr(mfd, "", AT_EMPTY_PATH | ((p & MS_REC) ? AT_RECURSIVE : 0),
                                  &attr, sizeof(attr)) < 0)
                        return sl_err_sys(err, errno, "set propagation %s", sl_mount_propagation_name(p));
        }
        return 0;
}

/* Mounts under /proc hide or fake kernel interfaces; like runc, only proc
 * itself and the few files lxcfs emulates may be mounted there
 * (CVE-2019-16884, CVE-2019-19921). */
static int check_proc_dest(const char *inner, const char *type, sl_error *err)
{
        static const char *const allowed[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
                "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
                "/proc/sys/kernel/ns_last_pid",
        };

        if (strcmp(inner, "/proc") == 0) {
                if (type && strcmp(type, "proc") == 0)
                        return 0;
                return sl_err(err, EPERM, "only a proc filesystem may be mounted on /proc");
        }
        if (strncmp(inner, "/proc/", 6) != 0)
                return 0;
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
                if (strcmp(inner, allowed[i]) == 0)
                        return 0;
        return sl_err(err, EPERM, "destination resolves to \"%s\", inside /proc", inner);
}

static bool type_is(const oci_mount *m, const char *t)
{
        return m->type && strcmp(m->type, t) == 0;
}

/* An O_PATH fd of the destination inside the rootfs, created as a
 * directory or as an empty file, then vetted by where it really is. */
static int open_dest(const sl_mount_ctx *ctx, const oci_mount *m, const char *clean, bool want_dir, sl_error *err)
{
        _cleanup_free_ char *inner = NULL;
        _cleanup_close_ int fd = -1;

        fd = want_dir ? sl_mkdirs_in_root(ctx->rootfd, clean, 0755, err)
                      : sl_mkfile_in_root(ctx->rootfd, clean, 0644, err);
        if (fd < 0)
                return sl_err_wrap(err, "create mount point");
        if (sl_fd_inner_path(fd, ctx->rootfs, &inner, err) < 0)
                return sl_err_wrap(err, "mount point");
        /* proc or sysfs on a redirected path, or anything on a redirected
         * /proc or /sys, is the /proc-symlink trick. */
        if ((type_is(m, "proc") || type_is(m, "sysfs") || strcmp(clean, "/proc") == 0 || strcmp(clean, "/sys") == 0) &&
            strcmp(inner, clean) != 0)
                return sl_err(err, ELOOP, "%s must be mounted on a real directory, but %s resolves to %s",
                              m->type ? m->type : "this mount", clean, inner);
        if (check_proc_dest(inner, m->type, err) < 0)
                return -1;
        return SL_STEAL_FD(fd);
}

/* "remount": change the flags of what is already mounted there. */
static int remount_entry(const sl_mount_ctx *ctx, const char *clean, const sl_mount_opts *o, sl_error *err)
{
        _cleanup_close_ int fd = sl_openat_in_root(ctx->rootfd, clean, O_PATH, 0, err);
        char target[64];
        unsigned long flags = o->set & ~(unsigned long)MS_REC;

        if (fd < 0)
                return sl_err_wrap(err, "open mount point");
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        if (mount(NULL, target, NULL, flags | MS_REMOUNT, o->data) < 0)
                return sl_err_sys(err, errno, "remount");
        /* fd is the root of the mount that was there; it still is. */
        if (sl_mount_setattr(fd, true, o->rec_set, o->rec_clr, err) < 0 || apply_propagation(fd, o, err) < 0)
                return -1;
        return 0;
}

/* A detached clone of the bind source (relative to dirfd) with the
 * entry's flags, recursive attrs and id mapping (userns_fd as in
 * sl_mount_idmap). */
static int open_bind(int dirfd, const oci_mount *m, const sl_mount_opts *o, int userns_fd, sl_error *err)
{
        _cleanup_close_ int mfd = -1;
        uint64_t set, clr;

        if (!m->source || !*m->source)
                return sl_err(err, EINVAL, "bind mount without a source");
        mfd = sl_mount_clone(dirfd, m->source, (o->set & MS_REC) != 0, err);
        if (mfd < 0)
                return sl_err_wrap(err, "bind source");
        sl_mount_opts_attr(o, &set, &clr);
        if (sl_mount_setattr(mfd, false, set, clr, err) < 0 ||
            sl_mount_setattr(mfd, true, o->rec_set, o->rec_clr, err) < 0)
                return -1;
        if (o->idmap && sl_mount_idmap(mfd, m, o->idmap_recursive, userns_fd, err) < 0)
                return -1;
        return SL_STEAL_FD(mfd);
}

static int bind_entry(const sl_mount_ctx *ctx, const oci_mount *m, const char *clean, const sl_mount_opts *o,
                      int premade, sl_error *err)
{
        _cleanup_close_ int mfd = -1, dst = -1;
        struct stat st;

        /* From inside the container's user namespace the mapping cannot be
         * set up: the runtime prepares such mounts (sl_mounts_prepare). */
        if (premade < 0 && o->idmap && ctx->in_userns)
                return sl_err(err, ENOTSUP, "idmap bind mounts in a container with its own user namespace "
                                            "must be prepared by the runtime, outside it");
        mfd = premade >= 0 ? fcntl(premade, F_DUPFD_CLOEXEC, 0) : open_bind(AT_FDCWD, m, o, -1, err);
        if (mfd < 0)
                return premade >= 0 ? sl_err_sys(err, errno, "dup prepared mount") : -1;
        if (fstat(mfd, &st) < 0)
                return sl_err_sys(err, errno, "stat bind source \"%s\"", m->source);
        dst = open_dest(ctx, m, clean, S_ISDIR(st.st_mode), err);
        if (dst < 0)
                return -1;
        if (sl_mount_attach(mfd, dst, err) < 0 || apply_propagation(mfd, o, err) < 0)
                return -1;
        return 0;
}

/* A user namespace without its own network namespace may not mount
 * sysfs; like runc, the host's /sys is bound instead, with the entry's
 * flags (its own submounts included). */
static int userns_sysfs(const sl_mount_opts *o, sl_error *err)
{
        _cleanup_close_ int mfd = sl_mount_clone(AT_FDCWD, "/sys", true, err);
        uint64_t set, clr;

        if (mfd < 0)
                return sl_err_wrap(err, "sysfs in a user namespace");
        sl_mount_opts_attr(o, &set, &clr);
        if (sl_mount_setattr(mfd, true, set, clr, err) < 0)
                return sl_err_wrap(err, "sysfs in a user namespace");
        return SL_STEAL_FD(mfd);
}

static int fs_entry(const sl_mount_ctx *ctx, const oci_mount *m, const char *clean, const sl_mount_opts *o,
                    sl_error *err)
{
        _cleanup_close_ int mfd = -1, dst = -1;

        if (!m->type || !*m->type)
                return sl_err(err, EINVAL, "no type given and not a bind mount");
        dst = open_dest(ctx, m, clean, true, err);
        if (dst < 0)
                return -1;
        if (type_is(m, "cgroup")) {
                _cleanup_close_ int top = sl_mount_cgroup(ctx, m, o, dst, err);
                if (top < 0 || sl_mount_setattr(top, true, o->rec_set, o->rec_clr, err) < 0)
                        return -1;
                return apply_propagation(top, o, err);
        }
        mfd = sl_mount_fs_open(m->type, m->source, o, err);
        if (mfd < 0 && err && err->code == EPERM && ctx->in_userns && type_is(m, "sysfs"))
                mfd = userns_sysfs(o, err);
        if (mfd < 0)
                return -1;
        if (sl_mount_setattr(mfd, true, o->rec_set, o->rec_clr, err) < 0)
                return -1;
        if (o->tmpcopyup) {
                if (!type_is(m, "tmpfs"))
                        return sl_err(err, EINVAL, "tmpcopyup needs a tmpfs, not %s", m->type);
                if (sl_mount_copyup(dst, mfd, err) < 0)
                        return -1;
        }
        if (o->idmap && sl_mount_idmap(mfd, m, o->idmap_recursive, -1, err) < 0)
                return -1;
        if (sl_mount_attach(mfd, dst, err) < 0 || apply_propagation(mfd, o, err) < 0)
                return -1;
        return 0;
}

/* Mappings on a mount ask for an idmapped mount even without the idmap
 * option (runtime-spec only recommends naming it); recursive with rbind. */
static int parse_opts(const oci_mount *m, sl_mount_opts *o, sl_error *err)
{
        if (sl_mount_opts_parse(m->options, m->options_len, o, err) < 0)
                return -1;
        if (!o->idmap && (m->uid_mappings_len || m->gid_mappings_len)) {
                o->idmap = true;
                o->idmap_recursive = (o->set & MS_REC) != 0;
        }
        return 0;
}

bool sl_mount_is_prepared(const oci_mount *m)
{
        sl_mount_opts o;
        bool r;

        if (parse_opts(m, &o, NULL) < 0)
                return false;
        r = o.idmap && !(o.set & MS_REMOUNT) && sl_mount_opts_is_bind(&o, m->type);
        sl_mount_opts_free(&o);
        return r;
}

int sl_mount_entry(const sl_mount_ctx *ctx, const oci_mount *m, int premade, sl_error *err)
{
        _cleanup_free_ char *clean = NULL;
        sl_mount_opts o;
        int r;

        if (!m->destination || !*m->destination)
                return sl_err(err, EINVAL, "destination is empty");
        /* Later mounts are resolved from the rootfs bind's root, which a
         * mount on "/" would hide; root.path is how to choose the root. */
        clean = sl_path_clean_abs(m->destination);
        if (strcmp(clean, "/") == 0)
                return sl_err(err, EINVAL, "mounting over the container root is not supported");
        if (parse_opts(m, &o, err) < 0)
                return -1;
        /* linux.mountLabel labels the filesystems the runtime creates for
         * the container, as runc does. */
        if (ctx->mount_label && (type_is(m, "tmpfs") || type_is(m, "devpts") || type_is(m, "mqueue"))) {
                _cleanup_free_ char *context = sl_xasprintf("context=\"%s\"", ctx->mount_label);
                sl_mount_opts_add_data(&o, context);
        }
        /* A read-only /dev still needs its submounts and device nodes made
         * in it; sl_rootfs_setup makes it read-only afterwards (see
         * sl_mounts_dev_readonly). */
        if (strcmp(clean, "/dev") == 0 && !sl_mount_opts_is_bind(&o, m->type))
                o.set &= ~(unsigned long)MS_RDONLY;
        if (o.set & MS_REMOUNT)
                r = remount_entry(ctx, clean, &o, err);
        else if (sl_mount_opts_is_bind(&o, m->type))
                r = bind_entry(ctx, m, clean, &o, premade, err);
        else
                r = fs_entry(ctx, m, clean, &o, err);
        sl_mount_opts_free(&o);
        return r;
}

int sl_mounts_setup(const sl_mount_ctx *ctx, sl_error *err)
{
        for (size_t i = 0; i < ctx->spec->mounts_len; i++) {
                const oci_mount *m = &ctx->spec->mounts[i];

                if (sl_mount_entry(ctx, m, ctx->premade ? ctx->premade[i] : -1, err) < 0)
                        return sl_err_wrap(err, "mount \"%s\" (mounts[%zu])",
                                           m->destination ? m->destination : "", i);
        }
        return 0;
}

int sl_mounts_prepare(const oci_spec *spec, int userns_fd, int **fds, sl_error *err)
{
        return sl_mounts_prepare_at(spec, AT_FDCWD, userns_fd, fds, err);
}

int sl_mounts_prepare_at(const oci_spec *spec, int dirfd, int userns_fd, int **fds, sl_error *err)
{
        int *out = sl_xmalloc((spec->mounts_len ? spec->mounts_len : 1) * sizeof(*out));

        for (size_t i = 0; i < spec->mounts_len; i++)
                out[i] = -1;
        for (size_t i = 0; i < spec->mounts_len; i++) {
                const oci_mount *m = &spec->mounts[i];
                sl_mount_opts o;
                bool failed = parse_opts(m, &o, err) < 0;

                if (!failed) {
                        if (o.idmap && !(o.set & MS_REMOUNT) && sl_mount_opts_is_bind(&o, m->type)) {
                                out[i] = open_bind(dirfd, m, &o, userns_fd, err);
                                failed = out[i] < 0;
                        }
                        sl_mount_opts_free(&o);
                }
                if (failed) {
                        sl_mounts_fds_free(out, spec->mounts_len);
                        return sl_err_wrap(err, "mount \"%s\" (mounts[%zu])", m->destination ? m->destination : "", i);
                }
        }
        *fds = out;
        return 0;
}

void sl_mounts_fds_free(int *fds, size_t n)
{
        for (size_t i = 0; fds && i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        free(fds);
}

bool sl_mounts_dev_readonly(const oci_spec *spec)
{
        bool ro = false;

        for (size_t i = 0; i < spec->mounts_len; i++) {
                const oci_mount *m = &spec->mounts[i];
                _cleanup_free_ char *clean = m->destination ? sl_path_clean_abs(m->destination) : NULL;
                sl_mount_opts o;

                if (!clean || strcmp(clean, "/dev") != 0 || sl_mount_opts_parse(m->options, m->options_len, &o, NULL) < 0)
                        continue;
                if (!sl_mount_opts_is_bind(&o, m->type) && !(o.set & MS_REMOUNT))
                        ro = (o.set & MS_RDONLY) != 0;
                sl_mount_opts_free(&o);
        }
        return ro;
}
