/* runtime-spec types: runc's generated config parses and round-trips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci-specs/runtime-spec.h"
#include "tests/unit/specs/spec-test.h"

static void test_runc_spec(void)
{
        sl_error err = { 0 };
        _cleanup_free_ char *path = fixture_path("runc-spec.json");
        oci_spec *s = oci_spec_parse_file(path, &err);
        if (!ok(s != NULL, "runc spec output parses"))
                diag("%s", err.msg);
        if (s == NULL)
                return;
        is_str(s->oci_version, "1.0.2-dev", "ociVersion read");
        ok(s->process && s->process->user && s->process->user->has_uid &&
           s->process->user->uid == 0, "process.user.uid read");
        is_int(s->mounts_len, 7, "all runc default mounts read");
        is_str(s->mounts[2].destination, "/dev/pts", "mounts are a contiguous array");
        ok(s->linux && s->linux->resources && s->linux->resources->devices_len == 1 &&
           s->linux->resources->devices[0].has_allow && !s->linux->resources->devices[0].allow,
           "linux.resources.devices[0].allow false read");
        is_str(s->root->path, "rootfs", "root.path read");
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        ok(oci_spec_generate(s, 0, &out, &len, &err) == 0, "runc spec generates");
        ok(json_equal_text(out, len, path), "generated runc spec equals the input as JSON");
        oci_spec_free(s);
}

int main(void)
{
        test_runc_spec();
        return tap_done();
}
