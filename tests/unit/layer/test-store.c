/* The content-addressed store: blobs stored once and verified, layers
 * committed and unpacked by chain id, tags, gc, fsck, and concurrent
 * writers from several processes. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>

#include "builder/output/import.h"
#include "builder/output/layout.h"
#include "builder/store/store.h"
#include "common/fileio.h"
#include "tests/unit/layer/layertest.h"

static int count_dir(const char *root, const char *sub)
{
        char p[4096];
        lt_fmt(p, sizeof p, "%s/%s", root, sub);
        DIR *d = opendir(p);
        if (!d)
                return -1;
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static void blob_path(char *out, size_t n, const char *root, const char *digest)
{
        lt_fmt(out, n, "%s/blobs/sha256/%s", root, digest + 7);
}

static void test_blobs(const char *root)
{
        sl_store *s;
        sl_error err = {0};
        sl_err_clear(&err);
        ok(sl_store_open(root, &s, &err) == 0, "a store opens and is created%s%s", err.msg[0] ? ": " : "", err.msg);
        char p[4096];
        lt_fmt(p, sizeof p, "%s/oci-layout", root);
        char *c = lt_read(p);
        ok(c && strstr(c, "\"imageLayoutVersion\":\"1.0.0\""), "the store is an OCI layout");
        free(c);
        char d1[SL_DIGEST_STR_MAX], d2[SL_DIGEST_STR_MAX];
        ok(sl_store_put_blob_data(s, "hello", 5, d1, &err) == 0, "a blob is stored");
        ok(sl_store_put_blob_data(s, "hello", 5, d2, &err) == 0, "the same blob is stored again");
        is_str(d1, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "its name is its sha256");
        is_int(count_dir(root, "blobs/sha256"), 1, "a blob stored twice is stored once");
        is_int(count_dir(root, "tmp"), 0, "no temporary file is left");
        ok(sl_store_has_blob(s, d1), "has_blob finds it");

        lt_fmt(p, sizeof p, "%s/../input", root);
        lt_write(p, "some bytes", 0644);
        int fd = open(p, O_RDONLY);
        char absent[SL_DIGEST_STR_MAX];
        sl_digest_buffer(SL_DIGEST_SHA256, "absent", 6, absent, NULL);
        ok(sl_store_put_blob_fd(s, fd, absent, -1, NULL, NULL, &err) < 0 && strstr(err.msg, "content hashes to"),
           "a blob whose bytes do not match the expected digest is refused (%s)", err.msg);
        lseek(fd, 0, SEEK_SET);
        ok(sl_store_put_blob_fd(s, fd, NULL, 3, NULL, NULL, &err) < 0 && strstr(err.msg, "longer than"),
           "a blob longer than its expected size is refused (%s)", err.msg);
        lseek(fd, 0, SEEK_SET);
        uint64_t size;
        ok(sl_store_put_blob_fd(s, fd, NULL, 10, d2, &size, &err) == 0 && size == 10, "a blob from an fd is stored");
        close(fd);
        is_int(count_dir(root, "blobs/sha256"), 2, "refused blobs left nothing behind");
        is_int(count_dir(root, "tmp"), 0, "no temporary file is left after refusals");
        char *data;
        size_t len;
        fd = open(p, O_RDONLY);
        ok(sl_store_put_blob_fd(s, fd, d1, 5, NULL, &size, &err) == 0 && size == 5 && lseek(fd, 0, SEEK_CUR) == 0,
           "a blob already stored under the expected digest is not read again");
        close(fd);
        ok(sl_store_read_blob(s, d2, &data, &len, &err) == 0 && len == 10 && !memcmp(data, "some bytes", 10),
           "a blob reads back");
        free(data);
        ok(sl_store_open_blob(s, "sha256:0000000000000000000000000000000000000000000000000000000000000000", &err) < 0 &&
           err.code == ENOENT, "a missing blob is ENOENT");
        sl_store_close(s);
}

static void make_tree(const char *dir)
{
        char p[4096];
        mkdir(dir, 0755);
        lt_fmt(p, sizeof p, "%s/bin", dir);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/bin/tool", dir);
        lt_write(p, "#!/bin/sh\necho tool\n", 0755);
        lt_fmt(p, sizeof p, "%s/etc", dir);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/etc/motd", dir);
        lt_write(p, "welcome\n", 0644);
}

static void test_images(const char *root, const char *tmp)
{
        sl_store *s;
        sl_error err = {0};
        sl_store_open(root, &s, &err);
        char tree[4096], upper[4096], p[4096];
        lt_fmt(tree, sizeof tree, "%s/tree", tmp);
        make_tree(tree);
        int dfd = open(tree, O_RDONLY | O_DIRECTORY);
        sl_diff_opts dopt = {.overlay = false, .clamp_mtime = true, .epoch = 0};
        sl_compress_opts copt = {.compression = SL_COMPRESS_GZIP, .threaded = true};
        sl_layer_digests base;
        sl_err_clear(&err);
        ok(sl_store_commit_layer(s, dfd, &dopt, &copt, &base, &err) == 0, "a layer is committed from a dir%s%s", err.msg[0] ? ": " : "", err.msg);
        close(dfd);
        blob_path(p, sizeof p, root, base.digest);
        int fd = open(p, O_RDONLY);
        char got[SL_DIGEST_STR_MAX];
        sl_digest_fd(SL_DIGEST_SHA256, fd, got, NULL, NULL);
        close(fd);
        is_str(got, base.digest, "the stored layer blob hashes to its name");

        /* an upper layer that deletes etc/motd */
        lt_fmt(upper, sizeof upper, "%s/upper", tmp);
        mkdir(upper, 0755);
        lt_fmt(p, sizeof p, "%s/etc", upper);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/etc/motd", upper);
        mknod(p, S_IFCHR, 0);
        lt_fmt(p, sizeof p, "%s/new", upper);
        lt_write(p, "new\n", 0644);
        dfd = open(upper, O_RDONLY | O_DIRECTORY);
        dopt.overlay = true;
        sl_layer_digests top;
        ok(sl_store_commit_layer(s, dfd, &dopt, &copt, &top, &err) == 0, "an upper dir is committed");
        close(dfd);

        oci_descriptor layers[2] = {
                {.media_type = (char *)sl_compression_media_type(SL_COMPRESS_GZIP), .digest = base.digest,
                 .size = (int64_t)base.size, .has_size = true},
                {.media_type = (char *)sl_compression_media_type(SL_COMPRESS_GZIP), .digest = top.digest,
                 .size = (int64_t)top.size, .has_size = true},
        };
        char *diff_ids[2] = {base.diff_id, top.diff_id};
        oci_rootfs rootfs = {.type = (char *)"layers", .diff_ids = diff_ids, .diff_ids_len = 2, .has_diff_ids = true};
        oci_image cfg = {.architecture = (char *)"amd64", .os = (char *)"linux", .rootfs = &rootfs};
        char mdigest[SL_DIGEST_STR_MAX], mdigest2[SL_DIGEST_STR_MAX];
        sl_err_clear(&err);
        ok(sl_store_put_image(s, &cfg, layers, 2, mdigest, NULL, &err) == 0, "an image record is stored%s%s", err.msg[0] ? ": " : "", err.msg);
        ok(sl_store_put_image(s, &cfg, layers, 2, mdigest2, NULL, &err) == 0 && !strcmp(mdigest, mdigest2),
           "the same image gives the same manifest digest");
        ok(sl_store_tag(s, "demo", mdigest, &err) == 0, "an image is tagged");
        ok(sl_store_tag(s, "other/name:v1", mdigest, &err) == 0, "an image gets a second tag");
        char r[SL_DIGEST_STR_MAX];
        ok(sl_store_resolve(s, "demo:latest", r, &err) == 0 && !strcmp(r, mdigest), "a tag resolves (name:latest)");
        ok(sl_store_resolve(s, "demo", r, &err) == 0 && !strcmp(r, mdigest), "a bare name means :latest");
        char prefix[16];
        memcpy(prefix, mdigest + 7, 12);
        prefix[12] = 0;
        ok(sl_store_resolve(s, prefix, r, &err) == 0 && !strcmp(r, mdigest), "a digest prefix resolves");
        ok(sl_store_resolve(s, "nope", r, &err) < 0 && err.code == ENOENT, "an unknown name is ENOENT (%s)", err.msg);
        oci_index *idx;
        ok(sl_store_list(s, &idx, &err) == 0 && idx->manifests_len == 2, "both tags are listed");
        oci_index_free(idx);
        oci_manifest *m;
        oci_image *c;
        ok(sl_store_load_image(s, mdigest, &m, &c, &err) == 0 && m->layers_len == 2 &&
           c->rootfs->diff_ids_len == 2 && !strcmp(c->rootfs->diff_ids[1], top.diff_id),
           "the image record gives back config and layers");

        char **dirs;
        size_t n;
        sl_err_clear(&err);
        ok(sl_store_unpack_image(s, m, c, &dirs, &n, &err) == 0 && n == 2, "the layer chain unpacks%s%s", err.msg[0] ? ": " : "", err.msg);
        char chain[SL_DIGEST_STR_MAX];
        sl_chain_id(base.diff_id, top.diff_id, chain, NULL);
        lt_fmt(p, sizeof p, "%s/layers/%s", root, chain + 7);
        is_str(dirs[0], p, "the topmost layer's dir (named by its chain id) comes first");
        lt_fmt(p, sizeof p, "%s/layers/%s", root, base.diff_id + 7);
        is_str(dirs[1], p, "the base layer's dir is named by its diff_id");
        lt_fmt(p, sizeof p, "%s/etc/motd", dirs[0]);
        struct stat st, st2;
        ok(lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0, "whiteouts are in overlay form in layer dirs");
        lt_fmt(p, sizeof p, "%s/bin/tool", dirs[1]);
        char *t = lt_read(p);
        ok(t && !strcmp(t, "#!/bin/sh\necho tool\n"), "the base layer's files are unpacked");
        free(t);
        stat(dirs[1], &st);
        for (size_t i = 0; i < n; i++)
                free(dirs[i]);
        free(dirs);
        ok(sl_store_unpack_image(s, m, c, &dirs, &n, &err) == 0, "unpacking again succeeds");
        stat(dirs[1], &st2);
        ok(st.st_ino == st2.st_ino, "an unpacked layer is reused, not unpacked again");
        for (size_t i = 0; i < n; i++)
                free(dirs[i]);
        free(dirs);
        is_int(count_dir(root, "tmp"), 0, "no temporary dir is left after unpacking");
        oci_manifest_free(m);
        oci_image_free(c);

        /* gc keeps what tags reach and drops the rest */
        sl_store_stats gs;
        lt_fmt(p, sizeof p, "%s/tmp/blob-stale", root);
        lt_write(p, "partial", 0644);
        sl_store_put_blob_data(s, "junk1", 5, NULL, &err);
        sl_store_put_blob_data(s, "junk2", 5, NULL, &err);
        int before = count_dir(root, "blobs/sha256");
        ok(sl_store_hold(s, &err) == 0 && sl_store_gc(s, &gs, &err) < 0 && err.code == EDEADLK,
           "gc refuses to run under this handle's own hold");
        sl_store_release(s);
        sl_err_clear(&err);
        ok(sl_store_gc(s, &gs, &err) == 0, "gc runs%s%s", err.msg[0] ? ": " : "", err.msg);
        is_int(gs.blobs_removed, 2, "gc removes the two untagged blobs");
        is_int(count_dir(root, "blobs/sha256"), before - 2, "tagged blobs stay");
        is_int(gs.tmp_removed, 1, "gc removes stale tmp files");
        ok(sl_store_untag(s, "demo", &err) == 0 && sl_store_untag(s, "other/name:v1", &err) == 0, "tags are removed");
        ok(sl_store_untag(s, "demo", &err) < 0 && err.code == ENOENT, "removing a missing tag is ENOENT");
        ok(sl_store_gc(s, &gs, &err) == 0 && gs.layers_removed == 2 && count_dir(root, "blobs/sha256") == 0 &&
           count_dir(root, "layers") == 0, "gc of an untagged store removes every blob and layer dir");
        sl_store_close(s);
}

