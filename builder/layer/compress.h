/* Writing a layer blob: one streaming pass over the tar computes the
 * diff_id (sha256 of the tar), compresses it and computes the blob's
 * digest and size while the blob is written. With threads, gzip blocks
 * are deflated on every core and written from a thread of their own while
 * the tar is produced; zstd gets a producer thread and libzstd's workers. */
#ifndef SLOIKA_BUILDER_LAYER_COMPRESS_H
#define SLOIKA_BUILDER_LAYER_COMPRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "builder/layer/differ.h"
#include "common/digest.h"
#include "common/error.h"

typedef enum { SL_COMPRESS_GZIP, SL_COMPRESS_ZSTD, SL_COMPRESS_NONE } sl_compression;

/* "gzip", "zstd", "none" (also "uncompressed"); errors name the value. */
int sl_compression_parse(const char *s, sl_compression *out, sl_error *err);
/* application/vnd.oci.image.layer.v1.tar(+gzip|+zstd) */
const char *sl_compression_media_type(sl_compression c);

typedef struct sl_layer_digests {
        char diff_id[SL_DIGEST_STR_MAX];  /* sha256 of the uncompressed tar */
        char digest[SL_DIGEST_STR_MAX];   /* sha256 of the blob */
        uint64_t size;                    /* blob bytes */
        uint64_t tar_size;                /* uncompressed bytes */
} sl_layer_digests;

/* Produces a tar stream into sink (e.g. a wrapper of sl_layer_diff). */
typedef int (*sl_tar_producer)(void *ctx, sl_byte_sink sink, void *sink_ctx, sl_error *err);

typedef struct sl_compress_opts {
        sl_compression compression;
        int level;      /* 0: the default (gzip 6 of 1..12, zstd 3) */
        bool threaded;  /* compression beside the tar producer, and
                         * gzip/zstd on every core (ignored for none) */
} sl_compress_opts;

/* Runs prod and writes the (compressed) blob to outfd. gzip output has a
 * fixed header (no name, mtime 0), so equal tars give equal blobs. */
int sl_layer_write_blob(sl_tar_producer prod, void *prod_ctx, const sl_compress_opts *opts,
                        int outfd, sl_layer_digests *out, sl_error *err);

#endif
