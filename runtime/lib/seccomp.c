#include "runtime/lib/seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "runtime/lib/terminal.h"

#define P "seccomp: linux.seccomp"

/* libseccomp 2.6 added the WAIT_KILLABLE_RECV attribute. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define SL_HAVE_WAITKILL 1
#endif

static const char *const action_names[] = {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
};

static const struct { const char *name; enum scmp_compare op; } operators[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};
static const char *const operator_names[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static const struct { const char *name; uint32_t arch; } archs[] = {
        { "SCMP_ARCH_X86", SCMP_ARCH_X86 }, { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
        { "SCMP_ARCH_X32", SCMP_ARCH_X32 }, { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
        { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 }, { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
        { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 }, { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
        { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL }, { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
        { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 }, { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
        { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 }, { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
        { "SCMP_ARCH_S390", SCMP_ARCH_S390 }, { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
        { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC }, { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
        { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
        { "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
        { "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
#ifdef SCMP_ARCH_SH
        { "SCMP_ARCH_SH", SCMP_ARCH_SH }, { "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
#endif
};
#define N_ARCHS (sizeof archs / sizeof archs[0])
static const char *arch_names[N_ARCHS];

enum { FLAG_TSYNC, FLAG_LOG, FLAG_SPEC_ALLOW, FLAG_WAIT_KILLABLE_RECV, N_FLAGS };
static const char *const flag_names[N_FLAGS] = {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Why a flag cannot be used here, or NULL when it can.  The API level is
 * libseccomp's probe of both itself and the running kernel. */
static const char *flag_unsupported(int flag)
{
        unsigned api = seccomp_api_get();
        switch (flag) {
        case FLAG_TSYNC:
                return api >= 2 ? NULL : "needs libseccomp API level 2 (kernel TSYNC)";
        case FLAG_LOG:
                return api >= 3 ? NULL : "needs libseccomp API level 3 (kernel SECCOMP_FILTER_FLAG_LOG)";
        case FLAG_SPEC_ALLOW:
                return api >= 4 ? NULL : "needs libseccomp API level 4 (kernel SECCOMP_FILTER_FLAG_SPEC_ALLOW)";
        case FLAG_WAIT_KILLABLE_RECV:
#ifdef SL_HAVE_WAITKILL
                return api >= 7 ? NULL : "needs libseccomp API level 7 (kernel 5.19)";
#else
                return "not supported by the libseccomp this sloika was built with (needs >= 2.6)";
#endif
        }
        return "unknown flag";
}

/* Maps an action name to libseccomp's value; ERRNO and TRACE carry errnoRet
 * (EPERM when unset, as runc does).  Returns -1 for an unknown name. */
static int parse_action(const char *name, bool has_ret, uint32_t ret, uint32_t *out)
{
        uint32_t code = has_ret ? ret : EPERM;
        if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
                *out = SCMP_ACT_KILL_THREAD;
        else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
                *out = SCMP_ACT_KILL_PROCESS;
        else if (!strcmp(name, "SCMP_ACT_TRAP"))
                *out = SCMP_ACT_TRAP;
        else if (!strcmp(name, "SCMP_ACT_ERRNO"))
                *out = SCMP_ACT_ERRNO(code);
        else if (!strcmp(name, "SCMP_ACT_TRACE"))
                *out = SCMP_ACT_TRACE(code);
        else if (!strcmp(name, "SCMP_ACT_ALLOW"))
                *out = SCMP_ACT_ALLOW;
        else if (!strcmp(name, "SCMP_ACT_LOG"))
                *out = SCMP_ACT_LOG;
        else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
                *out = SCMP_ACT_NOTIFY;
        else
                return -1;
        return 0;
}

static bool takes_ret(const char *action)
{
        return !strcmp(action, "SCMP_ACT_ERRNO") || !strcmp(action, "SCMP_ACT_TRACE");
}

