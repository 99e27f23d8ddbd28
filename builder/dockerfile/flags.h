/* Instruction flags ("--name=value"): which instruction takes which flag,
 * and checking the words extracted from a line against that. */
#ifndef SLOIKA_BUILDER_DF_FLAGS_H
#define SLOIKA_BUILDER_DF_FLAGS_H

#include "builder/dockerfile/pctx.h"
#include "builder/dockerfile/words.h"

typedef struct sl_df_flag {
        const char *name;   /* static, from the table */
        char *value;        /* bool flags: "true" or "false" */
        size_t off;         /* of the "--" in the logical line */
} sl_df_flag;

typedef struct sl_df_flags {
        sl_df_flag *v;
        size_t n;
} sl_df_flags;

/* Checks words (offsets relative to the line) for instruction kind. */
int sl_df_flags_parse(const sl_df_pctx *p, sl_df_kind kind, const sl_df_word *words, size_t n,
                      sl_df_flags *out);
void sl_df_flags_free(sl_df_flags *f);

/* The last value given for name, or NULL. */
const sl_df_flag *sl_df_flags_get(const sl_df_flags *f, const char *name);
bool sl_df_flags_bool(const sl_df_flags *f, const char *name);

#endif
