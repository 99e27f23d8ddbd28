/* The option table. Kinds mirror how each word acts on the kernel so that
 * the mount code needs no string matching of its own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/xalloc.h"
#include "runtime/lib/mount-options.h"

#define MS_ATIME_MASK (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

enum opt_kind {
        OPT_SET,        /* turn an MS_* flag on */
        OPT_CLEAR,      /* turn an MS_* flag off */
        OPT_ATIME,      /* pick one of the exclusive MS_* atime modes */
        OPT_PROPAGATION,
        OPT_REC_SET,    /* MOUNT_ATTR_* on, recursively */
        OPT_REC_CLR,    /* MOUNT_ATTR_* off, recursively */
        OPT_REC_ATIME,  /* recursive atime mode (an enum in the kernel, not bits) */
        OPT_TMPCOPYUP,
        OPT_IDMAP,
        OPT_RIDMAP,
        OPT_NOTHING,
};

struct opt {
        const char *name;
        enum opt_kind kind;
        unsigned long value;
};

static const struct opt opt_table[] = {
        { "defaults", OPT_NOTHING, 0 },
        { "ro", OPT_SET, MS_RDONLY },
        { "rw", OPT_CLEAR, MS_RDONLY },
        { "nosuid", OPT_SET, MS_NOSUID },
        { "suid", OPT_CLEAR, MS_NOSUID },
        { "nodev", OPT_SET, MS_NODEV },
        { "dev", OPT_CLEAR, MS_NODEV },
        { "noexec", OPT_SET, MS_NOEXEC },
        { "exec", OPT_CLEAR, MS_NOEXEC },
        { "sync", OPT_SET, MS_SYNCHRONOUS },
        { "async", OPT_CLEAR, MS_SYNCHRONOUS },
        { "dirsync", OPT_SET, MS_DIRSYNC },
        { "remount", OPT_SET, MS_REMOUNT },
        { "mand", OPT_SET, MS_MANDLOCK },
        { "nomand", OPT_CLEAR, MS_MANDLOCK },
        { "atime", OPT_CLEAR, MS_NOATIME },
        { "noatime", OPT_ATIME, MS_NOATIME },
        { "diratime", OPT_CLEAR, MS_NODIRATIME },
        { "nodiratime", OPT_SET, MS_NODIRATIME },
        { "relatime", OPT_ATIME, MS_RELATIME },
        { "norelatime", OPT_CLEAR, MS_RELATIME },
        { "strictatime", OPT_ATIME, MS_STRICTATIME },
        { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
        { "lazytime", OPT_SET, MS_LAZYTIME },
        { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
        { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
        { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
        { "bind", OPT_SET, MS_BIND },
        { "rbind", OPT_SET, MS_BIND | MS_REC },
        { "private", OPT_PROPAGATION, MS_PRIVATE },
        { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
        { "shared", OPT_PROPAGATION, MS_SHARED },
        { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
        { "slave", OPT_PROPAGATION, MS_SLAVE },
        { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
        { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
        { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
        { "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },
        { "rrw", OPT_REC_CLR, MOUNT_ATTR_RDONLY },
        { "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },
        { "rsuid", OPT_REC_CLR, MOUNT_ATTR_NOSUID },
        { "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },
        { "rdev", OPT_REC_CLR, MOUNT_ATTR_NODEV },
        { "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },
        { "rexec", OPT_REC_CLR, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", OPT_REC_CLR, MOUNT_ATTR_NODIRATIME },
        { "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", OPT_REC_CLR, MOUNT_ATTR_NOSYMFOLLOW },
        /* Undoing one atime mode can only mean falling back to the
         * kernel default (relatime), or to strictatime for norelatime. */
        { "rnoatime", OPT_REC_ATIME, MOUNT_ATTR_NOATIME },
        { "ratime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
        { "rrelatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
        { "rnorelatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME },
        { "rstrictatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME },
        { "rnostrictatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
        { "tmpcopyup", OPT_TMPCOPYUP, 0 },
        { "idmap", OPT_IDMAP, 0 },
        { "ridmap", OPT_RIDMAP, 0 },
};

static const struct opt *opt_find(const char *name)
{
        for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
                if (strcmp(opt_table[i].name, name) == 0)
                        return &opt_table[i];
        return NULL;
}

void sl_mount_opts_add_data(sl_mount_opts *o, const char *word)
{
        if (!o->data) {
                o->data = sl_xstrdup(word);
        } else {
                char *joined = sl_xasprintf("%s,%s", o->data, word);
                free(o->data);
                o->data = joined;
        }
}

int sl_mount_opts_parse(char *const *options, size_t n, sl_mount_opts *out, sl_error *err)
{
        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < n; i++) {
                const char *word = options[i];
                const struct opt *op = word ? opt_find(word) : NULL;

                if (!word || !*word)
                        continue;
                if (!op) {
                        sl_mount_opts_add_data(out, word);
                        continue;
                }
                switch (op->kind) {
                case OPT_SET:
                        out->set |= op->value;
                        out->clear &= ~op->value;
                        break;
                case OPT_CLEAR:
                        out->set &= ~op->value;
                        out->clear |= op->value;
                        break;
                case OPT_ATIME:
                        out->set = (out->set & ~MS_ATIME_MASK) | op->value;
                        out->clear = (out->clear | MS_ATIME_MASK) & ~op->value;
                        break;
                case OPT_PROPAGATION:
                        if (out->n_propagation == SL_MOUNT_MAX_PROPAGATION) {
                                sl_mount_opts_free(out);
                                return sl_err(err, EINVAL, "options[%zu]: more than %d propagation options",
                                              i, SL_MOUNT_MAX_PROPAGATION);
                        }
                        out->propagation[out->n_propagation++] = op->value;
                        break;
                case OPT_REC_SET:
                        out->rec_set |= op->value;
                        out->rec_clr &= ~op->value;
                        break;
                case OPT_REC_CLR:
                        out->rec_clr |= op->value;
                        out->rec_set &= ~op->value;
                        break;
                case OPT_REC_ATIME:
                        out->rec_clr |= MOUNT_ATTR__ATIME;
                        out->rec_set = (out->rec_set & ~(uint64_t)MOUNT_ATTR__ATIME) | op->value;
                        break;
                case OPT_TMPCOPYUP:
                        out->tmpcopyup = true;
                        break;
                case OPT_IDMAP:
                        out->idmap = true;
                        break;
                case OPT_RIDMAP:
                        out->idmap = out->idmap_recursive = true;
                        break;
                case OPT_NOTHING:
                        break;
                }
        }
        return 0;
}

void sl_mount_opts_free(sl_mount_opts *o)
{
        free(o->data);
        o->data = NULL;
}

void sl_mount_opts_attr(const sl_mount_opts *o, uint64_t *attr_set, uint64_t *attr_clr)
{
        static const struct { unsigned long ms; uint64_t attr; } map[] = {
                { MS_RDONLY, MOUNT_ATTR_RDONLY },
                { MS_NOSUID, MOUNT_ATTR_NOSUID },
                { MS_NODEV, MOUNT_ATTR_NODEV },
                { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
                { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
                { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
        };
        uint64_t set = 0, clr = 0;

        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
                if (o->set & map[i].ms)
                        set |= map[i].attr;
                else if (o->clear & map[i].ms)
                        clr |= map[i].attr;
        }
        /* The atime modes are one kernel enum: name the wanted one, or
         * fall back to the default when only "no<mode>" was said. */
        if (o->set & MS_NOATIME) {
                clr |= MOUNT_ATTR__ATIME;
                set |= MOUNT_ATTR_NOATIME;
        } else if (o->set & MS_STRICTATIME) {
                clr |= MOUNT_ATTR__ATIME;
                set |= MOUNT_ATTR_STRICTATIME;
        } else if (o->set & MS_RELATIME) {
                clr |= MOUNT_ATTR__ATIME;
                set |= MOUNT_ATTR_RELATIME;
        } else if (o->clear & MS_RELATIME) {
                clr |= MOUNT_ATTR__ATIME;
                set |= MOUNT_ATTR_STRICTATIME;
        } else if (o->clear & (MS_NOATIME | MS_STRICTATIME)) {
                clr |= MOUNT_ATTR__ATIME;
                set |= MOUNT_ATTR_RELATIME;
        }
        *attr_set = set;
        *attr_clr = clr;
}

bool sl_mount_opts_is_bind(const sl_mount_opts *o, const char *type)
{
        return (o->set & MS_BIND) || (type && strcmp(type, "bind") == 0);
}

const char *sl_mount_propagation_name(unsigned long flags)
{
        for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
                if (opt_table[i].kind == OPT_PROPAGATION && opt_table[i].value == flags)
                        return opt_table[i].name;
        return "unknown";
}

int sl_mount_propagation_parse(const char *name, unsigned long *flags)
{
        const struct opt *op = name ? opt_find(name) : NULL;

        if (!op || op->kind != OPT_PROPAGATION)
                return -1;
        *flags = op->value;
        return 0;
}
