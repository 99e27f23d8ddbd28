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
 * fills the next one and the writer thread writes the oldest. */
#define MAX_SLOTS (2 * MAX_THREADS + 2)

/* A slot goes FREE -> (filled by the caller) READY -> BUSY (a worker
 * deflates it) -> DONE -> (written, in order, by the writer) FREE. */
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
        pthread_t threads[MAX_THREADS + 1]; /* the workers, then the writer */
        worker_arg wargs[MAX_THREADS];
        int started;
        pthread_mutex_t mu;
        pthread_cond_t work, done, freed;
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

static slot *slot_of(sl_pgzip *z, uint64_t seq)
{
        return &z->slots[seq % (uint64_t)z->nslots];
}

static int emit(sl_pgzip *z, const void *buf, size_t len)
{
        return z->out(z->ctx, buf, len) < 0 ? -1 : 0;
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

/* Writes one deflated block; on failure says why in z->error. Called by
 * the writer thread, or by the caller when there are no threads. */
static int write_slot(sl_pgzip *z, slot *s)
{
        if (s->out_len < 0) {
                snprintf(z->error, sizeof z->error, "deflate failed");
                return -1;
        }
        if (emit_header(z) < 0 || emit(z, s->out, (size_t)s->out_len) < 0) {
                z->error[0] = 0;
                return -1;
        }
        return 0;
}

static void *worker_main(void *arg)
{
        worker_arg *a = arg;
        sl_pgzip *z = a->z;
        pthread_mutex_lock(&z->mu);
        for (;;) {
                slot *s = NULL;
                for (uint64_t q = z->emit_seq; !s && q < z->fill_seq; q++)
                        if (slot_of(z, q)->state == SLOT_READY)
                                s = slot_of(z, q);
                if (z->stop)
                        break;
                if (!s) {
                        pthread_cond_wait(&z->work, &z->mu);
                        continue;
                }
                s->state = SLOT_BUSY;
                pthread_mutex_unlock(&z->mu);
                s->out_len = sl_deflate_block_run(a->dc, s->in, s->in_len, s->out, s->out_cap);
                pthread_mutex_lock(&z->mu);
                s->state = SLOT_DONE;
                pthread_cond_broadcast(&z->done);
        }
        pthread_mutex_unlock(&z->mu);
        return NULL;
}

/* Writes blocks in order as they are deflated, so the output callback
 * (hashing and writing the blob) runs beside the caller. */
static void *writer_main(void *arg)
{
        sl_pgzip *z = arg;
        pthread_mutex_lock(&z->mu);
        for (;;) {
                slot *s = z->emit_seq < z->fill_seq ? slot_of(z, z->emit_seq) : NULL;
                if (!s || s->state != SLOT_DONE) {
                        if (z->stop)
                                break;
                        pthread_cond_wait(&z->done, &z->mu);
                        continue;
                }
                bool skip = z->failed;
                pthread_mutex_unlock(&z->mu);
                int rc = skip ? 0 : write_slot(z, s);
                pthread_mutex_lock(&z->mu);
                if (rc < 0)
                        z->failed = true;
                s->in_len = 0;
                s->state = SLOT_FREE;
                z->emit_seq++;
                pthread_cond_broadcast(&z->freed);
        }
        pthread_mutex_unlock(&z->mu);
        return NULL;
}

static int online_cpus(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static int start_threads(sl_pgzip *z)
{
        for (; z->started < z->nworkers; z->started++) {
                z->wargs[z->started] = (worker_arg){z, z->dc[z->started]};
                if (pthread_create(&z->threads[z->started], NULL, worker_main, &z->wargs[z->started]) != 0)
                        return -1;
        }
        if (pthread_create(&z->threads[z->started], NULL, writer_main, z) != 0)
                return -1;
        z->started++;
        return 0;
}

sl_pgzip *sl_pgzip_new(int level, int threads, sl_pgzip_out out, void *ctx)
{
        sl_pgzip *z = sl_xcalloc(1, sizeof *z);
        if (threads <= 0)
                threads = online_cpus();
        z->nworkers = threads == 1 ? 0 : threads > MAX_THREADS ? MAX_THREADS : threads;
        z->nslots = z->nworkers ? 2 * z->nworkers + 2 : 1;
        z->out = out;
        z->ctx = ctx;
        pthread_mutex_init(&z->mu, NULL);
        pthread_cond_init(&z->work, NULL);
        pthread_cond_init(&z->done, NULL);
        pthread_cond_init(&z->freed, NULL);
        for (int i = 0; i < (z->nworkers ? z->nworkers : 1); i++)
                if (!(z->dc[i] = sl_deflate_block_new(level)))
                        goto fail;
        for (int i = 0; i < z->nslots; i++) {
                slot *s = &z->slots[i];
                s->in = sl_xmalloc(BLOCK);
                s->out_cap = sl_deflate_block_bound(z->dc[0], BLOCK);
                s->out = sl_xmalloc(s->out_cap);
        }
        if (z->nworkers && start_threads(z) < 0)
                goto fail;
        return z;
fail:
        sl_pgzip_free(z);
        return NULL;
}

static bool has_failed(sl_pgzip *z)
{
        pthread_mutex_lock(&z->mu);
        bool f = z->failed;
        pthread_mutex_unlock(&z->mu);
        return f;
}

/* Hands the filled block to the workers (or deflates and writes it
 * here), then waits until the next slot to fill is free. */
static int submit(sl_pgzip *z)
{
        slot *s = slot_of(z, z->fill_seq);
        if (!z->nworkers) {
                s->out_len = sl_deflate_block_run(z->dc[0], s->in, s->in_len, s->out, s->out_cap);
                int rc = write_slot(z, s);
                s->in_len = 0;
                z->fill_seq++;
                z->emit_seq++;
                z->failed = rc < 0;
                return rc;
        }
        pthread_mutex_lock(&z->mu);
        s->state = SLOT_READY;
        z->fill_seq++;
        pthread_cond_signal(&z->work);
        while (!z->failed && z->fill_seq - z->emit_seq >= (uint64_t)z->nslots)
                pthread_cond_wait(&z->freed, &z->mu);
        int rc = z->failed ? -1 : 0;
        pthread_mutex_unlock(&z->mu);
        return rc;
}

int sl_pgzip_write(sl_pgzip *z, const void *buf, size_t len)
{
        const unsigned char *p = buf;
        if (has_failed(z))
                return -1;
        z->crc = libdeflate_crc32(z->crc, p, len);
        z->isize += len;
        while (len > 0) {
                slot *s = slot_of(z, z->fill_seq);
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
        if (has_failed(z))
                return -1;
        if (slot_of(z, z->fill_seq)->in_len > 0 && submit(z) < 0)
                return -1;
        pthread_mutex_lock(&z->mu);
        while (!z->failed && z->emit_seq < z->fill_seq)
                pthread_cond_wait(&z->freed, &z->mu);
        bool failed = z->failed;
        pthread_mutex_unlock(&z->mu);
        /* the writer is idle now: the rest is written from here */
        if (failed || emit_header(z) < 0)
                goto fail;
        /* an empty final fixed-Huffman block ends the deflate stream */
        unsigned char tail[10] = {0x03, 0x00};
        uint32_t isz = (uint32_t)z->isize;
        for (int i = 0; i < 4; i++) {
                tail[2 + i] = (unsigned char)(z->crc >> (8 * i));
                tail[6 + i] = (unsigned char)(isz >> (8 * i));
        }
        if (emit(z, tail, sizeof tail) == 0)
                return 0;
        z->error[0] = 0;
fail:
        z->failed = true;
        return -1;
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
        pthread_cond_broadcast(&z->done);
        pthread_mutex_unlock(&z->mu);
        for (int i = 0; i < z->started; i++)
                pthread_join(z->threads[i], NULL);
        for (int i = 0; i < MAX_THREADS; i++)
                sl_deflate_block_free(z->dc[i]);
        for (int i = 0; i < z->nslots; i++) {
                free(z->slots[i].in);
                free(z->slots[i].out);
        }
        pthread_mutex_destroy(&z->mu);
        pthread_cond_destroy(&z->work);
        pthread_cond_destroy(&z->done);
        pthread_cond_destroy(&z->freed);
        free(z);
}
