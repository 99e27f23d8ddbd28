/* images, inspect, rm, tag, prune, export and fsck: the store's commands. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/cli/cli.h"
#include "builder/cli/store-cli.h"
#include "builder/exec/cache-mounts.h"
#include "builder/output/layout.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

int sl_store_cli_fail(const char *cmd, const sl_error *err)
{
        fprintf(stderr, "sloika-build %s: %s\n", cmd, err->msg);
        return SL_EXIT_FAIL;
}

/* Parses --root and -h/--help (and the extra short options in shorts,
 * returned through *flag) for commands that take nothing else; leaves
 * optind at the first operand. Returns -1 on a usage error, 1 for help. */
static int common_opts(int argc, char **argv, const char *usage, const char **root,
                       const char *extra_long, char *flag)
{
        struct option opts[] = {
                {"root", required_argument, NULL, 'r'},
                {"help", no_argument, NULL, 'h'},
                {extra_long ? extra_long : "no-such-option", no_argument, NULL, 'x'},
                {0},
        };
        *root = SL_STORE_DEFAULT_ROOT;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+hqf", opts, NULL)) != -1) {
                switch (c) {
                case 'r': *root = optarg; break;
                case 'h': printf("%s", usage); return 1;
                case 'q': case 'f': case 'x':
                        if (flag) {
                                *flag = (char)c;
                                break;
                        }
                        /* fall through */
                default: fprintf(stderr, "%s", usage); return -1;
                }
        }
        return 0;
}

int (*sl_store_cli_reaper)(const char *state_root, sl_error *err);

static int open_store(const char *cmd, const char *root, sl_store **s)
{
        sl_error err = {0};
        if (sl_store_open(root, s, &err) < 0)
                return sl_store_cli_fail(cmd, &err);
        sl_store_set_reaper(*s, sl_store_cli_reaper);
        return 0;
}

#define COMMON_HELP "      --root DIR  the store (default " SL_STORE_DEFAULT_ROOT ")\n  -h, --help      this help\n"

int sl_build_cmd_images(int argc, char **argv)
{
        const char *root;
        char q = 0;
        int r = common_opts(argc, argv, "Usage: sloika-build images [-q] [--root DIR]\n\nLists tagged images.\n\n"
                            "  -q              print only image ids\n" COMMON_HELP, &root, NULL, &q);
        if (r)
                return r < 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
        sl_store *s;
        if (open_store("images", root, &s))
                return SL_EXIT_FAIL;
        sl_error err = {0};
        oci_index *idx;
        if (sl_store_list(s, &idx, &err) < 0) {
                sl_store_close(s);
                return sl_store_cli_fail("images", &err);
        }
        if (!q)
                printf("%-40s %-12s %s\n", "NAME", "IMAGE ID", "SIZE");
        for (size_t i = 0; i < idx->manifests_len; i++) {
                const oci_descriptor *d = &idx->manifests[i];
                const char *ref = oci_string_map_get(d->annotations, SL_REF_NAME_ANNOTATION);
                if (q) {
                        printf("%.12s\n", d->digest + 7);
                        continue;
                }
                oci_manifest *m;
                long long size = 0;
                if (sl_store_load_image(s, d->digest, &m, NULL, &err) == 0) {
                        size = m->config->size;
                        for (size_t l = 0; l < m->layers_len; l++)
                                size += m->layers[l].size;
                        oci_manifest_free(m);
                }
                printf("%-40s %.12s %.1f MB\n", ref ? ref : "<none>", d->digest + 7, (double)size / 1e6);
        }
        oci_index_free(idx);
        sl_store_close(s);
        return SL_EXIT_OK;
}

int sl_build_cmd_inspect(int argc, char **argv)
{
        const char *root;
        char which = 0;
        const char *help = "Usage: sloika-build inspect [--manifest] [--root DIR] IMAGE\n\n"
                           "Prints an image's config (or with --manifest its manifest) as JSON.\n\n"
                           "      --manifest  print the manifest\n" COMMON_HELP;
        int r = common_opts(argc, argv, help, &root, "manifest", &which);
        if (r)
                return r < 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
        if (argc - optind != 1) {
                fprintf(stderr, "%s", help);
                return SL_EXIT_USAGE;
        }
        sl_store *s;
        if (open_store("inspect", root, &s))
                return SL_EXIT_FAIL;
        sl_error err = {0};
        char digest[SL_DIGEST_STR_MAX];
        oci_manifest *m = NULL;
        oci_image *c = NULL;
        _cleanup_free_ char *json = NULL;
        size_t len;
        int rc = sl_store_resolve(s, argv[optind], digest, &err);
        if (rc == 0)
                rc = sl_store_load_image(s, digest, &m, &c, &err);
        if (rc == 0)
                rc = which == 'x' ? oci_manifest_generate(m, OCI_GEN_PRETTY, &json, &len, &err)
                                  : oci_image_generate(c, OCI_GEN_PRETTY, &json, &len, &err);
        oci_manifest_free(m);
        oci_image_free(c);
        sl_store_close(s);
        if (rc < 0)
                return sl_store_cli_fail("inspect", &err);
        printf("%s\n", json);
        return SL_EXIT_OK;
}

