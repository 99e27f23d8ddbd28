/* exec's seccomp filter, compiled once per container: libseccomp takes
 * tens of milliseconds to build a Docker-sized profile, which every exec
 * (a healthcheck each few seconds) would pay again. The BPF is kept in
 * the state dir as exec-seccomp.bpf, valid while config.json is the same
 * file (device, inode, size, mtime) and libseccomp the same version. */
#ifndef SLOIKA_RUNTIME_EXEC_SECCOMP_H
#define SLOIKA_RUNTIME_EXEC_SECCOMP_H

#include <linux/filter.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

#define SL_EXEC_SECCOMP_CACHE "exec-seccomp.bpf"

typedef struct sl_exec_bpf {
        struct sock_fprog prog;
        unsigned flags;          /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
} sl_exec_bpf;

/* Fills *out from the cache, or builds the filter and caches it. Returns
 * 1 when *out is set, 0 when the filter cannot be cached (SCMP_ACT_NOTIFY
 * needs libseccomp's own load; an unwritable state dir), -1 on error
 * (the filter is invalid). Free with sl_exec_bpf_free. */
int sl_exec_seccomp_get(int state_dir, const char *config_path, const oci_linux_seccomp *sc,
                        sl_exec_bpf *out, sl_error *err);
void sl_exec_bpf_free(sl_exec_bpf *b);

#endif
