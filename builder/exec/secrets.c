#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder/exec/secrets.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

static void wipe(sl_secret *x)
{
        if (x->data)
                explicit_bzero(x->data, x->len);
        free(x->data);
        free(x->id);
        *x = (sl_secret){0};
}

int sl_secrets_add(sl_secrets *s, const char *spec, sl_error *err)
{
        _cleanup_free_ char *copy = sl_xstrdup(spec), *id = NULL, *src = NULL, *env = NULL, *type = NULL;
        char *save = NULL;
        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                if (!eq)
                        return sl_err(err, EINVAL, "--secret %s: \"%s\": expected key=value", spec, kv);
                *eq++ = '\0';
                char **slot = !strcmp(kv, "id") ? &id
                            : !strcmp(kv, "src") || !strcmp(kv, "source") ? &src
                            : !strcmp(kv, "env") ? &env
                            : !strcmp(kv, "type") ? &type : NULL;
                if (!slot)
                        return sl_err(err, EINVAL, "--secret %s: unknown key \"%s\": expected id, src, env or type", spec, kv);
                free(*slot);
                *slot = sl_xstrdup(eq);
        }
        if (!id || !*id)
                return sl_err(err, EINVAL, "--secret %s: id= is required", spec);
        if (type && strcmp(type, "file") && strcmp(type, "env"))
                return sl_err(err, EINVAL, "--secret %s: type=%s: expected file or env", spec, type);
        if (src && env)
                return sl_err(err, EINVAL, "--secret %s: give src= or env=, not both", spec);
        if (!src && !env) {
                if ((type && !strcmp(type, "env")) || (!type && getenv(id)))
                        env = sl_xstrdup(id);
                else
                        src = sl_xstrdup(id);
        }
        sl_secret x = {.id = SL_STEAL(id)};
        if (env) {
                const char *v = getenv(env);
                if (!v) {
                        wipe(&x);
                        return sl_err(err, ENOENT, "--secret %s: environment variable %s is not set", spec, env);
                }
                x.data = sl_xstrdup(v);
                x.len = strlen(v);
        } else if (sl_read_file(src, &x.data, &x.len, err) < 0) {
                wipe(&x);
                return sl_err_wrap(err, "--secret %s", spec);
        }
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->v[i].id, x.id)) {
                        wipe(&s->v[i]);
                        s->v[i] = x;
                        return 0;
                }
        s->v = sl_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
        s->v[s->n++] = x;
        return 0;
}

const sl_secret *sl_secrets_find(const sl_secrets *s, const char *id)
{
        for (size_t i = 0; s && i < s->n; i++)
                if (!strcmp(s->v[i].id, id))
                        return &s->v[i];
        return NULL;
}

void sl_secrets_free(sl_secrets *s)
{
        for (size_t i = 0; i < s->n; i++)
                wipe(&s->v[i]);
        free(s->v);
        *s = (sl_secrets){0};
}
