#include <libdeflate.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder/layer/deflate-block.h"
#include "builder/layer/pgzip.h"
#include "common/xalloc.h"

#define BLOCK (1u << 20)
#define MAX_THREADS 8
/* Enough blocks in flight that every worker is busy while the caller
 * fills the next one and the oldest waits to be written. */
#define MAX_SLOTS (2 * MAX_THREADS + 1)

typedef enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE } slot_state;

struct sl_pgzip;
typedef struct worker_arg {
        struct sl_pgzip *z;
        sl_deflate_block *dc;
} worker_arg;

typedef struct slot {
        unsigned char *in, *out;
        size_t in_len, out_cap;
        long out_len;  /* -1: deflate failed */
        slot_state state;
} slot;

struct sl_pgzip {
        int nworkers, nslots;
        sl_deflate_block *dc[MAX_THREADS];  /* one per worker, or [0] inline */
        pthread_t workers[MAX_THREADS];
        worker_arg wargs[MAX_THREADS];
        int started;
        pthread_mutex_t mu;
        pthread_cond_t work, done;
        bool stop;
        slot slots[MAX_SLOTS];
        uint64_t fill_seq;  /* block being filled; slot fill_seq % nslots */
        uint64_t emit_seq;  /* oldest block not yet written */
        sl_pgzip_out out;
        void *ctx;
        uint32_t crc;
        uint64_t isize;
        bool header_done, failed;
        char error[128];
};

static void *worker_main(void *arg);

