/* image-spec types: index, manifest, config and oci-layout round-trip,
 * canonical output is stable, Docker-written configs parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci-specs/image-spec.h"
#include "tests/unit/specs/spec-test.h"

static void test_fixtures(void)
{
        static const struct {
                const ocispec_type *type;
                const char *fixture;
                bool every_field;
        } cases[] = {
                { &oci_index_type_, "image-index.json", true },
                { &oci_manifest_type_, "image-manifest.json", false },
                { &oci_image_type_, "image-config.json", true },
                { &oci_image_layout_type_, "oci-layout", true },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                if (cases[i].every_field) {
                        _cleanup_free_ char *path = fixture_path(cases[i].fixture);
                        is_int(fixture_missing_fields(cases[i].type, path), 0,
                               "%s sets every field of %s", cases[i].fixture, cases[i].type->name);
                }
                check_roundtrip(cases[i].type, cases[i].fixture);
        }
}

static void test_values(void)
{
        sl_error err = { 0 };
        _cleanup_free_ char *ipath = fixture_path("image-index.json");
        oci_index *idx = oci_index_parse_file(ipath, &err);
        if (ok(idx != NULL, "index parses with the named API")) {
                const oci_descriptor *d = &idx->manifests[1];
                ok(idx->schema_version == 2 && idx->manifests_len == 2, "schemaVersion and manifests read");
                is_str(d->platform->os_version, "10.0.14393.1066", "platform os.version read as os_version");
                ok(d->platform->os_features_len == 1 && strcmp(d->platform->os_features[0], "win32k") == 0,
                   "platform os.features read");
                ok(d->size == 7682 && d->urls_len == 2, "descriptor size and urls read");
                is_str(d->data, "e30=", "descriptor data read");
                is_str(idx->subject->digest,
                       "sha256:a7ebc5a1ed7c0c1f5a4d22ca1b0f5c2fbdf0b6a5d4d5e57a24e1e4b7a3f0e6a1", "index subject read");
        } else {
                diag("%s", err.msg);
        }
        oci_index_free(idx);

        _cleanup_free_ char *cpath = fixture_path("image-config.json");
        oci_image *img = oci_image_parse_file(cpath, &err);
        if (ok(img != NULL, "image config parses")) {
                const oci_image_config *c = img->config;
                ok(c->exposed_ports && c->exposed_ports->len == 2 &&
                   c->exposed_ports->values[0] == NULL, "ExposedPorts read as a set (NULL values)");
                ok(c->has_args_escaped && !c->args_escaped, "ArgsEscaped false is present");
                ok(c->healthcheck && c->healthcheck->interval == 30000000000LL && c->healthcheck->retries == 3,
                   "Healthcheck read");
                ok(c->shell_len == 2 && c->on_build_len == 1, "Shell and OnBuild read");
                ok(img->rootfs->diff_ids_len == 2 && img->history_len == 2 &&
                   img->history[1].has_empty_layer && img->history[1].empty_layer, "rootfs and history read");
        } else {
                diag("%s", err.msg);
        }
        oci_image_free(img);
}

static void test_docker_config(void)
{
        sl_error err = { 0 };
        _cleanup_free_ char *path = fixture_path("docker-image-config.json");
        oci_image *img = oci_image_parse_file(path, &err);
        if (!ok(img != NULL, "Docker-written config (nulls, container_config) parses")) {
                diag("%s", err.msg);
                return;
        }
        ok(img->config->entrypoint == NULL && !img->config->has_entrypoint && img->config->volumes == NULL,
           "null Entrypoint and Volumes read as absent");
        is_str(img->config->user, "", "empty User kept as empty string");
        _cleanup_free_ char *a = NULL, *b = NULL;
        oci_image_generate(img, 0, &a, NULL, &err);
        oci_image_generate(img, 0, &b, NULL, &err);
        ok(a && b && strcmp(a, b) == 0, "same value generates the same bytes twice");
        ok(a && strstr(a, "container_config") == NULL && strstr(a, "null") == NULL,
           "Docker-only keys and nulls not written");
        oci_image_free(img);
}

static void test_canonical_bytes(void)
{
        sl_error err = { 0 };
        const char *messy = "{ \"imageLayoutVersion\" : \"1.0.0\" ,\n \"extra\": [1] }";
        oci_image_layout *l = oci_image_layout_parse_data(messy, strlen(messy), "oci-layout", &err);
        _cleanup_free_ char *out = NULL;
        if (l)
                oci_image_layout_generate(l, 0, &out, NULL, &err);
        is_str(out, "{\"imageLayoutVersion\":\"1.0.0\"}", "oci-layout written canonically");
        oci_image_layout_free(l);

        char *ports[] = { "8080/tcp", "53/udp", "443/tcp" };
        char *nulls[] = { NULL, NULL, NULL };
        oci_string_map set = { ports, nulls, 3 };
        char *env[] = { "A=1" };
        oci_image_config cfg = { .exposed_ports = &set, .env = env, .env_len = 1, .has_env = true };
        _cleanup_free_ char *cout = NULL;
        oci_image_config_generate(&cfg, 0, &cout, NULL, &err);
        is_str(cout, "{\"Env\":[\"A=1\"],\"ExposedPorts\":{\"443/tcp\":{},\"53/udp\":{},\"8080/tcp\":{}}}",
               "set written as sorted keys with {} values");

        oci_descriptor layer = { .media_type = "application/vnd.oci.image.layer.v1.tar",
                                 .digest = "sha256:00", .size = 0, .has_size = true };
        oci_descriptor config = { .media_type = "application/vnd.oci.image.config.v1+json",
                                  .digest = "sha256:11", .size = 2, .has_size = true };
        oci_manifest m = { .schema_version = 2, .has_schema_version = true, .config = &config,
                           .layers = &layer, .layers_len = 1, .has_layers = true };
        _cleanup_free_ char *mout = NULL;
        oci_manifest_generate(&m, 0, &mout, NULL, &err);
        is_str(mout, "{\"config\":{\"digest\":\"sha256:11\",\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                     "\"size\":2},\"layers\":[{\"digest\":\"sha256:00\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                     "\"size\":0}],\"schemaVersion\":2}",
               "manifest built in C: exact canonical bytes");
        m.layers_len = 0;
        free(mout);
        mout = NULL;
        oci_manifest_generate(&m, 0, &mout, NULL, &err);
        ok(mout && strstr(mout, "\"layers\":[]") != NULL, "empty but present array written as []");
}

static void test_errors(void)
{
        static const struct {
                const ocispec_type *type;
                const char *json, *msg;
        } cases[] = {
                { &oci_manifest_type_, "{\"schemaVersion\":2,\"layers\":[]}",
                  "manifest.json: config: missing required field" },
                { &oci_manifest_type_,
                  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":1},"
                  "\"layers\":[{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":\"1\"}]}",
                  "manifest.json: layers[0].size: expected integer, got string" },
                { &oci_manifest_type_,
                  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":1}}",
                  "manifest.json: layers: missing required field" },
                { &oci_image_type_, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}",
                  "manifest.json: rootfs.diff_ids: missing required field" },
                { &oci_image_type_,
                  "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                  "\"config\":{\"ExposedPorts\":{\"80/tcp\":\"yes\"}}}",
                  "manifest.json: config.ExposedPorts[\"80/tcp\"]: expected object, got string" },
                { &oci_index_type_, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"size\":1}]}",
                  "manifest.json: manifests[0].digest: missing required field" },
                { &oci_index_type_, "{\"schemaVersion\":2147483648,\"manifests\":[]}",
                  "manifest.json: schemaVersion: value 2147483648 out of range for int32" },
                { &oci_image_layout_type_, "{\"imageLayoutVersion\":", "manifest.json: invalid JSON: parse error: premature EOF" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                sl_error err = { 0 };
                void *v = ocispec_parse_data(cases[i].type, cases[i].json, strlen(cases[i].json), "manifest.json", &err);
                ok(v == NULL, "%s refused: %s", cases[i].type->name, cases[i].json);
                is_msg(err.msg, cases[i].msg);
                ocispec_free(cases[i].type, v);
        }
}

int main(void)
{
        test_fixtures();
        test_values();
        test_docker_config();
        test_canonical_bytes();
        test_errors();
        return tap_done();
}
