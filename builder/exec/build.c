/* The executor's driver: the stages a target needs, FROM, ONBUILD
 * triggers, the final labels, tags and --output. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "builder/dockerfile/expand_instr.h"
#include "builder/dockerfile/lint.h"
#include "builder/dockerfile/stages.h"
#include "builder/exec/build-internal.h"
#include "builder/exec/imgcfg.h"
#include "builder/output/layout.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"
#include "common/xalloc.h"

volatile int sl_build_interrupted;

void img_state_free(img_state *st)
{
        oci_manifest_free(st->m);
        oci_image_free(st->cfg);
        *st = (img_state){0};
}

int img_state_load(builder *b, const char *digest, img_state *st, sl_error *err)
{
        *st = (img_state){0};
        if (sl_store_load_image(b->s, digest, &st->m, &st->cfg, err) < 0)
                return -1;
        snprintf(st->digest, sizeof st->digest, "%s", digest);
        return 0;
}

int img_state_commit(builder *b, img_state *st, oci_image *cfg, const oci_descriptor *layer, sl_error *err)
{
        size_t n = st->m ? st->m->layers_len : 0;
        oci_descriptor *layers = sl_xcalloc(n + 1, sizeof(*layers));
        for (size_t i = 0; i < n; i++)
                layers[i] = st->m->layers[i];
        if (layer)
                layers[n++] = *layer;
        char digest[SL_DIGEST_STR_MAX];
        int rc = sl_store_put_image(b->s, cfg, layers, n, digest, NULL, err);
        free(layers);
        oci_image_free(cfg);
        if (rc < 0)
                return -1;
        img_state next;
        if (img_state_load(b, digest, &next, err) < 0)
                return -1;
        img_state_free(st);
        *st = next;
        return 0;
}

int img_state_from_ref(builder *b, const char *ref, img_state *st, sl_error *err)
{
        char digest[SL_DIGEST_STR_MAX];
        if (!strncmp(ref, "oci:", 4)) {
                _cleanup_free_ char *path = NULL, *tag = NULL;
                sl_layout_ref_split(ref + 4, &path, &tag);
                if (sl_input_layout(b->s, path, tag, digest, err) < 0)
                        return sl_err_wrap(err, "FROM %s", ref);
        } else if (sl_store_resolve(b->s, ref, digest, err) < 0) {
                return sl_err_wrap(err, "image %s (import one with `sloika-build import`)", ref);
        }
        return img_state_load(b, digest, st, err);
}

static int check_platform(const char *p, sl_error *err)
{
        if (!p || !*p)
                return 0;
        _cleanup_free_ char *want = sl_xasprintf("linux/%s", sl_host_arch());
        if (strcmp(p, want) && strcmp(p, sl_host_arch()))
                return sl_err(err, ENOTSUP, "platform %s: only this host's %s can be built (no emulation)", p, want);
        return 0;
}

/* Runs the base image's ONBUILD triggers, then drops them from the config. */
static int run_triggers(builder *b, stage_ctx *sc, sl_error *err)
{
        oci_image_config *c = sc->st.cfg->config;
        if (!c || !c->on_build_len)
                return 0;
        _cleanup_strv_ char **triggers = NULL;
        for (size_t i = 0; i < c->on_build_len; i++)
                sl_strv_append(&triggers, c->on_build[i]);
        for (char **t = triggers; *t; t++) {
                sl_df_instr *tin = NULL;
                if (sl_dockerfile_parse_trigger(*t, "ONBUILD", 1, b->df->directives.escape, &tin, err) < 0)
                        return sl_err_wrap(err, "base image trigger");
                int rc = step_run(b, sc, tin, err);
                sl_df_instr_free(tin);
                if (rc < 0)
                        return sl_err_wrap(err, "ONBUILD trigger \"%s\"", *t);
        }
        oci_image *cfg = sl_img_clone(sc->st.cfg, err);
        if (!cfg)
                return -1;
        sl_img_set_strv(&cfg->config->on_build, &cfg->config->on_build_len, &cfg->config->has_on_build, NULL);
        return img_state_commit(b, &sc->st, cfg, NULL, err);
}

