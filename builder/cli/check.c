/* sloika-build check [-f Dockerfile] [CONTEXT]: parse and lint without
 * building. Findings go to stderr as "FILE:LINE: warning: ... (Rule)". */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder/cli/cli.h"
#include "builder/dockerfile/dockerfile.h"
#include "builder/dockerfile/lint.h"
#include "builder/dockerfile/stages.h"
#include "builder/ignore.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"
#include "common/xalloc.h"

static void usage(FILE *f)
{
        fprintf(f, "Usage: sloika-build check [-f FILE] [--target STAGE] [--build-arg K=V]... [CONTEXT]\n"
                   "\n"
                   "Parses and lints a Dockerfile without building it.\n"
                   "\n"
                   "  -f, --file FILE   the Dockerfile (default: CONTEXT/Dockerfile; - for stdin)\n"
                   "      --target S    also check that stage S exists\n"
                   "      --build-arg K=V  a build argument, for ARGs used in FROM and --from\n"
                   "  -h, --help        this help\n"
                   "\n"
                   "Exits 1 on errors, and on warnings when the Dockerfile says\n"
                   "# check=error=true; exits 2 on a bad command line.\n");
}

/* Errors the graph would only show at build time: references to stages
 * that are not earlier, bad --from expansions. */
static int check_graph(const sl_dockerfile *df, const char *target, const sl_expand_env *args, sl_error *err)
{
        size_t t;
        if (sl_df_find_target(df, target, &t, err) < 0)
                return -1;
        for (size_t s = 0; s < df->n_stages; s++) {
                size_t *deps, n;
                if (sl_df_stage_deps(df, s, args, &deps, &n, err) < 0)
                        return -1;
                free(deps);
        }
        return 0;
}

int sl_build_cmd_check(int argc, char **argv)
{
        static const struct option opts[] = {
                {"file", required_argument, NULL, 'f'},
                {"target", required_argument, NULL, 't'},
                {"build-arg", required_argument, NULL, 'a'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *file = NULL, *target = NULL;
        _cleanup_strv_ char **build_args = sl_strv_dup(NULL);
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f': file = optarg; break;
                case 't': target = optarg; break;
                case 'a':
                        if (!strchr(optarg, '=') || optarg[0] == '=') {
                                fprintf(stderr, "sloika-build check: --build-arg %s: expected KEY=VALUE\n", optarg);
                                return SL_EXIT_USAGE;
                        }
                        sl_strv_append(&build_args, optarg);
                        break;
                case 'h': usage(stdout); return SL_EXIT_OK;
                default: usage(stderr); return SL_EXIT_USAGE;
                }
        }
        if (argc - optind > 1) {
                fprintf(stderr, "sloika-build check: expected at most one CONTEXT, got %d arguments\n", argc - optind);
                return SL_EXIT_USAGE;
        }
        const char *context = optind < argc ? argv[optind] : ".";
        _cleanup_free_ char *path = NULL;
        if (file)
                path = sl_xstrdup(file);
        else if (strcmp(context, ".") == 0)
                path = sl_xstrdup("Dockerfile");
        else
                path = sl_xasprintf("%s/Dockerfile", context);

        _cleanup_close_ int ctxfd = open(context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ctxfd < 0) {
                fprintf(stderr, "sloika-build check: context %s: %s\n", context, strerror(errno));
                return SL_EXIT_FAIL;
        }
        sl_error err = {0};
        sl_dockerfile *df = NULL;
        int prc;
        if (strcmp(path, "-") == 0) {
                /* -f - reads the Dockerfile from stdin, as docker build does. */
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                prc = sl_read_fd_all(STDIN_FILENO, &data, &len, &err);
                if (prc == 0)
                        prc = sl_dockerfile_parse(data, len, "Dockerfile", &df, &err);
        } else {
                prc = sl_dockerfile_parse_file(path, &df, &err);
        }
        if (prc < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return SL_EXIT_FAIL;
        }
        if (df->directives.syntax)
                fprintf(stderr, "%s:%d: syntax=%s: using sloika-build's built-in frontend\n", df->name,
                        df->directives.syntax_line, df->directives.syntax);
        int rc = SL_EXIT_OK;
        sl_ignore *ig = NULL;
        if (sl_ignore_load(ctxfd, strcmp(path, "-") ? path : NULL, &ig, NULL, &err) < 0) {
                fprintf(stderr, "sloika-build check: %s\n", err.msg);
                rc = SL_EXIT_FAIL;
        }
        sl_expand_env args = {.lookup = sl_expand_envv_lookup, .ctx = build_args};
        if (check_graph(df, target, &args, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = SL_EXIT_FAIL;
        }
        sl_df_findings f;
        sl_df_lint(df, ig, &f);
        const char *shown = df->name; /* "Dockerfile" for stdin, else the path */
        size_t warnings = 0, errors = 0;
        for (size_t i = 0; i < f.n; i++) {
                fprintf(stderr, "%s:%d: %s: %s (%s)\n", shown, f.v[i].line, f.v[i].error ? "error" : "warning",
                        f.v[i].message, f.v[i].rule);
                if (f.v[i].error)
                        errors++;
                else
                        warnings++;
        }
        if (errors || (warnings && df->check.error))
                rc = SL_EXIT_FAIL;
        if (rc == SL_EXIT_OK && f.n == 0)
                fprintf(stderr, "Check complete, no warnings found.\n");
        else if (f.n)
                fprintf(stderr, "Check complete: %zu warning(s), %zu error(s)%s.\n", warnings, errors,
                        warnings && df->check.error ? " (warnings are errors: check=error=true)" : "");
        sl_df_findings_free(&f);
        sl_ignore_free(ig);
        sl_dockerfile_free(df);
        return rc;
}
