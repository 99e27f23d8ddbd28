/* RUN: the command runs in a sloika container (through the runtime
 * library) whose rootfs is an overlay of the parent image with a fresh
 * upper dir; the upper dir then becomes the step's layer. The container,
 * its state, the mount and the work dirs are gone when this returns,
 * whether the command succeeded or not. */
#ifndef SLOIKA_BUILDER_EXEC_RUN_H
#define SLOIKA_BUILDER_EXEC_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "builder/dockerfile/dockerfile.h"
#include "builder/exec/build.h"
#include "builder/store/store.h"
#include <sys/types.h>

/* A RUN --mount, ready for the container: a bind of a host path (already
 * resolved safely by the caller) or a tmpfs, at dst in the image. */
typedef struct sl_run_mount {
        char *dst;            /* absolute, as the Dockerfile means it */
        char *src;            /* host path to bind; NULL for a tmpfs */
        bool readonly;
        bool file;            /* a bind of a regular file */
        uint64_t size;        /* tmpfs size in bytes, 0 for the default */
} sl_run_mount;

typedef struct sl_run_req {
        const oci_manifest *manifest;   /* the parent image; NULL for scratch */
        const oci_image *config;
        const sl_df_instr *run;         /* the RUN instruction */
        char *const *shell;             /* the stage's SHELL, NULL for /bin/sh -c */
        char *const *env;               /* NAME=VALUE */
        const char *cwd, *user;         /* NULL: "/" and root */
        const sl_run_mount *mounts;
        size_t n_mounts;
        char *const *extra_env;         /* NAME=VALUE added last (secret env=), may be NULL */
        bool host_network;
        bool echo;                      /* stream the output to stdout */
        sl_diff_opts diff;
        sl_compress_opts comp;
} sl_run_req;

/* Runs the step and stores its layer. On a non-zero exit, fails with the
 * status in *exit_code and the output's last lines in the message. */
int sl_exec_run(sl_store *s, const sl_run_req *r, sl_layer_digests *layer, int *exit_code, sl_error *err);

/* The init of the RUN container while it runs, and the SIGINT/SIGTERM
 * handler a build installs: it sets sl_build_interrupted and kills the
 * running step's container. */
extern volatile pid_t sl_run_pid;
void sl_run_on_signal(int sig);

/* The chain id of an image config's layers ("" for none). */
int sl_config_chain_id(const oci_image *config, char out[SL_DIGEST_STR_MAX], sl_error *err);

#endif
