/* sloika-build bundle IMAGE DIR | bundle --rm DIR */
#include <getopt.h>
#include <stdio.h>

#include "builder/cli/cli.h"
#include "builder/cli/exec-cli.h"
#include "builder/exec/bundle.h"
#include "builder/store/store.h"

static void usage(FILE *f)
{
        fprintf(f, "Usage: sloika-build bundle [--root STORE] IMAGE DIR\n"
                   "       sloika-build bundle --rm DIR\n"
                   "\n"
                   "Makes DIR a runtime bundle for `sloika run --bundle DIR`: config.json from the\n"
                   "image config, rootfs an overlay of the image's layers (upper and work dirs in\n"
                   "DIR). --rm unmounts and removes a bundle.\n");
}

int sl_build_cmd_bundle(int argc, char **argv)
{
        static const struct option opts[] = {
                {"root", required_argument, NULL, 'r'},
                {"rm", no_argument, NULL, 'R'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *root = SL_STORE_DEFAULT_ROOT;
        bool rm = false;
        sl_error err = {0};
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case 'r': root = optarg; break;
                case 'R': rm = true; break;
                case 'h': usage(stdout); return SL_EXIT_OK;
                default: usage(stderr); return SL_EXIT_USAGE;
                }
        }
        if (argc - optind != (rm ? 1 : 2)) {
                usage(stderr);
                return SL_EXIT_USAGE;
        }
        int rc = rm ? sl_bundle_remove(argv[optind], &err) : sl_bundle_create(root, argv[optind], argv[optind + 1], &err);
        if (rc < 0) {
                fprintf(stderr, "sloika-build bundle: %s\n", err.msg);
                return SL_EXIT_FAIL;
        }
        return SL_EXIT_OK;
}
