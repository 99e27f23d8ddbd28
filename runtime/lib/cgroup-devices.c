/* The device cgroup: which device nodes the container may create, read or
 * write. v1 keeps an allow/deny list in devices.allow/devices.deny; v2
 * asks a BPF_PROG_TYPE_CGROUP_DEVICE program on every access, which we
 * assemble here from the same rules. Both start from "deny everything",
 * and a later rule overrides an earlier one, as in the OCI spec. */
#include "runtime/lib/cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

/* The nodes every container gets (runc gives the same set), so a spec
 * that only denies everything still has a working /dev. */
static const sl_cg_dev_rule default_rules[] = {
        { true, 'c', -1, -1, SL_CG_DEV_MKNOD, "default device rule (mknod of any char device)" },
        { true, 'b', -1, -1, SL_CG_DEV_MKNOD, "default device rule (mknod of any block device)" },
        { true, 'c', 1, 3, SL_CG_DEV_ALL, "default device rule (/dev/null)" },
        { true, 'c', 1, 5, SL_CG_DEV_ALL, "default device rule (/dev/zero)" },
        { true, 'c', 1, 7, SL_CG_DEV_ALL, "default device rule (/dev/full)" },
        { true, 'c', 1, 8, SL_CG_DEV_ALL, "default device rule (/dev/random)" },
        { true, 'c', 1, 9, SL_CG_DEV_ALL, "default device rule (/dev/urandom)" },
        { true, 'c', 5, 0, SL_CG_DEV_ALL, "default device rule (/dev/tty)" },
        { true, 'c', 5, 1, SL_CG_DEV_ALL, "default device rule (/dev/console)" },
        { true, 'c', 5, 2, SL_CG_DEV_ALL, "default device rule (/dev/ptmx)" },
        { true, 'c', 136, -1, SL_CG_DEV_ALL, "default device rule (/dev/pts/*)" },
        { true, 'c', 10, 200, SL_CG_DEV_ALL, "default device rule (/dev/net/tun)" },
};

static int parse_num(bool has, int64_t v, const char *field, const char *what, int64_t *out, sl_error *err)
{
        if (!has || v == -1) {
                *out = -1;
                return 0;
        }
        if (v < 0 || v > INT32_MAX)
                return sl_err(err, EINVAL, "%s.%s: invalid device number %" PRId64, field, what, v);
        *out = v;
        return 0;
}

int sl_cg_dev_rule_parse(const oci_linux_device_cgroup *d, const char *field, sl_cg_dev_rule *out,
                         sl_error *err)
{
        sl_cg_dev_rule r = { .allow = d->allow };
        snprintf(r.origin, sizeof r.origin, "%s", field);
        if (!d->type || !*d->type || strcmp(d->type, "a") == 0)
                r.type = 'a';
        else if (strcmp(d->type, "c") == 0 || strcmp(d->type, "b") == 0)
                r.type = d->type[0];
        else
                return sl_err(err, EINVAL, "%s.type: \"%s\" is not a, b or c", field, d->type);
        if (parse_num(d->has_major, d->major, field, "major", &r.major, err) < 0 ||
            parse_num(d->has_minor, d->minor, field, "minor", &r.minor, err) < 0)
                return -1;
        if (!d->access || !*d->access)
                r.access = SL_CG_DEV_ALL;
        for (const char *a = d->access; a && *a; a++) {
                switch (*a) {
                case 'r': r.access |= SL_CG_DEV_READ; break;
                case 'w': r.access |= SL_CG_DEV_WRITE; break;
                case 'm': r.access |= SL_CG_DEV_MKNOD; break;
                default:
                        return sl_err(err, EINVAL, "%s.access: \"%s\" is not made of r, w and m", field,
                                      d->access);
                }
        }
        *out = r;
        return 0;
}

