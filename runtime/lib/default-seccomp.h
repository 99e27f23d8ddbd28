/* The seccomp profile `sloika spec` writes: everything is allowed except
 * what a default container never needs and what, granted a capability by
 * mistake, would let it reach the host's kernel or escape its
 * namespaces. */
#ifndef SLOIKA_RUNTIME_DEFAULT_SECCOMP_H
#define SLOIKA_RUNTIME_DEFAULT_SECCOMP_H

/* The profile as a config.json member, `"seccomp":{...}` (malloc'd). */
char *sl_default_seccomp_json(void);

#endif
