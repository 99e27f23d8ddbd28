/* The stage graph (--target, dependencies, pruning), instruction
 * expansion at build time, and the lint rules. */
#include "builder/dockerfile/expand_instr.h"
#include "builder/dockerfile/lint.h"
#include "builder/dockerfile/stages.h"
#include "builder/dockerfile/vars.h"
#include "common/strv.h"
#include "tests/unit/builder/df-test.h"

static const char *multi =
        "ARG BASE=alpine\n"
        "ARG VARIANT\n"
        "FROM $BASE AS deps\n"              /* 0 */
        "RUN fetch\n"
        "FROM deps AS build\n"              /* 1: FROM a stage */
        "ARG FROMSTAGE=deps\n"
        "COPY --from=$FROMSTAGE /x /x\n"
        "FROM scratch AS docs\n"            /* 2: unused by final */
        "ARG SRC=0\n"
        "COPY --from=$SRC /y /y\n"
        "FROM busybox AS tools\n"           /* 3: used via a mount */
        "FROM ${BASE}:${VARIANT:-latest} AS final\n" /* 4 */
        "COPY --from=build /app /app\n"
        "RUN --mount=type=bind,from=tools,target=/t true\n"
        "COPY --from=docker.io/library/nginx /etc/nginx /etc/nginx\n";

static char *build_args_v[] = {"VARIANT=3.19", "SRC=build", NULL};

static void test_graph(void)
{
        sl_dockerfile *df = parse_ok(multi);
        sl_error err = {0};
        size_t t = 99;
        ok(df && sl_df_find_target(df, NULL, &t, &err) == 0 && t == 4, "the default target is the last stage");
        ok(df && sl_df_find_target(df, "BUILD", &t, &err) == 0 && t == 1, "--target matches names case-insensitively");
        ok(df && sl_df_find_target(df, "nope", &t, &err) < 0, "an unknown target fails");
        is_str(err.msg, "Dockerfile: target stage \"nope\" could not be found", "and says which");
        bool needed[5];
        ok(df && sl_df_needed_stages(df, 4, NULL, needed, &err) == 0, "needed stages for final");
        ok(needed[0] && needed[1] && !needed[2] && needed[3] && needed[4],
           "final needs deps, build, tools and itself, not docs");
        ok(df && sl_df_needed_stages(df, 2, NULL, needed, &err) == 0 && needed[0] && !needed[1] && needed[2] &&
           !needed[3] && !needed[4], "docs needs stage 0 by index");
        sl_expand_env ba = {.lookup = sl_expand_envv_lookup, .ctx = build_args_v};
        ok(df && sl_df_needed_stages(df, 2, &ba, needed, &err) == 0 && needed[1] && needed[0],
           "a --build-arg changes an ARG-driven --from");
        ok(!needed[3] && !needed[4], "later stages are never needed by earlier ones");
        size_t *deps = NULL, n = 0;
        ok(df && sl_df_stage_deps(df, 4, NULL, &deps, &n, &err) == 0 && n == 2 && deps[0] == 1 && deps[1] == 3,
           "final's direct deps are build and tools, sorted; an image --from is no dependency");
        free(deps);
        ok(df && sl_df_stage_deps(df, 1, NULL, &deps, &n, &err) == 0 && n == 1 && deps[0] == 0,
           "FROM a stage is a dependency");
        free(deps);
        char **genv = NULL;
        ok(df && sl_df_global_env(df, &ba, &genv, &err) == 0, "global env");
        is_str(sl_expand_envv_lookup(genv, "BASE"), "alpine", "global ARG default");
        is_str(sl_expand_envv_lookup(genv, "VARIANT"), "3.19", "--build-arg overrides");
        sl_strv_free(genv);
        ok(df && sl_df_global_env(df, NULL, &genv, &err) == 0 && sl_expand_envv_lookup(genv, "VARIANT") == NULL,
           "a global ARG without a value stays unset");
        sl_strv_free(genv);
        size_t idx;
        ok(df && sl_df_stage_ref(df, 4, "DEPS", true, &idx, &err) == 1 && idx == 0, "stage refs by name");
        ok(df && sl_df_stage_ref(df, 4, "ubuntu", true, &idx, &err) == 0, "an unknown name is an image");
        ok(df && sl_df_stage_ref(df, 4, "scratch", true, &idx, &err) == 0, "scratch is never a stage");
        ok(df && sl_df_stage_ref(df, 1, "final", true, &idx, &err) < 0, "a later stage cannot be used");
        is_str(err.msg, "\"final\" is the stage at line 12, which is not before this one: a stage can only use earlier stages",
               "and the error says where it is");
        ok(df && sl_df_stage_ref(df, 2, "2", true, &idx, &err) < 0, "an index must be before the current stage");
        sl_dockerfile_free(df);

        df = parse_ok("FROM scratch AS a\nCOPY --from=b x y\nFROM scratch AS b\n");
        ok(df && sl_df_stage_deps(df, 0, NULL, &deps, &n, &err) < 0, "COPY --from a later stage fails");
        is_str(err.msg, "Dockerfile:2: COPY --from: \"b\" is the stage at line 3, which is not before this one: a stage can only use earlier stages",
               "with the line of the COPY");
        sl_dockerfile_free(df);

        df = parse_ok("FROM scratch AS a\nFROM scratch AS b\nFROM scratch AS A\n");
        ok(df && sl_df_check_stages(df, NULL, &err) < 0, "duplicate stage names stop a build");
        is_str(err.msg, "Dockerfile:3:1: duplicate stage name \"a\" (first defined at line 1)", "naming both lines");
        sl_dockerfile_free(df);
        df = parse_ok("FROM scratch AS a\nFROM a AS b\nCOPY --from=a x y\n");
        ok(df && sl_df_check_stages(df, NULL, &err) == 0, "a sound stage graph passes the gate");
        sl_dockerfile_free(df);

        df = parse_ok("ARG IMG\nFROM ${IMG:?unset}\n");
        bool nd[1];
        ok(df && sl_df_needed_stages(df, 0, NULL, nd, &err) < 0, "a FROM expansion error surfaces");
        is_str(err.msg, "Dockerfile:2: FROM image: IMG: unset", "naming the line");
        sl_dockerfile_free(df);
}