static void collect(void *ctx, const char *msg)
{
        char *buf = ctx;
        strncat(buf, msg, 4000 - strlen(buf));
        strcat(buf, "\n");
}

static void test_fsck(const char *root)
{
        sl_store *s;
        sl_error err = {0};
        sl_store_open(root, &s, &err);
        char good[SL_DIGEST_STR_MAX], bad[SL_DIGEST_STR_MAX], p[4096];
        sl_store_put_blob_data(s, "good", 4, good, &err);
        sl_store_put_blob_data(s, "bad", 3, bad, &err);
        ok(sl_store_tag(s, "x", good, &err) < 0 && strstr(err.msg, "not an image manifest"),
           "only a manifest can be tagged (%s)", err.msg);
        blob_path(p, sizeof p, root, bad);
        lt_write(p, "flipped", 0644);
        lt_fmt(p, sizeof p, "%s/tmp/blob-crashed", root);
        lt_write(p, "half", 0644);
        char report[4096] = "";
        sl_store_stats st;
        ok(sl_store_fsck(s, collect, report, &st, &err) == 0, "fsck runs");
        ok(st.problems == 1 && st.blobs_removed == 1 && strstr(report, bad + 7) && strstr(report, "content hashes to"),
           "fsck reports and removes a blob whose bytes do not match its name");
        ok(!sl_store_has_blob(s, bad) && sl_store_has_blob(s, good), "the corrupt blob is gone, the good one stays");
        ok(st.tmp_removed == 1 && strstr(report, "tmp/blob-crashed"), "fsck removes stale tmp files");
        diag("fsck said: %s", report);
        report[0] = 0;
        ok(sl_store_fsck(s, collect, report, &st, &err) == 0 && st.problems == 0 && st.blobs_checked == 1,
           "a second fsck finds nothing wrong");
        sl_store_close(s);
}