int sl_build_cmd_rm(int argc, char **argv)
{
        const char *root;
        const char *help = "Usage: sloika-build rm [--root DIR] IMAGE...\n\n"
                           "Removes tags (a digest removes every tag of that image). Blobs and\n"
                           "layers go at the next prune.\n\n" COMMON_HELP;
        int r = common_opts(argc, argv, help, &root, NULL, NULL);
        if (r)
                return r < 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
        if (optind >= argc) {
                fprintf(stderr, "%s", help);
                return SL_EXIT_USAGE;
        }
        sl_store *s;
        if (open_store("rm", root, &s))
                return SL_EXIT_FAIL;
        int rc = SL_EXIT_OK;
        for (int i = optind; i < argc; i++) {
                sl_error err = {0};
                if (!strncmp(argv[i], "sha256:", 7)) {
                        oci_index *idx;
                        int n = 0;
                        if (sl_store_list(s, &idx, &err) == 0) {
                                for (size_t k = 0; k < idx->manifests_len; k++) {
                                        const char *ref = oci_string_map_get(idx->manifests[k].annotations,
                                                                             SL_REF_NAME_ANNOTATION);
                                        if (ref && !strcmp(idx->manifests[k].digest, argv[i]) &&
                                            sl_store_untag(s, ref, &err) == 0) {
                                                printf("Untagged: %s\n", ref);
                                                n++;
                                        }
                                }
                                oci_index_free(idx);
                        }
                        if (n == 0) {
                                if (!err.msg[0])
                                        sl_err(&err, ENOENT, "no tag names image %s", argv[i]);
                                rc = sl_store_cli_fail("rm", &err);
                        }
                        continue;
                }
                if (sl_store_untag(s, argv[i], &err) < 0)
                        rc = sl_store_cli_fail("rm", &err);
                else
                        printf("Untagged: %s\n", argv[i]);
        }
        sl_store_close(s);
        return rc;
}

int sl_build_cmd_tag(int argc, char **argv)
{
        const char *root;
        const char *help = "Usage: sloika-build tag [--root DIR] IMAGE NAME[:TAG]...\n\n"
                           "Gives an image more names.\n\n" COMMON_HELP;
        int r = common_opts(argc, argv, help, &root, NULL, NULL);
        if (r)
                return r < 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
        if (argc - optind < 2) {
                fprintf(stderr, "%s", help);
                return SL_EXIT_USAGE;
        }
        sl_store *s;
        if (open_store("tag", root, &s))
                return SL_EXIT_FAIL;
        sl_error err = {0};
        char digest[SL_DIGEST_STR_MAX];
        int rc = sl_store_resolve(s, argv[optind], digest, &err);
        for (int i = optind + 1; rc == 0 && i < argc; i++)
                rc = sl_store_tag(s, argv[i], digest, &err);
        sl_store_close(s);
        return rc < 0 ? sl_store_cli_fail("tag", &err) : SL_EXIT_OK;
}

int sl_build_cmd_prune(int argc, char **argv)
{
        const char *root;
        char all = 0;
        int r = common_opts(argc, argv, "Usage: sloika-build prune [--all] [--root DIR]\n\n"
                            "Removes blobs and unpacked layers no tag or build cache entry uses,\n"
                            "and leftovers of interrupted work. Waits for running builds.\n\n"
                            "      --all       forget the build cache and RUN cache mounts first\n" COMMON_HELP, &root, "all", &all);
        if (r)
                return r < 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
        sl_store *s;
        if (open_store("prune", root, &s))
                return SL_EXIT_FAIL;
        sl_error err = {0};
        sl_store_stats st;
        size_t mounts = 0;
        int rc = all == 'x' ? sl_store_cache_clear(s, &err) : 0;
        if (rc == 0 && all == 'x')
                rc = sl_cache_mounts_clear(s, &mounts, &err);
        if (rc == 0)
                rc = sl_store_gc(s, &st, &err);
        sl_store_close(s);
        if (rc < 0)
                return sl_store_cli_fail("prune", &err);
        printf("removed %zu blobs (%.1f MB), %zu layer dirs, %zu temporary entries\n", st.blobs_removed,
               (double)st.bytes_freed / 1e6, st.layers_removed, st.tmp_removed);
        if (mounts)
                printf("removed %zu cache mount dirs\n", mounts);
        return SL_EXIT_OK;
}