static void test_stage_env_and_expand(void)
{
        sl_dockerfile *df = parse_ok("ARG G=global\n"
                                     "FROM scratch AS base\n"
                                     "ENV DIR=/srv PORT=80 PORTS=\"53/udp 54\"\n"
                                     "FROM base\n"
                                     "ARG G\n"
                                     "ARG LOCAL=${G}-local\n"
                                     "ENV A=$DIR B=${A:-unset}\n"
                                     "COPY --chown=${UID:-0}:0 --chmod=0${MODE:-644} <<EOF '$DIR/quoted' ${DIR}/out/\n"
                                     "value=$LOCAL \"kept\"\n"
                                     "EOF\n"
                                     "EXPOSE $PORT $PORTS\n"
                                     "WORKDIR \"$DIR/my app\"\n"
                                     "USER ${U:-nobody}\n"
                                     "VOLUME $DIR/data\n"
                                     "STOPSIGNAL ${SIG:-SIGINT}\n"
                                     "LABEL \"k $DIR\"=\"v $PORT\"\n"
                                     "RUN --mount=type=cache,target=$DIR/cache,uid=${UID:-7} echo $DIR\n"
                                     "CMD echo $DIR\n");
        sl_error err = {0};
        char **env = NULL;
        ok(df && sl_df_stage_env(df, 1, 3, NULL, NULL, &env, &err) == 0, "stage env");
        is_str(sl_expand_envv_lookup(env, "DIR"), "/srv", "ENV is inherited from a base stage");
        is_str(sl_expand_envv_lookup(env, "G"), "global", "a redeclared global ARG takes the global value");
        is_str(sl_expand_envv_lookup(env, "LOCAL"), "global-local", "ARG defaults expand");
        is_str(sl_expand_envv_lookup(env, "A"), "/srv", "ENV expands earlier values");
        is_str(sl_expand_envv_lookup(env, "B"), "unset", "pairs of one ENV line see the values before it");
        sl_expand_env e = {.lookup = sl_expand_envv_lookup, .ctx = env};
        sl_df_instr *x = NULL;
        const sl_df_stage *st = df ? &df->stages[1] : NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[3], &e, &x, &err) == 0, "COPY expands");
        if (x) {
                is_str(x->u.copy.chown, "0:0", "--chown expands");
                is_str(x->u.copy.chmod, "0644", "--chmod expands");
                is_str(x->u.copy.srcs[1].path, "$DIR/quoted", "single-quoted source stays literal");
                is_str(x->u.copy.dest, "/srv/out/", "destination expands");
                is_str(x->heredocs[0].content, "value=global-local \"kept\"\n", "heredoc body expands, keeping quotes");
        }
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[4], &e, &x, &err) == 0, "EXPOSE expands");
        if (x) {
                is_int(x->u.list.n, 3, "EXPOSE splits an expansion into ports");
                is_str(x->u.list.n > 1 ? x->u.list.items[1] : NULL, "53/udp", "second port");
        }
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[5], &e, &x, &err) == 0 && !strcmp(x->u.str, "/srv/my app"),
           "WORKDIR expands and unquotes");
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[6], &e, &x, &err) == 0 && !strcmp(x->u.str, "nobody"), "USER expands");
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[7], &e, &x, &err) == 0 && !strcmp(x->u.list.items[0], "/srv/data"),
           "VOLUME expands");
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[8], &e, &x, &err) == 0 && !strcmp(x->u.str, "SIGINT"),
           "STOPSIGNAL expands");
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[9], &e, &x, &err) == 0 && !strcmp(x->u.kv.items[0].key, "k /srv") &&
           !strcmp(x->u.kv.items[0].value, "v 80"), "LABEL key and value expand");
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[10], &e, &x, &err) == 0, "RUN expands its mounts");
        if (x) {
                is_str(x->u.run.mounts[0].target, "/srv/cache", "mount target expands");
                ok(x->u.run.mounts[0].has_uid && x->u.run.mounts[0].uid == 7, "a numeric mount field set by a variable");
                is_str(x->u.run.cmd.argv[0], "echo $DIR", "RUN shell form is left to the shell");
        }
        sl_df_instr_free(x);
        x = NULL;
        ok(st && sl_df_instr_expand(df, st->instrs[11], &e, &x, &err) == 0 && !strcmp(x->u.cmd.argv[0], "echo $DIR"),
           "CMD is not expanded");
        sl_df_instr_free(x);
        sl_strv_free(env);
        sl_dockerfile_free(df);

        df = parse_ok("FROM scratch AS a\n"
                      "ENV X=env\n"
                      "ARG X=arg\n"
                      "ARG Y=$X\n"
                      "ENV Z=$PATH-$ONLYBASE\n");
        char *base_env[] = {"PATH=/usr/bin", "ONLYBASE=1", NULL};
        char *ba[] = {"X=cli", NULL};
        sl_expand_env bae = {.lookup = sl_expand_envv_lookup, .ctx = ba};
        env = NULL;
        ok(df && sl_df_stage_env(df, 0, 4, &bae, base_env, &env, &err) == 0, "stage env with a base image env");
        is_str(sl_expand_envv_lookup(env, "X"), "env", "ENV wins over a later ARG and its --build-arg");
        is_str(sl_expand_envv_lookup(env, "Y"), "env", "an ARG default sees the ENV value");
        is_str(sl_expand_envv_lookup(env, "Z"), "/usr/bin-1", "the base image's Env is visible");
        sl_strv_free(env);
        sl_dockerfile_free(df);

        df = parse_ok("FROM scratch\nEXPOSE $P\nSTOPSIGNAL $S\nWORKDIR ${W:?no workdir}\n");
        char *bad[] = {"P=http", "S=SIGNOPE", NULL};
        sl_expand_env be = {.lookup = sl_expand_envv_lookup, .ctx = bad};
        x = NULL;
        ok(df && sl_df_instr_expand(df, &df->instrs[1], &be, &x, &err) < 0, "an expanded bad port fails");
        is_str(err.msg, "Dockerfile:2: EXPOSE port: invalid port \"http\": expected PORT[-PORT][/PROTO] with ports 0-65535",
               "naming the line");
        ok(df && sl_df_instr_expand(df, &df->instrs[2], &be, &x, &err) < 0, "an expanded bad signal fails");
        ok(df && sl_df_instr_expand(df, &df->instrs[3], &be, &x, &err) < 0, "${W:?} fails when unset");
        is_str(err.msg, "Dockerfile:4: WORKDIR argument: W: no workdir", "with its message and line");
        sl_dockerfile_free(df);
}

