/* Shared helpers for the oci-specs unit tests: fixture paths and an
 * order-insensitive JSON comparison (yajl trees), so a round trip can be
 * shown to keep every value. */
#ifndef SLOIKA_TESTS_SPEC_TEST_H
#define SLOIKA_TESTS_SPEC_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "oci-specs/ocispec-support.h"

#include "common/cleanup.h"
#include "tests/unit/tap.h"

static inline char *fixture_path(const char *name)
{
        const char *top = getenv("top_srcdir");
        char *p = NULL;
        if (asprintf(&p, "%s/tests/unit/specs/fixtures/%s", top ? top : ".", name) < 0)
                abort();
        return p;
}

static inline char *slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        if (f == NULL)
                return NULL;
        char *buf = NULL;
        size_t cap = 0, n = 0;
        for (;;) {
                if (n + 4096 + 1 > cap) {
                        cap = (n + 4096 + 1) * 2;
                        buf = realloc(buf, cap);
                        if (buf == NULL)
                                abort();
                }
                size_t r = fread(buf + n, 1, cap - n - 1, f);
                n += r;
                if (r == 0)
                        break;
        }
        fclose(f);
        buf[n] = '\0';
        if (len)
                *len = n;
        return buf;
}

/* Deep equality; object key order does not matter, numbers compare by
 * their text (so 2^64-1 is compared exactly). Reports the first
 * difference through diag. */
static inline bool json_tree_equal(yajl_val a, yajl_val b, const char *where)
{
        if (a->type != b->type) {
                diag("%s: type differs", where);
                return false;
        }
        char sub[512];
        switch (a->type) {
        case yajl_t_string:
                if (strcmp(a->u.string, b->u.string) != 0) {
                        diag("%s: \"%s\" != \"%s\"", where, a->u.string, b->u.string);
                        return false;
                }
                return true;
        case yajl_t_number:
                if (strcmp(a->u.number.r, b->u.number.r) != 0) {
                        diag("%s: %s != %s", where, a->u.number.r, b->u.number.r);
                        return false;
                }
                return true;
        case yajl_t_array:
                if (a->u.array.len != b->u.array.len) {
                        diag("%s: array length %zu != %zu", where, a->u.array.len, b->u.array.len);
                        return false;
                }
                for (size_t i = 0; i < a->u.array.len; i++) {
                        snprintf(sub, sizeof sub, "%s[%zu]", where, i);
                        if (!json_tree_equal(a->u.array.values[i], b->u.array.values[i], sub))
                                return false;
                }
                return true;
        case yajl_t_object:
                if (a->u.object.len != b->u.object.len) {
                        diag("%s: %zu keys != %zu keys", where, a->u.object.len, b->u.object.len);
                        return false;
                }
                for (size_t i = 0; i < a->u.object.len; i++) {
                        const char *k = a->u.object.keys[i];
                        yajl_val bv = NULL;
                        for (size_t j = 0; j < b->u.object.len; j++)
                                if (strcmp(b->u.object.keys[j], k) == 0)
                                        bv = b->u.object.values[j];
                        snprintf(sub, sizeof sub, "%s.%s", where, k);
                        if (bv == NULL) {
                                diag("%s: missing on one side", sub);
                                return false;
                        }
                        if (!json_tree_equal(a->u.object.values[i], bv, sub))
                                return false;
                }
                return true;
        default:
                return true;
        }
}

static inline bool json_equal_strings(const char *a, const char *b)
{
        char e1[256] = "", e2[256] = "";
        yajl_val ta = yajl_tree_parse(a, e1, sizeof e1);
        yajl_val tb = yajl_tree_parse(b, e2, sizeof e2);
        bool eq = ta && tb && json_tree_equal(ta, tb, "$");
        if (!ta || !tb)
                diag("unparsable JSON: %s%s", e1, e2);
        yajl_tree_free(ta);
        yajl_tree_free(tb);
        return eq;
}

/* Generated text (len bytes) against the fixture file at path. */
static inline bool json_equal_text(const char *text, size_t len, const char *path)
{
        _cleanup_free_ char *want = slurp(path, NULL);
        _cleanup_free_ char *got = strndup(text, len);
        return want && got && json_equal_strings(got, want);
}

/* An error message is exactly want. */
static inline void is_msg(const char *got, const char *want)
{
        if (!ok(strcmp(got, want) == 0, "message: %s", want))
                diag("got \"%s\"", got);
}

/* ---- canonical form: no whitespace outside strings, keys sorted ---- */

typedef struct canon_state {
        char *last[256]; /* last key seen at each object depth */
        int depth;
        bool sorted;
} canon_state;

static inline int canon_start_map(void *ctx)
{
        canon_state *s = ctx;
        if (s->depth + 1 >= 256)
                return 0;
        s->last[++s->depth] = NULL;
        return 1;
}

static inline int canon_key(void *ctx, const unsigned char *key, size_t len)
{
        canon_state *s = ctx;
        char *k = strndup((const char *)key, len);
        if (s->last[s->depth] && strcmp(s->last[s->depth], k) >= 0) {
                diag("key \"%s\" follows \"%s\"", k, s->last[s->depth]);
                s->sorted = false;
        }
        free(s->last[s->depth]);
        s->last[s->depth] = k;
        return 1;
}

static inline int canon_end_map(void *ctx)
{
        canon_state *s = ctx;
        free(s->last[s->depth]);
        s->last[s->depth--] = NULL;
        return 1;
}

