/* Reading an image from an OCI layout dir (oci:PATH[:TAG]) into the
 * store. The layout is untrusted: blobs are opened inside it without
 * following symlinks out, and each is stored only if its bytes match the
 * descriptor's digest and size. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/output/layout.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/path.h"
#include "common/xalloc.h"

#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MAX_JSON (4u << 20)

void sl_layout_ref_split(const char *spec, char **path, char **tag)
{
        const char *colon = strrchr(spec, ':');
        *tag = NULL;
        if (colon && colon[1] && !strchr(colon, '/')) {
                _cleanup_free_ char *p = sl_xstrndup(spec, (size_t)(colon - spec));
                struct stat st;
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        *path = SL_STEAL(p);
                        *tag = sl_xstrdup(colon + 1);
                        return;
                }
        }
        *path = sl_xstrdup(spec);
}

static int open_layout_blob(int dfd, const char *path, const char *digest, sl_error *err)
{
        sl_digest_algo algo;
        const char *hex;
        if (sl_digest_parse(digest, &algo, &hex, err) < 0)
                return sl_err_wrap(err, "%s", path);
        _cleanup_free_ char *rel = sl_xasprintf("blobs/%s/%s", sl_digest_algo_name(algo), hex);
        int fd = sl_openat_in_root(dfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0, err);
        if (fd < 0)
                return sl_err_wrap(err, "%s", path);
        return fd;
}

/* Copies one blob into the store, verified against its descriptor. */
static int import_blob(sl_store *s, int dfd, const char *path, const oci_descriptor *d, sl_error *err)
{
        if (!d->has_size || d->size < 0)
                return sl_err(err, EINVAL, "%s: descriptor %s has no size", path, d->digest);
        if (sl_store_has_blob(s, d->digest))
                return 0;
        _cleanup_close_ int fd = open_layout_blob(dfd, path, d->digest, err);
        if (fd < 0)
                return -1;
        if (sl_store_put_blob_fd(s, fd, d->digest, d->size, NULL, NULL, err) < 0)
                return sl_err_wrap(err, "%s", path);
        return 0;
}

static char *read_blob_json(int dfd, const char *path, const oci_descriptor *d, sl_error *err)
{
        _cleanup_close_ int fd = open_layout_blob(dfd, path, d->digest, err);
        if (fd < 0)
                return NULL;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_size != d->size || (uint64_t)st.st_size > MAX_JSON) {
                sl_err(err, EINVAL, "%s: blob %s: size %lld does not match its descriptor (%lld)", path,
                       d->digest, (long long)st.st_size, (long long)d->size);
                return NULL;
        }
        char *data;
        size_t len;
        if (sl_read_fd_all(fd, &data, &len, err) < 0)
                return NULL;
        char got[SL_DIGEST_STR_MAX];
        if (sl_digest_buffer(SL_DIGEST_SHA256, data, len, got, err) < 0 || strcmp(got, d->digest) != 0) {
                sl_err(err, EINVAL, "%s: blob %s: content hashes to %s", path, d->digest, got);
                free(data);
                return NULL;
        }
        return data;
}

static bool is_index_type(const char *mt)
{
        return mt && (!strcmp(mt, SL_MEDIA_INDEX) || !strcmp(mt, MEDIA_DOCKER_LIST));
}

/* The entry of idx for this host, for a nested index. */
static const oci_descriptor *pick_platform(const oci_index *idx)
{
        if (idx->manifests_len == 1)
                return &idx->manifests[0];
        for (size_t i = 0; i < idx->manifests_len; i++) {
                const oci_platform *p = idx->manifests[i].platform;
                if (p && p->os && p->architecture && !strcmp(p->os, "linux") &&
                    !strcmp(p->architecture, sl_host_arch()))
                        return &idx->manifests[i];
        }
        return NULL;
}

static int import_manifest(sl_store *s, int dfd, const char *path, const oci_descriptor *d, int depth,
                           char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        if (depth > 4)
                return sl_err(err, ELOOP, "%s: indexes nested too deeply", path);
        _cleanup_free_ char *data = read_blob_json(dfd, path, d, err);
        if (!data)
                return -1;
        _cleanup_free_ char *src = sl_xasprintf("%s: %s", path, d->digest);
        if (is_index_type(d->media_type)) {
                oci_index *idx = oci_index_parse_data(data, (size_t)d->size, src, err);
                if (!idx)
                        return -1;
                const oci_descriptor *pick = pick_platform(idx);
                int rc = pick ? import_manifest(s, dfd, path, pick, depth + 1, out, err)
                              : sl_err(err, ENOENT, "%s: index %s has no manifest for linux/%s", path,
                                       d->digest, sl_host_arch());
                oci_index_free(idx);
                return rc;
        }
        if (d->media_type && strcmp(d->media_type, SL_MEDIA_MANIFEST) && strcmp(d->media_type, MEDIA_DOCKER_MANIFEST))
                return sl_err(err, ENOTSUP, "%s: %s has media type %s, not an image manifest", path, d->digest,
                              d->media_type);
        oci_manifest *m = oci_manifest_parse_data(data, (size_t)d->size, src, err);
        if (!m)
                return -1;
        int rc = import_blob(s, dfd, path, m->config, err);
        for (size_t i = 0; rc == 0 && i < m->layers_len; i++)
                rc = import_blob(s, dfd, path, &m->layers[i], err);
        oci_manifest_free(m);
        /* the manifest last: once it is in, the whole image is */
        if (rc == 0)
                rc = import_blob(s, dfd, path, d, err);
        if (rc == 0)
                snprintf(out, SL_DIGEST_STR_MAX, "%s", d->digest);
        return rc;
}

int sl_input_layout(sl_store *s, const char *path, const char *tag,
                    char manifest_digest[SL_DIGEST_STR_MAX], sl_error *err)
{
        _cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return sl_err_sys(err, errno, "oci:%s", path);
        _cleanup_free_ char *src = sl_xasprintf("%s/index.json", path);
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (sl_read_file_at(dfd, "index.json", &data, &len, err) < 0)
                return sl_err_wrap(err, "oci:%s", path);
        oci_index *idx = oci_index_parse_data(data, len, src, err);
        if (!idx)
                return -1;
        const oci_descriptor *pick = NULL;
        int rc = 0;
        for (size_t i = 0; i < idx->manifests_len && tag; i++) {
                const char *r = oci_string_map_get(idx->manifests[i].annotations, SL_REF_NAME_ANNOTATION);
                if (r && !strcmp(r, tag)) {
                        pick = &idx->manifests[i];
                        break;
                }
        }
        if (tag && !pick)
                rc = sl_err(err, ENOENT, "oci:%s: no image tagged \"%s\" in index.json", path, tag);
        else if (!tag && idx->manifests_len != 1)
                rc = sl_err(err, EINVAL, "oci:%s: index.json has %zu images: name one as oci:%s:TAG", path,
                            idx->manifests_len, path);
        else if (!tag)
                pick = &idx->manifests[0];
        if (rc == 0 && sl_store_hold(s, err) == 0) {
                rc = import_manifest(s, dfd, path, pick, 0, manifest_digest, err);
                sl_store_release(s);
        } else if (rc == 0) {
                rc = -1;
        }
        oci_index_free(idx);
        return rc;
}
