/* The layer differ and blob writer: exact entries, order, types, modes,
 * mtimes, whiteouts, opaque dirs, hardlinks, xattrs and sparse files;
 * byte-identical output for the same tree; digests that match the bytes. */
#include <errno.h>
#include <stdint.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/resource.h>
#include <time.h>

#include "builder/layer/compress.h"
#include "builder/layer/differ.h"
#include "common/digest.h"
#include "tests/unit/layer/layertest.h"

#define EPOCH 5000
#define LONG_NAME "x123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"

static int file_sink(void *ctx, const void *buf, size_t len, sl_error *err)
{
        FILE *f = ctx;
        if (fwrite(buf, 1, len, f) != len)
                return sl_err_sys(err, errno, "write");
        return 0;
}

static void set_mtime(const char *path, time_t t)
{
        struct timespec ts[2] = {{t, 0}, {t, 0}};
        utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

/* An upper dir as overlay leaves it after a RUN. */
static void make_upper(const char *d)
{
        char p[4096], q[4096];
        lt_fmt(p, sizeof p, "%s/etc", d);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/etc/hosts", d);
        lt_write(p, "127.0.0.1 localhost\n", 0644);
        lsetxattr(p, "user.note", "v1", 2, 0);
        lsetxattr(p, "trusted.overlay.origin", "x", 1, 0);  /* overlay's: must be dropped */
        lt_fmt(q, sizeof q, "%s/etc/hosts.link", d);
        link(p, q);
        set_mtime(p, 1000);  /* older than the epoch: kept */
        lt_fmt(p, sizeof p, "%s/etc/new", d);
        lt_write(p, "new\n", 04755);  /* setuid kept */
        chown(p, 1000, 2000);
        chmod(p, 04755);  /* chown cleared setuid */
        lt_fmt(p, sizeof p, "%s/bin", d);
        symlink("usr/bin", p);
        lt_fmt(p, sizeof p, "%s/gone", d);
        mknod(p, S_IFCHR | 0, makedev(0, 0));
        lt_fmt(p, sizeof p, "%s/opq", d);
        mkdir(p, 0700);
        setxattr(p, "trusted.overlay.opaque", "y", 1, 0);
        lt_fmt(p, sizeof p, "%s/opq/keep", d);
        lt_write(p, "k", 0600);
        lt_fmt(p, sizeof p, "%s/sparse", d);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ftruncate(fd, 16 << 20);
        pwrite(fd, "end", 3, (16 << 20) - 3);
        close(fd);
        lt_fmt(p, sizeof p, "%s/fifo", d);
        mkfifo(p, 0640);
        lt_fmt(p, sizeof p, "%s/a.txt", d);  /* "a.txt" sorts before "a/b": '.' < '/' */
        lt_write(p, "a", 0644);
        lt_fmt(p, sizeof p, "%s/a", d);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/a/b", d);
        lt_write(p, "b", 0644);
        lt_fmt(p, sizeof p, "%s/etc/%s", d, LONG_NAME);  /* needs a pax header */
        lt_write(p, "long", 0644);
}

static int diff_to_file(const char *dir, const char *out, bool overlay)
{
        sl_error err = {0};
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        FILE *f = fopen(out, "we");
        sl_diff_opts o = {.overlay = overlay, .clamp_mtime = true, .epoch = EPOCH};
        int r = sl_layer_diff(dfd, &o, file_sink, f, &err);
        if (r < 0)
                diag("diff: %s", err.msg);
        fclose(f);
        close(dfd);
        return r;
}

static void test_entries(const char *upper, const char *tmp)
{
        char tar[4096];
        lt_fmt(tar, sizeof tar, "%s/layer.tar", tmp);
        ok(diff_to_file(upper, tar, true) == 0, "differ writes a tar of the upper dir");
        lt_entry *v;
        size_t n;
        ok(lt_read_tar(tar, &v, &n) == 0, "the tar reads back with libarchive");
        /* bytewise order of the paths as the differ names them */
        const char *sorted[] = {".wh.gone", "a", "a.txt", "a/b", "bin", "etc", "etc/hosts",
                                "etc/hosts.link", "etc/new", "etc/" LONG_NAME, "fifo", "opq",
                                "opq/.wh..wh..opq", "opq/keep", "sparse"};
        is_int(n, sizeof sorted / sizeof *sorted, "one entry per path, the root omitted, no gone/ device");
        bool order = n == sizeof sorted / sizeof *sorted;
        for (size_t i = 0; order && i < n; i++) {
                char p[1100];
                lt_fmt(p, sizeof p, "%s", v[i].path);
                size_t l = strlen(p);
                if (l && p[l - 1] == '/')
                        p[l - 1] = 0;
                if (strcmp(p, sorted[i]) != 0) {
                        diag("entry %zu is %s, want %s", i, p, sorted[i]);
                        order = false;
                }
        }
        ok(order, "entries are sorted bytewise by path");
        lt_entry *e = lt_find(v, n, ".wh.gone");
        ok(e && e->type == AE_IFREG && e->size == 0, "a 0/0 char device becomes a .wh. whiteout file");
        e = lt_find(v, n, "opq/.wh..wh..opq");
        ok(e && e->type == AE_IFREG && e->size == 0, "an opaque dir gets a .wh..wh..opq entry");
        e = lt_find(v, n, "opq/");
        if (!e)
                e = lt_find(v, n, "opq");
        ok(e && e->type == AE_IFDIR && e->perm == 0700, "directories keep type and mode");
        ok(e && !strstr(e->xattrs, "overlay"), "overlay xattrs are not in the layer");
        e = lt_find(v, n, "etc/hosts");
        ok(e && e->mtime == 1000, "an mtime older than the epoch is kept");
        ok(e && strstr(e->xattrs, "user.note=v1;") && !strstr(e->xattrs, "trusted.overlay"),
           "user xattrs are kept, trusted.overlay.* dropped");
        ok(e && !e->has_atime && !e->has_ctime && !e->has_uname, "no atime, ctime, uname or gname");
        e = lt_find(v, n, "etc/hosts.link");
        ok(e && e->hardlink && !strcmp(e->link, "etc/hosts"), "a second link to an inode is a hardlink entry to the first path");
        e = lt_find(v, n, "etc/new");
        ok(e && e->mtime == EPOCH, "a newer mtime is clamped to the epoch");
        ok(e && e->perm == 04755 && e->uid == 1000 && e->gid == 2000, "mode bits and numeric uid/gid are kept");
        e = lt_find(v, n, "bin");
        ok(e && e->type == AE_IFLNK && !strcmp(e->link, "usr/bin"), "symlinks are stored, not followed");
        e = lt_find(v, n, "sparse");
        ok(e && e->size == 16 << 20, "a sparse file keeps its full size");
        e = lt_find(v, n, "etc/" LONG_NAME);
        ok(e && e->size == 4, "a name longer than ustar allows is kept whole (pax)");
        e = lt_find(v, n, "fifo");
        ok(e && e->type == AE_IFIFO && e->perm == 0640, "fifos are kept");
        free(v);

        char plain[4096];
        lt_fmt(plain, sizeof plain, "%s/plain.tar", tmp);
        ok(diff_to_file(upper, plain, false) == 0, "a plain (non-overlay) diff succeeds");
        ok(lt_read_tar(plain, &v, &n) == 0 && lt_find(v, n, "gone") && lt_find(v, n, "gone")->type == AE_IFCHR &&
           !lt_find(v, n, "opq/.wh..wh..opq"),
           "without overlay mode, devices stay devices and no opaque marker is made");
        free(v);
}

static void test_reproducible(const char *upper, const char *tmp)
{
        char t1[4096], t2[4096], copy[4096];
        lt_fmt(t1, sizeof t1, "%s/r1.tar", tmp);
        lt_fmt(t2, sizeof t2, "%s/r2.tar", tmp);
        diff_to_file(upper, t1, true);
        diff_to_file(upper, t2, true);
        ok(lt_system("cmp -s '%s' '%s'", t1, t2) == 0, "the same dir gives byte-identical tars twice");
        /* a copy has other inodes, ctimes and atimes; clamped mtimes hide the rest */
        lt_fmt(copy, sizeof copy, "%s/copy", tmp);
        lt_system("cp -a --sparse=always '%s' '%s'", upper, copy);
        lt_system("touch -d @99999 '%s/etc/new'", copy);
        lt_fmt(t2, sizeof t2, "%s/opq", copy);
        setxattr(t2, "trusted.overlay.opaque", "y", 1, 0);
        lt_fmt(t2, sizeof t2, "%s/r3.tar", tmp);
        diff_to_file(copy, t2, true);
        ok(lt_system("cmp -s '%s' '%s'", t1, t2) == 0, "a copy of the tree (new inodes, times) gives the same tar");
}

/* sha256 of a blob file after decompressing it with libarchive. */
static int hash_decompressed(const char *file, char out[SL_DIGEST_STR_MAX])
{
        struct archive *a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        struct archive_entry *ae;
        if (archive_read_open_filename(a, file, 65536) != ARCHIVE_OK ||
            archive_read_next_header(a, &ae) != ARCHIVE_OK) {
                archive_read_free(a);
                return -1;
        }
        sl_digest_ctx *h = sl_digest_new(SL_DIGEST_SHA256, NULL);
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
                sl_digest_update(h, buf, (size_t)n);
        archive_read_free(a);
        int r = n < 0 ? -1 : sl_digest_final(h, out, NULL);
        sl_digest_free(h);
        return r;
}

typedef struct dir_job {
        int fd;
        sl_diff_opts o;
} dir_job;

static int producer(void *ctx, sl_byte_sink sink, void *sctx, sl_error *err)
{
        dir_job *j = ctx;
        return sl_layer_diff(j->fd, &j->o, sink, sctx, err);
}

static double cpu_secs(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
}

static double last_cpu;

static int write_blob(const char *dir, const char *out, sl_compression c, bool threaded,
                      sl_layer_digests *d, double *secs)
{
        double cpu0 = cpu_secs();
        sl_error err = {0};
        dir_job j = {open(dir, O_RDONLY | O_DIRECTORY), {true, true, EPOCH}};
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        sl_compress_opts co = {.compression = c, .threaded = threaded};
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        int r = sl_layer_write_blob(producer, &j, &co, fd, d, &err);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (secs)
                *secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        last_cpu = cpu_secs() - cpu0;
        if (r < 0)
                diag("write blob: %s", err.msg);
        close(fd);
        close(j.fd);
        return r;
}

static void test_blobs(const char *upper, const char *tmp)
{
        static const char *names[] = {"gzip", "zstd", "none"};
        char t[4096];
        lt_fmt(t, sizeof t, "%s/ref.tar", tmp);
        diff_to_file(upper, t, true);
        char tar_digest[SL_DIGEST_STR_MAX];
        int tfd = open(t, O_RDONLY);
        sl_digest_fd(SL_DIGEST_SHA256, tfd, tar_digest, NULL, NULL);
        close(tfd);
        for (int c = 0; c < 3; c++) {
                char b1[4096], b2[4096];
                sl_layer_digests d1, d2;
                lt_fmt(b1, sizeof b1, "%s/blob-%s-1", tmp, names[c]);
                lt_fmt(b2, sizeof b2, "%s/blob-%s-2", tmp, names[c]);
                ok(write_blob(upper, b1, (sl_compression)c, false, &d1, NULL) == 0, "%s blob written in one thread", names[c]);
                ok(write_blob(upper, b2, (sl_compression)c, true, &d2, NULL) == 0, "%s blob written in two threads", names[c]);
                ok(lt_system("cmp -s '%s' '%s'", b1, b2) == 0, "%s: threaded and single-thread blobs are byte-identical", names[c]);
                char got[SL_DIGEST_STR_MAX];
                uint64_t size;
                int fd = open(b1, O_RDONLY);
                sl_digest_fd(SL_DIGEST_SHA256, fd, got, &size, NULL);
                close(fd);
                is_str(d1.digest, got, "%s: the blob digest is the sha256 of the blob file", names[c]);
                is_int(d1.size, size, "%s: the blob size is the file size", names[c]);
                ok(hash_decompressed(b1, got) == 0, "%s: the blob decompresses", names[c]);
                is_str(d1.diff_id, got, "%s: the diff_id is the sha256 of the decompressed stream", names[c]);
                is_str(d1.diff_id, tar_digest, "%s: the diff_id is the sha256 of the differ's tar", names[c]);
        }
        /* gzip header: no name, mtime 0 (bytes 4..7), so it is reproducible */
        lt_fmt(t, sizeof t, "%s/blob-gzip-1", tmp);
        FILE *f = fopen(t, "rb");
        unsigned char h[10] = {0};
        fread(h, 1, 10, f);
        fclose(f);
        ok(h[0] == 0x1f && h[1] == 0x8b && h[3] == 0 && !h[4] && !h[5] && !h[6] && !h[7],
           "the gzip header has no name and mtime 0");
}

static void test_redirect_refused(const char *tmp)
{
        char dir[4096], p[4096], tar[4096];
        lt_fmt(dir, sizeof dir, "%s/redir", tmp);
        lt_fmt(tar, sizeof tar, "%s/redir.tar", tmp);
        mkdir(dir, 0755);
        lt_fmt(p, sizeof p, "%s/moved", dir);
        mkdir(p, 0755);
        setxattr(p, "trusted.overlay.redirect", "/orig", 5, 0);
        ok(diff_to_file(dir, tar, true) < 0, "an upper dir with a redirected (renamed) dir is refused");
}

static void test_empty(const char *tmp)
{
        char dir[4096], tar[4096];
        lt_fmt(dir, sizeof dir, "%s/empty", tmp);
        lt_fmt(tar, sizeof tar, "%s/empty.tar", tmp);
        mkdir(dir, 0755);
        ok(diff_to_file(dir, tar, true) == 0, "an empty upper dir gives a tar");
        lt_entry *v = NULL;
        size_t n = 99;
        struct stat st;
        ok(lt_read_tar(tar, &v, &n) == 0 && n == 0 && stat(tar, &st) == 0 && st.st_size == 1024,
           "with no entries: just the two end blocks");
        free(v);
}

/* Not a pass/fail check: the numbers go into the report. */
static void measure(const char *tmp)
{
        char dir[4096], p[4096];
        lt_fmt(dir, sizeof dir, "%s/big", tmp);
        mkdir(dir, 0755);
        /* ~96 MiB of real binaries and libraries, as a layer would hold */
        lt_system("cd '%s' && cat /usr/bin/* /usr/lib/x86_64-linux-gnu/*.so* 2>/dev/null | head -c 100663296 | "
                  "split -b 4194304 - f", dir);
        char many[4096];
        lt_fmt(many, sizeof many, "%s/many", tmp);
        mkdir(many, 0755);
        lt_system("cd '%s' && for d in $(seq 0 99); do mkdir d$d; for f in $(seq 0 199); do echo $d.$f > d$d/f$f; done; done", many);
        static const char *names[] = {"gzip", "zstd", "none"};
        for (int c = 0; c < 3; c++) {
                double s1 = 0, s2 = 0;
                sl_layer_digests d;
                lt_fmt(p, sizeof p, "%s/m-many-%s", tmp, names[c]);
                write_blob(many, p, (sl_compression)c, false, &d, &s1);
                write_blob(many, p, (sl_compression)c, true, &d, &s2);
                diag("measure 20000 files %s: %.1f MiB tar -> %.2f MiB blob; 1 thread %.3f s, 2 threads %.3f s",
                     names[c], d.tar_size / 1048576.0, d.size / 1048576.0, s1, s2);
        }
        for (int c = 0; c < 3; c++) {
                double s1 = 0, s2 = 0;
                sl_layer_digests d;
                char p2[4096];
                lt_fmt(p, sizeof p, "%s/m-%s-1", tmp, names[c]);
                lt_fmt(p2, sizeof p2, "%s/m-%s-2", tmp, names[c]);
                write_blob(dir, p, (sl_compression)c, false, &d, &s1);
                double c1 = last_cpu;
                write_blob(dir, p2, (sl_compression)c, true, &d, &s2);
                unlink(p);
                unlink(p2);
                diag("measure %s: %.1f MiB tar -> %.1f MiB blob; 1 thread %.3f s (cpu %.3f), "
                     "threaded %.3f s (cpu %.3f, cpu/wall %.2f): %.2fx",
                     names[c], d.tar_size / 1048576.0, d.size / 1048576.0, s1, c1, s2, last_cpu,
                     s2 > 0 ? last_cpu / s2 : 0, s2 > 0 ? s1 / s2 : 0);
        }
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root (mknod, trusted xattrs)\n");
                return 0;
        }
        char *tmp = lt_mkdtemp("differ");
        char upper[4096];
        lt_fmt(upper, sizeof upper, "%s/upper", tmp);
        mkdir(upper, 0755);
        make_upper(upper);
        test_entries(upper, tmp);
        test_reproducible(upper, tmp);
        test_blobs(upper, tmp);
        test_empty(tmp);
        test_redirect_refused(tmp);
        if (getenv("SLOIKA_MEASURE"))
                measure(tmp);
        lt_rm_rf(tmp);
        free(tmp);
        return tap_done();
}
