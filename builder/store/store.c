/* Store: opening, locking and blobs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/store/store-internal.h"
#include "common/atomicfile.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

static int open_subdir(int dirfd, const char *root, const char *name, sl_error *err)
{
        if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "%s/%s: create", root, name);
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "%s/%s: open", root, name);
        return fd;
}

static int open_lockfile(sl_store *s, const char *name, sl_error *err)
{
        int fd = openat(s->rootfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return sl_err_sys(err, errno, "%s/%s: open lock file", s->root, name);
        return fd;
}

/* mkdir -p: the store root may be a fresh path like --root /tmp/a/b. */
static int mkdir_parents(const char *root, sl_error *err)
{
        _cleanup_free_ char *p = sl_xstrdup(root);
        for (char *c = p + 1; ; c++) {
                if (*c != '/' && *c)
                        continue;
                char saved = *c;
                *c = 0;
                if (mkdir(p, saved ? 0755 : 0700) < 0 && errno != EEXIST)
                        return sl_err_sys(err, errno, "store %s: create %s", root, p);
                if (!saved)
                        return 0;
                *c = saved;
        }
}

void sl_store_close(sl_store *s)
{
        if (!s)
                return;
        int fds[] = {s->rootfd, s->blobsfd, s->layersfd, s->tmpfd, s->cachefd, s->lockfd, s->indexlockfd};
        for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        free(s->root);
        free(s);
}

int sl_store_open(const char *root, sl_store **out, sl_error *err)
{
        _cleanup_close_ int blobs = -1;
        sl_store *s = sl_xcalloc(1, sizeof *s);
        s->root = sl_xstrdup(root);
        s->rootfd = s->blobsfd = s->layersfd = s->tmpfd = s->cachefd = s->lockfd = s->indexlockfd = -1;
        if (mkdir_parents(root, err) < 0)
                goto fail;
        s->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->rootfd < 0) {
                sl_err_sys(err, errno, "store %s: open", root);
                goto fail;
        }
        blobs = open_subdir(s->rootfd, root, "blobs", err);
        if (blobs < 0 ||
            (s->blobsfd = open_subdir(blobs, root, "sha256", err)) < 0 ||
            (s->layersfd = open_subdir(s->rootfd, root, "layers", err)) < 0 ||
            (s->tmpfd = open_subdir(s->rootfd, root, "tmp", err)) < 0 ||
            (s->cachefd = open_subdir(s->rootfd, root, "cache", err)) < 0 ||
            (s->lockfd = open_lockfile(s, "lock", err)) < 0 ||
            (s->indexlockfd = open_lockfile(s, "index.lock", err)) < 0)
                goto fail;
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        if (faccessat(s->rootfd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
            sl_atomic_write_at(s->rootfd, "oci-layout", layout, sizeof layout - 1, 0644, err) < 0)
                goto fail;
        *out = s;
        return 0;
fail:
        sl_store_close(s);
        return -1;
}

const char *sl_store_root(const sl_store *s) { return s->root; }
int sl_store_dirfd(const sl_store *s) { return s->rootfd; }

int sl_store_hold(sl_store *s, sl_error *err)
{
        if (s->holds == 0 && !s->exclusive) {
                while (flock(s->lockfd, LOCK_SH) < 0)
                        if (errno != EINTR)
                                return sl_err_sys(err, errno, "store %s: lock", s->root);
        }
        s->holds++;
        return 0;
}

void sl_store_release(sl_store *s)
{
        if (s->holds > 0 && --s->holds == 0 && !s->exclusive)
                flock(s->lockfd, LOCK_UN);
}

