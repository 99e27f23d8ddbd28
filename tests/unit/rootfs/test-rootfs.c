/* sl_rootfs_setup for real: busybox rootfs, new mount+pid namespaces, and
 * every effect checked from inside the container. The host's mount table
 * must be identical before and after. Needs root; skips otherwise. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "runtime/lib/devices.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/mounts.h"
#include "oci-specs/runtime-spec.h"
#include "tests/unit/rootfs/container.h"
#include "tests/unit/tap.h"

#define MQUEUE_MAGIC 0x19800202
#define ESCAPE_NAME "sl-r3-escape-test"

static char top[] = "/tmp/sl-rootfs-XXXXXX";
static char *rootfs, *hostdir, *hostfile;

static void report(char kind, const char *text)
{
        if (kind == '#')
                diag("%s", text);
        else
                ok(kind == '1', "%s", text);
}

/* ---- small probes used inside the container ---- */

static long fs_type(const char *path)
{
        struct statfs s;
        return statfs(path, &s) == 0 ? (long)s.f_type : -errno;
}

static unsigned long vfs_flags(const char *path)
{
        struct statvfs s;
        return statvfs(path, &s) == 0 ? s.f_flag : 0;
}

static int create_errno(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return errno;
        close(fd);
        unlink(path);
        return 0;
}

static char *slurp(const char *path)
{
        char *data = NULL;
        size_t len;
        return sl_read_file(path, &data, &len, NULL) == 0 ? data : sl_xstrdup("<unreadable>");
}

static bool content_is(const char *path, const char *want)
{
        _cleanup_free_ char *got = slurp(path);
        if (strcmp(got, want) != 0)
                cdiag("%s holds \"%s\", want \"%s\"", path, got, want);
        return strcmp(got, want) == 0;
}

/* The mountinfo line whose mount point is exactly mp (last one wins). */
static char *mountinfo_line(const char *mp)
{
        _cleanup_free_ char *all = slurp("/proc/self/mountinfo");
        char *found = NULL, *save = NULL;

        for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char point[4096];
                if (sscanf(l, "%*s %*s %*s %*s %4095s", point) == 1 && strcmp(point, mp) == 0) {
                        free(found);
                        found = sl_xstrdup(l);
                }
        }
        return found ? found : sl_xstrdup("");
}

static bool mount_has(const char *mp, const char *word)
{
        _cleanup_free_ char *l = mountinfo_line(mp);
        if (!strstr(l, word))
                cdiag("mountinfo of %s: \"%s\" lacks %s", mp, l, word);
        return strstr(l, word) != NULL;
}

static bool dir_is_empty(const char *path)
{
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *de;

        if (!d)
                return false;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        return false;
        return true;
}

static bool is_dev(const char *path, mode_t type, unsigned maj, unsigned min, mode_t perm, uid_t uid, gid_t gid)
{
        struct stat st;
        if (lstat(path, &st) < 0) {
                cdiag("stat %s: %s", path, strerror(errno));
                return false;
        }
        if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != makedev(maj, min)) ||
            (st.st_mode & 07777) != perm || st.st_uid != uid || st.st_gid != gid) {
                cdiag("%s: mode %o rdev %u:%u owner %u:%u", path, st.st_mode, major(st.st_rdev), minor(st.st_rdev),
                      st.st_uid, st.st_gid);
                return false;
        }
        return true;
}

static bool link_is(const char *path, const char *want)
{
        char buf[256];
        ssize_t n = readlink(path, buf, sizeof(buf) - 1);
        if (n < 0)
                return false;
        buf[n] = '\0';
        return strcmp(buf, want) == 0;
}

/* ---- the main container: nearly every feature at once ---- */

