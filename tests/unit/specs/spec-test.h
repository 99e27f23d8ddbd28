/* Shared helpers for the oci-specs unit tests: fixture paths and an
 * order-insensitive JSON comparison (yajl trees), so a round trip can be
 * shown to keep every value. */
#ifndef SLOIKA_TESTS_SPEC_TEST_H
#define SLOIKA_TESTS_SPEC_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

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

#endif