/* 4 processes put the same and their own blobs and tag at once. */
static void test_concurrent(const char *root)
{
        pid_t kids[4];
        for (int k = 0; k < 4; k++) {
                kids[k] = fork();
                if (kids[k] == 0) {
                        sl_store *s;
                        sl_error err = {0};
                        if (sl_store_open(root, &s, &err) < 0)
                                _exit(1);
                        for (int i = 0; i < 40; i++) {
                                char data[64], d[SL_DIGEST_STR_MAX], name[32];
                                int n = snprintf(data, sizeof data, "shared %d", i);
                                if (sl_store_put_blob_data(s, data, (size_t)n, d, &err) < 0)
                                        _exit(2);
                                snprintf(data, sizeof data, "own %d %d", k, i);
                                oci_rootfs rootfs = {.type = (char *)"layers", .has_diff_ids = true};
                                oci_image cfg = {.architecture = (char *)"amd64", .os = (char *)"linux",
                                                 .created = data, .rootfs = &rootfs};
                                if (sl_store_put_image(s, &cfg, NULL, 0, d, NULL, &err) < 0)
                                        _exit(3);
                                snprintf(name, sizeof name, "p%d:t%d", k, i % 5);
                                if (sl_store_tag(s, name, d, &err) < 0)
                                        _exit(4);
                        }
                        sl_store_close(s);
                        _exit(0);
                }
        }
        int fails = 0;
        for (int k = 0; k < 4; k++) {
                int status;
                waitpid(kids[k], &status, 0);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        fails++;
        }
        is_int(fails, 0, "4 processes putting and tagging at once all succeed");
        is_int(count_dir(root, "blobs/sha256"), 40 + 4 * 40 * 2, "each distinct blob is stored exactly once");
        is_int(count_dir(root, "tmp"), 0, "no temporary file is left");
        sl_store *s;
        sl_error err = {0};
        sl_store_open(root, &s, &err);
        oci_index *idx;
        ok(sl_store_list(s, &idx, &err) == 0 && idx->manifests_len == 20, "every process's tags are in index.json (20)");
        oci_index_free(idx);
        sl_store_stats st;
        ok(sl_store_fsck(s, NULL, NULL, &st, &err) == 0 && st.problems == 0 && st.blobs_checked == 360,
           "fsck finds every blob intact after the concurrent writes");
        sl_store_close(s);
}

