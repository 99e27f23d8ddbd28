/* Table-driven JSON parsing, writing and freeing for ocigen's types. */
#include "oci-specs/ocispec-support.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"

/* yajl_tree_free recurses, so deeper documents are refused up front. */
#define OCISPEC_MAX_DEPTH 512

/* Every generated map type has this layout ({char **keys; T *values;
 * size_t len;}); the code here only sees it through this shape. */
typedef struct ocispec_map {
        char **keys;
        void *values;
        size_t len;
} ocispec_map;

typedef struct ctx {
        sl_error *err;
        const char *source;
        char path[1024];
        size_t plen;
} ctx;

static void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (p == NULL)
                abort();
        return p;
}

static char *xstrdup(const char *s)
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

static size_t path_push_key(ctx *c, const char *key)
{
        size_t saved = c->plen;
        int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "%s%s",
                         c->plen ? "." : "", key);
        if (n > 0)
                c->plen = strnlen(c->path, sizeof c->path - 1);
        return saved;
}

/* Map keys may contain dots (annotations), so they are quoted. */
static size_t path_push_map_key(ctx *c, const char *key)
{
        size_t saved = c->plen;
        int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "[\"%s\"]", key);
        if (n > 0)
                c->plen = strnlen(c->path, sizeof c->path - 1);
        return saved;
}

static size_t path_push_index(ctx *c, size_t i)
{
        size_t saved = c->plen;
        int n = snprintf(c->path + c->plen, sizeof c->path - c->plen, "[%zu]", i);
        if (n > 0)
                c->plen = strnlen(c->path, sizeof c->path - 1);
        return saved;
}

static void path_pop(ctx *c, size_t saved)
{
        c->plen = saved;
        c->path[saved] = '\0';
}

static int fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ctx *c, const char *fmt, ...)
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

/* ---- member access by offset ---- */

static void *at(const void *base, size_t off)
{
        return (char *)base + off;
}

static void *get_ptr(const void *base, size_t off)
{
        void *p;
        memcpy(&p, at(base, off), sizeof p);
        return p;
}

static void set_ptr(void *base, size_t off, void *p)
{
        memcpy(at(base, off), &p, sizeof p);
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

static size_t elem_size(const ocispec_field *f)
{
        return f->kind == OCISPEC_OBJECT ? f->type->size : scalar_size(f->kind);
}

/* ---- parsing ---- */

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

static int parse_object_into(ctx *c, const ocispec_type *t, yajl_val v, void *dst);

static bool is_negative_zero(const char *raw)
{
        for (const char *p = raw + 1; *p; p++)
                if (*p != '0')
                        return false;
        return true;
}

/* The raw number text is used so uint64 values above INT64_MAX survive. */
static int parse_integer(ctx *c, unsigned kind, yajl_val v, void *slot)
{
        if (v->type != yajl_t_number)
                return fail(c, "expected integer, got %s", json_type_name(v));
        const char *raw = v->u.number.r;
        if (raw == NULL || strpbrk(raw, ".eE") != NULL)
                return fail(c, "expected integer, got number %s", raw ? raw : "");
        errno = 0;
        if (kind >= OCISPEC_UINT8 && kind <= OCISPEC_UINT64) {
                if (raw[0] == '-' && !is_negative_zero(raw))
                        return fail(c, "negative value %s not allowed for %s", raw, kind_name(kind));
                unsigned long long u = raw[0] == '-' ? 0 : strtoull(raw, NULL, 10);
                uint64_t max = kind == OCISPEC_UINT8 ? UINT8_MAX : kind == OCISPEC_UINT16 ? UINT16_MAX
                             : kind == OCISPEC_UINT32 ? UINT32_MAX : UINT64_MAX;
                if (errno == ERANGE || u > max)
                        return fail(c, "value %s out of range for %s", raw, kind_name(kind));
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
                return fail(c, "value %s out of range for %s", raw, kind_name(kind));
        switch (kind) {
        case OCISPEC_INT8: *(int8_t *)slot = (int8_t)s; break;
        case OCISPEC_INT16: *(int16_t *)slot = (int16_t)s; break;
        case OCISPEC_INT32: *(int32_t *)slot = (int32_t)s; break;
        default: *(int64_t *)slot = (int64_t)s; break;
        }
        return 0;
}

static int parse_string_map(ctx *c, unsigned kind, yajl_val v, oci_string_map **out)
{
        if (v->type != yajl_t_object)
                return fail(c, "expected object, got %s", json_type_name(v));
        size_t n = v->u.object.len;
        oci_string_map *m = xcalloc(1, sizeof *m);
        *out = m;
        m->keys = xcalloc(n, sizeof *m->keys);
        m->values = xcalloc(n, sizeof *m->values);
        for (size_t i = 0; i < n; i++) {
                const char *key = v->u.object.keys[i];
                yajl_val val = v->u.object.values[i];
                size_t saved = path_push_map_key(c, key);
                if (kind == OCISPEC_SET ? val->type != yajl_t_object : val->type != yajl_t_string)
                        return fail(c, "expected %s, got %s", kind == OCISPEC_SET ? "object" : "string",
                                    json_type_name(val));
                path_pop(c, saved);
                char *value = kind == OCISPEC_SET ? NULL : xstrdup(val->u.string);
                /* A repeated key keeps its last value, as JSON readers usually do. */
                size_t j = 0;
                while (j < m->len && strcmp(m->keys[j], key) != 0)
                        j++;
                if (j < m->len) {
                        free(m->values[j]);
                        m->values[j] = value;
                        continue;
                }
                m->keys[m->len] = xstrdup(key);
                m->values[m->len++] = value;
        }
        return 0;
}

static int parse_object_map(ctx *c, const ocispec_type *t, yajl_val v, ocispec_map **out)
{
        if (v->type != yajl_t_object)
                return fail(c, "expected object, got %s", json_type_name(v));
        size_t n = v->u.object.len;
        ocispec_map *m = xcalloc(1, sizeof *m);
        *out = m;
        m->keys = xcalloc(n, sizeof *m->keys);
        m->values = xcalloc(n, t->size);
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
                        m->keys[m->len++] = xstrdup(key);
                }
                size_t saved = path_push_map_key(c, key);
                if (parse_object_into(c, t, v->u.object.values[i], slot) < 0)
                        return -1;
                path_pop(c, saved);
        }
        return 0;
}

