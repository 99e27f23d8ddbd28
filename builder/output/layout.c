/* Writing an image from the store as an OCI layout dir or oci-archive. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "builder/output/layout.h"
#include "common/atomicfile.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

static const char layout_json[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

const char *sl_host_arch(void)
{
        static char arch[sizeof(((struct utsname *)0)->machine)];
        struct utsname u;
        if (uname(&u) < 0)
                return "amd64";
        static const char *map[][2] = {{"x86_64", "amd64"}, {"aarch64", "arm64"}, {"i686", "386"},
                                       {"i386", "386"}, {"armv7l", "arm"}, {"ppc64le", "ppc64le"},
                                       {"s390x", "s390x"}, {"riscv64", "riscv64"}};
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
                if (!strcmp(u.machine, map[i][0]))
                        return map[i][1];
        snprintf(arch, sizeof arch, "%s", u.machine);
        return arch;
}

typedef struct image_blobs {
        char **digests;  /* manifest, config, layers... */
        int64_t *sizes;
        size_t n;
        oci_image *config;
} image_blobs;

static void image_blobs_free(image_blobs *b)
{
        for (size_t i = 0; i < b->n; i++)
                free(b->digests[i]);
        free(b->digests);
        free(b->sizes);
        oci_image_free(b->config);
}

static void add_blob(image_blobs *b, const char *digest, int64_t size)
{
        b->digests = sl_xrealloc(b->digests, (b->n + 1) * sizeof *b->digests);
        b->sizes = sl_xrealloc(b->sizes, (b->n + 1) * sizeof *b->sizes);
        b->digests[b->n] = sl_xstrdup(digest);
        b->sizes[b->n++] = size;
}

static int collect(sl_store *s, const char *manifest_digest, image_blobs *b, sl_error *err)
{
        oci_manifest *m;
        memset(b, 0, sizeof *b);
        if (sl_store_load_image(s, manifest_digest, &m, &b->config, err) < 0)
                return -1;
        _cleanup_close_ int fd = sl_store_open_blob(s, manifest_digest, err);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                oci_manifest_free(m);
                return -1;
        }
        add_blob(b, manifest_digest, st.st_size);
        add_blob(b, m->config->digest, m->config->size);
        for (size_t i = 0; i < m->layers_len; i++)
                add_blob(b, m->layers[i].digest, m->layers[i].size);
        oci_manifest_free(m);
        for (size_t i = 0; i < b->n; i++)
                if (!sl_store_has_blob(s, b->digests[i]))
                        return sl_err(err, ENOENT, "image %s: blob %s is missing from the store",
                                      manifest_digest, b->digests[i]);
        return 0;
}

/* The index entry naming the image. */
static void fill_desc(oci_descriptor *d, const image_blobs *b, const char *ref)
{
        memset(d, 0, sizeof *d);
        d->media_type = sl_xstrdup(SL_MEDIA_MANIFEST);
        d->digest = sl_xstrdup(b->digests[0]);
        d->size = b->sizes[0];
        d->has_size = true;
        d->platform = sl_xcalloc(1, sizeof *d->platform);
        d->platform->architecture = sl_xstrdup(b->config->architecture);
        d->platform->os = sl_xstrdup(b->config->os);
        if (b->config->variant)
                d->platform->variant = sl_xstrdup(b->config->variant);
        if (ref)
                sl_desc_set_ref(d, ref);
}

/* Adds the image to idx, dropping an entry with the same ref (or, with
 * no ref, an unnamed entry of the same digest). */
