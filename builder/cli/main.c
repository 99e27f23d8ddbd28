/* sloika-build: the Dockerfile to OCI image builder's command line. */
#include <stdio.h>
#include <string.h>

#include "builder/cli/cli.h"
#include "builder/cli/exec-cli.h"
#include "builder/cli/store-cli.h"
#include "runtime/lib/reexec.h"

typedef struct command {
        const char *name;
        int (*run)(int argc, char **argv);  /* NULL: not implemented yet */
        const char *summary;
} command;

static const command commands[] = {
        {"build", sl_build_cmd_build, "build an image from a Dockerfile and a context"},
        {"check", sl_build_cmd_check, "parse and lint a Dockerfile without building"},
        {"import", sl_build_cmd_import, "make an image from a rootfs tarball or directory"},
        {"images", sl_build_cmd_images, "list the images in the store"},
        {"inspect", sl_build_cmd_inspect, "show an image's manifest and config"},
        {"rm", sl_build_cmd_rm, "remove images"},
        {"tag", sl_build_cmd_tag, "give an image another name"},
        {"prune", sl_build_cmd_prune, "remove unused blobs and layers"},
        {"export", sl_build_cmd_export, "write an image as an OCI layout or archive"},
        {"fsck", sl_build_cmd_fsck, "verify the store's blobs and layers"},
        {"bundle", sl_build_cmd_bundle, "make a runtime bundle from an image"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
        fprintf(f, "Usage: sloika-build COMMAND [OPTIONS]\n\n"
                   "A daemonless Dockerfile to OCI image builder.\n\nCommands:\n");
        for (size_t i = 0; i < N_COMMANDS; i++)
                fprintf(f, "  %-8s %s%s\n", commands[i].name, commands[i].summary,
                        commands[i].run ? "" : " (not implemented yet)");
        fprintf(f, "\nOptions:\n  -h, --help     this help\n  -v, --version  print the version\n\n"
                   "Run 'sloika-build COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return SL_EXIT_USAGE;
        }
        const char *cmd = argv[1];
        if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
                usage(stdout);
                return SL_EXIT_OK;
        }
        if (!strcmp(cmd, "--version") || !strcmp(cmd, "-v") || !strcmp(cmd, "version")) {
                printf("sloika-build version %s\n", PACKAGE_VERSION);
                return SL_EXIT_OK;
        }
        sl_store_cli_reaper = sl_build_reap_containers;
        for (size_t i = 0; i < N_COMMANDS; i++) {
                if (strcmp(cmd, commands[i].name) != 0)
                        continue;
                if (!commands[i].run) {
                        fprintf(stderr, "sloika-build: %s: not implemented yet\n", cmd);
                        return SL_EXIT_FAIL;
                }
                /* build starts containers: like the runtime, it first makes
                 * its own binary unwritable through /proc/self/exe. */
                if (commands[i].run == sl_build_cmd_build) {
                        sl_error err = {0};
                        if (sl_reexec_protected(argv, &err) < 0) {
                                fprintf(stderr, "sloika-build: %s\n", err.msg);
                                return SL_EXIT_FAIL;
                        }
                }
                return commands[i].run(argc - 1, argv + 1);
        }
        fprintf(stderr, "sloika-build: unknown command \"%s\" (see sloika-build --help)\n", cmd);
        return SL_EXIT_USAGE;
}
