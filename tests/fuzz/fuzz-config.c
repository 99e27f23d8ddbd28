/* config.json (and the other runtime-spec documents a runtime reads:
 * state.json, features, a process.json for exec): parse, round trip, free. */
#include "oci-specs/runtime-spec.h"
#include "tests/fuzz/json-roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
        const char *d = (const char *)data;
        FUZZ_JSON_ROUNDTRIP(oci_spec, d, len, "config.json");
        FUZZ_JSON_ROUNDTRIP(oci_process, d, len, "process.json");
        FUZZ_JSON_ROUNDTRIP(oci_state, d, len, "state.json");
        FUZZ_JSON_ROUNDTRIP(oci_features, d, len, "features.json");
        return 0;
}
