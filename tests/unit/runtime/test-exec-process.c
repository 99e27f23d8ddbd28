/* exec's process: config.process with runc's flag overrides, or a
 * process JSON whose absent fields come from the container; and which
 * namespaces it joins. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/lib/exec.h"
#include "runtime/lib/namespaces.h"
#include "tests/unit/tap.h"

static const char config[] =
        "{\"ociVersion\":\"1.2.0\",\"process\":{\"terminal\":true,\"cwd\":\"/srv\","
        "\"args\":[\"init\"],\"env\":[\"PATH=/bin\",\"A=1\"],\"user\":{\"uid\":5,\"gid\":6,"
        "\"additionalGids\":[7]},\"noNewPrivileges\":false,\"apparmorProfile\":\"prof\","
        "\"oomScoreAdj\":100,\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":20}],"
        "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
        "\"permitted\":[\"CAP_KILL\"]}}}";

static oci_spec *spec(void)
{
        sl_error err;
        oci_spec *s = oci_spec_parse_data(config, strlen(config), "config.json", &err);
        if (!s)
                diag("%s", err.msg);
        return s;
}

static bool has(char **v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

static char *write_tmp(const char *json)
{
        static char path[] = "/tmp/sl-exec-process-XXXXXX";
        int fd;

        strcpy(path, "/tmp/sl-exec-process-XXXXXX");
        fd = mkstemp(path);
        if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json))
                return NULL;
        close(fd);
        return path;
}

static void flags(void)
{
        char *args[] = { "sh", "-c", "x", NULL };
        char *env[] = { "A=2", "B=3", NULL };
        char *caps[] = { "CAP_SYS_ADMIN", "CAP_KILL", NULL };
        uint32_t gids[] = { 8 };
        sl_exec_opts o = { .args = args };
        sl_error err;
        oci_spec *s = spec();
        oci_process *p = sl_exec_build_process(&o, s, &err);

        ok(p && p->args_len == 3 && strcmp(p->args[2], "x") == 0, "the command replaces config.process.args");
        ok(p && !p->terminal, "terminal is off without --tty, whatever the config says");
        is_str(p ? p->cwd : NULL, "/srv", "cwd defaults to the config's");
        ok(p && p->user->uid == 5 && p->user->gid == 6, "the user defaults to the config's");
        ok(p && p->capabilities && p->capabilities->bounding_len == 1, "capabilities default to the config's");
        ok(p && p->has_oom_score_adj && p->oom_score_adj == 100, "oomScoreAdj stays the config's");
        oci_process_free(p);
        oci_spec_free(s);

        o = (sl_exec_opts){ .args = args, .env = env, .caps = caps, .cwd = "/tmp", .tty = true,
                            .has_uid = true, .uid = 1000, .additional_gids = gids,
                            .additional_gids_len = 1, .no_new_privs = true, .apparmor = "other" };
        s = spec();
        p = sl_exec_build_process(&o, s, &err);
        ok(p != NULL, "flags apply");
        if (!p) {
                oci_spec_free(s);
                return;
        }
        is_int(p->env_len, 3, "--env replaces A and adds B");
        is_str(p->env[1], "A=2", "the replaced variable keeps its place with the new value");
        is_str(p->env[2], "B=3", "a new variable goes last");
        is_str(p->cwd, "/tmp", "--cwd wins");
        ok(p->terminal, "--tty turns the terminal on");
        ok(p->user->uid == 1000 && p->user->gid == 6, "--user UID keeps the config's gid");
        ok(p->user->additional_gids_len == 2 && p->user->additional_gids[1] == 8,
           "--additional-gids appends to the config's");
        ok(p->has_no_new_privileges && p->no_new_privileges, "--no-new-privs sets it");
        is_str(p->apparmor_profile, "other", "--apparmor replaces the profile");
        ok(p->capabilities->bounding_len == 2 && has(p->capabilities->bounding, 2, "CAP_SYS_ADMIN"),
           "--cap adds to bounding, once (CAP_KILL was there)");
        ok(has(p->capabilities->effective, p->capabilities->effective_len, "CAP_SYS_ADMIN") &&
                   has(p->capabilities->permitted, p->capabilities->permitted_len, "CAP_SYS_ADMIN"),
           "--cap adds to effective and permitted");
        ok(!p->capabilities->ambient_len && !p->capabilities->inheritable_len,
           "--cap leaves ambient and inheritable alone, as runc");
        oci_process_free(p);
        oci_spec_free(s);

        char *empty[] = { NULL };
        o = (sl_exec_opts){ .args = empty, .cwd = "rel" };
        s = spec();
        p = sl_exec_build_process(&o, s, &err);
        ok(!p && strstr(err.msg, "process.args"), "no command is an error naming process.args");
        oci_spec_free(s);
}

static void process_json(void)
{
        sl_exec_opts o = { 0 };
        sl_error err;
        oci_spec *s = spec();
        oci_process *p;

        o.process_file = write_tmp("{\"args\":[\"id\"],\"cwd\":\"/\",\"env\":[\"X=1\"],"
                                   "\"user\":{\"uid\":0,\"gid\":0}}");
        p = sl_exec_build_process(&o, s, &err);
        ok(p != NULL, "a process JSON is read");
        if (p) {
                is_int(p->env_len, 1, "its env is its own (not merged with the config's)");
                ok(p->capabilities && p->capabilities->bounding_len == 1, "absent capabilities come from the config");
                ok(p->rlimits_len == 1 && p->rlimits[0].hard == 20, "absent rlimits come from the config");
                is_str(p->apparmor_profile, "prof", "an absent apparmorProfile comes from the config");
                ok(p->has_no_new_privileges && !p->no_new_privileges, "an absent noNewPrivileges comes from the config");
                ok(p->user->uid == 0, "its user is its own");
                ok(!p->terminal, "terminal is the JSON's (absent: off)");
        }
        oci_process_free(p);
        oci_spec_free(s);
        unlink(o.process_file);

        s = spec();
        o.process_file = write_tmp("{\"args\":[\"id\"],\"cwd\":\"/\",\"noNewPrivileges\":true,"
                                   "\"capabilities\":{\"bounding\":[]}}");
        p = sl_exec_build_process(&o, s, &err);
        ok(p && p->no_new_privileges && p->capabilities->bounding_len == 0,
           "fields the JSON gives are kept, even empty ones");
        oci_process_free(p);
        oci_spec_free(s);
        unlink(o.process_file);

        s = spec();
        o.process_file = write_tmp("{\"args\":[\"id\"]}");
        p = sl_exec_build_process(&o, s, &err);
        ok(!p && strstr(err.msg, o.process_file) && strstr(err.msg, "cwd"),
           "a missing cwd is an error naming the file and the field");
        oci_spec_free(s);
        unlink(o.process_file);

        s = spec();
        o.process_file = write_tmp("{\"args\":\"id\",\"cwd\":\"/\"}");
        p = sl_exec_build_process(&o, s, &err);
        ok(!p && strstr(err.msg, o.process_file) && strstr(err.msg, "args"),
           "a mistyped field is an error naming the file and the field");
        oci_spec_free(s);
        unlink(o.process_file);
}

/* What exec joins: the namespaces of a process that differ from ours. */
static void differing(void)
{
        sl_error err;
        int flags = -1, sp[2];
        pid_t child;
        char c;

        ok(sl_ns_differing(getpid(), &flags, &err) == 0 && flags == 0, "our own namespaces need no joining");
        ok(sl_ns_differing(999999999, &flags, &err) < 0 && strstr(err.msg, "/proc/999999999/ns/"),
           "a missing process is an error naming its /proc path");
        if (geteuid() != 0) {
                printf("ok %d - # SKIP a process in a new uts namespace (needs root)\n", ++tap_count_);
                return;
        }
        if (pipe(sp) < 0)
                return;
        child = fork();
        if (child == 0) {
                close(sp[0]);
                if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0)
                        _exit(1);
                c = 'x';
                if (write(sp[1], &c, 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        close(sp[1]);
        ok(read(sp[0], &c, 1) == 1 && sl_ns_differing(child, &flags, &err) == 0 &&
                   flags == (CLONE_NEWUTS | CLONE_NEWIPC),
           "a process with new uts and ipc namespaces differs in exactly those");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        close(sp[0]);
}

int main(void)
{
        flags();
        process_json();
        differing();
        return tap_done();
}
