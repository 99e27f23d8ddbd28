/* One build step per instruction: metadata-only ones change the config
 * and add an empty_layer history entry; RUN, COPY/ADD and a WORKDIR that
 * creates its dir add a layer. Each step's result is cached under a key
 * of the parent image, the instruction, the variables in scope and the
 * digest of its inputs. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builder/dockerfile/command.h"
#include "builder/dockerfile/expand_instr.h"
#include "builder/dockerfile/stages.h"
#include "builder/exec/build-internal.h"
#include "builder/exec/copy.h"
#include "builder/exec/imgcfg.h"
#include "builder/exec/overlay.h"
#include "builder/exec/run.h"
#include "builder/exec/run-mounts.h"
#include "builder/exec/users.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "common/strv.h"
#include "common/xalloc.h"

/* A NULL-terminated copy of a config's string array (NULL when unset). */
static char **strv_of(char **v, size_t n, bool has)
{
        if (!has)
                return NULL;
        char **out = sl_xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                out[i] = sl_xstrdup(v[i]);
        return out;
}

static char *key_of(builder *b, stage_ctx *sc, const sl_df_instr *in, const char *inputs)
{
        _cleanup_strv_ char **vars = sl_df_vars_snapshot(sc->vars);
        size_t cap = 256 + strlen(in->original) + strlen(inputs) + strlen(sl_compression_media_type(b->o->compression)), len = 0;
        for (char **v = vars; v && *v; v++)
                cap += strlen(*v) + 1;
        char *k = sl_xmalloc(cap);
        /* The layer's compression is part of the result: a zstd layer must
         * not answer a --compression none build. */
        len = (size_t)snprintf(k, cap, "sloika-build step v1\nparent=%s\ninstr=%s\nepoch=%lld\nlayer=%s\ninputs=%s\nvars:\n",
                               *sc->st.digest ? sc->st.digest : "scratch", in->original, (long long)b->o->epoch,
                               sl_compression_media_type(b->o->compression), inputs);
        for (char **v = vars; v && *v; v++)
                len += (size_t)snprintf(k + len, cap - len, "%s\n", *v);
        return k;
}

/* Replaces sc's state with the cached result of key; false on a miss. */
static bool cache_hit(builder *b, stage_ctx *sc, const char *key)
{
        char value[SL_DIGEST_STR_MAX];
        if (b->o->no_cache || sl_store_cache_get(b->s, key, value, NULL) < 0)
                return false;
        img_state next = {0};
        if (img_state_load(b, value, &next, NULL) < 0)
                return false;
        img_state_free(&sc->st);
        sc->st = next;
        return true;
}

static int cache_put(builder *b, stage_ctx *sc, const char *key, sl_error *err)
{
        return sl_store_cache_put(b->s, key, sc->st.digest, err);
}

static oci_descriptor layer_desc(builder *b, sl_layer_digests *ld)
{
        return (oci_descriptor){.media_type = (char *)sl_compression_media_type(b->o->compression),
                                .digest = ld->digest, .size = (int64_t)ld->size, .has_size = true};
}

/* Commits a step that added the layer ld (or none) to a clone of the config changed by edit. */
static int commit_layer(builder *b, stage_ctx *sc, const sl_df_instr *in, sl_layer_digests *ld, sl_error *err)
{
        oci_image *cfg = sl_img_clone(sc->st.cfg, err);
        if (!cfg)
                return -1;
        sl_img_set_str(&cfg->created, b->created);
        if (ld)
                sl_img_add_diff_id(cfg, ld->diff_id);
        sl_img_add_history(cfg, b->created, in->original, ld == NULL);
        oci_descriptor d;
        if (ld)
                d = layer_desc(b, ld);
        return img_state_commit(b, &sc->st, cfg, ld ? &d : NULL, err);
}

