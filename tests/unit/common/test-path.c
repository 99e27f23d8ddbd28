/* In-root resolution: nothing reached through sl_*_in_root may be outside
 * the root, whatever "..", absolute or relative symlinks the tree holds.
 * Every case runs twice: through openat2 and through the userspace walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/path.h"
#include "tests/unit/tap.h"
#include "tests/unit/common/testutil.h"

static char top[PATH_MAX];   /* scratch dir; holds root/ and decoys outside it */
static char root[PATH_MAX];
static int rootfd = -1;
static const char *mode_name;

static void at(char *buf, const char *base, const char *rel)
{
        tu_fmt(buf, PATH_MAX, "%s/%s", base, rel);
}

static void mk(const char *base, const char *rel, const char *content)
{
        char p[PATH_MAX];
        at(p, base, rel);
        if (content ? tu_write(p, content) : mkdir(p, 0755)) {
                perror(p);
                exit(99);
        }
}

static void ln(const char *target, const char *rel)
{
        char p[PATH_MAX];
        at(p, root, rel);
        if (symlink(target, p) < 0) {
                perror(p);
                exit(99);
        }
}

static bool exists(const char *base, const char *rel)
{
        char p[PATH_MAX];
        struct stat st;
        at(p, base, rel);
        return lstat(p, &st) == 0;
}

