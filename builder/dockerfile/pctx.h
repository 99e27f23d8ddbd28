/* Internal to the Dockerfile parser: the state of one logical line being
 * turned into an instruction, and errors positioned within it. */
#ifndef SLOIKA_BUILDER_DF_PCTX_H
#define SLOIKA_BUILDER_DF_PCTX_H

#include "builder/dockerfile/dockerfile.h"

typedef struct sl_df_pctx {
        const char *name;          /* file name for messages */
        const sl_df_line *line;
        char esc;
        sl_error *err;
} sl_df_pctx;

/* Sets "NAME:LINE:COL: message" for the byte at offset off of the line;
 * returns -1. */
int sl_df_perr(const sl_df_pctx *p, size_t off, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
