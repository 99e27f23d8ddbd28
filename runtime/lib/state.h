/* The state directory of a container, <root>/<id> (mode 0700):
 *   state.json  the private state (state-file.desc), replaced atomically;
 *   exec.fifo   present while the container is "created": its init blocks
 *               opening it for writing until `start` opens it for reading.
 * The status is derived, never stored: the dir locked by a running
 * create means creating; a dead init (or a recycled pid, seen through its
 * start time) means stopped; else the fifo means
 * created; else a frozen cgroup means paused; else running. */
#ifndef SLOIKA_RUNTIME_STATE_H
#define SLOIKA_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/lib/state-file.h"

#define SL_STATE_FILE "state.json"
#define SL_EXEC_FIFO "exec.fifo"
#define SL_OCI_VERSION "1.2.0"

typedef enum {
        SL_STATUS_CREATING,
        SL_STATUS_CREATED,
        SL_STATUS_RUNNING,
        SL_STATUS_PAUSED,
        SL_STATUS_STOPPED,
} sl_status;

const char *sl_status_name(sl_status s);

/* runc's rule: letters, digits, '_', '+', '-', '.'; not "." or "..". */
int sl_state_check_id(const char *id, sl_error *err);

/* Opens (creating it 0700 when create is set) the --root directory. */
int sl_state_root_open(const char *root, bool create, sl_error *err);

/* Makes <root>/<id>; an existing one fails with
 * "container with id exists: ID". Returns an O_DIRECTORY fd holding an
 * exclusive flock on the dir for as long as create runs (its children must
 * not inherit it): the container reads as "creating" meanwhile. */
int sl_state_dir_create(int rootfd, const char *id, sl_error *err);

/* Whether a create still holds the lock on the state dir dirfd. */
bool sl_state_creating(int dirfd);

/* Opens <root>/<id> and reads its state. A missing dir or state file fails
 * with `container "ID" does not exist` and err->code ENOENT, unless a create
 * still runs: then a state with only the id (pid 0) comes back. *dirfd may
 * be NULL. */
int sl_state_load(int rootfd, const char *id, sl_state_container **out, int *dirfd,
                  sl_error *err);
int sl_state_save(int dirfd, const sl_state_container *st, sl_error *err);

/* Removes everything in <root>/<id> and the directory itself; a missing
 * directory is fine. */
int sl_state_dir_remove(int rootfd, const char *id, sl_error *err);

/* /proc/PID/stat's start time (clock ticks after boot); 0 when pid is gone,
 * a zombie, or already exiting. */
uint64_t sl_proc_start_time(pid_t pid);

/* The state letter of /proc/PID/stat ('R', 'S', 'Z'...), 0 when gone. */
char sl_proc_run_state(pid_t pid);

/* Writes pid to a --pid-file through a temporary file and a rename, so a
 * reader never sees it half-written. */
int sl_pid_file_write(const char *path, pid_t pid, sl_error *err);

/* Whether st's init is still the process it was at create. */
bool sl_state_init_alive(const sl_state_container *st);

sl_status sl_state_status(int dirfd, const sl_state_container *st);

/* The user name of uid from the host's /etc/passwd, else the number. */
void sl_state_owner_name(uid_t uid, char *buf, size_t cap);

/* runtime-spec's state JSON (for hooks and seccomp listeners). */
int sl_state_oci_json(const sl_state_container *st, sl_status status, char **out,
                      sl_error *err);
/* The report `state` prints (runc's shape), pretty when pretty is set. */
int sl_state_report_json(const sl_state_container *st, sl_status status, bool pretty,
                         char **out, sl_error *err);

#endif