static void print_report(void *ctx, const char *msg)
{
        (void)ctx;
        printf("%s\n", msg);
}

int sl_build_cmd_fsck(int argc, char **argv)
{
        const char *root;
        char repair = 0;
        int r = common_opts(argc, argv, "Usage: sloika-build fsck [--repair] [--root DIR]\n\n"
                            "Re-hashes every blob; checks that layers/ holds only chain-id dirs, that\n"
                            "every tag's manifest, config and layer blobs are there and parse, and\n"
                            "that cache entries name stored blobs; reports what a crash left (tmp/\n"
                            "entries, step containers, mounts). Prints one line per finding and\n"
                            "exits 1 when anything is left unrepaired. Waits for running builds.\n\n"
                            "      --repair    remove corrupt blobs, untag dangling tags and clear\n"
                            "                  the leftovers\n" COMMON_HELP, &root, "repair", &repair);
        if (r)
                return r < 0 ? SL_EXIT_USAGE : SL_EXIT_OK;
        if (optind != argc) {
                fprintf(stderr, "sloika-build fsck: unexpected argument \"%s\"\n", argv[optind]);
                return SL_EXIT_USAGE;
        }
        sl_store *s;
        if (open_store("fsck", root, &s))
                return SL_EXIT_FAIL;
        sl_error err = {0};
        sl_store_stats st;
        sl_fsck_opts o = {.repair = repair == 'x', .report = print_report};
        int rc = sl_store_fsck_ex(s, &o, &st, &err);
        sl_store_close(s);
        if (rc < 0)
                return sl_store_cli_fail("fsck", &err);
        printf("checked %zu blobs: %zu problems, %zu leftovers, %zu repaired\n", st.blobs_checked, st.problems,
               st.leftovers, st.repaired);
        return st.problems + st.leftovers > st.repaired ? SL_EXIT_FAIL : SL_EXIT_OK;
}

int sl_build_cmd_export(int argc, char **argv)
{
        static const struct option opts[] = {
                {"root", required_argument, NULL, 'r'},
                {"format", required_argument, NULL, 'f'},
                {"ref", required_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *help = "Usage: sloika-build export [--format oci|oci-archive] [--ref NAME] [--root DIR] IMAGE DEST\n\n"
                           "Writes an image as an OCI layout dir (added to one already there) or an\n"
                           "oci-archive file. The index entry is annotated with\n"
                           "org.opencontainers.image.ref.name = NAME (default: IMAGE's tag, or latest).\n\n"
                           "      --format F  oci (default) or oci-archive\n"
                           "      --ref NAME  the ref name in index.json\n" COMMON_HELP;
        const char *root = SL_STORE_DEFAULT_ROOT, *format = "oci", *ref = NULL;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case 'r': root = optarg; break;
                case 'f': format = optarg; break;
                case 'n': ref = optarg; break;
                case 'h': printf("%s", help); return SL_EXIT_OK;
                default: fprintf(stderr, "%s", help); return SL_EXIT_USAGE;
                }
        }
        if (argc - optind != 2 || (strcmp(format, "oci") && strcmp(format, "oci-archive"))) {
                fprintf(stderr, "%s", help);
                return SL_EXIT_USAGE;
        }
        const char *image = argv[optind], *dest = argv[optind + 1];
        _cleanup_free_ char *defref = NULL;
        if (!ref) {
                const char *colon = strrchr(image, ':'), *slash = strrchr(image, '/');
                defref = sl_xstrdup(strncmp(image, "sha256:", 7) && colon && (!slash || colon > slash)
                                    ? colon + 1 : "latest");
                ref = defref;
        }
        sl_store *s;
        if (open_store("export", root, &s))
                return SL_EXIT_FAIL;
        sl_error err = {0};
        char digest[SL_DIGEST_STR_MAX];
        int rc = sl_store_resolve(s, image, digest, &err);
        if (rc == 0)
                rc = !strcmp(format, "oci") ? sl_output_layout(s, digest, dest, ref, &err)
                                            : sl_output_archive(s, digest, dest, ref, &err);
        sl_store_close(s);
        if (rc < 0)
                return sl_store_cli_fail("export", &err);
        printf("%s\n", digest);
        return SL_EXIT_OK;
}
