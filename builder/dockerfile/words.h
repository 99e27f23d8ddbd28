/* Tokenizing the argument text of one instruction, the way the Dockerfile
 * frontend does before any expansion. Offsets are byte offsets into the
 * text given, so callers can report line:column. */
#ifndef SLOIKA_BUILDER_DF_WORDS_H
#define SLOIKA_BUILDER_DF_WORDS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sl_df_word {
        char *text;
        size_t off;
} sl_df_word;

void sl_df_words_free(sl_df_word *w, size_t n);

/* Splits at unquoted whitespace keeping quotes and escapes as written
 * (ENV, LABEL, ARG and heredoc detection; quotes go at expansion). */
void sl_df_split_quoted(const char *s, char esc, sl_df_word **out, size_t *n);

/* Splits at any run of blanks, ignoring quotes (FROM, EXPOSE, COPY, VOLUME). */
void sl_df_split_blanks(const char *s, sl_df_word **out, size_t *n);

/* Parses s as a JSON array of strings (trailing blanks allowed). Returns
 * 1 with a NULL-terminated vector; 0 when s is not a JSON array (then it
 * is shell form, as Docker falls back); -1 for a JSON array holding
 * something other than strings, which Docker rejects. */
int sl_df_parse_json_strings(const char *s, char ***out);

/* Takes the leading "--flag[=value]" words of s (quotes and backslashes
 * in them are resolved; a lone "--" ends them). *rest_off is where the
 * remaining arguments start. */
void sl_df_extract_flags(const char *s, sl_df_word **out, size_t *n, size_t *rest_off);

bool sl_df_is_blank(char c);

#endif
