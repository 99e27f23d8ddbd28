#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/cli/cli.h"
#include "runtime/lib/default-seccomp.h"

static const char usage[] =
        "Usage: sloika spec [options]\n"
        "\n"
        "Writes a default config.json (rootfs in ./rootfs, running sh on a\n"
        "terminal) into the bundle directory.\n"
        "\n"
        "  -b, --bundle DIR   where to write config.json (default: current directory)\n"
        "  --rootless         a config for an unprivileged user: a user namespace\n"
        "                     mapping the caller to root, no network namespace,\n"
        "                     no cgroup mount or resources\n";

/* Pieces of the default config; the rootless variant swaps some. */
static const char head[] =
        "{\"ociVersion\":\"1.2.0\","
        "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
        "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"TERM=xterm\"],"
        "\"cwd\":\"/\","
        "\"capabilities\":{"
        "\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
        "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
        "\"noNewPrivileges\":true},"
        "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
        "\"hostname\":\"sloika\","
        "\"mounts\":["
        "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
        "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
        "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
        "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"";

static const char head2[] =
        "]},{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
        "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},";

static const char mounts_root[] =
        "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
        "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
        "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
        "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
        "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
        "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],";

static const char mounts_rootless[] =
        "{\"destination\":\"/sys\",\"type\":\"none\",\"source\":\"/sys\","
        "\"options\":[\"rbind\",\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}],";

static const char linux_root[] =
        "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
        "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
        "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],";

#define LINUX_ROOTLESS_MAPS \
        "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":%u,\"size\":1}]," \
        "\"gidMappings\":[{\"containerID\":0,\"hostID\":%u,\"size\":1}],"
static const char linux_rootless[] =
        "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
        "{\"type\":\"mount\"},{\"type\":\"cgroup\"},{\"type\":\"user\"}],";

static const char tail[] =
        "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
        "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\","
        "\"/sys/firmware\",\"/proc/scsi\"],"
        "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
        "\"/proc/sysrq-trigger\"]}}";

int sl_cmd_spec(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "rootless", no_argument, NULL, 'R' },
                { 0 },
        };
        _cleanup_free_ char *json = NULL, *text = NULL, *maps = NULL, *path = NULL, *seccomp = NULL;
        _cleanup_close_ int fd = -1;
        const char *bundle = ".";
        bool rootless = false;
        oci_spec *spec;
        sl_error err = { 0 };
        size_t len;
        int c;

        (void)g;
        if (sl_cli_help(argc, argv, usage))
                return 0;
        while ((c = getopt_long_only(argc, argv, "b:", opts, NULL)) != -1) {
                switch (c) {
                case 'b': bundle = optarg; break;
                case 'R': rootless = true; break;
                default: return sl_cli_usage("spec", "bad option");
                }
        }
        if (optind != argc)
                return sl_cli_usage("spec", "takes no arguments");
        maps = sl_xasprintf(LINUX_ROOTLESS_MAPS, (unsigned)getuid(), (unsigned)getgid());
        json = sl_xasprintf("%s%s%s%s%s%s", head, rootless ? "" : ",\"gid=5\"", head2,
                            rootless ? mounts_rootless : mounts_root,
                            rootless ? maps : linux_root, rootless ? linux_rootless : "");
        seccomp = sl_default_seccomp_json();
        json = sl_xrealloc(json, strlen(json) + strlen(seccomp) + sizeof(tail));
        strcat(json, seccomp);
        strcat(json, tail);
        /* Through the parser and generator: the output is what sloika reads. */
        spec = oci_spec_parse_data(json, strlen(json), "default config", &err);
        if (!spec || oci_spec_generate(spec, OCI_GEN_PRETTY, &text, &len, &err) < 0) {
                oci_spec_free(spec);
                return sl_cli_fail(&err);
        }
        oci_spec_free(spec);
        path = sl_xasprintf("%s/config.json", bundle);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
                if (errno == EEXIST)
                        sl_err(&err, EEXIST, "File %s exists. Remove it first", path);
                else
                        sl_err_sys(&err, errno, "spec: create %s", path);
                return sl_cli_fail(&err);
        }
        if (sl_write_all(fd, text, len) < 0 || sl_write_all(fd, "\n", 1) < 0) {
                sl_err_sys(&err, errno, "spec: write %s", path);
                return sl_cli_fail(&err);
        }
        return 0;
}
