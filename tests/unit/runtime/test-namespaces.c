/* linux.namespaces → what the init gets new and what it joins. */
#include <sched.h>
#include <string.h>

#include "runtime/lib/namespaces.h"
#include "tests/unit/tap.h"

static oci_spec *spec_of(const char *linux_json, sl_error *err)
{
        static char buf[4096];
        snprintf(buf, sizeof(buf),
                 "{\"ociVersion\":\"1.2.0\",\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]},"
                 "\"linux\":%s}", linux_json);
        return oci_spec_parse_data(buf, strlen(buf), "config.json", err);
}

/* The plan points into the spec, which is kept until the next call. */
static int plan_of(const char *linux_json, sl_ns_plan *plan, sl_error *err)
{
        static oci_spec *s;

        oci_spec_free(s);
        s = spec_of(linux_json, err);
        return s ? sl_ns_plan_from_spec(s, plan, err) : -1;
}

int main(void)
{
        sl_ns_plan p;
        sl_error err;

        ok(plan_of("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"mount\"},"
                   "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"cgroup\"}]}", &p, &err) == 0,
           "the usual set is accepted");
        is_int(p.clone_flags, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS,
               "clone flags hold the new namespaces except cgroup");
        ok(p.new_cgroup && !p.new_time && !p.new_user, "cgroup is unshared later, no user/time");
        ok(p.own_mount && p.own_uts, "mount and uts are the container's own");
        ok(!sl_ns_needs_intermediate(&p), "no intermediate process is needed");

        ok(plan_of("{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"mount\"}]}",
                   &p, &err) == 0, "a namespace with a path is joined");
        is_int(p.n_join, 1, "one namespace to join");
        is_str(p.join[0].type, "network", "the joined one is network");
        is_int(p.join[0].flag, CLONE_NEWNET, "with its setns flag");
        ok(!(p.clone_flags & CLONE_NEWNET), "a joined namespace is not also made new");
        ok(!sl_ns_needs_intermediate(&p), "a joined network namespace needs no intermediate");

        plan_of("{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"},{\"type\":\"mount\"}]}", &p, &err);
        ok(sl_ns_needs_intermediate(&p), "joining a pid namespace needs an intermediate (children only)");
        plan_of("{\"namespaces\":[{\"type\":\"time\"},{\"type\":\"mount\"}]}", &p, &err);
        ok(sl_ns_needs_intermediate(&p), "a new time namespace needs an intermediate");
        plan_of("{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"uts\",\"path\":\"/proc/1/ns/uts\"}],"
                "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}", &p, &err);
        ok(sl_ns_needs_intermediate(&p), "joining anything next to a new user namespace needs an intermediate");
        ok(p.own_uts && !p.own_mount, "a joined uts namespace is the container's own; no mount ns given");

        ok(plan_of("{\"namespaces\":[{\"type\":\"bogus\"}]}", &p, &err) < 0, "an unknown type is refused");
        is_str(err.msg, "linux.namespaces[0].type: unknown namespace type \"bogus\"", "naming the entry");
        ok(plan_of("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}", &p, &err) < 0,
           "a type given twice is refused");
        is_str(err.msg, "linux.namespaces[1]: namespace \"pid\" given twice", "naming the second entry");
        ok(plan_of("{\"namespaces\":[{\"type\":\"net\"}]}", &p, &err) < 0, "\"net\" is not a runtime-spec type");
        ok(plan_of("{\"namespaces\":[{\"type\":\"network\",\"path\":\"relative/ns\"}]}", &p, &err) < 0,
           "a relative path is refused");
        ok(plan_of("{\"namespaces\":[{\"type\":\"user\"}]}", &p, &err) < 0,
           "a new user namespace without mappings is refused");
        is_str(err.msg, "linux.uidMappings: a new user namespace needs mappings", "naming the field");
        ok(plan_of("{\"namespaces\":[],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}", &p, &err) < 0,
           "mappings without a user namespace are refused");
        ok(plan_of("{\"namespaces\":[],\"timeOffsets\":{\"boottime\":{\"secs\":1}}}", &p, &err) < 0,
           "time offsets without a new time namespace are refused");
        plan_of("{}", &p, &err);
        return tap_done();
}