static const char main_config[] =
        "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
        "\"mounts\":["
        "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
        "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},"
        "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
        "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
        "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
        "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]},"
        "{\"destination\":\"/mnt/bind\",\"type\":\"bind\",\"source\":\"%1$s\",\"options\":[\"rbind\",\"rw\"]},"
        "{\"destination\":\"/mnt/robind\",\"type\":\"none\",\"source\":\"%1$s\",\"options\":[\"bind\",\"ro\",\"nosuid\",\"nodev\",\"noexec\"]},"
        "{\"destination\":\"/mnt/rro\",\"source\":\"%1$s\",\"options\":[\"rbind\",\"rro\",\"rnosuid\",\"rnoatime\"]},"
        "{\"destination\":\"mnt/relative\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
        "{\"destination\":\"/mnt/remount\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
        "{\"destination\":\"/mnt/remount\",\"options\":[\"remount\",\"ro\",\"nosuid\"]},"
        "{\"destination\":\"/mnt/bindremount\",\"type\":\"bind\",\"source\":\"%1$s\",\"options\":[\"bind\"]},"
        "{\"destination\":\"/mnt/bindremount\",\"options\":[\"bind\",\"remount\",\"ro\",\"shared\"]},"
        "{\"destination\":\"/mnt/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"size=1m\",\"mode=700\",\"noatime\"]},"
        "{\"destination\":\"/mnt/quoted\",\"type\":\"tmpfs\",\"options\":[\"size=\\\"2m\\\"\"]},"
        "{\"destination\":\"/mnt/sync\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"sync\",\"dirsync\",\"lazytime\",\"mand\"]},"
        "{\"destination\":\"/mnt/shared\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"shared\"]},"
        "{\"destination\":\"/mnt/unbindable\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"unbindable\"]},"
        "{\"destination\":\"/mnt/copyup\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"tmpcopyup\"]},"
        "{\"destination\":\"/mnt/file\",\"type\":\"bind\",\"source\":\"%2$s\",\"options\":[\"bind\"]},"
        "{\"destination\":\"/mnt/nosym\",\"type\":\"bind\",\"source\":\"%1$s\",\"options\":[\"bind\",\"nosymfollow\"]},"
        "{\"destination\":\"/mnt/idmap\",\"type\":\"bind\",\"source\":\"%1$s\",\"options\":[\"bind\",\"idmap\"],"
        " \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]},"
        "{\"destination\":\"/mnt/evil/" ESCAPE_NAME "\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
        "{\"destination\":\"/mnt/evil2/" ESCAPE_NAME "-rel\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}"
        "],"
        "\"linux\":{"
        "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"network\"},{\"type\":\"uts\"}],"
        "\"rootfsPropagation\":\"shared\",\"mountLabel\":\"system_u:object_r:container_file_t:s0:c1,c2\","
        "\"devices\":[{\"path\":\"/dev/sl-mydev\",\"type\":\"c\",\"major\":1,\"minor\":5,\"fileMode\":384,\"uid\":1000,\"gid\":1001},"
        "            {\"path\":\"/dev/sl-fifo\",\"type\":\"p\",\"fileMode\":420},"
        "            {\"path\":\"/mnt/evil/" ESCAPE_NAME "-dev\",\"type\":\"c\",\"major\":1,\"minor\":3}],"
        "\"maskedPaths\":[\"/proc/kcore\",\"/proc/timer_list\",\"/proc/acpi\",\"/masked-file\",\"/masked-dir\",\"/does/not/exist\"],"
        "\"readonlyPaths\":[\"/proc/sys\",\"/ro-dir\",\"/not/there/either\"],"
        "\"sysctl\":{\"kernel.shmmax\":\"123456789\",\"net.ipv4.ip_forward\":\"1\",\"kernel.domainname\":\"sl-test\"}"
        "}}";

static int prepare_main(void *arg)
{
        _cleanup_free_ char *sub = sl_xasprintf("%s/sub", hostdir);
        (void)arg;
        /* A submount inside the bind source, to see rbind and rro reach it. */
        return mount("tmpfs", sub, "tmpfs", 0, "size=1m");
}

/* What the runtime does for process.terminal once the root is set up. */
static void check_console(void)
{
        sl_error err = { 0 };
        int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave = -1;
        struct stat want, got;

        if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0 && ptsname(master))
                slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        cok(slave >= 0 && sl_devices_bind_console(slave, &err) == 0 && fstat(slave, &want) == 0 &&
            stat("/dev/console", &got) == 0 && got.st_rdev == want.st_rdev && strncmp(ptsname(master), "/dev/pts/", 9) == 0,
            "the pty slave from the container's /dev/pts is bound over /dev/console %s", err.msg);
        if (slave >= 0)
                close(slave);
        if (master >= 0)
                close(master);
}

/* Where createContainer hooks run: mounts done, host still the root. */
static int before_pivot_main(void *arg, sl_error *err)
{
        _cleanup_free_ char *tmp = sl_xasprintf("%s/mnt/tmp", rootfs);
        (void)arg;
        cok(access(rootfs, F_OK) == 0 && fs_type(tmp) == TMPFS_MAGIC,
            "before_pivot runs with the mounts in place and the host still the root");
        (void)err;
        return 0;
}

static int before_pivot_fails(void *arg, sl_error *err)
{
        (void)arg;
        return sl_err(err, EIO, "createContainer hook 0 failed");
}

