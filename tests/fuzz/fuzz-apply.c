/* The layer applier (builder/layer/apply.c). Each input is applied as a
 * layer stream (plain tar, or gzip/zstd by its magic) twice: in apply
 * mode and in overlay mode with devices allowed, each time into a fresh
 * dir "t" under a per-process temp root, which is then removed.
 *
 * "t" is seeded the way an earlier layer could leave it: symlinks
 * (relative and absolute) and a hardlink that lead to a sibling dir
 * "outside", so a layer that writes through them is caught. After each
 * apply and each removal, "outside" and the root must be exactly as
 * before: any change there is an escape and aborts.
 *
 * A guard for the host: when it can, the target moves to a private mount
 * namespace where "/" is read-only except the temp dir and libFuzzer's
 * own dirs (cwd, the output corpus, the artifact dir), so an escape through a symlink the tar makes itself
 * ("x -> /etc") cannot damage the machine either. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "builder/layer/apply.h"
#include "builder/layer/fsutil.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define CANARY "canary\n"

static char root_path[4096];
static int rootfd = -1;
static struct stat st_outside, st_canary, st_dir;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        (void)st, (void)flag, (void)f;
        remove(p);
        return 0;
}

static void remove_root(void)
{
        if (root_path[0])
                nftw(root_path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static void must(bool ok, const char *what)
{
        if (!ok) {
                perror(what);
                abort();
        }
}

/* Binds path onto itself so it stays writable under a read-only "/". */
static bool keep_writable(const char *path)
{
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return true;
        return mount(path, path, NULL, MS_BIND | MS_REC, NULL) == 0;
}

static void guard_host(int argc, char **argv)
{
        /* The temp dir stays writable, not only the root: the root must be
         * removable at exit, and it cannot be while it is a mount point. */
        char tmpdir[4096];
        snprintf(tmpdir, sizeof tmpdir, "%s", root_path);
        *strrchr(tmpdir, '/') = 0;
        bool ok = unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                  keep_writable(tmpdir[0] ? tmpdir : "/") && keep_writable(".");
        bool corpus_seen = false;
        for (int i = 1; ok && i < argc; i++) {
                const char *a = argv[i];
                if (!strncmp(a, "-artifact_prefix=", 17)) {
                        char dir[4096];
                        snprintf(dir, sizeof dir, "%s", a + 17);
                        char *slash = strrchr(dir, '/');
                        if (slash) {
                                slash[1] = 0;
                                ok = keep_writable(dir);
                        }
                } else if (a[0] != '-' && !corpus_seen) {
                        /* libFuzzer writes new inputs to the first corpus dir only */
                        corpus_seen = true;
                        ok = keep_writable(a);
                }
        }
        /* MS_BIND makes this a per-mount flag: the filesystem itself, as
         * every other process sees it, stays writable. */
        if (ok)
                ok = mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0;
        if (ok && mkdir("/.sloika-fuzz-guard", 0700) == 0) {
                rmdir("/.sloika-fuzz-guard");
                errno = EROFS;
                ok = false;
        }
        if (!ok)
                fprintf(stderr, "fuzz-apply: no read-only guard for the host (%s); escapes are still caught "
                                "by the canary checks\n", strerror(errno));
}

