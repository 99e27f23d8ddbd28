/* The executor's pure parts: user/group resolution through an image's
 * passwd and group files, overlay mount options, image config edits, and
 * COPY plans over a temporary context (destinations, .dockerignore,
 * --exclude, symlinks, globs, the metadata vs content digests). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/dockerfile/chmod.h"
#include "builder/exec/copy.h"
#include "builder/exec/imgcfg.h"
#include "builder/exec/mountpoints.h"
#include "builder/exec/overlay.h"
#include "builder/exec/secrets.h"
#include "builder/exec/users.h"
#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "tests/unit/tap.h"

static char tmp[] = "/tmp/sl-exec-test.XXXXXX";

static void put(const char *rel, const char *content)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmp, rel);
        FILE *f = fopen(p, "w");
        if (f) {
                fputs(content, f);
                fclose(f);
        }
}

static void mk(const char *rel)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmp, rel);
        mkdir(p, 0755);
}

static void test_users(int root)
{
        uint32_t u = 99, g = 99;
        sl_error err = {0};
        ok(sl_resolve_user(root, "user", &u, &g, &err) == 0 && u == 1000 && g == 100, "USER name: uid and primary gid from passwd");
        ok(sl_resolve_user(root, "user:staff", &u, &g, &err) == 0 && u == 1000 && g == 50, "USER name:group: gid from group");
        ok(sl_resolve_user(root, "1000", &u, &g, &err) == 0 && u == 1000 && g == 100, "USER uid listed in passwd: its gid");
        ok(sl_resolve_user(root, "4242", &u, &g, &err) == 0 && u == 4242 && g == 0, "USER uid not in passwd: gid 0");
        ok(sl_resolve_chown(root, "4242", &u, &g, &err) == 0 && u == 4242 && g == 4242, "--chown uid alone: the same gid");
        ok(sl_resolve_chown(root, "user", &u, &g, &err) == 0 && u == 1000 && g == 100, "--chown name alone: the primary gid");
        ok(sl_resolve_user(root, "ghost", &u, &g, &err) < 0 && strstr(err.msg, "ghost"), "an unknown user is an error naming it");
        ok(sl_resolve_user(root, "user:nogroup", &u, &g, &err) < 0 && strstr(err.msg, "nogroup"), "an unknown group is an error naming it");
        ok(sl_resolve_user(-1, "5:6", &u, &g, &err) == 0 && u == 5 && g == 6, "numbers need no passwd");
}

static void test_overlay_options(void)
{
        char *lowers[] = {"/s/layers/b", "/s/layers/a", NULL};
        char *o = NULL;
        sl_error err = {0};
        ok(sl_overlay_options(lowers, 2, "/s/tmp/u", "/s/tmp/w", &o, &err) == 0 &&
           !strcmp(o, "lowerdir=/s/layers/b:/s/layers/a,upperdir=/s/tmp/u,workdir=/s/tmp/w,redirect_dir=off,metacopy=off"),
           "overlay options: lowers topmost first, upper, work, no redirect_dir/metacopy");
        free(o);
        char *bad[] = {"/s/a:b", NULL};
        ok(sl_overlay_options(bad, 1, NULL, NULL, &o, &err) < 0 && strstr(err.msg, "/s/a:b"), "a ':' in a lowerdir is refused");
        char **many = calloc(200, sizeof(char *));
        for (int i = 0; i < 199; i++)
                many[i] = "/var/lib/sloika/layers/0123456789012345678901234567890123456789012345678901234567890123";
        ok(sl_overlay_options(many, 199, NULL, NULL, &o, &err) < 0 && strstr(err.msg, "199 layers"), "too many layers for one mount is a clear error");
        free(many);
}

static void test_imgcfg(void)
{
        sl_error err = {0};
        oci_image *img = sl_img_scratch("1970-01-01T00:00:00Z");
        sl_img_env_set(img, "A", "1");
        sl_img_env_set(img, "B", "2");
        sl_img_env_set(img, "A", "3");
        ok(img->config->env_len == 2 && !strcmp(img->config->env[0], "A=3"), "Env: a name set again keeps its place");
        sl_strmap_set(&img->config->labels, "k", "v");
        sl_strmap_set(&img->config->labels, "k", "w");
        ok(img->config->labels->len == 1 && !strcmp(oci_string_map_get(img->config->labels, "k"), "w"), "labels: set replaces");
        sl_img_add_history(img, "1970-01-01T00:00:00Z", "ENV A=1", true);
        oci_image *c = sl_img_clone(img, &err);
        char *j1 = NULL, *j2 = NULL;
        size_t l1, l2;
        ok(c && oci_image_generate(img, 0, &j1, &l1, &err) == 0 && oci_image_generate(c, 0, &j2, &l2, &err) == 0 &&
           l1 == l2 && !memcmp(j1, j2, l1), "a clone generates the same canonical JSON");
        ok(j1 && strstr(j1, "\"empty_layer\":true"), "history keeps empty_layer");
        free(j1);
        free(j2);
        oci_image_free(c);
        oci_image_free(img);
}

static sl_df_instr *copy_instr(sl_df_kind kind, char **srcs, size_t n, const char *dest, char **excludes)
{
        static sl_df_instr in;
        static sl_df_src s[8];
        memset(&in, 0, sizeof in);
        in.kind = kind;
        in.original = "COPY";
        for (size_t i = 0; i < n; i++)
                s[i] = (sl_df_src){.path = srcs[i], .heredoc = -1};
        in.u.copy.srcs = s;
        in.u.copy.n_srcs = n;
        in.u.copy.dest = (char *)dest;
        in.u.copy.excludes = excludes;
        in.u.copy.n_excludes = 0;
        while (excludes && excludes[in.u.copy.n_excludes])
                in.u.copy.n_excludes++;
        return &in;
}

static bool has_dst(const sl_copy_plan *p, const char *dst, sl_copy_kind kind)
{
        for (size_t i = 0; i < p->n; i++)
                if (!strcmp(p->e[i].dst, dst) && p->e[i].kind == kind)
                        return true;
        return false;
}

/* --chmod: octal, and symbolic as chmod(1) applies it to each file. */
static mode_t sym(const char *spec, mode_t old, bool dir)
{
        sl_chmod c;
        sl_error err = {0};
        if (sl_chmod_parse(spec, &c, &err) < 0)
                return (mode_t)-1;
        mode_t m = sl_chmod_apply(&c, old, dir);
        sl_chmod_free(&c);
        return m;
}

