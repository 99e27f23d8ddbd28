/* The content-addressed image store (default /var/lib/sloika):
 *
 *   oci-layout, index.json   the store is itself an OCI image layout: each
 *                            tag is a manifest descriptor in index.json
 *                            annotated org.opencontainers.image.ref.name
 *   blobs/sha256/<hex>       blobs, written to tmp/ and renamed into place
 *                            only after their digest is verified; once each
 *   layers/<chain-id-hex>/   unpacked layers (overlay whiteout form), keyed
 *                            by chain id, shared by every image
 *   cache/<sha256 of key>    build cache entries: key -> digest
 *   tmp/                     work in progress; stale after a crash
 *   lock, index.lock         flock files
 *
 * Locking: every operation holds "lock" shared, so gc and fsck (which
 * take it exclusive) never see work in progress. A build should hold a
 * shared hold (sl_store_hold) for its whole run so gc cannot collect its
 * untagged blobs. index.json changes under an exclusive "index.lock".
 * Blob and layer creation is race-safe by rename, so concurrent writers
 * need no lock beyond the shared one. */
#ifndef SLOIKA_BUILDER_STORE_STORE_H
#define SLOIKA_BUILDER_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builder/layer/compress.h"
#include "builder/layer/differ.h"
#include "common/digest.h"
#include "common/error.h"
#include "oci-specs/image-spec.h"

#define SL_STORE_DEFAULT_ROOT "/var/lib/sloika"
#define SL_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"
#define SL_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define SL_MEDIA_INDEX "application/vnd.oci.image.index.v1+json"
#define SL_MEDIA_CONFIG "application/vnd.oci.image.config.v1+json"

typedef struct sl_store sl_store;

/* An empty image index: schemaVersion 2, no manifests. */
oci_index *sl_index_new(void);
/* Names d with the org.opencontainers.image.ref.name annotation. */
void sl_desc_set_ref(oci_descriptor *d, const char *ref);

/* Opens (creating if needed) the store at root. */
int sl_store_open(const char *root, sl_store **out, sl_error *err);
void sl_store_close(sl_store *s);
const char *sl_store_root(const sl_store *s);
int sl_store_dirfd(const sl_store *s);  /* O_PATH fd of the root */

/* A shared hold on the store (nestable) for a whole build or export. */
int sl_store_hold(sl_store *s, sl_error *err);
void sl_store_release(sl_store *s);

/* ---- blobs ---- */
/* Copies fd (offset to EOF) into the store. expect may be NULL (the
 * digest is computed) or "sha256:<hex>": a mismatch fails and stores
 * nothing; expect_size < 0 means unknown. When the expected blob is
 * stored already, fd is not read. digest_out/size_out may be NULL. */
int sl_store_put_blob_fd(sl_store *s, int fd, const char *expect, int64_t expect_size,
                         char digest_out[SL_DIGEST_STR_MAX], uint64_t *size_out, sl_error *err);
int sl_store_put_blob_data(sl_store *s, const void *data, size_t len,
                           char digest_out[SL_DIGEST_STR_MAX], sl_error *err);
bool sl_store_has_blob(sl_store *s, const char *digest);
/* Opens a blob read-only; -1 with ENOENT when missing. */
int sl_store_open_blob(sl_store *s, const char *digest, sl_error *err);
int sl_store_read_blob(sl_store *s, const char *digest, char **data, size_t *len, sl_error *err);

/* A temp file in tmp/ for a blob being produced (e.g. a layer), then
 * committed under a digest the caller computed while writing it; the
 * commit re-hashes nothing but renames only if the name is free. */
int sl_store_tmpfile(sl_store *s, char **name_out, sl_error *err);
int sl_store_commit_tmp(sl_store *s, int fd, const char *tmpname, const char *digest, sl_error *err);
void sl_store_discard_tmp(sl_store *s, const char *tmpname);

/* ---- layers ---- */
/* Diffs dirfd (an overlay upper dir, or a plain tree when !diff->overlay),
 * compresses and stores the layer blob. */
int sl_store_commit_layer(sl_store *s, int dirfd, const sl_diff_opts *diff,
                          const sl_compress_opts *comp, sl_layer_digests *out, sl_error *err);
/* chain = parent ? sha256(parent + " " + diff_id) : diff_id */
int sl_chain_id(const char *parent, const char *diff_id, char out[SL_DIGEST_STR_MAX], sl_error *err);
/* Makes sure layers/<chain> exists for every layer of the image and
 * returns their absolute paths, topmost first (the order of overlay's
 * lowerdir=). Missing layers are unpacked (verifying their diff_ids). */
int sl_store_unpack_image(sl_store *s, const oci_manifest *m, const oci_image *config,
                          char ***lowerdirs, size_t *n, sl_error *err);

/* ---- work dirs for builds ---- */
/* Makes a fresh directory tmp/<prefix>-<random> (for an overlay's upper
 * and work dirs, which must share the store's filesystem) and returns its
 * absolute path. Leftovers of a crash are removed by gc and fsck. */
