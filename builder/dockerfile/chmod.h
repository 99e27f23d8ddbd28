/* COPY/ADD --chmod: an octal mode, or a symbolic one as chmod(1) and
 * newer BuildKit take it ("u=rwx,g=rx,o=", "+x", "a-w,g+X"), which is
 * applied to each copied file's own mode. Without a who, a clause means
 * a (the umask plays no part, as in BuildKit). */
#ifndef SLOIKA_BUILDER_DF_CHMOD_H
#define SLOIKA_BUILDER_DF_CHMOD_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

typedef struct sl_chmod {
        bool symbolic;
        mode_t mode;          /* octal form */
        char *spec;           /* symbolic form, as written */
} sl_chmod;

/* Parses and checks s; errors name the flag value and what was expected. */
int sl_chmod_parse(const char *s, sl_chmod *out, sl_error *err);
/* The mode a file with mode old (permission bits) gets. */
mode_t sl_chmod_apply(const sl_chmod *c, mode_t old, bool is_dir);
void sl_chmod_free(sl_chmod *c);

#endif
