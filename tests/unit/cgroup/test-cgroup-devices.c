/* Device rules: parsing, the effective list a container gets, and the v2
 * eBPF program, run here by a small interpreter of the instructions it
 * uses and compared with the rule semantics (last matching rule wins,
 * default deny). The kernel's verdict is checked by the live tests. */
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/lib/cgroup-internal.h"
#include "tests/unit/cgroup/cgtest.h"
#include "tests/unit/tap.h"

struct req {
        char type;   /* 'c' or 'b' */
        unsigned access;
        uint32_t major, minor;
};

/* Runs the program on one request; -1 for an instruction it should not
 * contain, or a jump out of the program. */
static int run(const struct bpf_insn *p, size_t n, const struct req *q)
{
        uint32_t ctx[3] = { (q->access << 16) | (q->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
                            q->major, q->minor };
        uint64_t r[11] = { 0 };
        bool r1_is_ctx = true;
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        if (i->src_reg != 1 || !r1_is_ctx || i->off < 0 || i->off > 8 || i->off % 4)
                                return -1;
                        r[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU | BPF_AND | BPF_K: r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm); break;
                case BPF_ALU | BPF_RSH | BPF_K: r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm; break;
                case BPF_ALU | BPF_MOV | BPF_X: r[i->dst_reg] = (uint32_t)r[i->src_reg]; break;
                case BPF_ALU | BPF_MOV | BPF_K: r[i->dst_reg] = (uint32_t)i->imm; break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                                pc += (size_t)(int64_t)i->off;
                        if (pc + 1 > n)
                                return -1;
                        break;
                case BPF_JMP | BPF_EXIT: return (int)r[0];
                default: return -1;
                }
                if (i->dst_reg == 1 && i->code != (BPF_JMP | BPF_JNE | BPF_K))
                        r1_is_ctx = false;
        }
        return -1;
}

/* The verifier refuses unreachable instructions and backward jumps. */
static bool all_reachable(const struct bpf_insn *p, size_t n)
{
        bool *seen = calloc(n, 1);
        bool ok = true;
        seen[0] = true;
        for (size_t pc = 0; pc < n; pc++) {
                if (!seen[pc])
                        ok = false;
                const struct bpf_insn *i = &p[pc];
                if (i->code == (BPF_JMP | BPF_EXIT))
                        continue;
                if (i->code == (BPF_JMP | BPF_JNE | BPF_K)) {
                        if (i->off < 0 || pc + 1 + (size_t)i->off >= n)
                                ok = false;
                        else
                                seen[pc + 1 + (size_t)i->off] = true;
                }
                if (pc + 1 < n)
                        seen[pc + 1] = true;
                else
                        ok = false; /* falls off the end */
        }
        free(seen);
        return ok;
}

static int reference(const sl_cg_dev_rule *rules, size_t n, const struct req *q)
{
        for (size_t i = n; i-- > 0;) {
                const sl_cg_dev_rule *r = &rules[i];
                if ((r->type == 'a' || r->type == q->type) && (q->access & ~r->access) == 0 &&
                    (r->major < 0 || r->major == q->major) && (r->minor < 0 || r->minor == q->minor))
                        return r->allow;
        }
        return 0;
}

static int verdict(const sl_cg_dev_rule *rules, size_t n, char type, unsigned access, uint32_t major,
                   uint32_t minor)
{
        struct bpf_insn *p = NULL;
        size_t len = 0;
        sl_error err = { 0 };
        if (sl_cg_dev_program(rules, n, &p, &len, &err) < 0)
                return -2;
        struct req q = { type, access, major, minor };
        int v = all_reachable(p, len) ? run(p, len, &q) : -3;
        free(p);
        return v;
}

static void test_parse(void)
{
        sl_error err = { 0 };
        sl_cg_dev_rule r;
        oci_linux_device_cgroup d = { .allow = true, .has_allow = true };
        ok(sl_cg_dev_rule_parse(&d, "f", &r, &err) == 0 && r.type == 'a' && r.major == -1 && r.minor == -1 &&
           r.access == SL_CG_DEV_ALL, "absent type, numbers and access mean all");
        d.type = "c", d.major = 1, d.has_major = true, d.minor = 3, d.has_minor = true, d.access = "rw";
        ok(sl_cg_dev_rule_parse(&d, "f", &r, &err) == 0 && r.type == 'c' && r.major == 1 && r.minor == 3 &&
           r.access == (SL_CG_DEV_READ | SL_CG_DEV_WRITE), "c 1:3 rw parses");
        d.type = "x";
        ok(sl_cg_dev_rule_parse(&d, "linux.resources.devices[4]", &r, &err) < 0 &&
           strstr(err.msg, "linux.resources.devices[4].type"), "bad type: %s", err.msg);
        d.type = "b", d.access = "rwx";
        ok(sl_cg_dev_rule_parse(&d, "linux.resources.devices[0]", &r, &err) < 0 &&
           strstr(err.msg, "devices[0].access"), "bad access: %s", err.msg);
        d.access = "r", d.major = -7;
        ok(sl_cg_dev_rule_parse(&d, "linux.resources.devices[0]", &r, &err) < 0 &&
           strstr(err.msg, "devices[0].major"), "negative major: %s", err.msg);
}