static void index_put(oci_index *idx, const image_blobs *b, const char *ref)
{
        for (size_t i = 0; i < idx->manifests_len; i++) {
                const char *r = oci_string_map_get(idx->manifests[i].annotations, SL_REF_NAME_ANNOTATION);
                bool same = ref ? r && !strcmp(r, ref) : !r && !strcmp(idx->manifests[i].digest, b->digests[0]);
                if (same) {
                        ocispec_free_members(&oci_descriptor_type_, &idx->manifests[i]);
                        memmove(&idx->manifests[i], &idx->manifests[i + 1],
                                (idx->manifests_len - i - 1) * sizeof *idx->manifests);
                        idx->manifests_len--;
                        break;
                }
        }
        idx->manifests = sl_xrealloc(idx->manifests, (idx->manifests_len + 1) * sizeof *idx->manifests);
        fill_desc(&idx->manifests[idx->manifests_len++], b, ref);
        idx->has_manifests = true;
}

static int copy_fd(int in, int out, const char *what, sl_error *err)
{
        char buf[1 << 16];
        for (;;) {
                ssize_t n = read(in, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return sl_err_sys(err, errno, "read %s", what);
                }
                if (n == 0)
                        return 0;
                if (sl_write_all(out, buf, (size_t)n) < 0)
                        return sl_err_sys(err, errno, "write %s", what);
        }
}

/* Copies a store blob to blobs/sha256/<hex> in the layout, via a temp
 * name, unless a blob of that name and size is there already. */
static int copy_blob(sl_store *s, int blobsfd, const char *digest, int64_t size, sl_error *err)
{
        const char *hex = strchr(digest, ':') + 1;
        struct stat st;
        if (fstatat(blobsfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && st.st_size == size)
                return 0;
        _cleanup_close_ int in = sl_store_open_blob(s, digest, err);
        if (in < 0)
                return -1;
        _cleanup_free_ char *tmp = sl_xasprintf(".tmp-%s-%d", hex, (int)getpid());
        _cleanup_close_ int out = openat(blobsfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out < 0)
                return sl_err_sys(err, errno, "blob %s: create", digest);
        int rc = copy_fd(in, out, digest, err);
        if (rc == 0 && (fsync(out) < 0 || renameat(blobsfd, tmp, blobsfd, hex) < 0))
                rc = sl_err_sys(err, errno, "blob %s: write", digest);
        if (rc < 0)
                unlinkat(blobsfd, tmp, 0);
        return rc;
}

static int open_or_make_dir(int at, const char *name, const char *what, sl_error *err)
{
        if (mkdirat(at, name, 0755) < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "%s: create", what);
        int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "%s: open", what);
        return fd;
}

