/* Test support for rootfs setup: a busybox rootfs in a temp dir, and a
 * runner that calls sl_rootfs_setup in a child inside new mount and pid
 * namespaces, where check functions report back to the TAP parent. */
#ifndef SLOIKA_TESTS_ROOTFS_CONTAINER_H
#define SLOIKA_TESTS_ROOTFS_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

/* Copies /bin/busybox into dir/bin with applet symlinks and the usual
 * top-level directories. Returns 0 or -1 (with a diag line). */
int ct_make_rootfs(const char *dir);

/* Helpers for building fixtures on the host side. */
int ct_write_file(const char *path, const char *content);
int ct_mkdirs(const char *path);
/* rm -rf, never crossing into mount points (they would be host mounts). */
void ct_remove_tree(const char *path);
/* The whole /proc/self/mountinfo of the test process, for before/after. */
char *ct_mountinfo(void);

typedef struct ct_run_opts {
        const char *config_json;        /* parsed with oci_spec_parse_data */
        const char *rootfs;
        bool no_pivot;
        int unshare_flags;              /* beyond CLONE_NEWNS | CLONE_NEWPID */
        /* Runs in the new mount namespace before setup (host side view). */
        int (*prepare)(void *arg);
        /* Passed to sl_rootfs_setup_with when set. */
        int (*before_pivot)(void *arg, sl_error *err);
        const int *mount_fds;           /* passed on as well */
        /* Runs as the container init after setup succeeded. */
        void (*checks)(void *arg);
        void *arg;
        /* Receives each check from the container: kind '1' pass, '0' fail,
         * '#' a diagnostic line. */
        void (*report)(char kind, const char *text);
} ct_run_opts;

/* Runs the container. Returns 0 when setup succeeded (the checks' results
 * have been reported as TAP lines), or -1 with the setup error message in
 * errbuf. */
int ct_run(const ct_run_opts *o, char *errbuf, size_t errlen);

/* In checks: report one result to the parent. */
void cok(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cdiag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* In checks: fork+exec argv inside the container; returns the exit status
 * (or 128+signal, or -1 when exec failed with errno stored). */
int ct_exec(char *const argv[], int *exec_errno);

#endif
