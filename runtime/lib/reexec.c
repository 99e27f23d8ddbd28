#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/lib/reexec.h"

extern char **environ;

#define MEMFD_NAME "sloika-exe"

static bool exe_is_protected(void)
{
        struct statvfs sv;
        char link[64];
        ssize_t n;

        if (statvfs("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY))
                return true;
        n = readlink("/proc/self/exe", link, sizeof(link) - 1);
        if (n > 0) {
                link[n] = '\0';
                if (strncmp(link, "/memfd:" MEMFD_NAME, strlen("/memfd:" MEMFD_NAME)) == 0)
                        return true;
        }
        return false;
}

static int exec_fd(int fd, char **argv)
{
        syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
        return -1;
}

static int via_ro_mount(char **argv)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe",
                                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

        if (fd < 0)
                return -1;
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return -1;
        return exec_fd(fd, argv);
}

static int via_memfd(char **argv)
{
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int mfd = memfd_create(MEMFD_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        struct stat sb;

        if (src < 0 || mfd < 0 || fstat(src, &sb) < 0)
                return -1;
        for (off_t off = 0; off < sb.st_size;) {
                ssize_t n = sendfile(mfd, src, &off, (size_t)(sb.st_size - off));
                if (n <= 0)
                        return -1;
        }
        if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                return -1;
        return exec_fd(mfd, argv);
}

int sl_reexec_protected(char **argv, sl_error *err)
{
        if (exe_is_protected())
                return 0;
        via_ro_mount(argv);
        via_memfd(argv);
        return sl_err_sys(err, errno, "re-exec from a read-only copy of the runtime binary");
}