static void test_effective(void)
{
        oci_spec *spec = cgt_spec("{\"ociVersion\":\"1.2.0\",\"linux\":{\"resources\":{\"devices\":["
                                  "{\"allow\":false,\"access\":\"rwm\"}]},"
                                  "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229},"
                                  "{\"path\":\"/dev/p\",\"type\":\"p\"}]}}");
        sl_cg_dev_rule *rules = NULL;
        size_t n = 0;
        sl_error err = { 0 };
        ok(sl_cg_dev_rules(spec, &rules, &n, &err) == 0, "effective rules build: %s", err.msg);
        ok(n > 3 && !rules[0].allow && rules[0].type == 'a', "spec rules come first");
        ok(n > 3 && rules[n - 1].allow && rules[n - 1].major == 10 && rules[n - 1].minor == 229 &&
           strcmp(rules[n - 1].origin, "linux.devices[0]") == 0, "linux.devices are allowed last (fifos skipped)");
        is_int(verdict(rules, n, 'c', SL_CG_DEV_READ | SL_CG_DEV_WRITE, 1, 3), 1, "deny-all spec: /dev/null rw allowed by default");
        is_int(verdict(rules, n, 'c', SL_CG_DEV_READ, 1, 11), 0, "deny-all spec: /dev/kmsg denied");
        is_int(verdict(rules, n, 'b', SL_CG_DEV_MKNOD, 8, 0), 1, "mknod of a block device allowed");
        is_int(verdict(rules, n, 'b', SL_CG_DEV_READ, 8, 0), 0, "reading a block device denied");
        is_int(verdict(rules, n, 'c', SL_CG_DEV_WRITE, 136, 7), 1, "any /dev/pts/N allowed");
        is_int(verdict(rules, n, 'c', SL_CG_DEV_READ | SL_CG_DEV_WRITE, 10, 229), 1, "linux.devices entry allowed");
        free(rules);
        oci_spec_free(spec);

        spec = cgt_spec("{\"ociVersion\":\"1.2.0\",\"linux\":{\"resources\":{\"devices\":["
                        "{\"allow\":true,\"type\":\"q\"}]}}}");
        ok(sl_cg_dev_rules(spec, &rules, &n, &err) < 0 && strstr(err.msg, "linux.resources.devices[0].type"),
           "bad spec rule names its index: %s", err.msg);
        oci_spec_free(spec);
}

static void test_program(void)
{
        sl_cg_dev_rule allow_all_deny_null_w[] = {
                { true, 'a', -1, -1, SL_CG_DEV_ALL, "" },
                { false, 'c', 1, 3, SL_CG_DEV_WRITE, "" },
        };
        is_int(verdict(allow_all_deny_null_w, 2, 'c', SL_CG_DEV_WRITE, 1, 3), 0, "later deny overrides earlier allow-all");
        is_int(verdict(allow_all_deny_null_w, 2, 'c', SL_CG_DEV_READ, 1, 3), 1, "deny of w leaves r allowed");
        is_int(verdict(allow_all_deny_null_w, 2, 'c', SL_CG_DEV_READ | SL_CG_DEV_WRITE, 1, 3), 1,
               "rw request is not matched by a w-only deny (subset rule), falls to allow-all");
        is_int(verdict(allow_all_deny_null_w, 2, 'b', SL_CG_DEV_READ, 8, 0), 1, "other devices allowed");

        sl_cg_dev_rule catch_all_last[] = {
                { false, 'c', 1, 3, SL_CG_DEV_ALL, "" },
                { true, 'a', -1, -1, SL_CG_DEV_ALL, "" },
        };
        is_int(verdict(catch_all_last, 2, 'c', SL_CG_DEV_READ, 1, 3), 1,
               "a final allow-all wins, and the earlier rule is not emitted as unreachable code");

        is_int(verdict(NULL, 0, 'c', SL_CG_DEV_READ, 1, 3), 0, "no rules: everything denied");

        sl_cg_dev_rule read_only[] = { { true, 'c', 1, 3, SL_CG_DEV_READ, "" } };
        is_int(verdict(read_only, 1, 'c', SL_CG_DEV_READ, 1, 3), 1, "r rule allows read");
        is_int(verdict(read_only, 1, 'c', SL_CG_DEV_READ | SL_CG_DEV_WRITE, 1, 3), 0, "r rule does not allow rw");
        is_int(verdict(read_only, 1, 'b', SL_CG_DEV_READ, 1, 3), 0, "char rule does not match a block device");

        /* Random rule sets against the reference semantics. */
        srand(42);
        int mismatches = 0, runs = 0;
        static const int64_t nums[] = { -1, 1, 3, 5 };
        for (int t = 0; t < 300; t++) {
                sl_cg_dev_rule rules[6];
                size_t n = (size_t)(rand() % 7);
                for (size_t i = 0; i < n; i++) {
                        rules[i] = (sl_cg_dev_rule){ .allow = rand() % 2, .type = "acb"[rand() % 3],
                                                     .major = nums[rand() % 4], .minor = nums[rand() % 4],
                                                     .access = 1u + (unsigned)(rand() % 7) };
                }
                struct bpf_insn *p = NULL;
                size_t len = 0;
                if (sl_cg_dev_program(rules, n, &p, &len, NULL) < 0 || !all_reachable(p, len)) {
                        mismatches++;
                        free(p);
                        continue;
                }
                for (int k = 0; k < 20; k++) {
                        struct req q = { "cb"[rand() % 2], 1u + (unsigned)(rand() % 7), (uint32_t)(1 + rand() % 5),
                                         (uint32_t)(1 + rand() % 5) };
                        runs++;
                        if (run(p, len, &q) != reference(rules, n, &q))
                                mismatches++;
                }
                free(p);
        }
        is_int(mismatches, 0, "program verdicts equal the rule semantics on %d random requests", runs);
}

int main(void)
{
        test_parse();
        test_effective();
        test_program();
        return tap_done();
}