static void check_main(void *arg)
{
        int e = 0;
        struct stat st;
        struct statfs sfs;
        (void)arg;

        cok(fs_type("/proc") == PROC_SUPER_MAGIC, "/proc is a proc mount");
        cok((vfs_flags("/proc") & (ST_NOSUID | ST_NOEXEC | ST_NODEV)) == (ST_NOSUID | ST_NOEXEC | ST_NODEV),
            "/proc has nosuid, noexec, nodev");
        cok(link_is("/proc/self", "1"), "/proc belongs to the container's pid namespace (self is pid 1)");
        cok(content_is("/mnt/bind/hello", "host content"), "a bind mount shows host content");
        cok(create_errno("/mnt/bind/sub/new") == 0, "rbind brings the source's submounts along, writable");
        cok(create_errno("/mnt/robind/new") == EROFS, "a ro bind rejects writes with EROFS");
        cok((vfs_flags("/mnt/robind") & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)) ==
            (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC), "ro, nosuid, nodev, noexec show in statvfs of a bind");
        cok(ct_exec((char *[]){ "/mnt/robind/busybox", "true", NULL }, &e) == -1 && e == EACCES,
            "noexec refuses to run a binary");
        cok(create_errno("/mnt/rro/new") == EROFS && create_errno("/mnt/rro/sub/new") == EROFS,
            "rro makes the bind and its submounts read-only");
        cok((vfs_flags("/mnt/rro/sub") & (ST_NOSUID | ST_NOATIME)) == (ST_NOSUID | ST_NOATIME) &&
            (vfs_flags("/mnt/bind/sub") & (ST_NOSUID | ST_NOATIME)) == 0,
            "rnosuid and rnoatime reach submounts of that bind only");
        cok(fs_type("/mnt/relative") == TMPFS_MAGIC, "a relative destination is taken from the root");
        cok(fs_type("/mnt/remount") == TMPFS_MAGIC && (vfs_flags("/mnt/remount") & (ST_RDONLY | ST_NOSUID)) == (ST_RDONLY | ST_NOSUID),
            "remount changes the flags of an earlier mount");
        cok(create_errno("/mnt/bindremount/new") == EROFS && create_errno("/mnt/bind/new") == 0,
            "bind,remount,ro makes an earlier bind read-only, not its source");
        cok(mount_has("/mnt/bindremount", "shared:"), "propagation options apply on remount");
        cok(statfs("/mnt/tmp", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC &&
            (unsigned long long)sfs.f_blocks * sfs.f_bsize == 1024 * 1024, "tmpfs size=1m is applied");
        cok(stat("/mnt/tmp", &st) == 0 && (st.st_mode & 07777) == 0700, "tmpfs mode=700 is applied");
        cok(statfs("/mnt/quoted", &sfs) == 0 && (unsigned long long)sfs.f_blocks * sfs.f_bsize == 2 * 1024 * 1024,
            "a quoted data value reaches the filesystem without its quotes");
        cok(mount_has("/mnt/tmp", "noatime"), "noatime shows in mountinfo");
        if (!sl_lsm_selinux_enabled()) {
                _cleanup_free_ char *l = mountinfo_line("/dev/shm");
                cok(!strstr(l, "context="), "without SELinux, linux.mountLabel is skipped");
        }
        cok(statfs("/dev/shm", &sfs) == 0 && (unsigned long long)sfs.f_blocks * sfs.f_bsize == 65536ull * 1024,
            "/dev/shm size=65536k is applied");
        cok((vfs_flags("/dev/shm") & (ST_NOSUID | ST_NOEXEC | ST_NODEV)) == (ST_NOSUID | ST_NOEXEC | ST_NODEV) &&
            (vfs_flags("/dev") & (ST_NOSUID | ST_NOEXEC)) == ST_NOSUID, "flags of new filesystem mounts are applied");
        cok((vfs_flags("/mnt/sync") & ST_SYNCHRONOUS) && mount_has("/mnt/sync", "dirsync"),
            "sync and dirsync reach the superblock");
        cok(mount_has("/mnt/shared", "shared:"), "shared propagation shows in mountinfo");
        cok(mount_has("/mnt/unbindable", "unbindable"), "unbindable propagation shows in mountinfo");
        cok(mount_has("/", "shared:"), "rootfsPropagation shared applies to the new /");
        cok(fs_type("/mnt/copyup") == TMPFS_MAGIC && content_is("/mnt/copyup/seed", "seed data") &&
            content_is("/mnt/copyup/deeper/more", "more") && link_is("/mnt/copyup/link", "seed"),
            "tmpcopyup copies files, dirs and symlinks of the covered dir into the tmpfs");
        cok(stat("/mnt/copyup/seed", &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_uid == 1000 && st.st_gid == 1001 &&
            st.st_mtime == 1000000000, "tmpcopyup keeps mode, owner and mtime");
        cok(content_is("/mnt/file", "file content"), "a file can be bind mounted onto a file");
        cok(open("/mnt/nosym/link", O_RDONLY | O_CLOEXEC) < 0 && errno == ELOOP && content_is("/mnt/bind/link", "host content"),
            "nosymfollow refuses symlinks on that mount only");
        /* A mapping line "containerID hostID size" makes on-disk containerID
         * appear as hostID, as the kernel's idmapped mounts and runc do. */
        cok(stat("/mnt/idmap/hello", &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000,
            "idmap shows on-disk root (containerID 0) as hostID 1000");
        cok(stat("/mnt/idmap/owned1000", &st) == 0 && st.st_uid == 65534,
            "idmap shows an unmapped on-disk owner as the overflow id");
        cok(stat("/mnt/bind/owned1000", &st) == 0 && st.st_uid == 1000, "without idmap the owner stays 1000");

        cok(is_dev("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0) && is_dev("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0) &&
            is_dev("/dev/full", S_IFCHR, 1, 7, 0666, 0, 0) && is_dev("/dev/random", S_IFCHR, 1, 8, 0666, 0, 0) &&
            is_dev("/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0) && is_dev("/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0),
            "default devices exist with their numbers, mode 0666, root owned");
        cok(is_dev("/dev/sl-mydev", S_IFCHR, 1, 5, 0600, 1000, 1001), "linux.devices gets type, major, minor, fileMode, uid, gid");
        cok(is_dev("/dev/sl-fifo", S_IFIFO, 0, 0, 0644, 0, 0), "a fifo device is created");
        cok(link_is("/dev/ptmx", "pts/ptmx") && link_is("/dev/fd", "/proc/self/fd") &&
            link_is("/dev/stdin", "/proc/self/fd/0") && link_is("/dev/stdout", "/proc/self/fd/1") &&
            link_is("/dev/stderr", "/proc/self/fd/2"), "/dev/ptmx, fd, stdin, stdout, stderr symlinks");
        cok(fs_type("/dev/pts") == DEVPTS_SUPER_MAGIC && fs_type("/dev/mqueue") == MQUEUE_MAGIC &&
            fs_type("/dev/shm") == TMPFS_MAGIC, "/dev/pts, /dev/mqueue and /dev/shm are mounted as configured");
        cok(fs_type("/sys") == SYSFS_MAGIC && (vfs_flags("/sys") & ST_RDONLY), "/sys is a read-only sysfs");
        cok(fs_type("/sys/fs/cgroup") == TMPFS_MAGIC && fs_type("/sys/fs/cgroup/memory") == CGROUP_SUPER_MAGIC &&
            fs_type("/sys/fs/cgroup/unified") == CGROUP2_SUPER_MAGIC, "cgroup mount has the v1 hierarchies and unified (hybrid host)");
        cok((vfs_flags("/sys/fs/cgroup/memory") & ST_RDONLY) && mkdir("/sys/fs/cgroup/memory/x", 0755) < 0 && errno == EROFS &&
            mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS, "cgroup mount and its hierarchies are read-only");

        cok(content_is("/masked-file", ""), "a masked file reads empty");
        cok(dir_is_empty("/masked-dir") && create_errno("/masked-dir/x") == EROFS, "a masked dir is an empty read-only dir");
        cok(content_is("/proc/timer_list", "") && dir_is_empty("/proc/acpi"), "/proc/timer_list and /proc/acpi are masked");
        cok(create_errno("/ro-dir/x") == EROFS, "a readonly path rejects writes");
        cok(content_is("/proc/sys/kernel/shmmax", "123456789\n"), "sysctl kernel.shmmax is set in the ipc namespace");
        cok(content_is("/proc/sys/net/ipv4/ip_forward", "1\n"), "sysctl net.ipv4.ip_forward is set in the net namespace");
        cok(content_is("/proc/sys/kernel/domainname", "sl-test\n"), "sysctl kernel.domainname is set in the uts namespace");
        cok(create_errno("/proc/sys/kernel/domainname") == EROFS, "/proc/sys is read-only after sysctl were written");
        cok((vfs_flags("/proc/sys") & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)) == (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC),
            "a readonly path keeps the nosuid, nodev, noexec of its source");
        cok(create_errno("/newfile") == EROFS && create_errno("/mnt/tmp/ok") == 0,
            "root.readonly makes / read-only but leaves other mounts alone");
        cok(fs_type("/etc/" ESCAPE_NAME) == TMPFS_MAGIC && fs_type("/etc/" ESCAPE_NAME "-rel") == TMPFS_MAGIC,
            "destinations through symlinks to /etc land in the rootfs's /etc");
        cok(is_dev("/etc/" ESCAPE_NAME "-dev", S_IFCHR, 1, 3, 0666, 0, 0), "a device path through a symlink lands in the rootfs");
        cok(ct_exec((char *[]){ "/bin/busybox", "true", NULL }, &e) == 0, "busybox runs in the new root");
        check_console();
        cok(access(rootfs, F_OK) < 0, "the host's paths are gone after pivot_root");
}

static int setup_main_fixtures(void)
{
        _cleanup_free_ char *p = NULL;
        char buf[4096];

        snprintf(buf, sizeof(buf), "%s/hello", hostdir);
        if (ct_write_file(buf, "host content") < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/link", hostdir);
        if (symlink("hello", buf) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/sub", hostdir);
        if (ct_mkdirs(buf) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/owned1000", hostdir);
        if (ct_write_file(buf, "") < 0 || chown(buf, 1000, 1000) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "cp /bin/busybox %s/busybox", hostdir);
        if (system(buf) != 0)
                return -1;
        if (ct_write_file(hostfile, "file content") < 0)
                return -1;
        static const char *files[][2] = {
                { "mnt/copyup/seed", "seed data" }, { "mnt/copyup/deeper/more", "more" },
                { "masked-file", "secret" }, { "dev/zero", "fake" }, { "dev/ptmx", "fake" }, { "masked-dir/inner", "hidden" }, { "ro-dir/file", "x" },
        };
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                snprintf(buf, sizeof(buf), "%s/%s", rootfs, files[i][0]);
                *strrchr(buf, '/') = '\0';
                if (ct_mkdirs(buf) < 0)
                        return -1;
                snprintf(buf, sizeof(buf), "%s/%s", rootfs, files[i][0]);
                if (ct_write_file(buf, files[i][1]) < 0)
                        return -1;
        }
        snprintf(buf, sizeof(buf), "%s/mnt/copyup/seed", rootfs);
        struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
        if (chmod(buf, 0640) < 0 || chown(buf, 1000, 1001) < 0 || utimensat(AT_FDCWD, buf, times, 0) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/mnt/copyup/link", rootfs);
        if (symlink("seed", buf) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/mnt/evil", rootfs);
        if (symlink("/etc", buf) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/mnt/evil2", rootfs);
        return symlink("../../../../../../../../etc", buf);
}

static void test_main(void)
{
        _cleanup_free_ char *cfg = sl_xasprintf(main_config, hostdir, hostfile);
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .prepare = prepare_main, .checks = check_main,
                          .before_pivot = before_pivot_main,
                          .unshare_flags = CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS };

        if (ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "main container sets up: %s", err);
        ok(access("/etc/" ESCAPE_NAME, F_OK) < 0 && access("/etc/" ESCAPE_NAME "-rel", F_OK) < 0 &&
           access("/etc/" ESCAPE_NAME "-dev", F_OK) < 0, "nothing was created in the host's /etc");
}

/* ---- --no-pivot ---- */

static void check_no_pivot(void *arg)
{
        int e = 0;
        (void)arg;
        cok(fs_type("/proc") == PROC_SUPER_MAGIC, "no-pivot: /proc is a proc mount");
        cok(ct_exec((char *[]){ "/bin/busybox", "true", NULL }, &e) == 0, "no-pivot: busybox runs in the new root");
        cok(access(rootfs, F_OK) < 0 && content_is("/etc/hostname", "rootfs\n"), "no-pivot: / is the rootfs");
        _cleanup_free_ char *mi = slurp("/proc/self/mountinfo");
        cok(strstr(mi, "/sys/fs/cgroup/cpu") == NULL, "no-pivot: host mounts are detached from the namespace");
        cok(is_dev("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0) && link_is("/dev/ptmx", "pts/ptmx"),
            "impostor /dev/zero and /dev/ptmx files in the image are replaced");
}

static void test_no_pivot(void)
{
        const char *cfg = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"mounts\":["
                          "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]}";
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .no_pivot = true, .checks = check_no_pivot };

        if (ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "no-pivot container sets up: %s", err);
        o.before_pivot = before_pivot_fails;
        o.checks = NULL;
        ok(ct_run(&o, err, sizeof(err)) < 0 && strcmp(err, "createContainer hook 0 failed") == 0,
           "an error from before_pivot aborts the setup unchanged");
}

/* ---- a rootfs reached through a symlink ---- */

static void check_symlinked(void *arg)
{
        (void)arg;
        cok(fs_type("/proc") == PROC_SUPER_MAGIC && fs_type("/etc/" ESCAPE_NAME "-link") == TMPFS_MAGIC,
            "a rootfs path through a symlink: mounts land in the real rootfs");
}

static void test_symlinked_rootfs(void)
{
        _cleanup_free_ char *link = sl_xasprintf("%s/rootfs-link", top);
        const char *cfg = "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
                          "{\"destination\":\"/mnt/evil/" ESCAPE_NAME "-link\",\"type\":\"tmpfs\"}]}";
        char err[2048] = "";
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = link, .checks = check_symlinked };

        if (symlink("rootfs", link) < 0 || ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "container through a symlinked rootfs path sets up: %s", err);
        ok(access("/etc/" ESCAPE_NAME "-link", F_OK) < 0, "and nothing appears in the host's /etc");
        unlink(link);
}

/* ---- setups that must fail, with the right message ---- */

static void expect_failure(const char *name, const char *root, const char *cfg, int flags, const char *want)
{
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = root, .unshare_flags = flags };
        int r = ct_run(&o, err, sizeof(err));

        ok(r < 0 && strstr(err, want), "%s", name);
        if (r == 0 || !strstr(err, want))
                diag("got \"%s\", want \"%s\"", err, want);
}

static void test_failures(void)
{
        _cleanup_free_ char *evil = sl_xasprintf("%s/evil-root", top);
        _cleanup_free_ char *evil_proc = sl_xasprintf("%s/proc", evil);
        _cleanup_free_ char *fake = sl_xasprintf("%s/fakeproc", evil);

        expect_failure("an invalid mount type fails as mount \"...\" (mounts[N])", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
                       "{\"destination\":\"/mnt/x\",\"type\":\"nosuchfs\",\"source\":\"x\"}]}", 0,
                       "mount \"/mnt/x\" (mounts[1]): fsopen \"nosuchfs\": No such device");
        expect_failure("a missing bind source names the mount and the source", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/mnt/x\",\"type\":\"bind\",\"source\":\"/nonexistent/sl\",\"options\":[\"rbind\"]}]}",
                       0, "mount \"/mnt/x\" (mounts[0]): bind source: open_tree \"/nonexistent/sl\": No such file or directory");
        expect_failure("a bad tmpfs option carries the kernel's explanation", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/mnt/x\",\"type\":\"tmpfs\",\"options\":[\"size=lots\"]}]}",
                       0, "mount \"/mnt/x\" (mounts[0]): option \"size=lots\" of tmpfs:");
        expect_failure("a sysctl outside the container's namespaces is refused", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[{\"type\":\"network\"}],\"sysctl\":{\"kernel.pid_max\":\"99\"}}}",
                       CLONE_NEWNET, "linux.sysctl \"kernel.pid_max\": not in a namespace the container owns");
        expect_failure("net.* sysctl without a network namespace is refused", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}",
                       0, "needs a network namespace");
        expect_failure("a bind mount into /proc is refused", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
                       "{\"destination\":\"/proc/sys/kernel\",\"type\":\"bind\",\"source\":\"/tmp\",\"options\":[\"bind\"]}]}",
                       0, "mount \"/proc/sys/kernel\" (mounts[1]): destination resolves to \"/proc/sys/kernel\", inside /proc");
        expect_failure("a mount over the container root is refused", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/./\",\"type\":\"tmpfs\"}]}",
                       0, "mount \"/./\" (mounts[0]): mounting over the container root is not supported");
        expect_failure("a tmpfs on /proc is refused", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"tmpfs\"}]}",
                       0, "only a proc filesystem may be mounted on /proc");
        expect_failure("the host root is refused as a rootfs", "/tmp/..",
                       "{\"ociVersion\":\"1.2.0\"}", 0, "rootfs \"/tmp/..\": the host root cannot be a container rootfs");
        expect_failure("a missing rootfs is named", "/nonexistent/rootfs",
                       "{\"ociVersion\":\"1.2.0\"}", 0, "rootfs \"/nonexistent/rootfs\": No such file or directory");
        expect_failure("an unknown rootfsPropagation is refused", rootfs,
                       "{\"ociVersion\":\"1.2.0\",\"linux\":{\"rootfsPropagation\":\"sideways\"}}",
                       0, "linux.rootfsPropagation \"sideways\": not a propagation mode");

        if (ct_mkdirs(fake) < 0 || symlink("/fakeproc", evil_proc) < 0) {
                ok(false, "make a rootfs whose /proc is a symlink");
                return;
        }
        expect_failure("proc on a /proc that is a symlink is refused (CVE-2019-16884 class)", evil,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"}]}",
                       0, "mount \"/proc\" (mounts[0]): proc must be mounted on a real directory, but /proc resolves to /fakeproc");
        expect_failure("sysfs through a symlinked parent is refused", evil,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc/../proc/sys\",\"type\":\"sysfs\"}]}",
                       0, "sysfs must be mounted on a real directory, but /proc/sys resolves to /fakeproc/sys");
        expect_failure("a bind onto a /proc that is a symlink is refused", evil,
                       "{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"bind\",\"source\":\"/tmp\",\"options\":[\"rbind\"]}]}",
                       0, "bind must be mounted on a real directory, but /proc resolves to /fakeproc");
}

/* ---- a user namespace: devices become bind mounts of the host nodes ---- */

static const char userns_idmap[] =
        "{\"destination\":\"/mnt/idmap\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"rbind\",\"idmap\",\"ro\"],"
        " \"uidMappings\":[{\"containerID\":1000,\"hostID\":0,\"size\":1}],\"gidMappings\":[{\"containerID\":1000,\"hostID\":0,\"size\":1}]}";

static void check_userns_idmap(void)
{
        struct stat st;

        /* On-disk 1000 appears as host 0, which is root in the container's
         * user namespace too ("0 0 1"). */
        cok(stat("/mnt/idmap/owned1000", &st) == 0 && st.st_uid == 0 && st.st_gid == 0,
            "userns: a prepared idmap mount maps through the mount's own mapping");
        cok(create_errno("/mnt/idmap/new") == EROFS, "userns: the prepared mount keeps its ro flag");
}

static void check_userns(void *arg)
{
        (void)arg;
        struct stat st;
        cok(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
            stat("/dev/tty", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 0),
            "userns: default devices are the host's nodes");
        cok(mount_has("/dev/null", "/dev/null"), "userns: /dev/null is a bind mount");
        cok(content_is("/dev/null", ""), "userns: /dev/null reads empty");
        cok(fs_type("/sys") == SYSFS_MAGIC && (vfs_flags("/sys") & ST_RDONLY) && fs_type("/sys/fs/cgroup") == TMPFS_MAGIC &&
            (vfs_flags("/sys/fs/cgroup") & ST_RDONLY), "userns: sysfs falls back to a recursive read-only bind of /sys");
        check_userns_idmap();
        _cleanup_fclose_ FILE *f = fopen("/dev/zero", "re");
        cok(f && fgetc(f) == 0, "userns: /dev/zero reads zeros");
}

static void test_userns(void)
{
        _cleanup_free_ char *idmap = sl_xasprintf(userns_idmap, hostdir);
        _cleanup_free_ char *cfg = sl_xasprintf("{\"ociVersion\":\"1.2.0\",\"mounts\":["
                          "{\"destination\":\"/proc\",\"type\":\"proc\"},"
                          "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"options\":[\"mode=755\"]},"
                          "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"options\":[\"ro\",\"nosuid\"]},%s],"
                          "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"}]}}", idmap);
        sl_error e = { 0 };
        oci_spec *spec = oci_spec_parse_data(cfg, strlen(cfg), "config.json", &e);
        int *fds = NULL;
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .checks = check_userns, .unshare_flags = CLONE_NEWUSER };

        /* The init cannot idmap a host filesystem from inside the user namespace... */
        ok(ct_run(&o, err, sizeof(err)) < 0 && strstr(err, "mount \"/mnt/idmap\" (mounts[3]): idmap bind mounts in a container with "
                                                              "its own user namespace must be prepared by the runtime"),
           "userns: an idmap mount the init cannot make fails clearly");
        /* ...so the runtime prepares it on the host and hands it over. */
        if (!spec || sl_mounts_prepare(spec, -1, &fds, &e) < 0) {
                ok(false, "prepare idmapped mounts on the host: %s", e.msg);
        } else {
                ok(fds[3] >= 0 && fds[0] == -1 && fds[1] == -1 && fds[2] == -1, "only the idmap bind mount is prepared");
                o.mount_fds = fds;
                if (ct_run(&o, err, sizeof(err)) < 0)
                        ok(false, "userns container sets up: %s", err);
                sl_mounts_fds_free(fds, spec->mounts_len);
        }
        oci_spec_free(spec);
}

