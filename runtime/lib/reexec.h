/* CVE-2019-5736: a container that gets the runtime's binary executed
 * inside it (a "#!/proc/self/exe" program) could reopen /proc/self/exe for
 * writing once the runtime exits and overwrite the host's binary. Commands
 * that start container processes therefore first re-exec the runtime from
 * a detached read-only bind mount of its own binary (two syscalls, no
 * copy): the running image is then only reachable through a mount that
 * refuses writes. Where mounts are not allowed, a sealed memfd copy is
 * used instead. */
#ifndef SLOIKA_RUNTIME_REEXEC_H
#define SLOIKA_RUNTIME_REEXEC_H

#include "common/error.h"

/* Returns 0 when the running binary already cannot be written through
 * /proc/self/exe; otherwise re-execs argv and only returns on failure. */
int sl_reexec_protected(char **argv, sl_error *err);

#endif
