/* One block of a block-parallel gzip stream: deflated on its own (no
 * window shared with the block before) by libdeflate, then ended the way
 * zlib's Z_SYNC_FLUSH ends output: the last deflate block is made
 * non-final and an empty stored block brings the stream to a byte
 * boundary. Pieces made this way, joined in order and followed by one
 * final empty block, are a single ordinary deflate stream.
 * A block whose samples do not compress is written as stored blocks
 * without running the compressor over it: deflate at any level would
 * store it too, at the same size. */
#ifndef SLOIKA_BUILDER_LAYER_DEFLATE_BLOCK_H
#define SLOIKA_BUILDER_LAYER_DEFLATE_BLOCK_H

#include <stddef.h>

typedef struct sl_deflate_block sl_deflate_block;

/* level: libdeflate's 1..12 (6 is gzip's and Docker's default family).
 * NULL when out of memory or the level is invalid. */
sl_deflate_block *sl_deflate_block_new(int level);
void sl_deflate_block_free(sl_deflate_block *b);

/* Bytes out must hold for an input of len bytes. */
size_t sl_deflate_block_bound(const sl_deflate_block *b, size_t len);

/* Deflates in[0..len) into out (cap >= the bound); returns the piece's
 * length, or -1 if the compressor failed. An empty input gives 0. */
long sl_deflate_block_run(sl_deflate_block *b, const void *in, size_t len, void *out, size_t cap);

#endif
