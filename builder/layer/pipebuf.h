/* A bounded byte buffer between two threads: the producer blocks while
 * it is full, the consumer while it is empty, so a tar producer and a
 * compressor run side by side on two cores with bounded memory. */
#ifndef SLOIKA_BUILDER_LAYER_PIPEBUF_H
#define SLOIKA_BUILDER_LAYER_PIPEBUF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct sl_pipebuf {
        pthread_mutex_t mu;
        pthread_cond_t can_read, can_write;
        char *buf;
        size_t cap, head, len;
        bool closed;   /* producer is done: reads drain, then return 0 */
        bool aborted;  /* consumer gave up: writes fail */
} sl_pipebuf;

void sl_pipebuf_init(sl_pipebuf *p, size_t cap);
void sl_pipebuf_destroy(sl_pipebuf *p);
/* Copies all of buf in; returns 0, or -1 once the consumer aborted. */
int sl_pipebuf_write(sl_pipebuf *p, const void *buf, size_t len);
/* Copies up to len bytes out, waiting until a quarter of the buffer is
 * filled or the producer is done; returns the count, 0 at the end. */
size_t sl_pipebuf_read(sl_pipebuf *p, void *buf, size_t len);
void sl_pipebuf_close(sl_pipebuf *p);
void sl_pipebuf_abort(sl_pipebuf *p);

#endif