bool sl_seccomp_spec_uses_notify(const oci_linux_seccomp *sc)
{
        if (sc->default_action && !strcmp(sc->default_action, "SCMP_ACT_NOTIFY"))
                return true;
        for (size_t i = 0; i < sc->syscalls_len; i++)
                if (sc->syscalls[i].action && !strcmp(sc->syscalls[i].action, "SCMP_ACT_NOTIFY"))
                        return true;
        return false;
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

static int add_archs(scmp_filter_ctx ctx, const oci_linux_seccomp *sc, sl_error *err)
{
        for (size_t i = 0; i < sc->architectures_len; i++) {
                const char *name = sc->architectures[i];
                size_t a = 0;
                while (a < N_ARCHS && strcmp(archs[a].name, name))
                        a++;
                if (a == N_ARCHS)
                        return sl_err(err, EINVAL, P ".architectures[%zu]: unknown architecture \"%s\"", i, name);
                int rc = seccomp_arch_add(ctx, archs[a].arch);
                if (rc < 0 && rc != -EEXIST)
                        return sl_err_sys(err, -rc, P ".architectures[%zu]: adding \"%s\"", i, name);
        }
        return 0;
}

static int set_flags(scmp_filter_ctx ctx, const oci_linux_seccomp *sc, sl_error *err)
{
        for (size_t i = 0; i < sc->flags_len; i++) {
                const char *name = sc->flags[i];
                int f = 0;
                while (f < N_FLAGS && strcmp(flag_names[f], name))
                        f++;
                if (f == N_FLAGS)
                        return sl_err(err, EINVAL, P ".flags[%zu]: unknown flag \"%s\"", i, name);
                const char *why = flag_unsupported(f);
                if (why)
                        return sl_err(err, ENOTSUP, P ".flags[%zu]: %s is %s", i, name, why);
                enum scmp_filter_attr attr = SCMP_FLTATR_CTL_TSYNC;
                switch (f) {
                case FLAG_TSYNC: attr = SCMP_FLTATR_CTL_TSYNC; break;
                case FLAG_LOG: attr = SCMP_FLTATR_CTL_LOG; break;
                case FLAG_SPEC_ALLOW: attr = SCMP_FLTATR_CTL_SSB; break;
#ifdef SL_HAVE_WAITKILL
                case FLAG_WAIT_KILLABLE_RECV: attr = SCMP_FLTATR_CTL_WAITKILL; break;
#endif
                }
                int rc = seccomp_attr_set(ctx, attr, 1);
                if (rc < 0)
                        return sl_err_sys(err, -rc, P ".flags[%zu]: setting %s", i, name);
        }
        return 0;
}

/* Converts args[] to libseccomp conditions.  Returns how many, or -1. */
static int build_conditions(const oci_linux_syscall *s, size_t si, struct scmp_arg_cmp *cmp, sl_error *err)
{
        if (s->args_len > 6)
                return sl_err(err, EINVAL, P ".syscalls[%zu].args: %zu comparisons, at most 6 are supported",
                              si, s->args_len);
        for (size_t a = 0; a < s->args_len; a++) {
                const oci_linux_seccomp_arg *arg = &s->args[a];
                if (arg->index > 5)
                        return sl_err(err, EINVAL, P ".syscalls[%zu].args[%zu].index: %llu is out of range 0..5",
                                      si, a, (unsigned long long)arg->index);
                if (!arg->op)
                        return sl_err(err, EINVAL, P ".syscalls[%zu].args[%zu].op: missing", si, a);
                size_t o = 0;
                while (o < LEN(operators) && strcmp(operators[o].name, arg->op))
                        o++;
                if (o == LEN(operators))
                        return sl_err(err, EINVAL, P ".syscalls[%zu].args[%zu].op: unknown operator \"%s\"",
                                      si, a, arg->op);
                /* MASKED_EQ: value is the mask, valueTwo the expected result. */
                cmp[a] = (struct scmp_arg_cmp){
                        .arg = (unsigned)arg->index, .op = operators[o].op,
                        .datum_a = arg->value, .datum_b = arg->value_two,
                };
        }
        return (int)s->args_len;
}

/* libseccomp cannot AND two comparisons of the same argument; like runc,
 * such entries become one rule per comparison (OR). */
static bool repeats_an_index(const struct scmp_arg_cmp *cmp, int n)
{
        for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                        if (cmp[i].arg == cmp[j].arg)
                                return true;
        return false;
}

static int add_syscall(scmp_filter_ctx ctx, const oci_linux_syscall *s, size_t si,
                       uint32_t default_action, sl_error *err)
{
        if (!s->action)
                return sl_err(err, EINVAL, P ".syscalls[%zu].action: missing", si);
        if (s->has_errno_ret && !takes_ret(s->action))
                return sl_err(err, EINVAL, P ".syscalls[%zu].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                              si, s->action);
        uint32_t action;
        if (parse_action(s->action, s->has_errno_ret, s->errno_ret, &action) < 0)
                return sl_err(err, EINVAL, P ".syscalls[%zu].action: unknown action \"%s\"", si, s->action);
        struct scmp_arg_cmp cmp[6];
        int ncmp = build_conditions(s, si, cmp, err);
        if (ncmp < 0)
                return -1;
        /* A rule equal to the default is a no-op libseccomp refuses. */
        if (action == default_action)
                return 0;
        bool split = repeats_an_index(cmp, ncmp);
        for (size_t n = 0; n < s->names_len; n++) {
                const char *name = s->names[n];
                int nr = seccomp_syscall_resolve_name(name);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* unknown to this libseccomp/arch: skipped, like runc */
                int rc = 0;
                if (!split)
                        rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)ncmp, cmp);
                for (int c = 0; split && c < ncmp && rc == 0; c++)
                        rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[c]);
                if (rc < 0)
                        return sl_err_sys(err, -rc, P ".syscalls[%zu].names[%zu]: adding rule for \"%s\"", si, n, name);
        }
        return 0;
}