static void test_vars_walk(void)
{
        sl_dockerfile *df = parse_ok("ARG V=1\n"
                                     "FROM scratch\n"
                                     "ARG V\n"
                                     "ENV A=$V B=x\n"
                                     "ENV A=${A}2 C=$A\n"
                                     "ARG LATE=$C\n");
        sl_error err = {0};
        sl_df_vars *v = NULL;
        char *base[] = {"PATH=/bin", NULL};
        ok(df && sl_df_vars_begin(df, 0, NULL, base, &v, &err) == 0, "a stage scope begins");
        is_str(v ? sl_df_vars_get(v, "PATH") : NULL, "/bin", "with the base image's Env");
        ok(v && sl_df_vars_get(v, "V") == NULL, "a global ARG is not in scope until redeclared");
        for (size_t i = 0; v && i < df->stages[0].n_instrs; i++)
                sl_df_vars_apply(v, df->stages[0].instrs[i], &err);
        is_str(v ? sl_df_vars_get(v, "V") : NULL, "1", "a redeclared global ARG takes the global value");
        is_str(v ? sl_df_vars_get(v, "A") : NULL, "12", "ENV can extend itself");
        is_str(v ? sl_df_vars_get(v, "C") : NULL, "1", "pairs see the line's previous values");
        is_str(v ? sl_df_vars_get(v, "LATE") : NULL, "1", "an ARG default sees ENV");
        char **only = v ? sl_df_vars_env_only(v) : NULL;
        is_int(sl_strv_len(only), 4, "the image Env gets PATH, A, B, C and no ARG");
        sl_strv_free(only);
        char **snap = v ? sl_df_vars_snapshot(v) : NULL;
        is_int(sl_strv_len(snap), 6, "the snapshot has ARGs and ENVs, one entry per name");
        sl_strv_free(snap);
        sl_df_vars_free(v);
        sl_dockerfile_free(df);
}