static int stage_from(builder *b, stage_ctx *sc, sl_error *err)
{
        const sl_df_stage *stage = &b->df->stages[sc->index];
        sl_df_vars *g = sl_df_vars_global(b->df, &b->bargs, err);
        if (!g)
                return -1;
        sl_expand_env env = sl_df_vars_env(g);
        env.escape = b->df->directives.escape ? b->df->directives.escape : '\\';
        sl_df_instr *x = NULL;
        int rc = sl_df_instr_expand(b->df, stage->from, &env, &x, err);
        sl_df_vars_free(g);
        if (rc < 0)
                return -1;
        bool expanded = strcmp(x->u.from.image, stage->from->u.from.image) != 0;
        progress(b, "[stage %zu/%zu] %s%s%s%s\n", b->stage_no, b->n_needed, stage->from->original,
                 expanded ? " (" : "", expanded ? x->u.from.image : "", expanded ? ")" : "");
        ssize_t base;
        rc = check_platform(x->u.from.platform, err);
        if (rc == 0)
                rc = sl_df_stage_base(b->df, sc->index, &b->bargs, &base, err);
        if (rc == 0) {
                if (base >= 0)
                        rc = img_state_load(b, b->stages[base].digest, &sc->st, err);
                else if (!strcmp(x->u.from.image, "scratch"))
                        sc->st = (img_state){.cfg = sl_img_scratch(b->created)};
                else
                        rc = img_state_from_ref(b, x->u.from.image, &sc->st, err);
        }
        sl_df_instr_free(x);
        if (rc < 0)
                return sl_err_wrap(err, "%s:%d", b->df->name, stage->from->line);
        oci_image_config *c = sc->st.cfg->config;
        _cleanup_strv_ char **base_env = NULL;
        for (size_t i = 0; c && i < c->env_len; i++)
                sl_strv_append(&base_env, c->env[i]);
        if (!base_env)
                base_env = sl_xcalloc(1, sizeof(char *));
        if (sl_df_vars_begin(b->df, sc->index, &b->bargs, base_env, &sc->vars, err) < 0)
                return -1;
        return run_triggers(b, sc, err);
}

static int build_stage(builder *b, size_t idx, sl_error *err)
{
        stage_ctx sc = {.index = idx};
        const sl_df_stage *stage = &b->df->stages[idx];
        int rc = stage_from(b, &sc, err);
        for (size_t i = 0; rc == 0 && i < stage->n_instrs; i++)
                rc = step_run(b, &sc, stage->instrs[i], err);
        sl_df_vars_free(sc.vars);
        if (rc == 0 && !*sc.st.digest) {  /* FROM scratch and nothing else */
                oci_image *cfg = sl_img_clone(sc.st.cfg, err);
                rc = cfg ? img_state_commit(b, &sc.st, cfg, NULL, err) : -1;
        }
        if (rc < 0) {
                img_state_free(&sc.st);
                return -1;
        }
        b->stages[idx] = sc.st;
        b->built[idx] = true;
        return 0;
}

