/* Checks LSM detection against the kernel's own list (securityfs mounted
 * in a private mount namespace) and the errors for profiles this host
 * cannot apply. */
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "oci-specs/runtime-spec.h"
#include "runtime/lib/lsm.h"
#include "tests/unit/security/child.h"
#include "tests/unit/tap.h"

static int read_lsm_list(void *arg)
{
        (void)arg;
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return 2;
        FILE *f = fopen("/sys/kernel/security/lsm", "re");
        if (!f) {
                if (mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL) < 0)
                        return 3;
                f = fopen("/sys/kernel/security/lsm", "re");
        }
        char buf[512] = "";
        if (!f || !fgets(buf, sizeof buf, f))
                return 4;
        fclose(f);
        /* Detection through securityfs, in this namespace where it is mounted. */
        child_say("%s|%d%d", buf, sl_lsm_apparmor_enabled(), sl_lsm_selinux_enabled());
        return 0;
}

static oci_process *parse(const char *json)
{
        sl_error err = { 0 };
        oci_process *p = oci_process_parse_data(json, strlen(json), "test", &err);
        if (!p) {
                diag("parse: %s", err.msg);
                abort();
        }
        return p;
}

static bool listed(const char *list, const char *name)
{
        char padded[600];
        snprintf(padded, sizeof padded, ",%s,", list);
        char needle[64];
        snprintf(needle, sizeof needle, ",%s,", name);
        return strstr(padded, needle) != NULL;
}

int main(void)
{
        char out[1024];
        int st = run_child(read_lsm_list, NULL, out, sizeof out);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                printf("1..0 # SKIP cannot read the kernel's LSM list (status %d)\n", st);
                return 0;
        }
        char *bar = strchr(out, '|');
        *bar = '\0';
        diag("kernel LSMs: %s", out);
        bool aa = listed(out, "apparmor"), se = listed(out, "selinux");
        is_int(bar[1] - '0', aa, "AppArmor detection through securityfs matches the kernel's list");
        is_int(bar[2] - '0', se, "SELinux detection through securityfs matches the kernel's list");
        /* Here, securityfs may be absent; the fallbacks must agree. */
        is_int(sl_lsm_apparmor_enabled(), aa, "AppArmor detection without securityfs agrees (module parameter)");
        is_int(sl_lsm_selinux_enabled(), se, "SELinux detection without securityfs agrees (/proc/filesystems)");

        sl_error err = { 0 };
        oci_process *p = parse("{\"cwd\":\"/\"}");
        ok(sl_lsm_check(p, &err) == 0 && sl_lsm_apply(p, &err) == 0, "no profile, no label: nothing to do");
        oci_process_free(p);
        p = parse("{\"cwd\":\"/\",\"apparmorProfile\":\"\",\"selinuxLabel\":\"\"}");
        ok(sl_lsm_check(p, &err) == 0, "empty fields count as unset");
        oci_process_free(p);

        p = parse("{\"cwd\":\"/\",\"apparmorProfile\":\"sloika-test\"}");
        if (!aa) {
                ok(sl_lsm_check(p, &err) < 0, "apparmorProfile on a host without AppArmor fails");
                is_str(err.msg, "process.apparmorProfile: AppArmor is not enabled on this host", "with a clear error");
                sl_err_clear(&err);
                ok(sl_lsm_apply(p, &err) < 0 && !strcmp(err.msg, "process.apparmorProfile: AppArmor is not enabled on this host"),
                   "sl_lsm_apply refuses it too, before writing anything");
        } else {
                ok(1, "# SKIP AppArmor is enabled here");
        }
        oci_process_free(p);

        p = parse("{\"cwd\":\"/\",\"selinuxLabel\":\"system_u:system_r:container_t:s0\"}");
        if (!se) {
                ok(sl_lsm_check(p, &err) < 0, "selinuxLabel on a host without SELinux fails");
                is_str(err.msg, "process.selinuxLabel: SELinux is not enabled on this host", "with a clear error");
        } else {
                ok(1, "# SKIP SELinux is enabled here");
        }
        oci_process_free(p);
        return tap_done();
}
