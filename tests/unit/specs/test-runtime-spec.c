/* runtime-spec types: every config.json field round-trips, real runtimes'
 * configs parse, and bad input is refused with a message naming the path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci-specs/runtime-spec.h"
#include "tests/unit/specs/spec-test.h"

static void test_runc_and_crun_spec(void)
{
        sl_error err = { 0 };
        _cleanup_free_ char *path = fixture_path("runc-spec.json");
        oci_spec *s = oci_spec_parse_file(path, &err);
        if (!ok(s != NULL, "runc spec output parses"))
                diag("%s", err.msg);
        if (s != NULL) {
                is_str(s->oci_version, "1.0.2-dev", "runc spec: ociVersion read");
                ok(s->process && s->process->user && s->process->user->has_uid &&
                   s->process->user->uid == 0, "runc spec: process.user.uid read");
                is_int(s->mounts_len, 7, "runc spec: all default mounts read");
                is_str(s->mounts[2].destination, "/dev/pts", "runc spec: mounts are a contiguous array");
                ok(s->linux && s->linux->resources && s->linux->resources->devices_len == 1 &&
                   s->linux->resources->devices[0].has_allow && !s->linux->resources->devices[0].allow,
                   "runc spec: linux.resources.devices[0].allow false read");
                is_str(s->root->path, "rootfs", "runc spec: root.path read");
                oci_spec_free(s);
        }
        check_roundtrip(&oci_spec_type_, "runc-spec.json");
        check_roundtrip(&oci_spec_type_, "crun-spec.json");
}

static void test_full_config(void)
{
        _cleanup_free_ char *path = fixture_path("config-full.json");
        is_int(fixture_missing_fields(&oci_spec_type_, path), 0,
               "config-full.json sets every field of every config.json type");
        check_roundtrip(&oci_spec_type_, "config-full.json");

        sl_error err = { 0 };
        oci_spec *s = oci_spec_parse_file(path, &err);
        if (!ok(s != NULL, "config-full.json parses with the named API"))
                diag("%s", err.msg);
        if (s == NULL)
                return;
        const oci_process *p = s->process;
        ok(p->rlimits_len == 2 && p->rlimits[1].hard == UINT64_MAX,
           "uint64 above INT64_MAX read exactly (rlimits[1].hard)");
        ok(p->has_oom_score_adj && p->oom_score_adj == -500, "negative int32 read (oomScoreAdj)");
        ok(p->user->has_umask && p->user->umask == 18, "optional uint32 read with has_ (user.umask)");
        ok(p->user->additional_gids_len == 3 && p->user->additional_gids[2] == UINT32_MAX,
           "array of uint32 read (additionalGids)");
        ok(p->capabilities->has_inheritable && p->capabilities->inheritable_len == 0,
           "empty array is present with length 0");
        ok(strstr(p->args[2], "\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80 tab\there") != NULL,
           "escaped unicode and control characters decoded to UTF-8");
        is_str(p->exec_cpu_affinity->initial, "0-3,7", "execCPUAffinity.initial read");
        const oci_linux *l = s->linux;
        ok(l->resources->memory->has_kernel && l->resources->memory->kernel == INT64_MIN,
           "INT64_MIN read (memory.kernel)");
        ok(l->resources->memory->has_use_hierarchy && !l->resources->memory->use_hierarchy,
           "false bool is present (memory.useHierarchy)");
        ok(l->resources->memory->swappiness == UINT64_MAX, "uint64 max read (memory.swappiness)");
        ok(l->resources->block_io->leaf_weight == 65535, "uint16 max read (blockIO.leafWeight)");
        ok(l->seccomp->syscalls[1].args[1].value == UINT64_MAX &&
           l->seccomp->syscalls[1].args[1].has_value_two && l->seccomp->syscalls[1].args[1].value_two == 4096,
           "seccomp args value/valueTwo read");
        ok(l->time_offsets && l->time_offsets->len == 2, "timeOffsets map read");
        const oci_map_linux_rdma *rdma = l->resources->rdma;
        bool rdma_ok = rdma && rdma->len == 2;
        for (size_t i = 0; rdma_ok && i < rdma->len; i++)
                if (strcmp(rdma->keys[i], "mlx4_0") == 0)
                        rdma_ok = !rdma->values[i].has_hca_handles && rdma->values[i].hca_objects == 1000;
        ok(rdma_ok, "map of objects read, absent members stay absent (rdma)");
        is_str(oci_string_map_get(l->resources->unified, "io.max"), "8:0 rbps=1048576",
               "oci_string_map_get finds a value (unified)");
        ok(oci_string_map_get(s->annotations, "nope") == NULL, "oci_string_map_get misses unknown keys");
        is_str(oci_string_map_get(s->annotations, "aaa"), "", "empty string value kept");
        ok(l->net_devices && l->net_devices->len == 2, "netDevices map read");
        is_str(s->hooks->create_runtime[0].args[1], "create-runtime", "hooks.createRuntime read");
        ok(s->hooks->poststart[0].timeout == INT32_MAX, "hook timeout read");
        oci_spec_free(s);
}

static void test_other_documents(void)
{
        _cleanup_free_ char *fpath = fixture_path("features-full.json");
        is_int(fixture_missing_fields(&oci_features_type_, fpath), 0,
               "features-full.json sets every features.json field");
        check_roundtrip(&oci_features_type_, "features-full.json");
        check_roundtrip(&oci_state_type_, "state.json");
        check_roundtrip(&oci_container_process_state_type_, "container-process-state.json");
        _cleanup_free_ char *cpath = fixture_path("container-process-state.json");
        is_int(fixture_missing_fields(&oci_container_process_state_type_, cpath), 0,
               "container-process-state.json sets every field");

        sl_error err = { 0 };
        const char *proc = "{\"cwd\":\"/\",\"args\":[\"ps\"],\"user\":{\"uid\":0,\"gid\":-0}}";
        oci_process *p = oci_process_parse_data(proc, strlen(proc), "process.json", &err);
        ok(p && p->args_len == 1 && p->user->has_gid && p->user->gid == 0,
           "process.json parses on its own (exec --process); -0 reads as 0");
        oci_process_free(p);
        const char *res = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":-1}}";
        oci_linux_resources *r = oci_linux_resources_parse_data(res, strlen(res), "resources.json", &err);
        ok(r && r->memory->limit == 1048576 && r->pids->limit == -1,
           "linux resources parse on their own (update --resources)");
        oci_linux_resources_free(r);
}

static const struct {
        const char *json, *msg;
} bad_inputs[] = {
        { "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}}",
          "config.json: linux.resources.memory.limit: expected integer, got string" },
        { "{\"ociVersion\":1}", "config.json: ociVersion: expected string, got number" },
        { "{}", "config.json: ociVersion: missing required field" },
        { "{\"ociVersion\":null}", "config.json: ociVersion: missing required field" },
        { "{\"ociVersion\":\"1\",\"mounts\":{}}", "config.json: mounts: expected array, got object" },
        { "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"},{\"type\":\"tmpfs\"}]}",
          "config.json: mounts[1].destination: missing required field" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"terminal\":\"yes\"}}",
          "config.json: process.terminal: expected boolean, got string" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"sh\",1]}}",
          "config.json: process.args[1]: expected string, got number" },
        { "{\"ociVersion\":\"1\",\"process\":[]}", "config.json: process: expected object, got array" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-1,\"gid\":0}}}",
          "config.json: process.user.uid: negative value -1 not allowed for uint32" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":-5,\"soft\":1}]}}",
          "config.json: process.rlimits[0].hard: negative value -5 not allowed for uint64" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}}",
          "config.json: process.user.uid: value 4294967296 out of range for uint32" },
        { "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}",
          "config.json: linux.resources.blockIO.weight: value 65536 out of range for uint16" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":2147483648}}",
          "config.json: process.oomScoreAdj: value 2147483648 out of range for int32" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":-2147483649}}",
          "config.json: process.oomScoreAdj: value -2147483649 out of range for int32" },
        { "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}",
          "config.json: linux.resources.memory.limit: value 9223372036854775808 out of range for int64" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CPU\",\"hard\":18446744073709551616,\"soft\":1}]}}",
          "config.json: process.rlimits[0].hard: value 18446744073709551616 out of range for uint64" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":1.5}}",
          "config.json: process.oomScoreAdj: expected integer, got number 1.5" },
        { "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":1e3}}",
          "config.json: process.oomScoreAdj: expected integer, got number 1e3" },
        { "{\"ociVersion\":\"1\",\"annotations\":{\"a.b\":1}}",
          "config.json: annotations[\"a.b\"]: expected string, got number" },
        { "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"rdma\":{\"mlx\":{\"hcaHandles\":\"x\"}}}}}",
          "config.json: linux.resources.rdma[\"mlx\"].hcaHandles: expected integer, got string" },
        { "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1}]}]}}}",
          "config.json: linux.seccomp.syscalls[0].args[0].op: missing required field" },
        { "{\"ociVersion\":\"1\",\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":true}]}}",
          "config.json: hooks.poststop[0].timeout: expected integer, got boolean" },
        { "[]", "config.json: expected object, got array" },
        { "\"config\"", "config.json: expected object, got string" },
        { "", "config.json: invalid JSON: parse error: premature EOF" },
        { "{\"ociVersion\":\"1\",}", "config.json: invalid JSON: parse error: invalid object key (must be a string)" },
        { "{\"ociVersion\":\"1\"} x", "config.json: invalid JSON: parse error: trailing garbage" },
        { "{\"ociVersion\":'1'}", "config.json: invalid JSON: lexical error: invalid char in json text." },
        { "{\"ociVersion\":\"a\\u0000b\"}", "config.json: invalid JSON: \\u0000 in a string" },
};

static void test_bad_inputs(void)
{
        for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
                sl_error err = { 0 };
                const char *json = bad_inputs[i].json;
                oci_spec *s = oci_spec_parse_data(json, strlen(json), "config.json", &err);
                ok(s == NULL, "refused: %s", json);
                is_msg(err.msg, bad_inputs[i].msg);
                oci_spec_free(s);
        }

        sl_error err = { 0 };
        const char nul[] = "{\"ociVersion\":\"1\"}\0";
        ok(oci_spec_parse_data(nul, sizeof nul - 1, "config.json", &err) == NULL &&
           strcmp(err.msg, "config.json: invalid JSON: NUL byte in input") == 0, "raw NUL byte refused");

        /* Deep nesting inside an ignored key must not reach yajl's
         * recursive free; a comment must not hide the brackets. */
        size_t depth = 100000;
        char *deep = malloc(2 * depth + 64);
        size_t n = (size_t)sprintf(deep, "{\"ociVersion\":\"1\",/* \" */\"x\":");
        memset(deep + n, '[', depth);
        memset(deep + n + depth, ']', depth);
        strcpy(deep + n + 2 * depth, "}");
        ok(oci_spec_parse_data(deep, strlen(deep), "config.json", &err) == NULL &&
           strcmp(err.msg, "config.json: invalid JSON: nesting too deep") == 0,
           "100000-deep nesting refused without crashing");
        free(deep);

        ok(oci_spec_parse_file("/nonexistent/config.json", &err) == NULL &&
           strcmp(err.msg, "/nonexistent/config.json: No such file or directory") == 0,
           "missing file: error names the path");
        diag("%s", err.msg);
}

