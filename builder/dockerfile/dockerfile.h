/* The parsed form of a Dockerfile, as BuildKit's frontend reads the
 * language: typed instructions (arguments still unexpanded, since their
 * variables are only known while building), grouped into stages.
 *
 *   sl_dockerfile *df;
 *   if (sl_dockerfile_parse(text, len, "Dockerfile", &df, &err) < 0) ...
 *   for each df->stages[i]: from = stage->from, then stage->instrs[]
 *
 * Every instruction keeps its source line range and column, and the
 * parse fails before anything runs, with "FILE:LINE:COL: message". */
#ifndef SLOIKA_BUILDER_DOCKERFILE_H
#define SLOIKA_BUILDER_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builder/dockerfile/lexer.h"
#include "common/error.h"

typedef enum sl_df_kind {
        SL_DF_ADD, SL_DF_ARG, SL_DF_CMD, SL_DF_COPY, SL_DF_ENTRYPOINT, SL_DF_ENV,
        SL_DF_EXPOSE, SL_DF_FROM, SL_DF_HEALTHCHECK, SL_DF_LABEL, SL_DF_MAINTAINER,
        SL_DF_ONBUILD, SL_DF_RUN, SL_DF_SHELL, SL_DF_STOPSIGNAL, SL_DF_USER,
        SL_DF_VOLUME, SL_DF_WORKDIR,
        SL_DF_KIND_COUNT
} sl_df_kind;

/* "RUN", "COPY", ... */
const char *sl_df_kind_name(sl_df_kind k);
/* Case-insensitive; returns -1 for an unknown name. */
int sl_df_kind_from_name(const char *name);

/* RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: exec form is the argv as
 * given; shell form is one string the image's SHELL runs (argv[0]). */
typedef struct sl_df_command {
        bool exec_form;
        char **argv;       /* NULL-terminated */
        size_t argc;
} sl_df_command;

typedef enum { SL_DF_MOUNT_BIND, SL_DF_MOUNT_CACHE, SL_DF_MOUNT_TMPFS, SL_DF_MOUNT_SECRET } sl_df_mount_type;
typedef enum { SL_DF_SHARING_SHARED, SL_DF_SHARING_PRIVATE, SL_DF_SHARING_LOCKED } sl_df_sharing;

/* RUN --mount=... . String fields are unexpanded until
 * sl_df_instr_expand; numeric ones are set (has_*) when written literally.
 * Defaults left to the executor when not given: cache id = target, cache
 * mode 0755 and secret mode 0400, uid/gid 0; a secret is optional unless
 * required=true. */
typedef struct sl_df_mount {
        char *raw;                /* the flag value as written */
        sl_df_mount_type type;
        char *target;             /* required except for secret (default /run/secrets/<id>) */
        char *source, *from, *id, *env;
        sl_df_sharing sharing;    /* cache only */
        bool readonly;            /* bind: default true; cache: default false */
        bool required;            /* secret */
        bool has_mode, has_uid, has_gid, has_size;
        uint32_t mode, uid, gid;
        uint64_t size;            /* tmpfs, bytes */
} sl_df_mount;

typedef enum { SL_DF_NET_DEFAULT, SL_DF_NET_NONE, SL_DF_NET_HOST } sl_df_network;
typedef enum { SL_DF_SECURITY_SANDBOX, SL_DF_SECURITY_INSECURE } sl_df_security;

typedef struct sl_df_kv {
        char *key;
        char *value;   /* NULL for "ARG NAME" without a default */
} sl_df_kv;

/* A COPY/ADD source: a path (glob, URL, ...) or a heredoc's content. */
typedef struct sl_df_src {
        char *path;     /* for a heredoc: its name */
        int heredoc;    /* index into instr->heredocs, -1 for a path */
} sl_df_src;

typedef struct sl_df_copy {   /* COPY and ADD */
        bool exec_form;
        sl_df_src *srcs;
        size_t n_srcs;
        char *dest;
        char *from, *chown, *chmod, *checksum;  /* NULL when not given */
        char **excludes;                         /* NULL-terminated, maybe empty */
        size_t n_excludes;
        bool link, parents, keep_git_dir;
} sl_df_copy;

