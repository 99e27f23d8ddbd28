/* Editing an image config (oci_image) in place while a stage is built:
 * every member set here is malloc'd, so oci_image_free releases it. */
#ifndef SLOIKA_BUILDER_EXEC_IMGCFG_H
#define SLOIKA_BUILDER_EXEC_IMGCFG_H

#include <stdbool.h>

#include "common/error.h"
#include "oci-specs/image-spec.h"

/* A deep copy (through the canonical JSON). */
oci_image *sl_img_clone(const oci_image *in, sl_error *err);
/* A config with no layers: what FROM scratch starts from. */
oci_image *sl_img_scratch(const char *created);

/* The "config" member, created when missing. */
oci_image_config *sl_img_config(oci_image *img);

/* Sets key (replacing an existing one, else appending) in a map. */
void sl_strmap_set(oci_string_map **m, const char *key, const char *value);
/* Replaces a string vector member with a copy of v (NULL: unset). */
void sl_img_set_strv(char ***dst, size_t *len, bool *has, char *const *v);
/* Sets NAME=VALUE in Env, keeping the position of an existing NAME. */
void sl_img_env_set(oci_image *img, const char *name, const char *value);
/* Appends a history entry. */
void sl_img_add_history(oci_image *img, const char *created, const char *created_by, bool empty_layer);
/* Appends a layer's diff_id to rootfs. */
void sl_img_add_diff_id(oci_image *img, const char *diff_id);
/* Replaces a string member. */
void sl_img_set_str(char **dst, const char *v);

#endif
