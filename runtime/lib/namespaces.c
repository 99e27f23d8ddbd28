#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "runtime/lib/namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *type;
        int flag;
} ns_types[] = {
        { "pid", CLONE_NEWPID },     { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
        { "ipc", CLONE_NEWIPC },     { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
        { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

int sl_ns_plan_from_spec(const oci_spec *spec, sl_ns_plan *plan, sl_error *err)
{
        const oci_linux *l = spec->linux;
        int seen = 0;

        memset(plan, 0, sizeof(*plan));
        for (size_t i = 0; l && i < l->namespaces_len; i++) {
                const oci_linux_namespace *ns = &l->namespaces[i];
                int flag = 0;
                for (size_t k = 0; k < sizeof(ns_types) / sizeof(ns_types[0]); k++)
                        if (strcmp(ns->type, ns_types[k].type) == 0)
                                flag = ns_types[k].flag;
                if (!flag)
                        return sl_err(err, EINVAL, "linux.namespaces[%zu].type: unknown namespace type \"%s\"",
                                      i, ns->type);
                if (seen & flag)
                        return sl_err(err, EINVAL, "linux.namespaces[%zu]: namespace \"%s\" given twice",
                                      i, ns->type);
                seen |= flag;
                plan->own_mount |= flag == CLONE_NEWNS;
                plan->own_uts |= flag == CLONE_NEWUTS;
                if (ns->path && *ns->path) {
                        if (ns->path[0] != '/')
                                return sl_err(err, EINVAL, "linux.namespaces[%zu].path: \"%s\" is not absolute",
                                              i, ns->path);
                        plan->join_user |= flag == CLONE_NEWUSER;
                        plan->join[plan->n_join++] = (sl_ns_join){
                                .flag = flag, .type = ns->type, .path = ns->path, .index = i, .fd = -1 };
                        continue;
                }
                switch (flag) {
                case CLONE_NEWCGROUP: plan->new_cgroup = true; break;
                case CLONE_NEWTIME: plan->new_time = true; break;
                default: plan->clone_flags |= flag; break;
                }
                plan->new_user |= flag == CLONE_NEWUSER;
                plan->new_pid |= flag == CLONE_NEWPID;
                plan->new_mount |= flag == CLONE_NEWNS;
                plan->new_uts |= flag == CLONE_NEWUTS;
        }
        if (!plan->new_user && !(seen & CLONE_NEWUSER) && l &&
            (l->uid_mappings_len || l->gid_mappings_len))
                return sl_err(err, EINVAL, "linux.%s: mappings given without a user namespace",
                              l->uid_mappings_len ? "uidMappings" : "gidMappings");
        if (plan->new_user && (!l->uid_mappings_len || !l->gid_mappings_len))
                return sl_err(err, EINVAL, "linux.%s: a new user namespace needs mappings",
                              !l->uid_mappings_len ? "uidMappings" : "gidMappings");
        if (l && l->time_offsets && l->time_offsets->len && !plan->new_time)
                return sl_err(err, EINVAL, "linux.timeOffsets: given without a new time namespace");
        return 0;
}

bool sl_ns_needs_intermediate(const sl_ns_plan *plan)
{
        if (plan->new_time)
                return true;
        for (size_t i = 0; i < plan->n_join; i++)
                if (plan->join[i].flag == CLONE_NEWPID || plan->join[i].flag == CLONE_NEWUSER ||
                    plan->join[i].flag == CLONE_NEWTIME || plan->new_user)
                        return true;
        return false;
}

int sl_ns_open_joins(sl_ns_plan *plan, sl_error *err)
{
        for (size_t i = 0; i < plan->n_join; i++) {
                sl_ns_join *j = &plan->join[i];
                j->fd = open(j->path, O_RDONLY | O_CLOEXEC);
                if (j->fd < 0)
                        return sl_err_sys(err, errno, "linux.namespaces[%zu].path: open \"%s\"",
                                          j->index, j->path);
        }
        return 0;
}

void sl_ns_close_joins(sl_ns_plan *plan)
{
        for (size_t i = 0; i < plan->n_join; i++)
                if (plan->join[i].fd >= 0) {
                        close(plan->join[i].fd);
                        plan->join[i].fd = -1;
                }
}

int sl_ns_join_all(sl_ns_plan *plan, sl_error *err)
{
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < plan->n_join; i++) {
                        sl_ns_join *j = &plan->join[i];
                        if ((j->flag == CLONE_NEWUSER) != (pass == 1))
                                continue;
                        if (setns(j->fd, j->flag) < 0)
                                return sl_err_sys(err, errno, "linux.namespaces[%zu]: join %s namespace \"%s\"",
                                                  j->index, j->type, j->path);
                        close(j->fd);
                        j->fd = -1;
                }
        return 0;
}

static int write_map(pid_t pid, const char *file, const char *field,
                     const oci_linux_id_mapping *m, size_t n, sl_error *err)
{
        char path[64], buf[8192];
        size_t len = 0;
        _cleanup_close_ int fd = -1;

        for (size_t i = 0; i < n; i++) {
                int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
                                 m[i].container_id, m[i].host_id, m[i].size);
                if (w < 0 || (size_t)w >= sizeof(buf) - len)
                        return sl_err(err, E2BIG, "linux.%s: too many mappings", field);
                len += (size_t)w;
        }
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || sl_write_all(fd, buf, len) < 0)
                return sl_err_sys(err, errno, "linux.%s: write %s", field, path);
        return 0;
}

/* The kernel lets a caller without CAP_SETGID over the namespace map gids
 * only once setgroups(2) is denied in it (a rootless container). */
static int deny_setgroups(pid_t pid, sl_error *err)
{
        char path[64];
        _cleanup_close_ int fd = -1;

        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || sl_write_all(fd, "deny", 4) < 0)
                return sl_err_sys(err, errno, "linux.gidMappings: write %s", path);
        return 0;
}

