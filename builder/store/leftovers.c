/* Store: what a crash leaves in tmp/. Any entry there is work in progress
 * of a process holding the store lock; gc and fsck hold it exclusively,
 * so what they find is stale. A build killed mid-RUN also leaves its step
 * container running (state in tmp/run-X/state) and, when its mount
 * namespace was not private, mounts under its work dirs: those go first,
 * so removing the tree neither strands a container nor deletes through a
 * bind mount into someone else's files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/layer/fsutil.h"
#include "builder/store/store-internal.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

void sl_store_set_reaper(sl_store *s, sl_store_reap_fn fn)
{
        s->reaper = fn;
}

void sl_store_sayf(sl_store_say_fn say, void *ctx, const char *fmt, ...)
{
        if (!say)
                return;
        char msg[1024];
        va_list va;
        va_start(va, fmt);
        vsnprintf(msg, sizeof msg, fmt, va);
        va_end(va);
        say(ctx, msg);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *p)
{
        char *o = p;
        for (; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
                    p[3] <= '7') {
                        *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 3;
                } else
                        *o++ = *p;
        }
        *o = 0;
}

/* Mount points at or below dir in this namespace, in mount order (so
 * detaching them backwards takes submounts first). */
static char **mounts_under(const char *dir, size_t *n)
{
        *n = 0;
        _cleanup_free_ char *info = NULL;
        if (sl_read_file("/proc/self/mountinfo", &info, NULL, NULL) < 0)
                return NULL;
        char **v = NULL;
        size_t dl = strlen(dir);
        for (char *save = NULL, *line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f = line;
                for (int i = 0; i < 4 && f; i++)  /* skip id, parent, dev, root */
                        f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
                if (!f)
                        continue;
                char *end = strchr(f, ' ');
                if (end)
                        *end = 0;
                unescape(f);
                if (strncmp(f, dir, dl) == 0 && (f[dl] == 0 || f[dl] == '/')) {
                        v = sl_xrealloc(v, (*n + 1) * sizeof *v);
                        v[(*n)++] = sl_xstrdup(f);
                }
        }
        return v;
}

/* The step containers under tmp/NAME/state. */
static int containers(sl_store *s, const char *name, const char *state, bool clear, sl_store_say_fn say,
                      void *ctx, sl_error *err)
{
        _cleanup_free_ char *rel = sl_xasprintf("%s/state", name);
        _cleanup_close_ int fd = openat(s->tmpfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d)
                return sl_err_sys(err, errno, "store %s: read tmp/%s", s->root, rel);
        fd = -1;
        int found = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR)
                        continue;
                sl_store_sayf(say, ctx, "leftover: tmp/%s: step container %s%s", name, de->d_name,
                     clear ? (s->reaper ? ": deleted" : ": cannot delete it (no runtime linked)") : "");
                found++;
        }
        if (found && clear) {
                if (!s->reaper)
                        return sl_err(err, ENOTSUP, "store %s: tmp/%s holds containers and no runtime can delete them",
                                      s->root, name);
                if (s->reaper(state, err) < 0)
                        return sl_err_wrap(err, "store %s: delete the containers in tmp/%s", s->root, rel);
        }
        return found;
}

int sl_store_leftover(sl_store *s, const char *name, bool clear, sl_store_say_fn say, void *ctx, sl_error *err)
{
        _cleanup_free_ char *real = realpath(s->root, NULL);
        if (!real)
                return sl_err_sys(err, errno, "store %s: resolve", s->root);
        _cleanup_free_ char *path = sl_xasprintf("%s/tmp/%s", real, name);
        _cleanup_free_ char *state = sl_xasprintf("%s/state", path);
        int found = containers(s, name, state, clear, say, ctx, err);
        if (found < 0)
                return -1;
        size_t n;
        char **mps = mounts_under(path, &n);
        for (size_t i = n; i-- > 0;) {
                sl_store_sayf(say, ctx, "leftover: mount on %s%s", mps[i], clear ? ": detached" : "");
                found++;
                if (clear && umount2(mps[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
                        sl_err_sys(err, errno, "store %s: detach the mount on %s", s->root, mps[i]);
                        found = -1;
                }
        }
        for (size_t i = 0; i < n; i++)
                free(mps[i]);
        free(mps);
        if (found < 0)
                return -1;
        sl_store_sayf(say, ctx, "leftover: tmp/%s (interrupted work)%s", name, clear ? ": removed" : "");
        found++;
        if (clear && sl_rm_rf_at(s->tmpfd, name, err) < 0)
                return sl_err_wrap(err, "store %s: remove tmp/%s", s->root, name);
        return found;
}
