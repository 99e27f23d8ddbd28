/* The host layout (which hierarchies are mounted where, and this process's
 * cgroup in each) comes from the cgroup module's reader. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup-internal.h"
#include "runtime/lib/mount-cgroup.h"

static bool has_cgroupns(const oci_spec *spec)
{
        for (size_t i = 0; spec->linux && i < spec->linux->namespaces_len; i++)
                if (spec->linux->namespaces[i].type && strcmp(spec->linux->namespaces[i].type, "cgroup") == 0)
                        return true;
        return false;
}

/* Without a cgroup namespace: the host directory of this process's cgroup. */
static int open_bind(const sl_cg_hier *h, sl_error *err)
{
        const char *rel = h->self;
        size_t rlen = strlen(h->root);
        _cleanup_free_ char *src = NULL;

        if (!rel)
                return sl_err(err, ENOENT, "this process is in no cgroup of the hierarchy at %s", h->mount);
        if (strcmp(h->root, "/") != 0 && strncmp(rel, h->root, rlen) == 0)
                rel += rlen;
        src = sl_xasprintf("%s/%s", h->mount, rel[0] == '/' ? rel + 1 : rel);
        return sl_mount_clone(AT_FDCWD, src, false, err);
}

static int open_fs(const sl_cg_hier *h, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        sl_mount_opts fs = { 0 };
        bool named_only;

        if (h->unified)
                return sl_mount_fs_open("cgroup2", "cgroup2", &fs, err);
        /* A name= hierarchy without controllers must say "none", or the
         * kernel would try to bind every controller to it. */
        named_only = strncmp(h->controllers, "name=", 5) == 0 && !strchr(h->controllers, ',');
        fs.data = data = sl_xasprintf("%s%s", named_only ? "none," : "", h->controllers);
        return sl_mount_fs_open("cgroup", "cgroup", &fs, err);
}

/* One hierarchy, detached, with the entry's per-mount flags. */
static int open_hierarchy(const sl_cg_hier *h, bool ns, const sl_mount_opts *o, sl_error *err)
{
        _cleanup_close_ int mfd = ns ? open_fs(h, err) : open_bind(h, err);
        uint64_t set, clr;

        /* cgroup2 may not be mountable from a user namespace without a
         * cgroup namespace; the host's directory serves as well. */
        if (mfd < 0 && !ns && h->unified && err && err->code == EPERM)
                mfd = open_bind(h, err);
        if (mfd < 0)
                return -1;
        sl_mount_opts_attr(o, &set, &clr);
        if (sl_mount_setattr(mfd, false, set, clr, err) < 0)
                return -1;
        return SL_STEAL_FD(mfd);
}

static int mount_hierarchy(const sl_cg_hier *h, bool ns, const sl_mount_opts *o, int dirfd, const char *name,
                           sl_error *err)
{
        _cleanup_close_ int mfd = -1, dst = -1;

        if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "mkdir %s", name);
        dst = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return sl_err_sys(err, errno, "open %s", name);
        mfd = open_hierarchy(h, ns, o, err);
        if (mfd < 0 || sl_mount_attach(mfd, dst, err) < 0)
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

/* v1 and hybrid: a tmpfs holding one mount per hierarchy, named like its
 * host mount point (so "unified" on hybrid hosts). */
static int mount_v1_tree(const sl_cg *cg, bool ns, const sl_mount_opts *o, int dstfd, sl_error *err)
{
        sl_mount_opts tmp = { .data = (char *)"mode=755" };
        _cleanup_close_ int mfd = -1;
        uint64_t set, clr;

        tmp.set = o->set & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
        mfd = sl_mount_fs_open("tmpfs", "cgroup", &tmp, err);
        if (mfd < 0 || sl_mount_attach(mfd, dstfd, err) < 0)
                return -1;
        for (size_t i = 0; i < cg->n; i++) {
                const char *base = strrchr(cg->h[i].mount, '/');
                base = base ? base + 1 : cg->h[i].mount;
                if (!*base || strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
                        return sl_err(err, EINVAL, "odd cgroup mount point %s", cg->h[i].mount);
                if (mount_hierarchy(&cg->h[i], ns, o, mfd, base, err) < 0 || link_comounted(mfd, base, err) < 0)
                        return -1;
        }
        sl_mount_opts_attr(o, &set, &clr);
        if (sl_mount_setattr(mfd, false, set & MOUNT_ATTR_RDONLY, 0, err) < 0)
                return -1;
        return SL_STEAL_FD(mfd);
}

int sl_mount_cgroup(const sl_mount_ctx *ctx, const oci_mount *m, const sl_mount_opts *o, int dstfd, sl_error *err)
{
        sl_cg cg = { 0 };
        bool ns = has_cgroupns(ctx->spec);
        int r, top = -1;

        (void)m;
        if (sl_cg_layout_load(&cg, err) < 0)
                return -1;
        if (cg.mode == SL_CG_MODE_V2) {
                sl_cg_hier *h = sl_cg_unified(&cg);
                if (!h)
                        r = sl_err(err, ENOENT, "no cgroup2 hierarchy on a unified host");
                else if ((top = open_hierarchy(h, ns, o, err)) < 0)
                        r = -1;
                else
                        r = sl_mount_attach(top, dstfd, err);
        } else {
                top = mount_v1_tree(&cg, ns, o, dstfd, err);
                r = top < 0 ? -1 : 0;
        }
        sl_cg_free(&cg);
        if (r < 0) {
                if (top >= 0)
                        close(top);
                return -1;
        }
        return top;
}
