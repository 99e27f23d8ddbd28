/* Runtime support for the code ocigen generates: the generated .c files
 * only hold C types and field tables; parsing (ocispec-parse.c), writing
 * (ocispec-generate.c) and freeing (ocispec-support.c) are done once,
 * driven by those tables. */
#ifndef SLOIKA_OCI_SPECS_SUPPORT_H
#define SLOIKA_OCI_SPECS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Flags for *_generate: canonical output is compact with keys sorted. */
#define OCI_GEN_PRETTY 0x1u

/* string→string maps; a set (ExposedPorts, Volumes) has NULL values. */
typedef struct oci_string_map {
        char **keys;
        char **values;
        size_t len;
} oci_string_map;

/* Value for key, or NULL when absent (or when m is NULL). */
const char *oci_string_map_get(const oci_string_map *m, const char *key);

typedef enum ocispec_kind {
        OCISPEC_STRING,
        OCISPEC_BOOL,
        OCISPEC_INT8,
        OCISPEC_INT16,
        OCISPEC_INT32,
        OCISPEC_INT64,
        OCISPEC_UINT8,
        OCISPEC_UINT16,
        OCISPEC_UINT32,
        OCISPEC_UINT64,
        OCISPEC_OBJECT,      /* pointer to a generated struct */
        OCISPEC_STRING_MAP,  /* oci_string_map * */
        OCISPEC_SET,         /* oci_string_map * with NULL values, written as {} */
        OCISPEC_OBJECT_MAP,  /* map type {char **keys; T *values; size_t len;} * */
} ocispec_kind;

#define OCISPEC_REQUIRED 0x1u
/* has_off of members whose presence is a non-NULL pointer */
#define OCISPEC_NO_HAS ((size_t)-1)
#define OCISPEC_ARRAY    0x2u

struct ocispec_type;

typedef struct ocispec_field {
        const char *key;              /* JSON key */
        unsigned kind;                /* ocispec_kind (of the element for arrays) */
        unsigned flags;               /* OCISPEC_REQUIRED, OCISPEC_ARRAY */
        size_t off;                   /* the value, or the pointer to it */
        size_t has_off;               /* bool has_x: scalars and arrays */
        size_t len_off;               /* size_t x_len: arrays */
        const struct ocispec_type *type; /* struct of OBJECT / OBJECT_MAP values */
} ocispec_field;

/* Fields are kept in strcmp order of their keys, which is also the
 * canonical output order. */
typedef struct ocispec_type {
        const char *name;
        size_t size;
        const ocispec_field *fields;
        size_t nfields;
} ocispec_type;

void *ocispec_parse_file(const ocispec_type *t, const char *path, sl_error *err);
void *ocispec_parse_data(const ocispec_type *t, const char *data, size_t len,
                         const char *source_name, sl_error *err);
int ocispec_generate(const ocispec_type *t, const void *v, unsigned flags,
                     char **out, size_t *out_len, sl_error *err);
void ocispec_free(const ocispec_type *t, void *v);
/* Frees what obj points to, not obj itself (array elements, map values). */
void ocispec_free_members(const ocispec_type *t, void *obj);

/* The four public functions of a generated type NAME, whose field table
 * is NAME_type_. */
#define OCISPEC_DEFINE_API(NAME)                                               \
        NAME *NAME##_parse_file(const char *path, sl_error *err)              \
        {                                                                      \
                return ocispec_parse_file(&NAME##_type_, path, err);           \
        }                                                                      \
        NAME *NAME##_parse_data(const char *data, size_t len,                 \
                                const char *source_name, sl_error *err)        \
        {                                                                      \
                return ocispec_parse_data(&NAME##_type_, data, len,            \
                                          source_name, err);                   \
        }                                                                      \
        int NAME##_generate(const NAME *v, unsigned flags, char **out,         \
                            size_t *out_len, sl_error *err)                    \
        {                                                                      \
                return ocispec_generate(&NAME##_type_, v, flags, out, out_len, \
                                        err);                                  \
        }                                                                      \
        void NAME##_free(NAME *v) { ocispec_free(&NAME##_type_, v); }

#endif
