#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/cgroup.h"
#include "runtime/lib/state.h"

const char *sl_status_name(sl_status s)
{
        static const char *const names[] = {
                [SL_STATUS_CREATING] = "creating", [SL_STATUS_CREATED] = "created",
                [SL_STATUS_RUNNING] = "running",   [SL_STATUS_PAUSED] = "paused",
                [SL_STATUS_STOPPED] = "stopped",
        };
        return names[s];
}

int sl_state_check_id(const char *id, sl_error *err)
{
        if (!id || !*id)
                return sl_err(err, EINVAL, "container id cannot be empty");
        if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
                return sl_err(err, EINVAL, "invalid container id format: %s", id);
        for (const char *p = id; *p; p++) {
                unsigned char c = (unsigned char)*p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '+' || c == '-' || c == '.'))
                        return sl_err(err, EINVAL, "invalid container id format: %s", id);
        }
        return 0;
}

int sl_state_root_open(const char *root, bool create, sl_error *err)
{
        int fd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

        if (fd < 0 && errno == ENOENT && create) {
                /* Parents as mkdir -p would, the root itself private. */
                _cleanup_free_ char *p = sl_xstrdup(root);
                for (char *s = p + 1; *s; s++) {
                        if (*s != '/')
                                continue;
                        *s = '\0';
                        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                                return sl_err_sys(err, errno, "create state root \"%s\"", p);
                        *s = '/';
                }
                if (mkdir(root, 0700) < 0 && errno != EEXIST)
                        return sl_err_sys(err, errno, "create state root \"%s\"", root);
                fd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        }
        if (fd < 0)
                return sl_err_sys(err, errno, "open state root \"%s\"", root);
        return fd;
}

int sl_state_dir_create(int rootfd, const char *id, sl_error *err)
{
        int fd;

        if (mkdirat(rootfd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return sl_err(err, EEXIST, "container with id exists: %s", id);
                return sl_err_sys(err, errno, "create state dir for %s", id);
        }
        fd = openat(rootfd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return sl_err_sys(err, errno, "open state dir for %s", id);
        /* Nobody else has it yet: the lock cannot be busy. */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int e = errno;
                close(fd);
                return sl_err_sys(err, e, "lock state dir for %s", id);
        }
        return fd;
}

bool sl_state_creating(int dirfd)
{
        if (flock(dirfd, LOCK_SH | LOCK_NB) == 0) {
                flock(dirfd, LOCK_UN);
                return false;
        }
        return errno == EWOULDBLOCK;
}

int sl_state_load(int rootfd, const char *id, sl_state_container **out, int *dirfd,
                  sl_error *err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        size_t len;
        char src[64];

        if (sl_state_check_id(id, err) < 0)
                return -1;
        fd = openat(rootfd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return sl_err(err, ENOENT, "container \"%s\" does not exist", id);
                return sl_err_sys(err, errno, "open state dir of \"%s\"", id);
        }
        if (sl_read_file_at(fd, SL_STATE_FILE, &data, &len, err) < 0) {
                if (err->code != ENOENT)
                        return -1;
                if (!sl_state_creating(fd))
                        return sl_err(err, ENOENT, "container \"%s\" does not exist", id);
                /* A create still before its first save: only the id is known. */
                *out = sl_xcalloc(1, sizeof(**out));
                (*out)->id = sl_xstrdup(id);
                (*out)->oci_version = sl_xstrdup(SL_OCI_VERSION);
                (*out)->bundle = sl_xstrdup("");
                (*out)->rootfs = sl_xstrdup("");
                (*out)->created = sl_xstrdup("");
                (*out)->config_path = sl_xstrdup("");
                if (dirfd)
                        *dirfd = SL_STEAL_FD(fd);
                return 0;
        }
        snprintf(src, sizeof(src), "%s/%s", id, SL_STATE_FILE);
        *out = sl_state_container_parse_data(data, len, src, err);
        if (!*out)
                return -1;
        if (dirfd)
                *dirfd = SL_STEAL_FD(fd);
        return 0;
}

/* The state dir is ephemeral (gone at reboot), so the file is replaced by
 * rename without fsync: readers never see a partial file, and create does
 * not pay two disk flushes per container. */
int sl_state_save(int dirfd, const sl_state_container *st, sl_error *err)
{
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int fd = -1;
        size_t len;

        if (sl_state_container_generate(st, 0, &json, &len, err) < 0)
                return sl_err_wrap(err, "write state");
        fd = openat(dirfd, SL_STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return sl_err_sys(err, errno, "write state: create %s.tmp", SL_STATE_FILE);
        if (sl_write_all(fd, json, len) < 0 ||
            renameat(dirfd, SL_STATE_FILE ".tmp", dirfd, SL_STATE_FILE) < 0) {
                int e = errno;
                unlinkat(dirfd, SL_STATE_FILE ".tmp", 0);
                return sl_err_sys(err, e, "write state %s", SL_STATE_FILE);
        }
        return 0;
}

/* Empties the directory dfd (taking it), one level of subdirectories deep:
 * a state dir holds files and the notify dir. */
static int empty_dir(int dfd, const char *what, int depth, sl_error *err)
{
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        struct dirent *e;

        if (!d) {
                close(dfd);
                return sl_err_sys(err, errno, "remove %s", what);
        }
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno == ENOENT)
                        continue;
                if (errno != EISDIR || depth == 0)
                        return sl_err_sys(err, errno, "remove %s/%s", what, e->d_name);
                int sub = openat(dirfd(d), e->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (sub < 0)
                        return sl_err_sys(err, errno, "remove %s/%s", what, e->d_name);
                if (empty_dir(sub, e->d_name, depth - 1, err) < 0)
                        return -1;
                if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
                        return sl_err_sys(err, errno, "remove %s/%s", what, e->d_name);
        }
        return 0;
}

int sl_state_dir_remove(int rootfd, const char *id, sl_error *err)
{
        int fd = openat(rootfd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return sl_err_sys(err, errno, "remove state dir of %s", id);
        }
        if (empty_dir(fd, id, 1, err) < 0)
                return -1;
        if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return sl_err_sys(err, errno, "remove state dir of %s", id);
        return 0;
}

#define PF_EXITING 0x4u

/* /proc/PID/stat after the command name into buf, or NULL when pid is
 * gone. comm may hold spaces and parentheses: fields follow the last ')',
 * so the result starts at " <state> ...". */
static const char *proc_stat_fields(pid_t pid, char *buf, size_t cap)
{
        char path[32];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        n = read(fd, buf, cap - 1);
        close(fd);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        return strrchr(buf, ')');
}

uint64_t sl_proc_start_time(pid_t pid)
{
        char buf[1024];
        const char *p = proc_stat_fields(pid, buf, sizeof(buf));
        unsigned long long start = 0;
        unsigned flags = 0;
        char state;

        /* state is field 3, flags 9, starttime 22. */
        if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %u %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
                         &state, &flags, &start) != 3)
                return 0;
        /* A zombie, or a process already in exit (tearing down its
         * namespaces), has stopped. */
        if (state == 'Z' || state == 'X' || (flags & PF_EXITING))
                return 0;
        return start;
}

