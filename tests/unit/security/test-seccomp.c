/* Loads real seccomp filters in forked children and checks what the
 * filtered and unfiltered syscalls then do. */
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/seccomp.h"
#include "runtime/lib/terminal.h"
#include "tests/unit/security/child.h"
#include "tests/unit/tap.h"

static oci_linux_seccomp *parse(const char *json)
{
        sl_error err = { 0 };
        oci_linux_seccomp *sc = oci_linux_seccomp_parse_data(json, strlen(json), "test", &err);
        if (!sc) {
                diag("parse: %s", err.msg);
                abort();
        }
        return sc;
}

/* Loads the filter given as arg, then runs the probe named in it. */
struct probe {
        const char *json;
        void (*after)(void);
};

/* sl_seccomp_load leaves NO_NEW_PRIVS to the caller; without it loading
 * needs CAP_SYS_ADMIN, so an unprivileged run sets it. */
static void nnp_unless_root(void)
{
        if (geteuid() != 0)
                prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static int load_and_probe(void *arg)
{
        struct probe *p = arg;
        nnp_unless_root();
        oci_linux_seccomp *sc = parse(p->json);
        sl_error err = { 0 };
        int nfd;
        if (sl_seccomp_load(sc, &nfd, &err) < 0) {
                child_say("load failed: %s", err.msg);
                return 2;
        }
        oci_linux_seccomp_free(sc);
        p->after();
        return 0;
}

static void say_rc(const char *what, long rc)
{
        child_say("%s=%ld/%d ", what, rc, rc < 0 ? errno : 0);
}

static void probe_getcwd_and_others(void)
{
        char buf[256];
        errno = 0;
        say_rc("getcwd", syscall(SYS_getcwd, buf, sizeof buf));
        say_rc("getppid", syscall(SYS_getppid) > 0 ? 0 : -1);
        say_rc("open", open("/dev/null", O_RDONLY) >= 0 ? 0 : -1);
}

static void test_errno_action(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}",
                probe_getcwd_and_others,
        };
        char out[512];
        int st = run_child(load_and_probe, &p, out, sizeof out);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ERRNO filter loads in a child");
        is_str(out, "getcwd=-1/42 getppid=0/0 open=0/0 ",
               "getcwd returns -1/errno 42 (errnoRet); getppid and open still work");
}

static void test_errno_default_eperm(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                probe_getcwd_and_others,
        };
        char out[512];
        run_child(load_and_probe, &p, out, sizeof out);
        ok(strncmp(out, "getcwd=-1/1 ", 12) == 0, "SCMP_ACT_ERRNO without errnoRet returns EPERM (got %s)", out);
}

static void probe_personality(void)
{
        say_rc("query", personality(0xffffffff));
        say_rc("set", personality(PER_LINUX) < 0 ? -1 : 0);
}

static void test_arg_eq(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":43,"
                "\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                probe_personality,
        };
        char out[512];
        run_child(load_and_probe, &p, out, sizeof out);
        is_str(out, "query=-1/43 set=0/0 ", "personality denied only when arg0 == 0xffffffff");
}

static void probe_socket(void)
{
        say_rc("inet", socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : -1);
        say_rc("unix", socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : -1);
}

static void test_arg_masked_eq_socket(void)
{
        /* MASKED_EQ: (arg0 & value) == valueTwo. */
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":44,"
                "\"args\":[{\"index\":0,\"value\":255,\"valueTwo\":2,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
                probe_socket,
        };
        char out[512];
        run_child(load_and_probe, &p, out, sizeof out);
        is_str(out, "inet=-1/44 unix=0/0 ", "socket(AF_INET) denied by MASKED_EQ, socket(AF_UNIX) allowed");
}

/* close() on three fds that do not exist: EBADF unless the rule hits. */
static void probe_close_values(void)
{
        for (int fd = 999; fd <= 1001; fd++)
                child_say("%c", close(fd) < 0 && errno == 42 ? 'D' : '.');
}