/* Every prefix of a valid document that stops before its final '}' is an
 * error (never a crash or a partial success). */
static void test_truncation(void)
{
        _cleanup_free_ char *path = fixture_path("config-full.json");
        size_t len = 0;
        _cleanup_free_ char *text = slurp(path, &len);
        if (!ok(text != NULL, "config-full.json read"))
                return;
        size_t last = (size_t)(strrchr(text, '}') - text);
        size_t refused = 0, mentions = 0;
        for (size_t cut = 0; cut <= last; cut++) {
                sl_error err = { 0 };
                oci_spec *s = oci_spec_parse_data(text, cut, "config.json", &err);
                if (s == NULL)
                        refused++;
                if (strncmp(err.msg, "config.json: invalid JSON: ", 27) == 0)
                        mentions++;
                oci_spec_free(s);
        }
        is_int(refused, last + 1, "all %zu truncations of config-full.json refused", last + 1);
        is_int(mentions, last + 1, "every truncation reported as invalid JSON");
}

/* Deterministic mutations of a valid document: whatever is accepted can
 * be written and read back; nothing crashes (run under ASan/UBSan). */
static void test_mutations(void)
{
        _cleanup_free_ char *path = fixture_path("config-full.json");
        size_t len = 0;
        _cleanup_free_ char *text = slurp(path, &len);
        if (!ok(text != NULL && len > 0, "config-full.json read for mutation"))
                return;
        static const char alphabet[] = "{}[]\",:-0123456789.eE\\u tfnrl";
        unsigned seed = 12345;
        size_t accepted = 0, consistent = 0, total = 3000;
        _cleanup_free_ char *buf = malloc(len);
        for (size_t i = 0; i < total; i++) {
                memcpy(buf, text, len);
                int edits = 1 + (int)(rand_r(&seed) % 4);
                for (int e = 0; e < edits; e++)
                        buf[(size_t)rand_r(&seed) % len] = alphabet[(size_t)rand_r(&seed) % (sizeof alphabet - 1)];
                sl_error err = { 0 };
                oci_spec *s = oci_spec_parse_data(buf, len, "config.json", &err);
                if (s == NULL) {
                        if (strncmp(err.msg, "config.json: ", 13) == 0)
                                consistent++;
                        continue;
                }
                accepted++;
                char *out = NULL;
                size_t olen = 0;
                if (oci_spec_generate(s, 0, &out, &olen, &err) == 0) {
                        oci_spec *again = oci_spec_parse_data(out, olen, "generated", &err);
                        if (again != NULL)
                                consistent++;
                        oci_spec_free(again);
                }
                free(out);
                oci_spec_free(s);
        }
        diag("%zu of %zu mutations still parsed", accepted, total);
        is_int(consistent, total, "mutated documents: refused with a message, or written and read back");
}

