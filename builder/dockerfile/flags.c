#include "builder/dockerfile/flags.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder/dockerfile/strbuf.h"
#include "builder/dockerfile/values.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

typedef enum { F_STRING, F_BOOL, F_LIST } ftype;

typedef struct flagdef {
        sl_df_kind kind;
        const char *name;
        ftype type;
} flagdef;

static const flagdef defs[] = {
        {SL_DF_FROM, "platform", F_STRING},
        {SL_DF_RUN, "mount", F_LIST},
        {SL_DF_RUN, "network", F_STRING},
        {SL_DF_RUN, "security", F_STRING},
        {SL_DF_COPY, "from", F_STRING},
        {SL_DF_COPY, "chown", F_STRING},
        {SL_DF_COPY, "chmod", F_STRING},
        {SL_DF_COPY, "link", F_BOOL},
        {SL_DF_COPY, "parents", F_BOOL},
        {SL_DF_COPY, "exclude", F_LIST},
        {SL_DF_ADD, "chown", F_STRING},
        {SL_DF_ADD, "chmod", F_STRING},
        {SL_DF_ADD, "checksum", F_STRING},
        {SL_DF_ADD, "keep-git-dir", F_BOOL},
        {SL_DF_ADD, "link", F_BOOL},
        {SL_DF_ADD, "exclude", F_LIST},
        {SL_DF_HEALTHCHECK, "interval", F_STRING},
        {SL_DF_HEALTHCHECK, "timeout", F_STRING},
        {SL_DF_HEALTHCHECK, "start-period", F_STRING},
        {SL_DF_HEALTHCHECK, "start-interval", F_STRING},
        {SL_DF_HEALTHCHECK, "retries", F_STRING},
};
#define N_DEFS (sizeof defs / sizeof defs[0])

static const flagdef *find(sl_df_kind kind, const char *name, size_t len)
{
        for (size_t i = 0; i < N_DEFS; i++)
                if (defs[i].kind == kind && strlen(defs[i].name) == len && strncmp(defs[i].name, name, len) == 0)
                        return &defs[i];
        return NULL;
}

/* "--from, --chown, ..." for kind, or NULL when it takes none. */
static char *valid_list(sl_df_kind kind)
{
        sl_strbuf b = {0};
        for (size_t i = 0; i < N_DEFS; i++)
                if (defs[i].kind == kind) {
                        if (b.len)
                                sl_strbuf_adds(&b, ", ");
                        sl_strbuf_adds(&b, "--");
                        sl_strbuf_adds(&b, defs[i].name);
                }
        return b.len ? sl_strbuf_steal(&b) : NULL;
}

/* The instruction names that do take a flag, for a better message. */
static char *owners(const char *name, size_t len)
{
        sl_strbuf b = {0};
        for (size_t i = 0; i < N_DEFS; i++)
                if (strlen(defs[i].name) == len && strncmp(defs[i].name, name, len) == 0) {
                        if (b.len)
                                sl_strbuf_adds(&b, " and ");
                        sl_strbuf_adds(&b, sl_df_kind_name(defs[i].kind));
                }
        return b.len ? sl_strbuf_steal(&b) : NULL;
}

static int unknown_flag(const sl_df_pctx *p, sl_df_kind kind, const sl_df_word *w, const char *name, size_t len)
{
        const char *kn = sl_df_kind_name(kind);
        _cleanup_free_ char *own = owners(name, len);
        _cleanup_free_ char *valid = valid_list(kind);
        if (own)
                return sl_df_perr(p, w->off, "flag --%.*s is not valid for %s (only %s takes it)%s%s",
                                  (int)len, name, kn, own, valid ? "; valid flags: " : "", valid ? valid : "");
        if (valid)
                return sl_df_perr(p, w->off, "unknown flag --%.*s for %s (valid flags: %s)", (int)len, name, kn, valid);
        return sl_df_perr(p, w->off, "unknown flag --%.*s: %s takes no flags", (int)len, name, kn);
}

static void add(sl_df_flags *f, const char *name, char *value, size_t off)
{
        f->v = sl_xrealloc(f->v, (f->n + 1) * sizeof *f->v);
        f->v[f->n++] = (sl_df_flag){.name = name, .value = value, .off = off};
}

int sl_df_flags_parse(const sl_df_pctx *p, sl_df_kind kind, const sl_df_word *words, size_t n,
                      sl_df_flags *out)
{
        memset(out, 0, sizeof *out);
        for (size_t i = 0; i < n; i++) {
                const sl_df_word *w = &words[i];
                const char *name = w->text + 2;
                const char *eq = strchr(name, '=');
                size_t len = eq ? (size_t)(eq - name) : strlen(name);
                const flagdef *d = find(kind, name, len);
                if (!d) {
                        unknown_flag(p, kind, w, name, len);
                        goto fail;
                }
                if (d->type != F_LIST && sl_df_flags_get(out, d->name)) {
                        sl_df_perr(p, w->off, "flag --%s given twice for %s", d->name, sl_df_kind_name(kind));
                        goto fail;
                }
                if (d->type == F_BOOL) {
                        bool v = true;
                        sl_error e;
                        if (eq && sl_df_parse_bool(eq + 1, &v, &e) < 0) {
                                sl_df_perr(p, w->off, "flag --%s: %s", d->name, e.msg);
                                goto fail;
                        }
                        add(out, d->name, sl_xstrdup(v ? "true" : "false"), w->off);
                        continue;
                }
                if (!eq) {
                        sl_df_perr(p, w->off, "flag --%s needs a value: --%s=VALUE", d->name, d->name);
                        goto fail;
                }
                add(out, d->name, sl_xstrdup(eq + 1), w->off);
        }
        return 0;
fail:
        sl_df_flags_free(out);
        return -1;
}

void sl_df_flags_free(sl_df_flags *f)
{
        for (size_t i = 0; i < f->n; i++)
                free(f->v[i].value);
        free(f->v);
        f->v = NULL;
        f->n = 0;
}

const sl_df_flag *sl_df_flags_get(const sl_df_flags *f, const char *name)
{
        const sl_df_flag *found = NULL;
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->v[i].name, name) == 0)
                        found = &f->v[i];
        return found;
}

bool sl_df_flags_bool(const sl_df_flags *f, const char *name)
{
        const sl_df_flag *fl = sl_df_flags_get(f, name);
        return fl && strcmp(fl->value, "true") == 0;
}
