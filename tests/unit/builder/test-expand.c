/* Variable expansion as Dockerfile instructions apply it. */
#include <stdlib.h>
#include <string.h>

#include "builder/expand.h"
#include "common/strv.h"
#include "tests/unit/tap.h"

static char *env_vars[] = {
        "FOO=foo", "BAR=bar baz", "EMPTY=", "PATH=/usr/bin", "X=x", "NESTED=${FOO}", NULL,
};

static const sl_expand_env env = {.lookup = sl_expand_envv_lookup, .ctx = env_vars};
static const sl_expand_env bt = {.lookup = sl_expand_envv_lookup, .ctx = env_vars, .escape = '`'};

static void word(const sl_expand_env *e, const char *in, const char *want)
{
        char *out = NULL;
        sl_error err = {0};
        int r = sl_expand_word(in, e, &out, &err);
        if (r < 0)
                diag("error: %s", err.msg);
        is_str(out, want, "expand [%s] -> [%s]", in, want);
        free(out);
}

static void word_err(const char *in, const char *want)
{
        char *out = NULL;
        sl_error err = {0};
        int r = sl_expand_word(in, &env, &out, &err);
        ok(r < 0, "expand [%s] fails", in);
        is_str(r < 0 ? err.msg : out, want, "expand [%s] error says [%s]", in, want);
        free(out);
}

static void fields(const char *in, const char *want_joined)
{
        char **f = NULL;
        sl_error err = {0};
        char buf[256] = "";
        if (sl_expand_fields(in, &env, &f, &err) == 0)
                for (size_t i = 0; f[i]; i++) {
                        strcat(buf, i ? "|" : "");
                        strcat(buf, f[i]);
                }
        else
                snprintf(buf, sizeof buf, "ERROR %.200s", err.msg);
        is_str(buf, want_joined, "fields [%s] -> [%s]", in, want_joined);
        sl_strv_free(f);
}

static const char *seen_unset[8];
static size_t n_unset;
static void on_unset(void *ctx, const char *name)
{
        (void)ctx;
        if (n_unset < 8)
                seen_unset[n_unset++] = strdup(name);
}