static void set_health(oci_image_config *c, const sl_df_health *h)
{
        if (c->healthcheck)
                oci_health_config_free(c->healthcheck);
        oci_health_config *hc = c->healthcheck = sl_xcalloc(1, sizeof(*hc));
        char **test = NULL;
        if (h->none) {
                sl_strv_append(&test, "NONE");
        } else if (h->cmd.exec_form) {
                sl_strv_append(&test, "CMD");
                for (size_t i = 0; i < h->cmd.argc; i++)
                        sl_strv_append(&test, h->cmd.argv[i]);
        } else {
                sl_strv_append(&test, "CMD-SHELL");
                sl_strv_append(&test, h->cmd.argv[0]);
        }
        hc->test = test;
        hc->test_len = sl_strv_len(test);
        hc->has_test = true;
#define DUR(f) if (h->f##_ns) { hc->f = h->f##_ns; hc->has_##f = true; }
        DUR(interval) DUR(timeout) DUR(start_period) DUR(start_interval)
#undef DUR
        if (h->retries) {
                hc->retries = h->retries;
                hc->has_retries = true;
        }
}

static char *abs_workdir(const oci_image *cfg, const char *path)
{
        const char *cur = cfg->config && cfg->config->working_dir && *cfg->config->working_dir ? cfg->config->working_dir : "/";
        _cleanup_free_ char *j = path[0] == '/' ? sl_xstrdup(path) : sl_xasprintf("%s/%s", cur, path);
        return sl_path_clean(j);
}

/* EXPOSE PORT[-END][/PROTO], as Docker reads it: a range is every port
 * in it, the protocol (default tcp) lowercased. */
