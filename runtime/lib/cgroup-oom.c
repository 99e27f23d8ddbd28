/* OOM notifications for `events`. v1 signals an eventfd registered
 * through cgroup.event_control (also when the cgroup is removed); v2 has
 * only the memory.events counters, watched with inotify. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/lib/cgroup-internal.h"
#include "runtime/lib/cgroup.h"

struct sl_cgroup_oom {
        int fd;             /* eventfd (v1) or inotify (v2) */
        int control_fd;     /* v1: memory.oom_control, kept open for the registration */
        char *dir;
        uint64_t kills;     /* v2: the last oom_kill count seen */
};

static int open_v1(const char *dir, sl_cgroup_oom *w, sl_error *err)
{
        _cleanup_free_ char *control = sl_xasprintf("%s/memory.oom_control", dir);
        w->control_fd = open(control, O_RDONLY | O_CLOEXEC);
        if (w->control_fd < 0)
                return sl_err_sys(err, errno, "cgroup: open %s", control);
        w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->fd < 0)
                return sl_err_sys(err, errno, "cgroup: eventfd");
        if (sl_cg_writef(dir, "cgroup.event_control", NULL, err, "%d %d", w->fd, w->control_fd) < 0)
                return sl_err_wrap(err, "cgroup: register for OOM events");
        return 0;
}

static int open_v2(const char *dir, sl_cgroup_oom *w, sl_error *err)
{
        _cleanup_free_ char *events = sl_xasprintf("%s/memory.events", dir);
        w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (w->fd < 0)
                return sl_err_sys(err, errno, "cgroup: inotify");
        if (inotify_add_watch(w->fd, events, IN_MODIFY | IN_DELETE_SELF | IN_IGNORED) < 0)
                return sl_err_sys(err, errno, "cgroup: watch %s", events);
        sl_cg_read_keyed(dir, "memory.events", "oom_kill", &w->kills, NULL);
        return 0;
}

int sl_cgroup_oom_open(const char *cgroup_path, sl_cgroup_oom **out, sl_error *err)
{
        sl_cg cg = { 0 };
        if (sl_cg_open(&cg, cgroup_path, err) < 0)
                return -1;
        sl_cgroup_oom *w = sl_xcalloc(1, sizeof *w);
        w->fd = w->control_fd = -1;
        const sl_cg_hier *h = sl_cg_v1(&cg, "memory"), *u = sl_cg_unified(&cg);
        int r;
        if (h && sl_cg_exists(h->dir, "memory.oom_control")) {
                w->dir = sl_xstrdup(h->dir);
                r = open_v1(h->dir, w, err);
        } else if (!h && u && sl_cg_exists(u->dir, "memory.events")) {
                w->dir = sl_xstrdup(u->dir);
                r = open_v2(u->dir, w, err);
        } else {
                r = sl_err(err, ENOTSUP, "cgroup: no memory controller to watch for OOM kills");
        }
        sl_cg_free(&cg);
        if (r < 0) {
                sl_cgroup_oom_close(w);
                return -1;
        }
        *out = w;
        return 0;
}

int sl_cgroup_oom_fd(const sl_cgroup_oom *w)
{
        return w->fd;
}

int sl_cgroup_oom_read(sl_cgroup_oom *w, uint64_t *events, bool *gone, sl_error *err)
{
        *events = 0;
        *gone = false;
        if (w->control_fd >= 0) {
                uint64_t n;
                if (read(w->fd, &n, sizeof n) != (ssize_t)sizeof n)
                        return errno == EAGAIN ? 0 : sl_err_sys(err, errno, "cgroup: read OOM eventfd");
                /* The eventfd also fires when the cgroup goes away. */
                if (!sl_cg_exists(w->dir, "cgroup.procs"))
                        *gone = true;
                else
                        *events = n;
                return 0;
        }
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t len = read(w->fd, buf, sizeof buf);
        if (len < 0)
                return errno == EAGAIN ? 0 : sl_err_sys(err, errno, "cgroup: read inotify");
        uint64_t kills = 0;
        if (sl_cg_read_keyed(w->dir, "memory.events", "oom_kill", &kills, NULL) < 0) {
                *gone = true;
                return 0;
        }
        if (kills > w->kills)
                *events = kills - w->kills;
        w->kills = kills;
        return 0;
}

void sl_cgroup_oom_close(sl_cgroup_oom *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                close(w->fd);
        if (w->control_fd >= 0)
                close(w->control_fd);
        free(w->dir);
        free(w);
}
