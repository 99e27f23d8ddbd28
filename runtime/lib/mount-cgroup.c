/* The host layout is read from /proc/self/cgroup (which hierarchies exist,
 * and where this process sits in each) and /proc/self/mountinfo (where
 * each hierarchy is mounted on the host). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/lib/mount-cgroup.h"

typedef struct hierarchy {
        char *controllers;      /* "cpu,cpuacct", "name=systemd", "" for cgroup2 */
        char *path;             /* this process's cgroup in it */
        char *mountpoint;       /* host mount point */
        char *mount_root;       /* mountinfo root of that mount */
} hierarchy;

static void hierarchies_free(hierarchy *h, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(h[i].controllers);
                free(h[i].path);
                free(h[i].mountpoint);
                free(h[i].mount_root);
        }
        free(h);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
        char *o = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
                        *o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
                        s += 3;
                } else {
                        *o++ = *s;
                }
        }
        *o = '\0';
}

static bool has_option(const char *list, const char *opt)
{
        size_t n = strlen(opt);

        for (const char *p = list; p && *p;) {
                const char *end = strchrnul(p, ',');
                if ((size_t)(end - p) == n && strncmp(p, opt, n) == 0)
                        return true;
                p = *end ? end + 1 : end;
        }
        return false;
}

static bool covers_controllers(const char *superopts, const char *controllers)
{
        _cleanup_free_ char *copy = sl_xstrdup(controllers);
        char *save = NULL;

        for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
                if (!has_option(superopts, c))
                        return false;
        return true;
}

typedef struct cgroup_mount {
        char *fstype, *superopts, *root, *mountpoint;
} cgroup_mount;

static void cgroup_mounts_free(cgroup_mount *c, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(c[i].fstype);
                free(c[i].superopts);
                free(c[i].root);
                free(c[i].mountpoint);
        }
        free(c);
}

/* The host's cgroup and cgroup2 mounts, from one read of mountinfo (the
 * kernel renders it anew on every read, which is not cheap). */
static int read_cgroup_mounts(cgroup_mount **out, size_t *n_out, sl_error *err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        cgroup_mount *c = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return sl_err_sys(err, errno, "open /proc/self/mountinfo");
        while (getline(&line, &cap, f) > 0) {
                char *fields[5], *save = NULL, *sep = strstr(line, " - ");
                char *fstype, *superopts;
                size_t i = 0;

                if (!sep)
                        continue;
                *sep = '\0';
                for (char *t = strtok_r(line, " ", &save); t && i < 5; t = strtok_r(NULL, " ", &save))
                        fields[i++] = t;
                fstype = strtok_r(sep + 3, " ", &save);
                strtok_r(NULL, " ", &save);
                superopts = strtok_r(NULL, " \n", &save);
                if (i < 5 || !fstype || !superopts || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
                        continue;
                unescape(fields[3]);
                unescape(fields[4]);
                c = sl_xrealloc(c, (n + 1) * sizeof(*c));
                c[n++] = (cgroup_mount){ sl_xstrdup(fstype), sl_xstrdup(superopts), sl_xstrdup(fields[3]),
                                         sl_xstrdup(fields[4]) };
        }
        *out = c;
        *n_out = n;
        return 0;
}

/* Finds the host mount of one hierarchy (cgroup2 when controllers is ""),
 * preferring one under /sys/fs/cgroup. */
static int find_mount(hierarchy *h, const cgroup_mount *c, size_t n, sl_error *err)
{
        const cgroup_mount *best = NULL;

        for (size_t i = 0; i < n; i++) {
                if (*h->controllers ? strcmp(c[i].fstype, "cgroup") != 0 || !covers_controllers(c[i].superopts, h->controllers)
                                    : strcmp(c[i].fstype, "cgroup2") != 0)
                        continue;
                if (!best || strncmp(c[i].mountpoint, "/sys/fs/cgroup", 14) == 0)
                        best = &c[i];
        }
        if (!best)
                return sl_err(err, ENOENT, "cgroup hierarchy \"%s\" is not mounted on the host",
                              *h->controllers ? h->controllers : "cgroup2");
        h->mountpoint = sl_xstrdup(best->mountpoint);
        h->mount_root = sl_xstrdup(best->root);
        return 0;
}

static int read_hierarchies(hierarchy **out, size_t *n_out, sl_error *err)
{
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        cgroup_mount *mounts = NULL;
        hierarchy *h = NULL;
        size_t n = 0, n_mounts = 0, cap = 0;
        int r = 0;

        if (read_cgroup_mounts(&mounts, &n_mounts, err) < 0)
                return -1;
        f = fopen("/proc/self/cgroup", "re");
        if (!f) {
                cgroup_mounts_free(mounts, n_mounts);
                return sl_err_sys(err, errno, "open /proc/self/cgroup");
        }
        while (r == 0 && getline(&line, &cap, f) > 0) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                c2[1 + strcspn(c2 + 1, "\n")] = '\0';
                h = sl_xrealloc(h, (n + 1) * sizeof(*h));
                h[n] = (hierarchy){ .controllers = sl_xstrdup(c1 + 1), .path = sl_xstrdup(c2 + 1) };
                r = find_mount(&h[n++], mounts, n_mounts, err);
        }
        cgroup_mounts_free(mounts, n_mounts);
        if (r < 0) {
                hierarchies_free(h, n);
                return -1;
        }
        *out = h;
        *n_out = n;
        return 0;
}

