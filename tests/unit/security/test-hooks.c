/* Runs real hook programs and checks their order, stdin, argv, env,
 * timeouts and failure reports. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "common/cleanup.h"
#include "oci-specs/runtime-spec.h"
#include "runtime/lib/hooks.h"
#include "tests/unit/security/child.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/sl-hooks-XXXXXX";
static const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"hooktest\",\"status\":\"creating\",\"pid\":1234,"
                           "\"bundle\":\"/b\",\"annotations\":{\"a\":\"b\"}}";

static oci_hooks *parse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static oci_hooks *parse(const char *fmt, ...)
{
        char json[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(json, sizeof json, fmt, ap);
        va_end(ap);
        sl_error err = { 0 };
        oci_hooks *h = oci_hooks_parse_data(json, strlen(json), "test", &err);
        if (!h) {
                diag("parse: %s (%s)", err.msg, json);
                abort();
        }
        return h;
}

static char *slurp(const char *name)
{
        static char buf[8192];
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static double now(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Gone, or a zombie waiting for whoever it was reparented to. */
static bool alive(pid_t pid)
{
        for (int i = 0; i < 100; i++) {
                char path[64], st[512];
                snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
                FILE *f = fopen(path, "re");
                if (!f)
                        return false;
                size_t n = fread(st, 1, sizeof st - 1, f);
                fclose(f);
                st[n] = '\0';
                const char *close_paren = strrchr(st, ')');
                if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z')
                        return false;
                usleep(10000);
        }
        return true;
}

#define SH(cmd) "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"" cmd "\"]}"

static void test_order_and_stdin(void)
{
        oci_hooks *h = parse("{\"prestart\":[" SH("cat > %s/in1; echo 1 >> %s/order") ","
                             SH("cat > %s/in2; echo 2 >> %s/order") ","
                             SH("echo 3 >> %s/order") "]}", dir, dir, dir, dir, dir);
        sl_error err = { 0 };
        int rc = sl_hooks_run(h->prestart, h->prestart_len, "prestart", state, &err);
        ok(rc == 0, "three hooks run (%s)", rc ? err.msg : "ok");
        is_str(slurp("order"), "1\n2\n3\n", "hooks run in array order, each after the previous ended");
        is_str(slurp("in1"), state, "the first hook reads the state JSON on stdin");
        is_str(slurp("in2"), state, "the second hook reads the same state JSON");
        oci_hooks_free(h);
}

static void test_args_env(void)
{
        setenv("SL_HOOK_INHERITED", "from-runtime", 1);
        oci_hooks *h = parse("{\"createRuntime\":["
                             "{\"path\":\"/bin/sh\",\"args\":[\"custom-argv0\",\"-c\",\"echo $0 $1 > %s/argv\",\"x\",\"one\"]},"
                             "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo \\\"$FOO|$SL_HOOK_INHERITED\\\" > %s/env\"],"
                             "\"env\":[\"FOO=bar\"]},"
                             SH("echo \\\"$SL_HOOK_INHERITED\\\" > %s/inherit") "]}", dir, dir, dir);
        sl_error err = { 0 };
        int rc = sl_hooks_run(h->create_runtime, h->create_runtime_len, "createRuntime", state, &err);
        ok(rc == 0, "hooks with args and env run (%s)", rc ? err.msg : "ok");
        is_str(slurp("argv"), "x one\n", "args are passed as argv ($0, $1), no shell in between");
        is_str(slurp("env"), "bar|\n", "env replaces the environment entirely");
        is_str(slurp("inherit"), "from-runtime\n", "without env the hook inherits the runtime's environment");
        oci_hooks_free(h);

        char script[256];
        snprintf(script, sizeof script, "%s/noargs.sh", dir);
        FILE *f = fopen(script, "w");
        fprintf(f, "#!/bin/sh\necho \"$0\" > %s/noargs\n", dir);
        fclose(f);
        chmod(script, 0755);
        h = parse("{\"poststart\":[{\"path\":\"%s\"}]}", script);
        rc = sl_hooks_run(h->poststart, h->poststart_len, "poststart", state, &err);
        char want[300];
        snprintf(want, sizeof want, "%s\n", script);
        is_str(slurp("noargs"), want, "without args, argv[0] is the path");
        oci_hooks_free(h);
}

static void test_only_stdio_inherited(void)
{
        int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a careless runtime fd */
        oci_hooks *h = parse("{\"prestart\":[" SH("ls /proc/self/fd | tr '\\\\n' ' ' > %s/fds") "]}", dir);
        sl_error err = { 0 };
        int rc = sl_hooks_run(h->prestart, h->prestart_len, "prestart", state, &err);
        /* ls itself has fd 3 open on the directory it lists. */
        ok(rc == 0, "fd listing hook runs (%s)", rc ? err.msg : "ok");
        is_str(slurp("fds"), "0 1 2 3 ", "the hook inherits only stdin, stdout and stderr (fd %d stays behind)", leak);
        close(leak);
        oci_hooks_free(h);
}

