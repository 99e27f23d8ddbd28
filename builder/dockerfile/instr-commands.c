/* FROM, RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD. */
#include "builder/dockerfile/instr-req.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/mount.h"
#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "builder/dockerfile/words.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

int sl_df_parse_from(req *r)
{
        sl_df_word *w;
        size_t n;
        sl_df_split_blanks(r->args, &w, &n);
        int rc = 0;
        if (n == 0) {
                rc = sl_df_req_need_args(r);
        } else if (n == 2 || n > 3 || (n == 3 && strcasecmp(w[1].text, "as") != 0)) {
                rc = sl_df_perr(r->p, r->args_off + w[1].off,
                                "FROM expects \"FROM [--platform=PLATFORM] IMAGE [AS NAME]\", got \"%s\"", r->args);
        } else {
                r->in->u.from.image = sl_xstrdup(w[0].text);
                if (n == 3) {
                        const char *name = w[2].text;
                        bool valid = isalpha((unsigned char)name[0]);
                        for (const char *c = name; *c && valid; c++)
                                valid = isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.';
                        if (!valid) {
                                rc = sl_df_perr(r->p, r->args_off + w[2].off,
                                                "invalid stage name \"%s\": a name starts with a letter and "
                                                "has only letters, digits, \"-\", \"_\" and \".\"", name);
                        } else {
                                r->in->u.from.as_keyword = sl_xstrdup(w[1].text);
                                r->in->u.from.name_as_written = sl_xstrdup(name);
                                char *lower = sl_xstrdup(name);
                                for (char *c = lower; *c; c++)
                                        *c = (char)tolower((unsigned char)*c);
                                r->in->u.from.name = lower;
                        }
                }
                r->in->u.from.platform = sl_df_req_flag_dup(r, "platform");
        }
        sl_df_words_free(w, n);
        return rc;
}

int sl_df_parse_run(req *r)
{
        sl_df_instr *in = r->in;
        if (!r->args[0])
                return sl_df_req_need_args(r);
        if (sl_df_req_maybe_json(r, &in->u.run.cmd) < 0)
                return -1;
        if (in->u.run.cmd.argc == 0)
                return sl_df_req_need_args(r);
        for (size_t i = 0; i < r->flags.n; i++) {
                const sl_df_flag *f = &r->flags.v[i];
                sl_error e;
                if (strcmp(f->name, "mount") == 0) {
                        sl_df_mount m;
                        if (sl_df_mount_parse(f->value, NULL, &m, &e) < 0)
                                return sl_df_req_flag_err(r, f, &e);
                        in->u.run.mounts = sl_xrealloc(in->u.run.mounts, (in->u.run.n_mounts + 1) * sizeof m);
                        in->u.run.mounts[in->u.run.n_mounts++] = m;
                } else if (strcmp(f->name, "network") == 0) {
                        if (strcmp(f->value, "default") == 0)
                                in->u.run.network = SL_DF_NET_DEFAULT;
                        else if (strcmp(f->value, "none") == 0)
                                in->u.run.network = SL_DF_NET_NONE;
                        else if (strcmp(f->value, "host") == 0)
                                in->u.run.network = SL_DF_NET_HOST;
                        else
                                return sl_df_perr(r->p, f->off, "RUN --network: invalid mode \"%s\": expected "
                                                  "default, none or host", f->value);
                } else if (strcmp(f->name, "security") == 0) {
                        if (strcmp(f->value, "sandbox") == 0)
                                in->u.run.security = SL_DF_SECURITY_SANDBOX;
                        else if (strcmp(f->value, "insecure") == 0)
                                in->u.run.security = SL_DF_SECURITY_INSECURE;
                        else
                                return sl_df_perr(r->p, f->off, "RUN --security: invalid mode \"%s\": expected "
                                                  "sandbox or insecure", f->value);
                }
        }
        return 0;
}

int sl_df_parse_cmd(req *r)
{
        if (!r->args[0])
                return sl_df_req_need_args(r);
        return sl_df_req_maybe_json(r, &r->in->u.cmd);
}

int sl_df_parse_shell(req *r)
{
        char **json;
        if (!r->args[0])
                return sl_df_req_need_args(r);
        int j = sl_df_req_json_args(r, &json);
        if (j < 0)
                return -1;
        if (!j)
                return sl_df_perr(r->p, r->args_off, "SHELL requires the arguments in JSON form, such as "
                                  "SHELL [\"/bin/sh\", \"-c\"]");
        r->in->u.list.exec_form = true;
        r->in->u.list.items = json;
        r->in->u.list.n = sl_strv_len(json);
        if (r->in->u.list.n == 0)
                return sl_df_perr(r->p, r->args_off, "SHELL requires at least one element, such as [\"/bin/sh\", \"-c\"]");
        return 0;
}