int sl_store_workdir(sl_store *s, const char *prefix, char **path_out, sl_error *err);
/* Removes a work dir (or anything else under tmp/). */
int sl_store_remove_workdir(sl_store *s, const char *path, sl_error *err);
/* Moves dir (under tmp/, holding a layer's tree in overlay whiteout form,
 * e.g. the upper dir just committed) to layers/<chain hex>, so the layer
 * need not be unpacked from its blob again. When that chain dir exists
 * already, dir is left where it is. Note the tree keeps its own mtimes,
 * which the blob has clamped. */
int sl_store_adopt_layer(sl_store *s, const char *dir, const char *chain_id, sl_error *err);

/* ---- build cache ---- */
/* A map from any key (e.g. the hash of parent chain + instruction +
 * inputs) to a digest, kept in cache/<sha256 of key>. An entry keeps the
 * image its value names (when it is a manifest) from gc. */
int sl_store_cache_put(sl_store *s, const char *key, const char *value, sl_error *err);
/* 0 with value filled, or -1 with ENOENT when there is no entry. */
int sl_store_cache_get(sl_store *s, const char *key, char value[SL_DIGEST_STR_MAX], sl_error *err);
/* Forgets every cache entry (prune --all). */
int sl_store_cache_clear(sl_store *s, sl_error *err);

/* ---- images and tags ---- */
/* Stores config and a manifest over already stored layers; returns the
 * manifest digest. */
int sl_store_put_image(sl_store *s, const oci_image *config, const oci_descriptor *layers,
                       size_t n_layers, char manifest_digest[SL_DIGEST_STR_MAX],
                       uint64_t *manifest_size, sl_error *err);
int sl_store_load_image(sl_store *s, const char *manifest_digest, oci_manifest **m,
                        oci_image **config, sl_error *err);
/* "name[:tag]" gets ":latest" when it has no tag. Free the result. */
char *sl_ref_normalize(const char *ref);
int sl_store_tag(sl_store *s, const char *ref, const char *manifest_digest, sl_error *err);
/* Removes the tag; -1 with ENOENT when there is none. */
int sl_store_untag(sl_store *s, const char *ref, sl_error *err);
/* A tag, a full "sha256:<hex>" or a unique hex prefix (>= 6) of a
 * tagged manifest digest. */
int sl_store_resolve(sl_store *s, const char *ref, char manifest_digest[SL_DIGEST_STR_MAX], sl_error *err);
/* The tag list (index.json); free with oci_index_free. */
int sl_store_list(sl_store *s, oci_index **out, sl_error *err);

/* ---- maintenance ---- */
typedef struct sl_store_stats {
        size_t blobs_checked, blobs_removed, layers_removed, tmp_removed, problems;
        size_t leftovers;  /* what a crash left: tmp/ entries, containers, mounts, stale cache */
        size_t repaired;   /* problems and leftovers fsck repaired */
        uint64_t bytes_freed;
} sl_store_stats;

/* Deletes (force) every container under state_root: a build killed
 * mid-RUN leaves its step container running with its state in tmp/.
 * The store cannot link the runtime itself, so sloika-build sets one. */
typedef int (*sl_store_reap_fn)(const char *state_root, sl_error *err);
void sl_store_set_reaper(sl_store *s, sl_store_reap_fn fn);

/* Removes blobs and layer dirs no tag or cache entry reaches, and stale
 * tmp/ entries (deleting their containers and detaching their mounts
 * first). Layer dirs a mounted overlay uses as lowerdirs (seen in this
 * mount namespace) are kept. */
int sl_store_gc(sl_store *s, sl_store_stats *st, sl_error *err);

typedef void (*sl_store_report_fn)(void *ctx, const char *msg);
typedef struct sl_fsck_opts {
        bool repair;
        sl_store_report_fn report;  /* one line per finding; may be NULL */
        void *ctx;
} sl_fsck_opts;
/* Checks the whole store under the exclusive lock: re-hashes every blob;
 * layers/ holds only chain-id dirs; index.json parses and every tag's
 * manifest, config and layer blobs are present and parse, with as many
 * diff_ids as layers; cache entries name stored blobs; tmp/ is empty
 * (anything there is a crash's leftover: half-written blobs, half-
 * unpacked layers, work dirs, step containers, mounts). With repair:
 * removes corrupt blobs and bad layer dirs, untags dangling tags, drops
 * stale cache entries and clears the leftovers. st->problems counts
 * damage, st->leftovers crash leftovers, st->repaired what was fixed. */
int sl_store_fsck_ex(sl_store *s, const sl_fsck_opts *o, sl_store_stats *st, sl_error *err);
/* sl_store_fsck_ex with repair. */
int sl_store_fsck(sl_store *s, sl_store_report_fn report, void *ctx, sl_store_stats *st, sl_error *err);

#endif
