#include "runtime/lib/events.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "runtime/lib/cgroup.h"
#include "runtime/lib/events-json.h"
#include "runtime/lib/manage.h"

int sl_events_parse_interval(const char *s, uint64_t *ns, sl_error *err)
{
        static const struct { const char *unit; double ns; } units[] = {
                { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
                { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
        };
        double total = 0;
        const char *p = s;
        if (!*p)
                goto bad;
        while (*p) {
                char *end;
                if (!((*p >= '0' && *p <= '9') || *p == '.'))
                        goto bad;
                double v = strtod(p, &end);
                if (end == p)
                        goto bad;
                p = end;
                size_t best = 0, best_len = 0;
                for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
                        size_t l = strlen(units[i].unit);
                        if (l > best_len && strncmp(p, units[i].unit, l) == 0)
                                best = i, best_len = l;
                }
                if (!best_len)
                        goto bad;
                p += best_len;
                total += v * units[best].ns;
        }
        if (total < 1 || total > 9.2e18)
                return sl_err(err, EINVAL, "--interval: '%s' must be a positive duration", s);
        *ns = (uint64_t)total;
        return 0;
bad:
        return sl_err(err, EINVAL, "--interval: invalid duration '%s' (e.g. 5s, 500ms, 1m30s)", s);
}

static int stats_of(const char *id, const char *cgroup_path, char **json, sl_error *err)
{
        struct sl_cgroup_stats s;
        if (sl_cgroup_stats(cgroup_path, &s, err) < 0)
                return -1;
        int r = sl_events_stats_json(id, &s, json, err);
        sl_cgroup_stats_free(&s);
        return r;
}

int sl_events_stats(const char *root, const char *id, char **json, sl_error *err)
{
        _cleanup_free_ char *cg = NULL;
        if (sl_manage_live_cgroup(root, id, &cg, err) < 0)
                return -1;
        return stats_of(id, cg, json, err);
}

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int emit(FILE *out, const char *line, sl_error *err)
{
        if (fprintf(out, "%s\n", line) < 0 || fflush(out) != 0)
                return sl_err_sys(err, errno, "events: write");
        return 0;
}

static void oom_cleanup(sl_cgroup_oom **w)
{
        sl_cgroup_oom_close(*w);
}

int sl_events_stream(const char *root, const char *id, uint64_t interval_ns, FILE *out,
                     sl_error *err)
{
        _cleanup_free_ char *cg = NULL;
        _cleanup_(oom_cleanup) sl_cgroup_oom *oom = NULL;
        if (sl_manage_live_cgroup(root, id, &cg, err) < 0)
                return -1;
        sl_error e = { 0 };
        if (sl_cgroup_oom_open(cg, &oom, &e) < 0)
                sl_log_warn("events %s: no OOM events: %s", id, e.msg);

        uint64_t next = now_ns();
        for (;;) {
                uint64_t now = now_ns();
                if (now >= next) {
                        if (!sl_manage_alive(root, id))
                                return 0;
                        _cleanup_free_ char *line = NULL;
                        if (stats_of(id, cg, &line, &e) < 0)
                                sl_log_error("events %s: %s", id, e.msg);  /* keep going, as runc does */
                        else if (emit(out, line, err) < 0)
                                return -1;
                        next += interval_ns;
                        if (next < now)
                                next = now + interval_ns;
                        continue;
                }
                uint64_t wait_ms = (next - now + 999999) / 1000000;
                struct pollfd p = { .fd = oom ? sl_cgroup_oom_fd(oom) : -1, .events = POLLIN };
                int n = poll(&p, 1, wait_ms > 1000 ? 1000 : (int)wait_ms);
                if (n < 0 && errno != EINTR)
                        return sl_err_sys(err, errno, "events: poll");
                /* Wake at least once a second to notice a stopped container. */
                if (n == 0 && !sl_manage_alive(root, id))
                        return 0;
                if (n <= 0 || !(p.revents & POLLIN))
                        continue;
                uint64_t events = 0;
                bool gone = false;
                if (sl_cgroup_oom_read(oom, &events, &gone, &e) < 0) {
                        sl_log_error("events %s: %s", id, e.msg);
                        sl_cgroup_oom_close(oom);
                        oom = NULL;
                        continue;
                }
                for (uint64_t i = 0; i < events; i++) {
                        _cleanup_free_ char *line = NULL;
                        if (sl_events_oom_json(id, &line, err) < 0 || emit(out, line, err) < 0)
                                return -1;
                }
                if (gone) {
                        sl_cgroup_oom_close(oom);
                        oom = NULL;
                }
        }
}
