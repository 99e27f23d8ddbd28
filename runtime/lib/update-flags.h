/* `update`'s runc flags, turned into a linux.resources object. */
#ifndef SLOIKA_RUNTIME_UPDATE_FLAGS_H
#define SLOIKA_RUNTIME_UPDATE_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

/* runc's (go-units RAMInBytes) size syntax: a decimal number with an
 * optional binary suffix k, m, g, t or p (any case, optionally followed by
 * "i", "b" or "ib"), e.g. 100M, 1g, 1.5GiB, 512kb; "-1" is -1
 * (unlimited). Errors name the flag: "--memory: invalid size 'x' ...". */
int sl_update_parse_size(const char *flag, const char *s, int64_t *out, sl_error *err);

/* Sets the field of r that flag (a long name without "--", e.g.
 * "memory", "cpu-quota", "pids-limit") controls. Unknown flags and bad
 * values are errors naming the flag. */
int sl_update_set_flag(oci_linux_resources *r, const char *flag, const char *value,
                       sl_error *err);

/* Frees what sl_update_set_flag allocated in r (not r itself). */
void sl_update_resources_clear(oci_linux_resources *r);

#endif