int sl_output_layout(sl_store *s, const char *manifest_digest, const char *dir, const char *ref,
                     sl_error *err)
{
        image_blobs b;
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = collect(s, manifest_digest, &b, err);
        _cleanup_close_ int dfd = -1, blobs = -1, sha = -1;
        oci_index *idx = NULL;
        /* before the first goto: a cleanup variable the jump skipped would be freed uninitialised */
        _cleanup_free_ char *json = NULL;
        if (rc < 0)
                goto out;
        rc = -1;
        if ((dfd = open_or_make_dir(AT_FDCWD, dir, dir, err)) < 0 ||
            (blobs = open_or_make_dir(dfd, "blobs", dir, err)) < 0 ||
            (sha = open_or_make_dir(blobs, "sha256", dir, err)) < 0)
                goto out;
        for (size_t i = b.n; i-- > 0;)  /* layers first, the manifest last */
                if (copy_blob(s, sha, b.digests[i], b.sizes[i], err) < 0) {
                        sl_err_wrap(err, "%s", dir);
                        goto out;
                }
        if (faccessat(dfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                _cleanup_free_ char *data = NULL;
                size_t len;
                _cleanup_free_ char *name = sl_xasprintf("%s/index.json", dir);
                if (sl_read_file_at(dfd, "index.json", &data, &len, err) < 0 ||
                    !(idx = oci_index_parse_data(data, len, name, err)))
                        goto out;
        } else {
                idx = sl_index_new();
        }
        index_put(idx, &b, ref);
        size_t len;
        if (oci_index_generate(idx, 0, &json, &len, err) < 0 ||
            sl_atomic_write_at(dfd, "oci-layout", layout_json, sizeof layout_json - 1, 0644, err) < 0 ||
            sl_atomic_write_at(dfd, "index.json", json, len, 0644, err) < 0) {
                sl_err_wrap(err, "%s", dir);
                goto out;
        }
        rc = 0;
out:
        oci_index_free(idx);
        if (b.digests || b.config)
                image_blobs_free(&b);
        sl_store_release(s);
        return rc;
}

/* ---- oci-archive ---- */

static int tar_fail(struct archive *a, const char *file, sl_error *err)
{
        return sl_err(err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "%s: %s", file,
                      archive_error_string(a) ? archive_error_string(a) : "write failed");
}

static int tar_add(struct archive *a, const char *name, mode_t type, const void *data, int64_t size,
                   int fd, const char *file, sl_error *err)
{
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, name);
        archive_entry_set_filetype(ae, type);
        archive_entry_set_perm(ae, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(ae, type == AE_IFDIR ? 0 : size);
        archive_entry_set_mtime(ae, 0, 0);
        int r = archive_write_header(a, ae);
        archive_entry_free(ae);
        if (r != ARCHIVE_OK)
                return tar_fail(a, file, err);
        if (data && archive_write_data(a, data, (size_t)size) != (la_ssize_t)size)
                return tar_fail(a, file, err);
        if (fd >= 0) {
                char buf[1 << 16];
                int64_t left = size;
                while (left > 0) {
                        ssize_t n = read(fd, buf, sizeof buf);
                        if (n <= 0)
                                return sl_err_sys(err, n < 0 ? errno : EIO, "%s: read blob", file);
                        if (archive_write_data(a, buf, (size_t)n) != n)
                                return tar_fail(a, file, err);
                        left -= n;
                }
        }
        return 0;
}

int sl_output_archive(sl_store *s, const char *manifest_digest, const char *file, const char *ref,
                      sl_error *err)
{
        image_blobs b;
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = collect(s, manifest_digest, &b, err);
        oci_index *idx = NULL;
        struct archive *a = NULL;
        _cleanup_free_ char *json = NULL, *tmp = sl_xasprintf("%s.tmp-%d", file, (int)getpid());
        size_t len;
        if (rc < 0)
                goto out;
        rc = -1;
        idx = sl_index_new();
        index_put(idx, &b, ref);
        if (oci_index_generate(idx, 0, &json, &len, err) < 0)
                goto out;
        a = archive_write_new();
        if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
                tar_fail(a, file, err);
                goto out;
        }
        if (tar_add(a, "blobs/", AE_IFDIR, NULL, 0, -1, file, err) < 0 ||
            tar_add(a, "blobs/sha256/", AE_IFDIR, NULL, 0, -1, file, err) < 0)
                goto out;
        for (size_t i = b.n; i-- > 0;) {
                _cleanup_close_ int fd = sl_store_open_blob(s, b.digests[i], err);
                _cleanup_free_ char *name = sl_xasprintf("blobs/sha256/%s", strchr(b.digests[i], ':') + 1);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0 || tar_add(a, name, AE_IFREG, NULL, st.st_size, fd, file, err) < 0)
                        goto out;
        }
        if (tar_add(a, "index.json", AE_IFREG, json, (int64_t)len, -1, file, err) < 0 ||
            tar_add(a, "oci-layout", AE_IFREG, layout_json, sizeof layout_json - 1, -1, file, err) < 0)
                goto out;
        if (archive_write_close(a) != ARCHIVE_OK) {
                tar_fail(a, file, err);
                goto out;
        }
        if (rename(tmp, file) < 0) {
                sl_err_sys(err, errno, "%s: move into place", file);
                goto out;
        }
        rc = 0;
out:
        if (a)
                archive_write_free(a);
        if (rc < 0)
                unlink(tmp);
        oci_index_free(idx);
        if (b.digests || b.config)
                image_blobs_free(&b);
        sl_store_release(s);
        return rc;
}