static void test_every_operator(void)
{
        static const struct { const char *op, *value, *want; } cases[] = {
                { "SCMP_CMP_NE", "1000", "D.D" },
                { "SCMP_CMP_LT", "1000", "D.." },
                { "SCMP_CMP_LE", "1000", "DD." },
                { "SCMP_CMP_EQ", "1000", ".D." },
                { "SCMP_CMP_GE", "1000", ".DD" },
                { "SCMP_CMP_GT", "1000", "..D" },
                /* 1000 & 0xff == 0xe8 (232); 999 and 1001 differ in the low byte. */
                { "SCMP_CMP_MASKED_EQ", "255,\"valueTwo\":232", ".D." },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char json[512];
                snprintf(json, sizeof json,
                         "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                         "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42,"
                         "\"args\":[{\"index\":0,\"value\":%s,\"op\":\"%s\"}]}]}",
                         cases[i].value, cases[i].op);
                struct probe p = { json, probe_close_values };
                char out[64];
                run_child(load_and_probe, &p, out, sizeof out);
                is_str(out, cases[i].want, "%s: close(999/1000/1001) denied exactly where the comparison holds",
                       cases[i].op);
        }
}

static void test_same_index_twice_is_or(void)
{
        /* Two comparisons of arg0: runc's semantics, one rule each (OR). */
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42,\"args\":["
                "{\"index\":0,\"value\":999,\"op\":\"SCMP_CMP_EQ\"},"
                "{\"index\":0,\"value\":1001,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                probe_close_values,
        };
        char out[64];
        run_child(load_and_probe, &p, out, sizeof out);
        is_str(out, "D.D", "two comparisons on one argument index match either value");
}

static void probe_allowlist(void)
{
        say_rc("getppid", syscall(SYS_getppid) > 0 ? 0 : -1);
        say_rc("getpid", syscall(SYS_getpid) > 0 ? 0 : -1);
}

static void test_default_errno_allowlist(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":77,\"syscalls\":["
                /* what the child (and an ASan runtime in it) needs to report and exit */
                "{\"names\":[\"write\",\"exit\",\"exit_group\",\"getpid\",\"rt_sigreturn\",\"brk\","
                "\"mmap\",\"munmap\",\"futex\",\"sigaltstack\",\"rt_sigprocmask\",\"rt_sigaction\","
                "\"madvise\",\"mprotect\",\"gettid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                probe_allowlist,
        };
        char out[512];
        int st = run_child(load_and_probe, &p, out, sizeof out);
        if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "allowlisted child exits normally"))
                diag("wait status %#x", st);
        is_str(out, "getppid=-1/77 getpid=0/0 ",
               "defaultAction ERRNO/defaultErrnoRet 77 denies getppid, allowlisted getpid works");
}

static void on_sigsys(int sig)
{
        (void)sig;
        child_say("trapped");
        _exit(9);
}

static void probe_getcwd(void)
{
        signal(SIGSYS, on_sigsys);
        char buf[64];
        syscall(SYS_getcwd, buf, sizeof buf);
        child_say("survived");
}

static void *getcwd_thread(void *arg)
{
        (void)arg;
        char buf[64];
        syscall(SYS_getcwd, buf, sizeof buf);
        return NULL;
}

/* getcwd in a second thread: only that thread dies under KILL_THREAD. */
static void probe_getcwd_in_thread(void)
{
        pthread_t t;
        if (pthread_create(&t, NULL, getcwd_thread, NULL) != 0)
                return;
        sleep(1);
        child_say("main thread alive");
}

