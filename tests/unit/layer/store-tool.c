/* The store's sloika-build subcommands behind one test binary, so the
 * integration tests can run them whether or not sloika-build's main
 * dispatches them yet: store-tool COMMAND ARGS... */
#include <stdio.h>
#include <string.h>

#include "builder/cli/cli.h"
#include "builder/cli/store-cli.h"

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*run)(int, char **);
        } cmds[] = {
                {"import", sl_build_cmd_import}, {"images", sl_build_cmd_images},
                {"inspect", sl_build_cmd_inspect}, {"rm", sl_build_cmd_rm},
                {"tag", sl_build_cmd_tag}, {"prune", sl_build_cmd_prune},
                {"export", sl_build_cmd_export}, {"fsck", sl_build_cmd_fsck},
        };
        for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
                if (!strcmp(argv[1], cmds[i].name))
                        return cmds[i].run(argc - 1, argv + 1);
        fprintf(stderr, "usage: store-tool import|images|inspect|rm|tag|prune|export|fsck ARGS...\n");
        return SL_EXIT_USAGE;
}
