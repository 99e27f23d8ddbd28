#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/exec/overlay.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define OPTIONS_MAX 4000

static bool bad_path(const char *p)
{
        return strpbrk(p, ",:\\") != NULL;
}

int sl_overlay_options(char *const *lowers, size_t n, const char *upper, const char *work, char **out,
                       sl_error *err)
{
        size_t cap = 64, len = 0;
        for (size_t i = 0; i < n; i++)
                cap += strlen(lowers[i]) + 1;
        cap += (upper ? strlen(upper) : 0) + (work ? strlen(work) : 0) + 64;
        char *s = sl_xmalloc(cap);
        len = (size_t)snprintf(s, cap, "lowerdir=");
        for (size_t i = 0; i < n; i++) {
                if (bad_path(lowers[i])) {
                        free(s);
                        return sl_err(err, EINVAL, "overlay lowerdir %s: ',', ':' and '\\' are not allowed", lowers[i]);
                }
                len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? ":" : "", lowers[i]);
        }
        if (upper) {
                if (bad_path(upper) || bad_path(work)) {
                        free(s);
                        return sl_err(err, EINVAL, "overlay upperdir %s: ',', ':' and '\\' are not allowed", upper);
                }
                len += (size_t)snprintf(s + len, cap - len, ",upperdir=%s,workdir=%s", upper, work);
        }
        /* The differ refuses upper dirs relying on these features. */
        len += (size_t)snprintf(s + len, cap - len, ",redirect_dir=off,metacopy=off");
        if (len > OPTIONS_MAX) {
                free(s);
                return sl_err(err, E2BIG, "overlay: %zu layers give mount options of %zu bytes, over the %d the kernel takes",
                              n, len, OPTIONS_MAX);
        }
        *out = s;
        return 0;
}

int sl_overlay_open(sl_store *s, const oci_manifest *m, const oci_image *config, bool writable,
                    sl_overlay *o, sl_error *err)
{
        return sl_overlay_open_over(s, m, config, NULL, writable, o, err);
}

int sl_overlay_open_over(sl_store *s, const oci_manifest *m, const oci_image *config, const char *top,
                         bool writable, sl_overlay *o, sl_error *err)
{
        *o = (sl_overlay){.rootfd = -1};
        _cleanup_strv_ char **lowers = NULL;
        _cleanup_free_ char *opts = NULL, *work = NULL, *empty = NULL;
        size_t n = 0;
        if (m && config && m->layers_len && sl_store_unpack_image(s, m, config, &lowers, &n, err) < 0)
                return -1;
        if (top) {  /* topmost first */
                char **all = NULL;
                sl_strv_append(&all, top);
                for (size_t i = 0; i < n; i++)
                        sl_strv_append(&all, lowers[i]);
                sl_strv_free(lowers);
                lowers = all;
                n++;
        }
        if (sl_store_workdir(s, "ovl", &o->dir, err) < 0)
                return -1;
        o->merged = sl_xasprintf("%s/merged", o->dir);
        work = sl_xasprintf("%s/work", o->dir);
        empty = sl_xasprintf("%s/empty", o->dir);
        if (writable)
                o->upper = sl_xasprintf("%s/upper", o->dir);
        if (mkdir(o->merged, 0755) < 0 || mkdir(empty, 0755) < 0 || (writable && (mkdir(o->upper, 0755) < 0 || mkdir(work, 0700) < 0))) {
                sl_err_sys(err, errno, "overlay: create dirs in %s", o->dir);
                goto fail;
        }
        /* Overlay needs two lowers without an upper, and one with: an
         * empty dir at the bottom covers scratch and single-layer images. */
        sl_strv_append(&lowers, empty);
        n++;
        if (sl_overlay_options(lowers, n, o->upper, writable ? work : NULL, &opts, err) < 0)
                goto fail;
        if (mount("overlay", o->merged, "overlay", writable ? 0 : MS_RDONLY, opts) < 0) {
                sl_err_sys(err, errno, "mount overlay on %s", o->merged);
                goto fail;
        }
        o->mounted = true;
        o->rootfd = open(o->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (o->rootfd < 0) {
                sl_err_sys(err, errno, "open %s", o->merged);
                goto fail;
        }
        return 0;
fail:
        sl_overlay_release(s, o, NULL);
        return -1;
}

int sl_overlay_unmount(sl_overlay *o, sl_error *err)
{
        if (o->rootfd >= 0) {
                close(o->rootfd);
                o->rootfd = -1;
        }
        if (!o->mounted)
                return 0;
        if (umount2(o->merged, 0) < 0) {
                if (errno != EBUSY || umount2(o->merged, MNT_DETACH) < 0)
                        return sl_err_sys(err, errno, "unmount %s", o->merged);
        }
        o->mounted = false;
        return 0;
}

int sl_overlay_release(sl_store *s, sl_overlay *o, sl_error *err)
{
        sl_error e2 = {0};
        int rc = sl_overlay_unmount(o, err ? err : &e2);
        if (o->dir && !o->mounted) {
                if (sl_store_remove_workdir(s, o->dir, rc < 0 ? &e2 : err ? err : &e2) < 0)
                        rc = -1;
        }
        free(o->dir);
        free(o->merged);
        free(o->upper);
        *o = (sl_overlay){.rootfd = -1};
        return rc;
}