static void test_kill_actions(void)
{
        static const struct { const char *action; void (*probe)(void); int sig, code; const char *out; } cases[] = {
                { "SCMP_ACT_KILL", probe_getcwd, SIGSYS, 0, "" },
                { "SCMP_ACT_KILL_PROCESS", probe_getcwd, SIGSYS, 0, "" },
                { "SCMP_ACT_KILL_THREAD", probe_getcwd, SIGSYS, 0, "" },
                { "SCMP_ACT_TRAP", probe_getcwd, 0, 9, "trapped" },
                { "SCMP_ACT_KILL_PROCESS", probe_getcwd_in_thread, SIGSYS, 0, "" },
                { "SCMP_ACT_KILL_THREAD", probe_getcwd_in_thread, 0, 0, "main thread alive" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char json[256];
                snprintf(json, sizeof json,
                         "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                         "{\"names\":[\"getcwd\"],\"action\":\"%s\"}]}", cases[i].action);
                struct probe p = { json, cases[i].probe };
                char out[64];
                int st = run_child(load_and_probe, &p, out, sizeof out);
                const char *where = cases[i].probe == probe_getcwd ? "getcwd" : "getcwd in a thread";
                if (cases[i].sig)
                        ok(WIFSIGNALED(st) && WTERMSIG(st) == cases[i].sig && !strcmp(out, cases[i].out),
                           "%s, %s: the process dies of SIGSYS (handler or not)", cases[i].action, where);
                else
                        ok(WIFEXITED(st) && WEXITSTATUS(st) == cases[i].code && !strcmp(out, cases[i].out),
                           "%s, %s: %s", cases[i].action, where, cases[i].out);
        }
}

static void probe_trace(void)
{
        char buf[64];
        say_rc("getcwd", syscall(SYS_getcwd, buf, sizeof buf));
}

static void test_trace_without_tracer(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":5}]}",
                probe_trace,
        };
        char out[64];
        run_child(load_and_probe, &p, out, sizeof out);
        is_str(out, "getcwd=-1/38 ", "SCMP_ACT_TRACE with no tracer attached fails the call with ENOSYS");
}

static void test_log_and_unknown_names(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":["
                "{\"names\":[\"no_such_syscall_xyz\",\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42},"
                "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\"}]}",
                probe_getcwd_and_others,
        };
        char out[512];
        run_child(load_and_probe, &p, out, sizeof out);
        is_str(out, "getcwd=-1/42 getppid=0/0 open=0/0 ",
               "an unknown syscall name is skipped, its neighbours filtered; SCMP_ACT_LOG allows");
}

static void test_flags_and_archs(void)
{
        struct probe p = {
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
                "\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\"syscalls\":["
                "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}",
                probe_getcwd_and_others,
        };
        char out[512];
        run_child(load_and_probe, &p, out, sizeof out);
        is_str(out, "getcwd=-1/42 getppid=0/0 open=0/0 ",
               "TSYNC and SPEC_ALLOW flags and extra architectures load and filter");
}

static void expect_error(const char *json, const char *want, const char *name)
{
        oci_linux_seccomp *sc = parse(json);
        sl_error err = { 0 };
        int nfd = -5;
        /* Only invalid configs reach here: they fail before anything loads. */
        int rc = sl_seccomp_load(sc, &nfd, &err);
        ok(rc < 0 && nfd == -1, "%s: load fails", name);
        is_str(err.msg, want, "%s: the error names the field", name);
        oci_linux_seccomp_free(sc);
}

static void test_errors(void)
{
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                     "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_FOO\"}]}",
                     "seccomp: linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"",
                     "unknown action");
        expect_error("{\"defaultAction\":\"SCMP_ACT_NOPE\"}",
                     "seccomp: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"",
                     "unknown default action");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"close\"],"
                     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ALMOST\"}]}]}",
                     "seccomp: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ALMOST\"",
                     "unknown operator");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"close\"],"
                     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                     "seccomp: linux.seccomp.syscalls[0].args[0].index: 6 is out of range 0..5",
                     "argument index 6");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_VAX\"]}",
                     "seccomp: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"",
                     "unknown architecture");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_MAGIC\"]}",
                     "seccomp: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_MAGIC\"",
                     "unknown flag");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
                     "\"action\":\"SCMP_ACT_NOTIFY\"}]}",
                     "seccomp: linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used",
                     "notify without listenerPath");
        expect_error("{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/x\"}",
                     "seccomp: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action "
                     "(the runtime's own syscalls would wait on the listener)",
                     "NOTIFY as default");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
                     "\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":3}]}",
                     "seccomp: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
                     "not SCMP_ACT_KILL",
                     "errnoRet on a KILL rule");

        sl_seccomp_feature_list f;
        sl_seccomp_features(&f);
        bool waitkill = false;
        for (size_t i = 0; i < f.n_supported_flags; i++)
                waitkill |= !strcmp(f.supported_flags[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        if (!waitkill) {
                oci_linux_seccomp *sc = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                              "\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}");
                sl_error err = { 0 };
                int nfd;
                ok(sl_seccomp_load(sc, &nfd, &err) < 0 &&
                   strstr(err.msg, "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is "),
                   "a flag this libseccomp/kernel lacks is a clear error (%s)", err.msg);
                oci_linux_seccomp_free(sc);
        } else {
                ok(1, "WAIT_KILLABLE_RECV is supported here # SKIP unsupported-flag error not reachable");
        }
}

