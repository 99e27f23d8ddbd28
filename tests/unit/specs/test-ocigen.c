/* ocigen on a description of another area: prefix, externs, keyword and
 * punctuation renames, small integers, arrays of bools, maps of structs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/specs/sample.h"
#include "tests/unit/specs/spec-test.h"

static const char full[] =
        "{\"byName\":{\"a\":{\"containerID\":0,\"hostID\":1000,\"size\":1}},"
        "\"childMap\":{\"k\":{\"level\":-3,\"name\":\"m\"}},"
        "\"children\":[{\"name\":\"c1\"},{\"level\":2,\"name\":\"c2\"}],"
        "\"config\":{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}},"
        "\"counts\":[0,18446744073709551615],\"default\":\"d\",\"flags\":[true,false],"
        "\"id\":\"r1\",\"mappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
        "\"nothing\":{},\"renamed\":\"r\",\"short\":-32768,\"small\":-128,"
        "\"tags\":{\"x\":{}},\"tiny\":255,\"x-y.z\":\"p\"}";

static void test_members(void)
{
        sl_error err = { 0 };
        sample_record *r = sample_record_parse_data(full, strlen(full), "record.json", &err);
        if (!ok(r != NULL, "record with every member kind parses")) {
                diag("%s", err.msg);
                return;
        }
        ok(r->config && strcmp(r->config->root->path, "rootfs") == 0, "extern struct member (oci_spec) read");
        ok(r->mappings_len == 1 && r->mappings[0].host_id == 100000, "array of extern structs read");
        ok(r->by_name->len == 1 && r->by_name->values[0].host_id == 1000, "map of extern structs read");
        ok(r->flags_len == 2 && r->flags[0] && !r->flags[1], "array of bools read");
        ok(r->counts[1] == UINT64_MAX, "array of uint64 read");
        ok(r->small == -128 && r->tiny == 255 && r->short_ == -32768, "int8, uint8, int16 read (short → short_)");
        is_str(r->default_, "d", "C keyword member gets a trailing _");
        is_str(r->x_y_z, "p", "punctuation in keys becomes _");
        is_str(r->other_name, "r", "\"as\" renames a member");
        ok(r->nothing != NULL, "empty struct read");
        ok(r->children_len == 2 && !r->children[0].has_level && r->children[1].level == 2,
           "array of local structs read");
        ok(r->child_map->len == 1 && r->child_map->values[0].level == -3, "map of local structs read");

        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        ok(sample_record_generate(r, 0, &out, &len, &err) == 0, "record generates");
        is_str(out, full, "record round-trips to the same canonical bytes");
        sample_record_free(r);
}

static void test_ranges(void)
{
        static const struct {
                const char *json, *msg;
        } cases[] = {
                { "{\"id\":\"x\",\"small\":128}", "record.json: small: value 128 out of range for int8" },
                { "{\"id\":\"x\",\"small\":-129}", "record.json: small: value -129 out of range for int8" },
                { "{\"id\":\"x\",\"tiny\":256}", "record.json: tiny: value 256 out of range for uint8" },
                { "{\"id\":\"x\",\"short\":32768}", "record.json: short: value 32768 out of range for int16" },
                { "{\"id\":\"x\",\"flags\":[true,1]}", "record.json: flags[1]: expected boolean, got number" },
                { "{\"id\":\"x\",\"children\":[{\"name\":\"a\"},{}]}",
                  "record.json: children[1].name: missing required field" },
                { "{\"id\":\"x\",\"childMap\":{\"k\":[]}}", "record.json: childMap[\"k\"]: expected object, got array" },
                { "{\"id\":\"x\",\"config\":{}}", "record.json: config.ociVersion: missing required field" },
                { "{\"id\":\"x\",\"tags\":[]}", "record.json: tags: expected object, got array" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                sl_error err = { 0 };
                sample_record *r = sample_record_parse_data(cases[i].json, strlen(cases[i].json), "record.json", &err);
                ok(r == NULL, "refused: %s", cases[i].json);
                is_msg(err.msg, cases[i].msg);
                sample_record_free(r);
        }
}

int main(void)
{
        test_members();
        test_ranges();
        return tap_done();
}
