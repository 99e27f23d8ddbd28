/* sloika-build build: a Dockerfile and a context to an image in the store. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder/cli/cli.h"
#include "builder/cli/exec-cli.h"
#include "builder/exec/build.h"
#include "builder/exec/run.h"
#include "builder/store/store.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

static void usage(FILE *f)
{
        fprintf(f, "Usage: sloika-build build [OPTIONS] CONTEXT\n"
                   "\n"
                   "Builds the Dockerfile's target into the store and prints its digest.\n"
                   "\n"
                   "  -f, --file FILE          the Dockerfile (default CONTEXT/Dockerfile; - for stdin)\n"
                   "  -t, --tag NAME[:TAG]     name the image (repeatable)\n"
                   "      --build-arg K[=V]    set a build argument (repeatable; K alone: from the environment)\n"
                   "      --target STAGE       build this stage (default: the last)\n"
                   "      --no-cache           run every step again\n"
                   "      --label K=V          add a label to the image (repeatable)\n"
                   "      --secret id=ID[,src=FILE|,env=VAR]\n"
                   "                           a secret for RUN --mount=type=secret (repeatable)\n"
                   "      --platform P         linux/%s only (no emulation)\n"
                   "      --network none|host  RUN's network (default none)\n"
                   "      --compression C      gzip (default), zstd or none\n"
                   "      --output type=oci,dest=DIR | type=oci-archive,dest=FILE\n"
                   "      --root DIR           the store (default " SL_STORE_DEFAULT_ROOT ")\n"
                   "      --timestamp N        image and file times (default SOURCE_DATE_EPOCH, else 0)\n"
                   "  -q, --quiet              print only the digest\n"
                   "  -h, --help               this help\n",
                "amd64");
}

static int parse_output(const char *v, sl_build_opts *o, char **dest)
{
        _cleanup_free_ char *s = sl_xstrdup(v);
        char *save = NULL;
        o->output_type = NULL;
        o->output_dest = NULL;
        for (char *kv = strtok_r(s, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                if (!strncmp(kv, "type=", 5))
                        o->output_type = !strcmp(kv + 5, "oci") ? "oci" : !strcmp(kv + 5, "oci-archive") ? "oci-archive" : "";
                else if (!strncmp(kv, "dest=", 5)) {
                        free(*dest);
                        o->output_dest = *dest = sl_xstrdup(kv + 5);
                }
                else
                        return -1;
        }
        if (!o->output_type || !*o->output_type || !o->output_dest || !*o->output_dest)
                return -1;
        return 0;
}

int sl_build_cmd_build(int argc, char **argv)
{
        static const struct option opts[] = {
                {"file", required_argument, NULL, 'f'},
                {"tag", required_argument, NULL, 't'},
                {"build-arg", required_argument, NULL, 'a'},
                {"target", required_argument, NULL, 'T'},
                {"no-cache", no_argument, NULL, 'n'},
                {"label", required_argument, NULL, 'l'},
                {"secret", required_argument, NULL, 'S'},
                {"platform", required_argument, NULL, 'p'},
                {"network", required_argument, NULL, 'N'},
                {"compression", required_argument, NULL, 'c'},
                {"output", required_argument, NULL, 'o'},
                {"root", required_argument, NULL, 'r'},
                {"timestamp", required_argument, NULL, 's'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        _cleanup_strv_ char **tags = NULL, **bargs = NULL, **labels = NULL, **secrets = NULL;
        _cleanup_free_ char *output_dest = NULL;
        sl_build_opts o = {.root = SL_STORE_DEFAULT_ROOT, .network = SL_DF_NET_NONE, .compression = SL_COMPRESS_GZIP};
        sl_error err = {0};
        bool have_ts = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+f:t:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'f': o.dockerfile = optarg; break;
                case 't': sl_strv_append(&tags, optarg); break;
                case 'a': sl_strv_append(&bargs, optarg); break;
                case 'T': o.target = optarg; break;
                case 'n': o.no_cache = true; break;
                case 'l': sl_strv_append(&labels, optarg); break;
                case 'S': sl_strv_append(&secrets, optarg); break;
                case 'p': o.platform = optarg; break;
                case 'N':
                        if (!strcmp(optarg, "host"))
                                o.network = SL_DF_NET_HOST;
                        else if (!strcmp(optarg, "none") || !strcmp(optarg, "default"))
                                o.network = SL_DF_NET_NONE;
                        else {
                                fprintf(stderr, "sloika-build build: --network %s: expected none or host\n", optarg);
                                return SL_EXIT_USAGE;
                        }
                        break;
                case 'c':
                        if (sl_compression_parse(optarg, &o.compression, &err) < 0) {
                                fprintf(stderr, "sloika-build build: %s\n", err.msg);
                                return SL_EXIT_USAGE;
                        }
                        break;
                case 'o':
                        if (parse_output(optarg, &o, &output_dest) < 0) {
                                fprintf(stderr, "sloika-build build: --output %s: expected type=oci,dest=DIR or "
                                                "type=oci-archive,dest=FILE\n", optarg);
                                return SL_EXIT_USAGE;
                        }
                        break;
                case 'r': o.root = optarg; break;
                case 's': {
                        char *end;
                        o.epoch = strtoll(optarg, &end, 10);
                        if (!*optarg || *end || o.epoch < 0) {
                                fprintf(stderr, "sloika-build build: --timestamp %s: expected seconds since 1970\n", optarg);
                                return SL_EXIT_USAGE;
                        }
                        have_ts = true;
                        break;
                }
                case 'q': o.quiet = true; break;
                case 'h': usage(stdout); return SL_EXIT_OK;
                default: usage(stderr); return SL_EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                fprintf(stderr, "sloika-build build: expected one CONTEXT directory\n");
                usage(stderr);
                return SL_EXIT_USAGE;
        }
        o.context = argv[optind];
        o.tags = tags;
        o.build_args = bargs;
        o.labels = labels;
        o.secrets = secrets;
        if (!have_ts && sl_source_date_epoch(&o.epoch, &err) < 0) {
                fprintf(stderr, "sloika-build build: %s\n", err.msg);
                return SL_EXIT_USAGE;
        }
        struct sigaction sa = {.sa_handler = sl_run_on_signal};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        char digest[SL_DIGEST_STR_MAX];
        int code;
        if (sl_build(&o, digest, &code, &err) < 0) {
                fprintf(stderr, "sloika-build build: %s\n", err.msg);
                return code ? code : SL_EXIT_FAIL;
        }
        if (o.quiet)
                printf("%s\n", digest);
        else
                printf("digest: %s\n", digest);
        return SL_EXIT_OK;
}
