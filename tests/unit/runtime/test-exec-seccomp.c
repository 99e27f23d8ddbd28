/* exec's compiled seccomp filter cache in the state dir. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/lib/exec-seccomp.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/sl-exec-seccomp-XXXXXX";
static char config[256];

static oci_spec *write_config(const char *seccomp_json)
{
        static char buf[2048];
        sl_error err;
        FILE *f;

        snprintf(buf, sizeof(buf), "{\"ociVersion\":\"1.2.0\",\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]},"
                 "\"linux\":{\"seccomp\":%s}}", seccomp_json);
        f = fopen(config, "w");
        if (!f || fputs(buf, f) < 0 || fclose(f) != 0)
                return NULL;
        oci_spec *s = oci_spec_parse_data(buf, strlen(buf), "config.json", &err);
        if (!s)
                diag("%s", err.msg);
        return s;
}

static ino_t cache_ino(int dirfd)
{
        struct stat sb;
        return fstatat(dirfd, SL_EXEC_SECCOMP_CACHE, &sb, 0) == 0 ? sb.st_ino : 0;
}

int main(void)
{
        sl_exec_bpf a = { 0 }, b = { 0 };
        sl_error err;
        int dirfd;

        if (!mkdtemp(dir))
                return 1;
        snprintf(config, sizeof(config), "%s/config.json", dir);
        dirfd = open(dir, O_DIRECTORY | O_RDONLY);

        oci_spec *s = write_config("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                                   "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
        const oci_linux_seccomp *sc = s ? s->linux->seccomp : NULL;
        ok(sc && sl_exec_seccomp_get(dirfd, config, sc, &a, &err) == 1 && a.prog.len > 0,
           "a filter is compiled to BPF");
        ok(cache_ino(dirfd) != 0, "... and cached in the state dir");
        is_int(a.flags, 2, "SECCOMP_FILTER_FLAG_LOG becomes the kernel flag");
        ino_t first = cache_ino(dirfd);
        ok(sc && sl_exec_seccomp_get(dirfd, config, sc, &b, &err) == 1 && b.prog.len == a.prog.len &&
                   memcmp(a.prog.filter, b.prog.filter, a.prog.len * sizeof(*a.prog.filter)) == 0,
           "the next exec gets the same program");
        ok(cache_ino(dirfd) == first, "... read from the cache, not rewritten");
        sl_exec_bpf_free(&b);

        /* A config.json written again (new mtime) is a new key. */
        struct timespec later[2] = { { .tv_sec = time(NULL) + 10 }, { .tv_sec = time(NULL) + 10 } };
        utimensat(AT_FDCWD, config, later, 0);
        ok(sc && sl_exec_seccomp_get(dirfd, config, sc, &b, &err) == 1 && cache_ino(dirfd) != first,
           "a changed config.json rebuilds the cache");
        sl_exec_bpf_free(&b);

        int fd = openat(dirfd, SL_EXEC_SECCOMP_CACHE, O_WRONLY | O_TRUNC);
        ok(fd >= 0 && write(fd, "junk", 4) == 4, "the cache can be corrupted");
        close(fd);
        ok(sc && sl_exec_seccomp_get(dirfd, config, sc, &b, &err) == 1 && b.prog.len == a.prog.len,
           "a corrupt cache is rebuilt, not loaded");
        sl_exec_bpf_free(&b);
        sl_exec_bpf_free(&a);
        oci_spec_free(s);

        s = write_config("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\","
                         "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
        unlinkat(dirfd, SL_EXEC_SECCOMP_CACHE, 0);
        ok(s && sl_exec_seccomp_get(dirfd, config, s->linux->seccomp, &a, &err) == 0 && !a.prog.filter &&
                   cache_ino(dirfd) == 0,
           "a SCMP_ACT_NOTIFY filter is not cached (libseccomp's load makes the listener)");
        oci_spec_free(s);

        s = write_config("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                         "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_BOGUS\"}]}");
        ok(s && sl_exec_seccomp_get(dirfd, config, s->linux->seccomp, &a, &err) < 0 &&
                   strstr(err.msg, "linux.seccomp.syscalls[0].action"),
           "an invalid filter is an error naming the field");
        ok(cache_ino(dirfd) == 0, "... and caches nothing");
        oci_spec_free(s);

        unlinkat(dirfd, SL_EXEC_SECCOMP_CACHE, 0);
        unlink(config);
        close(dirfd);
        rmdir(dir);
        return tap_done();
}