static void test_lenient_input(void)
{
        sl_error err = { 0 };
        const char *json = "{\"ociVersion\":\"1\",\"unknownTop\":{\"deep\":[1,2,{\"x\":null}]},"
                           "\"process\":{\"cwd\":\"/\",\"futureField\":true,\"args\":null},"
                           "\"hostname\":null,\"windows\":{\"layerFolders\":[]},\"linux\":{\"resources\":{\"pids\":{}}}}";
        oci_spec *s = oci_spec_parse_data(json, strlen(json), "config.json", &err);
        if (!ok(s != NULL, "unknown keys and nulls accepted"))
                diag("%s", err.msg);
        if (s == NULL)
                return;
        ok(s->hostname == NULL && !s->process->has_args, "null reads as absent");
        _cleanup_free_ char *out = NULL;
        oci_spec_generate(s, 0, &out, NULL, &err);
        is_str(out, "{\"linux\":{\"resources\":{\"pids\":{}}},\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\"}}",
               "unknown keys and nulls are not written back; empty pids (v1.3 clients) kept");
        oci_spec_free(s);

        const char *dup = "{\"ociVersion\":\"1\",\"annotations\":{\"k\":\"first\",\"k\":\"second\"},"
                          "\"hostname\":\"a\",\"hostname\":\"b\"}";
        s = oci_spec_parse_data(dup, strlen(dup), "config.json", &err);
        ok(s && s->annotations->len == 1 && strcmp(oci_string_map_get(s->annotations, "k"), "second") == 0 &&
           strcmp(s->hostname, "b") == 0, "repeated keys: the last value wins");
        oci_spec_free(s);
}

