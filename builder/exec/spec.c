#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/exec/spec.h"
#include "common/atomicfile.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "oci-specs/runtime-spec.h"

/* Docker's default set: what Dockerfiles expect RUN to be allowed. */
static char *caps[] = {
        "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
        "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
};
#define N_CAPS (sizeof caps / sizeof caps[0])

static char *masked[] = {
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
};
static char *ro_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

#define MOUNT(dst, typ, src, ...) \
        { .destination = (char *)(dst), .type = (char *)(typ), .source = (char *)(src), \
          .options = (char *[]){__VA_ARGS__}, \
          .options_len = sizeof((char *[]){__VA_ARGS__}) / sizeof(char *), .has_options = true }

int sl_write_spec(const sl_proc_spec *p, const char *dir, sl_error *err)
{
        oci_mount base[] = {
                MOUNT("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
                MOUNT("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
                MOUNT("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                MOUNT("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
                MOUNT("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
                MOUNT("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
        };
        /* (compound literals in the if blocks below would end with them) */
        oci_mount resolv = MOUNT("/etc/resolv.conf", "bind", "/etc/resolv.conf", "rbind", "ro");
        oci_mount hosts = MOUNT("/etc/hosts", "bind", "/etc/hosts", "rbind", "ro");
        oci_mount extra = MOUNT(p->extra_bind_dst, "bind", p->extra_bind_src, "rbind", "ro", "nosuid", "nodev");
        size_t nm = 6;
        _cleanup_free_ oci_mount *mounts = sl_xcalloc(12 + p->n_mounts, sizeof(oci_mount));
        memcpy(mounts, base, sizeof base);
        if (p->host_network) {
                mounts[nm++] = resolv;
                mounts[nm++] = hosts;
        }
        if (p->extra_bind_src)
                mounts[nm++] = extra;
        for (size_t i = 0; i < p->n_mounts; i++)
                mounts[nm++] = p->mounts[i];
        oci_linux_namespace ns[6] = {{.type = "pid"}, {.type = "ipc"}, {.type = "uts"}, {.type = "mount"},
                                     {.type = "cgroup"}, {.type = "network"}};
        oci_linux_capabilities capset = {
                .bounding = caps, .bounding_len = N_CAPS, .has_bounding = true,
                .effective = caps, .effective_len = N_CAPS, .has_effective = true,
                .permitted = caps, .permitted_len = N_CAPS, .has_permitted = true,
        };
        oci_user user = {.uid = p->uid, .has_uid = true, .gid = p->gid, .has_gid = true};
        oci_process proc = {
                .terminal = false, .has_terminal = true, .user = &user,
                .args = (char **)p->args, .args_len = sl_strv_len(p->args), .has_args = true,
                .env = (char **)p->env, .env_len = sl_strv_len(p->env), .has_env = true,
                .cwd = (char *)(p->cwd && *p->cwd ? p->cwd : "/"), .capabilities = &capset,
        };
        oci_root root = {.path = (char *)p->rootfs, .readonly = p->readonly, .has_readonly = true};
        oci_linux lx = {
                .namespaces = ns, .namespaces_len = p->host_network ? 5 : 6, .has_namespaces = true,
                .masked_paths = masked, .masked_paths_len = sizeof masked / sizeof *masked, .has_masked_paths = true,
                .readonly_paths = ro_paths, .readonly_paths_len = sizeof ro_paths / sizeof *ro_paths,
                .has_readonly_paths = true,
        };
        char *ann_keys[1] = {"org.opencontainers.image.stopSignal"};
        char *ann_vals[1] = {(char *)p->stop_signal};
        oci_string_map ann = {.keys = ann_keys, .values = ann_vals, .len = 1};
        oci_spec spec = {
                .oci_version = "1.2.0", .process = &proc, .root = &root,
                .hostname = (char *)(p->hostname ? p->hostname : "sloika"),
                .mounts = mounts, .mounts_len = nm, .has_mounts = true, .linux = &lx,
                .annotations = p->stop_signal ? &ann : NULL,
        };
        _cleanup_free_ char *json = NULL;
        size_t len;
        if (oci_spec_generate(&spec, OCI_GEN_PRETTY, &json, &len, err) < 0)
                return sl_err_wrap(err, "config.json");
        _cleanup_free_ char *path = sl_xasprintf("%s/config.json", dir);
        return sl_atomic_write_file(path, json, len, 0644, err);
}
