/* Applies capability sets in forked children and reads the kernel's view
 * back from /proc/self/status (and from a program exec'd afterwards). */
#include <linux/capability.h>
#include <grp.h>
#include <sys/prctl.h>

#include "oci-specs/runtime-spec.h"
#include "runtime/lib/caps.h"
#include "tests/unit/security/child.h"
#include "tests/unit/tap.h"

#define BIT(c) (UINT64_C(1) << (c))

static const char *config_json =
        "{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\",\"CAP_SETUID\"],"
        "\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"effective\":[\"cap_chown\",\"CAP_KILL\"],"
        "\"inheritable\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"ambient\":[\"CAP_KILL\"]}";

static oci_linux_capabilities *parse(const char *json)
{
        sl_error err = { 0 };
        oci_linux_capabilities *c = oci_linux_capabilities_parse_data(json, strlen(json), "test", &err);
        if (!c) {
                diag("parse: %s", err.msg);
                abort();
        }
        return c;
}

/* Copies the five Cap* lines of /proc/self/status to the parent. */
static void say_status(void)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        while (f && fgets(line, sizeof line, f))
                if (!strncmp(line, "Cap", 3))
                        child_say("%s", line);
        if (f)
                fclose(f);
}

static uint64_t field(const char *status, const char *name)
{
        const char *p = strstr(status, name);
        if (!p)
                return UINT64_MAX;
        return strtoull(p + strlen(name) + 1, NULL, 16);
}

struct scenario {
        const char *json;
        bool setuid_first;  /* become uid/gid 1000 with KEEPCAPS before applying */
        bool exec_after;    /* report from /bin/cat exec'd afterwards */
};

static int apply_child(void *arg)
{
        struct scenario *s = arg;
        oci_linux_capabilities *caps = s->json ? parse(s->json) : NULL;
        sl_error err = { 0 };
        if (s->setuid_first) {
                if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
                    setgid(1000) < 0 || setuid(1000) < 0) {
                        child_say("setuid: %s", strerror(errno));
                        return 3;
                }
        }
        if (sl_caps_apply(caps, &err) < 0) {
                child_say("apply: %s", err.msg);
                return 2;
        }
        oci_linux_capabilities_free(caps);
        if (s->exec_after) {
                dup2(child_out_fd_, 1);
                execl("/bin/grep", "grep", "^Cap", "/proc/self/status", (char *)NULL);
                return 4;
        }
        say_status();
        return 0;
}

static void check_masks(const char *out, uint64_t bnd, uint64_t prm, uint64_t eff, uint64_t inh, uint64_t amb,
                        const char *name)
{
        is_int(field(out, "CapBnd:"), bnd, "%s: CapBnd", name);
        is_int(field(out, "CapPrm:"), prm, "%s: CapPrm", name);
        is_int(field(out, "CapEff:"), eff, "%s: CapEff", name);
        is_int(field(out, "CapInh:"), inh, "%s: CapInh", name);
        is_int(field(out, "CapAmb:"), amb, "%s: CapAmb", name);
}

static void test_root(void)
{
        struct scenario s = { config_json, false, false };
        char out[2048];
        int st = run_child(apply_child, &s, out, sizeof out);
        if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sl_caps_apply succeeds as root"))
                diag("%s", out);
        check_masks(out, BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SETUID),
                    BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
                    BIT(CAP_CHOWN) | BIT(CAP_KILL),
                    BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
                    BIT(CAP_KILL), "root");
}

static void test_after_setuid(void)
{
        struct scenario s = { config_json, true, false };
        char out[2048];
        int st = run_child(apply_child, &s, out, sizeof out);
        if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sl_caps_apply succeeds after setuid(1000) with KEEPCAPS"))
                diag("%s", out);
        check_masks(out, BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SETUID),
                    BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
                    BIT(CAP_CHOWN) | BIT(CAP_KILL),
                    BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
                    BIT(CAP_KILL), "uid 1000");
}

static void test_ambient_survives_exec(void)
{
        /* A non-root program gets exactly its ambient set as permitted and
         * effective: the point of ambient capabilities. */
        struct scenario s = { config_json, true, true };
        char out[2048];
        int st = run_child(apply_child, &s, out, sizeof out);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a program exec'd as uid 1000 runs");
        check_masks(out, BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SETUID),
                    BIT(CAP_KILL), BIT(CAP_KILL),
                    BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
                    BIT(CAP_KILL), "after exec as uid 1000");
}