/* Structures built in C are written canonically: fixed key order, maps
 * sorted, only members that are present. */
static void test_generate_from_c(void)
{
        char *keys[] = { "zeta", "alpha", "mid.dle" };
        char *values[] = { "3", "1", "2" };
        oci_string_map ann = { keys, values, 3 };
        oci_state st = {
                .oci_version = "1.2.0", .id = "c1", .status = "created",
                .pid = 0, .has_pid = true, .bundle = "/b", .annotations = &ann,
        };
        sl_error err = { 0 };
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        ok(oci_state_generate(&st, 0, &out, &len, &err) == 0, "state built in C generates");
        is_str(out, "{\"annotations\":{\"alpha\":\"1\",\"mid.dle\":\"2\",\"zeta\":\"3\"},\"bundle\":\"/b\","
                    "\"id\":\"c1\",\"ociVersion\":\"1.2.0\",\"pid\":0,\"status\":\"created\"}",
               "canonical state: keys and map keys sorted, pid 0 written because has_pid");
        is_int(len, strlen(out ? out : ""), "out_len matches the text");
        st.has_pid = false;
        free(out);
        out = NULL;
        oci_state_generate(&st, 0, &out, &len, &err);
        ok(out && strstr(out, "pid") == NULL, "member without has_ is not written");

        _cleanup_free_ char *pretty = NULL;
        ok(oci_state_generate(&st, OCI_GEN_PRETTY, &pretty, NULL, &err) == 0 &&
           strstr(pretty, "{\n\t\"annotations\": {\n\t\t\"alpha\": \"1\"") == pretty,
           "OCI_GEN_PRETTY indents with tabs, keys still sorted");

        st.id = "bad\xff";
        _cleanup_free_ char *bad = NULL;
        ok(oci_state_generate(&st, 0, &bad, &len, &err) < 0 && bad == NULL, "invalid UTF-8 refused on output");
        is_str(err.msg, "oci_state: id: string is not valid UTF-8", "output error names the member");

        st.id = NULL;
        _cleanup_free_ char *noid = NULL;
        ok(oci_state_generate(&st, 0, &noid, &len, &err) < 0 && noid == NULL,
           "a missing required member is refused on output");
        is_str(err.msg, "oci_state: id: missing required field", "output error names the missing member");

        oci_linux_rdma rv[2] = { { .hca_handles = 1, .has_hca_handles = true }, { .hca_objects = 2, .has_hca_objects = true } };
        char *rk[] = { "z_dev", "a_dev" };
        oci_map_linux_rdma rdma = { rk, rv, 2 };
        oci_linux_resources res = { .rdma = &rdma };
        _cleanup_free_ char *rout = NULL;
        oci_linux_resources_generate(&res, 0, &rout, NULL, &err);
        is_str(rout, "{\"rdma\":{\"a_dev\":{\"hcaObjects\":2},\"z_dev\":{\"hcaHandles\":1}}}",
               "map of objects written with sorted keys");
}

int main(void)
{
        test_runc_and_crun_spec();
        test_full_config();
        test_other_documents();
        test_bad_inputs();
        test_truncation();
        test_mutations();
        test_lenient_input();
        test_generate_from_c();
        return tap_done();
}
