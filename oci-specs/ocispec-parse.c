/* Parsing JSON (yajl_tree) into generated types, driven by their tables. */
#include "oci-specs/ocispec-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"

/* yajl_tree_free recurses, so deeper documents are refused up front. */
#define OCISPEC_MAX_DEPTH 512

static const char *json_type_name(yajl_val v)
{
        if (v == NULL)
                return "nothing";
        switch (v->type) {
        case yajl_t_string: return "string";
        case yajl_t_number: return "number";
        case yajl_t_object: return "object";
        case yajl_t_array: return "array";
        case yajl_t_true: case yajl_t_false: return "boolean";
        case yajl_t_null: return "null";
        default: return "unknown";
        }
}

static const char *kind_name(unsigned kind)
{
        static const char *const names[] = {
                [OCISPEC_INT8] = "int8",     [OCISPEC_INT16] = "int16",
                [OCISPEC_INT32] = "int32",   [OCISPEC_INT64] = "int64",
                [OCISPEC_UINT8] = "uint8",   [OCISPEC_UINT16] = "uint16",
                [OCISPEC_UINT32] = "uint32", [OCISPEC_UINT64] = "uint64",
        };
        return kind < sizeof names / sizeof names[0] && names[kind] ? names[kind] : "?";
}

static int parse_object_into(ocispec_ctx *c, const ocispec_type *t, yajl_val v, void *dst);

static bool is_negative_zero(const char *raw)
{
        for (const char *p = raw + 1; *p; p++)
                if (*p != '0')
                        return false;
        return true;
}

/* The raw number text is used so uint64 values above INT64_MAX survive. */
static int parse_integer(ocispec_ctx *c, unsigned kind, yajl_val v, void *slot)
{
        if (v->type != yajl_t_number)
                return ocispec_fail(c, "expected integer, got %s", json_type_name(v));
        const char *raw = v->u.number.r;
        if (raw == NULL || strpbrk(raw, ".eE") != NULL)
                return ocispec_fail(c, "expected integer, got number %s", raw ? raw : "");
        errno = 0;
        if (kind >= OCISPEC_UINT8 && kind <= OCISPEC_UINT64) {
                if (raw[0] == '-' && !is_negative_zero(raw))
                        return ocispec_fail(c, "negative value %s not allowed for %s", raw, kind_name(kind));
                unsigned long long u = raw[0] == '-' ? 0 : strtoull(raw, NULL, 10);
                uint64_t max = kind == OCISPEC_UINT8 ? UINT8_MAX : kind == OCISPEC_UINT16 ? UINT16_MAX
                             : kind == OCISPEC_UINT32 ? UINT32_MAX : UINT64_MAX;
                if (errno == ERANGE || u > max)
                        return ocispec_fail(c, "value %s out of range for %s", raw, kind_name(kind));
                switch (kind) {
                case OCISPEC_UINT8: *(uint8_t *)slot = (uint8_t)u; break;
                case OCISPEC_UINT16: *(uint16_t *)slot = (uint16_t)u; break;
                case OCISPEC_UINT32: *(uint32_t *)slot = (uint32_t)u; break;
                default: *(uint64_t *)slot = (uint64_t)u; break;
                }
                return 0;
        }
        long long s = strtoll(raw, NULL, 10);
        int64_t lo = kind == OCISPEC_INT8 ? INT8_MIN : kind == OCISPEC_INT16 ? INT16_MIN
                   : kind == OCISPEC_INT32 ? INT32_MIN : INT64_MIN;
        int64_t hi = kind == OCISPEC_INT8 ? INT8_MAX : kind == OCISPEC_INT16 ? INT16_MAX
                   : kind == OCISPEC_INT32 ? INT32_MAX : INT64_MAX;
        if (errno == ERANGE || s < lo || s > hi)
                return ocispec_fail(c, "value %s out of range for %s", raw, kind_name(kind));
        switch (kind) {
        case OCISPEC_INT8: *(int8_t *)slot = (int8_t)s; break;
        case OCISPEC_INT16: *(int16_t *)slot = (int16_t)s; break;
        case OCISPEC_INT32: *(int32_t *)slot = (int32_t)s; break;
        default: *(int64_t *)slot = (int64_t)s; break;
        }
        return 0;
}

