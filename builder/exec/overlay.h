/* OverlayFS views of an image for a build step: the image's unpacked
 * layer dirs (from the store) as lowerdirs, and for a writable view a
 * fresh upper dir that becomes the step's layer. Everything lives in one
 * work dir under the store's tmp/, removed by sl_overlay_release. */
#ifndef SLOIKA_BUILDER_EXEC_OVERLAY_H
#define SLOIKA_BUILDER_EXEC_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "builder/store/store.h"

typedef struct sl_overlay {
        char *dir;      /* the work dir: merged/, upper/, work/, empty/ */
        char *merged;   /* the mount point */
        char *upper;    /* NULL for a read-only view */
        int rootfd;     /* O_PATH fd of the mounted root, -1 when not mounted */
        bool mounted;
} sl_overlay;

/* Writes "lowerdir=...,upperdir=...,workdir=..." for mount(2): lowers
 * topmost first; upper/work may be NULL. Paths holding ',' ':' or '\\'
 * are refused, as is an option string longer than a page. */
int sl_overlay_options(char *const *lowers, size_t n, const char *upper, const char *work, char **out,
                       sl_error *err);

/* Mounts the view of the image (m, config) in a fresh work dir. */
int sl_overlay_open(sl_store *s, const oci_manifest *m, const oci_image *config, bool writable,
                    sl_overlay *o, sl_error *err);
/* The same with one more lowerdir, top, above the image's layers (the
 * mount points of a RUN's --mount targets, so they stay out of the upper
 * dir and so out of the layer). */
int sl_overlay_open_over(sl_store *s, const oci_manifest *m, const oci_image *config, const char *top,
                         bool writable, sl_overlay *o, sl_error *err);
/* Unmounts (lazily if busy) and closes the root fd; keeps the dirs. */
int sl_overlay_unmount(sl_overlay *o, sl_error *err);
/* Unmounts and removes the work dir (what is left of it). Idempotent. */
int sl_overlay_release(sl_store *s, sl_overlay *o, sl_error *err);

#endif
