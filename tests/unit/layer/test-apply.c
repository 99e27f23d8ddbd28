/* The layer applier against well-formed and hostile tars: every attack is
 * rejected or contained with an error naming the layer and the entry, and
 * nothing outside the target dir changes. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "builder/layer/apply.h"
#include "tests/unit/layer/layertest.h"

static char *sandbox;  /* holds target/ and outside/ */
static char target[4096], outside[4096];

typedef struct spec {
        char type;          /* f file, d dir, l symlink, h hardlink, c chardev, z zeros */
        const char *path;
        const char *data;   /* file content, or link target */
        mode_t mode;
        long long size;     /* z: bytes of zeros */
        unsigned dmaj, dmin;
} spec;

static void make_tar(const char *file, const spec *s, size_t n, const char *filter)
{
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (filter && !strcmp(filter, "gzip"))
                archive_write_add_filter_gzip(a);
        if (filter && !strcmp(filter, "gzip2")) {
                archive_write_add_filter_gzip(a);
                archive_write_add_filter_gzip(a);
        }
        if (archive_write_open_filename(a, file) != ARCHIVE_OK) {
                diag("tar %s: %s", file, archive_error_string(a));
                exit(99);
        }
        static char zeros[1 << 16];
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *ae = archive_entry_new();
                archive_entry_set_pathname(ae, s[i].path);
                archive_entry_set_perm(ae, s[i].mode ? s[i].mode : 0644);
                archive_entry_set_mtime(ae, 1234567, 0);
                archive_entry_set_uid(ae, 0);
                archive_entry_set_gid(ae, 0);
                switch (s[i].type) {
                case 'd': archive_entry_set_filetype(ae, AE_IFDIR); break;
                case 'l': archive_entry_set_filetype(ae, AE_IFLNK); archive_entry_set_symlink(ae, s[i].data); break;
                case 'h': archive_entry_set_filetype(ae, AE_IFREG); archive_entry_set_hardlink(ae, s[i].data); break;
                case 'c': archive_entry_set_filetype(ae, AE_IFCHR);
                        archive_entry_set_rdevmajor(ae, s[i].dmaj); archive_entry_set_rdevminor(ae, s[i].dmin); break;
                case 'z': archive_entry_set_filetype(ae, AE_IFREG); archive_entry_set_size(ae, s[i].size); break;
                default: archive_entry_set_filetype(ae, AE_IFREG);
                        archive_entry_set_size(ae, s[i].data ? (la_int64_t)strlen(s[i].data) : 0);
                }
                archive_write_header(a, ae);
                if (s[i].type == 'f' && s[i].data)
                        archive_write_data(a, s[i].data, strlen(s[i].data));
                for (long long left = s[i].type == 'z' ? s[i].size : 0; left > 0;) {
                        size_t k = left < (long long)sizeof zeros ? (size_t)left : sizeof zeros;
                        archive_write_data(a, zeros, k);
                        left -= (long long)k;
                }
                archive_entry_free(ae);
        }
        archive_write_close(a);
        archive_write_free(a);
}

static int apply_file(const char *file, const sl_apply_opts *o, sl_error *err)
{
        int fd = open(file, O_RDONLY);
        int tfd = open(target, O_RDONLY | O_DIRECTORY);
        int r = sl_layer_apply(fd, tfd, o, NULL, err);
        close(fd);
        close(tfd);
        return r;
}

static char *listing(const char *dir)
{
        char cmd[8192], *out = calloc(1, 1 << 16);
        lt_fmt(cmd, sizeof cmd, "cd '%s' && find . -printf '%%p %%y %%m %%s %%T@\\n' | sort", dir);
        FILE *p = popen(cmd, "r");
        size_t n = fread(out, 1, (1 << 16) - 1, p);
        out[n] = 0;
        pclose(p);
        return out;
}

static void reset(void)
{
        lt_system("rm -rf '%s' && mkdir '%s'", target, target);
}