int sl_cg_dev_rules(const oci_spec *spec, sl_cg_dev_rule **out, size_t *n, sl_error *err)
{
        const oci_linux *lx = spec ? spec->linux : NULL;
        const oci_linux_resources *res = lx ? lx->resources : NULL;
        size_t nres = res ? res->devices_len : 0, ndev = lx ? lx->devices_len : 0;
        size_t ndef = sizeof default_rules / sizeof default_rules[0];
        _cleanup_free_ sl_cg_dev_rule *rules = sl_xcalloc(nres + ndef + ndev + 1, sizeof *rules);
        size_t k = 0;
        for (size_t i = 0; i < nres; i++) {
                char field[48];
                snprintf(field, sizeof field, "linux.resources.devices[%zu]", i);
                if (sl_cg_dev_rule_parse(&res->devices[i], field, &rules[k++], err) < 0)
                        return -1;
        }
        for (size_t i = 0; i < ndef; i++)
                rules[k++] = default_rules[i];
        for (size_t i = 0; i < ndev; i++) {
                const oci_linux_device *d = &lx->devices[i];
                sl_cg_dev_rule r = { .allow = true, .access = SL_CG_DEV_ALL };
                snprintf(r.origin, sizeof r.origin, "linux.devices[%zu]", i);
                if (!d->type || strcmp(d->type, "p") == 0)
                        continue; /* a fifo is no device for the cgroup */
                if (strcmp(d->type, "c") == 0 || strcmp(d->type, "u") == 0)
                        r.type = 'c';
                else if (strcmp(d->type, "b") == 0)
                        r.type = 'b';
                else
                        return sl_err(err, EINVAL, "%s.type: \"%s\" is not c, b, u or p", r.origin, d->type);
                if (!d->has_major || !d->has_minor)
                        return sl_err(err, EINVAL, "%s: a %s device needs major and minor", r.origin, d->type);
                if (parse_num(true, d->major, r.origin, "major", &r.major, err) < 0 ||
                    parse_num(true, d->minor, r.origin, "minor", &r.minor, err) < 0)
                        return -1;
                rules[k++] = r;
        }
        *out = SL_STEAL(rules);
        *n = k;
        return 0;
}

static bool is_catch_all(const sl_cg_dev_rule *r)
{
        return r->type == 'a' && r->major == -1 && r->minor == -1 && r->access == SL_CG_DEV_ALL;
}

static void format_num(char *buf, size_t size, int64_t v)
{
        if (v < 0)
                snprintf(buf, size, "*");
        else
                snprintf(buf, size, "%" PRId64, v);
}

int sl_cg_v1_devices(const char *dir, const sl_cg_dev_rule *rules, size_t n, sl_error *err)
{
        if (sl_cg_write(dir, "devices.deny", "a", "linux.resources.devices", err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const sl_cg_dev_rule *r = &rules[i];
                const char *file = r->allow ? "devices.allow" : "devices.deny";
                if (is_catch_all(r)) {
                        if (sl_cg_write(dir, file, "a", r->origin, err) < 0)
                                return -1;
                        continue;
                }
                char major[24], minor[24], access[4] = { 0 };
                format_num(major, sizeof major, r->major);
                format_num(minor, sizeof minor, r->minor);
                size_t k = 0;
                if (r->access & SL_CG_DEV_READ) access[k++] = 'r';
                if (r->access & SL_CG_DEV_WRITE) access[k++] = 'w';
                if (r->access & SL_CG_DEV_MKNOD) access[k++] = 'm';
                if (k == 0)
                        continue;
                /* v1's "a" entry always means every device: spell a partial
                 * "a" rule as one char and one block rule. */
                const char *types = r->type == 'a' ? "cb" : (r->type == 'c' ? "c" : "b");
                for (const char *t = types; *t; t++)
                        if (sl_cg_writef(dir, file, r->origin, err, "%c %s:%s %s", *t, major, minor, access) < 0)
                                return -1;
        }
        return 0;
}

/* --- eBPF --- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
        return i;
}

/* Rule block, in order of the checks: type, access, major, minor. */
static size_t rule_len(const sl_cg_dev_rule *r)
{
        return (r->type != 'a') + (r->access != SL_CG_DEV_ALL ? 3 : 0) + (r->major >= 0) +
               (r->minor >= 0) + 2;
}

int sl_cg_dev_program(const sl_cg_dev_rule *rules, size_t n, struct bpf_insn **out, size_t *len,
                      sl_error *err)
{
        size_t cap = 8;
        for (size_t i = 0; i < n; i++)
                cap += rule_len(&rules[i]);
        if (cap > BPF_MAXINSNS)
                return sl_err(err, E2BIG, "linux.resources.devices: %zu rules need more than %d BPF "
                              "instructions", n, BPF_MAXINSNS);
        struct bpf_insn *p = sl_xcalloc(cap, sizeof *p);
        size_t k = 0;
        /* r2 = device type, r3 = requested access, r4 = major, r5 = minor
         * (struct bpf_cgroup_dev_ctx: access_type is access << 16 | type). */
        p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
        p[k++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
        p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
        p[k++] = insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
        p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
        p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
        bool open_end = true;
        /* The last rule that matches decides, so test from the end. */
        for (size_t i = n; i-- > 0;) {
                const sl_cg_dev_rule *r = &rules[i];
                size_t end = k + rule_len(r) - 2; /* index of the verdict */
#define SKIP ((int16_t)(end + 2 - (k + 1)))
                if (r->type != 'a')
                        p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, SKIP,
                                    r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK), k++;
                if (r->access != SL_CG_DEV_ALL) {
                        p[k++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
                        p[k++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)~r->access);
                        p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, SKIP, 0), k++;
                }
                if (r->major >= 0)
                        p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, SKIP, (int32_t)r->major), k++;
                if (r->minor >= 0)
                        p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, SKIP, (int32_t)r->minor), k++;
