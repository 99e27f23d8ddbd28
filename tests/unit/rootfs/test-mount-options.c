/* The pure parts of rootfs setup: the mount option table, lexical path
 * cleaning, linux.devices checks and the sysctl namespace rule. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/devices.h"
#include "runtime/lib/mount-options.h"
#include "runtime/lib/mounts.h"
#include "runtime/lib/sysctl.h"
#include "tests/unit/tap.h"

static sl_mount_opts parse(const char *csv)
{
        char *words[32];
        char buf[512];
        size_t n = 0;
        sl_mount_opts o;
        sl_error err = { 0 };

        snprintf(buf, sizeof(buf), "%s", csv);
        for (char *save = NULL, *w = strtok_r(buf, ",", &save); w && n < 32; w = strtok_r(NULL, ",", &save))
                words[n++] = w;
        if (sl_mount_opts_parse(words, n, &o, &err) < 0)
                diag("parse %s: %s", csv, err.msg);
        return o;
}

static void test_flags(void)
{
        sl_mount_opts o = parse("ro,nosuid,nodev,noexec");
        ok(o.set == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), "ro,nosuid,nodev,noexec set their MS_ flags");
        sl_mount_opts_free(&o);

        o = parse("ro,rw,suid");
        ok(!(o.set & MS_RDONLY) && (o.clear & MS_RDONLY) && (o.clear & MS_NOSUID), "a later rw undoes ro and is recorded as cleared");
        sl_mount_opts_free(&o);

        o = parse("sync,dirsync,mand,lazytime,remount");
        ok(o.set == (MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_REMOUNT),
           "superblock options sync, dirsync, mand, lazytime and remount are flags");
        sl_mount_opts_free(&o);

        o = parse("sync,async,nomand");
        ok(!(o.set & MS_SYNCHRONOUS) && (o.clear & MS_SYNCHRONOUS) && (o.clear & MS_MANDLOCK), "async and nomand clear");
        sl_mount_opts_free(&o);

        o = parse("noatime,strictatime,relatime");
        ok((o.set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) == MS_RELATIME, "atime modes exclude each other, the last wins");
        sl_mount_opts_free(&o);

        o = parse("defaults");
        ok(o.set == 0 && o.clear == 0 && !o.data, "defaults changes nothing");
        sl_mount_opts_free(&o);
}

static void test_bind_and_propagation(void)
{
        sl_mount_opts o = parse("rbind,rslave,shared,unbindable,runbindable,rprivate,private,rshared");
        ok(sl_mount_opts_is_bind(&o, NULL) && (o.set & MS_REC), "rbind is a recursive bind");
        is_int(o.n_propagation, 7, "every propagation word is kept");
        ok(o.propagation[0] == (MS_SLAVE | MS_REC) && o.propagation[1] == MS_SHARED &&
           o.propagation[2] == MS_UNBINDABLE && o.propagation[3] == (MS_UNBINDABLE | MS_REC),
           "propagation changes keep their order and recursion");
        is_str(sl_mount_propagation_name(o.propagation[4]), "rprivate", "propagation flags name themselves");
        sl_mount_opts_free(&o);

        o = parse("nosuid");
        ok(sl_mount_opts_is_bind(&o, "bind") && !sl_mount_opts_is_bind(&o, "tmpfs"), "type bind alone makes a bind mount");
        sl_mount_opts_free(&o);

        sl_error err = { 0 };
        char *many[] = { "shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared", "shared" };
        ok(sl_mount_opts_parse(many, 9, &o, &err) < 0 && strstr(err.msg, "options[8]"), "too many propagation words fail naming the option");

        unsigned long f = 0;
        ok(sl_mount_propagation_parse("rslave", &f) == 0 && f == (MS_SLAVE | MS_REC), "rootfsPropagation words parse");
        ok(sl_mount_propagation_parse("ro", &f) < 0 && sl_mount_propagation_parse("bogus", &f) < 0,
           "a non-propagation word is not a rootfsPropagation");
}

static void test_recursive(void)
{
        sl_mount_opts o = parse("rro,rnosuid,rnodev,rnoexec,rnodiratime,rnosymfollow");
        ok(o.rec_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                         MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW),
           "recursive options become MOUNT_ATTR_ bits");
        sl_mount_opts_free(&o);

        o = parse("rro,rrw,rsuid,rdev,rexec,rdiratime,rsymfollow");
        ok(o.rec_set == 0 && (o.rec_clr & MOUNT_ATTR_RDONLY) && (o.rec_clr & MOUNT_ATTR_NOSUID) &&
           (o.rec_clr & MOUNT_ATTR_NOSYMFOLLOW), "their opposites clear recursively");
        sl_mount_opts_free(&o);

        o = parse("rnoatime");
        ok((o.rec_clr & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME && (o.rec_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME,
           "rnoatime clears the whole atime field and sets noatime, as the kernel demands");
        sl_mount_opts_free(&o);

        o = parse("rnoatime,rstrictatime");
        ok((o.rec_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME, "the last recursive atime mode wins");
        sl_mount_opts_free(&o);

        o = parse("rstrictatime,ratime");
        ok((o.rec_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_RELATIME, "ratime falls back to relatime");
        sl_mount_opts_free(&o);
}

static void test_attr_and_data(void)
{
        uint64_t set, clr;
        sl_mount_opts o = parse("ro,nodev,noatime,nosymfollow");
        sl_mount_opts_attr(&o, &set, &clr);
        ok(set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME | MOUNT_ATTR_NOSYMFOLLOW),
           "per-mount flags map to mount_setattr bits");
        ok(clr == MOUNT_ATTR__ATIME, "an atime mode clears the atime field");
        sl_mount_opts_free(&o);

        o = parse("rw,suid,exec,dev");
        sl_mount_opts_attr(&o, &set, &clr);
        ok(set == 0 && clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC),
           "rw, suid, dev, exec clear on a bind mount");
        sl_mount_opts_free(&o);

        o = parse("nostrictatime");
        sl_mount_opts_attr(&o, &set, &clr);
        ok(set == MOUNT_ATTR_RELATIME && clr == MOUNT_ATTR__ATIME, "nostrictatime returns to relatime");
        sl_mount_opts_free(&o);

        o = parse("size=65536k,nosuid,mode=755,newinstance,tmpcopyup");
        is_str(o.data, "size=65536k,mode=755,newinstance", "unknown options pass through as data, in order");
        ok(o.tmpcopyup && !o.idmap, "tmpcopyup is recognised");
        sl_mount_opts_free(&o);

        o = parse("mode=755");
        sl_mount_opts_add_data(&o, "context=\"a,b\"");
        is_str(o.data, "mode=755,context=\"a,b\"", "extra data words are appended after the options");
        sl_mount_opts_free(&o);
        o = parse("nosuid");
        sl_mount_opts_add_data(&o, "x=1");
        is_str(o.data, "x=1", "extra data may start the data string");
        sl_mount_opts_free(&o);

        o = parse("ridmap");
        ok(o.idmap && o.idmap_recursive, "ridmap is a recursive idmap");
        sl_mount_opts_free(&o);
        o = parse("idmap");
        ok(o.idmap && !o.idmap_recursive, "idmap is not recursive");
        sl_mount_opts_free(&o);
}

static void test_clean(void)
{
        static const char *cases[][2] = {
                { "a/../b//c", "/b/c" }, { "/../../etc", "/etc" }, { "", "/" }, { "/proc/", "/proc" },
                { "./x/.", "/x" }, { "/a/b/../../..", "/" }, { "//dev///pts", "/dev/pts" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *c = sl_path_clean_abs(cases[i][0]);
                is_str(c, cases[i][1], "clean \"%s\"", cases[i][0]);
        }
}

static void test_devices(void)
{
        sl_device d;
        sl_error err = { 0 };
        oci_linux_device u = { .type = "u", .path = "/dev/x", .major = 1, .has_major = true, .minor = 3, .has_minor = true };
        oci_linux_device p = { .type = "p", .path = "/dev/fifo" };
        oci_linux_device nomajor = { .type = "c", .path = "/dev/x" };
        oci_linux_device badtype = { .type = "x", .path = "/dev/x", .has_major = true, .has_minor = true };
        oci_linux_device rel = { .type = "c", .path = "dev/x", .has_major = true, .has_minor = true };
        oci_linux_device mode = { .type = "b", .path = "/dev/b", .has_major = true, .major = 7, .has_minor = true,
                                  .file_mode = 0100640, .has_file_mode = true, .uid = 5, .has_uid = true };

        ok(sl_device_from_spec(&u, &d, &err) == 0 && d.type == 'c' && d.mode == 0666 && d.uid == 0,
           "type u is a char device with mode 0666 owned by root by default");
        ok(sl_device_from_spec(&p, &d, &err) == 0 && d.type == 'p', "a fifo needs no major/minor");
        ok(sl_device_from_spec(&nomajor, &d, &err) < 0 && strstr(err.msg, "major"), "a char device needs major and minor");
        ok(sl_device_from_spec(&badtype, &d, &err) < 0 && strstr(err.msg, "type \"x\""), "an unknown type is refused");
        ok(sl_device_from_spec(&rel, &d, &err) < 0 && strstr(err.msg, "absolute"), "a relative device path is refused");
        ok(sl_device_from_spec(&mode, &d, &err) == 0 && d.mode == 0640 && d.uid == 5 && d.type == 'b',
           "fileMode keeps only permission bits; uid is taken");
}

static int validate(const char *json, sl_error *err)
{
        oci_spec *spec = oci_spec_parse_data(json, strlen(json), "config.json", err);
        int r;

        if (!spec)
                return -2;
        r = sl_sysctl_validate(spec, err);
        oci_spec_free(spec);
        return r;
}

static void test_sysctl(void)
{
        sl_error err = { 0 };
#define NS(list) "{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[" list "],\"sysctl\":"
        ok(validate(NS("{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"}")
                    "{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\",\"kernel.msgmax\":\"1\","
                    "\"kernel.sem\":\"1 2 3 4\",\"fs.mqueue.msg_max\":\"10\",\"kernel.domainname\":\"x\","
                    "\"net/ipv4/conf/all/forwarding\":\"1\"}}}", &err) == 0,
           "namespaced keys are accepted when their namespace is new");
        if (err.msg[0])
                diag("%s", err.msg);
        sl_err_clear(&err);
        ok(validate(NS("{\"type\":\"ipc\"}") "{\"net.ipv4.ip_forward\":\"1\"}}}", &err) < 0 &&
           strcmp(err.msg, "linux.sysctl \"net.ipv4.ip_forward\": needs a network namespace") == 0,
           "net.* without a network namespace is refused");
        ok(validate(NS("{\"type\":\"network\"}") "{\"kernel.shmmax\":\"1\"}}}", &err) < 0 && strstr(err.msg, "needs a ipc namespace"),
           "kernel.shm* without an ipc namespace is refused");
        ok(validate(NS("{\"type\":\"ipc\"}") "{\"kernel.hostname\":\"x\"}}}", &err) < 0 && strstr(err.msg, "needs a uts namespace"),
           "kernel.hostname without a uts namespace is refused");
        ok(validate(NS("{\"type\":\"ipc\"},{\"type\":\"network\"}") "{\"kernel.pid_max\":\"100\"}}}", &err) < 0 &&
           strstr(err.msg, "not in a namespace the container owns") && err.code == EPERM,
           "a host-wide key is refused whatever the namespaces");
        ok(validate(NS("{\"type\":\"network\"}") "{\"net/../../kernel/pid_max\":\"1\"}}}", &err) < 0 &&
           strstr(err.msg, "not a valid key"), "a key climbing out of /proc/sys is refused");
}

int main(void)
{
        test_flags();
        test_bind_and_propagation();
        test_recursive();
        test_attr_and_data();
        test_clean();
        test_devices();
        test_sysctl();
        return tap_done();
}
