/* Internal to the instruction parser: what one instruction's parser gets,
 * helpers shared by them, and the per-family parsers. */
#ifndef SLOIKA_BUILDER_DF_INSTR_REQ_H
#define SLOIKA_BUILDER_DF_INSTR_REQ_H

#include "builder/dockerfile/flags.h"
#include "builder/dockerfile/instr.h"

typedef struct req {
        const sl_df_pctx *p;
        sl_df_instr *in;
        sl_df_flags flags;
        const char *args;      /* trimmed argument text (after flags) */
        size_t args_off;       /* its offset in the line */
        size_t kw_off;
} req;

/* "<KIND> requires at least one argument" at the keyword. */
int sl_df_req_need_args(const req *r);
/* "<KIND> --flag: <e>" at the flag. */
int sl_df_req_flag_err(const req *r, const sl_df_flag *f, const sl_error *e);
/* A copy of the flag's last value, or NULL. */
char *sl_df_req_flag_dup(const req *r, const char *name);
/* 1 with *v for a JSON array of strings, 0 for shell form, -1 (reported)
 * for a JSON array of other things. */
int sl_df_req_json_args(const req *r, char ***v);
/* The arguments as exec form (JSON) or shell form (one string). */
int sl_df_req_maybe_json(const req *r, sl_df_command *c);

/* instr-commands.c */
int sl_df_parse_from(req *r);
int sl_df_parse_run(req *r);
int sl_df_parse_cmd(req *r);      /* CMD, ENTRYPOINT */
int sl_df_parse_shell(req *r);
int sl_df_parse_healthcheck(req *r);
int sl_df_parse_onbuild(req *r);
/* instr-copy.c */
int sl_df_parse_copy(req *r);     /* COPY, ADD */
/* instr-values.c */
int sl_df_parse_kv(req *r);       /* ENV, LABEL */
int sl_df_parse_arg(req *r);
int sl_df_parse_expose(req *r);
int sl_df_parse_volume(req *r);
int sl_df_parse_string(req *r);   /* WORKDIR, USER, STOPSIGNAL, MAINTAINER */

#endif