static void test_timeout(void)
{
        oci_hooks *h = parse("{\"createRuntime\":[" SH("true") ","
                             "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo $$ > %s/pid; sleep 10 & echo $! > %s/bgpid; wait\"],"
                             "\"timeout\":1}," SH("echo ran > %s/third") "]}", dir, dir, dir);
        sl_error err = { 0 };
        double t0 = now();
        int rc = sl_hooks_run(h->create_runtime, h->create_runtime_len, "createRuntime", state, &err);
        double took = now() - t0;
        ok(rc < 0, "a hook over its timeout fails the stage");
        is_str(err.msg, "hook createRuntime[1] (/bin/sh): timed out after 1s", "the error names stage, index, path and timeout");
        ok(took >= 0.9 && took < 3, "it is stopped after about 1s (took %.2fs, the hook would sleep 10s)", took);
        char *p = slurp("pid");
        pid_t pid = p ? (pid_t)atoi(p) : 0;
        ok(pid > 0 && kill(pid, 0) < 0 && errno == ESRCH, "the hook process is gone (killed and reaped)");
        p = slurp("bgpid");
        pid_t bg = p ? (pid_t)atoi(p) : 0;
        ok(bg > 0 && !alive(bg), "its background child is killed too (process group)");
        ok(slurp("third") == NULL, "hooks after the failed one do not run");
        oci_hooks_free(h);
}

static void expect_fail(const char *hooks_json, const char *stage_json_name, const char *want, const char *name)
{
        oci_hooks *h = parse("{\"%s\":[%s]}", stage_json_name, hooks_json);
        sl_error err = { 0 };
        const oci_hook *list = NULL;
        size_t n = 0;
        if (!strcmp(stage_json_name, "prestart"))
                list = h->prestart, n = h->prestart_len;
        else if (!strcmp(stage_json_name, "poststop"))
                list = h->poststop, n = h->poststop_len;
        else
                list = h->start_container, n = h->start_container_len;
        int rc = sl_hooks_run(list, n, stage_json_name, state, &err);
        ok(rc < 0, "%s: the stage fails", name);
        is_str(err.msg, want, "%s: error text", name);
        oci_hooks_free(h);
}

static void test_failures(void)
{
        expect_fail(SH("exit 3"), "prestart", "hook prestart[0] (/bin/sh): exited with status 3", "exit status 3");
        expect_fail(SH("true") "," SH("kill -TERM $$"), "startContainer",
                    "hook startContainer[1] (/bin/sh): killed by signal 15 (Terminated)", "killed by a signal");
        expect_fail("{\"path\":\"/nonexistent/hook\"}", "poststop",
                    "hook poststop[0] (/nonexistent/hook): exec: No such file or directory", "missing program");
        expect_fail("{\"path\":\"bin/true\"}", "prestart",
                    "hook prestart[0] (bin/true): path: must be absolute", "relative path");
        expect_fail("{\"path\":\"/bin/true\",\"timeout\":0}", "prestart",
                    "hook prestart[0] (/bin/true): timeout: must be greater than zero, got 0", "zero timeout");
}

static void test_big_state_unread(void)
{
        /* A hook that ignores stdin must not block on a large state. */
        size_t big = 4 << 20;
        char *s = malloc(big + 1);
        memset(s, ' ', big);
        s[big] = '\0';
        oci_hooks *h = parse("{\"prestart\":[{\"path\":\"/bin/true\",\"timeout\":5}]}");
        sl_error err = { 0 };
        double t0 = now();
        int rc = sl_hooks_run(h->prestart, h->prestart_len, "prestart", s, &err);
        ok(rc == 0 && now() - t0 < 3, "a 4 MiB state and a hook that never reads it: no blocking (%s)",
           rc ? err.msg : "ok");
        oci_hooks_free(h);
        free(s);
}

static int run_with_sigchld_ignored(void *arg)
{
        (void)arg;
        signal(SIGCHLD, SIG_IGN); /* the kernel reaps children itself */
        oci_hooks *h = parse("{\"prestart\":[{\"path\":\"/bin/true\",\"timeout\":5}]}");
        sl_error err = { 0 };
        int rc = sl_hooks_run(h->prestart, h->prestart_len, "prestart", state, &err);
        child_say("%d %s", rc, err.msg);
        return 0;
}

static void test_lost_child(void)
{
        char out[512];
        run_child(run_with_sigchld_ignored, NULL, out, sizeof out);
        is_str(out, "-1 hook prestart[0] (/bin/true): waiting for it: No child processes",
               "a hook whose exit status cannot be collected is an error, not a success");
}

int main(void)
{
        if (!mkdtemp(dir))
                return 1;
        test_order_and_stdin();
        test_args_env();
        test_only_stdio_inherited();
        test_timeout();
        test_failures();
        test_big_state_unread();
        test_lost_child();
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
                diag("could not remove %s", dir);
        return tap_done();
}
