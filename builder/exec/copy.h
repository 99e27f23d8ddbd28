/* COPY and ADD: resolving sources into a list of entries (the plan), a
 * digest of what the plan would copy (for the build cache), and copying
 * the plan into an image root. Sources are read through the source
 * root's fd: a top-level source path may follow symlinks but stays inside
 * the root; inside copied directories symlinks are copied as symlinks. */
#ifndef SLOIKA_BUILDER_EXEC_COPY_H
#define SLOIKA_BUILDER_EXEC_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "builder/dockerfile/dockerfile.h"
#include "builder/dockerfile/chmod.h"
#include "builder/ignore.h"
#include "common/digest.h"
#include "common/error.h"

typedef enum { SL_COPY_FILE, SL_COPY_DIR, SL_COPY_LINK, SL_COPY_HEREDOC, SL_COPY_EXTRACT } sl_copy_kind;

typedef struct sl_copy_entry {
        sl_copy_kind kind;
        char *src;        /* relative to the source root ("" for heredocs) */
        char *dst;        /* absolute path in the image (for EXTRACT: the dir) */
        struct stat st;
        const char *content;  /* heredoc body */
} sl_copy_entry;

typedef struct sl_copy_plan {
        sl_copy_entry *e;
        size_t n;
} sl_copy_plan;

typedef struct sl_copy_src {
        int rootfd;              /* O_PATH dir fd: the context, or a stage's / image's root */
        const sl_ignore *ignore; /* .dockerignore for the context, else NULL */
        bool is_context;
} sl_copy_src;

/* Builds the plan of an expanded COPY/ADD instruction. workdir resolves a
 * relative destination; dstroot (O_PATH, may be -1) tells whether the
 * destination is an existing directory. */
int sl_copy_plan_make(const sl_copy_src *src, const sl_df_instr *in, const char *workdir, int dstroot,
                      sl_copy_plan *out, sl_error *err);
void sl_copy_plan_free(sl_copy_plan *p);

/* The digest of the plan: with content, of every file's bytes; without,
 * of their metadata (size, mtime, ctime, inode, mode) only. */
int sl_copy_plan_digest(const sl_copy_src *src, const sl_copy_plan *p, bool content,
                        char out[SL_DIGEST_STR_MAX], sl_error *err);

typedef struct sl_copy_opts {
        bool has_chown;
        uint32_t uid, gid;
        const sl_chmod *chmod;   /* NULL: keep the source's mode */
} sl_copy_opts;

/* Copies the plan into dstroot (O_PATH dir fd of the image root). Files
 * that are hardlinks of each other in the source stay hardlinked. */
int sl_copy_plan_apply(const sl_copy_src *src, const sl_copy_plan *p, int dstroot, const sl_copy_opts *o,
                       sl_error *err);

#endif