char sl_proc_run_state(pid_t pid)
{
        char buf[512];
        const char *p = proc_stat_fields(pid, buf, sizeof(buf));

        return p && p[1] == ' ' ? p[2] : 0;
}

int sl_pid_file_write(const char *path, pid_t pid, sl_error *err)
{
        _cleanup_free_ char *tmp = sl_xasprintf("%s.tmp", path);
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0 || sl_write_all(fd, buf, (size_t)n) < 0 || rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return sl_err_sys(err, e, "--pid-file \"%s\"", path);
        }
        return 0;
}

bool sl_state_init_alive(const sl_state_container *st)
{
        if (st->pid <= 0)
                return false;
        uint64_t t = sl_proc_start_time(st->pid);
        return t != 0 && t == st->pid_start_time;
}

sl_status sl_state_status(int dirfd, const sl_state_container *st)
{
        struct stat sb;

        if (sl_state_creating(dirfd))
                return SL_STATUS_CREATING;
        if (!sl_state_init_alive(st))
                return SL_STATUS_STOPPED;
        if (fstatat(dirfd, SL_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0)
                return SL_STATUS_CREATED;
        if (st->cgroup_path) {
                bool frozen = false;
                sl_error e;
                if (sl_cgroup_is_frozen(st->cgroup_path, &frozen, &e) == 0 && frozen)
                        return SL_STATUS_PAUSED;
        }
        return SL_STATUS_RUNNING;
}

int sl_state_oci_json(const sl_state_container *st, sl_status status, char **out,
                      sl_error *err)
{
        oci_state s = {
                .oci_version = st->oci_version,
                .id = st->id,
                .status = (char *)sl_status_name(status),
                .pid = status == SL_STATUS_STOPPED ? 0 : st->pid,
                .has_pid = status != SL_STATUS_STOPPED,
                .bundle = st->bundle,
                .annotations = st->annotations,
        };
        return oci_state_generate(&s, 0, out, NULL, err);
}

/* The user name of uid from the host's /etc/passwd (no NSS, so the binary
 * can be static), or the number. */
void sl_state_owner_name(uid_t uid, char *buf, size_t cap)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        char line[512];

        snprintf(buf, cap, "%u", (unsigned)uid);
        while (f && fgets(line, sizeof(line), f)) {
                char *name = line, *c1 = strchr(line, ':'), *c2;
                if (!c1 || !(c2 = strchr(c1 + 1, ':')))
                        continue;
                if (strtoul(c2 + 1, NULL, 10) == uid && c2[1] >= '0' && c2[1] <= '9') {
                        *c1 = '\0';
                        snprintf(buf, cap, "%s", name);
                        return;
                }
        }
}

int sl_state_report_json(const sl_state_container *st, sl_status status, bool pretty,
                         char **out, sl_error *err)
{
        char owner[64];

        sl_state_owner_name(geteuid(), owner, sizeof(owner));
        sl_state_report r = {
                .oci_version = st->oci_version,
                .id = st->id,
                .pid = status == SL_STATUS_STOPPED ? 0 : st->pid,
                .has_pid = true,
                .status = (char *)sl_status_name(status),
                .bundle = st->bundle,
                .rootfs = st->rootfs,
                .created = st->created,
                .owner = owner,
                .annotations = st->annotations,
        };
        return sl_state_report_generate(&r, pretty ? OCI_GEN_PRETTY : 0, out, NULL, err);
}
