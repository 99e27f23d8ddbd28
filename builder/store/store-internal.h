/* Shared between the store's source files; not an API. */
#ifndef SLOIKA_BUILDER_STORE_INTERNAL_H
#define SLOIKA_BUILDER_STORE_INTERNAL_H

#include "builder/store/store.h"

struct sl_store {
        char *root;
        int rootfd, blobsfd, layersfd, tmpfd, cachefd;  /* O_RDONLY|O_DIRECTORY */
        int lockfd, indexlockfd;
        int holds;                            /* shared holds on lockfd */
        bool exclusive;                       /* gc/fsck hold it exclusively */
        sl_store_reap_fn reaper;              /* deletes containers a crash left */
};

/* The hex of a "sha256:<hex>" digest, or NULL with err set. */
const char *sl_store_blob_hex(const char *digest, sl_error *err);
/* A fresh unique name in tmp/ with the given prefix. Free it. */
char *sl_store_tmp_name(const char *prefix);
/* Exclusive lock for gc/fsck; fails with EDEADLK under a hold. */
int sl_store_lock_exclusive(sl_store *s, sl_error *err);
void sl_store_unlock_exclusive(sl_store *s);

/* What a crash left in tmp/NAME: containers still running from its
 * state/ dir and mounts under it. With clear, deletes the containers
 * (through the reaper), detaches the mounts and removes the entry; each
 * finding is described through say(ctx, msg) first. Returns the number
 * of findings, or -1 with err set. */
typedef void (*sl_store_say_fn)(void *ctx, const char *msg);
/* Formats a report line and hands it to say; nothing when say is NULL. */
void sl_store_sayf(sl_store_say_fn say, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sl_store_leftover(sl_store *s, const char *name, bool clear, sl_store_say_fn say, void *ctx, sl_error *err);

#endif