static int health_duration(const req *r, const char *name, int64_t *out)
{
        const sl_df_flag *f = sl_df_flags_get(&r->flags, name);
        sl_error e;
        if (!f)
                return 0;
        if (sl_df_parse_duration(f->value, out, &e) < 0)
                return sl_df_req_flag_err(r, f, &e);
        if (*out != 0 && *out < 1000000)
                return sl_df_perr(r->p, f->off, "HEALTHCHECK --%s: %s is below the minimum of 1ms (0 means "
                                  "inherit)", name, f->value);
        return 0;
}

int sl_df_parse_healthcheck(req *r)
{
        sl_df_health *h = &r->in->u.health;
        if (!r->args[0])
                return sl_df_req_need_args(r);
        size_t k = strcspn(r->args, " \t\v\f\r");
        const char *rest = r->args + k;
        while (sl_df_is_blank(*rest))
                rest++;
        if (k == 4 && strncasecmp(r->args, "NONE", 4) == 0) {
                if (*rest)
                        return sl_df_perr(r->p, r->args_off + (size_t)(rest - r->args), "HEALTHCHECK NONE takes no arguments");
                h->none = true;
                return 0;
        }
        if (k != 3 || strncasecmp(r->args, "CMD", 3) != 0)
                return sl_df_perr(r->p, r->args_off, "HEALTHCHECK: unknown type \"%.*s\": expected CMD or NONE",
                                  (int)k, r->args);
        if (!*rest)
                return sl_df_perr(r->p, r->args_off, "HEALTHCHECK CMD needs a command");
        req sub = *r;
        sub.args = rest;
        sub.args_off = r->args_off + (size_t)(rest - r->args);
        if (sl_df_req_maybe_json(&sub, &h->cmd) < 0)
                return -1;
        if (h->cmd.argc == 0)
                return sl_df_perr(r->p, sub.args_off, "HEALTHCHECK CMD needs a command");
        if (health_duration(r, "interval", &h->interval_ns) < 0 || health_duration(r, "timeout", &h->timeout_ns) < 0 ||
            health_duration(r, "start-period", &h->start_period_ns) < 0 ||
            health_duration(r, "start-interval", &h->start_interval_ns) < 0)
                return -1;
        const sl_df_flag *f = sl_df_flags_get(&r->flags, "retries");
        if (f) {
                uint32_t n;
                sl_error e;
                if (sl_df_parse_uint32(f->value, &n, &e) < 0 || n < 1 || n > INT32_MAX)
                        return sl_df_perr(r->p, f->off, "HEALTHCHECK --retries: invalid count \"%s\": expected an "
                                          "integer of at least 1", f->value);
                h->retries = (int)n;
        }
        return 0;
}

int sl_df_parse_onbuild(req *r)
{
        if (!r->args[0])
                return sl_df_req_need_args(r);
        size_t k = strcspn(r->args, " \t\v\f\r");
        _cleanup_free_ char *kw = sl_xstrndup(r->args, k);
        int kind = sl_df_kind_from_name(kw);
        if (kind == SL_DF_ONBUILD)
                return sl_df_perr(r->p, r->args_off, "chaining ONBUILD via \"ONBUILD ONBUILD\" isn't allowed");
        if (kind == SL_DF_FROM || kind == SL_DF_MAINTAINER)
                return sl_df_perr(r->p, r->args_off, "%s isn't allowed as an ONBUILD trigger", sl_df_kind_name(kind));
        sl_df_instr *t = sl_xcalloc(1, sizeof *t);
        /* The trigger owns copies of the heredocs it reads (COPY <<EOF). */
        t->n_heredocs = r->in->n_heredocs;
        t->heredocs = t->n_heredocs ? sl_xcalloc(t->n_heredocs, sizeof *t->heredocs) : NULL;
        for (size_t i = 0; i < t->n_heredocs; i++) {
                t->heredocs[i] = r->in->heredocs[i];
                t->heredocs[i].name = sl_xstrdup(r->in->heredocs[i].name);
                t->heredocs[i].content = sl_xstrdup(r->in->heredocs[i].content);
        }
        if (sl_df_parse_instr(r->p, r->args_off, t) < 0) {
                free(t);
                return -1;
        }
        r->in->u.onbuild.trigger = t;
        /* The image config keeps the trigger as text, bodies included. */
        sl_strbuf b = {0};
        sl_strbuf_adds(&b, r->args);
        for (size_t i = 0; i < r->in->n_heredocs; i++) {
                sl_strbuf_addc(&b, '\n');
                sl_strbuf_adds(&b, r->in->heredocs[i].content);
                sl_strbuf_adds(&b, r->in->heredocs[i].name);
        }
        r->in->u.onbuild.expression = sl_strbuf_steal(&b);
        return 0;
}