static bool is_same(int fd, const char *base, const char *rel)
{
        char p[PATH_MAX];
        struct stat a, b;
        at(p, base, rel);
        return fd >= 0 && fstat(fd, &a) == 0 && lstat(p, &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

static void setup(void)
{
        tu_fmt(top, sizeof top, "%s", tu_mkdtemp());
        at(root, top, "root");
        mk(top, "root", NULL);
        /* Decoys outside the root, where an escape would land. */
        mk(top, "etc", NULL);
        mk(top, "etc/passwd", "OUTSIDE");
        mk(top, "outside", NULL);
        mk(top, "outside/secret", "OUTSIDE");

        mk(root, "etc", NULL);
        mk(root, "etc/passwd", "inside");
        mk(root, "dir", NULL);
        mk(root, "dir/sub", NULL);
        ln("/etc/passwd", "dir/abs");
        ln("../../etc/passwd", "dir/rel");            /* climbs out of root/ if not clamped */
        ln("../../../../../../../../etc/passwd", "dir/deep");
        ln("/", "dir/slash");
        ln("loop2", "loop1");
        ln("loop1", "loop2");
        ln("self", "self");
        ln("etc/passwd", "last");
        ln("/missing/dir", "dir/dangling");
        ln("/made/by-mkdirs", "dir/dangling_mk");
        ln("/etc/made-by-link", "dir/dangling_file");
        char host_outside[PATH_MAX];
        at(host_outside, top, "outside");
        ln(host_outside, "escape_abs");                /* the host path of a dir outside */
        ln("../..", "escape_rel");
        /* A chain of exactly 40 links resolves; one more must not. */
        ln("etc/passwd", "chain0");
        for (int i = 1; i <= 40; i++) {
                char t[32], l[32];
                tu_fmt(t, sizeof t, "chain%d", i - 1);
                tu_fmt(l, sizeof l, "chain%d", i);
                ln(t, l);
        }
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int open_in(const char *path, int flags, sl_error *err)
{
        sl_err_clear(err);
        return sl_openat_in_root(rootfd, path, flags, 0644, err);
}

static void expect_inside(const char *path)
{
        sl_error err = { 0 };
        char buf[64];
        int fd = open_in(path, O_RDONLY, &err);
        const char *got = fd >= 0 ? tu_read_fd(fd, buf, sizeof buf) : err.msg;
        is_str(got, "inside", "[%s] \"%s\" resolves to the file inside the root", mode_name, path);
        if (fd >= 0)
                close(fd);
}

static void expect_errno(const char *path, int flags, int want, const char *why)
{
        sl_error err = { 0 };
        int fd = open_in(path, flags, &err);
        ok(fd < 0 && err.code == want, "[%s] \"%s\" fails with %s (%s)", mode_name, path,
           strerror(want), why);
        if (fd >= 0)
                close(fd);
        else
                ok(strstr(err.msg, path) != NULL, "[%s]   the error names the path: %s", mode_name, err.msg);
}

static void test_open(void)
{
        expect_inside("etc/passwd");
        expect_inside("/etc/passwd");
        expect_inside("../etc/passwd");
        expect_inside("../../../etc/passwd");
        expect_inside("dir/../../etc/passwd");
        expect_inside("dir/sub/../../../../etc/passwd");
        expect_inside("./dir/./sub/../../etc//passwd");
        expect_inside("dir/abs");
        expect_inside("dir/rel");
        expect_inside("dir/deep");
        expect_inside("dir/slash/etc/passwd");
        expect_inside("dir/slash/../../etc/passwd");
        expect_inside("last");
        expect_inside("chain39");
        expect_errno("chain40", O_RDONLY, ELOOP, "41 links in a row");
}

static void test_errors(void)
{
        expect_errno("loop1", O_RDONLY, ELOOP, "a two-link cycle");
        expect_errno("self", O_RDONLY, ELOOP, "a link to itself");
        expect_errno("loop1/x", O_RDONLY, ELOOP, "a cycle in the middle");
        expect_errno("no-such-file", O_RDONLY, ENOENT, "a missing file");
        expect_errno("etc/passwd/x", O_RDONLY, ENOTDIR, "a file used as a directory");
        expect_errno("etc/passwd/", O_RDONLY, ENOTDIR, "a trailing slash on a file");
        expect_errno("dir/dangling", O_RDONLY, ENOENT, "a dangling absolute link");
        expect_errno("last", O_RDONLY | O_NOFOLLOW, ELOOP, "O_NOFOLLOW on a last-component link");
        expect_errno("etc/passwd", O_WRONLY | O_CREAT | O_EXCL, EEXIST, "O_EXCL on an existing file");
        expect_errno("last", O_WRONLY | O_CREAT | O_EXCL, EEXIST, "O_EXCL on an existing link");
}

static void test_last_link(void)
{
        sl_error err = { 0 };
        struct stat st;
        int fd = open_in("last", O_PATH | O_NOFOLLOW, &err);
        ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
           "[%s] O_PATH|O_NOFOLLOW on a last-component link gives the link itself", mode_name);
        if (fd >= 0)
                close(fd);
        fd = open_in("last", O_PATH, &err);
        ok(is_same(fd, root, "etc/passwd"), "[%s] O_PATH without O_NOFOLLOW follows it inside the root",
           mode_name);
        if (fd >= 0)
                close(fd);
        fd = open_in("dir/abs", O_PATH | O_NOFOLLOW, &err);
        ok(is_same(fd, root, "dir/abs"), "[%s] O_NOFOLLOW stops at an absolute link too", mode_name);
        if (fd >= 0)
                close(fd);
        fd = open_in("dir/slash/dir/abs", O_PATH | O_NOFOLLOW, &err);
        ok(is_same(fd, root, "dir/abs"), "[%s] O_NOFOLLOW only concerns the last component", mode_name);
        if (fd >= 0)
                close(fd);
}

static void test_root_itself(void)
{
        sl_error err = { 0 };
        const char *paths[] = { "/", ".", "..", "dir/..", "/../..", "dir/slash" };
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
                int fd = open_in(paths[i], O_PATH | O_DIRECTORY, &err);
                ok(is_same(fd, top, "root"), "[%s] \"%s\" is the root itself", mode_name, paths[i]);
                if (fd >= 0)
                        close(fd);
        }
        int fd = open_in("dir/sub/..", O_PATH | O_DIRECTORY, &err);
        ok(is_same(fd, root, "dir"), "[%s] \"dir/sub/..\" is dir", mode_name);
        if (fd >= 0)
                close(fd);
}

static void test_create(void)
{
        sl_error err = { 0 };
        char name[64];
        tu_fmt(name, sizeof name, "dir/new-%s", mode_name);
        int fd = open_in(name, O_WRONLY | O_CREAT | O_EXCL, &err);
        ok(fd >= 0 && exists(root, name), "[%s] O_CREAT creates a file inside the root", mode_name);
        if (fd >= 0)
                close(fd);

        /* A dangling link whose target is the host path of a dir outside;
         * the same path exists inside, so a correct resolution can create. */
        char target[PATH_MAX], link[64], inside[PATH_MAX];
        tu_fmt(target, sizeof target, "outside-%s", mode_name);
        mk(top, target, NULL);
        tu_fmt(target, sizeof target, "%s/outside-%s/created", top, mode_name);
        tu_fmt(link, sizeof link, "creat-link-%s", mode_name);
        tu_fmt(inside, sizeof inside, "%s%s", root, target);
        ln(target, link);
        fd = open_in(link, O_WRONLY | O_CREAT, &err);
        ok(fd < 0 && err.code == ENOENT && access(target, F_OK) < 0,
           "[%s] O_CREAT through a dangling absolute link fails while its dirs are missing inside, creating nothing outside",
           mode_name);
        if (fd >= 0)
                close(fd);
        char *slash = strrchr(target, '/');
        *slash = '\0';
        int dfd = sl_mkdirs_in_root(rootfd, target + 1, 0755, &err);
        ok(dfd >= 0 && is_same(dfd, root, target + 1), "[%s] mkdirs of the host path creates it inside",
           mode_name);
        *slash = '/';
        if (dfd >= 0)
                close(dfd);
        fd = open_in(link, O_WRONLY | O_CREAT, &err);
        struct stat st;
        ok(fd >= 0 && access(target, F_OK) < 0 && stat(inside, &st) == 0 && S_ISREG(st.st_mode),
           "[%s] O_CREAT through the link then creates the file inside, not outside", mode_name);
        if (fd >= 0)
                close(fd);
}

static void test_mkdirs(void)
{
        sl_error err = { 0 };
        char rel[PATH_MAX], p[PATH_MAX];
        struct stat st;

        tu_fmt(rel, sizeof rel, "a-%s/b/c", mode_name);
        int fd = sl_mkdirs_in_root(rootfd, rel, 0755, &err);
        ok(is_same(fd, root, rel), "[%s] mkdirs creates a/b/c and returns its fd", mode_name);
        ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH) && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode),
           "[%s]   the fd is an O_PATH directory", mode_name);
        if (fd >= 0)
                close(fd);
        fd = sl_mkdirs_in_root(rootfd, rel, 0755, &err);
        ok(is_same(fd, root, rel), "[%s] mkdirs of an existing tree returns it", mode_name);
        if (fd >= 0)
                close(fd);

        /* Through a link to the host path of a directory outside. */
        tu_fmt(rel, sizeof rel, "escape_abs/made-%s", mode_name);
        fd = sl_mkdirs_in_root(rootfd, rel, 0755, &err);
        tu_fmt(p, sizeof p, "%s/outside/made-%s", top, mode_name);
        ok(access(p, F_OK) < 0, "[%s] mkdirs through an absolute link to outside creates nothing outside",
           mode_name);
        tu_fmt(p, sizeof p, "%s%s/outside/made-%s", root, top, mode_name);
        ok(fd >= 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode) && is_same(fd, p, "."),
           "[%s]   it creates the link's target path inside the root", mode_name);
        if (fd >= 0)
                close(fd);

        /* Through a relative link climbing out. */
        tu_fmt(rel, sizeof rel, "escape_rel/climbed-%s", mode_name);
        fd = sl_mkdirs_in_root(rootfd, rel, 0755, &err);
        tu_fmt(p, sizeof p, "climbed-%s", mode_name);
        ok(!exists(top, p), "[%s] mkdirs through a link climbing out creates nothing outside", mode_name);
        ok(is_same(fd, root, p), "[%s]   it lands at the root instead", mode_name);
        if (fd >= 0)
                close(fd);

        /* A dangling absolute link in the middle: its target is made inside. */
        tu_fmt(rel, sizeof rel, "dir/dangling_mk/x-%s", mode_name);
        fd = sl_mkdirs_in_root(rootfd, rel, 0755, &err);
        tu_fmt(p, sizeof p, "made/by-mkdirs/x-%s", mode_name);
        ok(is_same(fd, root, p), "[%s] mkdirs through a dangling link creates its target inside", mode_name);
        if (fd >= 0)
                close(fd);

        fd = sl_mkdirs_in_root(rootfd, "etc/passwd/sub", 0755, &err);
        ok(fd < 0 && err.code == ENOTDIR, "[%s] mkdirs through a regular file fails with ENOTDIR", mode_name);
        ok(strstr(err.msg, "etc/passwd/sub") != NULL, "[%s]   naming the path: %s", mode_name, err.msg);
        if (fd >= 0)
                close(fd);
        sl_err_clear(&err);
        fd = sl_mkdirs_in_root(rootfd, "loop1/sub", 0755, &err);
        ok(fd < 0 && err.code == ELOOP, "[%s] mkdirs through a link cycle fails with ELOOP", mode_name);
        if (fd >= 0)
                close(fd);
        fd = sl_mkdirs_in_root(rootfd, "/", 0755, &err);
        ok(is_same(fd, top, "root"), "[%s] mkdirs of \"/\" is the root", mode_name);
        if (fd >= 0)
                close(fd);
}

