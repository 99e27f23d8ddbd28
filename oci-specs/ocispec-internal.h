/* Internals shared by the parse, generate and free halves of the
 * ocigen support code; not for use outside oci-specs/. */
#ifndef SLOIKA_OCI_SPECS_INTERNAL_H
#define SLOIKA_OCI_SPECS_INTERNAL_H

#include <string.h>

#include "oci-specs/ocispec-support.h"

/* Every generated map type has this layout ({char **keys; T *values;
 * size_t len;}); the support code only sees it through this shape. */
typedef struct ocispec_map {
        char **keys;
        void *values;
        size_t len;
} ocispec_map;

/* Where in the document we are, for messages "<source>: <path>: ...". */
typedef struct ocispec_ctx {
        sl_error *err;
        const char *source;
        char path[1024];
        size_t plen;
} ocispec_ctx;

/* Abort on OOM, like the rest of sloika. */
void *ocispec_xcalloc(size_t n, size_t size);
char *ocispec_xstrdup(const char *s);

/* Each push returns the length to hand back to ocispec_path_pop. Map keys
 * are quoted (["a.b"]) since annotation keys contain dots. */
size_t ocispec_path_push_key(ocispec_ctx *c, const char *key);
size_t ocispec_path_push_map_key(ocispec_ctx *c, const char *key);
size_t ocispec_path_push_index(ocispec_ctx *c, size_t i);
void ocispec_path_pop(ocispec_ctx *c, size_t saved);
/* Fills c->err with "<source>: <path>: <message>"; returns -1. */
int ocispec_fail(ocispec_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

size_t ocispec_elem_size(const ocispec_field *f);

/* Members are reached by offset; pointers are copied with memcpy since
 * their declared types differ from void *. */
static inline void *at(const void *base, size_t off)
{
        return (char *)base + off;
}

static inline void *get_ptr(const void *base, size_t off)
{
        void *p;
        memcpy(&p, at(base, off), sizeof p);
        return p;
}

static inline void set_ptr(void *base, size_t off, void *p)
{
        memcpy(at(base, off), &p, sizeof p);
}

#endif
