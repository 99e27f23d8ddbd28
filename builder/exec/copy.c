#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/exec/add-archive.h"
#include "builder/exec/copy.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "common/strv.h"
#include "common/xalloc.h"

typedef struct planner {
        const sl_copy_src *src;
        sl_ignore *excludes;
        sl_copy_plan *plan;
        const char *what;    /* "COPY" or "ADD" */
} planner;

static void add_entry(sl_copy_plan *p, sl_copy_kind kind, const char *src, char *dst, const struct stat *st)
{
        p->e = sl_xrealloc(p->e, (p->n + 1) * sizeof(*p->e));
        sl_copy_entry *e = &p->e[p->n++];
        memset(e, 0, sizeof(*e));
        e->kind = kind;
        e->src = sl_xstrdup(src);
        e->dst = dst;
        if (st)
                e->st = *st;
}

void sl_copy_plan_free(sl_copy_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->e[i].src);
                free(p->e[i].dst);
        }
        free(p->e);
        p->e = NULL;
        p->n = 0;
}

static char *join(const char *a, const char *b)
{
        if (!*b)
                return sl_xstrdup(a);
        if (!*a)
                return sl_xstrdup(b);
        size_t la = strlen(a);
        return sl_xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

static bool has_glob(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}

static bool ignored(const planner *pl, const char *path)
{
        return pl->src->ignore && *path && sl_ignore_match(pl->src->ignore, path);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in the dir at rel (inside the source root). */
static int list_dir(int rootfd, const char *rel, int *dfd_out, char ***names, sl_error *err)
{
        int fd = *rel ? sl_openat_in_root(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, err)
                      : openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return *rel ? -1 : sl_err_sys(err, errno, "open source root");
        int dup_fd = dup(fd);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!d) {
                if (dup_fd >= 0)
                        close(dup_fd);
                close(fd);
                return sl_err_sys(err, errno, "read dir %s", *rel ? rel : ".");
        }
        char **v = NULL;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        sl_strv_append(&v, de->d_name);
        closedir(d);
        size_t n = sl_strv_len(v);
        if (n)
                qsort(v, n, sizeof(char *), cmp_str);
        *names = v;
        *dfd_out = fd;
        return 0;
}

/* Every path matching the cleaned glob pattern, component by component. */
static int glob_walk(const planner *pl, const char *base, const char *pattern, char ***out, sl_error *err)
{
        const char *slash = strchr(pattern, '/');
        _cleanup_free_ char *comp = slash ? strndup(pattern, (size_t)(slash - pattern)) : sl_xstrdup(pattern);
        const char *rest = slash ? slash + 1 : NULL;
        if (!has_glob(comp)) {
                _cleanup_free_ char *p = join(base, comp);
                if (rest)
                        return glob_walk(pl, p, rest, out, err);
                struct stat st;
                _cleanup_close_ int fd = sl_openat_in_root(pl->src->rootfd, p, O_PATH | O_CLOEXEC, 0, NULL);
                if (fd >= 0 && fstat(fd, &st) == 0 && !ignored(pl, p))
                        sl_strv_append(out, p);
                return 0;
        }
        _cleanup_strv_ char **names = NULL;
        _cleanup_close_ int dfd = -1;
        sl_error e2 = {0};
        if (list_dir(pl->src->rootfd, base, &dfd, &names, &e2) < 0)
                return e2.code == ENOENT || e2.code == ENOTDIR ? 0 : (*err = e2, -1);
        for (char **n = names; n && *n; n++) {
                if (fnmatch(comp, *n, 0) != 0)
                        continue;
                _cleanup_free_ char *p = join(base, *n);
                if (ignored(pl, p))
                        continue;
                if (rest) {
                        struct stat st;
                        if (fstatat(dfd, *n, &st, 0) == 0 && S_ISDIR(st.st_mode) && glob_walk(pl, p, rest, out, err) < 0)
                                return -1;
                } else
                        sl_strv_append(out, p);
        }
        return 0;
}

/* Adds the contents of source dir rel (rel_in_src below the source
 * path) under dst. */
static int walk_dir(planner *pl, const char *rel, const char *rel_in_src, const char *dst, sl_error *err)
{
        _cleanup_strv_ char **names = NULL;
        _cleanup_close_ int dfd = -1;
        if (list_dir(pl->src->rootfd, rel, &dfd, &names, err) < 0)
                return -1;
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *p = join(rel, *n);
                _cleanup_free_ char *in_src = join(rel_in_src, *n);
                struct stat st;
                if (fstatat(dfd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return sl_err_sys(err, errno, "stat %s", p);
                bool excluded = ignored(pl, p) || (pl->excludes && sl_ignore_match(pl->excludes, in_src));
                if (S_ISDIR(st.st_mode)) {
                        if (excluded && !(pl->src->ignore && sl_ignore_may_descend(pl->src->ignore, p) &&
                                          !(pl->excludes && sl_ignore_match(pl->excludes, in_src))))
                                continue;
                        char *d = join(dst, *n);
                        add_entry(pl->plan, SL_COPY_DIR, p, d, &st);
                        if (walk_dir(pl, p, in_src, d, err) < 0)
                                return -1;
                        continue;
                }
                if (excluded)
                        continue;
                if (S_ISREG(st.st_mode))
                        add_entry(pl->plan, SL_COPY_FILE, p, join(dst, *n), &st);
                else if (S_ISLNK(st.st_mode))
                        add_entry(pl->plan, SL_COPY_LINK, p, join(dst, *n), &st);
                /* sockets, fifos and devices are not copied, as in Docker */
        }
        return 0;
}

static bool is_archive(int rootfd, const char *rel)
{
        _cleanup_close_ int fd = sl_openat_in_root(rootfd, rel, O_RDONLY | O_CLOEXEC, 0, NULL);
        return fd >= 0 && sl_add_is_archive(fd);
}

static const char *base_name(const char *p)
{
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

static bool dest_is_dir(int dstroot, const char *dst)
{
        if (dstroot < 0)
                return false;
        struct stat st;
        _cleanup_close_ int fd = sl_openat_in_root(dstroot, dst, O_PATH | O_CLOEXEC, 0, NULL);
        return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

int sl_copy_plan_make(const sl_copy_src *src, const sl_df_instr *in, const char *workdir, int dstroot,
                      sl_copy_plan *out, sl_error *err)
{
        const sl_df_copy *c = &in->u.copy;
        bool add = in->kind == SL_DF_ADD;
        planner pl = {.src = src, .plan = out, .what = add ? "ADD" : "COPY"};
        *out = (sl_copy_plan){0};
        size_t dl = strlen(c->dest);
        bool dest_slash = dl && (c->dest[dl - 1] == '/' || !strcmp(c->dest, ".") ||
                                 (dl >= 2 && !strcmp(c->dest + dl - 2, "/.")));
        _cleanup_free_ char *joined = c->dest[0] == '/' ? sl_xstrdup(c->dest) : join(workdir && *workdir ? workdir : "/", c->dest);
        _cleanup_free_ char *dest = sl_path_clean(joined);
        if (c->n_excludes && sl_ignore_from_patterns(c->excludes, "--exclude", &pl.excludes, err) < 0)
                return -1;
        _cleanup_strv_ char **matches = NULL;
        size_t n_heredocs = 0;
        int rc = -1;
        for (size_t i = 0; i < c->n_srcs; i++) {
                const char *p = c->srcs[i].path;
                if (c->srcs[i].heredoc >= 0) {
                        n_heredocs++;
                        continue;
                }
                if (strstr(p, "://") || !strncmp(p, "git@", 4)) {
                        sl_err(err, ENOTSUP, "%s %s: remote sources need network access, which sloika-build does not have",
                               pl.what, p);
                        goto out;
                }
                _cleanup_free_ char *clean = sl_path_clean(p);
                const char *rel = clean;
                while (*rel == '/')
                        rel++;
                if (!strcmp(rel, "."))
                        rel = "";
                size_t before = sl_strv_len(matches);
                if (has_glob(rel)) {
                        if (glob_walk(&pl, "", rel, &matches, err) < 0)
                                goto out;
                } else {
                        struct stat st;
                        _cleanup_close_ int fd = *rel ? sl_openat_in_root(src->rootfd, rel, O_PATH | O_CLOEXEC, 0, NULL)
                                                      : openat(src->rootfd, ".", O_PATH | O_CLOEXEC);
                        if (fd >= 0 && fstat(fd, &st) == 0 && !ignored(&pl, rel))
                                sl_strv_append(&matches, rel);
                }
                if (sl_strv_len(matches) == before) {
                        sl_err(err, ENOENT, "%s %s: %s", pl.what, p,
                               src->is_context ? "not found in the build context (or excluded by .dockerignore)"
                                               : "not found in the source image");
                        goto out;
                }
        }
        size_t n = sl_strv_len(matches) + n_heredocs;
        if (n > 1 && !dest_slash) {
                sl_err(err, EINVAL, "%s: with more than one source the destination must be a directory and end with a /",
                       pl.what);
                goto out;
        }
        bool into_dir = dest_slash || n > 1 || dest_is_dir(dstroot, dest);
        for (size_t i = 0; i < c->n_srcs; i++) {
                if (c->srcs[i].heredoc < 0)
                        continue;
                const sl_df_heredoc *h = &in->heredocs[c->srcs[i].heredoc];
                add_entry(out, SL_COPY_HEREDOC, "", into_dir ? join(dest, c->srcs[i].path) : sl_xstrdup(dest), NULL);
                out->e[out->n - 1].content = h->content;
                out->e[out->n - 1].st.st_mode = S_IFREG | 0644;
        }
        for (char **m = matches; m && *m; m++) {
                struct stat st;
                _cleanup_close_ int fd = **m ? sl_openat_in_root(src->rootfd, *m, O_PATH | O_CLOEXEC, 0, err)
                                             : openat(src->rootfd, ".", O_PATH | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &st) < 0) {
                        if (fd >= 0)
                                sl_err_sys(err, errno, "stat %s", *m);
                        goto out;
                }
                if (pl.excludes && **m && sl_ignore_match(pl.excludes, *m))
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_free_ char *d = c->parents ? join(dest, *m) : sl_xstrdup(dest);
                        /* a new destination dir takes the source dir's metadata */
                        if (c->parents || (strcmp(d, "/") && !dest_is_dir(dstroot, d)))
                                add_entry(out, SL_COPY_DIR, *m, sl_xstrdup(d), &st);
                        if (walk_dir(&pl, *m, "", d, err) < 0)
                                goto out;
                } else if (S_ISREG(st.st_mode)) {
                        if (add && !c->parents && is_archive(src->rootfd, *m))
                                add_entry(out, SL_COPY_EXTRACT, *m, sl_xstrdup(dest), &st);
                        else if (c->parents)
                                add_entry(out, SL_COPY_FILE, *m, join(dest, *m), &st);
                        else
                                add_entry(out, SL_COPY_FILE, *m, into_dir ? join(dest, base_name(*m)) : sl_xstrdup(dest), &st);
                } else {
                        sl_err(err, EINVAL, "%s %s: not a regular file or directory", pl.what, *m);
                        goto out;
                }
        }
        rc = 0;
out:
        sl_ignore_free(pl.excludes);
        if (rc < 0)
                sl_copy_plan_free(out);
        return rc;
}

static int open_src(const sl_copy_src *src, const sl_copy_entry *e, sl_error *err)
{
        return sl_openat_in_root(src->rootfd, e->src, O_RDONLY | O_CLOEXEC, 0, err);
}

int sl_copy_plan_digest(const sl_copy_src *src, const sl_copy_plan *p, bool content,
                        char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        sl_digest_ctx *ctx = sl_digest_new(SL_DIGEST_SHA256, err);
        if (!ctx)
                return -1;
        int rc = -1;
        for (size_t i = 0; i < p->n; i++) {
                const sl_copy_entry *e = &p->e[i];
                char line[512], sum[SL_DIGEST_STR_MAX] = "";
                snprintf(line, sizeof line, "%d %o %lld ", (int)e->kind, (unsigned)e->st.st_mode, (long long)e->st.st_size);
                if (!content)
                        snprintf(line + strlen(line), sizeof line - strlen(line), "%lld.%09ld %lld.%09ld %llu %llu ",
                                 (long long)e->st.st_mtim.tv_sec, e->st.st_mtim.tv_nsec, (long long)e->st.st_ctim.tv_sec,
                                 e->st.st_ctim.tv_nsec, (unsigned long long)e->st.st_ino, (unsigned long long)e->st.st_dev);
                sl_digest_update(ctx, line, strlen(line));
                sl_digest_update(ctx, e->src, strlen(e->src) + 1);
                sl_digest_update(ctx, e->dst, strlen(e->dst) + 1);
                if (e->kind == SL_COPY_HEREDOC) {
                        sl_digest_update(ctx, e->content, strlen(e->content) + 1);
                } else if (e->kind == SL_COPY_LINK) {
                        char target[4096];
                        _cleanup_free_ char *dir = NULL;
                        const char *slash = strrchr(e->src, '/');
                        dir = slash ? strndup(e->src, (size_t)(slash - e->src)) : sl_xstrdup("");
                        _cleanup_close_ int dfd = *dir ? sl_openat_in_root(src->rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, err)
                                                       : openat(src->rootfd, ".", O_PATH | O_CLOEXEC);
                        ssize_t n = dfd < 0 ? -1 : readlinkat(dfd, slash ? slash + 1 : e->src, target, sizeof target - 1);
                        if (n < 0) {
                                if (dfd >= 0)
                                        sl_err_sys(err, errno, "readlink %s", e->src);
                                goto out;
                        }
                        sl_digest_update(ctx, target, (size_t)n);
                        sl_digest_update(ctx, "", 1);
                } else if (content && (e->kind == SL_COPY_FILE || e->kind == SL_COPY_EXTRACT)) {
                        _cleanup_close_ int fd = open_src(src, e, err);
                        if (fd < 0 || sl_digest_fd(SL_DIGEST_SHA256, fd, sum, NULL, err) < 0)
                                goto out;
                        sl_digest_update(ctx, sum, strlen(sum) + 1);
                }
        }
        rc = sl_digest_final(ctx, out, err);
out:
        sl_digest_free(ctx);
        return rc;
}
