/* Device nodes are created relative to an fd of their parent directory,
 * which was resolved inside the rootfs, so a symlinked /dev cannot place a
 * node outside it. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "runtime/lib/devices.h"

static const sl_device default_devices[] = {
        { "/dev/null", 'c', 1, 3, 0666, 0, 0 },
        { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
        { "/dev/full", 'c', 1, 7, 0666, 0, 0 },
        { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
        { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
        { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

int sl_device_from_spec(const oci_linux_device *d, sl_device *out, sl_error *err)
{
        if (!d->path || d->path[0] != '/')
                return sl_err(err, EINVAL, "path must be absolute");
        if (!d->type || strlen(d->type) != 1 || !strchr("cubp", d->type[0]))
                return sl_err(err, EINVAL, "type \"%s\" is not one of c, u, b, p", d->type ? d->type : "");
        out->path = d->path;
        out->type = d->type[0] == 'u' ? 'c' : d->type[0];
        if (out->type != 'p' && (!d->has_major || !d->has_minor))
                return sl_err(err, EINVAL, "major and minor are required for type %s", d->type);
        if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
                return sl_err(err, EINVAL, "major/minor out of range");
        out->major = d->has_major ? d->major : 0;
        out->minor = d->has_minor ? d->minor : 0;
        out->mode = d->has_file_mode ? (mode_t)(d->file_mode & 07777) : 0666;
        out->uid = d->has_uid ? (uid_t)d->uid : 0;
        out->gid = d->has_gid ? (gid_t)d->gid : 0;
        return 0;
}

static mode_t node_type(char t)
{
        return t == 'b' ? S_IFBLK : t == 'p' ? S_IFIFO : S_IFCHR;
}

/* Inside a user namespace: an empty file with the host's node over it. */
static int bind_node(int dirfd, const char *name, const sl_device *dev, sl_error *err)
{
        _cleanup_close_ int fd = -1, dst = -1, mfd = -1;
        struct stat st;

        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                return sl_err_sys(err, errno, "remove existing %s", name);
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
        if (fd < 0)
                return sl_err_sys(err, errno, "create mount point");
        dst = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return sl_err_sys(err, errno, "open mount point");
        mfd = sl_mount_clone(AT_FDCWD, dev->path, false, err);
        if (mfd < 0)
                return sl_err_wrap(err, "bind host node");
        if (fstat(mfd, &st) < 0)
                return sl_err_sys(err, errno, "stat host node");
        if ((st.st_mode & S_IFMT) != node_type(dev->type) ||
            (dev->type != 'p' && st.st_rdev != makedev(dev->major, dev->minor)))
                return sl_err(err, ENODEV, "host %s is not device %c %lld:%lld", dev->path, dev->type,
                              (long long)dev->major, (long long)dev->minor);
        return sl_mount_attach(mfd, dst, err);
}

