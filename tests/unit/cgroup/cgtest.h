/* Helpers shared by the cgroup tests: JSON → spec types, scratch
 * directories of plain files standing in for cgroup control files. */
#ifndef SLOIKA_TESTS_CGROUP_CGTEST_H
#define SLOIKA_TESTS_CGROUP_CGTEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "oci-specs/runtime-spec.h"

static inline oci_linux_resources *cgt_resources(const char *json)
{
        sl_error err = { 0 };
        oci_linux_resources *r = oci_linux_resources_parse_data(json, strlen(json), "test", &err);
        if (!r) {
                printf("# bad test JSON: %s\n", err.msg);
                exit(99);
        }
        return r;
}

static inline oci_spec *cgt_spec(const char *json)
{
        sl_error err = { 0 };
        oci_spec *s = oci_spec_parse_data(json, strlen(json), "test", &err);
        if (!s) {
                printf("# bad test JSON: %s\n", err.msg);
                exit(99);
        }
        return s;
}

static inline char *cgt_mkdtemp(void)
{
        const char *base = getenv("TMPDIR");
        char *buf = malloc(4096);
        snprintf(buf, 4096, "%s/sl-cgroup-test.XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(buf)) {
                perror("mkdtemp");
                exit(99);
        }
        return buf;
}

static inline int cgt_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        (void)st, (void)flag, (void)f;
        return remove(p) < 0 ? -1 : 0;
}

static inline void cgt_rm_rf(const char *dir)
{
        nftw(dir, cgt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates dir/name holding content (NULL: empty). */
static inline void cgt_put(const char *dir, const char *name, const char *content)
{
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        if (!f) {
                perror(path);
                exit(99);
        }
        if (content)
                fputs(content, f);
        fclose(f);
}

static inline void cgt_unlink(const char *dir, const char *name)
{
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        unlink(path);
}

/* Contents of dir/name with trailing newlines cut, in a static buffer;
 * "(missing)" when absent. */
static inline const char *cgt_get(const char *dir, const char *name)
{
        static char buf[8][4096];
        static int slot;
        char *out = buf[slot++ % 8];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "r");
        if (!f)
                return "(missing)";
        size_t n = fread(out, 1, 4095, f);
        fclose(f);
        out[n] = '\0';
        while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
                out[--n] = '\0';
        return out;
}

#endif