static int finish(builder *b, size_t target, char digest[SL_DIGEST_STR_MAX], sl_error *err)
{
        img_state *st = &b->stages[target];
        if (b->o->labels) {
                oci_image *cfg = sl_img_clone(st->cfg, err);
                if (!cfg)
                        return -1;
                for (char **l = b->o->labels; *l; l++) {
                        _cleanup_free_ char *k = sl_xstrdup(*l);
                        char *eq = strchr(k, '=');
                        if (eq)
                                *eq++ = '\0';
                        sl_strmap_set(&sl_img_config(cfg)->labels, k, eq ? eq : "");
                }
                if (img_state_commit(b, st, cfg, NULL, err) < 0)
                        return -1;
        }
        snprintf(digest, SL_DIGEST_STR_MAX, "%s", st->digest);
        for (char **t = b->o->tags; t && *t; t++)
                if (sl_store_tag(b->s, *t, digest, err) < 0)
                        return -1;
        const char *ref = b->o->tags && b->o->tags[0] ? b->o->tags[0] : NULL;
        _cleanup_free_ char *norm = ref ? sl_ref_normalize(ref) : NULL;
        const char *tag = norm ? strrchr(norm, ':') + 1 : NULL;
        if (!b->o->output_type)
                return 0;
        if (!strcmp(b->o->output_type, "oci"))
                return sl_output_layout(b->s, digest, b->o->output_dest, tag, err);
        return sl_output_archive(b->s, digest, b->o->output_dest, tag, err);
}

static int read_dockerfile(const sl_build_opts *o, sl_dockerfile **df, char **path, sl_error *err)
{
        if (o->dockerfile && !strcmp(o->dockerfile, "-")) {
                _cleanup_free_ char *data = NULL;
                size_t len;
                if (sl_read_fd_all(0, &data, &len, err) < 0)
                        return sl_err_wrap(err, "read the Dockerfile from stdin");
                *path = NULL;
                return sl_dockerfile_parse(data, len, "Dockerfile", df, err);
        }
        *path = o->dockerfile ? sl_xstrdup(o->dockerfile) : sl_xasprintf("%s/Dockerfile", o->context);
        return sl_dockerfile_parse_file(*path, df, err);
}

static void build_args_env(builder *b)
{
        for (char **a = b->o->build_args; a && *a; a++) {
                if (strchr(*a, '=')) {
                        sl_strv_append(&b->bargs_env, *a);
                } else {
                        const char *v = getenv(*a);
                        if (v)
                                sl_strv_append_take(&b->bargs_env, sl_xasprintf("%s=%s", *a, v));
                }
        }
        /* The automatic platform args, as BuildKit sets them. */
        const char *arch = sl_host_arch();
        const char *names[] = {"TARGETPLATFORM", "BUILDPLATFORM", "TARGETOS", "BUILDOS", "TARGETARCH", "BUILDARCH"};
        for (size_t i = 0; i < 6; i++) {
                if (sl_expand_envv_lookup(b->bargs_env, names[i]))
                        continue;
                sl_strv_append_take(&b->bargs_env, i < 2 ? sl_xasprintf("%s=linux/%s", names[i], arch)
                                                     : i < 4 ? sl_xasprintf("%s=linux", names[i])
                                                             : sl_xasprintf("%s=%s", names[i], arch));
        }
        b->bargs = (sl_expand_env){.lookup = sl_expand_envv_lookup, .ctx = b->bargs_env};
}

/* BuildKit's checks run with every build: findings are printed as
 * warnings, and fail the build before any step with check=error=true. */
static int lint(builder *b, sl_error *err)
{
        sl_df_findings f;
        sl_df_lint(b->df, b->ignore, &f);
        size_t errors = 0;
        for (size_t i = 0; i < f.n; i++) {
                if (f.v[i].error || b->df->check.error)
                        errors++;
                if (!b->o->quiet)
                        fprintf(stderr, "%s:%d: %s: %s (%s)\n", b->df->name, f.v[i].line,
                                f.v[i].error || b->df->check.error ? "error" : "warning", f.v[i].message, f.v[i].rule);
        }
        size_t n = f.n;
        sl_df_findings_free(&f);
        if (errors)
                return sl_err(err, EINVAL, "%s: %zu of %zu check finding(s) are errors%s (see `sloika-build check`)",
                              b->df->name, errors, n, b->df->check.error ? " with check=error=true" : "");
        return 0;
}