/* Validates sc and builds its filter into *out (released by the caller). */
static int build(const oci_linux_seccomp *sc, scmp_filter_ctx *out, sl_error *err)
{
        if (!sc->default_action)
                return sl_err(err, EINVAL, P ".defaultAction: missing");
        if (sc->has_default_errno_ret && !takes_ret(sc->default_action))
                return sl_err(err, EINVAL, P ".defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                              sc->default_action);
        uint32_t def;
        if (parse_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, &def) < 0)
                return sl_err(err, EINVAL, P ".defaultAction: unknown action \"%s\"", sc->default_action);
        if (def == SCMP_ACT_NOTIFY)
                return sl_err(err, EINVAL, P ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action "
                              "(the runtime's own syscalls would wait on the listener)");
        bool notify = sl_seccomp_spec_uses_notify(sc);
        if (notify && (!sc->listener_path || !*sc->listener_path))
                return sl_err(err, EINVAL, P ".listenerPath: required when SCMP_ACT_NOTIFY is used");
        if (notify && seccomp_api_get() < 5)
                return sl_err(err, ENOTSUP, P ": SCMP_ACT_NOTIFY needs libseccomp API level 5 (kernel 5.0)");

        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return sl_err(err, EINVAL, P ": libseccomp could not create a filter");
        /* process.noNewPrivileges decides NNP, not libseccomp. */
        int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (rc < 0)
                return sl_err_sys(err, -rc, P ": clearing the NO_NEW_PRIVS attribute");
        if (add_archs(ctx, sc, err) < 0 || set_flags(ctx, sc, err) < 0)
                return -1;
        uint32_t tsync = 0;
        if (notify && seccomp_attr_get(ctx, SCMP_FLTATR_CTL_TSYNC, &tsync) == 0 && tsync && seccomp_api_get() < 6)
                return sl_err(err, ENOTSUP, P ".flags: SECCOMP_FILTER_FLAG_TSYNC together with SCMP_ACT_NOTIFY "
                              "needs libseccomp API level 6 (kernel 5.7)");
        for (size_t i = 0; i < sc->syscalls_len; i++)
                if (add_syscall(ctx, &sc->syscalls[i], i, def, err) < 0)
                        return -1;
        *out = ctx;
        ctx = NULL;
        return 0;
}

int sl_seccomp_export_bpf(const oci_linux_seccomp *sc, int fd, sl_error *err)
{
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;

        if (build(sc, &ctx, err) < 0)
                return -1;
        int rc = seccomp_export_bpf(ctx, fd);
        if (rc < 0)
                return sl_err_sys(err, -rc, "seccomp: exporting the filter");
        return 0;
}

