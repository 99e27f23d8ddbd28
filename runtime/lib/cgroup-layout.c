/* Which cgroup hierarchies the host has, where this process sits in them,
 * and where a container's cgroup goes. */
#include "runtime/lib/cgroup-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/xalloc.h"

static void hier_free(sl_cg_hier *h)
{
        free(h->mount);
        free(h->root);
        free(h->controllers);
        free(h->self);
        free(h->path);
        free(h->dir);
        memset(h, 0, sizeof *h);
}

void sl_cg_free(sl_cg *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                hier_free(&cg->h[i]);
        free(cg->h);
        memset(cg, 0, sizeof *cg);
}

const char *sl_cg_mode_name(sl_cg_mode mode)
{
        switch (mode) {
        case SL_CG_MODE_V1: return "v1";
        case SL_CG_MODE_V2: return "v2";
        case SL_CG_MODE_HYBRID: return "hybrid";
        }
        return "unknown";
}

bool sl_cg_list_has(const char *list, char sep, const char *name)
{
        size_t len = strlen(name);
        for (const char *p = list; p && *p;) {
                const char *end = strchrnul(p, sep);
                if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
                        return true;
                p = *end ? end + 1 : end;
        }
        return false;
}

bool sl_cg_controllers_have(const char *controllers, const char *name)
{
        return sl_cg_list_has(controllers, ',', name);
}

/* Same controllers in any order. */
static bool controllers_equal(const char *a, const char *b)
{
        size_t na = 0, nb = 0;
        for (const char *p = a; *p;) {
                const char *end = strchrnul(p, ',');
                _cleanup_free_ char *one = sl_xstrndup(p, (size_t)(end - p));
                if (!sl_cg_controllers_have(b, one))
                        return false;
                na++;
                p = *end ? end + 1 : end;
        }
        nb = *b ? 1 : 0;
        for (const char *p = b; *p; p++)
                nb += *p == ',';
        return na == nb;
}

sl_cg_hier *sl_cg_v1(const sl_cg *cg, const char *controller)
{
        for (size_t i = 0; i < cg->n; i++)
                if (!cg->h[i].unified && sl_cg_controllers_have(cg->h[i].controllers, controller))
                        return &cg->h[i];
        return NULL;
}

sl_cg_hier *sl_cg_unified(const sl_cg *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cg->h[i].unified)
                        return &cg->h[i];
        return NULL;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s)
{
        char *out = sl_xmalloc(strlen(s) + 1), *o = out;
        while (*s) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 4;
                } else {
                        *o++ = *s++;
                }
        }
        *o = '\0';
        return out;
}

static bool is_under(const char *path, const char *top)
{
        size_t n = strlen(top);
        if (strcmp(top, "/") == 0)
                return true;
        return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* v1 superblock options that are not controller names. */
static bool is_v1_option(const char *opt)
{
        static const char *const options[] = { "rw", "ro", "noprefix", "clone_children", "xattr",
                                               "cpuset_v2_mode", "favordynmods", "none", NULL };
        for (const char *const *o = options; *o; o++)
                if (strcmp(opt, *o) == 0)
                        return true;
        return strncmp(opt, "release_agent=", 14) == 0;
}

static char *v1_controllers(const char *superopts)
{
        _cleanup_free_ char *copy = sl_xstrdup(superopts);
        char *out = sl_xstrdup(""), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (is_v1_option(tok))
                        continue;
                char *joined = sl_xasprintf("%s%s%s", out, *out ? "," : "", tok);
                free(out);
                out = joined;
        }
        return out;
}

static void drop_shadowed(sl_cg *cg, const char *mountpoint)
{
        size_t k = 0;
        for (size_t i = 0; i < cg->n; i++) {
                if (is_under(cg->h[i].mount, mountpoint))
                        hier_free(&cg->h[i]);
                else
                        cg->h[k++] = cg->h[i];
        }
        cg->n = k;
}

static int parse_mount_line(sl_cg *cg, char *line, sl_error *err)
{
        char *fields[6] = { 0 }, *save = NULL, *tok;
        int nf = 0;
        for (tok = strtok_r(line, " ", &save); tok && nf < 6; tok = strtok_r(NULL, " ", &save))
                fields[nf++] = tok;
        if (nf < 6)
                return sl_err(err, EINVAL, "mountinfo: malformed line");
        /* Optional fields run up to the "-" separator. */
        while (tok && strcmp(tok, "-") != 0)
                tok = strtok_r(NULL, " ", &save);
        char *fstype = strtok_r(NULL, " ", &save);
        char *source = strtok_r(NULL, " ", &save);
        char *superopts = strtok_r(NULL, " ", &save);
        if (!fstype || !source || !superopts)
                return sl_err(err, EINVAL, "mountinfo: malformed line");

        _cleanup_free_ char *mountpoint = unescape(fields[4]);
        drop_shadowed(cg, mountpoint);
        bool v2 = strcmp(fstype, "cgroup2") == 0;
        if ((!v2 && strcmp(fstype, "cgroup") != 0) || !is_under(mountpoint, SL_CG_BASE))
                return 0;
        sl_cg_hier h = { 0 };
        h.unified = v2;
        h.mount = SL_STEAL(mountpoint);
        h.root = unescape(fields[3]);
        h.controllers = v2 ? sl_xstrdup("") : v1_controllers(superopts);
        cg->h = sl_xrealloc(cg->h, (cg->n + 1) * sizeof *cg->h);
        cg->h[cg->n++] = h;
        return 0;
}