static inline bool no_whitespace_outside_strings(const char *text, size_t len)
{
        bool in_str = false;
        for (size_t i = 0; i < len; i++) {
                char c = text[i];
                if (in_str) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_str = false;
                } else if (c == '"') {
                        in_str = true;
                } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                        diag("whitespace at offset %zu", i);
                        return false;
                }
        }
        return true;
}

static inline bool is_canonical(const char *text, size_t len)
{
        static const yajl_callbacks cb = {
                .yajl_start_map = canon_start_map,
                .yajl_map_key = canon_key,
                .yajl_end_map = canon_end_map,
        };
        canon_state s = { .sorted = true };
        yajl_handle h = yajl_alloc(&cb, NULL, &s);
        bool parsed = yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok &&
                      yajl_complete_parse(h) == yajl_status_ok;
        yajl_free(h);
        for (int i = 0; i < 256; i++)
                free(s.last[i]);
        return parsed && s.sorted && no_whitespace_outside_strings(text, len);
}

/* ---- coverage: a fixture that claims to use every field does ---- */

typedef struct cov_bucket {
        const ocispec_type *type;
        yajl_val objs[512];
        size_t n;
} cov_bucket;

static inline yajl_val obj_get(yajl_val obj, const char *key)
{
        for (size_t k = 0; k < obj->u.object.len; k++)
                if (strcmp(obj->u.object.keys[k], key) == 0)
                        return obj->u.object.values[k];
        return NULL;
}

/* Files every object of the document under the struct type it is read as. */
static inline void cov_collect(cov_bucket *b, size_t *nb, const ocispec_type *t, yajl_val obj)
{
        if (!YAJL_IS_OBJECT(obj))
                return;
        size_t i = 0;
        while (i < *nb && b[i].type != t)
                i++;
        if (i == *nb && *nb < 64)
                b[(*nb)++] = (cov_bucket){ .type = t };
        if (i < *nb && b[i].n < 512)
                b[i].objs[b[i].n++] = obj;
        for (size_t f = 0; f < t->nfields; f++) {
                const ocispec_field *fd = &t->fields[f];
                yajl_val v = obj_get(obj, fd->key);
                if (v == NULL || fd->type == NULL)
                        continue;
                if (fd->kind == OCISPEC_OBJECT_MAP && YAJL_IS_OBJECT(v))
                        for (size_t k = 0; k < v->u.object.len; k++)
                                cov_collect(b, nb, fd->type, v->u.object.values[k]);
                else if ((fd->flags & OCISPEC_ARRAY) && YAJL_IS_ARRAY(v))
                        for (size_t k = 0; k < v->u.array.len; k++)
                                cov_collect(b, nb, fd->type, v->u.array.values[k]);
                else
                        cov_collect(b, nb, fd->type, v);
        }
}

/* Counts fields (of t and every struct reachable from it) that no object
 * of that struct type in the fixture sets, and struct types that never
 * occur; each is reported through diag. */
static inline int fixture_missing_fields(const ocispec_type *t, const char *path)
{
        _cleanup_free_ char *text = slurp(path, NULL);
        char e[256];
        yajl_val root = text ? yajl_tree_parse(text, e, sizeof e) : NULL;
        if (root == NULL)
                return -1;
        static cov_bucket b[64];
        size_t nb = 0;
        cov_collect(b, &nb, t, root);
        int missing = 0;
        for (size_t i = 0; i < nb; i++)
                for (size_t f = 0; f < b[i].type->nfields; f++) {
                        const ocispec_field *fd = &b[i].type->fields[f];
                        bool seen = false;
                        for (size_t o = 0; o < b[i].n && !seen; o++)
                                seen = obj_get(b[i].objs[o], fd->key) != NULL;
                        if (!seen) {
                                diag("fixture never sets %s.%s", b[i].type->name, fd->key);
                                missing++;
                        }
                }
        yajl_tree_free(root);
        return missing;
}

/* parse → generate → parse → generate: the two outputs are the same bytes,
 * the first equals the fixture as JSON, and both forms are well formed. */
static inline void check_roundtrip(const ocispec_type *t, const char *fixture)
{
        sl_error err = { 0 };
        _cleanup_free_ char *path = fixture_path(fixture);
        _cleanup_free_ char *input = slurp(path, NULL);
        _cleanup_free_ char *gen1 = NULL, *gen2 = NULL, *pretty = NULL;
        size_t len1 = 0, len2 = 0, plen = 0;
        void *a = ocispec_parse_file(t, path, &err);
        if (!ok(a != NULL, "%s parses as %s", fixture, t->name)) {
                diag("%s", err.msg);
                return;
        }
        ok(ocispec_generate(t, a, 0, &gen1, &len1, &err) == 0, "%s generates", fixture);
        void *b = gen1 ? ocispec_parse_data(t, gen1, len1, "generated", &err) : NULL;
        ok(b != NULL, "%s: generated output parses again", fixture);
        if (b)
                ocispec_generate(t, b, 0, &gen2, &len2, &err);
        ok(gen1 && gen2 && len1 == len2 && memcmp(gen1, gen2, len1) == 0,
           "%s: parse→generate→parse→generate is byte-stable", fixture);
        ok(gen1 && input && json_equal_strings(gen1, input),
           "%s: output equals the input as JSON (nothing dropped or changed)", fixture);
        ok(gen1 && strlen(gen1) == len1 && is_canonical(gen1, len1),
           "%s: canonical output is compact with sorted keys", fixture);
        ok(ocispec_generate(t, a, OCI_GEN_PRETTY, &pretty, &plen, &err) == 0 &&
           strchr(pretty, '\n') && json_equal_strings(pretty, gen1),
           "%s: pretty output is indented and carries the same JSON", fixture);
        ocispec_free(t, a);
        ocispec_free(t, b);
}

#endif
