/* Shared helpers for the Dockerfile parser tests. */
#ifndef SLOIKA_TESTS_DF_TEST_H
#define SLOIKA_TESTS_DF_TEST_H

#include <stdlib.h>
#include <string.h>

#include "builder/dockerfile/dockerfile.h"
#include "tests/unit/tap.h"

/* Parses text; on failure reports the error as a diagnostic. */
static inline sl_dockerfile *parse_ok(const char *text)
{
        sl_dockerfile *df = NULL;
        sl_error err = {0};
        if (sl_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0) {
                diag("unexpected parse error: %s", err.msg);
                return NULL;
        }
        return df;
}

/* The message of the expected parse failure, or "(parsed)". */
static inline const char *parse_error(const char *text, sl_error *err)
{
        sl_dockerfile *df = NULL;
        if (sl_dockerfile_parse(text, strlen(text), "Dockerfile", &df, err) == 0) {
                sl_dockerfile_free(df);
                return "(parsed)";
        }
        return err->msg;
}

static inline const sl_df_instr *nth(const sl_dockerfile *df, size_t i)
{
        static const sl_df_instr none;
        return df && i < df->n_instrs ? &df->instrs[i] : &none;
}

#endif
