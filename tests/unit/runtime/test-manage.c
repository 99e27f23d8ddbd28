/* The pure parts of the management commands: update's size and flag
 * parsing, ps output filtering, --interval durations, cpu lists and the
 * events JSON shape. */
#include <stdlib.h>
#include <string.h>

#include "runtime/lib/cgroup-internal.h"
#include "runtime/lib/events-json.h"
#include "runtime/lib/events.h"
#include "runtime/lib/manage-ps.h"
#include "runtime/lib/update-flags.h"
#include "tests/unit/tap.h"

static int64_t size_of(const char *s)
{
        sl_error err;
        int64_t v = -12345;
        return sl_update_parse_size("memory", s, &v, &err) < 0 ? -12345 : v;
}

static void sizes(void)
{
        is_int(size_of("4096"), 4096, "a plain byte count");
        is_int(size_of("100M"), 100LL << 20, "100M is binary megabytes");
        is_int(size_of("1g"), 1LL << 30, "suffixes are case-insensitive (1g)");
        is_int(size_of("512kb"), 512LL << 10, "kb");
        is_int(size_of("2MiB"), 2LL << 20, "MiB");
        is_int(size_of("1.5GiB"), 3LL << 29, "a fraction (1.5GiB)");
        is_int(size_of("1 t"), 1LL << 40, "a space before the suffix");
        is_int(size_of("-1"), -1, "-1 is unlimited");
        is_int(size_of("foo"), -12345, "a word is refused");
        is_int(size_of("10x"), -12345, "an unknown suffix is refused");
        is_int(size_of("-2"), -12345, "other negative values are refused");
        is_int(size_of(""), -12345, "an empty value is refused");
        is_int(size_of("99999p"), -12345, "a size beyond int64 is refused");
        sl_error err;
        int64_t v;
        sl_update_parse_size("memory-swap", "x", &v, &err);
        ok(strncmp(err.msg, "--memory-swap: invalid size 'x'", 31) == 0, "the error names the flag: %s", err.msg);
}

static void flags(void)
{
        oci_linux_resources r = { 0 };
        sl_error err;
        ok(sl_update_set_flag(&r, "memory", "64m", &err) == 0 && r.memory && r.memory->has_limit &&
                   r.memory->limit == 64LL << 20, "--memory sets memory.limit");
        ok(sl_update_set_flag(&r, "memory-swap", "-1", &err) == 0 && r.memory->has_swap && r.memory->swap == -1,
           "--memory-swap -1 sets memory.swap");
        ok(!r.memory->has_reservation, "unset fields stay unset");
        ok(sl_update_set_flag(&r, "cpu-share", "512", &err) == 0 && r.cpu->shares == 512 && r.cpu->has_shares,
           "--cpu-share (runc's spelling) sets cpu.shares");
        ok(sl_update_set_flag(&r, "cpu-shares", "256", &err) == 0 && r.cpu->shares == 256, "--cpu-shares too");
        ok(sl_update_set_flag(&r, "cpu-quota", "-1", &err) == 0 && r.cpu->quota == -1, "--cpu-quota takes -1");
        ok(sl_update_set_flag(&r, "cpu-period", "-5", &err) < 0, "--cpu-period refuses a negative value");
        ok(strstr(err.msg, "--cpu-period") != NULL, "... naming the flag");
        ok(sl_update_set_flag(&r, "cpuset-cpus", "0-1", &err) == 0 && strcmp(r.cpu->cpus, "0-1") == 0,
           "--cpuset-cpus");
        ok(sl_update_set_flag(&r, "cpuset-mems", "0", &err) == 0 && strcmp(r.cpu->mems, "0") == 0, "--cpuset-mems");
        ok(sl_update_set_flag(&r, "pids-limit", "0", &err) == 0 && !r.pids, "--pids-limit 0 leaves pids alone, as runc");
        ok(sl_update_set_flag(&r, "pids-limit", "20", &err) == 0 && r.pids->limit == 20, "--pids-limit 20");
        ok(sl_update_set_flag(&r, "pids-limit", "2x", &err) < 0, "--pids-limit refuses junk");
        ok(sl_update_set_flag(&r, "blkio-weight", "500", &err) == 0 && r.block_io->weight == 500, "--blkio-weight");
        ok(sl_update_set_flag(&r, "blkio-weight", "5", &err) < 0, "--blkio-weight below 10 is refused");
        ok(sl_update_set_flag(&r, "nope", "1", &err) < 0, "an unknown flag is refused");
        sl_update_resources_clear(&r);
        ok(!r.memory && !r.cpu && !r.pids && !r.block_io, "clear frees every group");
}

