/* The image-spec documents an import or FROM oci: reads from a stranger:
 * index.json, manifests, the config blob, oci-layout, and a bare
 * descriptor. Parse, round trip, free. */
#include "oci-specs/image-spec.h"
#include "tests/fuzz/json-roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
        const char *d = (const char *)data;
        FUZZ_JSON_ROUNDTRIP(oci_index, d, len, "index.json");
        FUZZ_JSON_ROUNDTRIP(oci_manifest, d, len, "manifest");
        FUZZ_JSON_ROUNDTRIP(oci_image, d, len, "config");
        FUZZ_JSON_ROUNDTRIP(oci_image_layout, d, len, "oci-layout");
        FUZZ_JSON_ROUNDTRIP(oci_descriptor, d, len, "descriptor");
        return 0;
}