static bool has(const char *const *v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(v[i], s))
                        return true;
        return false;
}

static void test_features(void)
{
        sl_seccomp_feature_list f;
        sl_seccomp_features(&f);
        ok(f.enabled && f.n_actions == 9 && has(f.actions, f.n_actions, "SCMP_ACT_NOTIFY") &&
           has(f.actions, f.n_actions, "SCMP_ACT_KILL_PROCESS"), "features: all nine actions");
        ok(f.n_operators == 7 && has(f.operators, f.n_operators, "SCMP_CMP_MASKED_EQ"), "features: all seven operators");
        ok(has(f.archs, f.n_archs, "SCMP_ARCH_X86_64") && has(f.archs, f.n_archs, "SCMP_ARCH_AARCH64"),
           "features: architectures");
        ok(f.n_known_flags == 4, "features: four known flags");
        ok(has(f.supported_flags, f.n_supported_flags, "SECCOMP_FILTER_FLAG_TSYNC") &&
           has(f.supported_flags, f.n_supported_flags, "SECCOMP_FILTER_FLAG_LOG") &&
           has(f.supported_flags, f.n_supported_flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
           "features: TSYNC, LOG and SPEC_ALLOW are supported on this host");
}

/* ---- notify ---- */

static char listener_path[108];

static int notify_child(void *arg)
{
        const char *dir = arg;
        char json[512];
        snprintf(json, sizeof json,
                 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\","
                 "\"listenerMetadata\":\"MKDIR=fake\",\"syscalls\":["
                 "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", listener_path);
        oci_linux_seccomp *sc = parse(json);
        sl_error err = { 0 };
        int nfd;
        nnp_unless_root();
        if (sl_seccomp_load(sc, &nfd, &err) < 0) {
                child_say("load: %s", err.msg);
                return 2;
        }
        char state[256];
        snprintf(state, sizeof state, "{\"ociVersion\":\"1.2.0\",\"id\":\"notify-test\",\"status\":\"creating\","
                 "\"pid\":%d,\"bundle\":\"/b\"}", (int)getpid());
        if (nfd < 0 || sl_seccomp_send_notify_fd(sc, nfd, state, &err) < 0) {
                child_say("send: fd %d: %s", nfd, err.msg);
                return 3;
        }
        close(nfd);
        oci_linux_seccomp_free(sc);
        char sub[256];
        snprintf(sub, sizeof sub, "%s/made-by-child", dir);
        say_rc("mkdir", syscall(SYS_mkdir, sub, 0755));
        return 0;
}

static const char *jstr(yajl_val v, const char *a, const char *b)
{
        const char *path[] = { a, b, NULL };
        yajl_val s = yajl_tree_get(v, path, yajl_t_string);
        return s ? YAJL_GET_STRING(s) : NULL;
}

static long long jint(yajl_val v, const char *a, const char *b)
{
        const char *path[] = { a, b, NULL };
        yajl_val s = yajl_tree_get(v, path, yajl_t_number);
        return s && YAJL_IS_INTEGER(s) ? YAJL_GET_INTEGER(s) : -1;
}

static void test_notify(void)
{
        char dir[] = "/tmp/sl-notify-XXXXXX";
        if (!mkdtemp(dir))
                abort();
        snprintf(listener_path, sizeof listener_path, "%s/listener.sock", dir);
        sl_error err = { 0 };
        int ls = sl_unix_listen(listener_path, &err);
        if (ls < 0)
                abort();

        /* The child blocks in mkdir until this process answers, so the
         * listener side runs here while run_child would wait: fork by hand. */
        int p[2];
        if (pipe(p) < 0)
                abort();
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                close(p[0]);
                child_out_fd_ = p[1];
                _exit(notify_child(dir));
        }
        close(p[1]);
        int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        char payload[4096];
        int nfd = -1;
        int n = conn < 0 ? -1 : sl_unix_recv_fd(conn, &nfd, payload, sizeof payload, &err);
        ok(n > 0 && nfd >= 0, "the listener receives the notify fd over SCM_RIGHTS (%s)", n < 0 ? err.msg : "ok");

        char perr[128];
        yajl_val v = n > 0 ? yajl_tree_parse(payload, perr, sizeof perr) : NULL;
        ok(v != NULL, "the payload is JSON");
        const char *fds_path[] = { "fds", NULL };
        yajl_val fds = v ? yajl_tree_get(v, fds_path, yajl_t_array) : NULL;
        yajl_val fd0 = fds && YAJL_GET_ARRAY(fds)->len == 1 ? YAJL_GET_ARRAY(fds)->values[0] : NULL;
        is_str(fd0 && YAJL_IS_STRING(fd0) ? fd0->u.string : NULL, "seccompFd", "payload fds is [\"seccompFd\"]");
        ok(v && jint(v, "pid", NULL) == pid && jint(v, "state", "pid") == pid, "payload pid and state.pid are the child's");
        is_str(v ? jstr(v, "metadata", NULL) : NULL, "MKDIR=fake", "payload metadata is listenerMetadata");
        is_str(v ? jstr(v, "ociVersion", NULL) : NULL, "1.2.0", "payload ociVersion");
        is_str(v ? jstr(v, "state", "id") : NULL, "notify-test", "payload state is the container state");
        if (v)
                yajl_tree_free(v);

        struct seccomp_notif *req = NULL;
        struct seccomp_notif_resp *resp = NULL;
        if (seccomp_notify_alloc(&req, &resp) < 0)
                abort();
        int rc = nfd >= 0 ? seccomp_notify_receive(nfd, req) : -1;
        ok(rc == 0 && req->pid == (uint32_t)pid && req->data.nr == SYS_mkdir,
           "the listener receives the child's mkdir as a notification");
        /* Answer "success" without creating anything: only the listener
         * can make the child see 0 while the directory stays absent. */
        resp->id = req->id;
        resp->error = 0;
        resp->val = 0;
        resp->flags = 0;
        ok(rc == 0 && seccomp_notify_respond(nfd, resp) == 0, "the listener answers");
        seccomp_notify_free(req, resp);

        char out[256];
        ssize_t r = read(p[0], out, sizeof out - 1);
        out[r > 0 ? r : 0] = '\0';
        int st;
        waitpid(pid, &st, 0);
        is_str(out, "mkdir=0/0 ", "the child's mkdir returns the listener's answer");
        char sub[256];
        snprintf(sub, sizeof sub, "%s/made-by-child", dir);
        struct stat sb;
        ok(stat(sub, &sb) < 0 && errno == ENOENT, "the directory was not really made (the kernel did not run mkdir)");

        close(p[0]);
        if (nfd >= 0)
                close(nfd);
        if (conn >= 0)
                close(conn);
        close(ls);
        unlink(listener_path);
        rmdir(dir);
}