/* Runs the lint and returns the findings joined as "line:rule" lines. */
static char *lint(const char *text, const char *ignore_text)
{
        static char buf[2048];
        buf[0] = '\0';
        sl_dockerfile *df = parse_ok(text);
        if (!df)
                return "(parse failed)";
        sl_ignore *ig = NULL;
        sl_error err;
        if (ignore_text)
                sl_ignore_parse(ignore_text, strlen(ignore_text), ".dockerignore", &ig, &err);
        sl_df_findings f;
        sl_df_lint(df, ig, &f);
        for (size_t i = 0; i < f.n; i++)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%d:%s%s", i ? " " : "", f.v[i].line,
                         f.v[i].rule, f.v[i].error ? "!" : "");
        sl_df_findings_free(&f);
        sl_ignore_free(ig);
        sl_dockerfile_free(df);
        return buf;
}

static void test_lint(void)
{
        is_str(lint("FROM alpine\nCMD [\"sh\"]\n", NULL), "", "a clean file has no findings");
        is_str(lint("FROM alpine\nCMD sh\nENTRYPOINT exec sh\n", NULL), "2:JSONArgsRecommended 3:JSONArgsRecommended",
               "shell-form CMD and ENTRYPOINT");
        is_str(lint("FROM alpine\nSHELL [\"/bin/bash\",\"-c\"]\nCMD sh\n", NULL), "", "not after SHELL");
        is_str(lint("FROM alpine\nMAINTAINER me\n", NULL), "2:MaintainerDeprecated", "MAINTAINER");
        is_str(lint("FROM alpine AS Builder\n", NULL), "1:StageNameCasing", "stage name casing");
        is_str(lint("FROM alpine as b\n", NULL), "1:FromAsCasing", "FROM/as casing");
        is_str(lint("from alpine AS b\n", NULL), "1:FromAsCasing", "from/AS casing");
        is_str(lint("FROM alpine AS b\nFROM alpine AS b\n", NULL), "2:DuplicateStageName!",
               "duplicate stage names are an error");
        is_str(lint("FROM alpine AS scratch\n", NULL), "1:ReservedStageName", "reserved stage name");
        is_str(lint("FROM $IMG\n", NULL), "1:UndefinedArgInFrom 1:InvalidDefaultArgInFrom", "undefined ARG in FROM");
        is_str(lint("ARG IMG=alpine\nFROM $IMG\nFROM --platform=$TARGETPLATFORM $IMG\n", NULL), "",
               "declared and automatic platform ARGs are fine");
        is_str(lint("ARG TAG\nFROM alpine:$TAG\n", NULL), "2:InvalidDefaultArgInFrom", "empty default makes a bad image");
        is_str(lint("FROM --platform=linux/amd64 alpine\n", NULL), "1:FromPlatformFlagConstDisallowed", "constant --platform");
        is_str(lint("FROM alpine\nENV A b\nLABEL x y\n", NULL), "2:LegacyKeyValueFormat 3:LegacyKeyValueFormat",
               "legacy key value form");
        is_str(lint("FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\nHEALTHCHECK NONE\n", NULL), "2:MultipleInstructionsDisallowed",
               "repeated CMD in a stage");
        is_str(lint("FROM alpine\nCMD [\"a\"]\nFROM alpine\nCMD [\"b\"]\n", NULL), "", "one CMD per stage is fine");
        is_str(lint("FROM alpine\nWORKDIR app\nWORKDIR /abs\nWORKDIR rel\n", NULL), "2:WorkdirRelativePath",
               "relative WORKDIR before an absolute one");
        is_str(lint("FROM alpine\nEXPOSE 80/TCP 81/udp\n", NULL), "2:ExposeProtoCasing", "EXPOSE protocol casing");
        is_str(lint("FROM alpine\nARG DB_PASSWORD\nENV API_TOKEN=x MONKEY=1\n", NULL),
               "2:SecretsUsedInArgOrEnv 3:SecretsUsedInArgOrEnv", "secret-looking ARG/ENV names");
        is_str(lint("FROM alpine\nrun true\nRUN true\nRUN true\n", NULL), "2:ConsistentInstructionCasing",
               "instruction casing follows the majority");
        is_str(lint("FROM alpine\nRUN a \\\n\n b\n", NULL), "3:NoEmptyContinuation", "empty continuation line");
        is_str(lint("FROM alpine\nCOPY secret.txt app/ /x/\nCOPY *.txt /y/\nCOPY --from=b secret.txt /z\n", "secret.txt\napp\n"),
               "2:CopyIgnoredFile 2:CopyIgnoredFile", "copying an ignored file");
        is_str(lint("# check=skip=JSONArgsRecommended,MaintainerDeprecated\nFROM alpine\nCMD sh\nMAINTAINER x\n", NULL), "",
               "check=skip silences rules");
        is_str(lint("FROM scratch AS a\nENV A=1\nCOPY $A $B /x/\nARG C\nWORKDIR /$C/${D:-x}/$D\n"
                    "FROM a\nUSER $A:$E\nFROM alpine\nUSER $NOTKNOWN\n", NULL),
               "3:UndefinedVar 5:UndefinedVar 7:UndefinedVar",
               "undefined variables in stages rooted at scratch, once per line");
        is_str(lint("# check=skip=jsonargsrecommended\nFROM alpine\nCMD sh\n", NULL), "3:JSONArgsRecommended",
               "rule names in check=skip are case-sensitive");
        is_str(lint("# check=skip=all\nFROM alpine AS a\nCMD sh\nFROM alpine AS a\n", NULL), "4:DuplicateStageName!",
               "skip=all silences warnings but not errors");
}

int main(void)
{
        test_graph();
        test_stage_env_and_expand();
        test_vars_walk();
        test_lint();
        return tap_done();
}