/* ---- a read-only /dev gets its devices first ---- */

static void check_dev_ro(void *arg)
{
        (void)arg;
        cok(is_dev("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0) && link_is("/dev/ptmx", "pts/ptmx") &&
            fs_type("/dev/pts") == DEVPTS_SUPER_MAGIC, "a read-only /dev still gets its devices, links and submounts");
        cok(create_errno("/dev/new") == EROFS && (vfs_flags("/dev") & ST_RDONLY), "and is read-only afterwards");
}

static void test_dev_ro(void)
{
        const char *cfg = "{\"ociVersion\":\"1.2.0\",\"mounts\":["
                          "{\"destination\":\"/proc\",\"type\":\"proc\"},"
                          "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"options\":[\"ro\",\"nosuid\",\"mode=755\"]},"
                          "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"options\":[\"newinstance\"]}]}";
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .checks = check_dev_ro };

        if (ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "container with a read-only /dev sets up: %s", err);
}

/* ---- a bind-mounted /dev is left as it is ---- */

static void check_dev_bind(void *arg)
{
        struct stat st;
        (void)arg;
        cok(lstat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode), "/dev bound from the host keeps its own ptmx");
        cok(access("/dev/sl-never", F_OK) < 0, "linux.devices are not created on a bound /dev");
}

