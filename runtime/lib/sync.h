/* The runtime and the container's init talk over a SOCK_SEQPACKET
 * socketpair: each message is one record (a type, an int and an optional
 * text), so neither side needs framing, and a peer that dies shows up as
 * end-of-file instead of a hang. */
#ifndef SLOIKA_RUNTIME_SYNC_H
#define SLOIKA_RUNTIME_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef enum {
        SL_SYNC_PID = 1,      /* stage-1 → runtime: the init's pid (value) */
        SL_SYNC_GO,           /* runtime → init: maps and cgroup are ready; value = host pid */
        SL_SYNC_HOOKS,        /* init → runtime: namespaces entered, run createRuntime hooks */
        SL_SYNC_HOOKS_DONE,   /* runtime → init */
        SL_SYNC_SECCOMP_FD,   /* init → runtime: seccomp listener fd attached (SCM_RIGHTS) */
        SL_SYNC_SECCOMP_DONE, /* runtime → init */
        SL_SYNC_READY,        /* init → runtime: set up, waiting for start */
        SL_SYNC_START,        /* runtime → init (run): exec the user program now */
        SL_SYNC_ERROR,        /* either way: text is the message; the sender gives up */
} sl_sync_type;

#define SL_SYNC_TEXT_MAX 2000

typedef struct sl_sync_msg {
        uint32_t type;
        int32_t value;
        char text[SL_SYNC_TEXT_MAX];
} sl_sync_msg;

/* Sends a message without text. Returns 0 or -1 with errno (usable in the
 * init without an sl_error). */
int sl_sync_send(int fd, sl_sync_type type, int32_t value);
/* Sends an error record carrying err's message. */
int sl_sync_send_error(int fd, const sl_error *err);
/* Receives one message of type want. An SL_SYNC_ERROR record becomes err's
 * message verbatim; end-of-file or another type fail naming `what`. */
int sl_sync_expect(int fd, sl_sync_type want, int32_t *value, const char *what, sl_error *err);

#endif
