/* Scratch directories and small file helpers shared by the common/ tests. */
#ifndef SLOIKA_TESTS_COMMON_TESTUTIL_H
#define SLOIKA_TESTS_COMMON_TESTUTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* snprintf that treats truncation as a broken test setup. */
#define tu_fmt(buf, n, ...) do { \
        if ((size_t)snprintf((buf), (n), __VA_ARGS__) >= (size_t)(n)) \
                abort(); \
} while (0)

static inline char *tu_mkdtemp(void)
{
        const char *base = getenv("TMPDIR");
        static char buf[4096];
        snprintf(buf, sizeof buf, "%s/sl-common-test.XXXXXX", base && *base ? base : "/tmp");
        if (mkdtemp(buf) == NULL) {
                perror("mkdtemp");
                exit(99);
        }
        return buf;
}

static inline int tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        (void)st, (void)flag, (void)f;
        return remove(p) < 0 ? -1 : 0;
}

static inline void tu_rm_rf(const char *dir)
{
        nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int tu_write(const char *path, const char *content)
{
        FILE *f = fopen(path, "w");
        if (f == NULL)
                return -1;
        fputs(content, f);
        return fclose(f);
}

/* Reads a small file into buf; returns buf or NULL. */
static inline const char *tu_read_fd(int fd, char *buf, size_t n)
{
        ssize_t r = pread(fd, buf, n - 1, 0);
        if (r < 0)
                return NULL;
        buf[r] = '\0';
        return buf;
}

static inline int tu_count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;
        if (d == NULL)
                return -1;
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

/* Whether dir holds an entry whose name starts with prefix. */
static inline int tu_has_entry_prefix(const char *dir, const char *prefix)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int found = 0;
        if (d == NULL)
                return -1;
        while ((e = readdir(d)))
                if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
                        found = 1;
        closedir(d);
        return found;
}

#endif