/* export to a layout, read it into another store, and refuse a layout
 * whose blob does not match its descriptor */
static void test_layout_roundtrip(const char *tmp)
{
        char root1[4096], root2[4096], root3[4096], tree[4096], layout[4096], p[4096];
        lt_fmt(root1, sizeof root1, "%s/s1", tmp);
        lt_fmt(root2, sizeof root2, "%s/s2", tmp);
        lt_fmt(root3, sizeof root3, "%s/s3", tmp);
        lt_fmt(tree, sizeof tree, "%s/rt-tree", tmp);
        lt_fmt(layout, sizeof layout, "%s/layout", tmp);
        make_tree(tree);
        sl_store *a, *b;
        sl_error err = {0};
        sl_store_open(root1, &a, &err);
        sl_store_open(root2, &b, &err);
        sl_import_opts io = {.compression = SL_COMPRESS_ZSTD, .epoch = 0};
        char d[SL_DIGEST_STR_MAX], d2[SL_DIGEST_STR_MAX];
        sl_err_clear(&err);
        ok(sl_import_rootfs(a, tree, &io, d, &err) == 0, "a directory imports as an image%s%s", err.msg[0] ? ": " : "", err.msg);
        sl_err_clear(&err);
        ok(sl_output_layout(a, d, layout, "v1", &err) == 0, "the image is written as an OCI layout%s%s", err.msg[0] ? ": " : "", err.msg);
        ok(sl_output_layout(a, d, layout, "v2", &err) == 0, "a second ref is added to the same layout");
        char *path, *tag;
        sl_layout_ref_split(layout, &path, &tag);
        ok(!strcmp(path, layout) && !tag, "oci:PATH has no tag");
        free(path);
        lt_fmt(p, sizeof p, "%s:v2", layout);
        sl_layout_ref_split(p, &path, &tag);
        ok(!strcmp(path, layout) && tag && !strcmp(tag, "v2"), "oci:PATH:TAG splits at the last colon");
        free(path);
        free(tag);
        ok(sl_input_layout(b, layout, NULL, d2, &err) < 0 && strstr(err.msg, "has 2 images"),
           "reading a layout with two refs and no tag asks for one (%s)", err.msg);
        sl_err_clear(&err);
        ok(sl_input_layout(b, layout, "v2", d2, &err) == 0 && !strcmp(d, d2),
           "a layout reads into another store under the same digest%s%s", err.msg[0] ? ": " : "", err.msg);
        oci_manifest *m;
        oci_image *c;
        char **dirs;
        size_t n;
        sl_err_clear(&err);
        ok(sl_store_load_image(b, d2, &m, &c, &err) == 0 && sl_store_unpack_image(b, m, c, &dirs, &n, &err) == 0,
           "the read image unpacks%s%s", err.msg[0] ? ": " : "", err.msg);
        lt_fmt(p, sizeof p, "%s/etc/motd", dirs[0]);
        char *t = lt_read(p);
        ok(t && !strcmp(t, "welcome\n"), "the zstd layer's files are there");
        free(t);
        free(dirs[0]);
        free(dirs);
        /* corrupt the layer blob in the layout: a third store must refuse it */
        lt_fmt(p, sizeof p, "%s/blobs/sha256/%s", layout, strchr(m->layers[0].digest, ':') + 1);
        FILE *f = fopen(p, "r+b");
        fseek(f, 20, SEEK_SET);
        fputc('!', f);
        fclose(f);
        sl_store *c3;
        sl_store_open(root3, &c3, &err);
        ok(sl_input_layout(c3, layout, "v1", d2, &err) < 0 && strstr(err.msg, "content hashes to"),
           "a layout blob that does not match its digest is refused (%s)", err.msg);
        ok(!sl_store_has_blob(c3, m->layers[0].digest) && !sl_store_has_blob(c3, d),
           "neither the bad blob nor the manifest entered the store");
        ok(sl_input_layout(c3, layout, "nope", d2, &err) < 0 && strstr(err.msg, "no image tagged"),
           "an unknown tag is an error (%s)", err.msg);
        oci_manifest_free(m);
        oci_image_free(c);
        sl_store_close(a);
        sl_store_close(b);
        sl_store_close(c3);
}