int sl_seccomp_load(const oci_linux_seccomp *sc, int *notify_fd_out, sl_error *err)
{
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        bool notify = sl_seccomp_spec_uses_notify(sc);

        *notify_fd_out = -1;
        if (build(sc, &ctx, err) < 0)
                return -1;
        int rc = seccomp_load(ctx);
        if (rc < 0)
                return sl_err_sys(err, -rc, "seccomp: loading the filter");
        if (notify) {
                int fd = seccomp_notify_fd(ctx);
                if (fd < 0)
                        return sl_err_sys(err, fd == -1 ? EBADF : -fd, "seccomp: getting the notify listener fd");
                *notify_fd_out = fd;
        }
        return 0;
}

static void json_string(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

static void yajl_treep(yajl_val *v)
{
        if (*v)
                yajl_tree_free(*v);
}

int sl_seccomp_container_process_state(const char *metadata, const char *state_json,
                                       char **out, sl_error *err)
{
        char perr[256] = "";
        _cleanup_(yajl_treep) yajl_val state = yajl_tree_parse(state_json, perr, sizeof perr);
        if (!state || !YAJL_IS_OBJECT(state))
                return sl_err(err, EINVAL, "seccomp: container state: not a JSON object%s%s",
                              perr[0] ? ": " : "", perr);
        const char *pid_path[] = { "pid", NULL }, *ver_path[] = { "ociVersion", NULL };
        yajl_val pid = yajl_tree_get(state, pid_path, yajl_t_number);
        yajl_val ver = yajl_tree_get(state, ver_path, yajl_t_string);
        if (!pid || !YAJL_IS_INTEGER(pid))
                return sl_err(err, EINVAL, "seccomp: container state: pid: missing or not an integer");

        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return sl_err_sys(err, errno, "seccomp: building the container process state");
        fputs("{\"ociVersion\":", f);
        json_string(f, ver ? YAJL_GET_STRING(ver) : "1.2.0");
        fprintf(f, ",\"fds\":[\"seccompFd\"],\"pid\":%lld,\"metadata\":", YAJL_GET_INTEGER(pid));
        json_string(f, metadata ? metadata : "");
        fprintf(f, ",\"state\":%s}", state_json);
        if (fclose(f) != 0)
                return sl_err_sys(err, errno, "seccomp: building the container process state");
        *out = SL_STEAL(buf);
        return 0;
}

int sl_seccomp_send_notify_fd(const oci_linux_seccomp *sc, int notify_fd,
                              const char *state_json, sl_error *err)
{
        if (!sc->listener_path || !*sc->listener_path)
                return sl_err(err, EINVAL, P ".listenerPath: required when SCMP_ACT_NOTIFY is used");
        _cleanup_free_ char *msg = NULL;
        if (sl_seccomp_container_process_state(sc->listener_metadata, state_json, &msg, err) < 0)
                return -1;
        _cleanup_close_ int sock = sl_unix_connect(sc->listener_path, err);
        if (sock < 0)
                return sl_err_wrap(err, P ".listenerPath");
        if (sl_unix_send_fd(sock, notify_fd, msg, strlen(msg), err) < 0)
                return sl_err_wrap(err, P ".listenerPath: sending the listener fd to \"%s\"", sc->listener_path);
        return 0;
}

void sl_seccomp_features(sl_seccomp_feature_list *out)
{
        for (size_t i = 0; i < N_ARCHS; i++)
                arch_names[i] = archs[i].name;
        *out = (sl_seccomp_feature_list){
                .enabled = true,
                .actions = action_names, .n_actions = LEN(action_names),
                .operators = operator_names, .n_operators = LEN(operator_names),
                .archs = arch_names, .n_archs = N_ARCHS,
                .known_flags = flag_names, .n_known_flags = N_FLAGS,
        };
        for (int f = 0; f < N_FLAGS; f++)
                if (!flag_unsupported(f))
                        out->supported_flags[out->n_supported_flags++] = flag_names[f];
}