static void parse_self(sl_cg *cg, const char *self_cgroup)
{
        _cleanup_free_ char *copy = sl_xstrdup(self_cgroup);
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                const char *ctrls = c1 + 1, *path = c2 + 1;
                bool unified = strcmp(line, "0") == 0 || *ctrls == '\0';
                for (size_t i = 0; i < cg->n; i++) {
                        sl_cg_hier *h = &cg->h[i];
                        if (h->unified != unified || h->self)
                                continue;
                        if (unified ? *ctrls == '\0' : controllers_equal(h->controllers, ctrls))
                                h->self = sl_xstrdup(path);
                }
        }
}

int sl_cg_layout_parse(const char *mountinfo, const char *self_cgroup, sl_cg *out, sl_error *err)
{
        sl_cg cg = { 0 };
        _cleanup_free_ char *copy = sl_xstrdup(mountinfo);
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (parse_mount_line(&cg, line, err) < 0) {
                        sl_cg_free(&cg);
                        return -1;
                }
        }
        bool v1 = false, v2_at_base = false;
        for (size_t i = 0; i < cg.n; i++) {
                if (!cg.h[i].unified)
                        v1 = true;
                else if (strcmp(cg.h[i].mount, SL_CG_BASE) == 0)
                        v2_at_base = true;
        }
        if (cg.n == 0) {
                sl_cg_free(&cg);
                return sl_err(err, ENOENT, "no cgroup filesystem is mounted under " SL_CG_BASE);
        }
        if (v2_at_base || !v1)
                cg.mode = SL_CG_MODE_V2;
        else
                cg.mode = sl_cg_unified(&cg) ? SL_CG_MODE_HYBRID : SL_CG_MODE_V1;
        /* Two cgroup2 mounts are the same tree: keep the first. */
        for (size_t i = 0, seen = 0; i < cg.n; i++) {
                if (!cg.h[i].unified)
                        continue;
                if (seen++) {
                        hier_free(&cg.h[i]);
                        memmove(&cg.h[i], &cg.h[i + 1], (cg.n - i - 1) * sizeof *cg.h);
                        cg.n--, i--;
                }
        }
        parse_self(&cg, self_cgroup);
        *out = cg;
        return 0;
}

int sl_cg_layout_load(sl_cg *out, sl_error *err)
{
        _cleanup_free_ char *mountinfo = NULL, *self = NULL;
        if (sl_read_file("/proc/self/mountinfo", &mountinfo, NULL, err) < 0 ||
            sl_read_file("/proc/self/cgroup", &self, NULL, err) < 0)
                return -1;
        return sl_cg_layout_parse(mountinfo, self, out, err);
}

int sl_cg_path_clean(const char *base, const char *path, char **out, sl_error *err)
{
        _cleanup_free_ char *joined = sl_xasprintf("%s/%s", base ? base : "", path);
        char *res = sl_xcalloc(1, strlen(joined) + 2);
        size_t len = 0;
        char *save = NULL;
        for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        if (len == 0) {
                                free(res);
                                return sl_err(err, EINVAL,
                                              "\"%s\" climbs above the cgroup hierarchy root", path);
                        }
                        while (len > 0 && res[len - 1] != '/')
                                len--;
                        len--;
                        res[len] = '\0';
                        continue;
                }
                res[len++] = '/';
                strcpy(res + len, c);
                len += strlen(c);
        }
        if (len == 0)
                strcpy(res, "/");
        *out = res;
        return 0;
}

/* The directory of cgroup path in h, which may be mounted from a subtree. */
static int set_dir(sl_cg_hier *h, const char *path, sl_error *err)
{
        const char *rel;
        if (strcmp(h->root, "/") == 0)
                rel = path;
        else if (is_under(path, h->root))
                rel = path + strlen(h->root);
        else
                return sl_err(err, EINVAL, "cgroup %s is outside the part of hierarchy \"%s\" mounted at %s (%s)",
                              path, h->controllers, h->mount, h->root);
        free(h->path);
        free(h->dir);
        h->path = sl_xstrdup(path);
        h->dir = sl_xasprintf("%s%s", h->mount, strcmp(rel, "/") == 0 ? "" : rel);
        return 0;
}

static int check_not_root(const char *path, const char *what, sl_error *err)
{
        if (strcmp(path, "/") == 0)
                return sl_err(err, EINVAL, "cgroupsPath \"%s\" is the hierarchy root", what);
        return 0;
}

