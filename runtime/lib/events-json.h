/* `events`' JSON lines, in runc's shape:
 *   {"type":"stats","id":ID,"data":{"cpu":…,"cpuset":…,"memory":…,"pids":…,
 *    "blkio":…,"hugetlb":…,"intel_rdt":{},"network_interfaces":null}}
 *   {"type":"oom","id":ID}
 * Members runc leaves out when zero (Go's omitempty) are left out too. */
#ifndef SLOIKA_RUNTIME_EVENTS_JSON_H
#define SLOIKA_RUNTIME_EVENTS_JSON_H

#include "common/error.h"
#include "runtime/lib/cgroup.h"

/* One compact line without the newline; free *out. */
int sl_events_stats_json(const char *id, const struct sl_cgroup_stats *s, char **out,
                         sl_error *err);
int sl_events_oom_json(const char *id, char **out, sl_error *err);

#endif
