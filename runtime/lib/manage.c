/* ps, pause, resume and update over the state directory and cgroup. */
#include "runtime/lib/manage.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

int sl_manage_open(const char *root, const char *id, sl_managed *m, sl_error *err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;

        m->st = NULL;
        if (sl_state_check_id(id, err) < 0)
                return -1;
        rootfd = sl_state_root_open(root, false, err);
        if (rootfd < 0) {
                if (err && err->code == ENOENT)
                        sl_err(err, ENOENT, "container \"%s\" does not exist", id);
                return -1;
        }
        if (sl_state_load(rootfd, id, &m->st, &dirfd, err) < 0)
                return -1;
        m->status = sl_state_status(dirfd, m->st);
        return 0;
}

void sl_manage_close(sl_managed *m)
{
        sl_state_container_free(m->st);
        m->st = NULL;
}

static void manage_cleanup(sl_managed *m)
{
        sl_manage_close(m);
}
#define _cleanup_managed_ _cleanup_(manage_cleanup)

/* Rootless containers may run without a cgroup of their own. */
static int need_cgroup(const sl_managed *m, const char *what, sl_error *err)
{
        if (m->st->cgroup_path)
                return 0;
        return sl_err(err, ENOTSUP, "%s: container %s has no cgroup of its own (created rootless "
                      "without a writable cgroup hierarchy)", what, m->st->id);
}

int sl_manage_pids(const char *root, const char *id, pid_t **pids, size_t *n, sl_error *err)
{
        _cleanup_managed_ sl_managed m = { 0 };

        *pids = NULL;
        *n = 0;
        if (sl_manage_open(root, id, &m, err) < 0)
                return -1;
        if (m.status == SL_STATUS_STOPPED)
                return 0;
        if (need_cgroup(&m, "ps", err) < 0)
                return -1;
        return sl_cgroup_pids(m.st->cgroup_path, pids, n, err);
}

int sl_manage_pause(const char *root, const char *id, sl_error *err)
{
        _cleanup_managed_ sl_managed m = { 0 };

        if (sl_manage_open(root, id, &m, err) < 0)
                return -1;
        if (m.status != SL_STATUS_RUNNING && m.status != SL_STATUS_CREATED)
                return sl_err(err, EINVAL, "container not running");  /* runc's words, paused too */
        if (need_cgroup(&m, "pause", err) < 0)
                return -1;
        return sl_cgroup_freeze(m.st->cgroup_path, true, err);
}

int sl_manage_resume(const char *root, const char *id, sl_error *err)
{
        _cleanup_managed_ sl_managed m = { 0 };

        if (sl_manage_open(root, id, &m, err) < 0)
                return -1;
        if (m.status != SL_STATUS_PAUSED)
                return sl_err(err, EINVAL, "container not paused");
        return sl_cgroup_freeze(m.st->cgroup_path, false, err);
}

int sl_manage_update(const char *root, const char *id, const oci_linux_resources *r,
                     sl_error *err)
{
        _cleanup_managed_ sl_managed m = { 0 };

        if (sl_manage_open(root, id, &m, err) < 0)
                return -1;
        if (m.status == SL_STATUS_STOPPED)
                return sl_err(err, ESRCH, "container not running");
        if (need_cgroup(&m, "update", err) < 0)
                return -1;
        return sl_cgroup_update(m.st->cgroup_path, r, err);
}

int sl_manage_live_cgroup(const char *root, const char *id, char **cgroup_path, sl_error *err)
{
        _cleanup_managed_ sl_managed m = { 0 };

        *cgroup_path = NULL;
        if (sl_manage_open(root, id, &m, err) < 0)
                return -1;
        if (m.status == SL_STATUS_STOPPED)
                return sl_err(err, ESRCH, "container with id %s is not running", id);
        if (need_cgroup(&m, "events", err) < 0)
                return -1;
        *cgroup_path = sl_xstrdup(m.st->cgroup_path);
        return 0;
}

bool sl_manage_alive(const char *root, const char *id)
{
        _cleanup_managed_ sl_managed m = { 0 };
        sl_error e;

        return sl_manage_open(root, id, &m, &e) == 0 && m.status != SL_STATUS_STOPPED;
}