int sl_ns_write_id_maps(pid_t pid, const oci_linux *l, sl_error *err)
{
        if (write_map(pid, "uid_map", "uidMappings", l->uid_mappings, l->uid_mappings_len, err) < 0)
                return -1;
        if (write_map(pid, "gid_map", "gidMappings", l->gid_mappings, l->gid_mappings_len, err) == 0)
                return 0;
        if (!err || err->code != EPERM)
                return -1;
        if (deny_setgroups(pid, err) < 0)
                return -1;
        return write_map(pid, "gid_map", "gidMappings", l->gid_mappings, l->gid_mappings_len, err);
}

int sl_ns_new_time(const oci_linux *l, sl_error *err)
{
        char buf[256];
        size_t len = 0;

        if (unshare(CLONE_NEWTIME) < 0)
                return sl_err_sys(err, errno, "create time namespace");
        for (size_t i = 0; l && l->time_offsets && i < l->time_offsets->len; i++) {
                const char *clock = l->time_offsets->keys[i];
                const oci_linux_time_offset *o = &l->time_offsets->values[i];
                if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
                        return sl_err(err, EINVAL, "linux.timeOffsets[\"%s\"]: unknown clock", clock);
                int w = snprintf(buf + len, sizeof(buf) - len, "%s %lld %u\n", clock,
                                 (long long)o->secs, o->nanosecs);
                if (w < 0 || (size_t)w >= sizeof(buf) - len)
                        return sl_err(err, E2BIG, "linux.timeOffsets: too many entries");
                len += (size_t)w;
        }
        if (len) {
                _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || sl_write_all(fd, buf, len) < 0)
                        return sl_err_sys(err, errno, "linux.timeOffsets: write /proc/self/timens_offsets");
        }
        return 0;
}

int sl_ns_differing(pid_t pid, int *flags, sl_error *err)
{
        static const struct {
                const char *file;
                int flag;
        } files[] = {
                { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },  { "pid", CLONE_NEWPID },
                { "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
                { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
        };
        char path[64];

        *flags = 0;
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                struct stat theirs, ours;
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, files[i].file);
                if (stat(path, &theirs) < 0) {
                        if (errno == ENOENT && files[i].flag == CLONE_NEWTIME)
                                continue;
                        return sl_err_sys(err, errno, "%s", path);
                }
                snprintf(path, sizeof(path), "/proc/self/ns/%s", files[i].file);
                if (stat(path, &ours) < 0)
                        return sl_err_sys(err, errno, "%s", path);
                if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev)
                        *flags |= files[i].flag;
        }
        return 0;
}
