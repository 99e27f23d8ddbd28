#include "builder/dockerfile/mount.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

const char *sl_df_mount_type_name(sl_df_mount_type t)
{
        static const char *names[] = {"bind", "cache", "tmpfs", "secret"};
        return names[t];
}

/* CSV fields as Go's encoding/csv reads one record. */
static int split_csv(const char *s, sl_svec *out, sl_error *err)
{
        const char *p = s;
        for (;;) {
                sl_strbuf b = {0};
                if (*p == '"') {
                        p++;
                        for (;;) {
                                if (*p == '\0') {
                                        sl_strbuf_free(&b);
                                        return sl_err(err, 0, "unterminated quote in \"%s\"", s);
                                }
                                if (*p == '"' && p[1] == '"') {
                                        sl_strbuf_addc(&b, '"');
                                        p += 2;
                                } else if (*p == '"') {
                                        p++;
                                        break;
                                } else {
                                        sl_strbuf_addc(&b, *p++);
                                }
                        }
                        if (*p != ',' && *p != '\0') {
                                sl_strbuf_free(&b);
                                return sl_err(err, 0, "extraneous text after a quoted field in \"%s\"", s);
                        }
                } else {
                        size_t n = strcspn(p, ",");
                        sl_strbuf_addn(&b, p, n);
                        p += n;
                }
                sl_svec_push(out, sl_strbuf_steal(&b));
                if (*p != ',')
                        return 0;
                p++;
        }
}

static int parse_type(const char *v, sl_df_mount_type *t, sl_error *err)
{
        static const struct { const char *name; sl_df_mount_type t; } types[] = {
                {"bind", SL_DF_MOUNT_BIND}, {"cache", SL_DF_MOUNT_CACHE},
                {"tmpfs", SL_DF_MOUNT_TMPFS}, {"secret", SL_DF_MOUNT_SECRET},
        };
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
                if (strcasecmp(v, types[i].name) == 0) {
                        *t = types[i].t;
                        return 0;
                }
        if (strcasecmp(v, "ssh") == 0)
                return sl_err(err, 0, "mount type \"ssh\" is not supported (no SSH agent forwarding here)");
        return sl_err(err, 0, "invalid mount type \"%s\": expected bind, cache, tmpfs or secret", v);
}

static void set_str(char **slot, const char *v)
{
        free(*slot);
        *slot = sl_xstrdup(v);
}

/* Applies key=value; value is NULL for a bare key. */
static int apply(sl_df_mount *m, const char *key, const char *value, bool deferred, sl_error *err)
{
        bool b = true;
        if (!strcmp(key, "readonly") || !strcmp(key, "ro") || !strcmp(key, "readwrite") ||
            !strcmp(key, "rw") || !strcmp(key, "required")) {
                if (value && !deferred && sl_df_parse_bool(value, &b, err) < 0)
                        return -1;
                if (!strcmp(key, "required"))
                        m->required = b;
                else if (!strcmp(key, "readonly") || !strcmp(key, "ro"))
                        m->readonly = b;
                else
                        m->readonly = !b;
                return 0;
        }
        if (!value)
                return sl_err(err, 0, "key \"%s\" needs a value: %s=VALUE", key, key);
        if (!strcmp(key, "target") || !strcmp(key, "dst") || !strcmp(key, "destination"))
                set_str(&m->target, value);
        else if (!strcmp(key, "source") || !strcmp(key, "src"))
                set_str(&m->source, value);
        else if (!strcmp(key, "from"))
                set_str(&m->from, value);
        else if (!strcmp(key, "id"))
                set_str(&m->id, value);
        else if (!strcmp(key, "env"))
                set_str(&m->env, value);
        else if (!strcmp(key, "sharing")) {
                if (deferred)
                        return 0;
                if (!strcasecmp(value, "shared"))
                        m->sharing = SL_DF_SHARING_SHARED;
                else if (!strcasecmp(value, "private"))
                        m->sharing = SL_DF_SHARING_PRIVATE;
                else if (!strcasecmp(value, "locked"))
                        m->sharing = SL_DF_SHARING_LOCKED;
                else
                        return sl_err(err, 0, "invalid sharing \"%s\": expected shared, private or locked", value);
        } else if (!strcmp(key, "mode")) {
                if (!deferred && sl_df_parse_mode(value, &m->mode, err) < 0)
                        return -1;
                m->has_mode = !deferred;
        } else if (!strcmp(key, "uid") || !strcmp(key, "gid")) {
                uint32_t *slot = key[0] == 'u' ? &m->uid : &m->gid;
                if (!deferred && sl_df_parse_uint32(value, slot, err) < 0)
                        return -1;
                *(key[0] == 'u' ? &m->has_uid : &m->has_gid) = !deferred;
        } else if (!strcmp(key, "size")) {
                if (!deferred && sl_df_parse_size(value, &m->size, err) < 0)
                        return -1;
                m->has_size = !deferred;
        } else {
                return sl_err(err, 0, "unknown key \"%s\": expected type, target, source, from, id, sharing, "
                              "mode, uid, gid, readonly, rw, size, required or env", key);
        }
        return 0;
}

