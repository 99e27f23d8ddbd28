#include <stdlib.h>
#include <string.h>

#include "builder/exec/imgcfg.h"
#include "builder/output/layout.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

oci_image *sl_img_clone(const oci_image *in, sl_error *err)
{
        _cleanup_free_ char *json = NULL;
        size_t len;
        if (oci_image_generate(in, 0, &json, &len, err) < 0)
                return NULL;
        return oci_image_parse_data(json, len, "image config", err);
}

oci_image *sl_img_scratch(const char *created)
{
        oci_image *img = sl_xcalloc(1, sizeof(*img));
        img->created = sl_xstrdup(created);
        img->architecture = sl_xstrdup(sl_host_arch());
        img->os = sl_xstrdup("linux");
        img->rootfs = sl_xcalloc(1, sizeof(*img->rootfs));
        img->rootfs->type = sl_xstrdup("layers");
        img->rootfs->has_diff_ids = true;
        return img;
}

oci_image_config *sl_img_config(oci_image *img)
{
        if (!img->config)
                img->config = sl_xcalloc(1, sizeof(*img->config));
        return img->config;
}

void sl_strmap_set(oci_string_map **mp, const char *key, const char *value)
{
        if (!*mp)
                *mp = sl_xcalloc(1, sizeof(**mp));
        oci_string_map *m = *mp;
        for (size_t i = 0; i < m->len; i++) {
                if (!strcmp(m->keys[i], key)) {
                        free(m->values[i]);
                        m->values[i] = value ? sl_xstrdup(value) : NULL;
                        return;
                }
        }
        m->keys = sl_xrealloc(m->keys, (m->len + 1) * sizeof(char *));
        m->values = sl_xrealloc(m->values, (m->len + 1) * sizeof(char *));
        m->keys[m->len] = sl_xstrdup(key);
        m->values[m->len] = value ? sl_xstrdup(value) : NULL;
        m->len++;
}

void sl_img_set_strv(char ***dst, size_t *len, bool *has, char *const *v)
{
        for (size_t i = 0; i < *len; i++)
                free((*dst)[i]);
        free(*dst);
        *dst = NULL;
        *len = 0;
        *has = v != NULL;
        if (!v)
                return;
        *len = sl_strv_len(v);
        *dst = sl_xcalloc(*len + 1, sizeof(char *));
        for (size_t i = 0; i < *len; i++)
                (*dst)[i] = sl_xstrdup(v[i]);
}

void sl_img_env_set(oci_image *img, const char *name, const char *value)
{
        oci_image_config *c = sl_img_config(img);
        size_t nl = strlen(name);
        char *kv = sl_xasprintf("%s=%s", name, value);
        for (size_t i = 0; i < c->env_len; i++) {
                if (!strncmp(c->env[i], name, nl) && c->env[i][nl] == '=') {
                        free(c->env[i]);
                        c->env[i] = kv;
                        return;
                }
        }
        c->env = sl_xrealloc(c->env, (c->env_len + 2) * sizeof(char *));
        c->env[c->env_len++] = kv;
        c->env[c->env_len] = NULL;
        c->has_env = true;
}

void sl_img_add_history(oci_image *img, const char *created, const char *created_by, bool empty_layer)
{
        img->history = sl_xrealloc(img->history, (img->history_len + 1) * sizeof(*img->history));
        oci_history *h = &img->history[img->history_len++];
        memset(h, 0, sizeof(*h));
        h->created = sl_xstrdup(created);
        h->created_by = sl_xstrdup(created_by);
        h->empty_layer = empty_layer;
        h->has_empty_layer = empty_layer;
        img->has_history = true;
}

void sl_img_add_diff_id(oci_image *img, const char *diff_id)
{
        oci_rootfs *r = img->rootfs;
        r->diff_ids = sl_xrealloc(r->diff_ids, (r->diff_ids_len + 2) * sizeof(char *));
        r->diff_ids[r->diff_ids_len++] = sl_xstrdup(diff_id);
        r->diff_ids[r->diff_ids_len] = NULL;
        r->has_diff_ids = true;
}

void sl_img_set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = v ? sl_xstrdup(v) : NULL;
}
