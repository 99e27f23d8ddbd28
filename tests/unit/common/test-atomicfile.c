/* Atomic replace: new content appears whole, and a failed replace leaves
 * the old content and no temporary file behind. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomicfile.h"
#include "tests/unit/tap.h"
#include "tests/unit/common/testutil.h"

static char dir[PATH_MAX];

static const char *content(const char *rel)
{
        static char buf[256];
        char p[PATH_MAX];
        tu_fmt(p, sizeof p, "%s/%s", dir, rel);
        int fd = open(p, O_RDONLY);
        if (fd < 0)
                return NULL;
        const char *r = tu_read_fd(fd, buf, sizeof buf);
        close(fd);
        return r;
}

static int no_temp_left(const char *sub, const char *base)
{
        char d[PATH_MAX], prefix[64];
        tu_fmt(d, sizeof d, "%s/%s", dir, sub);
        tu_fmt(prefix, sizeof prefix, ".%s.tmp", base);
        return tu_has_entry_prefix(d, prefix) == 0;
}

static void test_replace(void)
{
        sl_error err = { 0 };
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        char p[PATH_MAX];
        tu_fmt(p, sizeof p, "%s/state.json", dir);
        tu_write(p, "old");

        is_int(sl_atomic_write_at(dfd, "state.json", "new content", 11, 0600, &err), 0,
               "atomic write over an existing file succeeds");
        is_str(content("state.json"), "new content", "the file has the new content");
        ok(no_temp_left(".", "state.json"), "no temporary file remains");
        struct stat st;
        ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600, "the file has the requested mode 0600");

        mode_t old_umask = umask(077);
        is_int(sl_atomic_write_at(dfd, "fresh", "x", 1, 0644, &err), 0, "atomic write creates a new file");
        umask(old_umask);
        tu_fmt(p, sizeof p, "%s/fresh", dir);
        ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0644, "the mode is exact despite a 077 umask");

        mkdir(strcat(strcpy(p, dir), "/sub"), 0755);
        is_int(sl_atomic_write_at(dfd, "sub/inner", "deep", 4, 0644, &err), 0,
               "a name with a directory part is written in that directory");
        is_str(content("sub/inner"), "deep", "  with the content");
        ok(no_temp_left("sub", "inner"), "  and no temporary file there");

        tu_fmt(p, sizeof p, "%s/byname", dir);
        is_int(sl_atomic_write_file(p, "", 0, 0644, &err), 0, "sl_atomic_write_file writes an empty file");
        is_str(content("byname"), "", "  which is empty");
        close(dfd);
}

static void test_failures(void)
{
        sl_error err = { 0 };
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        char p[PATH_MAX];

        /* The target is a non-empty directory: rename must fail. */
        tu_fmt(p, sizeof p, "%s/adir", dir);
        mkdir(p, 0755);
        tu_fmt(p, sizeof p, "%s/adir/keep", dir);
        tu_write(p, "kept");
        int r = sl_atomic_write_at(dfd, "adir", "data", 4, 0644, &err);
        ok(r < 0 && err.code != 0, "writing over a directory fails: %s", err.msg);
        ok(strstr(err.msg, "adir") != NULL, "  the error names the file");
        is_str(content("adir/keep"), "kept", "  the directory is untouched");
        ok(no_temp_left(".", "adir"), "  no temporary file remains");

        /* A write that fails midway (file size limit): old content stays. */
        tu_fmt(p, sizeof p, "%s/limited", dir);
        tu_write(p, "old");
        struct rlimit old, lim;
        getrlimit(RLIMIT_FSIZE, &old);
        lim = old;
        lim.rlim_cur = 4096;
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &lim);
        static char big[16384];
        memset(big, 'x', sizeof big);
        r = sl_atomic_write_at(dfd, "limited", big, sizeof big, 0644, &err);
        setrlimit(RLIMIT_FSIZE, &old);
        ok(r < 0 && err.code == EFBIG, "a write cut short by RLIMIT_FSIZE fails with EFBIG: %s", err.msg);
        is_str(content("limited"), "old", "  the old content stays");
        ok(no_temp_left(".", "limited"), "  no temporary file remains");

        r = sl_atomic_write_at(dfd, "nodir/file", "x", 1, 0644, &err);
        ok(r < 0 && err.code == ENOENT, "a missing directory fails with ENOENT: %s", err.msg);
        r = sl_atomic_write_at(dfd, "sub/", "x", 1, 0644, &err);
        ok(r < 0 && err.code == EINVAL, "a name without a file part is rejected");
        close(dfd);
}

int main(void)
{
        tu_fmt(dir, sizeof dir, "%s", tu_mkdtemp());
        int before = tu_count_fds();
        test_replace();
        test_failures();
        is_int(tu_count_fds(), before, "no fds leaked");
        tu_rm_rf(dir);
        return tap_done();
}