static bool has_cgroupns(const oci_spec *spec)
{
        for (size_t i = 0; spec->linux && i < spec->linux->namespaces_len; i++)
                if (spec->linux->namespaces[i].type && strcmp(spec->linux->namespaces[i].type, "cgroup") == 0)
                        return true;
        return false;
}

/* Without a cgroup namespace: the host directory of this process's cgroup. */
static int open_bind(const hierarchy *h, sl_error *err)
{
        const char *rel = h->path;
        size_t rlen = strlen(h->mount_root);
        _cleanup_free_ char *src = NULL;

        if (strcmp(h->mount_root, "/") != 0 && strncmp(rel, h->mount_root, rlen) == 0)
                rel += rlen;
        src = sl_xasprintf("%s/%s", h->mountpoint, rel[0] == '/' ? rel + 1 : rel);
        return sl_mount_clone(AT_FDCWD, src, false, err);
}

static int open_fs(const hierarchy *h, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        sl_mount_opts fs = { 0 };
        bool named_only;

        if (!*h->controllers)
                return sl_mount_fs_open("cgroup2", "cgroup2", &fs, err);
        /* A name= hierarchy without controllers must say "none", or the
         * kernel would try to bind every controller to it. */
        named_only = strncmp(h->controllers, "name=", 5) == 0 && !strchr(h->controllers, ',');
        fs.data = data = sl_xasprintf("%s%s", named_only ? "none," : "", h->controllers);
        return sl_mount_fs_open("cgroup", "cgroup", &fs, err);
}

static int mount_hierarchy(const hierarchy *h, bool ns, const sl_mount_opts *o, int dirfd, const char *name,
                           sl_error *err)
{
        _cleanup_close_ int mfd = -1, dst = -1;
        uint64_t set, clr;

        if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "mkdir %s", name);
        dst = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return sl_err_sys(err, errno, "open %s", name);
        mfd = ns ? open_fs(h, err) : open_bind(h, err);
        if (mfd < 0)
                return sl_err_wrap(err, "%s", name);
        sl_mount_opts_attr(o, &set, &clr);
        if (sl_mount_setattr(mfd, false, set, clr, err) < 0 || sl_mount_attach(mfd, dst, err) < 0)
                return sl_err_wrap(err, "%s", name);
        return 0;
}

/* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct". */
static int link_comounted(int dirfd, const char *name, sl_error *err)
{
        _cleanup_free_ char *copy = sl_xstrdup(name);
        char *save = NULL;

        if (!strchr(name, ','))
                return 0;
        for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
                if (symlinkat(name, dirfd, c) < 0 && errno != EEXIST)
                        return sl_err_sys(err, errno, "symlink %s", c);
        return 0;
}

static int mount_v1_tree(hierarchy *h, size_t n, bool ns, const sl_mount_opts *o, int dstfd, sl_error *err)
{
        sl_mount_opts tmp = { .data = (char *)"mode=755" };
        _cleanup_close_ int mfd = -1;
        uint64_t set, clr;

        tmp.set = o->set & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
        mfd = sl_mount_fs_open("tmpfs", "cgroup", &tmp, err);
        if (mfd < 0 || sl_mount_attach(mfd, dstfd, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const char *base = strrchr(h[i].mountpoint, '/');
                base = base ? base + 1 : h[i].mountpoint;
                if (!*base || strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
                        return sl_err(err, EINVAL, "odd cgroup mount point %s", h[i].mountpoint);
                if (mount_hierarchy(&h[i], ns, o, mfd, base, err) < 0 || link_comounted(mfd, base, err) < 0)
                        return -1;
        }
        sl_mount_opts_attr(o, &set, &clr);
        return sl_mount_setattr(mfd, false, set & MOUNT_ATTR_RDONLY, 0, err);
}

int sl_mount_cgroup(const sl_mount_ctx *ctx, const oci_mount *m, const sl_mount_opts *o, int dstfd, sl_error *err)
{
        hierarchy *h = NULL;
        size_t n = 0;
        struct statfs sfs;
        bool ns = has_cgroupns(ctx->spec);
        int r;

        (void)m;
        if (statfs("/sys/fs/cgroup", &sfs) < 0)
                return sl_err_sys(err, errno, "statfs /sys/fs/cgroup");
        if (read_hierarchies(&h, &n, err) < 0)
                return -1;
        if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
                uint64_t set, clr;
                _cleanup_close_ int mfd = -1;
                if (n != 1 || *h[0].controllers) {
                        hierarchies_free(h, n);
                        return sl_err(err, EINVAL, "unified cgroup host with v1 entries in /proc/self/cgroup");
                }
                mfd = open_fs(&h[0], err);
                if (mfd < 0 && err && err->code == EPERM && !ns)
                        mfd = open_bind(&h[0], err);
                sl_mount_opts_attr(o, &set, &clr);
                r = mfd < 0 || sl_mount_setattr(mfd, false, set, clr, err) < 0 || sl_mount_attach(mfd, dstfd, err) < 0
                            ? -1 : 0;
        } else {
                r = mount_v1_tree(h, n, ns, o, dstfd, err);
        }
        hierarchies_free(h, n);
        return r;
}
