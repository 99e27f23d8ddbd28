#include <stdlib.h>
#include <string.h>

#include "builder/layer/pipebuf.h"
#include "common/xalloc.h"

/* The reader wakes for a quarter of the buffer at a time, not for every
 * small write: waking per 10 KiB tar block costs more than the copy. */
static size_t batch(const sl_pipebuf *p)
{
        return p->cap / 4;
}

void sl_pipebuf_init(sl_pipebuf *p, size_t cap)
{
        memset(p, 0, sizeof *p);
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->can_read, NULL);
        pthread_cond_init(&p->can_write, NULL);
        p->buf = sl_xmalloc(cap);
        p->cap = cap;
}

void sl_pipebuf_destroy(sl_pipebuf *p)
{
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->can_read);
        pthread_cond_destroy(&p->can_write);
        free(p->buf);
        p->buf = NULL;
}

int sl_pipebuf_write(sl_pipebuf *p, const void *buf, size_t len)
{
        const char *src = buf;
        pthread_mutex_lock(&p->mu);
        while (len > 0) {
                while (p->len == p->cap && !p->aborted)
                        pthread_cond_wait(&p->can_write, &p->mu);
                if (p->aborted) {
                        pthread_mutex_unlock(&p->mu);
                        return -1;
                }
                size_t tail = (p->head + p->len) % p->cap;
                size_t room = p->cap - p->len;
                size_t run = p->cap - tail < room ? p->cap - tail : room;
                size_t n = len < run ? len : run;
                memcpy(p->buf + tail, src, n);
                p->len += n;
                src += n;
                len -= n;
                if (p->len >= batch(p))
                        pthread_cond_signal(&p->can_read);
        }
        pthread_mutex_unlock(&p->mu);
        return 0;
}

size_t sl_pipebuf_read(sl_pipebuf *p, void *buf, size_t len)
{
        pthread_mutex_lock(&p->mu);
        while (p->len < batch(p) && !p->closed)
                pthread_cond_wait(&p->can_read, &p->mu);
        size_t run = p->cap - p->head < p->len ? p->cap - p->head : p->len;
        size_t n = len < run ? len : run;
        memcpy(buf, p->buf + p->head, n);
        p->head = (p->head + n) % p->cap;
        p->len -= n;
        pthread_cond_signal(&p->can_write);
        pthread_mutex_unlock(&p->mu);
        return n;
}

void sl_pipebuf_close(sl_pipebuf *p)
{
        pthread_mutex_lock(&p->mu);
        p->closed = true;
        pthread_cond_broadcast(&p->can_read);
        pthread_mutex_unlock(&p->mu);
}

void sl_pipebuf_abort(sl_pipebuf *p)
{
        pthread_mutex_lock(&p->mu);
        p->aborted = true;
        pthread_cond_broadcast(&p->can_write);
        pthread_mutex_unlock(&p->mu);
}
