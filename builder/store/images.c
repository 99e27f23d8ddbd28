/* Store: image records (manifest + config blobs) and tags (index.json). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/store/store-internal.h"
#include "common/atomicfile.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

int sl_store_put_image(sl_store *s, const oci_image *config, const oci_descriptor *layers,
                       size_t n_layers, char manifest_digest[SL_DIGEST_STR_MAX],
                       uint64_t *manifest_size, sl_error *err)
{
        _cleanup_free_ char *cjson = NULL, *mjson = NULL;
        size_t clen, mlen;
        char cdigest[SL_DIGEST_STR_MAX];
        if (oci_image_generate(config, 0, &cjson, &clen, err) < 0)
                return sl_err_wrap(err, "image config");
        if (sl_store_put_blob_data(s, cjson, clen, cdigest, err) < 0)
                return -1;
        oci_descriptor cdesc = {.media_type = (char *)SL_MEDIA_CONFIG, .digest = cdigest,
                                .size = (int64_t)clen, .has_size = true};
        oci_manifest m = {.schema_version = 2, .has_schema_version = true,
                          .media_type = (char *)SL_MEDIA_MANIFEST, .config = &cdesc,
                          .layers = (oci_descriptor *)layers, .layers_len = n_layers, .has_layers = true};
        for (size_t i = 0; i < n_layers; i++)
                if (!sl_store_has_blob(s, layers[i].digest))
                        return sl_err(err, ENOENT, "layers[%zu]: blob %s is not in the store", i, layers[i].digest);
        if (oci_manifest_generate(&m, 0, &mjson, &mlen, err) < 0)
                return sl_err_wrap(err, "image manifest");
        if (sl_store_put_blob_data(s, mjson, mlen, manifest_digest, err) < 0)
                return -1;
        if (manifest_size)
                *manifest_size = mlen;
        return 0;
}

int sl_store_load_image(sl_store *s, const char *manifest_digest, oci_manifest **mout,
                        oci_image **cout, sl_error *err)
{
        _cleanup_free_ char *mdata = NULL, *cdata = NULL;
        size_t mlen, clen;
        if (sl_store_read_blob(s, manifest_digest, &mdata, &mlen, err) < 0)
                return -1;
        oci_manifest *m = oci_manifest_parse_data(mdata, mlen, manifest_digest, err);
        if (!m)
                return -1;
        if (!cout) {
                *mout = m;
                return 0;
        }
        oci_image *c = NULL;
        if (sl_store_read_blob(s, m->config->digest, &cdata, &clen, err) == 0)
                c = oci_image_parse_data(cdata, clen, m->config->digest, err);
        if (!c) {
                oci_manifest_free(m);
                return sl_err_wrap(err, "image %s: config", manifest_digest);
        }
        *mout = m;
        *cout = c;
        return 0;
}

char *sl_ref_normalize(const char *ref)
{
        const char *slash = strrchr(ref, '/');
        const char *colon = strchr(slash ? slash : ref, ':');
        if (colon || strchr(ref, '@'))
                return sl_xstrdup(ref);
        return sl_xasprintf("%s:latest", ref);
}

/* ---- index.json ---- */

oci_index *sl_index_new(void)
{
        oci_index *idx = sl_xcalloc(1, sizeof *idx);
        idx->schema_version = 2;
        idx->has_schema_version = true;
        idx->media_type = sl_xstrdup(SL_MEDIA_INDEX);
        idx->manifests = sl_xcalloc(1, sizeof *idx->manifests);
        idx->has_manifests = true;
        return idx;
}

void sl_desc_set_ref(oci_descriptor *d, const char *ref)
{
        d->annotations = sl_xcalloc(1, sizeof *d->annotations);
        d->annotations->keys = sl_xcalloc(1, sizeof(char *));
        d->annotations->values = sl_xcalloc(1, sizeof(char *));
        d->annotations->keys[0] = sl_xstrdup(SL_REF_NAME_ANNOTATION);
        d->annotations->values[0] = sl_xstrdup(ref);
        d->annotations->len = 1;
}

static oci_index *load_index(sl_store *s, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (sl_read_file_at(s->rootfd, "index.json", &data, &len, err) < 0) {
                if (err && err->code != ENOENT)
                        return NULL;
                return sl_index_new();
        }
        _cleanup_free_ char *src = sl_xasprintf("%s/index.json", s->root);
        return oci_index_parse_data(data, len, src, err);
}

static int save_index(sl_store *s, const oci_index *idx, sl_error *err)
{
        _cleanup_free_ char *json = NULL;
        size_t len;
        if (oci_index_generate(idx, 0, &json, &len, err) < 0)
                return sl_err_wrap(err, "%s/index.json", s->root);
        return sl_atomic_write_at(s->rootfd, "index.json", json, len, 0644, err);
}

static const char *ref_of(const oci_descriptor *d)
{
        return oci_string_map_get(d->annotations, SL_REF_NAME_ANNOTATION);
}

static void remove_at(oci_index *idx, size_t i)
{
        ocispec_free_members(&oci_descriptor_type_, &idx->manifests[i]);
        memmove(&idx->manifests[i], &idx->manifests[i + 1],
                (idx->manifests_len - i - 1) * sizeof *idx->manifests);
        idx->manifests_len--;
}

