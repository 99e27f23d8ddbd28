#include "common/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

struct sl_digest_ctx {
        EVP_MD_CTX *md;
        sl_digest_algo algo;
        bool failed;
};

static const struct {
        const char *name;
        size_t hex_len;
} algos[] = {
        [SL_DIGEST_SHA256] = { "sha256", 64 },
        [SL_DIGEST_SHA512] = { "sha512", 128 },
};

const char *sl_digest_algo_name(sl_digest_algo algo) { return algos[algo].name; }
size_t sl_digest_hex_len(sl_digest_algo algo) { return algos[algo].hex_len; }

sl_digest_ctx *sl_digest_new(sl_digest_algo algo, sl_error *err)
{
        const EVP_MD *md = algo == SL_DIGEST_SHA512 ? EVP_sha512() : EVP_sha256();
        sl_digest_ctx *ctx = sl_xcalloc(1, sizeof *ctx);
        ctx->algo = algo;
        ctx->md = EVP_MD_CTX_new();
        if (ctx->md == NULL || EVP_DigestInit_ex(ctx->md, md, NULL) != 1) {
                sl_digest_free(ctx);
                sl_err(err, ENOMEM, "%s: cannot initialise digest", algos[algo].name);
                return NULL;
        }
        return ctx;
}

int sl_digest_update(sl_digest_ctx *ctx, const void *buf, size_t len)
{
        if (!ctx->failed && len > 0 && EVP_DigestUpdate(ctx->md, buf, len) != 1)
                ctx->failed = true;
        return ctx->failed ? -1 : 0;
}

int sl_digest_final(sl_digest_ctx *ctx, char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        static const char hex[] = "0123456789abcdef";
        unsigned char raw[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (ctx->failed || EVP_DigestFinal_ex(ctx->md, raw, &n) != 1) {
                ctx->failed = true;
                return sl_err(err, EIO, "%s: digest computation failed", algos[ctx->algo].name);
        }
        ctx->failed = true; /* EVP contexts are spent after final */
        size_t o = strlen(algos[ctx->algo].name);
        memcpy(out, algos[ctx->algo].name, o);
        out[o++] = ':';
        for (unsigned i = 0; i < n; i++) {
                out[o++] = hex[raw[i] >> 4];
                out[o++] = hex[raw[i] & 15];
        }
        out[o] = '\0';
        return 0;
}

void sl_digest_free(sl_digest_ctx *ctx)
{
        if (ctx) {
                EVP_MD_CTX_free(ctx->md);
                free(ctx);
        }
}

static void digest_freep(sl_digest_ctx **p) { sl_digest_free(*p); }
#define _cleanup_digest_ _cleanup_(digest_freep)

int sl_digest_buffer(sl_digest_algo algo, const void *buf, size_t len,
                     char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        _cleanup_digest_ sl_digest_ctx *ctx = sl_digest_new(algo, err);
        if (ctx == NULL)
                return -1;
        sl_digest_update(ctx, buf, len);
        return sl_digest_final(ctx, out, err);
}

int sl_digest_fd(sl_digest_algo algo, int fd, char out[SL_DIGEST_STR_MAX],
                 uint64_t *size, sl_error *err)
{
        /* Large reads: layers are hundreds of megabytes. */
        enum { BUF_SIZE = 1 << 20 };
        _cleanup_digest_ sl_digest_ctx *ctx = sl_digest_new(algo, err);
        if (ctx == NULL)
                return -1;
        _cleanup_free_ char *buf = sl_xmalloc(BUF_SIZE);
        uint64_t total = 0;
        for (;;) {
                ssize_t r = read(fd, buf, BUF_SIZE);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "read for %s digest", algos[algo].name);
                }
                if (r == 0)
                        break;
                sl_digest_update(ctx, buf, (size_t)r);
                total += (uint64_t)r;
        }
        if (sl_digest_final(ctx, out, err) < 0)
                return -1;
        if (size)
                *size = total;
        return 0;
}

int sl_digest_parse(const char *s, sl_digest_algo *algo, const char **hex, sl_error *err)
{
        const char *colon = strchr(s, ':');
        if (colon == NULL)
                return sl_err(err, EINVAL, "invalid digest \"%s\": missing \"algorithm:\" prefix", s);
        size_t alen = (size_t)(colon - s);
        int found = -1;
        for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
                if (strlen(algos[i].name) == alen && memcmp(s, algos[i].name, alen) == 0)
                        found = (int)i;
        if (found < 0)
                return sl_err(err, EINVAL, "invalid digest \"%s\": unsupported algorithm \"%.*s\"",
                              s, (int)alen, s);
        const char *h = colon + 1;
        size_t hlen = strlen(h);
        if (hlen != algos[found].hex_len)
                return sl_err(err, EINVAL, "invalid digest \"%s\": %s needs %zu hex digits, got %zu",
                              s, algos[found].name, algos[found].hex_len, hlen);
        for (size_t i = 0; i < hlen; i++)
                if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
                        return sl_err(err, EINVAL,
                                      "invalid digest \"%s\": character %zu is not lowercase hex",
                                      s, alen + 1 + i);
        if (algo)
                *algo = (sl_digest_algo)found;
        if (hex)
                *hex = h;
        return 0;
}