static int parse_string_map(ocispec_ctx *c, unsigned kind, yajl_val v, oci_string_map **out)
{
        if (v->type != yajl_t_object)
                return ocispec_fail(c, "expected object, got %s", json_type_name(v));
        size_t n = v->u.object.len;
        oci_string_map *m = ocispec_xcalloc(1, sizeof *m);
        *out = m;
        m->keys = ocispec_xcalloc(n, sizeof *m->keys);
        m->values = ocispec_xcalloc(n, sizeof *m->values);
        for (size_t i = 0; i < n; i++) {
                const char *key = v->u.object.keys[i];
                yajl_val val = v->u.object.values[i];
                size_t saved = ocispec_path_push_map_key(c, key);
                if (kind == OCISPEC_SET ? val->type != yajl_t_object : val->type != yajl_t_string)
                        return ocispec_fail(c, "expected %s, got %s", kind == OCISPEC_SET ? "object" : "string",
                                    json_type_name(val));
                ocispec_path_pop(c, saved);
                char *value = kind == OCISPEC_SET ? NULL : ocispec_xstrdup(val->u.string);
                /* A repeated key keeps its last value, as JSON readers usually do. */
                size_t j = 0;
                while (j < m->len && strcmp(m->keys[j], key) != 0)
                        j++;
                if (j < m->len) {
                        free(m->values[j]);
                        m->values[j] = value;
                        continue;
                }
                m->keys[m->len] = ocispec_xstrdup(key);
                m->values[m->len++] = value;
        }
        return 0;
}

static int parse_object_map(ocispec_ctx *c, const ocispec_type *t, yajl_val v, ocispec_map **out)
{
        if (v->type != yajl_t_object)
                return ocispec_fail(c, "expected object, got %s", json_type_name(v));
        size_t n = v->u.object.len;
        ocispec_map *m = ocispec_xcalloc(1, sizeof *m);
        *out = m;
        m->keys = ocispec_xcalloc(n, sizeof *m->keys);
        m->values = ocispec_xcalloc(n, t->size);
        for (size_t i = 0; i < n; i++) {
                const char *key = v->u.object.keys[i];
                size_t j = 0;
                while (j < m->len && strcmp(m->keys[j], key) != 0)
                        j++;
                void *slot = at(m->values, j * t->size);
                if (j < m->len) {
                        ocispec_free_members(t, slot);
                        memset(slot, 0, t->size);
                } else {
                        m->keys[m->len++] = ocispec_xstrdup(key);
                }
                size_t saved = ocispec_path_push_map_key(c, key);
                if (parse_object_into(c, t, v->u.object.values[i], slot) < 0)
                        return -1;
                ocispec_path_pop(c, saved);
        }
        return 0;
}

/* Parses one value of kind into slot: the scalar itself, the char *, the
 * map pointer, or for objects either the pointer (inline == false) or the
 * struct itself (array elements, inline == true). */
static int parse_value(ocispec_ctx *c, const ocispec_field *f, yajl_val v, void *slot, bool inline_obj)
{
        switch (f->kind) {
        case OCISPEC_STRING:
                if (v->type != yajl_t_string)
                        return ocispec_fail(c, "expected string, got %s", json_type_name(v));
                *(char **)slot = ocispec_xstrdup(v->u.string);
                return 0;
        case OCISPEC_BOOL:
                if (v->type != yajl_t_true && v->type != yajl_t_false)
                        return ocispec_fail(c, "expected boolean, got %s", json_type_name(v));
                *(bool *)slot = v->type == yajl_t_true;
                return 0;
        case OCISPEC_OBJECT:
                if (inline_obj)
                        return parse_object_into(c, f->type, v, slot);
                if (v->type != yajl_t_object)
                        return ocispec_fail(c, "expected object, got %s", json_type_name(v));
                void *obj = ocispec_xcalloc(1, f->type->size);
                memcpy(slot, &obj, sizeof obj);
                return parse_object_into(c, f->type, v, obj);
        case OCISPEC_STRING_MAP:
        case OCISPEC_SET: {
                oci_string_map *m = NULL;
                int r = parse_string_map(c, f->kind, v, &m);
                memcpy(slot, &m, sizeof m);
                return r;
        }
        case OCISPEC_OBJECT_MAP: {
                ocispec_map *m = NULL;
                int r = parse_object_map(c, f->type, v, &m);
                memcpy(slot, &m, sizeof m);
                return r;
        }
        default:
                return parse_integer(c, f->kind, v, slot);
        }
}

static int parse_field(ocispec_ctx *c, const ocispec_field *f, yajl_val v, void *dst)
{
        if (!(f->flags & OCISPEC_ARRAY)) {
                int r = parse_value(c, f, v, at(dst, f->off), false);
                if (r == 0 && f->has_off != OCISPEC_NO_HAS)
                        *(bool *)at(dst, f->has_off) = true;
                return r;
        }
        if (v->type != yajl_t_array)
                return ocispec_fail(c, "expected array, got %s", json_type_name(v));
        size_t n = v->u.array.len, esz = ocispec_elem_size(f);
        void *elems = ocispec_xcalloc(n, esz);
        /* Stored before the elements are parsed so a failure frees them. */
        set_ptr(dst, f->off, elems);
        *(size_t *)at(dst, f->len_off) = n;
        *(bool *)at(dst, f->has_off) = true;
        for (size_t i = 0; i < n; i++) {
                size_t saved = ocispec_path_push_index(c, i);
                if (parse_value(c, f, v->u.array.values[i], at(elems, i * esz), true) < 0)
                        return -1;
                ocispec_path_pop(c, saved);
        }
        return 0;
}