/* Build mounts live in a private mount namespace: should the builder die
 * without cleaning up, they vanish with it instead of staying on the host. */
static int private_mounts(sl_error *err)
{
        if (unshare(CLONE_NEWNS) < 0)
                return sl_err_sys(err, errno, "unshare the mount namespace");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return sl_err_sys(err, errno, "make mounts private");
        return 0;
}

int sl_build(const sl_build_opts *o, char digest[SL_DIGEST_STR_MAX], int *exit_code, sl_error *err)
{
        builder b = {.o = o, .ctxfd = -1};
        _cleanup_free_ char *dfpath = NULL, *abs_root = NULL;
        bool *needed = NULL;
        size_t target;
        int rc = -1;
        *exit_code = 1;
        struct timespec ts = {.tv_sec = (time_t)o->epoch};
        sl_time_format_rfc3339(&ts, false, b.created);
        build_args_env(&b);
        for (char **sp = o->secrets; sp && *sp; sp++)
                if (sl_secrets_add(&b.secrets, *sp, err) < 0)
                        goto out;
        if (check_platform(o->platform, err) < 0 || read_dockerfile(o, &b.df, &dfpath, err) < 0)
                goto out;
        if (sl_df_check_stages(b.df, &b.bargs, err) < 0 || sl_df_find_target(b.df, o->target, &target, err) < 0)
                goto out;
        if (b.df->directives.syntax)
                progress(&b, "# syntax=%s (%s:%d): built with sloika-build's own frontend\n", b.df->directives.syntax,
                         b.df->name, b.df->directives.syntax_line);
        needed = sl_xcalloc(b.df->n_stages, sizeof(bool));
        if (sl_df_needed_stages(b.df, target, &b.bargs, needed, err) < 0)
                goto out;
        /* First, so the context fd belongs to the namespace RUN's bind mounts are made in. */
        if (private_mounts(err) < 0)
                goto out;
        b.ctxfd = open(o->context, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (b.ctxfd < 0) {
                sl_err_sys(err, errno, "build context %s", o->context);
                goto out;
        }
        if (sl_ignore_load(b.ctxfd, dfpath, &b.ignore, NULL, err) < 0 || lint(&b, err) < 0)
                goto out;
        /* The runtime is handed paths under the store: they must be absolute. */
        if (o->root[0] != '/') {
                char cwd[4096];
                if (!getcwd(cwd, sizeof cwd)) {
                        sl_err_sys(err, errno, "getcwd");
                        goto out;
                }
                abs_root = sl_xasprintf("%s/%s", cwd, o->root);
        }
        if (sl_store_open(abs_root ? abs_root : o->root, &b.s, err) < 0)
                goto out;
        if (sl_store_hold(b.s, err) < 0)
                goto out;
        b.stages = sl_xcalloc(b.df->n_stages, sizeof(img_state));
        b.built = sl_xcalloc(b.df->n_stages, sizeof(bool));
        for (size_t i = 0; i < b.df->n_stages; i++)
                b.n_needed += needed[i];
        for (size_t i = 0; i <= target; i++) {
                if (!needed[i])
                        continue;
                b.stage_no++;
                if (build_stage(&b, i, err) < 0)
                        goto release;
        }
        rc = finish(&b, target, digest, err);
release:
        sl_store_release(b.s);
out:
        if (rc == 0)
                *exit_code = 0;
        else if (b.exit_code)
                *exit_code = b.exit_code;
        for (size_t i = 0; b.stages && i < b.df->n_stages; i++)
                img_state_free(&b.stages[i]);
        free(b.stages);
        free(b.built);
        free(needed);
        if (b.ctxfd >= 0)
                close(b.ctxfd);
        sl_ignore_free(b.ignore);
        if (b.s)
                sl_store_close(b.s);
        sl_dockerfile_free(b.df);
        sl_strv_free(b.bargs_env);
        sl_secrets_free(&b.secrets);
        return rc;
}
