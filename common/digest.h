/* Content digests in the OCI "algorithm:hex" form (sha256, sha512). */
#ifndef SLOIKA_COMMON_DIGEST_H
#define SLOIKA_COMMON_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef enum { SL_DIGEST_SHA256, SL_DIGEST_SHA512 } sl_digest_algo;

/* "sha512:" + 128 hex digits + NUL. */
#define SL_DIGEST_STR_MAX 136

typedef struct sl_digest_ctx sl_digest_ctx;

sl_digest_ctx *sl_digest_new(sl_digest_algo algo, sl_error *err);
/* Returns 0, or -1 once hashing has failed (reported again by final). */
int sl_digest_update(sl_digest_ctx *ctx, const void *buf, size_t len);
/* Writes "algo:hex" into out. The ctx cannot be updated afterwards. */
int sl_digest_final(sl_digest_ctx *ctx, char out[SL_DIGEST_STR_MAX], sl_error *err);
void sl_digest_free(sl_digest_ctx *ctx);

int sl_digest_buffer(sl_digest_algo algo, const void *buf, size_t len,
                     char out[SL_DIGEST_STR_MAX], sl_error *err);
/* Hashes fd from its offset to EOF; *size (may be NULL) gets the byte count. */
int sl_digest_fd(sl_digest_algo algo, int fd, char out[SL_DIGEST_STR_MAX],
                 uint64_t *size, sl_error *err);

/* Checks s is "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>";
 * sets *algo and *hex (pointing into s). Either output may be NULL. */
int sl_digest_parse(const char *s, sl_digest_algo *algo, const char **hex, sl_error *err);

const char *sl_digest_algo_name(sl_digest_algo algo);  /* "sha256" */
size_t sl_digest_hex_len(sl_digest_algo algo);         /* 64 or 128 */

#endif
