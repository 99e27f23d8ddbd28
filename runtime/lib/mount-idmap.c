/* A user namespace carrying a mapping is only reachable through a process
 * inside it, so a short-lived child unshares one, the mappings are written
 * from here, and its /proc/<pid>/ns/user fd outlives it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/lib/mount-idmap.h"

static char *format_map(const oci_linux_id_mapping *map, size_t n)
{
        char *out = sl_xstrdup("");

        for (size_t i = 0; i < n; i++) {
                char *next = sl_xasprintf("%s%u %u %u\n", out, map[i].container_id, map[i].host_id, map[i].size);
                free(out);
                out = next;
        }
        return out;
}

static int write_map(const char *proc_pid, const char *file, const char *text, sl_error *err)
{
        char path[64];
        _cleanup_close_ int fd = -1;
        size_t len = strlen(text);

        snprintf(path, sizeof(path), "/proc/%s/%s", proc_pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "open %s", path);
        if (write(fd, text, len) != (ssize_t)len)
                return sl_err_sys(err, errno, "write %s", file);
        return 0;
}

static int userns_from_mappings(const oci_mount *m, sl_error *err)
{
        _cleanup_free_ char *uids = format_map(m->uid_mappings, m->uid_mappings_len);
        _cleanup_free_ char *gids = format_map(m->gid_mappings, m->gid_mappings_len);
        int ready[2], hold[2], nsfd = -1;
        char path[64], proc_pid[32] = "", c;
        pid_t pid;

        if (pipe2(ready, O_CLOEXEC) < 0)
                return sl_err_sys(err, errno, "pipe");
        if (pipe2(hold, O_CLOEXEC) < 0) {
                close(ready[0]);
                close(ready[1]);
                return sl_err_sys(err, errno, "pipe");
        }
        pid = fork();
        if (pid == 0) {
                /* /proc may belong to another pid namespace than ours (the
                 * host's, before pivot_root), so the child names itself as
                 * that /proc sees it. */
                char self[32] = "n";
                ssize_t n;
                close(ready[0]);
                close(hold[1]);
                if (unshare(CLONE_NEWUSER) == 0 && (n = readlink("/proc/self", self, sizeof(self) - 1)) > 0)
                        self[n] = '\0';
                else
                        strcpy(self, "n");
                if (write(ready[1], self, strlen(self) + 1) < 0)
                        _exit(1);
                /* Stay alive inside the namespace until the parent is done. */
                while (read(hold[0], &c, 1) < 0 && errno == EINTR)
                        ;
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        if (pid < 0) {
                sl_err_sys(err, errno, "fork");
        } else if (read(ready[0], proc_pid, sizeof(proc_pid) - 1) <= 0 || proc_pid[0] < '1' || proc_pid[0] > '9') {
                sl_err(err, EPERM, "idmap: cannot create a user namespace for the mapping");
        } else if (write_map(proc_pid, "uid_map", uids, err) == 0 &&
                   write_map(proc_pid, "gid_map", gids, err) == 0) {
                snprintf(path, sizeof(path), "/proc/%s/ns/user", proc_pid);
                nsfd = open(path, O_RDONLY | O_CLOEXEC);
                if (nsfd < 0)
                        sl_err_sys(err, errno, "open %s", path);
        }
        close(ready[0]);
        close(hold[1]);
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        return nsfd;
}

bool sl_in_user_namespace(void)
{
        char buf[128] = "";
        FILE *f = fopen("/proc/self/uid_map", "re");
        unsigned long a = 1, b = 1, n = 0;

        if (!f)
                return false;
        if (fgets(buf, sizeof(buf), f))
                sscanf(buf, "%lu %lu %lu", &a, &b, &n);
        fclose(f);
        return !(a == 0 && b == 0 && n == 4294967295UL);
}

int sl_mount_idmap(int mfd, const oci_mount *m, bool recursive, int userns_fd, sl_error *err)
{
        _cleanup_close_ int nsfd = -1;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

        if (m->uid_mappings_len || m->gid_mappings_len) {
                if (!m->uid_mappings_len || !m->gid_mappings_len)
                        return sl_err(err, EINVAL, "idmap needs both uidMappings and gidMappings");
                nsfd = userns_from_mappings(m, err);
        } else if (userns_fd >= 0) {
                nsfd = fcntl(userns_fd, F_DUPFD_CLOEXEC, 0);
                if (nsfd < 0)
                        sl_err_sys(err, errno, "dup user namespace fd");
        } else if (!sl_in_user_namespace()) {
                return sl_err(err, EINVAL, "idmap without uidMappings/gidMappings needs a container user namespace");
        } else {
                nsfd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
                if (nsfd < 0)
                        sl_err_sys(err, errno, "open /proc/self/ns/user");
        }
        if (nsfd < 0)
                return -1;
        attr.userns_fd = (unsigned)nsfd;
        if (mount_setattr(mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return sl_err_sys(err, errno, "idmap mount");
        return 0;
}