static void test_ambient_dropped(void)
{
        /* runc's rule: an ambient capability the kernel cannot raise is
         * dropped with a warning, the rest of the sets still apply. */
        struct scenario s = { "{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],"
                              "\"permitted\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"inheritable\":[\"CAP_CHOWN\"],"
                              "\"ambient\":[\"CAP_KILL\",\"CAP_CHOWN\"]}",
                              false, false };
        char out[2048];
        int st = run_child(apply_child, &s, out, sizeof out);
        if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ambient beyond inheritable: apply succeeds"))
                diag("%s", out);
        check_masks(out, BIT(CAP_KILL) | BIT(CAP_CHOWN), BIT(CAP_KILL) | BIT(CAP_CHOWN), 0, BIT(CAP_CHOWN),
                    BIT(CAP_CHOWN), "ambient beyond inheritable is dropped");
}

static void test_empty_sets(void)
{
        struct scenario s = { "{}", false, false };
        char out[2048];
        run_child(apply_child, &s, out, sizeof out);
        check_masks(out, 0, 0, 0, 0, 0, "absent sets are empty");
}

static void test_null_leaves_caps(void)
{
        struct scenario s = { NULL, false, false };
        char out[2048];
        run_child(apply_child, &s, out, sizeof out);
        char self[2048] = "";
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        while (f && fgets(line, sizeof line, f))
                if (!strncmp(line, "Cap", 3))
                        strcat(self, line);
        if (f)
                fclose(f);
        is_str(out, self, "no capabilities object leaves the sets unchanged");
}

static void expect_error(const char *json, const char *want, const char *name)
{
        struct scenario s = { json, false, false };
        char out[2048];
        int st = run_child(apply_child, &s, out, sizeof out);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: apply fails", name);
        char full[2100];
        snprintf(full, sizeof full, "apply: %s", want);
        is_str(out, full, "%s: the error names the set and the capability", name);
}

static void test_errors(void)
{
        expect_error("{\"bounding\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_CHOWN\",\"CAP_BOGUS\"]}",
                     "process.capabilities.permitted[1]: unknown capability \"CAP_BOGUS\"", "unknown name");
        expect_error("{\"ambient\":[\"CHOWN\"]}",
                     "process.capabilities.ambient[0]: unknown capability \"CHOWN\"", "name without CAP_");
        expect_error("{\"effective\":[\"CAP_12\"]}",
                     "process.capabilities.effective[0]: unknown capability \"CAP_12\"", "number instead of a name");
        expect_error("{\"permitted\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\",\"CAP_CHOWN\"]}",
                     "process.capabilities.effective: CAP_CHOWN must also be in permitted", "effective beyond permitted");
        expect_error("{\"bounding\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_KILL\"],\"inheritable\":[\"CAP_KILL\"]}",
                     "process.capabilities: setting permitted, effective and inheritable: Operation not permitted",
                     "inheritable beyond bounding (the kernel refuses)");
}

static void test_names(void)
{
        is_int(sl_caps_from_name("CAP_CHOWN"), CAP_CHOWN, "CAP_CHOWN → 0");
        is_int(sl_caps_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN, "CAP_SYS_ADMIN → 21");
        is_int(sl_caps_from_name("cap_net_raw"), CAP_NET_RAW, "lower case accepted");
        is_int(sl_caps_from_name("NET_RAW"), -1, "a name without CAP_ is refused");
        is_int(sl_caps_from_name("CAP_"), -1, "an empty name is refused");
        is_int(sl_caps_from_name("CAP_NOPE"), -1, "an unknown name is refused");
        is_str(sl_caps_to_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN", "21 → CAP_SYS_ADMIN");
        is_str(sl_caps_to_name(63), NULL, "an unnamed number has no name");
        ok(sl_caps_last_cap() >= CAP_BPF, "cap_last_cap read from the kernel (%d)", sl_caps_last_cap());
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root\n");
                return 0;
        }
        test_names();
        test_root();
        test_after_setuid();
        test_ambient_survives_exec();
        test_ambient_dropped();
        test_empty_sets();
        test_null_leaves_caps();
        test_errors();
        return tap_done();
}