int main(void)
{
        /* plain references */
        word(&env, "$FOO", "foo");
        word(&env, "${FOO}", "foo");
        word(&env, "a${FOO}b", "afoob");
        word(&env, "$FOO/$X", "foo/x");
        word(&env, "$FOObar", "");
        word(&env, "${FOO}bar", "foobar");
        word(&env, "$UNSET", "");
        word(&env, "pre${UNSET}post", "prepost");
        word(&env, "$", "$");
        word(&env, "a$", "a$");
        word(&env, "$ x", "$ x");
        word(&env, "$/x", "$/x");
        word(&env, "$1", "");
        word(&env, "cost: 5$", "cost: 5$");
        word(&env, "${NESTED}", "${FOO}"); /* values are not re-expanded */
        /* ${VAR:-w} and ${VAR-w} */
        word(&env, "${FOO:-def}", "foo");
        word(&env, "${UNSET:-def}", "def");
        word(&env, "${EMPTY:-def}", "def");
        word(&env, "${EMPTY-def}", "");
        word(&env, "${UNSET-def}", "def");
        word(&env, "${FOO-def}", "foo");
        word(&env, "${UNSET:-}", "");
        word(&env, "${UNSET:-a b}", "a b");
        /* ${VAR:+w} and ${VAR+w} */
        word(&env, "${FOO:+alt}", "alt");
        word(&env, "${UNSET:+alt}", "");
        word(&env, "${EMPTY:+alt}", "");
        word(&env, "${EMPTY+alt}", "alt");
        word(&env, "${UNSET+alt}", "");
        /* ${VAR:?msg} and ${VAR?msg} when set */
        word(&env, "${FOO:?must be set}", "foo");
        word(&env, "${EMPTY?must be set}", "");
        /* nesting */
        word(&env, "${UNSET:-${FOO}}", "foo");
        word(&env, "${UNSET:-${ALSO:-deep}}", "deep");
        word(&env, "${FOO:+[${X}]}", "[x]");
        word(&env, "${UNSET:-$FOO-$X}", "foo-x");
        word(&env, "${UNSET:-'q}'}", "q}");
        /* pattern removal and replacement */
        {
                static char *pv[] = {"P=/usr/local/lib/libfoo.so.1", "V=v1.2.3", "S=a*b", NULL};
                sl_expand_env pe = {.lookup = sl_expand_envv_lookup, .ctx = pv};
                word(&pe, "${P#*/}", "usr/local/lib/libfoo.so.1");
                word(&pe, "${P##*/}", "libfoo.so.1");
                word(&pe, "${P%.*}", "/usr/local/lib/libfoo.so");
                word(&pe, "${P%%.*}", "/usr/local/lib/libfoo");
                word(&pe, "${V#v}", "1.2.3");
                word(&pe, "${V#x}", "v1.2.3");
                word(&pe, "${V/./-}", "v1-2.3");
                word(&pe, "${V//./-}", "v1-2-3");
                word(&pe, "${V//[0-9]/N}", "vN.N.N");
                word(&pe, "${V/.}", "v12.3");
                word(&pe, "${S/'*'/x}", "axb");
                word(&pe, "${S/\\*/y}", "ayb");
                word(&pe, "${S/*/z}", "z");
                word(&pe, "${UNSET#x}", "");
                word(&pe, "${V%.${V##*.}}", "v1.2");
        }
        /* escapes */
        word(&env, "\\$FOO", "$FOO");
        word(&env, "\\${FOO}", "${FOO}");
        word(&env, "a\\ b", "a b");
        word(&env, "a\\\\b", "a\\b");
        word(&env, "trailing\\", "trailing");
        word(&env, "${UNSET:-\\}}", "}");
        word(&bt, "`$FOO", "$FOO");
        word(&bt, "c:\\dir\\$FOO", "c:\\dir\\foo");
        word(&bt, "\"a`\"b\"", "a\"b");
        /* quotes */
        word(&env, "'$FOO'", "$FOO");
        word(&env, "\"$FOO\"", "foo");
        word(&env, "\"${FOO} and '$X'\"", "foo and 'x'");
        word(&env, "'a \"b\" c'", "a \"b\" c");
        word(&env, "\"a \\\"b\\\" c\"", "a \"b\" c");
        word(&env, "\"\\$FOO\"", "$FOO");
        word(&env, "\"a\\nb\"", "a\\nb");
        word(&env, "\"\\\\\"", "\\");
        word(&env, "it's'", "its");
        word(&env, "\"\"", "");
        word(&env, "a\"\"b", "ab");
        word(&env, "  spaced  words ", "  spaced  words ");
        /* errors */
        word_err("${UNSET:?must be set}", "UNSET: must be set");
        word_err("${UNSET?}", "UNSET: is not allowed to be unset");
        word_err("${EMPTY:?}", "EMPTY: is not allowed to be empty");
        word_err("${UNSET:?}", "UNSET: is not allowed to be unset");
        word_err("${FOO", "missing \"}\" in substitution \"${FOO\"");
        word_err("${FOO:-abc", "missing \"}\" in substitution");
        word_err("${}", "bad substitution at \"${}\": expected a variable name after \"${\"");
        word_err("${FOO^^}", "unsupported modifier \"^\" in substitution ${FOO...}: expected one of :- - :+ + :? ? # ## % %% / //");
        word_err("'unterminated", "unexpected end of statement while looking for matching single-quote");
        word_err("\"unterminated", "unexpected end of statement while looking for matching double-quote");
        word_err("${UNSET:-${NOPE:?inner}}", "NOPE: inner");
        /* field splitting (EXPOSE $PORTS) */
        fields("80 443", "80|443");
        fields("$BAR", "bar|baz");
        fields("\"$BAR\"", "bar baz");
        fields("a${EMPTY}b", "ab");
        fields("$EMPTY", "");
        fields("'' x", "x");
        fields("  lead  trail  ", "lead|trail");
        fields("x\\ y z", "x y|z");
        fields("${UNSET:-8080/tcp 9090}", "8080/tcp|9090");
        /* unset references are reported */
        sl_expand_env e2 = env;
        e2.on_unset = on_unset;
        char *out;
        sl_expand_word("$A ${B:-x} $FOO", &e2, &out, NULL);
        free(out);
        is_int(n_unset, 2, "two unset variables are reported");
        is_str(n_unset > 0 ? seen_unset[0] : NULL, "A", "the first is A");
        is_str(n_unset > 1 ? seen_unset[1] : NULL, "B", "the second is B");
        for (size_t i = 0; i < n_unset; i++)
                free((void *)seen_unset[i]);
        /* heredoc mode: quotes stay, only \$ is an escape */
        sl_expand_env hd = env;
        hd.keep_quotes = true;
        word(&hd, "echo \"$FOO\" '$X' \\$HOME a\\nb\n", "echo \"foo\" 'x' $HOME a\\nb\n");
        return tap_done();
}