static void test_mkfile(void)
{
        sl_error err = { 0 };
        char rel[PATH_MAX], p[PATH_MAX];
        struct stat st;

        tu_fmt(rel, sizeof rel, "f-%s/g/file", mode_name);
        int fd = sl_mkfile_in_root(rootfd, rel, 0644, &err);
        ok(is_same(fd, root, rel) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
           "[%s] mkfile creates parents and an empty regular file", mode_name);
        ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH), "[%s]   returned as O_PATH", mode_name);
        if (fd >= 0)
                close(fd);

        fd = sl_mkfile_in_root(rootfd, "etc/passwd", 0644, &err);
        char buf[64];
        at(p, root, "etc/passwd");
        int rd = open(p, O_RDONLY);
        ok(is_same(fd, root, "etc/passwd") && strcmp(tu_read_fd(rd, buf, sizeof buf), "inside") == 0,
           "[%s] mkfile of an existing file returns it untouched", mode_name);
        close(rd);
        if (fd >= 0)
                close(fd);

        tu_fmt(rel, sizeof rel, "escape_rel/file-%s", mode_name);
        fd = sl_mkfile_in_root(rootfd, rel, 0644, &err);
        tu_fmt(p, sizeof p, "file-%s", mode_name);
        ok(!exists(top, p) && is_same(fd, root, p),
           "[%s] mkfile through a link climbing out creates the file inside", mode_name);
        if (fd >= 0)
                close(fd);

        fd = sl_mkfile_in_root(rootfd, "dir/dangling_file", 0644, &err);
        ok(is_same(fd, root, "etc/made-by-link"),
           "[%s] mkfile of a dangling absolute link creates its target inside", mode_name);
        if (fd >= 0)
                close(fd);
        unlinkat(rootfd, "etc/made-by-link", 0);

        sl_err_clear(&err);
        fd = sl_mkfile_in_root(rootfd, "dir/sub", 0644, &err);
        ok(fd < 0 && err.code == EISDIR, "[%s] mkfile of an existing directory fails with EISDIR", mode_name);
        if (fd >= 0)
                close(fd);
}

