/* The process exec runs, from the container's config and the CLI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/lib/exec.h"
#include "runtime/lib/process.h"

/* Appends s to a generated string array unless it is there already. */
static void add_unique(char ***arr, size_t *len, bool *has, const char *s)
{
        for (size_t i = 0; i < *len; i++)
                if (strcmp((*arr)[i], s) == 0)
                        return;
        *arr = sl_xrealloc(*arr, (*len + 1) * sizeof(**arr));
        (*arr)[(*len)++] = sl_xstrdup(s);
        *has = true;
}

/* NAME=VALUE replaces an earlier NAME (the last one wins, as in runc). */
static void set_env(oci_process *p, const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t n = eq ? (size_t)(eq - kv) : strlen(kv);

        for (size_t i = 0; i < p->env_len; i++)
                if (strncmp(p->env[i], kv, n) == 0 && (p->env[i][n] == '=' || !p->env[i][n])) {
                        free(p->env[i]);
                        p->env[i] = sl_xstrdup(kv);
                        return;
                }
        p->env = sl_xrealloc(p->env, (p->env_len + 1) * sizeof(*p->env));
        p->env[p->env_len++] = sl_xstrdup(kv);
        p->has_env = true;
}

static void replace_str(char **field, const char *value)
{
        free(*field);
        *field = sl_xstrdup(value);
}

static oci_process *from_flags(const sl_exec_opts *o, oci_spec *spec)
{
        oci_process *p = spec->process ? SL_STEAL(spec->process) : sl_xcalloc(1, sizeof(*p));

        for (size_t i = 0; i < p->args_len; i++)
                free(p->args[i]);
        free(p->args);
        p->args_len = sl_strv_len(o->args);
        p->args = sl_xcalloc(p->args_len + 1, sizeof(*p->args));
        for (size_t i = 0; i < p->args_len; i++)
                p->args[i] = sl_xstrdup(o->args[i]);
        p->has_args = true;
        if (o->cwd)
                replace_str(&p->cwd, o->cwd);
        if (o->apparmor)
                replace_str(&p->apparmor_profile, o->apparmor);
        if (o->process_label)
                replace_str(&p->selinux_label, o->process_label);
        for (size_t i = 0; o->env && o->env[i]; i++)
                set_env(p, o->env[i]);
        /* The config's terminal belongs to the init; exec has its own. */
        p->terminal = o->tty;
        p->has_terminal = true;
        if (o->no_new_privs) {
                p->no_new_privileges = true;
                p->has_no_new_privileges = true;
        }
        if (o->caps && o->caps[0]) {
                oci_linux_capabilities *c = p->capabilities;
                if (!c)
                        c = p->capabilities = sl_xcalloc(1, sizeof(*c));
                for (size_t i = 0; o->caps[i]; i++) {
                        add_unique(&c->bounding, &c->bounding_len, &c->has_bounding, o->caps[i]);
                        add_unique(&c->effective, &c->effective_len, &c->has_effective, o->caps[i]);
                        add_unique(&c->permitted, &c->permitted_len, &c->has_permitted, o->caps[i]);
                }
        }
        if (o->has_uid || o->has_gid || o->additional_gids_len) {
                oci_user *u = p->user;
                if (!u)
                        u = p->user = sl_xcalloc(1, sizeof(*u));
                if (o->has_uid) {
                        u->uid = o->uid;
                        u->has_uid = true;
                }
                if (o->has_gid) {
                        u->gid = o->gid;
                        u->has_gid = true;
                }
                if (o->additional_gids_len) {
                        size_t n = u->additional_gids_len + o->additional_gids_len;
                        u->additional_gids = sl_xrealloc(u->additional_gids, n * sizeof(uint32_t));
                        memcpy(u->additional_gids + u->additional_gids_len, o->additional_gids,
                               o->additional_gids_len * sizeof(uint32_t));
                        u->additional_gids_len = n;
                        u->has_additional_gids = true;
                }
        }
        return p;
}

/* What a process JSON leaves out comes from the container, like runc's
 * exec; the environment, user and cwd never do. */
static void inherit(oci_process *p, oci_process *c)
{
        if (!c)
                return;
        if (!p->capabilities)
                p->capabilities = SL_STEAL(c->capabilities);
        if (!p->has_rlimits && c->has_rlimits) {
                p->rlimits = SL_STEAL(c->rlimits);
                p->rlimits_len = c->rlimits_len;
                p->has_rlimits = true;
                c->rlimits_len = 0;
        }
        if (!p->has_no_new_privileges) {
                p->no_new_privileges = c->no_new_privileges;
                p->has_no_new_privileges = c->has_no_new_privileges;
        }
        if (!p->apparmor_profile)
                p->apparmor_profile = SL_STEAL(c->apparmor_profile);
        if (!p->selinux_label)
                p->selinux_label = SL_STEAL(c->selinux_label);
        if (!p->has_oom_score_adj) {
                p->oom_score_adj = c->oom_score_adj;
                p->has_oom_score_adj = c->has_oom_score_adj;
        }
}

oci_process *sl_exec_build_process(const sl_exec_opts *o, oci_spec *spec, sl_error *err)
{
        oci_process *p;

        if (!o->process_file) {
                p = from_flags(o, spec);
                if (sl_process_check(p, err) < 0) {
                        oci_process_free(p);
                        return NULL;
                }
                return p;
        }
        p = oci_process_parse_file(o->process_file, err);
        if (!p)
                return NULL;
        inherit(p, spec->process);
        if (sl_process_check(p, err) < 0) {
                sl_err_wrap(err, "%s", o->process_file);
                oci_process_free(p);
                return NULL;
        }
        return p;
}
