/* ocigen support: allocation, JSON paths for messages, string maps and
 * freeing of generated types (all table-driven). */
#include "oci-specs/ocispec-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *ocispec_xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (p == NULL)
                abort();
        return p;
}

char *ocispec_xstrdup(const char *s)
{
        char *p = strdup(s);
        if (p == NULL)
                abort();
        return p;
}

const char *oci_string_map_get(const oci_string_map *m, const char *key)
{
        if (m == NULL || key == NULL)
                return NULL;
        for (size_t i = 0; i < m->len; i++)
                if (strcmp(m->keys[i], key) == 0)
                        return m->values[i];
        return NULL;
}

/* ---- JSON paths for error messages ---- */

size_t ocispec_path_push_key(ocispec_ctx *c, const char *key)
{
        size_t saved = c->plen;
        int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "%s%s",
                         c->plen ? "." : "", key);
        if (n > 0)
                c->plen = strnlen(c->path, sizeof c->path - 1);
        return saved;
}

/* Map keys may contain dots (annotations), so they are quoted. */
size_t ocispec_path_push_map_key(ocispec_ctx *c, const char *key)
{
        size_t saved = c->plen;
        int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "[\"%s\"]", key);
        if (n > 0)
                c->plen = strnlen(c->path, sizeof c->path - 1);
        return saved;
}

size_t ocispec_path_push_index(ocispec_ctx *c, size_t i)
{
        size_t saved = c->plen;
        int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "[%zu]", i);
        if (n > 0)
                c->plen = strnlen(c->path, sizeof c->path - 1);
        return saved;
}

void ocispec_path_pop(ocispec_ctx *c, size_t saved)
{
        c->plen = saved;
        c->path[saved] = '\0';
}

int ocispec_fail(ocispec_ctx *c, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (c->plen)
                return sl_err(c->err, EINVAL, "%s: %s: %s", c->source, c->path, msg);
        return sl_err(c->err, EINVAL, "%s: %s", c->source, msg);
}

static size_t scalar_size(unsigned kind)
{
        switch (kind) {
        case OCISPEC_BOOL: return sizeof(bool);
        case OCISPEC_INT8: case OCISPEC_UINT8: return 1;
        case OCISPEC_INT16: case OCISPEC_UINT16: return 2;
        case OCISPEC_INT32: case OCISPEC_UINT32: return 4;
        case OCISPEC_INT64: case OCISPEC_UINT64: return 8;
        default: return sizeof(void *);
        }
}

size_t ocispec_elem_size(const ocispec_field *f)
{
        return f->kind == OCISPEC_OBJECT ? f->type->size : scalar_size(f->kind);
}

/* ---- freeing ---- */

static void free_value(const ocispec_field *f, void *slot, bool inline_obj)
{
        switch (f->kind) {
        case OCISPEC_STRING:
                free(*(char **)slot);
                break;
        case OCISPEC_OBJECT:
                if (inline_obj)
                        ocispec_free_members(f->type, slot);
                else
                        ocispec_free(f->type, get_ptr(slot, 0));
                break;
        case OCISPEC_STRING_MAP:
        case OCISPEC_SET: {
                oci_string_map *m = get_ptr(slot, 0);
                if (m == NULL)
                        break;
                for (size_t i = 0; i < m->len; i++) {
                        free(m->keys[i]);
                        free(m->values[i]);
                }
                free(m->keys);
                free(m->values);
                free(m);
                break;
        }
        case OCISPEC_OBJECT_MAP: {
                ocispec_map *m = get_ptr(slot, 0);
                if (m == NULL)
                        break;
                for (size_t i = 0; i < m->len; i++) {
                        free(m->keys[i]);
                        ocispec_free_members(f->type, at(m->values, i * f->type->size));
                }
                free(m->keys);
                free(m->values);
                free(m);
                break;
        }
        default:
                break;
        }
}

void ocispec_free_members(const ocispec_type *t, void *obj)
{
        for (size_t i = 0; i < t->nfields; i++) {
                const ocispec_field *f = &t->fields[i];
                if (!(f->flags & OCISPEC_ARRAY)) {
                        free_value(f, at(obj, f->off), false);
                        continue;
                }
                void *elems = get_ptr(obj, f->off);
                size_t n = *(size_t *)at(obj, f->len_off), esz = ocispec_elem_size(f);
                /* elems is NULL only when the array is absent */
                for (size_t j = 0; elems && j < n; j++)
                        free_value(f, at(elems, j * esz), true);
                free(elems);
        }
}

void ocispec_free(const ocispec_type *t, void *obj)
{
        if (obj == NULL)
                return;
        ocispec_free_members(t, obj);
        free(obj);
}
