/* A step's output: while a RUN container runs, our stdout and stderr
 * (which the container inherits) point into a pipe; a helper process
 * streams it to the real stdout and keeps the last few KiB, in memory it
 * shares with us, for the error message of a failing step. stdin reads
 * /dev/null meanwhile. A process rather than a thread: the runtime clones
 * the container's init from this process, and a clone taken while another
 * thread holds a libc lock would deadlock. */
#ifndef SLOIKA_BUILDER_EXEC_OUTTAIL_H
#define SLOIKA_BUILDER_EXEC_OUTTAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define SL_OUTTAIL_KEEP 8192

typedef struct sl_outtail_buf {
        size_t kept;        /* bytes in keep (the most recent ones) */
        char keep[SL_OUTTAIL_KEEP];
} sl_outtail_buf;

typedef struct sl_outtail {
        pid_t pump;
        int saved[3];            /* our stdin, stdout, stderr */
        sl_outtail_buf *buf;     /* shared with the pump */
} sl_outtail;

/* Redirects 0/1/2 and starts the pump. */
int sl_outtail_start(sl_outtail *t, bool echo, sl_error *err);
/* Restores 0/1/2 and waits for the pump to drain the pipe. */
void sl_outtail_stop(sl_outtail *t);
/* The last n lines kept (malloc'd, maybe ""). */
char *sl_outtail_last_lines(const sl_outtail *t, int n);
void sl_outtail_free(sl_outtail *t);

#endif