/* work dirs, adopting an upper dir as a layer dir, and the cache map */
static void test_work_and_cache(const char *tmp)
{
        char root[4096], p[4096];
        lt_fmt(root, sizeof root, "%s/wc", tmp);
        sl_store *s;
        sl_error err = {0};
        sl_store_open(root, &s, &err);
        char *work;
        ok(sl_store_workdir(s, "run", &work, &err) == 0 && !strncmp(work, root, strlen(root)),
           "a work dir is made under the store");
        lt_fmt(p, sizeof p, "%s/upper", work);
        mkdir(p, 0755);
        lt_fmt(p, sizeof p, "%s/upper/file", work);
        lt_write(p, "data\n", 0644);
        lt_fmt(p, sizeof p, "%s/upper", work);
        int dfd = open(p, O_RDONLY | O_DIRECTORY);
        sl_diff_opts d = {.overlay = true, .clamp_mtime = true};
        sl_compress_opts c = {.compression = SL_COMPRESS_GZIP};
        sl_layer_digests ld;
        ok(sl_store_commit_layer(s, dfd, &d, &c, &ld, &err) == 0, "the upper dir is committed");
        close(dfd);
        ok(sl_store_adopt_layer(s, p, ld.diff_id, &err) == 0, "the upper dir is adopted as the layer dir");
        lt_fmt(p, sizeof p, "%s/layers/%s/file", root, ld.diff_id + 7);
        ok(access(p, F_OK) == 0, "the adopted dir is at layers/<chain id>");
        ok(sl_store_adopt_layer(s, "/etc", ld.diff_id, &err) < 0 && strstr(err.msg, "is not under"),
           "only dirs under the store's tmp/ can be adopted (%s)", err.msg);
        ok(sl_store_remove_workdir(s, work, &err) == 0 && access(work, F_OK) < 0, "the work dir is removed");
        free(work);

        oci_rootfs rootfs = {.type = (char *)"layers", .diff_ids = (char *[]){ld.diff_id}, .diff_ids_len = 1,
                             .has_diff_ids = true};
        oci_image cfg = {.architecture = (char *)"amd64", .os = (char *)"linux", .rootfs = &rootfs};
        oci_descriptor layer = {.media_type = (char *)"application/vnd.oci.image.layer.v1.tar+gzip",
                                .digest = ld.digest, .size = (int64_t)ld.size, .has_size = true};
        char md[SL_DIGEST_STR_MAX], got[SL_DIGEST_STR_MAX];
        sl_store_put_image(s, &cfg, &layer, 1, md, NULL, &err);
        ok(sl_store_cache_get(s, "RUN x", got, &err) < 0 && err.code == ENOENT, "a missing cache key is ENOENT");
        ok(sl_store_cache_put(s, "RUN x", md, &err) == 0, "a cache entry is stored");
        ok(sl_store_cache_get(s, "RUN x", got, &err) == 0 && !strcmp(got, md), "a cache entry reads back");
        sl_store_stats st;
        ok(sl_store_gc(s, &st, &err) == 0 && st.blobs_removed == 0 && sl_store_has_blob(s, ld.digest) &&
           count_dir(root, "layers") == 1, "gc keeps what a cache entry names, with its layer dir");
        ok(sl_store_cache_clear(s, &err) == 0 && sl_store_gc(s, &st, &err) == 0 && st.blobs_removed == 3 &&
           count_dir(root, "layers") == 0, "after clearing the cache gc removes it all");
        ok(sl_store_cache_get(s, "RUN x", got, &err) < 0, "the cleared entry is gone");
        sl_store_close(s);
}

