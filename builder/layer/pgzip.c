#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "builder/layer/pgzip.h"
#include "common/xalloc.h"

#define BLOCK (1u << 20)
#define DICT 32768u
#define MAX_THREADS 8

typedef struct slot {
        unsigned char *in, *out;
        size_t in_len, out_len, out_cap;
        const unsigned char *dict;  /* previous block's tail, or NULL */
        size_t dict_len;
        z_stream z;
        bool z_ok;
        int rc;
} slot;

struct sl_pgzip {
        int level, nslots;
        sl_pgzip_out out;
        void *ctx;
        slot slots[MAX_THREADS];
        int filled;                  /* slots holding a full block */
        unsigned char dict[DICT];    /* tail of the last block written */
        size_t dict_len;
        uLong crc;
        uint64_t isize;
        char error[128];
        bool failed;
};

sl_pgzip *sl_pgzip_new(int level, int threads, sl_pgzip_out out, void *ctx)
{
        sl_pgzip *z = sl_xcalloc(1, sizeof *z);
        if (threads <= 0) {
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
        }
        z->nslots = threads > MAX_THREADS ? MAX_THREADS : threads;
        z->level = level;
        z->out = out;
        z->ctx = ctx;
        z->crc = crc32(0, NULL, 0);
        for (int i = 0; i < z->nslots; i++) {
                slot *s = &z->slots[i];
                s->in = sl_xmalloc(BLOCK);
                s->z_ok = deflateInit2(&s->z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
                s->out_cap = deflateBound(&s->z, BLOCK) + 64;
                s->out = sl_xmalloc(s->out_cap);
        }
        return z;
}

static void *deflate_slot(void *arg)
{
        slot *s = arg;
        s->rc = -1;
        s->out_len = 0;
        if (!s->z_ok || deflateReset(&s->z) != Z_OK)
                return NULL;
        if (s->dict && deflateSetDictionary(&s->z, s->dict, (uInt)s->dict_len) != Z_OK)
                return NULL;
        s->z.next_in = s->in;
        s->z.avail_in = (uInt)s->in_len;
        do {
                if (s->out_len == s->out_cap) {
                        s->out_cap *= 2;
                        s->out = sl_xrealloc(s->out, s->out_cap);
                }
                s->z.next_out = s->out + s->out_len;
                s->z.avail_out = (uInt)(s->out_cap - s->out_len);
                if (deflate(&s->z, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
                        return NULL;
                s->out_len = s->out_cap - s->z.avail_out;
        } while (s->z.avail_out == 0);
        s->rc = 0;
        return NULL;
}

static int emit(sl_pgzip *z, const void *buf, size_t len)
{
        if (z->out(z->ctx, buf, len) < 0) {
                z->failed = true;
                z->error[0] = 0;
                return -1;
        }
        return 0;
}

/* Compresses the filled slots side by side and writes them in order. */
static int flush_slots(sl_pgzip *z)
{
        if (z->filled == 0)
                return 0;
        for (int i = 0; i < z->filled; i++) {
                slot *s = &z->slots[i];
                if (i == 0) {
                        s->dict = z->dict_len ? z->dict : NULL;
                        s->dict_len = z->dict_len;
                } else {
                        slot *p = &z->slots[i - 1];
                        s->dict_len = p->in_len < DICT ? p->in_len : DICT;
                        s->dict = p->in + p->in_len - s->dict_len;
                }
        }
        pthread_t t[MAX_THREADS];
        bool started[MAX_THREADS] = {false};
        for (int i = 1; i < z->filled; i++)
                started[i] = pthread_create(&t[i], NULL, deflate_slot, &z->slots[i]) == 0;
        deflate_slot(&z->slots[0]);
        for (int i = 1; i < z->filled; i++) {
                if (started[i])
                        pthread_join(t[i], NULL);
                else
                        deflate_slot(&z->slots[i]);
        }
        for (int i = 0; i < z->filled; i++) {
                if (z->slots[i].rc < 0) {
                        z->failed = true;
                        snprintf(z->error, sizeof z->error, "deflate failed");
                        return -1;
                }
                if (emit(z, z->slots[i].out, z->slots[i].out_len) < 0)
                        return -1;
        }
        slot *last = &z->slots[z->filled - 1];
        z->dict_len = last->in_len < DICT ? last->in_len : DICT;
        memcpy(z->dict, last->in + last->in_len - z->dict_len, z->dict_len);
        for (int i = 0; i < z->filled; i++)
                z->slots[i].in_len = 0;
        z->filled = 0;
        return 0;
}

static int start(sl_pgzip *z)
{
        /* gzip header: deflate, no flags, mtime 0, no extra flags, OS unix */
        static const unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
        return emit(z, hdr, sizeof hdr);
}

int sl_pgzip_write(sl_pgzip *z, const void *buf, size_t len)
{
        const unsigned char *p = buf;
        if (z->failed)
                return -1;
        if (z->isize == 0 && z->filled == 0 && z->slots[0].in_len == 0 && len && start(z) < 0)
                return -1;
        z->crc = crc32(z->crc, p, (uInt)len);
        z->isize += len;
        while (len > 0) {
                slot *s = &z->slots[z->filled];
                size_t n = BLOCK - s->in_len < len ? BLOCK - s->in_len : len;
                memcpy(s->in + s->in_len, p, n);
                s->in_len += n;
                p += n;
                len -= n;
                if (s->in_len == BLOCK && ++z->filled == z->nslots && flush_slots(z) < 0)
                        return -1;
        }
        return 0;
}

int sl_pgzip_finish(sl_pgzip *z)
{
        if (z->failed)
                return -1;
        if (z->isize == 0 && start(z) < 0)
                return -1;
        if (z->filled < z->nslots && z->slots[z->filled].in_len > 0)
                z->filled++;
        if (flush_slots(z) < 0)
                return -1;
        /* an empty final fixed-Huffman block ends the deflate stream */
        unsigned char tail[10] = {0x03, 0x00};
        uint32_t crc = (uint32_t)z->crc, isz = (uint32_t)z->isize;
        for (int i = 0; i < 4; i++) {
                tail[2 + i] = (unsigned char)(crc >> (8 * i));
                tail[6 + i] = (unsigned char)(isz >> (8 * i));
        }
        return emit(z, tail, sizeof tail);
}

const char *sl_pgzip_error(const sl_pgzip *z)
{
        return z->error;
}

void sl_pgzip_free(sl_pgzip *z)
{
        if (!z)
                return;
        for (int i = 0; i < z->nslots; i++) {
                if (z->slots[i].z_ok)
                        deflateEnd(&z->slots[i].z);
                free(z->slots[i].in);
                free(z->slots[i].out);
        }
        free(z);
}