static void test_dev_bind(void)
{
        const char *cfg = "{\"ociVersion\":\"1.2.0\",\"mounts\":["
                          "{\"destination\":\"/dev\",\"type\":\"bind\",\"source\":\"/dev\",\"options\":[\"rbind\"]}],"
                          "\"linux\":{\"devices\":[{\"path\":\"/dev/sl-never\",\"type\":\"c\",\"major\":1,\"minor\":3}]}}";
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .checks = check_dev_bind };

        if (ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "container with a bound /dev sets up: %s", err);
        ok(access("/dev/sl-never", F_OK) < 0, "nothing was created in the host's /dev");
}

/* ---- a cgroup namespace: real cgroup filesystems ---- */

static void check_cgroupns(void *arg)
{
        _cleanup_free_ char *procs = slurp("/sys/fs/cgroup/memory/cgroup.procs");
        (void)arg;
        cok(fs_type("/sys/fs/cgroup/memory") == CGROUP_SUPER_MAGIC && fs_type("/sys/fs/cgroup/unified") == CGROUP2_SUPER_MAGIC,
            "cgroupns: cgroup v1 hierarchies and cgroup2 are mounted");
        cok(strncmp(procs, "1\n", 2) == 0 || strstr(procs, "\n1\n"), "cgroupns: the container's init is in the mounted cgroup");
        cok(link_is("/sys/fs/cgroup/cpu", "cpu") || fs_type("/sys/fs/cgroup/cpu") == CGROUP_SUPER_MAGIC, "cgroupns: cpu is reachable");
        cok((vfs_flags("/sys/fs/cgroup/memory") & (ST_NOSUID | ST_NODEV)) == (ST_NOSUID | ST_NODEV) &&
            (vfs_flags("/sys/fs/cgroup") & ST_NODEV), "cgroupns: per-mount and recursive options reach every hierarchy");
}

