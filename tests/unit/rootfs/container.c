#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/rootfs.h"
#include "tests/unit/rootfs/container.h"

static int report_fd = -1;

int ct_mkdirs(const char *path)
{
        _cleanup_free_ char *p = sl_xstrdup(path);

        for (char *s = p + 1;; s++) {
                if (*s == '/' || *s == '\0') {
                        char c = *s;
                        *s = '\0';
                        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                                return -1;
                        *s = c;
                        if (!c)
                                return 0;
                }
        }
}

int ct_write_file(const char *path, const char *content)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        size_t len = strlen(content);

        return fd >= 0 && write(fd, content, len) == (ssize_t)len ? 0 : -1;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        char buf[65536];
        ssize_t n;

        if (in < 0 || out < 0)
                return -1;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        return -1;
        return n < 0 ? -1 : 0;
}

int ct_make_rootfs(const char *dir)
{
        static const char *dirs[] = { "bin", "proc", "sys", "dev", "etc", "tmp", "mnt", "root" };
        static const char *applets[] = { "sh", "cat", "ls", "true", "false", "mount", "touch", "echo", "stat" };
        char path[4096];

        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
                if (ct_mkdirs(path) < 0)
                        return -1;
        }
        snprintf(path, sizeof(path), "%s/bin/busybox", dir);
        if (copy_file("/bin/busybox", path, 0755) < 0) {
                fprintf(stderr, "copy /bin/busybox: %s\n", strerror(errno));
                return -1;
        }
        for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
                snprintf(path, sizeof(path), "%s/bin/%s", dir, applets[i]);
                if (symlink("busybox", path) < 0 && errno != EEXIST)
                        return -1;
        }
        snprintf(path, sizeof(path), "%s/etc/hostname", dir);
        return ct_write_file(path, "rootfs\n");
}

void ct_remove_tree(const char *path)
{
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *de;
        struct stat top, st;

        if (!d || stat(path, &top) < 0)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *child = NULL;
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                child = sl_xasprintf("%s/%s", path, de->d_name);
                if (lstat(child, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && st.st_dev == top.st_dev)
                        ct_remove_tree(child);
                else if (!S_ISDIR(st.st_mode))
                        unlink(child);
        }
        rmdir(path);
}

char *ct_mountinfo(void)
{
        char *data = NULL;
        size_t len = 0;

        if (sl_read_file("/proc/self/mountinfo", &data, &len, NULL) < 0)
                return sl_xstrdup("");
        return data;
}

static void report(char kind, const char *fmt, va_list ap)
{
        char line[1024];
        int n = snprintf(line, sizeof(line), "%c", kind);

        n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
        if (n > (int)sizeof(line) - 2)
                n = (int)sizeof(line) - 2;
        for (int i = 1; i < n; i++)
                if (line[i] == '\n')
                        line[i] = ' ';
        line[n++] = '\n';
        if (write(report_fd, line, (size_t)n) < 0)
                _exit(99);
}

void cok(bool pass, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report(pass ? '1' : '0', fmt, ap);
        va_end(ap);
}

void cdiag(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report('#', fmt, ap);
        va_end(ap);
}