static int validate(sl_df_mount *m, sl_error *err)
{
        if (m->type == SL_DF_MOUNT_SECRET) {
                if (m->from)
                        return sl_err(err, 0, "a secret mount takes no from=");
                if (!m->id && !m->target && !m->env)
                        return sl_err(err, 0, "a secret mount needs id=, target= or env=");
                if (!m->id && m->target) {
                        const char *base = strrchr(m->target, '/');
                        m->id = sl_xstrdup(base ? base + 1 : m->target);
                }
                if (!m->target && !m->env)
                        m->target = sl_xasprintf("/run/secrets/%s", m->id);
                return 0;
        }
        if (!m->target || !m->target[0])
                return sl_err(err, 0, "a %s mount needs target=", sl_df_mount_type_name(m->type));
        if (m->type == SL_DF_MOUNT_TMPFS && (m->from || m->source))
                return sl_err(err, 0, "a tmpfs mount takes no from= or source=");
        if (m->type != SL_DF_MOUNT_TMPFS && m->has_size)
                return sl_err(err, 0, "size= applies to tmpfs mounts only");
        return 0;
}

int sl_df_mount_parse(const char *raw, const sl_expand_env *env, sl_df_mount *out, sl_error *err)
{
        memset(out, 0, sizeof *out);
        out->raw = sl_xstrdup(raw);
        sl_svec fields = {0};
        if (split_csv(raw, &fields, err) < 0)
                goto fail;
        /* The type sets the defaults, wherever it appears. */
        for (size_t i = 0; i < fields.n; i++) {
                const char *f = fields.v[i];
                if (strncasecmp(f, "type=", 5) == 0 && parse_type(f + 5, &out->type, err) < 0)
                        goto fail;
        }
        out->readonly = out->type == SL_DF_MOUNT_BIND;
        for (size_t i = 0; i < fields.n; i++) {
                const char *f = fields.v[i];
                const char *eq = strchr(f, '=');
                _cleanup_free_ char *key = sl_xstrndup(f, eq ? (size_t)(eq - f) : strlen(f));
                for (char *k = key; *k; k++)
                        *k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
                if (!strcmp(key, "type"))
                        continue;
                _cleanup_free_ char *value = NULL;
                bool deferred = false;
                if (eq && env) {
                        if (sl_expand_word(eq + 1, env, &value, err) < 0) {
                                sl_err_wrap(err, "%s", key);
                                goto fail;
                        }
                } else if (eq) {
                        value = sl_xstrdup(eq + 1);
                        deferred = sl_df_has_var(value);
                }
                if (apply(out, key, value, deferred, err) < 0)
                        goto fail;
        }
        if (validate(out, err) < 0)
                goto fail;
        sl_svec_free(&fields);
        return 0;
fail:
        sl_svec_free(&fields);
        sl_df_mount_free(out);
        return -1;
}

void sl_df_mount_free(sl_df_mount *m)
{
        free(m->raw);
        free(m->target);
        free(m->source);
        free(m->from);
        free(m->id);
        free(m->env);
        memset(m, 0, sizeof *m);
}