static void test_chmod(void)
{
        sl_chmod c;
        sl_error err = {0};
        ok(sl_chmod_parse("0640", &c, &err) == 0 && !c.symbolic && sl_chmod_apply(&c, 0777, false) == 0640, "--chmod octal");
        ok(sl_chmod_parse("7778", &c, &err) < 0 && strstr(err.msg, "octal"), "--chmod with a non-octal digit is refused");
        ok(sym("u=rwx,g=rx,o=", 0644, false) == 0750, "--chmod=u=rwx,g=rx,o= gives 0750");
        ok(sym("+x", 0644, false) == 0755, "--chmod=+x adds x for all");
        ok(sym("a-w", 0664, false) == 0444, "--chmod=a-w removes w for all");
        ok(sym("go-rwx", 0755, true) == 0700, "--chmod=go-rwx");
        ok(sym("a+X", 0644, false) == 0644 && sym("a+X", 0644, true) == 0755 && sym("a+X", 0744, false) == 0755,
           "X adds x to dirs and to files that have some x");
        ok(sym("g=u", 0740, false) == 0770, "g=u copies the owner's bits");
        ok(sym("u+s,+t", 0755, false) == 05755, "s and t set setuid and sticky");
        ok(sym("u=rw,u+x", 0, false) == 0700, "clauses apply in order");
        ok(sym("=r", 07777, false) == 0444, "= replaces all bits");
        ok(sym("u+rw-x", 0711, false) == 0611, "several operators in one clause");
        ok(sl_chmod_parse("u+q", &c, &err) < 0 && strstr(err.msg, "u+q"), "a bad symbolic mode is refused, naming it");
        ok(sl_chmod_parse("x+r", &c, &err) < 0, "a bad who is refused");
        ok(sl_chmod_parse("u+r,", &c, &err) < 0, "a trailing comma is refused");
        ok(sl_chmod_parse("", &c, &err) < 0, "an empty mode is refused");
}

