/* The parallel gzip writer: one standard gzip member that zlib inflates
 * back to the input, the same bytes for any thread count, and stored
 * (not deflated) blocks only where the data does not compress. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "builder/layer/pgzip.h"
#include "tests/unit/tap.h"

typedef struct buf {
        unsigned char *p;
        size_t len, cap;
        int fail_after;  /* calls before the sink fails; < 0: never */
} buf;

static int sink(void *ctx, const void *data, size_t len)
{
        buf *b = ctx;
        if (b->fail_after == 0)
                return -1;
        if (b->fail_after > 0)
                b->fail_after--;
        if (b->len + len > b->cap) {
                b->cap = (b->len + len) * 2;
                b->p = realloc(b->p, b->cap);
        }
        memcpy(b->p + b->len, data, len);
        b->len += len;
        return 0;
}

static uint64_t rnd = 88172645463325252ull;
static unsigned char next_byte(void)
{
        rnd ^= rnd << 13;
        rnd ^= rnd >> 7;
        rnd ^= rnd << 17;
        return (unsigned char)rnd;
}

/* Text, random bytes, zeros and text again, not a whole number of blocks. */
static unsigned char *mixed(size_t *len)
{
        size_t n = (5u << 20) + 12345, o = 0;
        unsigned char *p = malloc(n);
        for (; o < (2u << 20); o++)
                p[o] = "the quick brown fox jumps over the lazy dog\n"[(o * 7 + o / 44) % 44];
        for (; o < (3u << 20) + 777; o++)
                p[o] = next_byte();
        for (; o < (4u << 20); o++)
                p[o] = 0;
        for (; o < n; o++)
                p[o] = (unsigned char)('a' + (o % 26));
        *len = n;
        return p;
}

static int pgzip_all(const unsigned char *in, size_t len, int threads, size_t piece, buf *out)
{
        *out = (buf){.fail_after = -1};
        sl_pgzip *z = sl_pgzip_new(6, threads, sink, out);
        if (!z)
                return -1;
        int rc = 0;
        for (size_t o = 0; rc == 0 && o < len; o += piece)
                rc = sl_pgzip_write(z, in + o, len - o < piece ? len - o : piece);
        if (rc == 0)
                rc = sl_pgzip_finish(z);
        sl_pgzip_free(z);
        return rc;
}

/* Inflates one gzip member (windowBits 31 stops at its end) and checks
 * it spans all of the data. */
static int gunzip_one_member(const buf *gz, unsigned char **out, size_t *out_len)
{
        z_stream z = {0};
        if (inflateInit2(&z, 31) != Z_OK)
                return -1;
        size_t cap = 8u << 20;
        *out = malloc(cap);
        z.next_in = gz->p;
        z.avail_in = (uInt)gz->len;
        z.next_out = *out;
        z.avail_out = (uInt)cap;
        int rc = inflate(&z, Z_FINISH);
        *out_len = z.total_out;
        int left = (int)z.avail_in;
        inflateEnd(&z);
        return rc == Z_STREAM_END && left == 0 ? 0 : -1;
}

int main(void)
{
        size_t len;
        unsigned char *in = mixed(&len);
        buf one, two, four;
        ok(pgzip_all(in, len, 1, 65536, &one) == 0, "gzip in the calling thread succeeds");
        ok(pgzip_all(in, len, 2, 10240, &two) == 0, "gzip on two workers succeeds");
        ok(pgzip_all(in, len, 4, 3u << 20, &four) == 0, "gzip on four workers succeeds");
        ok(one.len == two.len && !memcmp(one.p, two.p, one.len), "one thread and two give byte-identical output");
        ok(one.len == four.len && !memcmp(one.p, four.p, one.len), "one thread and four give byte-identical output");
        ok(one.len > 10 && one.p[0] == 0x1f && one.p[1] == 0x8b && one.p[2] == 8 && one.p[3] == 0 &&
           !one.p[4] && !one.p[5] && !one.p[6] && !one.p[7], "the header is gzip, deflate, no name, mtime 0");
        unsigned char *back = NULL;
        size_t back_len = 0;
        ok(gunzip_one_member(&two, &back, &back_len) == 0, "zlib reads the output as one gzip member to its end");
        ok(back_len == len && back && !memcmp(back, in, len), "it inflates back to the input");
        free(back);
        back = NULL;
        /* 1 MiB of random bytes + about 3 MiB of text: the random block
         * is stored (~1 MiB out), the text shrinks to almost nothing */
        ok(one.len > (1u << 20) && one.len < (1u << 20) + (200u << 10),
           "random data is stored at its size, the rest compressed (%zu bytes out)", one.len);

        buf empty;
        ok(pgzip_all(in, 0, 2, 1, &empty) == 0 && gunzip_one_member(&empty, &back, &back_len) == 0 && back_len == 0,
           "an empty input gives a valid empty gzip member");
        free(back);

        buf failing = {.fail_after = 1};
        sl_pgzip *z = sl_pgzip_new(6, 2, sink, &failing);
        int rc = sl_pgzip_write(z, in, len);
        if (rc == 0)
                rc = sl_pgzip_finish(z);
        ok(rc < 0 && !strcmp(sl_pgzip_error(z), ""), "a failing sink stops compression with the sink's failure");
        sl_pgzip_free(z);
        ok(sl_pgzip_new(99, 2, sink, &failing) == NULL, "an invalid level is refused");

        free(one.p);
        free(two.p);
        free(four.p);
        free(empty.p);
        free(failing.p);
        free(in);
        return tap_done();
}
