/* Variable expansion (builder/expand). Input: the word, a NUL byte, then
 * "NAME=VALUE" lines for the variables; a line "!escape=`" switches the
 * escape character and "!keep_quotes" selects heredoc mode. */
#include <stdbool.h>

#include "builder/expand.h"
#include "common/strv.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void count_unset(void *ctx, const char *name)
{
        FUZZ_ASSERT(name, "unset callback without a name");
        ++*(size_t *)ctx;
}

/* Nothing to expand: no '$', no quote, no escape character. */
static bool is_literal(const char *w, char escape)
{
        return !strchr(w, '$') && !strchr(w, '\'') && !strchr(w, '"') && !strchr(w, escape);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
        char *buf = fuzz_cstr(data, len);
        size_t wlen;
        char *rest = fuzz_split_nul(buf, len, &wlen);
        size_t n;
        char **lines = fuzz_lines(rest, &n);
        char **vars = calloc(n + 1, sizeof *vars);
        if (!vars)
                abort();
        size_t nv = 0, unset = 0;
        sl_expand_env env = {.lookup = sl_expand_envv_lookup, .ctx = vars, .on_unset = count_unset,
                             .unset_ctx = &unset};
        for (size_t i = 0; i < n; i++) {
                if (!strcmp(lines[i], "!escape=`"))
                        env.escape = '`';
                else if (!strcmp(lines[i], "!keep_quotes"))
                        env.keep_quotes = true;
                else if (strchr(lines[i], '='))
                        vars[nv++] = lines[i];
        }
        const char *word = buf;
        char escape = env.escape ? env.escape : '\\';

        sl_error err = {0};
        char *out = NULL;
        int rw = sl_expand_word(word, &env, &out, &err);
        FUZZ_ASSERT(rw == 0 || err.msg[0], "expand_word failed without a message");
        if (rw == 0) {
                FUZZ_ASSERT(out, "expand_word succeeded without a result");
                if (is_literal(word, escape))
                        FUZZ_ASSERT(!strcmp(out, word), "a literal word changed: \"%s\" -> \"%s\"", word, out);
        }
        free(out);

        char **fields = NULL;
        int rf = sl_expand_fields(word, &env, &fields, &err);
        FUZZ_ASSERT(rf == rw, "expand_word %s but expand_fields %s", rw ? "failed" : "worked",
                    rf ? "failed" : "worked");
        for (size_t i = 0; rf == 0 && fields[i]; i++)
                FUZZ_ASSERT(fields[i][0], "an empty field");
        sl_strv_free(fields);

        free(vars);
        free(lines);
        free(buf);
        return 0;
}
