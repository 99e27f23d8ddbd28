/* Store: work dirs for builds, adopting committed upper dirs as layer
 * dirs, and the build cache map. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/layer/fsutil.h"
#include "builder/store/store-internal.h"
#include "common/atomicfile.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

int sl_store_workdir(sl_store *s, const char *prefix, char **path_out, sl_error *err)
{
        for (int tries = 0; tries < 16; tries++) {
                _cleanup_free_ char *name = sl_store_tmp_name(prefix);
                if (mkdirat(s->tmpfd, name, 0700) == 0) {
                        *path_out = sl_xasprintf("%s/tmp/%s", s->root, name);
                        return 0;
                }
                if (errno != EEXIST)
                        return sl_err_sys(err, errno, "store %s: create tmp/%s", s->root, name);
        }
        return sl_err(err, EEXIST, "store %s: no free work dir name", s->root);
}

/* The part of path after "<root>/tmp/", if path is under tmp/ without
 * any "..". */
static const char *under_tmp(sl_store *s, const char *path, sl_error *err)
{
        size_t rl = strlen(s->root);
        if (strncmp(path, s->root, rl) != 0 || strncmp(path + rl, "/tmp/", 5) != 0 || !path[rl + 5] ||
            strstr(path, "/../") || !strcmp(path + strlen(path) - 3, "/.."))
                return sl_err(err, EINVAL, "%s is not under %s/tmp", path, s->root), NULL;
        return path + rl + 5;
}

int sl_store_remove_workdir(sl_store *s, const char *path, sl_error *err)
{
        const char *rel = under_tmp(s, path, err);
        if (!rel)
                return -1;
        return sl_rm_rf_at(s->tmpfd, rel, err);
}

int sl_store_adopt_layer(sl_store *s, const char *dir, const char *chain_id, sl_error *err)
{
        const char *rel = under_tmp(s, dir, err);
        const char *hex = sl_store_blob_hex(chain_id, err);
        if (!rel || !hex)
                return -1;
        struct stat st;
        if (fstatat(s->layersfd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        if (renameat2(s->tmpfd, rel, s->layersfd, hex, RENAME_NOREPLACE) < 0 && errno != EEXIST)
                return sl_err_sys(err, errno, "store %s: adopt %s as layer %s", s->root, dir, hex);
        return 0;
}

static int key_name(const char *key, char out[SL_DIGEST_STR_MAX], sl_error *err)
{
        return sl_digest_buffer(SL_DIGEST_SHA256, key, strlen(key), out, err);
}

int sl_store_cache_put(sl_store *s, const char *key, const char *value, sl_error *err)
{
        char name[SL_DIGEST_STR_MAX];
        if (sl_digest_parse(value, NULL, NULL, err) < 0 || key_name(key, name, err) < 0)
                return sl_err_wrap(err, "cache");
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = sl_atomic_write_at(s->cachefd, name + 7, value, strlen(value), 0644, err);
        sl_store_release(s);
        return rc;
}

int sl_store_cache_get(sl_store *s, const char *key, char value[SL_DIGEST_STR_MAX], sl_error *err)
{
        char name[SL_DIGEST_STR_MAX];
        if (key_name(key, name, err) < 0)
                return -1;
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (sl_read_file_at(s->cachefd, name + 7, &data, &len, err) < 0)
                return -1;
        if (len >= SL_DIGEST_STR_MAX || sl_digest_parse(data, NULL, NULL, NULL) < 0 || !sl_store_has_blob(s, data))
                return sl_err(err, ENOENT, "cache entry %s is stale", name);
        memcpy(value, data, len + 1);
        return 0;
}

int sl_store_cache_clear(sl_store *s, sl_error *err)
{
        if (sl_store_hold(s, err) < 0)
                return -1;
        int rc = sl_rm_children(s->cachefd, err);
        sl_store_release(s);
        return rc;
}
