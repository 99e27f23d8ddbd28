/* The OCI mounts[].options vocabulary (runc's), turned into what the
 * kernel wants: per-mount and superblock MS_* flags, propagation changes
 * applied in order, recursive mount_setattr(2) attributes, sloika extras
 * (tmpcopyup, idmap) and the leftover filesystem data string. */
#ifndef SLOIKA_RUNTIME_MOUNT_OPTIONS_H
#define SLOIKA_RUNTIME_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define SL_MOUNT_MAX_PROPAGATION 8

typedef struct sl_mount_opts {
        unsigned long set;      /* MS_* flags the options turn on */
        unsigned long clear;    /* MS_* flags the options explicitly turn off */
        unsigned long propagation[SL_MOUNT_MAX_PROPAGATION]; /* MS_SHARED|MS_REC ..., in order */
        size_t n_propagation;
        uint64_t rec_set;       /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
        uint64_t rec_clr;
        bool tmpcopyup;
        bool idmap;             /* idmap or ridmap given */
        bool idmap_recursive;   /* ridmap */
        char *data;             /* unknown options joined by ',', NULL if none */
} sl_mount_opts;

/* Parses options[0..n). Later options override earlier ones ("ro,rw" is rw).
 * Fails only on conflicting or excessive input; unknown words go to data. */
int sl_mount_opts_parse(char *const *options, size_t n, sl_mount_opts *out, sl_error *err);
void sl_mount_opts_free(sl_mount_opts *o);
/* Appends one word to the data string. */
void sl_mount_opts_add_data(sl_mount_opts *o, const char *word);

/* MOUNT_ATTR_* set/clear pair for the per-mount (non-recursive) flags of o:
 * ro, nosuid, nodev, noexec, atime family, nodiratime, nosymfollow. */
void sl_mount_opts_attr(const sl_mount_opts *o, uint64_t *attr_set, uint64_t *attr_clr);

/* True when the entry is a bind mount: "bind"/"rbind" in options or type "bind". */
bool sl_mount_opts_is_bind(const sl_mount_opts *o, const char *type);

/* Name of the propagation flag combination (for messages), e.g. "rshared". */
const char *sl_mount_propagation_name(unsigned long flags);
/* Parses "shared", "rslave", ...; returns 0 (and fills *flags) or -1. */
int sl_mount_propagation_parse(const char *name, unsigned long *flags);

#endif