int sl_store_lock_exclusive(sl_store *s, sl_error *err)
{
        if (s->holds > 0)
                return sl_err(err, EDEADLK, "store %s: cannot lock exclusively while holding it", s->root);
        while (flock(s->lockfd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return sl_err_sys(err, errno, "store %s: lock", s->root);
        s->exclusive = true;
        return 0;
}

void sl_store_unlock_exclusive(sl_store *s)
{
        s->exclusive = false;
        flock(s->lockfd, LOCK_UN);
}

const char *sl_store_blob_hex(const char *digest, sl_error *err)
{
        sl_digest_algo algo;
        const char *hex;
        if (sl_digest_parse(digest, &algo, &hex, err) < 0)
                return NULL;
        if (algo != SL_DIGEST_SHA256) {
                sl_err(err, ENOTSUP, "digest %s: the store keeps sha256 blobs only", digest);
                return NULL;
        }
        return hex;
}

char *sl_store_tmp_name(const char *prefix)
{
        unsigned char r[8];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
                /* never expected; fall back to something still unique */
                static unsigned counter;
                return sl_xasprintf("%s-%d-%u", prefix, (int)getpid(), ++counter);
        }
        return sl_xasprintf("%s-%02x%02x%02x%02x%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3],
                            r[4], r[5], r[6], r[7]);
}

bool sl_store_has_blob(sl_store *s, const char *digest)
{
        const char *hex = sl_store_blob_hex(digest, NULL);
        struct stat st;
        return hex && fstatat(s->blobsfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int sl_store_open_blob(sl_store *s, const char *digest, sl_error *err)
{
        const char *hex = sl_store_blob_hex(digest, err);
        if (!hex)
                return -1;
        int fd = openat(s->blobsfd, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "blob %s", digest);
        return fd;
}

int sl_store_read_blob(sl_store *s, const char *digest, char **data, size_t *len, sl_error *err)
{
        _cleanup_close_ int fd = sl_store_open_blob(s, digest, err);
        if (fd < 0)
                return -1;
        if (sl_read_fd_all(fd, data, len, err) < 0)
                return sl_err_wrap(err, "blob %s", digest);
        return 0;
}

int sl_store_tmpfile(sl_store *s, char **name_out, sl_error *err)
{
        for (int tries = 0; tries < 16; tries++) {
                char *name = sl_store_tmp_name("blob");
                int fd = openat(s->tmpfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        *name_out = name;
                        return fd;
                }
                int e = errno;
                free(name);
                if (e != EEXIST)
                        return sl_err_sys(err, e, "store %s: create a temporary file", s->root);
        }
        return sl_err(err, EEXIST, "store %s: no free temporary name", s->root);
}

void sl_store_discard_tmp(sl_store *s, const char *tmpname)
{
        unlinkat(s->tmpfd, tmpname, 0);
}

int sl_store_commit_tmp(sl_store *s, int fd, const char *tmpname, const char *digest, sl_error *err)
{
        const char *hex = sl_store_blob_hex(digest, err);
        if (!hex)
                goto fail;
        if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
                sl_err_sys(err, errno, "blob %s: sync", digest);
                goto fail;
        }
        /* NOREPLACE: a blob already there has the same bytes; keep it. */
        if (renameat2(s->tmpfd, tmpname, s->blobsfd, hex, RENAME_NOREPLACE) < 0) {
                if (errno != EEXIST) {
                        sl_err_sys(err, errno, "blob %s: move into place", digest);
                        goto fail;
                }
                unlinkat(s->tmpfd, tmpname, 0);
                return 0;
        }
        if (fsync(s->blobsfd) < 0)
                return sl_err_sys(err, errno, "blob %s: sync directory", digest);
        return 0;
fail:
        unlinkat(s->tmpfd, tmpname, 0);
        return -1;
}

int sl_store_put_blob_fd(sl_store *s, int fd, const char *expect, int64_t expect_size,
                         char digest_out[SL_DIGEST_STR_MAX], uint64_t *size_out, sl_error *err)
{
        if (expect && !sl_store_blob_hex(expect, err))
                return -1;
        struct stat have;
        if (expect && fstatat(s->blobsfd, strchr(expect, ':') + 1, &have, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(have.st_mode) && (expect_size < 0 || have.st_size == expect_size)) {
                /* stored already (verified when it was): no need to read fd */
                if (digest_out)
                        snprintf(digest_out, SL_DIGEST_STR_MAX, "%s", expect);
                if (size_out)
                        *size_out = (uint64_t)have.st_size;
                return 0;
        }
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = -1;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int out = sl_store_tmpfile(s, &tmp, err);
        sl_digest_ctx *h = sl_digest_new(SL_DIGEST_SHA256, err);
        _cleanup_free_ char *buf = sl_xmalloc(1u << 20);
        uint64_t size = 0;
        char got[SL_DIGEST_STR_MAX];
        if (out < 0 || !h)
                goto out;
        for (;;) {
                ssize_t n = read(fd, buf, 1u << 20);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        sl_err_sys(err, errno, "read blob");
                        goto discard;
                }
                if (n == 0)
                        break;
                sl_digest_update(h, buf, (size_t)n);
                size += (uint64_t)n;
                if (expect_size >= 0 && size > (uint64_t)expect_size) {
                        sl_err(err, EINVAL, "blob %s: longer than its expected %lld bytes",
                               expect ? expect : "", (long long)expect_size);
                        goto discard;
                }
                if (sl_write_all(out, buf, (size_t)n) < 0) {
                        sl_err_sys(err, errno, "store %s: write blob", s->root);
                        goto discard;
                }
        }
        if (sl_digest_final(h, got, err) < 0)
                goto discard;
        if (expect_size >= 0 && size != (uint64_t)expect_size) {
                sl_err(err, EINVAL, "blob %s: %llu bytes, expected %lld", expect ? expect : got,
                       (unsigned long long)size, (long long)expect_size);
                goto discard;
        }
        if (expect && strcmp(expect, got) != 0) {
                sl_err(err, EINVAL, "blob %s: content hashes to %s", expect, got);
                goto discard;
        }
        if (sl_store_commit_tmp(s, out, tmp, got, err) < 0)
                goto out;
        if (digest_out)
                memcpy(digest_out, got, sizeof got);
        if (size_out)
                *size_out = size;
        rc = 0;
        goto out;
discard:
        sl_store_discard_tmp(s, tmp);
out:
        sl_digest_free(h);
        sl_store_release(s);
        return rc;
}

int sl_store_put_blob_data(sl_store *s, const void *data, size_t len,
                           char digest_out[SL_DIGEST_STR_MAX], sl_error *err)
{
        char got[SL_DIGEST_STR_MAX];
        if (sl_digest_buffer(SL_DIGEST_SHA256, data, len, got, err) < 0)
                return -1;
        if (digest_out)
                memcpy(digest_out, got, sizeof got);
        if (sl_store_has_blob(s, got))
                return 0;
        if (sl_store_hold(s, err) < 0)
                return -1;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = sl_store_tmpfile(s, &tmp, err);
        int rc = -1;
        if (fd >= 0) {
                if (sl_write_all(fd, data, len) < 0) {
                        sl_err_sys(err, errno, "store %s: write blob", s->root);
                        sl_store_discard_tmp(s, tmp);
                } else {
                        rc = sl_store_commit_tmp(s, fd, tmp, got, err);
                }
        }
        sl_store_release(s);
        return rc;
}
