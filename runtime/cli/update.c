#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "runtime/cli/cli.h"
#include "runtime/lib/manage.h"
#include "runtime/lib/update-flags.h"

static const char usage[] =
        "Usage: sloika update [options] CONTAINER_ID\n"
        "\n"
        "Changes the cgroup limits of a running (or paused) container.\n"
        "\n"
        "  -r, --resources FILE         linux.resources JSON from FILE, or '-' for stdin;\n"
        "                               the other options are then ignored\n"
        "  --memory SIZE                memory limit (e.g. 100M, 1g; -1 unlimited)\n"
        "  --memory-reservation SIZE    memory soft limit\n"
        "  --memory-swap SIZE           memory plus swap limit (-1 unlimited)\n"
        "  --kernel-memory SIZE         kernel memory limit (ignored by recent kernels)\n"
        "  --kernel-memory-tcp SIZE     kernel TCP buffer limit (ignored by recent kernels)\n"
        "  --cpu-share N                CPU shares (relative weight); also --cpu-shares\n"
        "  --cpu-quota USECS            CFS quota per period (-1 unlimited)\n"
        "  --cpu-period USECS           CFS period\n"
        "  --cpu-rt-period USECS        realtime period\n"
        "  --cpu-rt-runtime USECS       realtime runtime per period\n"
        "  --cpuset-cpus LIST           CPUs to use (e.g. 0-1,3)\n"
        "  --cpuset-mems LIST           memory nodes to use\n"
        "  --pids-limit N               maximum number of processes (-1 unlimited)\n"
        "  --blkio-weight N             block IO weight, 10 to 1000\n";

static oci_linux_resources *read_resources(const char *path, sl_error *err)
{
        if (strcmp(path, "-") != 0)
                return oci_linux_resources_parse_file(path, err);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (sl_read_fd_all(STDIN_FILENO, &data, &len, err) < 0) {
                sl_err_wrap(err, "--resources: read stdin");
                return NULL;
        }
        return oci_linux_resources_parse_data(data, len, "stdin", err);
}

/* runc reads a 0 in --resources as "leave this limit alone", and Docker
 * relies on it: its update sends memory, cpu and blockIO with a 0 in every
 * field the user did not give (writing 0 to memory.limit_in_bytes fails
 * with EBUSY). */
static void zero_means_unchanged(oci_linux_resources *r)
{
        oci_linux_memory *m = r->memory;
        oci_linux_cpu *c = r->cpu;

        if (m) {
                m->has_limit = m->has_limit && m->limit != 0;
                m->has_reservation = m->has_reservation && m->reservation != 0;
                m->has_swap = m->has_swap && m->swap != 0;
                m->has_kernel = m->has_kernel && m->kernel != 0;
                m->has_kernel_tcp = m->has_kernel_tcp && m->kernel_tcp != 0;
        }
        if (c) {
                c->has_shares = c->has_shares && c->shares != 0;
                c->has_quota = c->has_quota && c->quota != 0;
                c->has_period = c->has_period && c->period != 0;
                c->has_realtime_runtime = c->has_realtime_runtime && c->realtime_runtime != 0;
                c->has_realtime_period = c->has_realtime_period && c->realtime_period != 0;
        }
        if (r->pids)
                r->pids->has_limit = r->pids->has_limit && r->pids->limit != 0;
        if (r->block_io)
                r->block_io->has_weight = r->block_io->has_weight && r->block_io->weight != 0;
}

int sl_cmd_update(sl_cli *g, int argc, char **argv)
{
        static const struct option opts[] = {
                { "resources", required_argument, NULL, 'r' },
                { "memory", required_argument, NULL, 0 },
                { "memory-reservation", required_argument, NULL, 0 },
                { "memory-swap", required_argument, NULL, 0 },
                { "kernel-memory", required_argument, NULL, 0 },
                { "kernel-memory-tcp", required_argument, NULL, 0 },
                { "cpu-share", required_argument, NULL, 0 },
                { "cpu-shares", required_argument, NULL, 0 },
                { "cpu-quota", required_argument, NULL, 0 },
                { "cpu-period", required_argument, NULL, 0 },
                { "cpu-rt-period", required_argument, NULL, 0 },
                { "cpu-rt-runtime", required_argument, NULL, 0 },
                { "cpuset-cpus", required_argument, NULL, 0 },
                { "cpuset-mems", required_argument, NULL, 0 },
                { "pids-limit", required_argument, NULL, 0 },
                { "blkio-weight", required_argument, NULL, 0 },
                { 0 },
        };
        oci_linux_resources flags = { 0 };
        const char *resources = NULL;
        bool any_flag = false;
        sl_error err = { 0 };
        int c, idx, r = 1;

        if (sl_cli_help(argc, argv, usage))
                return 0;
        while ((c = getopt_long_only(argc, argv, "r:", opts, &idx)) != -1) {
                if (c == 'r') {
                        resources = optarg;
                } else if (c == 0) {
                        any_flag = true;
                        if (sl_update_set_flag(&flags, opts[idx].name, optarg, &err) < 0) {
                                sl_cli_fail(&err);
                                goto out;
                        }
                } else {
                        sl_cli_usage("update", "bad option");
                        goto out;
                }
        }
        if (optind + 1 != argc) {
                sl_cli_usage("update", "expects exactly one container id");
                goto out;
        }
        if (resources) {
                if (any_flag)
                        sl_log_warn("update: --resources given: the other limit flags are ignored");
                oci_linux_resources *res = read_resources(resources, &err);
                if (res)
                        zero_means_unchanged(res);
                if (!res || sl_manage_update(g->root, argv[optind], res, &err) < 0)
                        sl_cli_fail(&err);
                else
                        r = 0;
                oci_linux_resources_free(res);
                goto out;
        }
        zero_means_unchanged(&flags);  /* runc's flags read 0 the same way */
        if (sl_manage_update(g->root, argv[optind], &flags, &err) < 0)
                sl_cli_fail(&err);
        else
                r = 0;
out:
        sl_update_resources_clear(&flags);
        return r;
}