static int make_node(int dirfd, const char *name, const sl_device *dev, sl_error *err)
{
        mode_t old_umask;
        struct stat st;
        int r;

        /* A rootfs reused across runs already has the node: leave it. */
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == node_type(dev->type) &&
            (dev->type == 'p' || st.st_rdev == makedev(dev->major, dev->minor)) && (st.st_mode & 07777) == dev->mode &&
            st.st_uid == dev->uid && st.st_gid == dev->gid)
                return 0;
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                return sl_err_sys(err, errno, "remove existing %s", name);
        old_umask = umask(0);
        r = mknodat(dirfd, name, node_type(dev->type) | dev->mode, makedev(dev->major, dev->minor));
        umask(old_umask);
        if (r < 0)
                return sl_err_sys(err, errno, "mknod");
        if (fchownat(dirfd, name, dev->uid, dev->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return sl_err_sys(err, errno, "chown");
        return 0;
}

int sl_device_create(const sl_mount_ctx *ctx, const sl_device *dev, sl_error *err)
{
        _cleanup_free_ char *clean = sl_path_clean_abs(dev->path);
        _cleanup_free_ char *dir = sl_xstrdup(clean);
        _cleanup_close_ int dirfd = -1, wdir = -1;
        const char *name = strrchr(clean, '/') + 1;

        if (!*name)
                return sl_err(err, EINVAL, "not a device path");
        dir[name - clean] = '\0';
        dirfd = sl_mkdirs_in_root(ctx->rootfd, dir, 0755, err);
        if (dirfd < 0)
                return sl_err_wrap(err, "create parent");
        /* mknodat and friends need a real directory fd, not O_PATH. */
        wdir = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (wdir < 0)
                return sl_err_sys(err, errno, "open parent");
        if (!ctx->in_userns) {
                if (make_node(wdir, name, dev, err) == 0)
                        return 0;
                if (err && err->code != EPERM)
                        return -1;
        }
        return bind_node(wdir, name, dev, err);
}

bool sl_devices_dev_is_bound(const oci_spec *spec)
{
        for (size_t i = 0; i < spec->mounts_len; i++) {
                const oci_mount *m = &spec->mounts[i];
                sl_mount_opts o;
                bool bound;
                _cleanup_free_ char *clean = NULL;

                if (!m->destination)
                        continue;
                clean = sl_path_clean_abs(m->destination);
                if (strcmp(clean, "/dev") != 0 || sl_mount_opts_parse(m->options, m->options_len, &o, NULL) < 0)
                        continue;
                bound = sl_mount_opts_is_bind(&o, m->type);
                sl_mount_opts_free(&o);
                if (bound)
                        return true;
        }
        return false;
}

static bool overridden(const oci_spec *spec, const char *path)
{
        for (size_t i = 0; spec->linux && i < spec->linux->devices_len; i++) {
                _cleanup_free_ char *a = NULL, *b = NULL;
                if (!spec->linux->devices[i].path)
                        continue;
                a = sl_path_clean_abs(spec->linux->devices[i].path);
                b = sl_path_clean_abs(path);
                if (strcmp(a, b) == 0)
                        return true;
        }
        return false;
}

static int dev_links(const sl_mount_ctx *ctx, sl_error *err)
{
        static const struct { const char *name, *target; } links[] = {
                { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },
        };
        _cleanup_close_ int opath = sl_mkdirs_in_root(ctx->rootfd, "/dev", 0755, err);
        _cleanup_close_ int dev = -1;
        char target[16];

        if (opath < 0)
                return sl_err_wrap(err, "/dev");
        dev = openat(opath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dev < 0)
                return sl_err_sys(err, errno, "open /dev");
        if (readlinkat(dev, "ptmx", target, sizeof(target)) != 8 || memcmp(target, "pts/ptmx", 8) != 0) {
                if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
                        return sl_err_sys(err, errno, "remove /dev/ptmx");
                if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
                        return sl_err_sys(err, errno, "symlink /dev/ptmx");
        }
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
                if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
                        return sl_err_sys(err, errno, "symlink /dev/%s", links[i].name);
        if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "symlink /dev/core");
        return 0;
}

int sl_devices_setup(const sl_mount_ctx *ctx, sl_error *err)
{
        const oci_linux *l = ctx->spec->linux;

        if (sl_devices_dev_is_bound(ctx->spec))
                return 0;
        for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
                if (overridden(ctx->spec, default_devices[i].path))
                        continue;
                if (sl_device_create(ctx, &default_devices[i], err) < 0)
                        return sl_err_wrap(err, "default device \"%s\"", default_devices[i].path);
        }
        for (size_t i = 0; l && i < l->devices_len; i++) {
                sl_device dev;
                if (sl_device_from_spec(&l->devices[i], &dev, err) < 0 || sl_device_create(ctx, &dev, err) < 0)
                        return sl_err_wrap(err, "device \"%s\" (linux.devices[%zu])",
                                           l->devices[i].path ? l->devices[i].path : "", i);
        }
        return dev_links(ctx, err);
}

int sl_devices_bind_console(int slave_fd, sl_error *err)
{
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int dst = -1, mfd = -1;
        struct stat st;

        if (root < 0)
                return sl_err_sys(err, errno, "/dev/console: open /");
        if (fstat(slave_fd, &st) < 0 || !S_ISCHR(st.st_mode))
                return sl_err(err, ENOTTY, "/dev/console: the console fd is not a terminal device");
        dst = sl_mkfile_in_root(root, "/dev/console", 0600, err);
        if (dst < 0)
                return sl_err_wrap(err, "/dev/console");
        mfd = sl_mount_clone(slave_fd, "", false, err);
        if (mfd < 0 || sl_mount_attach(mfd, dst, err) < 0)
                return sl_err_wrap(err, "/dev/console");
        return 0;
}