int ct_exec(char *const argv[], int *exec_errno)
{
        int errpipe[2], status, e = 0;
        pid_t pid;

        if (pipe2(errpipe, O_CLOEXEC) < 0)
                return -1;
        pid = fork();
        if (pid == 0) {
                char *envp[] = { "PATH=/bin", NULL };
                execve(argv[0], argv, envp);
                e = errno;
                if (write(errpipe[1], &e, sizeof(e)) < 0)
                        _exit(126);
                _exit(127);
        }
        close(errpipe[1]);
        if (read(errpipe[0], &e, sizeof(e)) == sizeof(e)) {
                if (exec_errno)
                        *exec_errno = e;
                waitpid(pid, NULL, 0);
                close(errpipe[0]);
                return -1;
        }
        close(errpipe[0]);
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Container init: pid 1 of the new pid namespace. */
static void run_init(const ct_run_opts *o)
{
        sl_error err = { 0 };

        /* Never outlive the test, whatever happens in here. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(60);
        oci_spec *spec = oci_spec_parse_data(o->config_json, strlen(o->config_json), "config.json", &err);

        if (!spec) {
                cok(false, "config parses: %s", err.msg);
                _exit(1);
        }
        sl_rootfs_callbacks cb = { .before_pivot = o->before_pivot, .arg = o->arg, .mount_fds = o->mount_fds };

        if (sl_rootfs_setup_with(spec, o->rootfs, o->no_pivot, &cb, &err) < 0) {
                char line[SL_ERROR_MSG_MAX + 2];
                int n = snprintf(line, sizeof(line), "E%s\n", err.msg);
                if (write(report_fd, line, (size_t)n) < 0)
                        _exit(99);
                oci_spec_free(spec);
                _exit(2);
        }
        oci_spec_free(spec);
        if (o->checks)
                o->checks(o->arg);
        /* A normal exit lets LeakSanitizer check the setup code in sanitizer
         * builds; it needs a /proc to do so. */
        if (access("/proc/self/task", F_OK) == 0)
                exit(0);
        _exit(0);
}

/* In the new namespaces: optional host-side preparation, then the init. */
static int write_proc_self(const char *file, const char *text)
{
        _cleanup_free_ char *path = sl_xasprintf("/proc/self/%s", file);
        return ct_write_file(path, text);
}

/* root in a new user namespace, mapped to root only: mknod is refused
 * there, as for a rootless container. */
static int enter_userns(void)
{
        if (unshare(CLONE_NEWUSER) < 0)
                return -1;
        if (write_proc_self("uid_map", "0 0 1\n") < 0 || write_proc_self("setgroups", "deny") < 0 ||
            write_proc_self("gid_map", "0 0 1\n") < 0)
                return -1;
        return 0;
}

static void run_outer(const ct_run_opts *o)
{
        int status;
        pid_t init;

        if ((o->unshare_flags & CLONE_NEWUSER) && enter_userns() < 0) {
                cok(false, "enter a user namespace: %s", strerror(errno));
                _exit(1);
        }
        if (unshare(CLONE_NEWNS | CLONE_NEWPID | (o->unshare_flags & ~CLONE_NEWUSER)) < 0) {
                cok(false, "unshare: %s", strerror(errno));
                _exit(1);
        }
        /* Nothing done here may ever reach the host's mount table. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                cok(false, "make / rprivate: %s", strerror(errno));
                _exit(1);
        }
        if (o->prepare && o->prepare(o->arg) < 0) {
                cok(false, "prepare: %s", strerror(errno));
                _exit(1);
        }
        init = fork();
        if (init == 0)
                run_init(o);
        if (init < 0 || waitpid(init, &status, 0) < 0)
                _exit(1);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int ct_run(const ct_run_opts *o, char *errbuf, size_t errlen)
{
        _cleanup_fclose_ FILE *in = NULL;
        _cleanup_free_ char *line = NULL;
        int fds[2], status, setup_failed = 0;
        size_t cap = 0;
        ssize_t n;
        pid_t pid;

        if (errbuf && errlen)
                errbuf[0] = '\0';
        fflush(stdout);
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -1;
        pid = fork();
        if (pid == 0) {
                close(fds[0]);
                report_fd = fds[1];
                alarm(60);
                run_outer(o);
        }
        close(fds[1]);
        in = fdopen(fds[0], "r");
        while ((n = getline(&line, &cap, in)) > 0) {
                if (line[n - 1] == '\n')
                        line[--n] = '\0';
                if (line[0] == 'E') {
                        setup_failed = 1;
                        if (errbuf)
                                snprintf(errbuf, errlen, "%s", line + 1);
                } else {
                        o->report(line[0], line + 1);
                }
        }
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        if (!setup_failed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                o->report('0', "container exited cleanly");
        return setup_failed ? -1 : 0;
}
