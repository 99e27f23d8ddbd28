/* Internal: one logical line (or an ONBUILD trigger within it) to a typed
 * instruction. */
#ifndef SLOIKA_BUILDER_DF_INSTR_H
#define SLOIKA_BUILDER_DF_INSTR_H

#include "builder/dockerfile/pctx.h"

/* Parses the instruction starting at byte base of p->line->text. in may
 * already carry the line's heredocs; on failure in is cleared. */
int sl_df_parse_instr(const sl_df_pctx *p, size_t base, sl_df_instr *in);
void sl_df_instr_clear(sl_df_instr *in);
void sl_df_command_clear(sl_df_command *c);

#endif
