/* Parallel gzip, deterministic: the input is cut into fixed 1 MiB blocks,
 * each block is deflated on its own by a pool of worker threads
 * (deflate-block.c) while the caller keeps feeding the next blocks, and
 * the pieces are written in order, so the output is one ordinary gzip
 * member whose bytes do not depend on the number of threads. The header
 * has no name and mtime 0. */
#ifndef SLOIKA_BUILDER_LAYER_PGZIP_H
#define SLOIKA_BUILDER_LAYER_PGZIP_H

#include <stddef.h>

/* Receives compressed bytes; returns 0 or -1 (then compression stops). */
typedef int (*sl_pgzip_out)(void *ctx, const void *buf, size_t len);

typedef struct sl_pgzip sl_pgzip;

/* threads <= 0: one per online CPU (at most 8); 1: no worker threads,
 * every block is deflated in the caller. NULL if level is invalid
 * (libdeflate's 1..12) or the workers cannot start. */
sl_pgzip *sl_pgzip_new(int level, int threads, sl_pgzip_out out, void *ctx);
int sl_pgzip_write(sl_pgzip *z, const void *buf, size_t len);
int sl_pgzip_finish(sl_pgzip *z);
/* Why the last call failed ("" when the out callback did). */
const char *sl_pgzip_error(const sl_pgzip *z);
void sl_pgzip_free(sl_pgzip *z);

#endif