static void test_process_state_shape(void)
{
        sl_error err = { 0 };
        char *out = NULL;
        int rc = sl_seccomp_container_process_state("a\"b\\c\n",
                                                     "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"created\","
                                                     "\"pid\":42,\"bundle\":\"/b\"}", &out, &err);
        ok(rc == 0, "containerProcessState builds");
        oci_container_process_state *cps = out ? oci_container_process_state_parse_data(out, strlen(out), "cps", &err) : NULL;
        ok(cps != NULL, "it parses as runtime-spec's containerProcessState (%s)", cps ? "ok" : err.msg);
        if (cps) {
                is_str(cps->metadata, "a\"b\\c\n", "metadata with quotes and newline survives escaping");
                is_int(cps->pid, 42, "pid taken from the state");
                is_str(cps->oci_version, "1.0.2", "ociVersion taken from the state");
                is_str(cps->state ? cps->state->id : NULL, "x", "state embedded");
                oci_container_process_state_free(cps);
        }
        free(out);
        out = NULL;
        ok(sl_seccomp_container_process_state(NULL, "[1]", &out, &err) < 0 &&
           strstr(err.msg, "not a JSON object"), "a state that is not an object is refused");
}

int main(void)
{
        alarm(120); /* a hung notify exchange fails instead of hanging */
        test_errno_action();
        test_errno_default_eperm();
        test_arg_eq();
        test_arg_masked_eq_socket();
        test_every_operator();
        test_same_index_twice_is_or();
        test_default_errno_allowlist();
        test_kill_actions();
        test_trace_without_tracer();
        test_log_and_unknown_names();
        test_flags_and_archs();
        test_errors();
        test_features();
        test_notify();
        test_process_state_shape();
        return tap_done();
}