static void test_copy_plan(int ctx)
{
        sl_error err = {0};
        sl_ignore *ig = NULL;
        const char *pats = "ctx/secret\nctx/*.tmp\n!ctx/keep.tmp\n";
        sl_ignore_parse(pats, strlen(pats), ".dockerignore", &ig, &err);
        sl_copy_src src = {.rootfd = ctx, .ignore = ig, .is_context = true};
        sl_copy_plan p;

        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx/a.txt"}, 1, "/dst", NULL), "/", -1, &p, &err) == 0 &&
           p.n == 1 && has_dst(&p, "/dst", SL_COPY_FILE), "a file to a path without / is that path");
        sl_copy_plan_free(&p);
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx/a.txt"}, 1, "d/", NULL), "/work", -1, &p, &err) == 0 &&
           has_dst(&p, "/work/d/a.txt", SL_COPY_FILE), "a file to dir/ lands inside, relative to WORKDIR");
        sl_copy_plan_free(&p);
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx"}, 1, "/app", NULL), "/", -1, &p, &err) == 0 &&
           has_dst(&p, "/app/a.txt", SL_COPY_FILE) && has_dst(&p, "/app/sub", SL_COPY_DIR) &&
           has_dst(&p, "/app/sub/b.txt", SL_COPY_FILE) && has_dst(&p, "/app/link", SL_COPY_LINK),
           "a dir's contents are copied, with a symlink kept as a symlink");
        ok(!has_dst(&p, "/app/secret", SL_COPY_DIR) && !has_dst(&p, "/app/secret/key", SL_COPY_FILE), ".dockerignore excludes a dir");
        char d1[SL_DIGEST_STR_MAX], d2[SL_DIGEST_STR_MAX], d3[SL_DIGEST_STR_MAX], d4[SL_DIGEST_STR_MAX];
        ok(sl_copy_plan_digest(&src, &p, true, d1, &err) == 0 && sl_copy_plan_digest(&src, &p, false, d2, &err) == 0 &&
           strcmp(d1, d2), "content and metadata digests differ");
        sl_copy_plan_free(&p);
        put("ctx/sub/b.txt", "B");  /* same bytes, new mtime/ctime */
        sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx"}, 1, "/app", NULL), "/", -1, &p, &err);
        sl_copy_plan_digest(&src, &p, true, d3, &err);
        sl_copy_plan_digest(&src, &p, false, d4, &err);
        ok(!strcmp(d1, d3), "rewriting a file with the same bytes keeps the content digest");
        sl_copy_plan_free(&p);
        put("ctx/sub/b.txt", "C");
        sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx"}, 1, "/app", NULL), "/", -1, &p, &err);
        sl_copy_plan_digest(&src, &p, true, d3, &err);
        ok(strcmp(d1, d3), "changed bytes change the content digest");
        sl_copy_plan_free(&p);

        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx/*.tmp"}, 1, "/t/", NULL), "/", -1, &p, &err) == 0 &&
           p.n == 1 && has_dst(&p, "/t/keep.tmp", SL_COPY_FILE), "a glob matches, minus .dockerignore, plus its ! re-include");
        sl_copy_plan_free(&p);
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx"}, 1, "/x", (char *[]){"sub", NULL}), "/", -1, &p, &err) == 0 &&
           !has_dst(&p, "/x/sub", SL_COPY_DIR) && !has_dst(&p, "/x/sub/b.txt", SL_COPY_FILE) && has_dst(&p, "/x/a.txt", SL_COPY_FILE),
           "--exclude drops paths below the source");
        sl_copy_plan_free(&p);
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx/a.txt", "ctx/sub/b.txt"}, 2, "/m", NULL), "/", -1, &p, &err) < 0 &&
           strstr(err.msg, "end with a /"), "several sources need a dest ending in /");
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx/secret/key"}, 1, "/k", NULL), "/", -1, &p, &err) < 0 &&
           strstr(err.msg, "not found"), "an ignored source is not found");
        char buf[256] = "";
        if (sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"../../etc/passwd"}, 1, "/k", NULL), "/", -1, &p, &err) == 0 &&
            p.n == 1) {
                int fd = sl_openat_in_root(ctx, p.e[0].src, O_RDONLY, 0, &err);
                if (fd >= 0) {
                        ssize_t n = read(fd, buf, sizeof buf - 1);
                        buf[n > 0 ? n : 0] = '\0';
                        close(fd);
                }
        }
        sl_copy_plan_free(&p);
        ok(strstr(buf, "user:x:1000:100::") != NULL, "a ../ source is clamped to the context: it reads the context's etc/passwd");
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_ADD, (char *[]){"https://example.com/x"}, 1, "/k", NULL), "/", -1, &p, &err) < 0 &&
           strstr(err.msg, "network"), "ADD of a URL fails clearly");
        ok(sl_copy_plan_make(&src, copy_instr(SL_DF_COPY, (char *[]){"ctx/escape"}, 1, "/e", NULL), "/", -1, &p, &err) == 0 &&
           p.n == 1 && has_dst(&p, "/e", SL_COPY_FILE) && !strcmp(p.e[0].src, "ctx/escape"),
           "a top-level symlink to /etc/passwd resolves inside the context");
        sl_copy_plan_free(&p);
        test_chmod();
        sl_ignore_free(ig);
}

/* Mount points for RUN --mount targets go to a stub tree, not the image. */
static void test_mountpoints(int root)
{
        mk("img");
        mk("img/usr");
        mk("stub");
        char p[512];
        snprintf(p, sizeof p, "%s/img/usr", tmp);
        chmod(p, 0750);
        snprintf(p, sizeof p, "%s/img/lnk", tmp);
        symlink("usr", p);
        put("img/file", "f");
        _cleanup_close_ int img = sl_openat_in_root(root, "img", O_PATH | O_DIRECTORY, 0, NULL);
        _cleanup_close_ int stub = sl_openat_in_root(root, "stub", O_RDONLY | O_DIRECTORY, 0, NULL);
        sl_error err = {0};
        char *res = NULL;
        bool created = true;
        ok(sl_mountpoint_stub(img, stub, "/usr", false, &res, &created, &err) == 0 && !created && !strcmp(res, "/usr"),
           "an existing dir target needs no stub");
        free(res);
        struct stat st;
        ok(sl_mountpoint_stub(img, stub, "/usr/cache/x", false, &res, &created, &err) == 0 && created &&
           !strcmp(res, "/usr/cache/x") && fstatat(stub, "usr/cache/x", &st, 0) == 0 && S_ISDIR(st.st_mode),
           "a missing target is made in the stub tree");
        free(res);
        ok(fstatat(stub, "usr", &st, 0) == 0 && (st.st_mode & 07777) == 0750, "  ... its existing parent keeps the image's mode");
        ok(fstatat(img, "usr/cache", &st, 0) < 0, "  ... and the image is untouched");
        ok(sl_mountpoint_stub(img, stub, "/lnk/../lnk/run/s", true, &res, &created, &err) == 0 && !strcmp(res, "/usr/run/s") &&
           fstatat(stub, "usr/run/s", &st, 0) == 0 && S_ISREG(st.st_mode),
           "symlinks resolve inside the image; a file mount gets an empty file");
        free(res);
        ok(sl_mountpoint_stub(img, stub, "/file/x", false, &res, &created, &err) < 0 && strstr(err.msg, "not a directory"),
           "a file in the target's path is an error");
        ok(sl_mountpoint_stub(img, stub, "/file", false, &res, &created, &err) < 0, "a dir mount over a file is an error");
        ok(sl_mountpoint_stub(img, stub, "/", false, &res, &created, &err) < 0, "the root is refused");
}

