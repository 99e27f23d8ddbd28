/* Writing generated types as JSON (yajl_gen): canonical by default. */
#include "oci-specs/ocispec-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"

static int gen_fail(ocispec_ctx *c, yajl_gen_status st)
{
        if (st == yajl_gen_invalid_string)
                return ocispec_fail(c, "string is not valid UTF-8");
        return ocispec_fail(c, "JSON generation failed (yajl status %d)", (int)st);
}

static int gen_string(ocispec_ctx *c, yajl_gen g, const char *s)
{
        yajl_gen_status st = yajl_gen_string(g, (const unsigned char *)s, strlen(s));
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int gen_object(ocispec_ctx *c, yajl_gen g, const ocispec_type *t, const void *obj);

static int gen_integer(ocispec_ctx *c, yajl_gen g, unsigned kind, const void *slot)
{
        char buf[32];
        switch (kind) {
        case OCISPEC_INT8: snprintf(buf, sizeof buf, "%d", *(const int8_t *)slot); break;
        case OCISPEC_INT16: snprintf(buf, sizeof buf, "%d", *(const int16_t *)slot); break;
        case OCISPEC_INT32: snprintf(buf, sizeof buf, "%" PRId32, *(const int32_t *)slot); break;
        case OCISPEC_INT64: snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)slot); break;
        case OCISPEC_UINT8: snprintf(buf, sizeof buf, "%u", *(const uint8_t *)slot); break;
        case OCISPEC_UINT16: snprintf(buf, sizeof buf, "%u", *(const uint16_t *)slot); break;
        case OCISPEC_UINT32: snprintf(buf, sizeof buf, "%" PRIu32, *(const uint32_t *)slot); break;
        default: snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)slot); break;
        }
        yajl_gen_status st = yajl_gen_number(g, buf, strlen(buf));
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int cmp_key_index(const void *a, const void *b, void *keys)
{
        char *const *k = keys;
        return strcmp(k[*(const size_t *)a], k[*(const size_t *)b]);
}

/* Indices of keys in strcmp order; canonical output sorts maps. */
static size_t *sorted_order(char **keys, size_t n)
{
        size_t *idx = ocispec_xcalloc(n, sizeof *idx);
        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        qsort_r(idx, n, sizeof *idx, cmp_key_index, keys);
        return idx;
}

static int gen_map(ocispec_ctx *c, yajl_gen g, const ocispec_field *f, const void *map)
{
        ocispec_map m;
        memcpy(&m, map, sizeof m);
        _cleanup_free_ size_t *idx = sorted_order(m.keys, m.len);
        yajl_gen_status st = yajl_gen_map_open(g);
        if (st != yajl_gen_status_ok)
                return gen_fail(c, st);
        for (size_t k = 0; k < m.len; k++) {
                size_t i = idx[k];
                size_t saved = ocispec_path_push_map_key(c, m.keys[i]);
                if (gen_string(c, g, m.keys[i]) < 0)
                        return -1;
                int r;
                if (f->kind == OCISPEC_OBJECT_MAP) {
                        r = gen_object(c, g, f->type, at(m.values, i * f->type->size));
                } else if (f->kind == OCISPEC_SET) {
                        st = yajl_gen_map_open(g);
                        if (st == yajl_gen_status_ok)
                                st = yajl_gen_map_close(g);
                        r = st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
                } else {
                        const char *val = ((char **)m.values)[i];
                        r = gen_string(c, g, val ? val : "");
                }
                if (r < 0)
                        return -1;
                ocispec_path_pop(c, saved);
        }
        st = yajl_gen_map_close(g);
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int gen_value(ocispec_ctx *c, yajl_gen g, const ocispec_field *f, const void *slot, bool inline_obj)
{
        switch (f->kind) {
        case OCISPEC_STRING: {
                const char *s = get_ptr(slot, 0);
                return gen_string(c, g, s ? s : "");
        }
        case OCISPEC_BOOL: {
                yajl_gen_status st = yajl_gen_bool(g, *(const bool *)slot);
                return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
        }
        case OCISPEC_OBJECT:
                return gen_object(c, g, f->type, inline_obj ? slot : get_ptr(slot, 0));
        case OCISPEC_STRING_MAP:
        case OCISPEC_SET:
        case OCISPEC_OBJECT_MAP:
                return gen_map(c, g, f, get_ptr(slot, 0));
        default:
                return gen_integer(c, g, f->kind, slot);
        }
}

static bool field_present(const ocispec_field *f, const void *obj)
{
        if ((f->flags & OCISPEC_ARRAY) || f->has_off != OCISPEC_NO_HAS)
                return *(const bool *)at(obj, f->has_off);
        return get_ptr(obj, f->off) != NULL;
}

static int gen_field(ocispec_ctx *c, yajl_gen g, const ocispec_field *f, const void *obj)
{
        if (!(f->flags & OCISPEC_ARRAY))
                return gen_value(c, g, f, at(obj, f->off), false);
        const void *elems = get_ptr(obj, f->off);
        size_t n = *(const size_t *)at(obj, f->len_off), esz = ocispec_elem_size(f);
        yajl_gen_status st = yajl_gen_array_open(g);
        if (st != yajl_gen_status_ok)
                return gen_fail(c, st);
        for (size_t i = 0; elems && i < n; i++) {
                size_t saved = ocispec_path_push_index(c, i);
                if (gen_value(c, g, f, at(elems, i * esz), true) < 0)
                        return -1;
                ocispec_path_pop(c, saved);
        }
        st = yajl_gen_array_close(g);
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int gen_object(ocispec_ctx *c, yajl_gen g, const ocispec_type *t, const void *obj)
{
        yajl_gen_status st = yajl_gen_map_open(g);
        if (st != yajl_gen_status_ok)
                return gen_fail(c, st);
        for (size_t i = 0; i < t->nfields; i++) {
                const ocispec_field *f = &t->fields[i];
                bool present = field_present(f, obj);
                size_t saved = ocispec_path_push_key(c, f->key);
                /* What we write must be readable by us and other runtimes. */
                if (!present && (f->flags & OCISPEC_REQUIRED))
                        return ocispec_fail(c, "missing required field");
                if (!present) {
                        ocispec_path_pop(c, saved);
                        continue;
                }
                if (gen_string(c, g, f->key) < 0 || gen_field(c, g, f, obj) < 0)
                        return -1;
                ocispec_path_pop(c, saved);
        }
        st = yajl_gen_map_close(g);
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static void yajl_gen_freep(yajl_gen *g)
{
        if (*g)
                yajl_gen_free(*g);
}

int ocispec_generate(const ocispec_type *t, const void *v, unsigned flags,
                     char **out, size_t *out_len, sl_error *err)
{
        ocispec_ctx c = { .err = err, .source = t->name };
        if (v == NULL)
                return sl_err(err, EINVAL, "%s: nothing to generate", t->name);
        __attribute__((cleanup(yajl_gen_freep))) yajl_gen g = yajl_gen_alloc(NULL);
        if (g == NULL)
                abort();
        yajl_gen_config(g, yajl_gen_validate_utf8, 1);
        if (flags & OCI_GEN_PRETTY) {
                yajl_gen_config(g, yajl_gen_beautify, 1);
                yajl_gen_config(g, yajl_gen_indent_string, "\t");
        }
        if (gen_object(&c, g, t, v) < 0)
                return -1;
        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        char *copy = ocispec_xcalloc(len + 1, 1);
        memcpy(copy, buf, len);
        *out = copy;
        if (out_len)
                *out_len = len;
        return 0;
}