int sl_cg_resolve_spec(sl_cg *cg, const char *cgroups_path, const char *id, char **stored,
                       sl_error *err)
{
        _cleanup_free_ char *dflt = NULL;
        if (cgroups_path == NULL || *cgroups_path == '\0') {
                if (!id || !*id || strchr(id, '/') || strcmp(id, "..") == 0 || strcmp(id, ".") == 0)
                        return sl_err(err, EINVAL, "container id \"%s\" cannot name a cgroup", id ? id : "");
                cgroups_path = dflt = sl_xasprintf("/sloika/%s", id);
        }
        if (cgroups_path[0] != '/' && strchr(cgroups_path, ':'))
                return sl_err(err, EINVAL,
                              "cgroupsPath \"%s\": the systemd form slice:prefix:name needs the systemd "
                              "cgroup driver, which sloika does not have (systemd is not running here); "
                              "use a path such as /sloika/<id>",
                              cgroups_path);
        if (strchr(cgroups_path, '\n') || strchr(cgroups_path, ';'))
                return sl_err(err, EINVAL, "cgroupsPath \"%s\": newline or ';' in a cgroup path", cgroups_path);

        if (cgroups_path[0] == '/') {
                _cleanup_free_ char *clean = NULL;
                if (sl_cg_path_clean("/", cgroups_path, &clean, err) < 0 ||
                    check_not_root(clean, cgroups_path, err) < 0)
                        return sl_err_wrap(err, "cgroupsPath");
                for (size_t i = 0; i < cg->n; i++)
                        if (set_dir(&cg->h[i], clean, err) < 0)
                                return -1;
                *stored = SL_STEAL(clean);
                return 0;
        }

        /* Relative: below this process's own cgroup in each hierarchy. */
        bool same = true;
        for (size_t i = 0; i < cg->n; i++) {
                sl_cg_hier *h = &cg->h[i];
                _cleanup_free_ char *clean = NULL;
                if (!h->self)
                        return sl_err(err, ENOENT, "cgroupsPath \"%s\": this process is not listed in "
                                      "hierarchy \"%s\" (%s) of /proc/self/cgroup",
                                      cgroups_path, h->controllers, h->mount);
                if (sl_cg_path_clean(h->self, cgroups_path, &clean, err) < 0 ||
                    check_not_root(clean, cgroups_path, err) < 0)
                        return sl_err_wrap(err, "cgroupsPath");
                if (set_dir(h, clean, err) < 0)
                        return -1;
                if (i > 0 && strcmp(cg->h[0].path, h->path) != 0)
                        same = false;
        }
        if (same && cg->n > 0) {
                *stored = sl_xstrdup(cg->h[0].path);
                return 0;
        }
        char *s = sl_xstrdup("");
        for (size_t i = 0; i < cg->n; i++) {
                char *next = sl_xasprintf("%s%s%s:%s", s, i ? ";" : "", cg->h[i].controllers,
                                          cg->h[i].path);
                free(s);
                s = next;
        }
        *stored = s;
        return 0;
}

int sl_cg_resolve_stored(sl_cg *cg, const char *stored, sl_error *err)
{
        if (stored == NULL || *stored == '\0')
                return sl_err(err, EINVAL, "empty cgroup path");
        if (stored[0] == '/') {
                _cleanup_free_ char *clean = NULL;
                if (sl_cg_path_clean("/", stored, &clean, err) < 0 || check_not_root(clean, stored, err) < 0)
                        return -1;
                for (size_t i = 0; i < cg->n; i++)
                        if (set_dir(&cg->h[i], clean, err) < 0)
                                return -1;
                return 0;
        }
        for (size_t i = 0; i < cg->n; i++) {
                sl_cg_hier *h = &cg->h[i];
                bool found = false;
                for (const char *p = stored; *p;) {
                        const char *end = strchrnul(p, ';');
                        const char *colon = memchr(p, ':', (size_t)(end - p));
                        if (!colon)
                                return sl_err(err, EINVAL, "malformed cgroup path \"%s\"", stored);
                        _cleanup_free_ char *ctrls = sl_xstrndup(p, (size_t)(colon - p));
                        _cleanup_free_ char *path = sl_xstrndup(colon + 1, (size_t)(end - colon - 1));
                        if (h->unified ? *ctrls == '\0' : (*ctrls && controllers_equal(h->controllers, ctrls))) {
                                _cleanup_free_ char *clean = NULL;
                                if (sl_cg_path_clean("/", path, &clean, err) < 0 ||
                                    check_not_root(clean, path, err) < 0 || set_dir(h, clean, err) < 0)
                                        return -1;
                                found = true;
                                break;
                        }
                        p = *end ? end + 1 : end;
                }
                if (!found)
                        return sl_err(err, ENOENT, "cgroup path \"%s\" names no cgroup in hierarchy \"%s\" (%s)",
                                      stored, h->controllers, h->mount);
        }
        return 0;
}

int sl_cg_open(sl_cg *cg, const char *stored, sl_error *err)
{
        if (sl_cg_layout_load(cg, err) < 0)
                return sl_err_wrap(err, "cgroup");
        if (sl_cg_resolve_stored(cg, stored, err) < 0) {
                sl_cg_free(cg);
                return sl_err_wrap(err, "cgroup");
        }
        return 0;
}