static void ps_filter(void)
{
        const char *out = "UID PID PPID C STIME TTY TIME CMD\n"
                          "root 1 0 0 10:00 ? 00:00:01 /sbin/init\n"
                          "root 42 1 0 10:00 ? 00:00:00 sleep 42\n"
                          "root 420 1 0 10:00 ? 00:00:00 sleep 420\n";
        pid_t pids[] = { 42 };
        char *f = NULL;
        sl_error err;
        ok(sl_ps_filter(out, pids, 1, &f, &err) == 0, "filtering ps -ef output succeeds");
        is_str(f, "UID PID PPID C STIME TTY TIME CMD\nroot 42 1 0 10:00 ? 00:00:00 sleep 42\n",
               "only the header and the container's pid (not 420, not 1) are kept");
        free(f);
        f = NULL;
        ok(sl_ps_filter("  PID COMMAND\n   42 sleep\n   43 sh\n", pids, 1, &f, &err) == 0, "ps -o pid,comm");
        is_str(f, "  PID COMMAND\n   42 sleep\n", "... the PID column found by name");
        free(f);
        f = NULL;
        ok(sl_ps_filter("COMMAND\nsleep\n", pids, 1, &f, &err) < 0, "no PID column is an error");
        is_str(err.msg, "couldn't find PID field in ps output", "... in runc's words");
        ok(sl_ps_filter("PID CMD\nabc x\n", pids, 1, &f, &err) < 0, "a non-numeric pid is an error");
        ok(sl_ps_filter("PID CMD\n", NULL, 0, &f, &err) == 0 && strcmp(f, "PID CMD\n") == 0,
           "no processes: the header alone");
        free(f);
}

static uint64_t interval(const char *s)
{
        sl_error err;
        uint64_t ns = 0;
        return sl_events_parse_interval(s, &ns, &err) < 0 ? 0 : ns;
}

static void intervals(void)
{
        is_int(interval("5s"), 5000000000LL, "5s");
        is_int(interval("500ms"), 500000000LL, "500ms");
        is_int(interval("1m30s"), 90000000000LL, "1m30s");
        is_int(interval("1.5s"), 1500000000LL, "1.5s");
        is_int(interval("250us"), 250000LL, "250us");
        is_int(interval("1h"), 3600000000000LL, "1h");
        is_int(interval("5"), 0, "a number without a unit is refused, as in Go");
        is_int(interval("1x"), 0, "an unknown unit is refused");
        is_int(interval("0s"), 0, "zero is refused");
        is_int(interval(""), 0, "empty is refused");
}

static void cpu_lists(void)
{
        uint16_t *v = NULL;
        size_t n = 0;
        ok(sl_cg_parse_cpu_list("0-2,5\n", &v, &n) == 0 && n == 4 && v[0] == 0 && v[2] == 2 && v[3] == 5,
           "a cpu list with a range and a single cpu");
        free(v);
        ok(sl_cg_parse_cpu_list("", &v, &n) == 0 && n == 0, "an empty list");
        ok(sl_cg_parse_cpu_list("3-1", &v, &n) < 0, "a backwards range is refused");
        ok(sl_cg_parse_cpu_list("a", &v, &n) < 0, "junk is refused");
}

static void json_shape(void)
{
        struct sl_cgroup_stats s = { 0 };
        uint64_t percpu[] = { 1, 2 };
        char *json = NULL;
        sl_error err;
        s.has_memory = true;
        s.memory_usage = 4096;
        s.memory_limit = UINT64_MAX;
        s.cpu_total = 10;
        s.cpu_percpu = percpu;
        s.cpu_percpu_len = 2;
        s.pids_current = 3;
        ok(sl_events_stats_json("c1", &s, &json, &err) == 0, "a stats line is generated");
        ok(json && strncmp(json, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":{\"usage\":{\"total\":10,"
                                 "\"percpu\":[1,2],\"kernel\":0,\"user\":0},\"throttling\":{}},", 100) == 0,
           "cpu in runc's shape, zero members left out: %s", json);
        ok(json && strstr(json, "\"usage\":{\"limit\":18446744073709551615,\"usage\":4096,\"failcnt\":0}"),
           "memory usage: limit as the full uint64, zero max left out");
        ok(json && strstr(json, "\"pids\":{\"current\":3}"), "pids: a zero limit (unlimited) is left out");
        ok(json && strstr(json, "\"intel_rdt\":{},\"network_interfaces\":null}}"), "runc's trailing members");
        free(json);
        ok(sl_events_oom_json("c1", &json, &err) == 0 && strcmp(json, "{\"type\":\"oom\",\"id\":\"c1\"}") == 0,
           "an oom line");
        free(json);
}

int main(void)
{
        sizes();
        flags();
        ps_filter();
        intervals();
        cpu_lists();
        json_shape();
        return tap_done();
}