/* a tree of incompressible data, so compressing it takes a while */
static void make_random_tree(const char *dir, int files, int kib)
{
        mkdir(dir, 0755);
        for (int i = 0; i < files; i++)
                lt_system("head -c %dK /dev/urandom > '%s/r%03d'", kib, dir, i);
}

/* SIGKILL in the middle of a layer commit leaves no visible partial blob;
 * fsck clears the leftovers and the next commit works. */
static void test_killed_commit(const char *tmp)
{
        char root[4096], tree[4096];
        lt_fmt(root, sizeof root, "%s/killed", tmp);
        lt_fmt(tree, sizeof tree, "%s/random", tmp);
        make_random_tree(tree, 64, 1024);
        int killed_mid = 0;
        for (int round = 0; round < 3; round++) {
                pid_t pid = fork();
                if (pid == 0) {
                        sl_store *s;
                        sl_error err = {0};
                        if (sl_store_open(root, &s, &err) < 0)
                                _exit(1);
                        int dfd = open(tree, O_RDONLY | O_DIRECTORY);
                        sl_diff_opts d = {.clamp_mtime = true};
                        sl_compress_opts c = {.compression = SL_COMPRESS_GZIP, .threaded = true};
                        sl_layer_digests out;
                        _exit(sl_store_commit_layer(s, dfd, &d, &c, &out, &err) < 0 ? 2 : 0);
                }
                /* Kill once the commit has started writing (its temp file
                 * is in tmp/), a little later each round: a fixed delay
                 * misses the window as the layer writer gets faster. */
                struct timespec tick = {0, 1000000L};
                siginfo_t si = {0};
                for (int i = 0; i < 10000 && count_dir(root, "tmp") <= 0; i++) {
                        si.si_pid = 0;
                        if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
                                break;  /* done already: reaped below */
                        nanosleep(&tick, NULL);
                }
                for (int i = 0; i < 5 * round; i++)
                        nanosleep(&tick, NULL);
                kill(pid, SIGKILL);
                int status;
                waitpid(pid, &status, 0);
                if (WIFSIGNALED(status))
                        killed_mid++;
                ok(count_dir(root, "blobs/sha256") <= 0 || !WIFSIGNALED(status),
                   "round %d: no blob is visible after a SIGKILL mid-commit", round);
        }
        ok(killed_mid > 0, "at least one commit was killed mid-way (%d of 3)", killed_mid);
        sl_store *s;
        sl_error err = {0};
        sl_store_open(root, &s, &err);
        sl_store_stats st;
        char report[4096] = "";
        ok(sl_store_fsck(s, collect, report, &st, &err) == 0 && st.problems == 0,
           "fsck after the kills finds no damaged blob");
        is_int(count_dir(root, "tmp"), 0, "fsck removed what the killed commits left in tmp/");
        int dfd = open(tree, O_RDONLY | O_DIRECTORY);
        sl_diff_opts d = {.clamp_mtime = true};
        sl_compress_opts c = {.compression = SL_COMPRESS_ZSTD, .threaded = true};
        sl_layer_digests out;
        sl_err_clear(&err);
        ok(sl_store_commit_layer(s, dfd, &d, &c, &out, &err) == 0 && sl_store_has_blob(s, out.digest),
           "the next commit succeeds%s%s", err.msg[0] ? ": " : "", err.msg);
        close(dfd);
        sl_store_close(s);
}

