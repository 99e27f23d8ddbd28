/* Host mode detection from mountinfo and cgroupsPath resolution. */
#include <stdlib.h>
#include <string.h>

#include "runtime/lib/cgroup-internal.h"
#include "tests/unit/cgroup/cgtest.h"
#include "tests/unit/tap.h"

/* This machine's layout: v1 controllers plus cgroup2 at unified. */
static const char hybrid_mi[] =
        "23 1 0:21 / /sys rw - sysfs sysfs rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";
static const char hybrid_self[] =
        "9:name=systemd:/\n4:memory:/process_api/abc\n2:cpuacct:/\n1:cpu:/\n0::/user\n";

static void test_modes(void)
{
        sl_cg cg = { 0 };
        sl_error err = { 0 };
        ok(sl_cg_layout_parse(hybrid_mi, hybrid_self, &cg, &err) == 0, "hybrid layout parses");
        is_str(sl_cg_mode_name(cg.mode), "hybrid", "v1 controllers plus cgroup2 under /sys/fs/cgroup is hybrid");
        is_int(cg.n, 5, "every hierarchy is found");
        sl_cg_hier *mem = sl_cg_v1(&cg, "memory"), *u = sl_cg_unified(&cg);
        ok(mem && strcmp(mem->mount, "/sys/fs/cgroup/memory") == 0, "memory hierarchy found by controller");
        is_str(mem ? mem->self : NULL, "/process_api/abc", "own cgroup per hierarchy from /proc/self/cgroup");
        ok(u && strcmp(u->mount, "/sys/fs/cgroup/unified") == 0, "unified tree found");
        is_str(u ? u->self : NULL, "/user", "own cgroup in the unified tree");
        sl_cg_hier *sd = sl_cg_v1(&cg, "name=systemd");
        ok(sd && strcmp(sd->controllers, "name=systemd") == 0, "named hierarchy keeps name=, drops xattr");
        ok(sl_cg_v1(&cg, "pids") == NULL, "an unmounted controller is absent");
        sl_cg_free(&cg);

        static const char v1_mi[] =
                "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        ok(sl_cg_layout_parse(v1_mi, "1:cpuacct,cpu:/x\n", &cg, &err) == 0, "v1 layout parses");
        is_str(sl_cg_mode_name(cg.mode), "v1", "v1 only is v1");
        sl_cg_hier *cpu = sl_cg_v1(&cg, "cpuacct");
        is_str(cpu ? cpu->controllers : NULL, "cpu,cpuacct", "co-mounted controllers share a hierarchy");
        is_str(cpu ? cpu->self : NULL, "/x", "controller order in /proc/self/cgroup does not matter");
        sl_cg_free(&cg);

        static const char v2_mi[] = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        ok(sl_cg_layout_parse(v2_mi, "0::/init.scope\n", &cg, &err) == 0, "v2 layout parses");
        is_str(sl_cg_mode_name(cg.mode), "v2", "cgroup2 at /sys/fs/cgroup is v2");
        sl_cg_free(&cg);

        /* unshare -m; mount -t cgroup2 none /sys/fs/cgroup: the old mounts
         * stay listed but are covered. */
        char shadow[4096];
        snprintf(shadow, sizeof shadow, "%s%s", hybrid_mi,
                 "99 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        ok(sl_cg_layout_parse(shadow, hybrid_self, &cg, &err) == 0, "overmounted layout parses");
        is_str(sl_cg_mode_name(cg.mode), "v2", "a cgroup2 mount over /sys/fs/cgroup hides the v1 hierarchies");
        is_int(cg.n, 1, "only the covering mount is left");
        sl_cg_free(&cg);

        ok(sl_cg_layout_parse("1 0 0:1 / / rw - ext4 /dev/vda rw\n", "", &cg, &err) < 0 &&
           strstr(err.msg, "no cgroup filesystem"), "no cgroup mount is an error: %s", err.msg);

        static const char escaped[] =
                "32 31 0:29 /sub /sys/fs/cgroup/my\\040cpu rw - cgroup cgroup rw,cpu\n";
        ok(sl_cg_layout_parse(escaped, "1:cpu:/sub/c\n", &cg, &err) == 0, "escaped mountpoint parses");
        is_str(cg.n ? cg.h[0].mount : NULL, "/sys/fs/cgroup/my cpu", "\\040 in mountinfo is a space");
        is_str(cg.n ? cg.h[0].root : NULL, "/sub", "mount root kept");
        sl_cg_free(&cg);
}

static void test_clean(void)
{
        char *out = NULL;
        sl_error err = { 0 };
        ok(sl_cg_path_clean("/", "/a//b/./c/../d", &out, &err) == 0, "path cleans");
        is_str(out, "/a/b/d", "dot, double slash and dot-dot resolved");
        free(out);
        ok(sl_cg_path_clean("/x/y", "../z", &out, &err) == 0, "relative with .. inside the hierarchy");
        is_str(out, "/x/z", "relative .. climbs from the base");
        free(out);
        ok(sl_cg_path_clean("/", "/a/../../etc", &out, &err) < 0 && strstr(err.msg, "climbs above"),
           ".. above the root is refused: %s", err.msg);
}

static void test_resolve(void)
{
        sl_cg cg = { 0 };
        sl_error err = { 0 };
        char *stored = NULL;
        sl_cg_layout_parse(hybrid_mi, hybrid_self, &cg, &err);

        ok(sl_cg_resolve_spec(&cg, NULL, "c1", &stored, &err) == 0, "default path resolves");
        is_str(stored, "/sloika/c1", "default cgroupsPath is /sloika/<id>");
        is_str(sl_cg_v1(&cg, "memory")->dir, "/sys/fs/cgroup/memory/sloika/c1", "v1 directory");
        is_str(sl_cg_unified(&cg)->dir, "/sys/fs/cgroup/unified/sloika/c1", "unified directory on hybrid");
        free(stored);

        ok(sl_cg_resolve_spec(&cg, "/a/b/../c", "x", &stored, &err) == 0, "absolute path resolves");
        is_str(stored, "/a/c", "absolute path is cleaned");
        free(stored);

        ok(sl_cg_resolve_spec(&cg, "ctr", "x", &stored, &err) == 0, "relative path resolves");
        is_str(sl_cg_v1(&cg, "memory")->path, "/process_api/abc/ctr", "relative: below own memory cgroup");
        is_str(sl_cg_v1(&cg, "cpu")->path, "/ctr", "relative: below own cpu cgroup");
        ok(stored && strstr(stored, "memory:/process_api/abc/ctr") && strstr(stored, ":/user/ctr"),
           "differing paths are stored per hierarchy: %s", stored);

        sl_cg again = { 0 };
        sl_cg_layout_parse(hybrid_mi, hybrid_self, &again, &err);
        ok(sl_cg_resolve_stored(&again, stored, &err) == 0, "stored per-hierarchy form resolves");
        is_str(sl_cg_v1(&again, "memory")->dir, "/sys/fs/cgroup/memory/process_api/abc/ctr",
               "stored form round-trips the memory directory");
        is_str(sl_cg_unified(&again)->dir, "/sys/fs/cgroup/unified/user/ctr", "and the unified one");
        ok(sl_cg_resolve_stored(&again, "/sloika/q", &err) == 0 &&
           strcmp(sl_cg_v1(&again, "cpu")->dir, "/sys/fs/cgroup/cpu/sloika/q") == 0, "stored absolute form");
        ok(sl_cg_resolve_stored(&again, "cpu:/a", &err) < 0 && strstr(err.msg, "names no cgroup"),
           "stored form missing a hierarchy is an error: %s", err.msg);
        sl_cg_free(&again);
        free(stored);

        ok(sl_cg_resolve_spec(&cg, "system.slice:sloika:c1", "c1", &stored, &err) < 0 &&
           strstr(err.msg, "systemd"), "systemd slice:prefix:name is a clear error: %s", err.msg);
        ok(sl_cg_resolve_spec(&cg, "/../../etc", "c1", &stored, &err) < 0 && strstr(err.msg, "cgroupsPath") &&
           strstr(err.msg, "climbs above"), "escaping .. refused: %s", err.msg);
        ok(sl_cg_resolve_spec(&cg, "../../../../x", "c1", &stored, &err) < 0 && strstr(err.msg, "climbs above"),
           "relative escape refused: %s", err.msg);
        ok(sl_cg_resolve_spec(&cg, "/", "c1", &stored, &err) < 0 && strstr(err.msg, "hierarchy root"),
           "the root itself is refused: %s", err.msg);
        ok(sl_cg_resolve_spec(&cg, NULL, "../x", &stored, &err) < 0, "an id with a slash cannot name a cgroup");
        sl_cg_free(&cg);

        /* A hierarchy mounted from a subtree (cgroup namespace). */
        static const char sub_mi[] = "32 31 0:29 /ns /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        sl_cg_layout_parse(sub_mi, "0::/ns/me\n", &cg, &err);
        ok(sl_cg_resolve_spec(&cg, "/ns/c", "x", &stored, &err) == 0, "path inside a mounted subtree");
        is_str(cg.n ? cg.h[0].dir : NULL, "/sys/fs/cgroup/c", "subtree root is stripped");
        free(stored);
        ok(sl_cg_resolve_spec(&cg, "/other/c", "x", &stored, &err) < 0 && strstr(err.msg, "outside"),
           "path outside the mounted subtree refused: %s", err.msg);
        sl_cg_free(&cg);
}

int main(void)
{
        test_modes();
        test_clean();
        test_resolve();
        return tap_done();
}
