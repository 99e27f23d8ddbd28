/* The .dockerignore matcher (builder/ignore). Input: the ignore file, a
 * NUL byte, then one context path per line. Checks, besides memory
 * safety: the file and the same lines given as --exclude patterns agree,
 * and a walk that skips a directory because may_descend said no loses
 * nothing, i.e. every path below it is excluded. */
#include <stdbool.h>

#include "builder/ignore.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* "a/b/c" with no empty, "." or ".." part: the form a walk produces. */
static bool is_walk_path(const char *p)
{
        if (!*p)
                return false;
        for (const char *s = p;;) {
                const char *e = strchrnul(s, '/');
                size_t n = (size_t)(e - s);
                if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return false;
                if (!*e)
                        return true;
                s = e + 1;
        }
}

static void check_path(const sl_ignore *ig, char *path)
{
        bool excluded = sl_ignore_match(ig, path);
        (void)sl_ignore_may_descend(ig, path);
        if (!is_walk_path(path))
                return;
        for (char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                bool descend = sl_ignore_may_descend(ig, path);
                *slash = '/';
                FUZZ_ASSERT(descend || excluded, "may_descend(\"%.*s\") is false, yet \"%s\" is included",
                            (int)(slash - path), path, path);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
        char *buf = fuzz_cstr(data, len);
        size_t flen;
        char *rest = fuzz_split_nul(buf, len, &flen);
        sl_error err = {0};
        sl_ignore *ig = NULL;
        int rp = sl_ignore_parse(buf, flen, ".dockerignore", &ig, &err);
        FUZZ_ASSERT(rp == 0 || err.msg[0], "parse failed without a message");

        /* The same lines as --exclude patterns, when no comment or BOM
         * makes the file form differ. */
        sl_ignore *ex = NULL;
        if (!strchr(buf, '#') && strncmp(buf, "\xef\xbb\xbf", 3) != 0) {
                char *copy = strdup(buf);
                size_t n;
                char **lines = fuzz_lines(copy, &n);
                int rx = sl_ignore_from_patterns(lines, "--exclude", &ex, &err);
                FUZZ_ASSERT(rx == rp, "file parse %s, --exclude parse %s", rp ? "failed" : "worked",
                            rx ? "failed" : "worked");
                if (rp == 0) {
                        FUZZ_ASSERT(sl_ignore_count(ig) == sl_ignore_count(ex), "pattern counts differ");
                        for (size_t i = 0; i < sl_ignore_count(ig); i++)
                                FUZZ_ASSERT(!strcmp(sl_ignore_pattern(ig, i), sl_ignore_pattern(ex, i)),
                                            "pattern %zu differs", i);
                }
                free(lines);
                free(copy);
        }

        if (rp == 0) {
                size_t n;
                char **paths = fuzz_lines(rest, &n);
                for (size_t i = 0; i < n; i++) {
                        check_path(ig, paths[i]);
                        if (ex)
                                FUZZ_ASSERT(sl_ignore_match(ig, paths[i]) == sl_ignore_match(ex, paths[i]),
                                            "file and --exclude disagree on \"%s\"", paths[i]);
                }
                free(paths);
        }
        sl_ignore_free(ex);
        sl_ignore_free(ig);
        free(buf);
        return 0;
}