/* build --secret values, as docker build reads them. */
static void test_secrets(void)
{
        sl_secrets sec = {0};
        sl_error err = {0};
        char spec[600];
        put("sec.txt", "s3cr3t");
        snprintf(spec, sizeof spec, "id=a,src=%s/sec.txt", tmp);
        ok(sl_secrets_add(&sec, spec, &err) == 0 && sl_secrets_find(&sec, "a") &&
           sl_secrets_find(&sec, "a")->len == 6 && !memcmp(sl_secrets_find(&sec, "a")->data, "s3cr3t", 6),
           "--secret id=,src=FILE reads the file");
        setenv("SL_TEST_SECRET", "fromenv", 1);
        ok(sl_secrets_add(&sec, "id=b,env=SL_TEST_SECRET", &err) == 0 && !strcmp(sl_secrets_find(&sec, "b")->data, "fromenv"),
           "--secret id=,env=VAR reads the variable");
        ok(sl_secrets_add(&sec, "id=SL_TEST_SECRET", &err) == 0 && !strcmp(sl_secrets_find(&sec, "SL_TEST_SECRET")->data, "fromenv"),
           "--secret id= alone uses the variable of that name when set");
        ok(sl_secrets_add(&sec, "id=b,type=env,env=SL_TEST_SECRET_UNSET", &err) < 0 && strstr(err.msg, "SL_TEST_SECRET_UNSET"),
           "an unset variable is an error naming it");
        ok(sl_secrets_add(&sec, "src=/x", &err) < 0 && strstr(err.msg, "id="), "id= is required");
        ok(sl_secrets_add(&sec, "id=c,bogus=1", &err) < 0 && strstr(err.msg, "bogus"), "an unknown key is an error");
        ok(sl_secrets_add(&sec, "id=c,src=/nonexistent/x", &err) < 0 && strstr(err.msg, "/nonexistent/x"),
           "a missing file is an error naming it");
        ok(!sl_secrets_find(&sec, "zzz"), "an unknown id is not found");
        sl_secrets_free(&sec);
        ok(sec.n == 0 && sec.v == NULL, "free empties the set");
}

int main(void)
{
        if (!mkdtemp(tmp))
                return 1;
        mk("etc");
        put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:100::/home/user:/bin/sh\n");
        put("etc/group", "root:x:0:\nusers:x:100:\nstaff:x:50:user\n");
        mk("ctx");
        mk("ctx/sub");
        mk("ctx/secret");
        put("ctx/a.txt", "A");
        put("ctx/sub/b.txt", "B");
        put("ctx/secret/key", "K");
        put("ctx/x.tmp", "X");
        put("ctx/keep.tmp", "KEEP");
        put("passwd", "inside\n");
        char p[512];
        snprintf(p, sizeof p, "%s/ctx/link", tmp);
        symlink("a.txt", p);
        snprintf(p, sizeof p, "%s/ctx/escape", tmp);
        symlink("/passwd", p);  /* absolute: must resolve to the context's passwd, not the host's */
        int root = open(tmp, O_PATH | O_DIRECTORY);
        test_users(root);
        test_overlay_options();
        test_imgcfg();
        test_copy_plan(root);
        test_mountpoints(root);
        test_secrets();
        close(root);
        sl_rm_rf_at(AT_FDCWD, tmp, NULL);
        return tap_done();
}