static yajl_val find_key(yajl_val obj, const char *key)
{
        yajl_val found = NULL;
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        found = obj->u.object.values[i];
        return found;
}

/* JSON null is treated like an absent key: Docker writes "Cmd": null. */
static int parse_object_into(ocispec_ctx *c, const ocispec_type *t, yajl_val v, void *dst)
{
        if (v->type != yajl_t_object)
                return ocispec_fail(c, "expected object, got %s", json_type_name(v));
        for (size_t i = 0; i < t->nfields; i++) {
                const ocispec_field *f = &t->fields[i];
                yajl_val fv = find_key(v, f->key);
                size_t saved = ocispec_path_push_key(c, f->key);
                if (fv == NULL || fv->type == yajl_t_null) {
                        if (f->flags & OCISPEC_REQUIRED)
                                return ocispec_fail(c, "missing required field");
                } else if (parse_field(c, f, fv, dst) < 0) {
                        return -1;
                }
                ocispec_path_pop(c, saved);
        }
        return 0;
}

/* Refuses what the parse tree cannot carry or free safely: NUL bytes
 * (raw or as \u0000, C strings would silently cut them) and nesting
 * deeper than yajl's recursive free can take. yajl_tree accepts comments,
 * so they are skipped like strings. */
static const char *precheck(const char *data, size_t len)
{
        size_t depth = 0;
        if (memchr(data, '\0', len) != NULL)
                return "NUL byte in input";
        for (size_t i = 0; i < len; i++) {
                char ch = data[i];
                if (ch == '"') {
                        for (i++; i < len && data[i] != '"'; i++) {
                                if (data[i] != '\\')
                                        continue;
                                if (len - i >= 6 && memcmp(data + i + 1, "u0000", 5) == 0)
                                        return "\\u0000 in a string";
                                i++;
                        }
                } else if (ch == '/' && i + 1 < len && data[i + 1] == '*') {
                        const char *end = memmem(data + i + 2, len - i - 2, "*/", 2);
                        i = end ? (size_t)(end - data) + 1 : len;
                } else if (ch == '/' && i + 1 < len && data[i + 1] == '/') {
                        const char *nl = memchr(data + i, '\n', len - i);
                        i = nl ? (size_t)(nl - data) : len;
                } else if (ch == '{' || ch == '[') {
                        if (++depth > OCISPEC_MAX_DEPTH)
                                return "nesting too deep";
                } else if ((ch == '}' || ch == ']') && depth > 0) {
                        depth--;
                }
        }
        return NULL;
}

void *ocispec_parse_data(const ocispec_type *t, const char *data, size_t len,
                         const char *source_name, sl_error *err)
{
        ocispec_ctx c = { .err = err, .source = source_name ? source_name : "input" };
        if (data == NULL)
                data = "", len = 0;
        const char *bad = precheck(data, len);
        if (bad != NULL) {
                ocispec_fail(&c, "invalid JSON: %s", bad);
                return NULL;
        }
        _cleanup_free_ char *text = ocispec_xcalloc(len + 1, 1);
        memcpy(text, data, len);
        char ybuf[256] = "";
        yajl_val tree = yajl_tree_parse(text, ybuf, sizeof ybuf);
        if (tree == NULL) {
                /* yajl's first line is the reason; the rest is a caret picture. */
                ybuf[strcspn(ybuf, "\n")] = '\0';
                ocispec_fail(&c, "invalid JSON: %s", ybuf[0] ? ybuf : "parse error");
                return NULL;
        }
        void *obj = ocispec_xcalloc(1, t->size);
        int r = parse_object_into(&c, t, tree, obj);
        yajl_tree_free(tree);
        if (r < 0) {
                ocispec_free(t, obj);
                return NULL;
        }
        return obj;
}

static int read_all(const char *path, char **out, size_t *out_len, sl_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "%s", path);
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = ocispec_xcalloc(cap, 1);
        for (;;) {
                if (len == cap) {
                        char *nb = realloc(buf, cap * 2);
                        if (nb == NULL)
                                abort();
                        buf = nb, cap *= 2;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return sl_err_sys(err, errno, "%s: read", path);
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        *out = SL_STEAL(buf);
        *out_len = len;
        return 0;
}

void *ocispec_parse_file(const ocispec_type *t, const char *path, sl_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (read_all(path, &data, &len, err) < 0)
                return NULL;
        return ocispec_parse_data(t, data, len, path, err);
}
