#include <libdeflate.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "builder/layer/deflate-block.h"

/* Samples taken to judge whether a block compresses at all. */
#define PROBES 4
#define PROBE_LEN 4096u
/* Stored when the samples shrink by less than 2% at level 1. */
#define STORE_PERCENT 98u
#define STORED_MAX 65535u
#define SCRATCH (256u << 10)

struct sl_deflate_block {
        struct libdeflate_compressor *c, *probe;
        z_stream inf;  /* walks libdeflate's output to find its last block */
        bool inf_ok;
        unsigned char *scratch;
};

sl_deflate_block *sl_deflate_block_new(int level)
{
        sl_deflate_block *b = calloc(1, sizeof *b);
        if (!b)
                return NULL;
        b->c = libdeflate_alloc_compressor(level);
        b->probe = libdeflate_alloc_compressor(1);
        b->scratch = malloc(SCRATCH);
        b->inf_ok = inflateInit2(&b->inf, -15) == Z_OK;
        if (!b->c || !b->probe || !b->scratch || !b->inf_ok) {
                sl_deflate_block_free(b);
                return NULL;
        }
        return b;
}

void sl_deflate_block_free(sl_deflate_block *b)
{
        if (!b)
                return;
        if (b->c)
                libdeflate_free_compressor(b->c);
        if (b->probe)
                libdeflate_free_compressor(b->probe);
        if (b->inf_ok)
                inflateEnd(&b->inf);
        free(b->scratch);
        free(b);
}

static size_t stored_bound(size_t len)
{
        return len + 5 * (len / STORED_MAX + 1);
}

size_t sl_deflate_block_bound(const sl_deflate_block *b, size_t len)
{
        size_t d = libdeflate_deflate_compress_bound(b->c, len) + 8;
        size_t s = stored_bound(len);
        return d > s ? d : s;
}

static bool incompressible(sl_deflate_block *b, const unsigned char *in, size_t len)
{
        if (len < PROBES * PROBE_LEN)
                return false;
        unsigned char tmp[PROBE_LEN + 1024];
        size_t packed = 0;
        for (size_t i = 0; i < PROBES; i++) {
                size_t n = libdeflate_deflate_compress(b->probe, in + i * (len / PROBES), PROBE_LEN, tmp, sizeof tmp);
                packed += n ? n : PROBE_LEN;
        }
        return packed * 100 >= (size_t)PROBES * PROBE_LEN * STORE_PERCENT;
}

/* Non-final stored blocks; each starts and ends byte-aligned. */
static size_t put_stored(const unsigned char *in, size_t len, unsigned char *out)
{
        size_t o = 0;
        while (len > 0) {
                size_t n = len < STORED_MAX ? len : STORED_MAX;
                out[o++] = 0;  /* BFINAL 0, BTYPE 00, padding */
                out[o++] = (unsigned char)n;
                out[o++] = (unsigned char)(n >> 8);
                out[o++] = (unsigned char)~n;
                out[o++] = (unsigned char)(~n >> 8);
                memcpy(out + o, in, n);
                o += n;
                in += n;
                len -= n;
        }
        return o;
}

/* Inflates the piece block by block to learn where its final block's
 * header and its end are, in bits: with Z_BLOCK, zlib stops after each
 * block and reports the unused bits of the last byte it took, before it
 * drops them at the end of the final block. */
static int find_ends(sl_deflate_block *b, unsigned char *out, size_t n, size_t *last_hdr, size_t *end)
{
        z_stream *z = &b->inf;
        if (inflateReset(z) != Z_OK)
                return -1;
        z->next_in = out;
        z->avail_in = (uInt)n;
        for (size_t hdr = 0; hdr / 8 < n;) {
                bool final = (out[hdr / 8] >> (hdr % 8)) & 1;
                int rc;
                do {
                        z->next_out = b->scratch;
                        z->avail_out = SCRATCH;
                        rc = inflate(z, Z_BLOCK);
                } while (rc == Z_OK && !(z->data_type & 128));
                if (rc != Z_OK)
                        return -1;
                size_t pos = (size_t)z->total_in * 8 - (size_t)(z->data_type & 7);
                if (final) {
                        *last_hdr = hdr;
                        *end = pos;
                        return pos <= n * 8 ? 0 : -1;
                }
                hdr = pos;
        }
        return -1;
}

/* Makes libdeflate's final block non-final and appends an empty stored
 * block at its end: bits 000, zero padding, then LEN 0000 NLEN ffff. */
static long unfinal(sl_deflate_block *b, unsigned char *out, size_t n)
{
        size_t last_hdr, end;
        if (find_ends(b, out, n, &last_hdr, &end) < 0)
                return -1;
        out[last_hdr / 8] &= (unsigned char)~(1u << (last_hdr % 8));
        size_t byte = end / 8;
        if (end % 8)
                out[byte++] &= (unsigned char)((1u << (end % 8)) - 1);
        size_t aligned = (end + 3 + 7) / 8;
        while (byte < aligned)
                out[byte++] = 0;
        static const unsigned char sync[4] = {0, 0, 0xff, 0xff};
        memcpy(out + aligned, sync, sizeof sync);
        return (long)(aligned + sizeof sync);
}

long sl_deflate_block_run(sl_deflate_block *b, const void *in, size_t len, void *out, size_t cap)
{
        if (len == 0)
                return 0;
        if (cap < sl_deflate_block_bound(b, len))
                return -1;
        if (incompressible(b, in, len))
                return (long)put_stored(in, len, out);
        /* leave room for the sync marker unfinal() appends */
        size_t n = libdeflate_deflate_compress(b->c, in, len, out, cap - 8);
        if (n == 0)
                return -1;
        return unfinal(b, out, n);
}
