#include "runtime/lib/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#define P "process.capabilities"

int sl_caps_last_cap(void)
{
        static int last = -1;
        if (last >= 0)
                return last;
        _cleanup_free_ char *buf = NULL;
        int v = -1;
        if (sl_read_file("/proc/sys/kernel/cap_last_cap", &buf, NULL, NULL) == 0)
                v = atoi(buf);
        if (v <= 0 || v > 63)
                v = CAP_LAST_CAP; /* /proc not mounted: what libcap was built for */
        return last = v;
}

int sl_caps_from_name(const char *name)
{
        if (!name || strncasecmp(name, "CAP_", 4) != 0)
                return -1;
        /* libcap also accepts numbers; a spec name must be a name. */
        for (const char *p = name + 4; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '_')
                        return -1;
        if (isdigit((unsigned char)name[4]) || name[4] == '\0')
                return -1;
        cap_value_t v;
        if (cap_from_name(name, &v) < 0)
                return -1;
        return (int)v;
}

const char *sl_caps_to_name(int cap)
{
        static char names[64][40];
        if (cap < 0 || cap > 63)
                return NULL;
        if (!names[cap][0]) {
                char *n = cap_to_name((cap_value_t)cap);
                /* libcap prints unnamed values as plain numbers. */
                if (!n || isdigit((unsigned char)n[0])) {
                        cap_free(n);
                        return NULL;
                }
                size_t i = 0;
                for (; n[i] && i < sizeof names[cap] - 1; i++)
                        names[cap][i] = (char)toupper((unsigned char)n[i]);
                names[cap][i] = '\0';
                cap_free(n);
        }
        return names[cap];
}

static int set_mask(const char *set, char **names, size_t n, uint64_t *mask, sl_error *err)
{
        *mask = 0;
        int last = sl_caps_last_cap();
        for (size_t i = 0; i < n; i++) {
                int c = sl_caps_from_name(names[i]);
                if (c < 0)
                        return sl_err(err, EINVAL, P ".%s[%zu]: unknown capability \"%s\"", set, i, names[i]);
                if (c > last) {
                        sl_log_warn(P ".%s: skipping %s: not supported by this kernel (cap_last_cap %d)",
                                    set, names[i], last);
                        continue;
                }
                *mask |= UINT64_C(1) << c;
        }
        return 0;
}

int sl_caps_masks_from_spec(const oci_linux_capabilities *caps, sl_caps_masks *m, sl_error *err)
{
        if (set_mask("bounding", caps->bounding, caps->bounding_len, &m->bounding, err) < 0 ||
            set_mask("effective", caps->effective, caps->effective_len, &m->effective, err) < 0 ||
            set_mask("inheritable", caps->inheritable, caps->inheritable_len, &m->inheritable, err) < 0 ||
            set_mask("permitted", caps->permitted, caps->permitted_len, &m->permitted, err) < 0 ||
            set_mask("ambient", caps->ambient, caps->ambient_len, &m->ambient, err) < 0)
                return -1;
        /* The kernel's rules, checked here to name the capability. */
        uint64_t stray = m->effective & ~m->permitted;
        if (stray) {
                const char *name = sl_caps_to_name(__builtin_ctzll(stray));
                return sl_err(err, EINVAL, P ".effective: %s must also be in permitted",
                              name ? name : "capability");
        }
        /* The kernel cannot raise these; runc warns and goes on, and the
         * default specs of crun and runc ask for exactly that. */
        stray = m->ambient & ~(m->permitted & m->inheritable);
        for (int i = 0; stray >> i; i++) {
                if (!(stray >> i & 1))
                        continue;
                const char *name = sl_caps_to_name(i);
                sl_log_warn(P ".ambient: dropping %s: not in both permitted and inheritable",
                            name ? name : "capability");
        }
        m->ambient &= ~stray;
        return 0;
}

static void cap_freep(cap_t *c)
{
        if (*c)
                cap_free(*c);
}

static int set_flag_mask(cap_t c, cap_flag_t flag, uint64_t mask, int last)
{
        for (int i = 0; i <= last; i++) {
                cap_value_t v = i;
                if ((mask >> i & 1) && cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
                        return -1;
        }
        return 0;
}

/* Regains every permitted capability as effective: after setuid only
 * permitted survives, and dropping the bounding set needs CAP_SETPCAP. */
static int raise_effective(sl_error *err)
{
        _cleanup_(cap_freep) cap_t cur = cap_get_proc();
        if (!cur)
                return sl_err_sys(err, errno, P ": reading the current capabilities");
        int last = sl_caps_last_cap();
        for (int i = 0; i <= last; i++) {
                cap_value_t v = i;
                cap_flag_value_t on = CAP_CLEAR;
                if (cap_get_flag(cur, v, CAP_PERMITTED, &on) == 0 && on == CAP_SET)
                        cap_set_flag(cur, CAP_EFFECTIVE, 1, &v, CAP_SET);
        }
        if (cap_set_proc(cur) < 0)
                return sl_err_sys(err, errno, P ": raising effective to permitted");
        return 0;
}

static int drop_bounding(uint64_t keep, sl_error *err)
{
        int last = sl_caps_last_cap();
        for (int i = 0; i <= last; i++) {
                if (keep >> i & 1)
                        continue;
                int on = prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0);
                if (on <= 0)
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long)i, 0, 0, 0) < 0) {
                        const char *name = sl_caps_to_name(i);
                        return sl_err_sys(err, errno, P ".bounding: dropping %s", name ? name : "capability");
                }
        }
        return 0;
}

static int set_ambient(uint64_t mask, sl_error *err)
{
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
                if (errno == EINVAL && mask == 0)
                        return 0; /* kernel without ambient capabilities, none wanted */
                return sl_err_sys(err, errno, P ".ambient: clearing");
        }
        for (int i = 0; i < 64; i++) {
                if (!(mask >> i & 1))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)i, 0, 0) < 0) {
                        const char *name = sl_caps_to_name(i);
                        return sl_err_sys(err, errno, P ".ambient: raising %s", name ? name : "capability");
                }
        }
        return 0;
}

int sl_caps_apply(const oci_linux_capabilities *caps, sl_error *err)
{
        if (!caps)
                return 0;
        sl_caps_masks m;
        if (sl_caps_masks_from_spec(caps, &m, err) < 0)
                return -1;
        if (raise_effective(err) < 0 || drop_bounding(m.bounding, err) < 0)
                return -1;

        _cleanup_(cap_freep) cap_t c = cap_init();
        if (!c)
                return sl_err_sys(err, errno, P ": cap_init");
        int last = sl_caps_last_cap();
        if (set_flag_mask(c, CAP_PERMITTED, m.permitted, last) < 0 ||
            set_flag_mask(c, CAP_EFFECTIVE, m.effective, last) < 0 ||
            set_flag_mask(c, CAP_INHERITABLE, m.inheritable, last) < 0)
                return sl_err_sys(err, errno, P ": building the capability sets");
        if (cap_set_proc(c) < 0)
                return sl_err_sys(err, errno, P ": setting permitted, effective and inheritable");
        if (set_ambient(m.ambient, err) < 0)
                return -1;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return sl_err_sys(err, errno, P ": clearing PR_SET_KEEPCAPS");
        return 0;
}
