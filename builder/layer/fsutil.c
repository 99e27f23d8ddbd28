#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/layer/fsutil.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

int sl_rm_children(int dirfd, sl_error *err)
{
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return sl_err_sys(err, errno, "open directory to empty it");
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return sl_err_sys(err, errno, "opendir");
        }
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de)
                        return errno ? sl_err_sys(err, errno, "readdir") : 0;
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (sl_rm_rf_at(fd, de->d_name, err) < 0)
                        return -1;
        }
}

int sl_rm_rf_at(int dirfd, const char *name, sl_error *err)
{
        if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return sl_err_sys(err, errno, "remove \"%s\"", name);
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : sl_err_sys(err, errno, "open \"%s\" to remove it", name);
        if (sl_rm_children(fd, err) < 0)
                return sl_err_wrap(err, "%s", name);
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return sl_err_sys(err, errno, "remove directory \"%s\"", name);
        return 0;
}

static uint64_t hash_str(const char *s)
{
        uint64_t h = 1469598103934665603ull;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ull;
        return h;
}

static void insert_slot(char **slots, size_t cap, char *key)
{
        size_t i = hash_str(key) & (cap - 1);
        while (slots[i])
                i = (i + 1) & (cap - 1);
        slots[i] = key;
}

void sl_strset_add(sl_strset *s, const char *key)
{
        if (sl_strset_has(s, key))
                return;
        if ((s->len + 1) * 2 > s->cap) {
                size_t ncap = s->cap ? s->cap * 2 : 256;
                char **n = sl_xcalloc(ncap, sizeof *n);
                for (size_t i = 0; i < s->cap; i++)
                        if (s->slots[i])
                                insert_slot(n, ncap, s->slots[i]);
                free(s->slots);
                s->slots = n;
                s->cap = ncap;
        }
        insert_slot(s->slots, s->cap, sl_xstrdup(key));
        s->len++;
}

bool sl_strset_has(const sl_strset *s, const char *key)
{
        if (!s->cap)
                return false;
        for (size_t i = hash_str(key) & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
                if (!strcmp(s->slots[i], key))
                        return true;
        return false;
}

void sl_strset_free(sl_strset *s)
{
        for (size_t i = 0; i < s->cap; i++)
                free(s->slots[i]);
        free(s->slots);
        s->slots = NULL;
        s->cap = s->len = 0;
}