#undef SKIP
                p[k++] = insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
                p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
                /* Rules before a match-everything one are unreachable, and
                 * the verifier refuses unreachable code. */
                if (is_catch_all(r)) {
                        open_end = false;
                        break;
                }
        }
        if (open_end) {
                p[k++] = insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
                p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        }
        *out = p;
        *len = k;
        return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
        return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int prog_load(const struct bpf_insn *insns, size_t len, sl_error *err)
{
        static const char license[] = "Apache-2.0"; /* no GPL-only helpers are called */
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)insns;
        attr.insn_cnt = (uint32_t)len;
        attr.license = (uint64_t)(uintptr_t)license;
        int fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        int saved = errno;
        /* Load again with the verifier's log, to say why. */
        char log[4096] = "";
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof log;
        attr.log_level = 1;
        fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        log[sizeof log - 1] = '\0';
        char *nl = strrchr(log, '\n');
        while (nl && nl > log && nl[1] == '\0') {
                *nl = '\0';
                nl = strrchr(log, '\n');
        }
        return sl_err_sys(err, saved, "linux.resources.devices: load the device BPF program%s%s",
                          *log ? " (verifier: " : "", *log ? (nl ? nl + 1 : log) : "");
}

/* The ids of the device programs attached to the cgroup itself. */
static int prog_query(int cgfd, uint32_t **ids, uint32_t *n, sl_error *err)
{
        uint32_t cap = 64;
        uint32_t *buf = sl_xcalloc(cap, sizeof *buf);
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.query.target_fd = (uint32_t)cgfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)buf;
        attr.query.prog_cnt = cap;
        if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) {
                int saved = errno;
                free(buf);
                return sl_err_sys(err, saved, "linux.resources.devices: query attached device programs");
        }
        *ids = buf;
        *n = attr.query.prog_cnt < cap ? attr.query.prog_cnt : cap;
        return 0;
}

int sl_cg_v2_devices(const char *dir, const sl_cg_dev_rule *rules, size_t n, sl_error *err)
{
        _cleanup_free_ struct bpf_insn *insns = NULL;
        size_t len = 0;
        if (sl_cg_dev_program(rules, n, &insns, &len, err) < 0)
                return -1;
        _cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgfd < 0)
                return sl_err_sys(err, errno, "linux.resources.devices: open %s", dir);
        _cleanup_close_ int prog = prog_load(insns, len, err);
        if (prog < 0)
                return -1;
        _cleanup_free_ uint32_t *old = NULL;
        uint32_t nold = 0;
        if (prog_query(cgfd, &old, &nold, err) < 0)
                return -1;

        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.target_fd = (uint32_t)cgfd;
        attr.attach_bpf_fd = (uint32_t)prog;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
                /* A program attached without ALLOW_MULTI can only be replaced. */
                int saved = errno;
                attr.attach_flags = 0;
                if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
                        return sl_err_sys(err, saved, "linux.resources.devices: attach the device BPF program to %s",
                                          dir);
                return 0;
        }
        /* Programs from before this one would still veto accesses. */
        for (uint32_t i = 0; i < nold; i++) {
                union bpf_attr get;
                memset(&get, 0, sizeof get);
                get.prog_id = old[i];
                _cleanup_close_ int oldfd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &get);
                if (oldfd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return sl_err_sys(err, errno, "linux.resources.devices: get previous device program %u",
                                          old[i]);
                }
                union bpf_attr det;
                memset(&det, 0, sizeof det);
                det.target_fd = (uint32_t)cgfd;
                det.attach_bpf_fd = (uint32_t)oldfd;
                det.attach_type = BPF_CGROUP_DEVICE;
                if (sys_bpf(BPF_PROG_DETACH, &det) < 0 && errno != ENOENT)
                        return sl_err_sys(err, errno, "linux.resources.devices: detach previous device program %u",
                                          old[i]);
        }
        return 0;
}
