/* The text layer of a Dockerfile: parser directives, comments, line
 * continuations and heredoc bodies are resolved here into logical lines,
 * each remembering where its bytes came from for line:column errors. */
#ifndef SLOIKA_BUILDER_DF_LEXER_H
#define SLOIKA_BUILDER_DF_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Maps the logical-line byte offset `off` onward to a source position. */
typedef struct sl_df_seg {
        size_t off;
        int line, column;
} sl_df_seg;

typedef struct sl_df_heredoc {
        char *name;       /* the delimiter word, quotes removed */
        char *content;    /* body lines, each ending in "\n" (tabs stripped for <<-) */
        bool expand;      /* false when the delimiter was quoted */
        bool chomp;       /* <<- */
        int fd;           /* the N of N<<EOF; -1 when absent */
        int line, column; /* of the <<WORD token */
} sl_df_heredoc;

typedef struct sl_df_line {
        char *text;            /* continuations joined, escape chars removed */
        sl_df_seg *segs;
        size_t n_segs;
        int start_line, end_line; /* end_line covers heredoc bodies */
        int empty_continuation;   /* line of an empty continuation line, 0 if none */
        sl_df_heredoc *heredocs;
        size_t n_heredocs;
} sl_df_line;

typedef struct sl_df_directives {
        char *syntax;          /* NULL when absent */
        char escape;           /* '\\' or '`' */
        char *check;           /* raw value of "# check=", NULL when absent */
        int syntax_line, escape_line, check_line;
} sl_df_directives;

/* name is used in messages ("Dockerfile:7:14: ..."). */
int sl_df_lex(const char *data, size_t len, const char *name, sl_df_directives *dirs,
              sl_df_line **lines, size_t *n_lines, sl_error *err);

void sl_df_pos(const sl_df_line *l, size_t off, int *line, int *column);
void sl_df_heredocs_free(sl_df_heredoc *h, size_t n);
void sl_df_lines_free(sl_df_line *lines, size_t n);
void sl_df_directives_free(sl_df_directives *d);

/* True when the keyword (any case) may carry heredocs: RUN, COPY, ADD. */
bool sl_df_keyword_takes_heredocs(const char *kw, size_t len);

#endif
