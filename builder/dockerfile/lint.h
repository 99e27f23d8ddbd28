/* Lint rules over a parsed Dockerfile, named as BuildKit's checks are so
 * "# check=skip=RULE" means the same here. */
#ifndef SLOIKA_BUILDER_DF_LINT_H
#define SLOIKA_BUILDER_DF_LINT_H

#include "builder/dockerfile/dockerfile.h"
#include "builder/ignore.h"

typedef struct sl_df_finding {
        const char *rule;   /* static, e.g. "JSONArgsRecommended" */
        int line;
        bool error;         /* an error regardless of check=error */
        char *message;
} sl_df_finding;

typedef struct sl_df_findings {
        sl_df_finding *v;
        size_t n;
} sl_df_findings;

/* Runs every rule not skipped by the check directive, in line order.
 * ignore (may be NULL) enables CopyIgnoredFile. UndefinedVar only looks at
 * stages whose FROM chain ends in scratch, where every variable is known. */
void sl_df_lint(const sl_dockerfile *df, const sl_ignore *ignore, sl_df_findings *out);
void sl_df_findings_free(sl_df_findings *f);
bool sl_df_rule_skipped(const sl_dockerfile *df, const char *rule);

#endif