static void test_cgroupns(void)
{
        const char *cfg = "{\"ociVersion\":\"1.2.0\",\"mounts\":["
                          "{\"destination\":\"/proc\",\"type\":\"proc\"},"
                          "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"options\":[\"nosuid\",\"rnodev\",\"rslave\"]}],"
                          "\"linux\":{\"namespaces\":[{\"type\":\"cgroup\"},{\"type\":\"mount\"}]}}";
        char err[2048];
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .checks = check_cgroupns, .unshare_flags = CLONE_NEWCGROUP };

        if (ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "cgroupns container sets up: %s", err);
}

/* ---- CVE-2021-30465: a destination swapped to a symlink mid-setup ---- */

#define RACE_MOUNTS 150
static char *race_dir;

/* Swaps race/a between a directory and a symlink to the host's /etc until
 * killed, the way a second container sharing the volume would. A process,
 * not a thread: forking the container from a threaded test is unsafe
 * (sanitizer and libc locks held by the thread stay held in the child). */
static pid_t start_swapper(unsigned long *swaps)
{
        pid_t pid = fork();

        if (pid == 0) {
                int dfd = open(race_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                while (dfd >= 0)
                        if (renameat2(dfd, "a", dfd, "b", RENAME_EXCHANGE) == 0)
                                __atomic_add_fetch(swaps, 1, __ATOMIC_RELAXED);
                _exit(1);
        }
        return pid;
}

static void check_race(void *arg)
{
        _cleanup_free_ char *mi = slurp("/proc/self/mountinfo");
        int seen = 0;
        (void)arg;

        for (const char *p = mi; (p = strstr(p, "/sl-race-")); p++)
                seen++;
        cok(seen == RACE_MOUNTS, "race: all %d tmpfs mounts are inside the container (saw %d)", RACE_MOUNTS, seen);
}

static void test_race(void)
{
        char *cfg = sl_xasprintf("{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
                                 "{\"destination\":\"/mnt/race\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"rbind\"]}",
                                 race_dir);
        _cleanup_free_ char *a = sl_xasprintf("%s/a", race_dir), *b = sl_xasprintf("%s/b", race_dir);
        char err[2048];
        bool leaked = false;

        for (int i = 0; i < RACE_MOUNTS; i++) {
                char *next = sl_xasprintf("%s,{\"destination\":\"/mnt/race/a/sl-race-%d\",\"type\":\"tmpfs\"}", cfg, i);
                free(cfg);
                cfg = next;
        }
        {
                char *next = sl_xasprintf("%s]}", cfg);
                free(cfg);
                cfg = next;
        }
        if (ct_mkdirs(a) < 0 || symlink("/etc", b) < 0) {
                ok(false, "race fixtures");
                free(cfg);
                return;
        }
        ct_run_opts o = { .report = report, .config_json = cfg, .rootfs = rootfs, .checks = check_race };
        unsigned long *swaps = mmap(NULL, sizeof(*swaps), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pid_t swapper = swaps == MAP_FAILED ? -1 : start_swapper(swaps);

        if (swapper < 0) {
                ok(false, "start the swapper");
                free(cfg);
                return;
        }
        if (ct_run(&o, err, sizeof(err)) < 0)
                ok(false, "race container sets up: %s", err);
        kill(swapper, SIGKILL);
        waitpid(swapper, NULL, 0);
        diag("race: %lu swaps during setup", __atomic_load_n(swaps, __ATOMIC_RELAXED));
        munmap(swaps, sizeof(*swaps));
        for (int i = 0; i < RACE_MOUNTS; i++) {
                char host[64];
                snprintf(host, sizeof(host), "/etc/sl-race-%d", i);
                if (access(host, F_OK) == 0) {
                        leaked = true;
                        rmdir(host);
                }
        }
        ok(!leaked, "race: no mount point was created in the host's /etc");
        free(cfg);
}

/* Host mounts that appeared during the run where these tests could have
 * put them (other suites may mount elsewhere concurrently). */
static bool new_mounts_of_ours(const char *before, const char *after)
{
        static const char *places[] = { "/etc", "/dev", "/proc", "/sys", "/mnt", "/bin" };
        _cleanup_free_ char *copy = sl_xstrdup(after);
        bool found = false;
        char *save = NULL;

        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char mp[4096];
                bool ours = false;
                _cleanup_free_ char *line = sl_xasprintf("%s\n", l);

                if (strstr(before, line) || sscanf(l, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                ours = strcmp(mp, "/") == 0 || strncmp(mp, top, strlen(top)) == 0;
                for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
                        ours = ours || strncmp(mp, places[i], strlen(places[i])) == 0;
                if (ours) {
                        diag("left on the host: %s", l);
                        found = true;
                }
        }
        return found;
}

int main(void)
{
        _cleanup_free_ char *before = NULL, *after = NULL;

        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root for mount namespaces\n");
                return 0;
        }
        if (access("/bin/busybox", X_OK) < 0) {
                printf("1..0 # SKIP needs /bin/busybox (busybox-static)\n");
                return 0;
        }
        if (!mkdtemp(top))
                return 1;
        rootfs = sl_xasprintf("%s/rootfs", top);
        hostdir = sl_xasprintf("%s/host", top);
        hostfile = sl_xasprintf("%s/hostfile", top);
        race_dir = sl_xasprintf("%s/race", top);
        before = ct_mountinfo();
        if (ct_mkdirs(hostdir) < 0 || ct_make_rootfs(rootfs) < 0 || setup_main_fixtures() < 0) {
                ok(false, "fixtures: %s", strerror(errno));
        } else {
                test_main();
                test_no_pivot();
                test_symlinked_rootfs();
                test_failures();
                test_userns();
                test_cgroupns();
                test_dev_bind();
                test_dev_ro();
                test_race();
        }
        after = ct_mountinfo();
        ok(!new_mounts_of_ours(before, after), "nothing is left mounted on the host");
        ct_remove_tree(top);
        free(rootfs);
        free(hostdir);
        free(hostfile);
        free(race_dir);
        return tap_done();
}