typedef struct sl_df_health {
        bool none;                  /* HEALTHCHECK NONE */
        sl_df_command cmd;          /* exec form = ["CMD",...], shell = "CMD-SHELL" */
        int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns; /* 0 = inherit */
        int retries;                /* 0 = inherit */
} sl_df_health;

typedef struct sl_df_instr sl_df_instr;
struct sl_df_instr {
        sl_df_kind kind;
        char *keyword;            /* as written ("run"), for casing lints */
        char *original;           /* the logical line as written, continuations joined */
        int line, end_line, column;  /* 1-based; end_line includes heredoc bodies */
        sl_df_heredoc *heredocs;     /* RUN/COPY/ADD (and ONBUILD of those) */
        size_t n_heredocs;
        union {
                struct {
                        char *image;            /* unexpanded: "$BASE", "scratch", "oci:/p:tag" */
                        char *name;             /* lowercased AS name, NULL when none */
                        char *name_as_written;
                        char *as_keyword;       /* "AS"/"as" as written, for the casing lint */
                        char *platform;         /* --platform, unexpanded, NULL when absent */
                } from;
                struct {
                        sl_df_command cmd;
                        sl_df_mount *mounts;
                        size_t n_mounts;
                        sl_df_network network;
                        sl_df_security security;
                } run;
                sl_df_command cmd;                 /* CMD, ENTRYPOINT */
                sl_df_copy copy;                   /* COPY, ADD */
                struct { sl_df_kv *items; size_t n; bool legacy; } kv; /* ENV, LABEL, ARG */
                struct { char **items; size_t n; bool exec_form; } list; /* EXPOSE, VOLUME, SHELL */
                char *str;                         /* WORKDIR, USER, STOPSIGNAL, MAINTAINER */
                sl_df_health health;
                struct {
                        char *expression;       /* what the image config's OnBuild keeps */
                        sl_df_instr *trigger;   /* the same, parsed (checked at parse time) */
                } onbuild;
        } u;
};

typedef struct sl_df_stage {
        size_t index;
        char *name;               /* lowercased AS name, NULL when unnamed */
        const sl_df_instr *from;
        const sl_df_instr **instrs;  /* the stage's instructions after FROM */
        size_t n_instrs;
} sl_df_stage;

typedef struct sl_df_check {
        bool skip_all;
        char **skip;              /* rule names, NULL-terminated */
        bool error;               /* warnings fail the check */
} sl_df_check;

typedef struct sl_dockerfile {
        char *name;
        sl_df_directives directives;
        sl_df_check check;
        sl_df_instr *instrs;      /* all, in file order */
        size_t n_instrs;
        size_t n_global_args;     /* instrs[0..n) are the ARGs before the first FROM */
        sl_df_stage *stages;
        size_t n_stages;
        int *empty_continuations; /* source lines, for the lint */
        size_t n_empty_continuations;
} sl_dockerfile;

/* Parses a whole Dockerfile; name is used in messages. */
int sl_dockerfile_parse(const char *data, size_t len, const char *name, sl_dockerfile **out, sl_error *err);
/* Reads and parses the file at path (messages use path). */
int sl_dockerfile_parse_file(const char *path, sl_dockerfile **out, sl_error *err);
void sl_dockerfile_free(sl_dockerfile *df);

/* Parses one instruction line outside a Dockerfile: an ONBUILD trigger
 * stored in a base image's config, run when a build uses that image.
 * FROM, MAINTAINER and ONBUILD are refused as they are in ONBUILD. name
 * and line are used in messages; escape is '\\' or '`'. */
int sl_dockerfile_parse_trigger(const char *text, const char *name, int line, char escape, sl_df_instr **out,
                                sl_error *err);
/* Frees an instruction returned on its own (trigger, expansion, copy). */
void sl_df_instr_free(sl_df_instr *in);

#endif