/* Parses one value of kind into slot: the scalar itself, the char *, the
 * map pointer, or for objects either the pointer (inline == false) or the
 * struct itself (array elements, inline == true). */
static int parse_value(ctx *c, const ocispec_field *f, yajl_val v, void *slot, bool inline_obj)
{
        switch (f->kind) {
        case OCISPEC_STRING:
                if (v->type != yajl_t_string)
                        return fail(c, "expected string, got %s", json_type_name(v));
                *(char **)slot = xstrdup(v->u.string);
                return 0;
        case OCISPEC_BOOL:
                if (v->type != yajl_t_true && v->type != yajl_t_false)
                        return fail(c, "expected boolean, got %s", json_type_name(v));
                *(bool *)slot = v->type == yajl_t_true;
                return 0;
        case OCISPEC_OBJECT:
                if (inline_obj)
                        return parse_object_into(c, f->type, v, slot);
                if (v->type != yajl_t_object)
                        return fail(c, "expected object, got %s", json_type_name(v));
                void *obj = xcalloc(1, f->type->size);
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

static int parse_field(ctx *c, const ocispec_field *f, yajl_val v, void *dst)
{
        if (!(f->flags & OCISPEC_ARRAY)) {
                int r = parse_value(c, f, v, at(dst, f->off), false);
                if (r == 0 && f->has_off != OCISPEC_NO_HAS)
                        *(bool *)at(dst, f->has_off) = true;
                return r;
        }
        if (v->type != yajl_t_array)
                return fail(c, "expected array, got %s", json_type_name(v));
        size_t n = v->u.array.len, esz = elem_size(f);
        void *elems = xcalloc(n, esz);
        /* Stored before the elements are parsed so a failure frees them. */
        set_ptr(dst, f->off, elems);
        *(size_t *)at(dst, f->len_off) = n;
        *(bool *)at(dst, f->has_off) = true;
        for (size_t i = 0; i < n; i++) {
                size_t saved = path_push_index(c, i);
                if (parse_value(c, f, v->u.array.values[i], at(elems, i * esz), true) < 0)
                        return -1;
                path_pop(c, saved);
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
static int parse_object_into(ctx *c, const ocispec_type *t, yajl_val v, void *dst)
{
        if (v->type != yajl_t_object)
                return fail(c, "expected object, got %s", json_type_name(v));
        for (size_t i = 0; i < t->nfields; i++) {
                const ocispec_field *f = &t->fields[i];
                yajl_val fv = find_key(v, f->key);
                size_t saved = path_push_key(c, f->key);
                if (fv == NULL || fv->type == yajl_t_null) {
                        if (f->flags & OCISPEC_REQUIRED)
                                return fail(c, "missing required field");
                } else if (parse_field(c, f, fv, dst) < 0) {
                        return -1;
                }
                path_pop(c, saved);
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
        ctx c = { .err = err, .source = source_name ? source_name : "input" };
        if (data == NULL)
                data = "", len = 0;
        const char *bad = precheck(data, len);
        if (bad != NULL) {
                fail(&c, "invalid JSON: %s", bad);
                return NULL;
        }
        _cleanup_free_ char *text = xcalloc(len + 1, 1);
        memcpy(text, data, len);
        char ybuf[256] = "";
        yajl_val tree = yajl_tree_parse(text, ybuf, sizeof ybuf);
        if (tree == NULL) {
                /* yajl's first line is the reason; the rest is a caret picture. */
                ybuf[strcspn(ybuf, "\n")] = '\0';
                fail(&c, "invalid JSON: %s", ybuf[0] ? ybuf : "parse error");
                return NULL;
        }
        void *obj = xcalloc(1, t->size);
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
        _cleanup_free_ char *buf = xcalloc(cap, 1);
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
                size_t n = *(size_t *)at(obj, f->len_off), esz = elem_size(f);
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

/* ---- generation ---- */

static int gen_fail(ctx *c, yajl_gen_status st)
{
        if (st == yajl_gen_invalid_string)
                return fail(c, "string is not valid UTF-8");
        return fail(c, "JSON generation failed (yajl status %d)", (int)st);
}

static int gen_string(ctx *c, yajl_gen g, const char *s)
{
        yajl_gen_status st = yajl_gen_string(g, (const unsigned char *)s, strlen(s));
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int gen_object(ctx *c, yajl_gen g, const ocispec_type *t, const void *obj);

static int gen_integer(ctx *c, yajl_gen g, unsigned kind, const void *slot)
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
        size_t *idx = xcalloc(n, sizeof *idx);
        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        qsort_r(idx, n, sizeof *idx, cmp_key_index, keys);
        return idx;
}

static int gen_map(ctx *c, yajl_gen g, const ocispec_field *f, const void *map)
{
        ocispec_map m;
        memcpy(&m, map, sizeof m);
        _cleanup_free_ size_t *idx = sorted_order(m.keys, m.len);
        yajl_gen_status st = yajl_gen_map_open(g);
        if (st != yajl_gen_status_ok)
                return gen_fail(c, st);
        for (size_t k = 0; k < m.len; k++) {
                size_t i = idx[k];
                size_t saved = path_push_map_key(c, m.keys[i]);
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
                path_pop(c, saved);
        }
        st = yajl_gen_map_close(g);
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int gen_value(ctx *c, yajl_gen g, const ocispec_field *f, const void *slot, bool inline_obj)
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

static int gen_field(ctx *c, yajl_gen g, const ocispec_field *f, const void *obj)
{
        if (!(f->flags & OCISPEC_ARRAY))
                return gen_value(c, g, f, at(obj, f->off), false);
        const void *elems = get_ptr(obj, f->off);
        size_t n = *(const size_t *)at(obj, f->len_off), esz = elem_size(f);
        yajl_gen_status st = yajl_gen_array_open(g);
        if (st != yajl_gen_status_ok)
                return gen_fail(c, st);
        for (size_t i = 0; elems && i < n; i++) {
                size_t saved = path_push_index(c, i);
                if (gen_value(c, g, f, at(elems, i * esz), true) < 0)
                        return -1;
                path_pop(c, saved);
        }
        st = yajl_gen_array_close(g);
        return st == yajl_gen_status_ok ? 0 : gen_fail(c, st);
}

static int gen_object(ctx *c, yajl_gen g, const ocispec_type *t, const void *obj)
{
        yajl_gen_status st = yajl_gen_map_open(g);
        if (st != yajl_gen_status_ok)
                return gen_fail(c, st);
        for (size_t i = 0; i < t->nfields; i++) {
                const ocispec_field *f = &t->fields[i];
                bool present = field_present(f, obj);
                size_t saved = path_push_key(c, f->key);
                /* What we write must be readable by us and other runtimes. */
                if (!present && (f->flags & OCISPEC_REQUIRED))
                        return fail(c, "missing required field");
                if (!present) {
                        path_pop(c, saved);
                        continue;
                }
                if (gen_string(c, g, f->key) < 0 || gen_field(c, g, f, obj) < 0)
                        return -1;
                path_pop(c, saved);
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
        ctx c = { .err = err, .source = t->name };
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
        char *copy = xcalloc(len + 1, 1);
        memcpy(copy, buf, len);
        *out = copy;
        if (out_len)
                *out_len = len;
        return 0;
}