/* Applies the specs as a layer and expects an error containing want;
 * checks outside/ did not change. */
static void expect_reject(const char *name, const spec *s, size_t n, const char *filter,
                          const sl_apply_opts *o, const char *want)
{
        char file[4096];
        lt_fmt(file, sizeof file, "%s/in.tar", sandbox);
        make_tar(file, s, n, filter);
        reset();
        char *before = listing(outside);
        sl_error err = {0};
        sl_apply_opts def = {.layer_name = "sha256:test"};
        int r = apply_file(file, o ? o : &def, &err);
        ok(r < 0 && strstr(err.msg, want), "%s: rejected (%s)", name, err.msg);
        if (r == 0 || !strstr(err.msg, want))
                diag("want an error containing \"%s\"", want);
        char *after = listing(outside);
        ok(!strcmp(before, after), "%s: nothing outside the target changed", name);
        free(before);
        free(after);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_good_layer(void)
{
        char file[4096], p[4096];
        lt_fmt(file, sizeof file, "%s/good.tar.gz", sandbox);
        spec s[] = {
                {'d', "etc", NULL, 0755, 0, 0, 0},
                {'f', "etc/hosts", "hello\n", 0640, 0, 0, 0},
                {'h', "etc/hosts.hard", "etc/hosts", 0, 0, 0, 0},
                {'l', "bin", "usr/bin", 0777, 0, 0, 0},
                {'f', "/abs/file", "contained", 0600, 0, 0, 0},
                {'f', "a/../b/./c", "cleaned", 0644, 0, 0, 0},
                {'z', "sparse", NULL, 0644, 8 << 20, 0, 0},
                {'f', ".wh.old", NULL, 0, 0, 0, 0},
                {'f', "od/.wh..wh..opq", NULL, 0, 0, 0, 0},
                {'f', "od/new", "n", 0644, 0, 0, 0},
                {'d', ".wh..wh.plnk", NULL, 0700, 0, 0, 0},
                {'f', ".wh..wh.plnk/123.456", "aufs", 0644, 0, 0, 0},
        };
        make_tar(file, s, N(s), "gzip");
        reset();
        lt_fmt(p, sizeof p, "%s/old", target);
        lt_write(p, "old", 0644);
        lt_fmt(p, sizeof p, "%s/od", target);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/od/lower", target);
        lt_write(p, "lower", 0644);
        sl_error err = {0};
        sl_apply_opts o = {.layer_name = "sha256:good"};
        int tfd = open(target, O_RDONLY | O_DIRECTORY), fd = open(file, O_RDONLY);
        sl_apply_result res;
        int r = sl_layer_apply(fd, tfd, &o, &res, &err);
        close(fd);
        close(tfd);
        ok(r == 0, "a well-formed gzip layer applies%s%s", err.msg[0] ? ": " : "", err.msg);
        is_int(res.entries, N(s), "every entry is counted");
        struct stat st, st2;
        lt_fmt(p, sizeof p, "%s/etc/hosts", target);
        char *c = lt_read(p);
        ok(c && !strcmp(c, "hello\n") && stat(p, &st) == 0 && (st.st_mode & 07777) == 0640 &&
           st.st_mtime == 1234567, "file content, mode and mtime are restored");
        free(c);
        lt_fmt(p, sizeof p, "%s/etc/hosts.hard", target);
        ok(stat(p, &st2) == 0 && st2.st_ino == st.st_ino, "a hardlink shares the inode of its target");
        lt_fmt(p, sizeof p, "%s/etc", target);
        ok(stat(p, &st) == 0 && st.st_mtime == 1234567, "directory mtimes survive later entries");
        lt_fmt(p, sizeof p, "%s/bin", target);
        char l[64] = {0};
        ok(readlink(p, l, sizeof l - 1) > 0 && !strcmp(l, "usr/bin"), "symlinks are restored as symlinks");
        lt_fmt(p, sizeof p, "%s/abs/file", target);
        ok(access(p, F_OK) == 0, "an absolute name lands inside the target");
        lt_fmt(p, sizeof p, "%s/b/c", target);
        ok(access(p, F_OK) == 0, "a name with an inner \"..\" is cleaned lexically");
        lt_fmt(p, sizeof p, "%s/sparse", target);
        ok(stat(p, &st) == 0 && st.st_size == 8 << 20 && st.st_blocks * 512 < (1 << 20),
           "zero runs become holes: 8 MiB of zeros use %lld bytes on disk", (long long)st.st_blocks * 512);
        lt_fmt(p, sizeof p, "%s/old", target);
        ok(access(p, F_OK) < 0 && errno == ENOENT, "a .wh. whiteout removes the file");
        lt_fmt(p, sizeof p, "%s/od/lower", target);
        ok(access(p, F_OK) < 0, "an opaque marker removes the dir's lower content");
        lt_fmt(p, sizeof p, "%s/od/new", target);
        ok(access(p, F_OK) == 0, "an opaque marker keeps what the same layer added");
        ok(res.diff_id[0] && !strncmp(res.diff_id, "sha256:", 7), "the diff_id is computed while applying");
        lt_fmt(p, sizeof p, "%s/.wh..wh.plnk", target);
        ok(access(p, F_OK) < 0, "AUFS .wh..wh.* bookkeeping entries are skipped");

        /* the same layer in overlay form */
        reset();
        o.whiteouts = SL_WHITEOUT_OVERLAY;
        ok(apply_file(file, &o, &err) == 0, "the layer applies in overlay whiteout form");
        lt_fmt(p, sizeof p, "%s/old", target);
        ok(lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0),
           "a whiteout becomes a 0/0 char device");
        lt_fmt(p, sizeof p, "%s/od", target);
        char v[4] = {0};
        ok(getxattr(p, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y',
           "an opaque marker becomes trusted.overlay.opaque=y");

        o.whiteouts = SL_WHITEOUT_APPLY;
        o.expect_diff_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        reset();
        ok(apply_file(file, &o, &err) < 0 && strstr(err.msg, "diff_id says"), "a diff_id mismatch is an error (%s)", err.msg);
}

static void test_hostile(void)
{
        char secret[4096], evil[4096];
        lt_fmt(secret, sizeof secret, "%s/secret", outside);
        lt_fmt(evil, sizeof evil, "%s/../secret", outside);
        spec dotdot[] = {{'f', "../escape", "x", 0, 0, 0, 0}};
        expect_reject("../ name", dotdot, 1, NULL, NULL, "layer sha256:test: entry \"../escape\": path escapes the root");
        spec deep[] = {{'f', "a/b/../../../../outside/x", "x", 0, 0, 0, 0}};
        expect_reject("deep ../ name", deep, 1, NULL, NULL, "path escapes the root");
        spec sym_dir[] = {{'l', "link", outside, 0777, 0, 0, 0}, {'f', "link/pwned", "x", 0, 0, 0, 0}};
        expect_reject("write through a symlinked dir", sym_dir, 2, NULL, NULL, "is a symlink or not a directory");
        spec sym_rel[] = {{'l', "up", "../../../../..", 0777, 0, 0, 0}, {'d', "up/tmp", NULL, 0755, 0, 0, 0}};
        expect_reject("write through a relative symlink", sym_rel, 2, NULL, NULL, "is a symlink");
        spec hl_out[] = {{'h', "hl", "../outside/secret", 0, 0, 0, 0}};
        expect_reject("hardlink outside", hl_out, 1, NULL, NULL,
                      "entry \"hl\": hardlink target \"../outside/secret\": path escapes the root");
        spec hl_abs[] = {{'h', "hl", secret, 0, 0, 0, 0}};
        expect_reject("hardlink to an absolute host path", hl_abs, 1, NULL, NULL, "which this layer has not extracted");
        spec hl_sym[] = {{'l', "s", secret, 0777, 0, 0, 0}, {'h', "hl", "s", 0, 0, 0, 0}};
        expect_reject("hardlink to a symlink", hl_sym, 2, NULL, NULL, "is not a regular file");
        spec wh_out[] = {{'f', "../.wh.secret", NULL, 0, 0, 0, 0}};
        expect_reject("whiteout outside", wh_out, 1, NULL, NULL, "path escapes the root");
        spec wh_sym[] = {{'l', "s", outside, 0777, 0, 0, 0}, {'f', "s/.wh.secret", NULL, 0, 0, 0, 0}};
        expect_reject("whiteout through a symlink", wh_sym, 2, NULL, NULL, "is a symlink");
        spec wh_dot[] = {{'f', "d/.wh..", NULL, 0, 0, 0, 0}};
        expect_reject("whiteout of ..", wh_dot, 1, NULL, NULL, "whiteout names no file");
        spec dev[] = {{'c', "null", NULL, 0666, 0, 1, 3}};
        expect_reject("device node", dev, 1, NULL, NULL, "device nodes are not allowed");
        char longname[PATH_MAX + 64];
        memset(longname, 'a', sizeof longname - 1);
        longname[sizeof longname - 1] = 0;
        for (size_t i = 200; i < sizeof longname - 1; i += 201)
                longname[i] = '/';
        spec lng[] = {{'f', longname, "x", 0, 0, 0, 0}};
        expect_reject("over-long name", lng, 1, NULL, NULL, "name longer than");
        char comp[NAME_MAX + 10];
        memset(comp, 'b', sizeof comp - 1);
        comp[sizeof comp - 1] = 0;
        spec lcomp[] = {{'f', comp, "x", 0, 0, 0, 0}};
        expect_reject("over-long component", lcomp, 1, NULL, NULL, "component is longer than");
        spec nested[] = {{'f', "f", "x", 0, 0, 0, 0}};
        expect_reject("gzip inside gzip", nested, 1, "gzip2", NULL, "nested compression");
        /* a symlink planted, then a file of the same name: replaced, not written through */
        spec replace[] = {{'l', "s", secret, 0777, 0, 0, 0}, {'f', "s", "mine", 0644, 0, 0, 0}};
        char file[4096], p[4096];
        lt_fmt(file, sizeof file, "%s/in.tar", sandbox);
        make_tar(file, replace, 2, NULL);
        reset();
        sl_error err = {0};
        sl_apply_opts o = {.layer_name = "sha256:test"};
        ok(apply_file(file, &o, &err) == 0, "a file over a planted symlink applies");
        char *c = lt_read(secret);
        ok(c && !strcmp(c, "secret"), "the symlink's target outside is untouched");
        free(c);
        lt_fmt(p, sizeof p, "%s/s", target);
        c = lt_read(p);
        struct stat st;
        ok(c && !strcmp(c, "mine") && lstat(p, &st) == 0 && S_ISREG(st.st_mode), "the symlink was replaced by the file");
        free(c);
        (void)evil;
        /* devices are fine when allowed */
        make_tar(file, dev, 1, NULL);
        reset();
        o.allow_devices = true;
        lt_fmt(p, sizeof p, "%s/null", target);
        ok(apply_file(file, &o, &err) == 0 && lstat(p, &st) == 0 && S_ISCHR(st.st_mode) &&
           st.st_rdev == makedev(1, 3), "device nodes are made when explicitly allowed");
}

/* Rewrites the octal size field of the first header and its checksum. */
static void patch_size(const char *file, unsigned long long size)
{
        int fd = open(file, O_RDWR);
        unsigned char h[512];
        pread(fd, h, 512, 0);
        char f[13];
        snprintf(f, sizeof f, "%011llo", size);
        memcpy(h + 124, f, 12);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
                sum += h[i];
        snprintf(f, sizeof f, "%06o", sum);
        memcpy(h + 148, f, 7);
        h[155] = ' ';
        pwrite(fd, h, 512, 0);
        close(fd);
}

static void expect_file_reject(const char *name, const char *file, const sl_apply_opts *o, const char *want)
{
        reset();
        char *before = listing(outside);
        sl_error err = {0};
        ok(apply_file(file, o, &err) < 0 && strstr(err.msg, want), "%s: rejected (%s)", name, err.msg);
        char *after = listing(outside);
        ok(!strcmp(before, after), "%s: nothing outside the target changed", name);
        free(before);
        free(after);
}

static void test_broken_streams(void)
{
        char file[4096];
        sl_apply_opts o = {.layer_name = "sha256:broken"};
        lt_fmt(file, sizeof file, "%s/trunc.tar.gz", sandbox);
        spec big[] = {{'z', "big", NULL, 0644, 1 << 20, 0, 0}, {'f', "after", "x", 0, 0, 0, 0}};
        make_tar(file, big, 2, "gzip");
        struct stat st;
        stat(file, &st);
        truncate(file, st.st_size / 2);
        expect_file_reject("truncated gzip stream", file, &o, "layer sha256:broken");

        lt_fmt(file, sizeof file, "%s/trunc.tar", sandbox);
        make_tar(file, big, 2, NULL);
        truncate(file, 512 + 4096);
        expect_file_reject("truncated plain stream", file, &o, "entry \"big\"");

        spec two[] = {{'f', "first", "0123456789012345678901234567890123456789", 0, 0, 0, 0},
                      {'f', "second", "y", 0, 0, 0, 0}};
        lt_fmt(file, sizeof file, "%s/lie-small.tar", sandbox);
        make_tar(file, two, 2, NULL);
        patch_size(file, 600);  /* says more than there is: eats the next header */
        expect_file_reject("size larger than the data", file, &o, "layer sha256:broken");
        lt_fmt(file, sizeof file, "%s/lie-huge.tar", sandbox);
        make_tar(file, two, 2, NULL);
        patch_size(file, 1ull << 32);
        expect_file_reject("size far beyond the stream", file, &o, "layer sha256:broken");

        lt_fmt(file, sizeof file, "%s/bomb.tar.gz", sandbox);
        spec bomb[] = {{'z', "zeros", NULL, 0644, 200ll << 20, 0, 0}};
        make_tar(file, bomb, 1, "gzip");
        stat(file, &st);
        diag("bomb: %lld compressed bytes for 200 MiB", (long long)st.st_size);
        sl_apply_opts cap = {.layer_name = "sha256:bomb", .max_bytes = 32 << 20};
        expect_file_reject("gzip bomb over the size cap", file, &cap, "decompressed size exceeds");
        sl_apply_opts ratio = {.layer_name = "sha256:bomb", .max_ratio = 100};
        expect_file_reject("gzip bomb over the ratio cap", file, &ratio, "decompression ratio exceeds");

        lt_fmt(file, sizeof file, "%s/garbage", sandbox);
        lt_write(file, "this is not a tar archive at all, just some text that goes on\n", 0644);
        expect_file_reject("garbage input", file, &o, "layer sha256:broken");
        lt_write(file, "", 0644);
        expect_file_reject("empty input", file, &o, "layer sha256:broken");
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root (chown, mknod, trusted xattrs)\n");
                return 0;
        }
        sandbox = lt_mkdtemp("apply");
        lt_fmt(target, sizeof target, "%s/target", sandbox);
        lt_fmt(outside, sizeof outside, "%s/outside", sandbox);
        mkdir(outside, 0755);
        char p[4096];
        lt_fmt(p, sizeof p, "%s/secret", outside);
        lt_write(p, "secret", 0644);
        test_good_layer();
        test_hostile();
        test_broken_streams();
        lt_rm_rf(sandbox);
        free(sandbox);
        return tap_done();
}
