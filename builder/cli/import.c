/* sloika-build import ROOTFS.tar|DIR -t NAME[:TAG] [--root STORE]:
 * a single-layer image from a rootfs, stored and tagged. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/cli/cli.h"
#include "builder/cli/store-cli.h"
#include "builder/output/import.h"
#include "common/cleanup.h"
#include "common/strv.h"

static void usage(FILE *f)
{
        fprintf(f, "Usage: sloika-build import [OPTIONS] ROOTFS.tar|DIR\n"
                   "\n"
                   "Makes a single-layer image from a rootfs tarball (plain, gzip or zstd)\n"
                   "or a directory, and tags it. Prints the image digest.\n"
                   "\n"
                   "  -t, --tag NAME[:TAG]    name the image (repeatable; :latest by default)\n"
                   "      --root DIR          the store (default " SL_STORE_DEFAULT_ROOT ")\n"
                   "      --compression C     gzip (default), zstd or none\n"
                   "      --allow-devices     keep device nodes found in the tarball\n"
                   "  -q, --quiet             print only the digest\n"
                   "  -h, --help              this help\n"
                   "\n"
                   "Timestamps are clamped to SOURCE_DATE_EPOCH (0 when unset), so the same\n"
                   "input gives the same image digest.\n");
}

int sl_build_cmd_import(int argc, char **argv)
{
        static const struct option opts[] = {
                {"tag", required_argument, NULL, 't'},
                {"root", required_argument, NULL, 'r'},
                {"compression", required_argument, NULL, 'c'},
                {"allow-devices", no_argument, NULL, 'D'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        _cleanup_strv_ char **tags = NULL;
        const char *root = SL_STORE_DEFAULT_ROOT;
        sl_import_opts io = {.compression = SL_COMPRESS_GZIP};
        sl_error err = {0};
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+t:qh", opts, NULL)) != -1) {
                switch (c) {
                case 't': sl_strv_append(&tags, optarg); break;
                case 'r': root = optarg; break;
                case 'c':
                        if (sl_compression_parse(optarg, &io.compression, &err) < 0) {
                                fprintf(stderr, "sloika-build import: %s\n", err.msg);
                                return SL_EXIT_USAGE;
                        }
                        break;
                case 'D': io.allow_devices = true; break;
                case 'q': break;  /* the digest is all import prints */
                case 'h': usage(stdout); return SL_EXIT_OK;
                default: usage(stderr); return SL_EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                fprintf(stderr, "sloika-build import: expected one ROOTFS.tar or DIR\n");
                usage(stderr);
                return SL_EXIT_USAGE;
        }
        if (sl_source_date_epoch(&io.epoch, &err) < 0)
                return sl_store_cli_fail("import", &err);
        sl_store *s;
        if (sl_store_open(root, &s, &err) < 0)
                return sl_store_cli_fail("import", &err);
        char digest[SL_DIGEST_STR_MAX];
        int rc = sl_import_rootfs(s, argv[optind], &io, digest, &err);
        for (char **t = tags; rc == 0 && t && *t; t++)
                rc = sl_store_tag(s, *t, digest, &err);
        sl_store_close(s);
        if (rc < 0)
                return sl_store_cli_fail("import", &err);
        printf("%s\n", digest);
        return SL_EXIT_OK;
}