static int online_cpus(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

sl_pgzip *sl_pgzip_new(int level, int threads, sl_pgzip_out out, void *ctx)
{
        sl_pgzip *z = sl_xcalloc(1, sizeof *z);
        if (threads <= 0)
                threads = online_cpus();
        z->nworkers = threads == 1 ? 0 : threads > MAX_THREADS ? MAX_THREADS : threads;
        z->nslots = z->nworkers ? 2 * z->nworkers + 1 : 1;
        z->out = out;
        z->ctx = ctx;
        pthread_mutex_init(&z->mu, NULL);
        pthread_cond_init(&z->work, NULL);
        pthread_cond_init(&z->done, NULL);
        for (int i = 0; i < (z->nworkers ? z->nworkers : 1); i++)
                if (!(z->dc[i] = sl_deflate_block_new(level)))
                        goto fail;
        for (int i = 0; i < z->nslots; i++) {
                slot *s = &z->slots[i];
                s->in = sl_xmalloc(BLOCK);
                s->out_cap = sl_deflate_block_bound(z->dc[0], BLOCK);
                s->out = sl_xmalloc(s->out_cap);
        }
        for (; z->started < z->nworkers; z->started++) {
                z->wargs[z->started] = (worker_arg){z, z->dc[z->started]};
                if (pthread_create(&z->workers[z->started], NULL, worker_main, &z->wargs[z->started]) != 0)
                        goto fail;
        }
        return z;
fail:
        sl_pgzip_free(z);
        return NULL;
}

static void deflate_slot(sl_deflate_block *dc, slot *s)
{
        s->out_len = sl_deflate_block_run(dc, s->in, s->in_len, s->out, s->out_cap);
}

/* The oldest ready block, or NULL; called with mu held. */
static slot *next_ready(sl_pgzip *z)
{
        for (uint64_t q = z->emit_seq; q < z->fill_seq; q++) {
                slot *s = &z->slots[q % (uint64_t)z->nslots];
                if (s->state == SLOT_READY)
                        return s;
        }
        return NULL;
}

static void *worker_main(void *arg)
{
        worker_arg *a = arg;
        sl_pgzip *z = a->z;
        pthread_mutex_lock(&z->mu);
        for (;;) {
                slot *s = NULL;
                while (!z->stop && !(s = next_ready(z)))
                        pthread_cond_wait(&z->work, &z->mu);
                if (z->stop)
                        break;
                s->state = SLOT_BUSY;
                pthread_mutex_unlock(&z->mu);
                deflate_slot(a->dc, s);
                pthread_mutex_lock(&z->mu);
                s->state = SLOT_DONE;
                pthread_cond_broadcast(&z->done);
        }
        pthread_mutex_unlock(&z->mu);
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

static int emit_header(sl_pgzip *z)
{
        /* deflate, no flags, mtime 0, no extra flags, OS unix */
        static const unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
        if (z->header_done)
                return 0;
        z->header_done = true;
        return emit(z, hdr, sizeof hdr);
}

/* Writes the oldest block once it is deflated (waiting for it if wait)
 * and frees its slot; returns 1 if one was written, 0 if none, -1. */
static int emit_oldest(sl_pgzip *z, bool wait)
{
        if (z->emit_seq == z->fill_seq)
                return 0;
        slot *s = &z->slots[z->emit_seq % (uint64_t)z->nslots];
        pthread_mutex_lock(&z->mu);
        while (wait && s->state != SLOT_DONE)
                pthread_cond_wait(&z->done, &z->mu);
        bool ready = s->state == SLOT_DONE;
        pthread_mutex_unlock(&z->mu);
        if (!ready)
                return 0;
        if (s->out_len < 0) {
                z->failed = true;
                snprintf(z->error, sizeof z->error, "deflate failed");
                return -1;
        }
        if (emit_header(z) < 0 || emit(z, s->out, (size_t)s->out_len) < 0)
                return -1;
        s->in_len = 0;
        s->state = SLOT_FREE;
        z->emit_seq++;
        return 1;
}

/* Hands the filled block to the workers (or deflates it here). */
static int submit(sl_pgzip *z)
{
        slot *s = &z->slots[z->fill_seq % (uint64_t)z->nslots];
        if (!z->nworkers) {
                deflate_slot(z->dc[0], s);
                s->state = SLOT_DONE;
                z->fill_seq++;
                return emit_oldest(z, false) < 0 ? -1 : 0;
        }
        pthread_mutex_lock(&z->mu);
        s->state = SLOT_READY;
        z->fill_seq++;
        pthread_cond_signal(&z->work);
        pthread_mutex_unlock(&z->mu);
        int r;
        while ((r = emit_oldest(z, false)) > 0)
                ;
        if (r < 0)
                return -1;
        /* the next slot to fill must have been written out */
        while (z->fill_seq - z->emit_seq >= (uint64_t)z->nslots)
                if (emit_oldest(z, true) < 0)
                        return -1;
        return 0;
}

int sl_pgzip_write(sl_pgzip *z, const void *buf, size_t len)
{
        const unsigned char *p = buf;
        if (z->failed)
                return -1;
        z->crc = libdeflate_crc32(z->crc, p, len);
        z->isize += len;
        while (len > 0) {
                slot *s = &z->slots[z->fill_seq % (uint64_t)z->nslots];
                size_t n = BLOCK - s->in_len < len ? BLOCK - s->in_len : len;
                memcpy(s->in + s->in_len, p, n);
                s->in_len += n;
                p += n;
                len -= n;
                if (s->in_len == BLOCK && submit(z) < 0)
                        return -1;
        }
        return 0;
}

int sl_pgzip_finish(sl_pgzip *z)
{
        if (z->failed)
                return -1;
        if (z->slots[z->fill_seq % (uint64_t)z->nslots].in_len > 0 && submit(z) < 0)
                return -1;
        while (z->emit_seq < z->fill_seq)
                if (emit_oldest(z, true) < 0)
                        return -1;
        if (emit_header(z) < 0)
                return -1;
        /* an empty final fixed-Huffman block ends the deflate stream */
        unsigned char tail[10] = {0x03, 0x00};
        uint32_t isz = (uint32_t)z->isize;
        for (int i = 0; i < 4; i++) {
                tail[2 + i] = (unsigned char)(z->crc >> (8 * i));
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
        pthread_mutex_lock(&z->mu);
        z->stop = true;
        pthread_cond_broadcast(&z->work);
        pthread_mutex_unlock(&z->mu);
        for (int i = 0; i < z->started; i++)
                pthread_join(z->workers[i], NULL);
        for (int i = 0; i < MAX_THREADS; i++)
                sl_deflate_block_free(z->dc[i]);
        for (int i = 0; i < z->nslots; i++) {
                free(z->slots[i].in);
                free(z->slots[i].out);
        }
        pthread_mutex_destroy(&z->mu);
        pthread_cond_destroy(&z->work);
        pthread_cond_destroy(&z->done);
        free(z);
}
