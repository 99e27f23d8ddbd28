/* .dockerignore matching with Docker's semantics. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/ignore.h"
#include "common/cleanup.h"
#include "tests/unit/tap.h"

static sl_ignore *load(const char *text)
{
        sl_ignore *ig = NULL;
        sl_error err = {0};
        if (sl_ignore_parse(text, strlen(text), ".dockerignore", &ig, &err) < 0)
                diag("parse error: %s", err.msg);
        return ig;
}

static void check(const char *patterns, const char *path, bool excluded)
{
        sl_ignore *ig = load(patterns);
        ok(ig && sl_ignore_match(ig, path) == excluded, "[%s] %s %s", patterns, excluded ? "excludes" : "keeps",
           path);
        sl_ignore_free(ig);
}

static void descend(const char *patterns, const char *dir, bool want)
{
        sl_ignore *ig = load(patterns);
        ok(ig && sl_ignore_may_descend(ig, dir) == want, "[%s] %s into %s", patterns,
           want ? "descends" : "prunes", dir);
        sl_ignore_free(ig);
}

static void clean(const char *in, const char *want)
{
        char *c = sl_path_clean(in);
        is_str(c, want, "clean(%s)", in);
        free(c);
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        fputs(text, f);
        fclose(f);
}

static void test_load(void)
{
        char dir[] = "/tmp/sl-ignore-XXXXXX";
        if (!mkdtemp(dir)) {
                ok(0, "mkdtemp");
                return;
        }
        char p[512];
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY);
        sl_ignore *ig = NULL;
        char *src = NULL;
        sl_error err = {0};
        snprintf(p, sizeof p, "%s/Dockerfile", dir);
        ok(sl_ignore_load(fd, p, &ig, &src, &err) == 0 && sl_ignore_count(ig) == 0 && src == NULL,
           "no ignore file means no patterns");
        sl_ignore_free(ig);
        snprintf(p, sizeof p, "%s/.dockerignore", dir);
        write_file(p, "*.log\n");
        snprintf(p, sizeof p, "%s/Dockerfile", dir);
        ok(sl_ignore_load(fd, p, &ig, &src, &err) == 0 && sl_ignore_match(ig, "a.log"), "the context's .dockerignore is used");
        is_str(src, ".dockerignore", "its source is reported");
        sl_ignore_free(ig);
        free(src);
        snprintf(p, sizeof p, "%s/Dockerfile.dockerignore", dir);
        write_file(p, "*.tmp\n");
        snprintf(p, sizeof p, "%s/Dockerfile", dir);
        ok(sl_ignore_load(fd, p, &ig, &src, &err) == 0 && sl_ignore_match(ig, "a.tmp") && !sl_ignore_match(ig, "a.log"),
           "Dockerfile.dockerignore takes precedence over .dockerignore");
        ok(src && strstr(src, "Dockerfile.dockerignore"), "and is reported as the source");
        sl_ignore_free(ig);
        free(src);
        ok(sl_ignore_load(fd, NULL, &ig, NULL, &err) == 0 && sl_ignore_match(ig, "a.log"),
           "without a Dockerfile path the context's file is used");
        sl_ignore_free(ig);
        snprintf(p, sizeof p, "%s/.dockerignore", dir);
        write_file(p, "[unterminated\n");
        ok(sl_ignore_load(fd, NULL, &ig, NULL, &err) < 0, "a bad pattern fails the load");
        is_str(err.msg, ".dockerignore:1: invalid pattern \"[unterminated\": unterminated or malformed [...]",
               "and names the file and line");
        snprintf(p, sizeof p, "rm -rf %s", dir);
        if (system(p) != 0)
                diag("cleanup of %s failed", dir);
}

int main(void)
{
        /* basics */
        check("foo", "foo", true);
        check("foo", "foobar", false);
        check("foo", "foo/bar", true);          /* a matched dir covers its contents */
        check("foo", "bar/foo", false);         /* anchored at the root */
        check("/foo", "foo", true);             /* leading / is the root */
        check("./foo/../bar", "bar/x", true);   /* cleaned */
        check("foo/", "foo/x", true);
        check("foo//bar", "foo/bar", true);
        check("*.log", "a.log", true);
        check("*.log", "dir/a.log", false);     /* * stays within one segment */
        check("*/*.log", "dir/a.log", true);
        check("*", "anything/deep/x", true);
        check("?.txt", "a.txt", true);
        check("?.txt", "ab.txt", false);
        check("[a-c].txt", "b.txt", true);
        check("[a-c].txt", "d.txt", false);
        check("[^a-c].txt", "d.txt", true);
        check("\\*.txt", "*.txt", true);
        check("\\*.txt", "a.txt", false);
        check("a*", "ab/c", true);              /* a parent matched by a glob */
        check("a?", "ab/c/d", true);
        check("a*", "b/ab", false);
        check("a/b", "a/bc/d", false);
        check("a/b", "a/b/c/d", true);
        /* ** */
        check("**/*.go", "main.go", true);
        check("**/*.go", "a/b/c/main.go", true);
        check("**/*.go", "a/b/main.gox", false);
        check("a/**/b", "a/b", true);
        check("a/**/b", "a/x/y/b", true);
        check("a/**/b", "a/x/y/bc", false);
        check("a/**", "a/x/y", true);
        check("a/**", "a", false);
        check("**", "x/y", true);
        check("**/node_modules", "web/app/node_modules/lib/x.js", true);
        check("**/x", "x/y", true);
        check("**/*.log", "a.log/inner", true);
        /* comments, blanks, exceptions */
        check("# *.log\n", "a.log", false);
        check(" # not a comment\n", "# not a comment", true);
        check("\n\n  *.log  \n", "a.log", true);
        check("*.md\n!README.md", "README.md", false);
        check("*.md\n!README.md", "CHANGES.md", true);
        check("!README.md\n*.md", "README.md", true);    /* last match wins */
        check("docs\n!docs/keep.txt", "docs/keep.txt", false);
        check("docs\n!docs/keep.txt", "docs/other.txt", true);
        check("docs\n! docs/keep.txt", "docs/keep.txt", false);
        check("*\n!src\n", "src/a/b.c", false);
        check("*\n!src\nsrc/*.o", "src/x.o", true);
        check("", "x", false);
        check("x", "/x", true);
        check("x", "./x", true);
        /* may_descend */
        descend("build", "build", false);
        descend("build\n!build/keep", "build", true);
        descend("build\n!build/keep", "other", true);
        descend("build\n!*/keep", "build", true);
        descend("build\n!**/keep", "build", true);
        descend("build\n!other/keep", "build", false);
        descend("!build/keep\nbuild", "build", false);    /* the re-include comes too early */
        descend("a\n!a/b/c", "a/b", true);
        descend("a\n!a/b/c", "a/x", false);
        descend("a\n!a/*/c", "a/x", true);
        descend("node_modules", "src", true);
        descend("*.log", "logs", true);
        /* cleaning */
        clean("a/b/../c", "a/c");
        clean("./a//b/", "a/b");
        clean("/../a", "/a");
        clean("../a", "../a");
        clean("", ".");
        clean("a/..", ".");
        clean("/", "/");
        /* the patterns as kept */
        sl_ignore *ig = load("/abs\n!keep/./x\n");
        is_int(sl_ignore_count(ig), 2, "two patterns");
        is_str(ig ? sl_ignore_pattern(ig, 0) : NULL, "abs", "leading slash dropped");
        is_str(ig ? sl_ignore_pattern(ig, 1) : NULL, "!keep/x", "exception cleaned");
        sl_ignore_free(ig);
        /* COPY --exclude patterns */
        char *ex[] = {"*.md", " !README.md ", "", "/tmp/", NULL};
        sl_ignore *xi = NULL;
        sl_error xerr = {0};
        ok(sl_ignore_from_patterns(ex, "COPY --exclude", &xi, &xerr) == 0, "--exclude patterns load");
        ok(xi && sl_ignore_match(xi, "CHANGES.md") && !sl_ignore_match(xi, "README.md") && sl_ignore_match(xi, "tmp/x"),
           "with the same semantics");
        is_int(sl_ignore_count(xi), 3, "blank patterns are skipped");
        sl_ignore_free(xi);
        char *bad[] = {"ok", "[z-a]", NULL};
        ok(sl_ignore_from_patterns(bad, "COPY --exclude", &xi, &xerr) < 0, "a bad --exclude pattern fails");
        is_str(xerr.msg, "COPY --exclude:2: invalid pattern \"[z-a]\": unterminated or malformed [...]", "naming it");
        test_load();
        return tap_done();
}
