#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runtime/lib/exec-seccomp.h"
#include "runtime/lib/seccomp.h"

#define MAGIC "slbpf01"

/* What the cached program was built from. */
typedef struct cache_key {
        char magic[8];
        uint64_t dev, ino, size, mtime_sec, mtime_nsec;
        uint32_t lib_major, lib_minor, lib_micro, flags;
} cache_key;

static unsigned kernel_flags(const oci_linux_seccomp *sc)
{
        static const struct { const char *name; unsigned flag; } t[] = {
                { "SECCOMP_FILTER_FLAG_TSYNC", 1 }, { "SECCOMP_FILTER_FLAG_LOG", 2 },
                { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 }, { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32 },
        };
        unsigned f = 0;

        for (size_t i = 0; i < sc->flags_len; i++)
                for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++)
                        if (strcmp(sc->flags[i], t[k].name) == 0)
                                f |= t[k].flag;
        return f;
}

static int make_key(const char *config_path, const oci_linux_seccomp *sc, cache_key *k, sl_error *err)
{
        const struct scmp_version *v = seccomp_version();
        struct stat sb;

        if (stat(config_path, &sb) < 0)
                return sl_err_sys(err, errno, "%s", config_path);
        memset(k, 0, sizeof(*k));
        memcpy(k->magic, MAGIC, sizeof(k->magic));
        k->dev = sb.st_dev;
        k->ino = sb.st_ino;
        k->size = (uint64_t)sb.st_size;
        k->mtime_sec = (uint64_t)sb.st_mtim.tv_sec;
        k->mtime_nsec = (uint64_t)sb.st_mtim.tv_nsec;
        k->lib_major = v ? v->major : 0;
        k->lib_minor = v ? v->minor : 0;
        k->lib_micro = v ? v->micro : 0;
        k->flags = kernel_flags(sc);
        return 0;
}

/* 1 with *out set when the cache holds a program built from key. */
static int read_cache(int dirfd, const cache_key *key, sl_exec_bpf *out)
{
        _cleanup_close_ int fd = openat(dirfd, SL_EXEC_SECCOMP_CACHE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        sl_error ignored;

        if (fd < 0 || sl_read_fd_all(fd, &data, &len, &ignored) < 0)
                return 0;
        size_t body = len - sizeof(*key);
        if (len <= sizeof(*key) || memcmp(data, key, sizeof(*key)) != 0 ||
            body % sizeof(struct sock_filter) || body / sizeof(struct sock_filter) > 0xffff)
                return 0;
        out->prog.len = (unsigned short)(body / sizeof(struct sock_filter));
        out->prog.filter = sl_xmalloc(body);
        memcpy(out->prog.filter, data + sizeof(*key), body);
        out->flags = key->flags;
        return 1;
}

/* Builds into a temporary file renamed over the cache, so concurrent
 * execs never read half a program. */
static int write_cache(int dirfd, const cache_key *key, const oci_linux_seccomp *sc, sl_error *err)
{
        char tmp[64];
        _cleanup_close_ int fd = -1;

        snprintf(tmp, sizeof(tmp), "%s.%d", SL_EXEC_SECCOMP_CACHE, (int)getpid());
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return 0;
        if (sl_write_all(fd, key, sizeof(*key)) < 0 || sl_seccomp_export_bpf(sc, fd, err) < 0 ||
            renameat(dirfd, tmp, dirfd, SL_EXEC_SECCOMP_CACHE) < 0) {
                int failed_build = err->msg[0] != '\0';
                unlinkat(dirfd, tmp, 0);
                return failed_build ? -1 : 0;
        }
        return 1;
}

int sl_exec_seccomp_get(int state_dir, const char *config_path, const oci_linux_seccomp *sc,
                        sl_exec_bpf *out, sl_error *err)
{
        cache_key key;
        int r;

        memset(out, 0, sizeof(*out));
        if (sl_seccomp_spec_uses_notify(sc))
                return 0;
        if (make_key(config_path, sc, &key, err) < 0)
                return -1;
        if (read_cache(state_dir, &key, out))
                return 1;
        err->msg[0] = '\0';
        r = write_cache(state_dir, &key, sc, err);
        if (r <= 0)
                return r;
        if (!read_cache(state_dir, &key, out)) {
                sl_log_debug("exec: the seccomp cache was replaced while read; building the filter in the process");
                return 0;
        }
        return 1;
}

void sl_exec_bpf_free(sl_exec_bpf *b)
{
        free(b->prog.filter);
        b->prog.filter = NULL;
}