/* A store on a full filesystem gives a clear error and stays consistent. */
static void test_full_disk(const char *tmp)
{
        char root[4096], tree[4096];
        lt_fmt(root, sizeof root, "%s/small", tmp);
        lt_fmt(tree, sizeof tree, "%s/random", tmp);
        mkdir(root, 0755);
        if (mount("tmpfs", root, "tmpfs", 0, "size=2m") < 0) {
                printf("ok %d - full disk # SKIP cannot mount a tmpfs: %s\n", ++tap_count_, strerror(errno));
                return;
        }
        sl_store *s;
        sl_error err = {0};
        sl_store_open(root, &s, &err);
        int dfd = open(tree, O_RDONLY | O_DIRECTORY);
        sl_diff_opts d = {.clamp_mtime = true};
        sl_compress_opts c = {.compression = SL_COMPRESS_GZIP, .threaded = true};
        sl_layer_digests out;
        ok(sl_store_commit_layer(s, dfd, &d, &c, &out, &err) < 0 && err.code == ENOSPC,
           "a layer too big for the disk fails with ENOSPC (%s)", err.msg);
        close(dfd);
        is_int(count_dir(root, "blobs/sha256"), 0, "no partial blob is visible");
        is_int(count_dir(root, "tmp"), 0, "the temporary file is removed");
        char dg[SL_DIGEST_STR_MAX];
        ok(sl_store_put_blob_data(s, "small", 5, dg, &err) == 0, "a small blob still fits afterwards");
        sl_store_close(s);
        umount2(root, MNT_DETACH);
}

int main(void)
{
        if (geteuid() != 0) {
                printf("1..0 # SKIP needs root (mknod, chown)\n");
                return 0;
        }
        char *tmp = lt_mkdtemp("store");
        char root[4096];
        lt_fmt(root, sizeof root, "%s/store/nested", tmp);
        test_blobs(root);
        lt_rm_rf(root);
        lt_fmt(root, sizeof root, "%s/store", tmp);
        lt_rm_rf(root);
        test_images(root, tmp);
        lt_rm_rf(root);
        test_fsck(root);
        lt_rm_rf(root);
        test_concurrent(root);
        test_layout_roundtrip(tmp);
        test_work_and_cache(tmp);
        test_killed_commit(tmp);
        test_full_disk(tmp);
        lt_rm_rf(tmp);
        free(tmp);
        return tap_done();
}