static void run_all(const char *name)
{
        mode_name = name;
        int before = tu_count_fds();
        test_open();
        test_errors();
        test_last_link();
        test_root_itself();
        test_create();
        test_mkdirs();
        test_mkfile();
        is_int(tu_count_fds(), before, "[%s] no fds leaked", mode_name);
}

/* The environment switch is read once per process, so check it in a
 * fresh one: re-executed, this program reports what it would use. */
static void test_env_switch(void)
{
        int p[2];
        if (pipe(p) < 0)
                return;
        pid_t pid = fork();
        if (pid == 0) {
                dup2(p[1], STDOUT_FILENO);
                setenv("SLOIKA_PATH_FALLBACK", "1", 1);
                execl("/proc/self/exe", "test-path", "--report-mode", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        char buf[32] = "";
        ssize_t n = read(p[0], buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(p[0]);
        waitpid(pid, NULL, 0);
        is_str(buf, "fallback", "SLOIKA_PATH_FALLBACK=1 in the environment selects the fallback walk");
}

int main(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], "--report-mode") == 0) {
                fputs(sl_path_uses_openat2() ? "openat2" : "fallback", stdout);
                return 0;
        }
        setup();
        test_env_switch();

        sl_path_force_fallback(false);
        int fd = open_in("etc", O_PATH, &(sl_error){ 0 });
        if (fd >= 0)
                close(fd);
        if (sl_path_uses_openat2()) {
                ok(1, "openat2 is in use when not forced off");
                run_all("openat2");
        } else {
                diag("openat2 not in use (the kernel lacks it, or SLOIKA_PATH_FALLBACK is set): its pass is skipped");
        }

        sl_path_force_fallback(true);
        ok(!sl_path_uses_openat2(), "the fallback walk is in use when forced");
        run_all("fallback");

        char buf[SL_FD_PATH_MAX];
        char *s = sl_fd_path(7);
        is_str(s, "/proc/self/fd/7", "sl_fd_path names the fd under /proc/self/fd");
        free(s);
        is_str(sl_fd_path_buf(12, buf), "/proc/self/fd/12", "sl_fd_path_buf fills a caller buffer");

        close(rootfd);
        tu_rm_rf(top);
        return tap_done();
}
