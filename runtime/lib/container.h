/* The container lifecycle behind the CLI: create, start, run, state,
 * kill, delete and list, over the state directory under --root. Errors
 * use runc's wording where clients match on it (`container "ID" does not
 * exist`, `container not running`, ...). */
#ifndef SLOIKA_RUNTIME_CONTAINER_H
#define SLOIKA_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

typedef struct sl_create_opts {
        const char *root;            /* --root */
        const char *id;
        const char *bundle;          /* NULL: the current directory */
        const char *pid_file;
        const char *console_socket;
        int preserve_fds;
        bool no_pivot;
        bool no_new_keyring;
        bool detach;                 /* run --detach */
        pid_t primer;                /* a child of ours to reap once create is done, or <= 0 */
} sl_create_opts;

/* Creates the container and returns once its init waits for start. A
 * failure at any step leaves no state dir, cgroup, mount or process. */
int sl_container_create(const sl_create_opts *o, sl_error *err);

/* Lets a created container's init exec the user program, then runs the
 * poststart hooks. */
int sl_container_start(const char *root, const char *id, sl_error *err);

/* create + start; unless detached, forwards signals, waits, deletes the
 * container and sets *exit_code to the program's status (128+signal when
 * killed). */
int sl_container_run(const sl_create_opts *o, int *exit_code, sl_error *err);

/* Signals the init, or every process of the container with all. */
int sl_container_kill(const char *root, const char *id, int sig, bool all, sl_error *err);

/* Removes a stopped (or created) container; force kills a running one
 * first. */
int sl_container_delete(const char *root, const char *id, bool force, sl_error *err);

/* The state report as `state` prints it (pretty JSON, malloc'd). */
int sl_container_state(const char *root, const char *id, char **out, sl_error *err);

typedef struct sl_container_info {
        char *id, *status, *bundle, *created, *json;
        int pid;
} sl_container_info;

/* Every container under root, sorted by id; free with
 * sl_container_list_free. */
int sl_container_list(const char *root, sl_container_info **out, size_t *n, sl_error *err);
void sl_container_list_free(sl_container_info *v, size_t n);

#endif