static int expose(oci_image_config *c, const char *spec, sl_error *err)
{
        const char *slash = strchr(spec, '/');
        _cleanup_free_ char *ports = slash ? sl_xstrndup(spec, (size_t)(slash - spec)) : sl_xstrdup(spec);
        _cleanup_free_ char *proto = sl_xstrdup(slash ? slash + 1 : "tcp");
        for (char *p = proto; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        char *end, *dash = strchr(ports, '-');
        errno = 0;
        unsigned long lo = strtoul(ports, &end, 10), hi = lo;
        bool bad = !*ports || errno || end != (dash ? dash : ports + strlen(ports)) || lo > 65535;
        if (!bad && dash) {
                hi = strtoul(dash + 1, &end, 10);
                bad = !dash[1] || *end || errno || hi > 65535 || hi < lo;
        }
        if (bad || (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp")))
                return sl_err(err, EINVAL, "EXPOSE %s: expected PORT[-END][/tcp|udp|sctp]", spec);
        for (unsigned long port = lo; port <= hi; port++) {
                _cleanup_free_ char *key = sl_xasprintf("%lu/%s", port, proto);
                sl_strmap_set(&c->exposed_ports, key, NULL);
        }
        return 0;
}

/* The config change of a metadata-only instruction x. */
static int edit_meta(stage_ctx *sc, const sl_df_instr *x, oci_image *cfg, sl_error *err)
{
        oci_image_config *c = sl_img_config(cfg);
        _cleanup_strv_ char **shell = strv_of(c->shell, c->shell_len, c->has_shell);
        switch (x->kind) {
        case SL_DF_ENV:
                for (size_t i = 0; i < x->u.kv.n; i++)
                        sl_img_env_set(cfg, x->u.kv.items[i].key, x->u.kv.items[i].value ? x->u.kv.items[i].value : "");
                break;
        case SL_DF_LABEL:
                for (size_t i = 0; i < x->u.kv.n; i++)
                        sl_strmap_set(&c->labels, x->u.kv.items[i].key, x->u.kv.items[i].value ? x->u.kv.items[i].value : "");
                break;
        case SL_DF_CMD:
        case SL_DF_ENTRYPOINT: {
                _cleanup_strv_ char **argv = sl_df_command_argv(&x->u.cmd, shell);
                if (x->kind == SL_DF_CMD) {
                        sl_img_set_strv(&c->cmd, &c->cmd_len, &c->has_cmd, argv);
                } else {
                        sl_img_set_strv(&c->entrypoint, &c->entrypoint_len, &c->has_entrypoint, argv);
                        if (!sc->cmd_set)  /* an inherited CMD does not fit a new ENTRYPOINT */
                                sl_img_set_strv(&c->cmd, &c->cmd_len, &c->has_cmd, NULL);
                }
                break;
        }
        case SL_DF_EXPOSE:
                for (size_t i = 0; i < x->u.list.n; i++)
                        if (expose(c, x->u.list.items[i], err) < 0)
                                return -1;
                break;
        case SL_DF_VOLUME:
                for (size_t i = 0; i < x->u.list.n; i++)
                        sl_strmap_set(&c->volumes, x->u.list.items[i], NULL);
                break;
        case SL_DF_SHELL:
                sl_img_set_strv(&c->shell, &c->shell_len, &c->has_shell, x->u.list.items);
                break;
        case SL_DF_USER: sl_img_set_str(&c->user, x->u.str); break;
        case SL_DF_STOPSIGNAL: sl_img_set_str(&c->stop_signal, x->u.str); break;
        case SL_DF_MAINTAINER: sl_img_set_str(&cfg->author, x->u.str); break;
        case SL_DF_HEALTHCHECK: set_health(c, &x->u.health); break;
        case SL_DF_ONBUILD: {
                char *one[2] = {x->u.onbuild.expression, NULL};
                _cleanup_strv_ char **all = strv_of(c->on_build, c->on_build_len, c->has_on_build);
                if (!all)
                        all = sl_xcalloc(1, sizeof(char *));
                sl_strv_append(&all, one[0]);
                sl_img_set_strv(&c->on_build, &c->on_build_len, &c->has_on_build, all);
                break;
        }
        default:
                break;
        }
        return 0;
}

static int meta_step(builder *b, stage_ctx *sc, const sl_df_instr *in, const sl_df_instr *x, bool *cached,
                     sl_error *err)
{
        _cleanup_free_ char *key = key_of(b, sc, in, "");
        if ((*cached = cache_hit(b, sc, key)))
                return 0;
        oci_image *cfg = sl_img_clone(sc->st.cfg, err);
        if (!cfg)
                return -1;
        if (edit_meta(sc, x, cfg, err) < 0) {
                oci_image_free(cfg);
                return -1;
        }
        sl_img_set_str(&cfg->created, b->created);
        sl_img_add_history(cfg, b->created, in->original, true);
        if (img_state_commit(b, &sc->st, cfg, NULL, err) < 0)
                return -1;
        return cache_put(b, sc, key, err);
}

static sl_diff_opts diff_opts(builder *b, bool overlay)
{
        return (sl_diff_opts){.overlay = overlay, .clamp_mtime = true, .epoch = b->o->epoch};
}

static sl_compress_opts comp_opts(builder *b)
{
        return (sl_compress_opts){.compression = b->o->compression, .threaded = true};
}

static int run_exec(builder *b, stage_ctx *sc, const sl_df_instr *in, const sl_df_instr *x, bool host,
                    sl_error *err)
{
        oci_image_config *c = sl_img_config(sc->st.cfg);
        _cleanup_strv_ char **shell = strv_of(c->shell, c->shell_len, c->has_shell);
        _cleanup_strv_ char **env = sl_df_vars_snapshot(sc->vars);
        run_mounts rm;
        if (run_mounts_prepare(b, sc, x, &rm, err) < 0) {
                run_mounts_release(b, &rm);
                return -1;
        }
        sl_run_req r = {
                .manifest = sc->st.m, .config = sc->st.cfg, .run = x, .shell = shell, .env = env,
                .cwd = c->working_dir, .user = c->user, .host_network = host, .echo = !b->o->quiet,
                .diff = diff_opts(b, true), .comp = comp_opts(b),
                .mounts = rm.m, .n_mounts = rm.n, .extra_env = rm.env,
        };
        sl_layer_digests ld;
        int code = 0;
        int rc = sl_exec_run(b->s, &r, &ld, &code, err);
        run_mounts_release(b, &rm);
        if (rc < 0) {
                b->exit_code = code > 0 ? code : 1;
                return -1;
        }
        return commit_layer(b, sc, in, &ld, err);
}

static int run_step(builder *b, stage_ctx *sc, const sl_df_instr *in, const sl_df_instr *x, bool *cached,
                    sl_error *err)
{
        if (x->u.run.security == SL_DF_SECURITY_INSECURE)
                return sl_err(err, ENOTSUP, "%s:%d: RUN --security=insecure is not allowed", b->df->name, in->line);
        sl_df_network net = x->u.run.network == SL_DF_NET_DEFAULT ? b->o->network : x->u.run.network;
        bool host = net == SL_DF_NET_HOST;
        const char *nets = host ? "network=host" : "network=none";
        /* Like COPY: the metadata of bound context files first, so an
         * unchanged context is not read again. */
        _cleanup_free_ char *meta = NULL, *content = NULL, *in1 = NULL, *in2 = NULL, *key1 = NULL, *key2 = NULL;
        if (run_mounts_inputs(b, sc, x, false, &meta, err) < 0)
                return -1;
        in1 = *meta ? sl_xasprintf("%s\n%s", nets, meta) : sl_xstrdup(nets);
        key1 = key_of(b, sc, in, in1);
        if ((*cached = cache_hit(b, sc, key1)))
                return 0;
        if (*meta) {
                if (run_mounts_inputs(b, sc, x, true, &content, err) < 0)
                        return -1;
                in2 = sl_xasprintf("%s\ncontent:\n%s", nets, content);
                key2 = key_of(b, sc, in, in2);
                if ((*cached = cache_hit(b, sc, key2)))
                        return cache_put(b, sc, key1, err);
        }
        if (run_exec(b, sc, in, x, host, err) < 0)
                return -1;
        if (key2 && cache_put(b, sc, key2, err) < 0)
                return -1;
        return cache_put(b, sc, key1, err);
}

/* Commits the upper dir of a writable overlay as the step's layer. */
static int commit_upper(builder *b, stage_ctx *sc, const sl_df_instr *in, sl_overlay *ov, sl_error *err)
{
        if (sl_overlay_unmount(ov, err) < 0)
                return -1;
        _cleanup_close_ int fd = open(ov->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "open %s", ov->upper);
        sl_diff_opts d = diff_opts(b, true);
        sl_compress_opts co = comp_opts(b);
        sl_layer_digests ld;
        char parent[SL_DIGEST_STR_MAX], chain[SL_DIGEST_STR_MAX];
        if (sl_store_commit_layer(b->s, fd, &d, &co, &ld, err) < 0)
                return -1;
        if (sl_config_chain_id(sc->st.cfg, parent, err) == 0 &&
            sl_chain_id(*parent ? parent : NULL, ld.diff_id, chain, err) == 0)
                sl_store_adopt_layer(b->s, ov->upper, chain, NULL);
        return commit_layer(b, sc, in, &ld, err);
}

/* Creates the missing dirs of path as `mkdir -p` run by the stage's USER
 * would: BuildKit gives the new dirs (only those) the user's ownership. */
static int make_workdir(int rootfd, const char *path, const char *user, sl_error *err)
{
        uint32_t uid = 0, gid = 0;
        if (user && *user && sl_resolve_user(rootfd, user, &uid, &gid, err) < 0)
                return sl_err_wrap(err, "WORKDIR as USER %s", user);
        size_t len = strlen(path), missing = len + 1;
        for (size_t i = 1; i <= len && missing > len; i++) {
                if (path[i] != '/' && path[i] != '\0')
                        continue;
                _cleanup_free_ char *prefix = sl_xstrndup(path, i);
                int fd = sl_openat_in_root(rootfd, prefix, O_PATH | O_CLOEXEC, 0, NULL);
                if (fd < 0)
                        missing = i;
                else
                        close(fd);
        }
        _cleanup_close_ int dfd = sl_mkdirs_in_root(rootfd, path, 0755, err);
        if (dfd < 0)
                return -1;
        for (size_t i = missing; (uid || gid) && i <= len; i++) {
                if (path[i] != '/' && path[i] != '\0')
                        continue;
                _cleanup_free_ char *prefix = sl_xstrndup(path, i);
                _cleanup_close_ int fd = sl_openat_in_root(rootfd, prefix, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, err);
                if (fd < 0)
                        return -1;
                if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
                        return sl_err_sys(err, errno, "WORKDIR: chown %s", prefix);
        }
        return 0;
}

static int workdir_step(builder *b, stage_ctx *sc, const sl_df_instr *in, const sl_df_instr *x, bool *cached,
                        sl_error *err)
{
        _cleanup_free_ char *key = key_of(b, sc, in, "");
        if ((*cached = cache_hit(b, sc, key)))
                return 0;
        _cleanup_free_ char *path = abs_workdir(sc->st.cfg, x->u.str);
        /* the new WorkingDir goes into the config before the layer is committed */
        oci_image *cfg = sl_img_clone(sc->st.cfg, err);
        if (!cfg)
                return -1;
        sl_img_set_str(&sl_img_config(cfg)->working_dir, path);
        oci_image_free(sc->st.cfg);
        sc->st.cfg = cfg;
        sl_overlay ov;
        if (sl_overlay_open(b->s, sc->st.m, sc->st.cfg, true, &ov, err) < 0)
                return -1;
        int rc, fd = sl_openat_in_root(ov.rootfd, path, O_PATH | O_CLOEXEC, 0, NULL);
        if (fd >= 0) {
                close(fd);
                rc = commit_layer(b, sc, in, NULL, err);
        } else {
                const char *user = cfg->config ? cfg->config->user : NULL;
                rc = make_workdir(ov.rootfd, path, user, err);
                if (rc == 0)
                        rc = commit_upper(b, sc, in, &ov, err);
        }
        sl_overlay_release(b->s, &ov, NULL);
        return rc < 0 ? -1 : cache_put(b, sc, key, err);
}

static int verify_checksum(const sl_copy_src *src, const sl_copy_plan *p, const char *want, sl_error *err)
{
        if (p->n != 1 || (p->e[0].kind != SL_COPY_FILE && p->e[0].kind != SL_COPY_EXTRACT))
                return sl_err(err, EINVAL, "ADD --checksum needs exactly one file source");
        if (sl_digest_parse(want, NULL, NULL, err) < 0)
                return sl_err_wrap(err, "ADD --checksum");
        _cleanup_close_ int fd = sl_openat_in_root(src->rootfd, p->e[0].src, O_RDONLY | O_CLOEXEC, 0, err);
        char got[SL_DIGEST_STR_MAX];
        if (fd < 0 || sl_digest_fd(SL_DIGEST_SHA256, fd, got, NULL, err) < 0)
                return -1;
        if (strcmp(got, want))
                return sl_err(err, EINVAL, "ADD %s: checksum mismatch: expected %s, got %s", p->e[0].src, want, got);
        return 0;
}

static int copy_into(builder *b, stage_ctx *sc, const sl_df_instr *in, const sl_df_instr *x, const sl_copy_src *src,
                     const sl_copy_plan *plan, sl_overlay *ov, sl_error *err)
{
        const sl_df_copy *c = &x->u.copy;
        sl_copy_opts co = {0};
        if (c->chown && sl_resolve_chown(ov->rootfd, c->chown, &co.uid, &co.gid, err) < 0)
                return sl_err_wrap(err, "%s --chown", sl_df_kind_name(x->kind));
        co.has_chown = c->chown != NULL;
        _cleanup_(sl_chmod_free) sl_chmod mode = {0};
        if (c->chmod && sl_chmod_parse(c->chmod, &mode, err) < 0)
                return -1;
        co.chmod = c->chmod ? &mode : NULL;
        if (c->checksum && verify_checksum(src, plan, c->checksum, err) < 0)
                return -1;
        if (!c->link) {
                if (sl_copy_plan_apply(src, plan, ov->rootfd, &co, err) < 0)
                        return -1;
                return commit_upper(b, sc, in, ov, err);
        }
        /* --link: the layer holds only the copied files, independent of the parent */
        _cleanup_free_ char *dir = NULL;
        if (sl_store_workdir(b->s, "link", &dir, err) < 0)
                return -1;
        int rc = -1;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                sl_err_sys(err, errno, "open %s", dir);
        } else if (fchmod(dfd, 0755) == 0 && sl_copy_plan_apply(src, plan, dfd, &co, err) == 0) {
                sl_diff_opts d = diff_opts(b, false);
                sl_compress_opts cmp = comp_opts(b);
                sl_layer_digests ld;
                if (sl_store_commit_layer(b->s, dfd, &d, &cmp, &ld, err) == 0)
                        rc = commit_layer(b, sc, in, &ld, err);
        }
        sl_store_remove_workdir(b->s, dir, NULL);
        return rc;
}

static int copy_step(builder *b, stage_ctx *sc, const sl_df_instr *in, const sl_df_instr *x, bool *cached,
                     sl_error *err)
{
        const sl_df_copy *c = &x->u.copy;
        sl_overlay srcov = {.rootfd = -1}, ov = {.rootfd = -1};
        img_state other = {0};
        sl_copy_src src = {.rootfd = b->ctxfd, .ignore = b->ignore, .is_context = true};
        sl_copy_plan plan = {0};
        _cleanup_free_ char *inputs = NULL, *key1 = NULL, *key2 = NULL;
        int rc = -1;
        if (c->from) {
                size_t idx;
                int r = sl_df_stage_ref(b->df, sc->index, c->from, true, &idx, err);
                if (r < 0)
                        return -1;
                const img_state *from = &other;
                if (r == 1) {
                        if (!b->built[idx])
                                return sl_err(err, EINVAL, "--from=%s: stage %zu was not built", c->from, idx);
                        from = &b->stages[idx];
                } else if (img_state_from_ref(b, c->from, &other, err) < 0)
                        return -1;
                if (sl_overlay_open(b->s, from->m, from->cfg, false, &srcov, err) < 0)
                        goto out;
                src = (sl_copy_src){.rootfd = srcov.rootfd};
                inputs = sl_xasprintf("from=%s", *from->digest ? from->digest : "scratch");
        }
        if (sl_overlay_open(b->s, sc->st.m, sc->st.cfg, true, &ov, err) < 0)
                goto out;
        const char *wd = sc->st.cfg->config ? sc->st.cfg->config->working_dir : NULL;
        if (sl_copy_plan_make(&src, x, wd, ov.rootfd, &plan, err) < 0)
                goto out;
        char d[SL_DIGEST_STR_MAX];
        if (!inputs) {
                /* metadata first: an unchanged context is not read again */
                if (sl_copy_plan_digest(&src, &plan, false, d, err) < 0)
                        goto out;
                key1 = key_of(b, sc, in, d);
                if ((*cached = cache_hit(b, sc, key1))) {
                        rc = 0;
                        goto out;
                }
                if (sl_copy_plan_digest(&src, &plan, true, d, err) < 0)
                        goto out;
                inputs = sl_xasprintf("content=%s", d);
        }
        key2 = key_of(b, sc, in, inputs);
        if ((*cached = cache_hit(b, sc, key2))) {
                rc = key1 ? cache_put(b, sc, key1, err) : 0;
                goto out;
        }
        if (copy_into(b, sc, in, x, &src, &plan, &ov, err) < 0)
                goto out;
        rc = cache_put(b, sc, key2, err);
        if (rc == 0 && key1)
                rc = cache_put(b, sc, key1, err);
out:
        sl_copy_plan_free(&plan);
        sl_overlay_release(b->s, &ov, NULL);
        sl_overlay_release(b->s, &srcov, NULL);
        img_state_free(&other);
        return rc;
}

static char *title_of(const sl_df_instr *in)
{
        const char *nl = strchr(in->original, '\n');
        if (!nl)
                return sl_xstrdup(in->original);
        return sl_xasprintf("%.*s ...", (int)(nl - in->original), in->original);
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int step_run(builder *b, stage_ctx *sc, const sl_df_instr *in, sl_error *err)
{
        if (sl_build_interrupted)
                return sl_err(err, EINTR, "interrupted");
        sl_expand_env env = sl_df_vars_env(sc->vars);
        env.escape = b->df->directives.escape ? b->df->directives.escape : '\\';
        sl_df_instr *x = NULL;
        if (sl_df_instr_expand(b->df, in, &env, &x, err) < 0)
                return -1;
        _cleanup_free_ char *title = title_of(in);
        progress(b, "[stage %zu/%zu] %s\n", b->stage_no, b->n_needed, title);
        double t0 = now_s();
        bool cached = false;
        int rc;
        switch (in->kind) {
        case SL_DF_RUN: rc = run_step(b, sc, in, x, &cached, err); break;
        case SL_DF_COPY:
        case SL_DF_ADD: rc = copy_step(b, sc, in, x, &cached, err); break;
        case SL_DF_WORKDIR: rc = workdir_step(b, sc, in, x, &cached, err); break;
        case SL_DF_FROM: rc = sl_err(err, EINVAL, "FROM inside a stage"); break;
        default: rc = meta_step(b, sc, in, x, &cached, err); break;
        }
        if (rc == 0 && in->kind == SL_DF_CMD)
                sc->cmd_set = true;
        sl_df_instr_free(x);
        if (rc < 0)
                return sl_err_wrap(err, "%s:%d", b->df->name, in->line);
        if (cached)
                progress(b, "  CACHED\n");
        else
                progress(b, "  done %.2fs\n", now_s() - t0);
        return sl_df_vars_apply(sc->vars, in, err);
}

void progress(builder *b, const char *fmt, ...)
{
        if (b->o->quiet)
                return;
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fflush(stdout);
}
