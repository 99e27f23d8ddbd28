#include "runtime/cli/cli.h"
#include "runtime/lib/container.h"

int sl_cmd_run(sl_cli *g, int argc, char **argv)
{
        sl_create_opts o;
        sl_error err = { 0 };
        int status, r = sl_cli_parse_create(g, "run", argc, argv, &o);

        if (r)
                return r == 2 ? 0 : r;
        if (sl_cli_prepare_exec(g, &err) < 0)
                return sl_cli_fail(&err);
        o.primer = g->primer;
        if (sl_container_run(&o, &status, &err) < 0) {
                sl_cli_fail(&err);
                /* The program's status wins when only the cleanup failed. */
                return status == 255 ? 1 : status;
        }
        return status;
}
