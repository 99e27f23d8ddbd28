/* sha256/sha512 known answers (FIPS 180-2 examples) and digest parsing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/digest.h"
#include "tests/unit/tap.h"

static const char nist448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static const struct {
        sl_digest_algo algo;
        const char *input; /* NULL: one million 'a' */
        const char *want;
} vectors[] = {
        { SL_DIGEST_SHA256, "", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { SL_DIGEST_SHA256, "abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { SL_DIGEST_SHA256, nist448, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { SL_DIGEST_SHA256, NULL, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
        { SL_DIGEST_SHA512, "", "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                                "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
        { SL_DIGEST_SHA512, "abc", "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
        { SL_DIGEST_SHA512, nist448, "sha512:204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
                                     "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
        { SL_DIGEST_SHA512, NULL, "sha512:e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                                  "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
};

static const char *label(const char *input)
{
        return input == NULL ? "a million 'a'" : *input ? input == nist448 ? "the 448-bit message" : input
                                                        : "the empty string";
}

/* One million 'a' fed in odd, varying chunk sizes, across buffer boundaries. */
static void stream_million(sl_digest_ctx *ctx)
{
        static char chunk[4099];
        memset(chunk, 'a', sizeof chunk);
        size_t left = 1000000, step = 1;
        while (left) {
                size_t n = step < left ? step : left;
                sl_digest_update(ctx, chunk, n);
                left -= n;
                step = (step * 7 + 3) % sizeof chunk | 1;
        }
}

static void test_vectors(void)
{
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
                sl_error err = { 0 };
                char out[SL_DIGEST_STR_MAX] = "";
                const char *name = sl_digest_algo_name(vectors[i].algo);
                sl_digest_ctx *ctx = sl_digest_new(vectors[i].algo, &err);
                if (vectors[i].input)
                        sl_digest_update(ctx, vectors[i].input, strlen(vectors[i].input));
                else
                        stream_million(ctx);
                int r = sl_digest_final(ctx, out, &err);
                sl_digest_free(ctx);
                is_int(r, 0, "%s of %s: final succeeds", name, label(vectors[i].input));
                is_str(out, vectors[i].want, "%s of %s streamed matches the known answer", name,
                       label(vectors[i].input));
                if (vectors[i].input) {
                        memset(out, 0, sizeof out);
                        sl_digest_buffer(vectors[i].algo, vectors[i].input, strlen(vectors[i].input), out, &err);
                        is_str(out, vectors[i].want, "%s of %s in one buffer matches", name,
                               label(vectors[i].input));
                }
        }
}

static void test_fd(void)
{
        int p[2];
        if (pipe(p) < 0)
                return;
        pid_t pid = fork();
        if (pid == 0) {
                close(p[0]);
                char buf[1000];
                memset(buf, 'a', sizeof buf);
                for (int i = 0; i < 1000; i++)
                        if (write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf)
                                _exit(1);
                _exit(0);
        }
        close(p[1]);
        sl_error err = { 0 };
        char out[SL_DIGEST_STR_MAX] = "";
        uint64_t size = 0;
        int r = sl_digest_fd(SL_DIGEST_SHA256, p[0], out, &size, &err);
        close(p[0]);
        int status;
        while (wait(&status) < 0 && errno == EINTR)
                ;
        is_int(r, 0, "sl_digest_fd over a pipe succeeds");
        is_str(out, vectors[3].want, "sl_digest_fd hashes a million 'a' from a pipe");
        is_int(size, 1000000, "sl_digest_fd reports the byte count");

        r = sl_digest_fd(SL_DIGEST_SHA256, -1, out, NULL, &err);
        ok(r < 0 && err.code == EBADF, "sl_digest_fd on a bad fd fails with EBADF");
        ok(strstr(err.msg, "sha256") != NULL, "its message names the algorithm: %s", err.msg);
}

static void test_parse(void)
{
        const char *hex256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        const char *s256 = vectors[0].want, *s512 = vectors[4].want;
        sl_error err = { 0 };
        sl_digest_algo algo = SL_DIGEST_SHA512;
        const char *hex = NULL;

        is_int(sl_digest_parse(s256, &algo, &hex, &err), 0, "parse accepts a sha256 digest");
        is_int(algo, SL_DIGEST_SHA256, "parse reports sha256");
        is_str(hex, hex256, "parse points hex past the colon");
        is_int(sl_digest_parse(s512, &algo, NULL, &err), 0, "parse accepts a sha512 digest");
        is_int(algo, SL_DIGEST_SHA512, "parse reports sha512");

        char buf[256];
        static const struct {
                const char *why;
                const char *prefix;
                int hex_chars; /* of hex256 */
                const char *suffix;
                const char *msg_part;
        } bad[] = {
                { "an unsupported algorithm", "md5:", 64, "", "unsupported algorithm" },
                { "an algorithm name with a prefix", "xsha256:", 64, "", "unsupported algorithm" },
                { "uppercase algorithm", "SHA256:", 64, "", "unsupported algorithm" },
                { "a missing colon", "sha256", 64, "", "missing" },
                { "an empty algorithm", ":", 64, "", "unsupported algorithm" },
                { "a short hex", "sha256:", 63, "", "64 hex digits, got 63" },
                { "a long hex", "sha256:", 64, "0", "got 65" },
                { "a sha256-length hex for sha512", "sha512:", 64, "", "128 hex digits" },
                { "an empty hex", "sha256:", 0, "", "got 0" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                snprintf(buf, sizeof buf, "%s%.*s%s", bad[i].prefix, bad[i].hex_chars, hex256, bad[i].suffix);
                sl_err_clear(&err);
                int r = sl_digest_parse(buf, NULL, NULL, &err);
                ok(r < 0 && err.code == EINVAL, "parse rejects %s (%s)", bad[i].why, buf);
                ok(strstr(err.msg, bad[i].msg_part) != NULL, "  and says why: %s", err.msg);
        }
        snprintf(buf, sizeof buf, "sha256:%s", hex256);
        buf[7 + 10] = 'A';
        ok(sl_digest_parse(buf, NULL, NULL, &err) < 0 && strstr(err.msg, "lowercase hex"),
           "parse rejects uppercase hex: %s", err.msg);
        buf[7 + 10] = 'g';
        ok(sl_digest_parse(buf, NULL, NULL, &err) < 0, "parse rejects a non-hex letter");
        snprintf(buf, sizeof buf, "sha256:%s", hex256);
        buf[7 + 63] = ' ';
        ok(sl_digest_parse(buf, NULL, NULL, &err) < 0, "parse rejects a trailing space in the hex");
}

int main(void)
{
        test_vectors();
        test_fd();
        test_parse();
        return tap_done();
}
