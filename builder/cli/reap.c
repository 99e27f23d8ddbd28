/* The store's reaper for sloika-build: deletes the step containers a
 * build killed mid-RUN left running. It lives outside the store library,
 * which does not link the runtime. */
#include "builder/cli/store-cli.h"
#include "runtime/lib/container.h"

int sl_build_reap_containers(const char *state_root, sl_error *err)
{
        sl_container_info *v;
        size_t n;
        if (sl_container_list(state_root, &v, &n, err) < 0)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
                rc = sl_container_delete(state_root, v[i].id, true, err);
        sl_container_list_free(v, n);
        return rc;
}
