#include <stdio.h>
#include <stdlib.h>

#include "common/xalloc.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/cli/cli.h"
#include "runtime/lib/caps.h"
#include "runtime/lib/lsm.h"
#include "runtime/lib/seccomp.h"

static const char usage[] =
        "Usage: sloika features\n"
        "\n"
        "Prints what this build of sloika supports, as runtime-spec features JSON.\n";

static char *hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                         "poststart", "poststop" };
static char *mount_options[] = {
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap",
        "lazytime", "mand", "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand",
        "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind",
        "rdev", "rdiratime", "relatime", "remount", "rexec", "ridmap", "rnoatime", "rnodev",
        "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow",
        "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime",
        "rsuid", "rsymfollow", "runbindable", "rw", "shared", "slave", "strictatime", "suid",
        "symfollow", "sync", "tmpcopyup", "unbindable",
};
static char *namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

int sl_cmd_features(sl_cli *g, int argc, char **argv)
{
        sl_seccomp_feature_list sf;
        sl_error err = { 0 };
        char *caps[64], *out = NULL;
        size_t ncaps = 0;

        (void)g;
        if (sl_cli_help(argc, argv, usage))
                return 0;
        if (argc != 1)
                return sl_cli_usage("features", "takes no arguments");
        for (int c = 0; c <= sl_caps_last_cap() && ncaps < N(caps); c++)
                if (sl_caps_to_name(c))
                        caps[ncaps++] = (char *)sl_caps_to_name(c);
        sl_seccomp_features(&sf);

        oci_features_cgroup cg = { .v1 = true, .has_v1 = true, .v2 = true, .has_v2 = true,
                                   .systemd = false, .has_systemd = true,
                                   .systemd_user = false, .has_systemd_user = true,
                                   .rdma = true, .has_rdma = true };
        oci_features_seccomp sc = {
                .enabled = sf.enabled, .has_enabled = true,
                .actions = (char **)sf.actions, .actions_len = sf.n_actions, .has_actions = true,
                .operators = (char **)sf.operators, .operators_len = sf.n_operators, .has_operators = true,
                .archs = (char **)sf.archs, .archs_len = sf.n_archs, .has_archs = true,
                .known_flags = (char **)sf.known_flags, .known_flags_len = sf.n_known_flags,
                .has_known_flags = true,
                .supported_flags = (char **)sf.supported_flags,
                .supported_flags_len = sf.n_supported_flags, .has_supported_flags = true,
        };
        oci_features_apparmor aa = { .enabled = sl_lsm_apparmor_enabled(), .has_enabled = true };
        oci_features_selinux se = { .enabled = sl_lsm_selinux_enabled(), .has_enabled = true };
        oci_features_intel_rdt rdt = { .enabled = false, .has_enabled = true };
        oci_features_idmap idm = { .enabled = true, .has_enabled = true };
        oci_features_mount_extensions mx = { .idmap = &idm };
        oci_features_net_devices nd = { .enabled = false, .has_enabled = true };
        oci_features_linux lx = {
                .namespaces = namespaces, .namespaces_len = N(namespaces), .has_namespaces = true,
                .capabilities = caps, .capabilities_len = ncaps, .has_capabilities = true,
                .cgroup = &cg, .seccomp = &sc, .apparmor = &aa, .selinux = &se,
                .intel_rdt = &rdt, .mount_extensions = &mx, .net_devices = &nd,
        };
        char *ann_keys[] = { "org.opencontainers.runtime-spec.features.version",
                             "io.github.sloika.version" };
        char *ann_values[] = { "1.2.0", PACKAGE_VERSION };
        oci_string_map ann = { .keys = ann_keys, .values = ann_values, .len = N(ann_keys) };
        oci_features f = {
                .oci_version_min = "1.0.0", .oci_version_max = "1.2.0",
                .hooks = hooks, .hooks_len = N(hooks), .has_hooks = true,
                .mount_options = mount_options, .mount_options_len = N(mount_options),
                .has_mount_options = true,
                .linux = &lx, .annotations = &ann,
        };
        if (oci_features_generate(&f, OCI_GEN_PRETTY, &out, NULL, &err) < 0)
                return sl_cli_fail(&err);
        puts(out);
        free(out);
        return 0;
}
