/* Moving images between the store and OCI image layouts on disk:
 * writing a layout dir or an oci-archive (a tar of a layout), and reading
 * a layout (oci:PATH[:TAG]) into the store with every blob's digest and
 * size verified. */
#ifndef SLOIKA_BUILDER_OUTPUT_LAYOUT_H
#define SLOIKA_BUILDER_OUTPUT_LAYOUT_H

#include "builder/store/store.h"

/* Writes the image into the layout at dir (created if missing; an
 * existing layout is added to, and an index entry with the same ref is
 * replaced). ref (may be NULL) becomes the entry's
 * org.opencontainers.image.ref.name. */
int sl_output_layout(sl_store *s, const char *manifest_digest, const char *dir, const char *ref,
                     sl_error *err);

/* Writes an oci-archive: a deterministic tar holding oci-layout,
 * index.json and the image's blobs. */
int sl_output_archive(sl_store *s, const char *manifest_digest, const char *file, const char *ref,
                      sl_error *err);

/* Splits "PATH[:TAG]" (the part after "oci:"): the text after the last
 * ':' is a tag when it has no '/' and PATH is a directory. */
void sl_layout_ref_split(const char *spec, char **path, char **tag);

/* Copies the image named by tag (or the only one, when tag is NULL) from
 * the layout at path into the store. Nested indexes are followed to the
 * manifest for this host's platform. */
int sl_input_layout(sl_store *s, const char *path, const char *tag,
                    char manifest_digest[SL_DIGEST_STR_MAX], sl_error *err);

/* GOARCH-style name of this machine ("amd64", "arm64", ...). */
const char *sl_host_arch(void);

#endif
