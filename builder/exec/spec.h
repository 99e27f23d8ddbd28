/* The config.json of a container the builder starts (a RUN step) or
 * hands to `sloika run` (a bundle): the defaults of `sloika spec` with the
 * capabilities Docker grants builds, and the process an image asks for. */
#ifndef SLOIKA_BUILDER_EXEC_SPEC_H
#define SLOIKA_BUILDER_EXEC_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef struct sl_proc_spec {
        char *const *args;      /* NULL-terminated, non-empty */
        char *const *env;       /* NULL-terminated */
        const char *cwd;        /* NULL: "/" */
        uint32_t uid, gid;
        const char *rootfs;     /* root.path as written */
        bool readonly;          /* root.readonly */
        bool host_network;      /* no network namespace; the host's resolv.conf and hosts */
        const char *hostname;   /* NULL: "sloika" */
        const char *stop_signal;   /* org.opencontainers.image.stopSignal annotation, or NULL */
        const char *extra_bind_src, *extra_bind_dst;  /* one more read-only bind, or NULLs */
        const struct oci_mount *mounts;   /* more mounts, after the defaults */
        size_t n_mounts;
} sl_proc_spec;

/* Writes dir/config.json (pretty, keys sorted). */
int sl_write_spec(const sl_proc_spec *p, const char *dir, sl_error *err);

#endif