static void write_canary(void)
{
        int fd = openat(rootfd, "outside/canary", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        must(fd >= 0 && write(fd, CANARY, strlen(CANARY)) == (ssize_t)strlen(CANARY), "canary");
        close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *tmp = getenv("TMPDIR");
        snprintf(root_path, sizeof root_path, "%s/sloika-fuzz-apply.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        must(mkdtemp(root_path) != NULL, "mkdtemp");
        atexit(remove_root);
        rootfd = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        must(rootfd >= 0, root_path);
        must(mkdirat(rootfd, "outside", 0755) == 0 && mkdirat(rootfd, "outside/dir", 0755) == 0, "outside");
        write_canary();
        must(fstatat(rootfd, "outside", &st_outside, AT_SYMLINK_NOFOLLOW) == 0 &&
             fstatat(rootfd, "outside/canary", &st_canary, AT_SYMLINK_NOFOLLOW) == 0 &&
             fstatat(rootfd, "outside/dir", &st_dir, AT_SYMLINK_NOFOLLOW) == 0, "stat outside");
        guard_host(*argc, *argv);
        return 0;
}

/* The names in dir (relative to the root), sorted, joined by '/'. */
static void list_dir(const char *dir, char *out, size_t cap)
{
        int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        FUZZ_ASSERT(fd >= 0, "\"%s\" outside the target is gone or replaced: %s", dir, strerror(errno));
        DIR *d = fdopendir(fd);
        must(d != NULL, "fdopendir");
        char names[8][64];
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                FUZZ_ASSERT(n < 8, "\"%s\" outside the target gained entries (\"%s\")", dir, de->d_name);
                snprintf(names[n++], sizeof names[0], "%s", de->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
        out[0] = 0;
        for (size_t i = 0; i < n; i++)
                snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "/" : "", names[i]);
}

static void same_inode(const char *path, const struct stat *was)
{
        struct stat st;
        FUZZ_ASSERT(fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0, "\"%s\" is gone", path);
        FUZZ_ASSERT(st.st_ino == was->st_ino && st.st_mode == was->st_mode && st.st_uid == was->st_uid &&
                    st.st_gid == was->st_gid && st.st_size == was->st_size &&
                    st.st_mtim.tv_sec == was->st_mtim.tv_sec && st.st_mtim.tv_nsec == was->st_mtim.tv_nsec,
                    "\"%s\" outside the target changed (mode %o uid %u size %lld)", path, (unsigned)st.st_mode,
                    (unsigned)st.st_uid, (long long)st.st_size);
}

/* Everything outside "t" is as Initialize made it. */
static void check_outside(const char *root_entries, bool target_gone)
{
        char names[1024];
        list_dir(".", names, sizeof names);
        FUZZ_ASSERT(!strcmp(names, root_entries), "the temp root holds \"%s\", expected \"%s\"", names,
                    root_entries);
        list_dir("outside", names, sizeof names);
        FUZZ_ASSERT(!strcmp(names, "canary/dir"), "outside/ holds \"%s\"", names);
        list_dir("outside/dir", names, sizeof names);
        FUZZ_ASSERT(!names[0], "outside/dir holds \"%s\"", names);
        same_inode("outside", &st_outside);
        same_inode("outside/dir", &st_dir);
        same_inode("outside/canary", &st_canary);
        char buf[64] = {0};
        int fd = openat(rootfd, "outside/canary", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        must(fd >= 0, "open canary");
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        FUZZ_ASSERT(n == (ssize_t)strlen(CANARY) && !strcmp(buf, CANARY), "the canary's content changed");
        char xl[256], cpath[4200];
        snprintf(cpath, sizeof cpath, "%s/outside/canary", root_path);
        FUZZ_ASSERT(llistxattr(cpath, xl, sizeof xl) == 0, "the canary gained xattrs");
        if (target_gone) {
                struct stat st;
                FUZZ_ASSERT(fstatat(rootfd, "outside/canary", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_nlink == 1,
                            "the canary has %lu links after the target was removed", (unsigned long)st.st_nlink);
        }
}

/* What an earlier layer may have left: ways out, if followed. */
static int make_target(void)
{
        must(mkdirat(rootfd, "t", 0755) == 0, "mkdir t");
        int t = openat(rootfd, "t", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        must(t >= 0, "open t");
        char abs[4200];
        snprintf(abs, sizeof abs, "%s/outside", root_path);
        must(symlinkat("../outside", t, "up") == 0 && symlinkat(abs, t, "abs") == 0, "symlinks");
        snprintf(abs, sizeof abs, "%s/outside/canary", root_path);
        must(symlinkat(abs, t, "abscanary") == 0 && symlinkat("../outside/dir", t, "updir") == 0, "symlinks");
        must(mkdirat(t, "d", 0755) == 0 && symlinkat("../../outside", t, "d/up") == 0, "d/up");
        must(linkat(rootfd, "outside/canary", t, "hl", 0) == 0, "hardlink");
        return t;
}

static void apply_once(int memfd, sl_whiteout_mode mode, bool devices)
{
        int t = make_target();
        check_outside("outside/t", false);
        sl_apply_opts opts = {.layer_name = "fuzz", .whiteouts = mode, .allow_devices = devices,
                              .max_bytes = 4u << 20};
        sl_apply_result res;
        sl_error err = {0};
        must(lseek(memfd, 0, SEEK_SET) == 0, "lseek");
        if (sl_layer_apply(memfd, t, &opts, &res, &err) < 0)
                FUZZ_ASSERT(err.msg[0], "apply failed without a message");
        else
                FUZZ_ASSERT(!strncmp(res.diff_id, "sha256:", 7), "no diff_id after a successful apply");
        close(t);
        check_outside("outside/t", false);
        FUZZ_ASSERT(sl_rm_rf_at(rootfd, "t", &err) == 0, "cannot remove the target: %s", err.msg);
        check_outside("outside", true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
        int memfd = memfd_create("layer", MFD_CLOEXEC);
        must(memfd >= 0, "memfd_create");
        for (size_t done = 0; done < len;) {
                ssize_t w = write(memfd, data + done, len - done);
                must(w > 0, "write memfd");
                done += (size_t)w;
        }
        apply_once(memfd, SL_WHITEOUT_APPLY, false);
        apply_once(memfd, SL_WHITEOUT_OVERLAY, true);
        close(memfd);
        return 0;
}