static int cmp_ref(const void *a, const void *b)
{
        const char *x = ref_of(a), *y = ref_of(b);
        return strcmp(x ? x : "", y ? y : "");
}

static int lock_index(sl_store *s, sl_error *err)
{
        while (flock(s->indexlockfd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return sl_err_sys(err, errno, "store %s: lock index", s->root);
        return 0;
}

int sl_store_tag(sl_store *s, const char *ref, const char *manifest_digest, sl_error *err)
{
        _cleanup_free_ char *name = sl_ref_normalize(ref);
        _cleanup_free_ char *data = NULL;
        size_t size;
        if (sl_store_read_blob(s, manifest_digest, &data, &size, err) < 0)
                return sl_err_wrap(err, "tag %s", name);
        oci_manifest *m = oci_manifest_parse_data(data, size, manifest_digest, err);
        if (!m)
                return sl_err_wrap(err, "tag %s: not an image manifest", name);
        oci_manifest_free(m);
        if (sl_store_hold(s, err) < 0)
                return -1;
        if (lock_index(s, err) < 0) {
                sl_store_release(s);
                return -1;
        }
        int rc = -1;
        oci_index *idx = load_index(s, err);
        if (idx) {
                for (size_t i = 0; i < idx->manifests_len; i++)
                        if (ref_of(&idx->manifests[i]) && !strcmp(ref_of(&idx->manifests[i]), name)) {
                                remove_at(idx, i);
                                break;
                        }
                idx->manifests = sl_xrealloc(idx->manifests, (idx->manifests_len + 1) * sizeof *idx->manifests);
                oci_descriptor *d = &idx->manifests[idx->manifests_len++];
                memset(d, 0, sizeof *d);
                d->media_type = sl_xstrdup(SL_MEDIA_MANIFEST);
                d->digest = sl_xstrdup(manifest_digest);
                d->size = (int64_t)size;
                d->has_size = true;
                sl_desc_set_ref(d, name);
                idx->has_manifests = true;
                qsort(idx->manifests, idx->manifests_len, sizeof *idx->manifests, cmp_ref);
                rc = save_index(s, idx, err);
                oci_index_free(idx);
        }
        flock(s->indexlockfd, LOCK_UN);
        sl_store_release(s);
        return rc;
}

int sl_store_untag(sl_store *s, const char *ref, sl_error *err)
{
        _cleanup_free_ char *name = sl_ref_normalize(ref);
        if (sl_store_hold(s, err) < 0)
                return -1;
        if (lock_index(s, err) < 0) {
                sl_store_release(s);
                return -1;
        }
        int rc = -1;
        oci_index *idx = load_index(s, err);
        if (idx) {
                rc = sl_err(err, ENOENT, "no image tagged %s", name);
                for (size_t i = 0; i < idx->manifests_len; i++)
                        if (ref_of(&idx->manifests[i]) && !strcmp(ref_of(&idx->manifests[i]), name)) {
                                remove_at(idx, i);
                                rc = save_index(s, idx, err);
                                break;
                        }
                oci_index_free(idx);
        }
        flock(s->indexlockfd, LOCK_UN);
        sl_store_release(s);
        return rc;
}

int sl_store_list(sl_store *s, oci_index **out, sl_error *err)
{
        if (sl_store_hold(s, err) < 0)
                return -1;
        *out = load_index(s, err);
        sl_store_release(s);
        return *out ? 0 : -1;
}

static bool is_hex_prefix(const char *s)
{
        size_t n = strlen(s);
        if (n < 6 || n > 64)
                return false;
        for (; *s; s++)
                if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
                        return false;
        return true;
}

int sl_store_resolve(sl_store *s, const char *ref, char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        if (!strncmp(ref, "sha256:", 7)) {
                if (!sl_store_blob_hex(ref, err))
                        return -1;
                if (!sl_store_has_blob(s, ref))
                        return sl_err(err, ENOENT, "image %s is not in the store", ref);
                snprintf(out, SL_DIGEST_STR_MAX, "%s", ref);
                return 0;
        }
        oci_index *idx;
        if (sl_store_list(s, &idx, err) < 0)
                return -1;
        _cleanup_free_ char *name = sl_ref_normalize(ref);
        const char *found = NULL;
        int matches = 0;
        for (size_t i = 0; i < idx->manifests_len && !found; i++)
                if (ref_of(&idx->manifests[i]) && !strcmp(ref_of(&idx->manifests[i]), name))
                        found = idx->manifests[i].digest;
        if (!found && is_hex_prefix(ref)) {
                for (size_t i = 0; i < idx->manifests_len; i++) {
                        const char *d = idx->manifests[i].digest;
                        if (!strncmp(d + 7, ref, strlen(ref)) && (!found || strcmp(found, d) != 0)) {
                                found = d;
                                matches++;
                        }
                }
        }
        int rc = 0;
        if (!found)
                rc = sl_err(err, ENOENT, "no image %s in the store %s", name, s->root);
        else if (matches > 1)
                rc = sl_err(err, EINVAL, "image id %s is ambiguous", ref);
        else
                snprintf(out, SL_DIGEST_STR_MAX, "%s", found);
        oci_index_free(idx);
        return rc;
}
