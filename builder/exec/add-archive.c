#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/exec/add-archive.h"
#include "builder/layer/apply.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/path.h"
#include "common/pathclean.h"
#include "common/xalloc.h"

static const unsigned char xz_magic[] = {0xfd, '7', 'z', 'X', 'Z', 0};

/* bzip2 and xz, which the layer applier does not read, are inflated here. */
static bool needs_inflate(const unsigned char *b, ssize_t n)
{
        return (n >= 3 && !memcmp(b, "BZh", 3)) || (n >= 6 && !memcmp(b, xz_magic, 6));
}

bool sl_add_is_archive(int fd)
{
        unsigned char b[512];
        ssize_t n = pread(fd, b, sizeof b, 0);
        bool compressed = (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || needs_inflate(b, n) ||
                          (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd);
        if (!compressed)
                return n == 512 && !memcmp(b + 257, "ustar", 5);
        /* A compressed file is unpacked only when it holds a tar, as
         * Docker does: data.json.gz is copied as it is. */
        if (lseek(fd, 0, SEEK_SET) < 0)
                return false;
        struct archive *a = archive_read_new();
        struct archive_entry *ae;
        bool tar = a && archive_read_support_filter_all(a) == ARCHIVE_OK &&
                   archive_read_support_format_tar(a) == ARCHIVE_OK && archive_read_open_fd(a, fd, 65536) == ARCHIVE_OK &&
                   archive_read_next_header(a, &ae) == ARCHIVE_OK;
        if (a)
                archive_read_free(a);
        return tar;
}

typedef struct inflater {
        int in, out;
        int rc;
        sl_error err;
} inflater;

static void *inflate_thread(void *arg)
{
        inflater *z = arg;
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);  /* a reader that stops early gives EPIPE, not a signal */
        pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
        struct archive *a = archive_read_new();
        struct archive_entry *ae;
        z->rc = -1;
        if (!a || archive_read_support_filter_bzip2(a) != ARCHIVE_OK || archive_read_support_filter_xz(a) != ARCHIVE_OK ||
            archive_read_support_format_raw(a) != ARCHIVE_OK || archive_read_open_fd(a, z->in, 65536) != ARCHIVE_OK ||
            archive_read_next_header(a, &ae) != ARCHIVE_OK) {
                sl_err(&z->err, EINVAL, "%s", a && archive_error_string(a) ? archive_error_string(a) : "cannot read");
                goto out;
        }
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
                if (sl_write_all(z->out, buf, (size_t)n) < 0) {
                        sl_err_sys(&z->err, errno, "inflate");
                        goto out;
                }
        if (n < 0) {
                sl_err(&z->err, EINVAL, "%s", archive_error_string(a) ? archive_error_string(a) : "bad data");
                goto out;
        }
        z->rc = 0;
out:
        close(z->out);
        if (a)
                archive_read_free(a);
        return NULL;
}

static int apply(int fd, int destfd, const char *name, sl_error *err)
{
        sl_apply_opts ao = {.layer_name = name, .whiteouts = SL_WHITEOUT_APPLY};
        if (sl_layer_apply(fd, destfd, &ao, NULL, err) < 0)
                return sl_err_wrap(err, "ADD %s", name);
        return 0;
}

static int apply_inflated(int fd, int destfd, const char *name, sl_error *err)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return sl_err_sys(err, errno, "ADD %s: pipe", name);
        inflater z = {.in = fd, .out = p[1]};
        pthread_t t;
        if (pthread_create(&t, NULL, inflate_thread, &z) != 0) {
                close(p[0]);
                close(p[1]);
                return sl_err(err, EAGAIN, "ADD %s: cannot start a thread", name);
        }
        int rc = apply(p[0], destfd, name, err);
        close(p[0]);
        pthread_join(t, NULL);
        if (rc == 0 && z.rc < 0) {
                *err = z.err;
                return sl_err_wrap(err, "ADD %s: decompress", name);
        }
        return rc;
}

/* Gives every entry the archive names uid:gid (a second, header-only pass). */
static int chown_entries(int fd, int destfd, const char *name, uint32_t uid, uint32_t gid, sl_error *err)
{
        if (lseek(fd, 0, SEEK_SET) < 0)
                return sl_err_sys(err, errno, "ADD %s: rewind", name);
        struct archive *a = archive_read_new();
        struct archive_entry *ae;
        int rc = 0, r;
        if (!a || archive_read_support_filter_all(a) != ARCHIVE_OK || archive_read_support_format_tar(a) != ARCHIVE_OK ||
            archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
                rc = sl_err(err, EINVAL, "ADD %s: %s", name, a && archive_error_string(a) ? archive_error_string(a) : "cannot read");
                goto out;
        }
        while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
                const char *path = archive_entry_pathname(ae);
                const char *base = path ? strrchr(path, '/') : NULL;
                if (!path || !strncmp(base ? base + 1 : path, ".wh.", 4))
                        continue;
                _cleanup_free_ char *clean = sl_path_clean_abs(path);
                if (!strcmp(clean, "/"))
                        continue;
                _cleanup_close_ int efd = sl_openat_in_root(destfd, clean + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, NULL);
                if (efd < 0)
                        continue;  /* replaced by a later entry, or not made */
                if (fchownat(efd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
                        rc = sl_err_sys(err, errno, "ADD %s: chown %s", name, clean);
                        goto out;
                }
        }
        if (r != ARCHIVE_EOF)
                rc = sl_err(err, EINVAL, "ADD %s: %s", name, archive_error_string(a) ? archive_error_string(a) : "bad archive");
out:
        if (a)
                archive_read_free(a);
        return rc;
}

int sl_add_extract(int fd, int destfd, const char *name, bool chown, uint32_t uid, uint32_t gid, sl_error *err)
{
        unsigned char b[6];
        ssize_t n = pread(fd, b, sizeof b, 0);
        int rc = needs_inflate(b, n) ? apply_inflated(fd, destfd, name, err) : apply(fd, destfd, name, err);
        if (rc == 0 && chown)
                rc = chown_entries(fd, destfd, name, uid, gid, err);
        return rc;
}
