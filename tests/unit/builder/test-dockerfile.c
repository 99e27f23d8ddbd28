/* The Dockerfile parser on valid input: every instruction form, parser
 * directives, continuations, comments and heredocs. */
#include <stdio.h>

#include "builder/dockerfile/command.h"
#include "common/strv.h"
#include "tests/unit/builder/df-test.h"

static const char *argv_at(const sl_df_command *c, size_t i)
{
        return c->argv && i < c->argc ? c->argv[i] : NULL;
}

static const char *item(char **v, size_t n, size_t i) { return v && i < n ? v[i] : NULL; }

static void test_from(void)
{
        sl_dockerfile *df = parse_ok("FROM alpine:3.19\n"
                                     "from --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
                                     "FROM build as final\n");
        ok(df != NULL, "FROM forms parse");
        is_int(df ? df->n_stages : 0, 3, "three FROM lines make three stages");
        is_str(nth(df, 0)->u.from.image, "alpine:3.19", "FROM image");
        ok(nth(df, 0)->u.from.name == NULL, "FROM without AS has no stage name");
        is_str(nth(df, 1)->u.from.platform, "$BUILDPLATFORM", "FROM --platform kept unexpanded");
        is_str(nth(df, 1)->u.from.image, "golang:1.22", "FROM image after a flag");
        is_str(nth(df, 1)->u.from.name, "build", "stage names are lowercased");
        is_str(nth(df, 1)->u.from.name_as_written, "Build", "stage name as written is kept");
        is_str(nth(df, 1)->keyword, "from", "keyword casing is kept");
        ok(nth(df, 1)->kind == SL_DF_FROM, "lowercase from is FROM");
        is_str(nth(df, 2)->u.from.name, "final", "lowercase as works");
        is_str(df ? df->stages[2].name : NULL, "final", "stage records its name");
        is_int(df ? df->stages[1].index : 0, 1, "stage records its index");
        sl_dockerfile_free(df);
}

static void test_run(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "RUN echo hello   world\n"
                                     "RUN [\"/bin/echo\", \"a b\", \"\\u00e9\\n\"]\n"
                                     "RUN [not json\n"
                                     "RUN [\"unclosed\", \"x\"\n"
                                     "RUN --network=host --security=insecure make\n"
                                     "RUN --network=none true\n"
                                     "RUN --mount=type=cache,target=/root/.cache,id=go,sharing=locked,mode=0700,uid=1000,gid=1000 go build\n"
                                     "RUN --mount=type=bind,from=build,source=/out,target=/in,rw ls /in\n"
                                     "RUN --mount=type=tmpfs,target=/tmp,size=64m --mount=type=secret,id=token,required=true cat /run/secrets/token\n"
                                     "RUN --mount=type=secret,id=aws,env=AWS_KEY --mount=target=/src true\n"
                                     "RUN [\"sh\", \"-c\", \"echo hi\"] trailing junk\n");
        ok(df != NULL, "RUN forms parse");
        const sl_df_instr *in = nth(df, 1);
        ok(!in->u.run.cmd.exec_form, "RUN shell form");
        is_str(argv_at(&in->u.run.cmd, 0), "echo hello   world", "shell form keeps the text as written");
        in = nth(df, 2);
        ok(in->u.run.cmd.exec_form, "RUN JSON form is exec form");
        is_int(in->u.run.cmd.argc, 3, "exec form argc");
        is_str(argv_at(&in->u.run.cmd, 1), "a b", "exec form keeps spaces in an element");
        is_str(argv_at(&in->u.run.cmd, 2), "\xc3\xa9\n", "JSON escapes are decoded");
        ok(!nth(df, 3)->u.run.cmd.exec_form, "invalid JSON falls back to shell form");
        is_str(argv_at(&nth(df, 3)->u.run.cmd, 0), "[not json", "fallback keeps the text");
        ok(!nth(df, 4)->u.run.cmd.exec_form, "an unclosed array falls back to shell form");
        ok(nth(df, 5)->u.run.network == SL_DF_NET_HOST, "RUN --network=host");
        ok(nth(df, 5)->u.run.security == SL_DF_SECURITY_INSECURE, "RUN --security=insecure");
        is_str(argv_at(&nth(df, 5)->u.run.cmd, 0), "make", "flags are removed from the command");
        ok(nth(df, 6)->u.run.network == SL_DF_NET_NONE, "RUN --network=none");
        ok(nth(df, 1)->u.run.network == SL_DF_NET_DEFAULT, "RUN network defaults to default");
        in = nth(df, 7);
        is_int(in->u.run.n_mounts, 1, "one cache mount");
        if (in->u.run.n_mounts == 1) {
                const sl_df_mount *m = &in->u.run.mounts[0];
                ok(m->type == SL_DF_MOUNT_CACHE, "type=cache");
                is_str(m->target, "/root/.cache", "cache target");
                is_str(m->id, "go", "cache id");
                ok(m->sharing == SL_DF_SHARING_LOCKED, "sharing=locked");
                ok(m->has_mode && m->mode == 0700, "mode is octal");
                ok(m->has_uid && m->uid == 1000 && m->has_gid && m->gid == 1000, "uid and gid");
                ok(!m->readonly, "cache mounts are writable by default");
        }
        in = nth(df, 8);
        if (in->u.run.n_mounts == 1) {
                const sl_df_mount *m = &in->u.run.mounts[0];
                ok(m->type == SL_DF_MOUNT_BIND, "type=bind");
                is_str(m->from, "build", "bind from=");
                is_str(m->source, "/out", "bind source=");
                is_str(m->target, "/in", "bind target=");
                ok(!m->readonly, "rw makes a bind mount writable");
        } else {
                ok(0, "bind mount parsed");
        }
        in = nth(df, 9);
        is_int(in->u.run.n_mounts, 2, "two --mount flags");
        if (in->u.run.n_mounts == 2) {
                ok(in->u.run.mounts[0].type == SL_DF_MOUNT_TMPFS, "type=tmpfs");
                ok(in->u.run.mounts[0].has_size && in->u.run.mounts[0].size == 64u << 20, "tmpfs size=64m");
                ok(in->u.run.mounts[1].type == SL_DF_MOUNT_SECRET, "type=secret");
                is_str(in->u.run.mounts[1].target, "/run/secrets/token", "secret target defaults from the id");
                ok(in->u.run.mounts[1].required, "required=true");
        }
        in = nth(df, 10);
        if (in->u.run.n_mounts == 2) {
                is_str(in->u.run.mounts[0].env, "AWS_KEY", "secret env=");
                ok(in->u.run.mounts[0].target == NULL, "an env secret has no default target");
                ok(in->u.run.mounts[1].type == SL_DF_MOUNT_BIND, "the default mount type is bind");
                ok(in->u.run.mounts[1].readonly, "bind mounts are read-only by default");
        } else {
                ok(0, "secret env and default-type mounts parsed");
        }
        ok(!nth(df, 11)->u.run.cmd.exec_form, "text after a JSON array makes it shell form, as Docker does");
        is_str(argv_at(&nth(df, 11)->u.run.cmd, 0), "[\"sh\", \"-c\", \"echo hi\"] trailing junk", "all of it");
        sl_dockerfile_free(df);
}

static void test_cmd_entrypoint_shell(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
                                     "CMD echo $HOME\n"
                                     "ENTRYPOINT [\"/entry\"]\n"
                                     "ENTRYPOINT exec top -b\n"
                                     "CMD []\n"
                                     "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n");
        ok(df != NULL, "CMD/ENTRYPOINT/SHELL parse");
        ok(nth(df, 1)->u.cmd.exec_form && nth(df, 1)->u.cmd.argc == 3, "CMD exec form");
        is_str(argv_at(&nth(df, 1)->u.cmd, 2), "daemon off;", "CMD element");
        ok(!nth(df, 2)->u.cmd.exec_form, "CMD shell form");
        is_str(argv_at(&nth(df, 2)->u.cmd, 0), "echo $HOME", "shell form is not expanded by the parser");
        ok(nth(df, 3)->kind == SL_DF_ENTRYPOINT && nth(df, 3)->u.cmd.exec_form, "ENTRYPOINT exec form");
        ok(!nth(df, 4)->u.cmd.exec_form, "ENTRYPOINT shell form");
        ok(nth(df, 5)->u.cmd.exec_form && nth(df, 5)->u.cmd.argc == 0, "CMD [] is an empty exec form");
        is_int(nth(df, 6)->u.list.n, 4, "SHELL takes a JSON array");
        is_str(item(nth(df, 6)->u.list.items, nth(df, 6)->u.list.n, 3), "-c", "SHELL element");
        sl_dockerfile_free(df);
}

static void test_copy_add(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "COPY a.txt b/ /dest/\n"
                                     "COPY --from=build --chown=app:app --chmod=0644 --link /out/bin /usr/bin/\n"
                                     "COPY --parents --exclude=*.md --exclude=tmp/ src/ /app/\n"
                                     "COPY [\"with space.txt\", \"/dst dir/\"]\n"
                                     "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir=true https://example.com/a.tgz /\n"
                                     "ADD --link=false --chown=1:2 --chmod=755 --exclude=x rootfs.tar /\n"
                                     "COPY -- --weird-name /x\n");
        ok(df != NULL, "COPY/ADD parse");
        const sl_df_copy *c = &nth(df, 1)->u.copy;
        is_int(c->n_srcs, 2, "COPY two sources");
        is_str(c->n_srcs > 1 ? c->srcs[1].path : NULL, "b/", "second source");
        is_str(c->dest, "/dest/", "destination");
        ok(c->n_srcs && c->srcs[0].heredoc == -1, "a path source is not a heredoc");
        c = &nth(df, 2)->u.copy;
        is_str(c->from, "build", "COPY --from");
        is_str(c->chown, "app:app", "COPY --chown");
        is_str(c->chmod, "0644", "COPY --chmod");
        ok(c->link, "COPY --link");
        ok(!c->parents, "--parents not given");
        c = &nth(df, 3)->u.copy;
        ok(c->parents, "COPY --parents");
        is_int(c->n_excludes, 2, "--exclude repeats");
        is_str(item(c->excludes, c->n_excludes, 1), "tmp/", "second --exclude");
        c = &nth(df, 4)->u.copy;
        ok(c->exec_form, "COPY JSON form");
        is_str(c->n_srcs ? c->srcs[0].path : NULL, "with space.txt", "JSON source keeps spaces");
        is_str(c->dest, "/dst dir/", "JSON destination");
        c = &nth(df, 5)->u.copy;
        ok(nth(df, 5)->kind == SL_DF_ADD, "ADD");
        ok(c->checksum && strncmp(c->checksum, "sha256:", 7) == 0, "ADD --checksum");
        ok(c->keep_git_dir, "ADD --keep-git-dir=true");
        c = &nth(df, 6)->u.copy;
        ok(!c->link, "--link=false");
        is_str(c->chown, "1:2", "ADD --chown");
        is_int(c->n_excludes, 1, "ADD --exclude");
        c = &nth(df, 7)->u.copy;
        is_str(c->n_srcs ? c->srcs[0].path : NULL, "--weird-name", "\"--\" ends the flags");
        sl_dockerfile_free(df);
}

static void test_env_label_arg(void)
{
        sl_dockerfile *df = parse_ok("ARG BASE=alpine VERSION\n"
                                     "FROM $BASE\n"
                                     "ENV A=1 B=\"two words\" C='$lit' D=a\\ b\n"
                                     "ENV LEGACY value with  spaces\n"
                                     "LABEL org.title=\"My App\" version=1.0\n"
                                     "LABEL legacy label value\n"
                                     "ARG USER=app\n"
                                     "ENV E=\n");
        ok(df != NULL, "ENV/LABEL/ARG parse");
        is_int(df ? df->n_global_args : 0, 1, "ARG before FROM is global");
        const sl_df_instr *in = nth(df, 0);
        is_int(in->u.kv.n, 2, "ARG declares two names");
        is_str(in->u.kv.n ? in->u.kv.items[0].value : NULL, "alpine", "ARG default");
        ok(in->u.kv.n > 1 && in->u.kv.items[1].value == NULL, "ARG without default has no value");
        in = nth(df, 2);
        is_int(in->u.kv.n, 4, "ENV with four pairs");
        ok(!in->u.kv.legacy, "KEY=VALUE form");
        is_str(in->u.kv.n > 1 ? in->u.kv.items[1].value : NULL, "\"two words\"", "quotes are kept until expansion");
        is_str(in->u.kv.n > 2 ? in->u.kv.items[2].value : NULL, "'$lit'", "single quotes kept");
        is_str(in->u.kv.n > 3 ? in->u.kv.items[3].value : NULL, "a\\ b", "escaped space stays in one word");
        in = nth(df, 3);
        ok(in->u.kv.legacy, "legacy ENV form");
        is_str(in->u.kv.n ? in->u.kv.items[0].key : NULL, "LEGACY", "legacy key");
        is_str(in->u.kv.n ? in->u.kv.items[0].value : NULL, "value with  spaces", "legacy value is the rest");
        in = nth(df, 4);
        is_str(in->u.kv.n ? in->u.kv.items[0].key : NULL, "org.title", "LABEL key");
        is_str(in->u.kv.n > 1 ? in->u.kv.items[1].value : NULL, "1.0", "LABEL value");
        ok(nth(df, 5)->u.kv.legacy, "legacy LABEL form");
        is_str(nth(df, 7)->u.kv.n ? nth(df, 7)->u.kv.items[0].value : NULL, "", "ENV E= is empty");
        sl_dockerfile_free(df);
}

static void test_misc_instructions(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "EXPOSE 80 443/tcp 53/udp 8000-8010/sctp $PORT\n"
                                     "VOLUME /data /logs\n"
                                     "VOLUME [\"/var/lib/db\"]\n"
                                     "WORKDIR /app dir\n"
                                     "USER app:staff\n"
                                     "STOPSIGNAL SIGQUIT\n"
                                     "STOPSIGNAL 9\n"
                                     "MAINTAINER Jane <jane@example.com>\n"
                                     "HEALTHCHECK --interval=30s --timeout=1m30s --start-period=5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/\n"
                                     "HEALTHCHECK NONE\n"
                                     "HEALTHCHECK CMD [\"/bin/check\", \"--fast\"]\n"
                                     "ONBUILD RUN make\n"
                                     "onbuild COPY --from=x . /app\n"
                                     "STOPSIGNAL SIGRTMIN+3\n");
        ok(df != NULL, "misc instructions parse");
        is_int(nth(df, 1)->u.list.n, 5, "EXPOSE five ports");
        is_str(item(nth(df, 1)->u.list.items, nth(df, 1)->u.list.n, 3), "8000-8010/sctp", "EXPOSE range");
        is_int(nth(df, 2)->u.list.n, 2, "VOLUME words");
        ok(nth(df, 3)->u.list.exec_form && nth(df, 3)->u.list.n == 1, "VOLUME JSON");
        is_str(nth(df, 4)->u.str, "/app dir", "WORKDIR takes the whole rest");
        is_str(nth(df, 5)->u.str, "app:staff", "USER user:group");
        is_str(nth(df, 6)->u.str, "SIGQUIT", "STOPSIGNAL name");
        is_str(nth(df, 7)->u.str, "9", "STOPSIGNAL number");
        is_str(nth(df, 8)->u.str, "Jane <jane@example.com>", "MAINTAINER");
        const sl_df_health *h = &nth(df, 9)->u.health;
        ok(!h->none, "HEALTHCHECK CMD");
        ok(h->interval_ns == 30000000000LL, "--interval=30s");
        ok(h->timeout_ns == 90000000000LL, "--timeout=1m30s");
        ok(h->start_period_ns == 5000000000LL, "--start-period=5s");
        ok(h->start_interval_ns == 500000000LL, "--start-interval=500ms");
        is_int(h->retries, 3, "--retries=3");
        ok(!h->cmd.exec_form, "HEALTHCHECK CMD shell form");
        is_str(argv_at(&h->cmd, 0), "curl -f http://localhost/", "HEALTHCHECK command");
        ok(nth(df, 10)->u.health.none, "HEALTHCHECK NONE");
        ok(nth(df, 11)->u.health.cmd.exec_form && nth(df, 11)->u.health.cmd.argc == 2, "HEALTHCHECK CMD exec form");
        const sl_df_instr *ob = nth(df, 12);
        is_str(ob->u.onbuild.expression, "RUN make", "ONBUILD expression");
        ok(ob->u.onbuild.trigger && ob->u.onbuild.trigger->kind == SL_DF_RUN, "ONBUILD trigger is parsed");
        ob = nth(df, 13);
        ok(ob->u.onbuild.trigger && ob->u.onbuild.trigger->kind == SL_DF_COPY &&
           ob->u.onbuild.trigger->u.copy.from && !strcmp(ob->u.onbuild.trigger->u.copy.from, "x"),
           "ONBUILD COPY --from keeps its flags");
        ok(ob->u.onbuild.trigger && ob->u.onbuild.trigger->column == 9, "trigger column points into the line");
        is_str(nth(df, 14)->u.str, "SIGRTMIN+3", "STOPSIGNAL realtime signal");
        sl_dockerfile_free(df);
}

static void test_directives(void)
{
        sl_dockerfile *df = parse_ok("# syntax=docker/dockerfile:1.7\n"
                                     "#escape=`\n"
                                     "# check=skip=JSONArgsRecommended,StageNameCasing;error=true\n"
                                     "FROM scratch\n"
                                     "RUN echo a `\n"
                                     "    b\n"
                                     "COPY c:\\src\\file c:\\dst\\\n");
        ok(df != NULL, "directives parse");
        is_str(df ? df->directives.syntax : NULL, "docker/dockerfile:1.7", "syntax directive is reported");
        ok(df && df->directives.escape == '`', "escape=` is used");
        ok(df && df->check.error, "check error=true");
        ok(df && df->check.skip && df->check.skip[0] && !strcmp(df->check.skip[0], "JSONArgsRecommended"),
           "check skip list");
        is_str(argv_at(&nth(df, 1)->u.run.cmd, 0), "echo a     b", "backtick continues lines");
        is_str(nth(df, 2)->u.copy.n_srcs ? nth(df, 2)->u.copy.srcs[0].path : NULL, "c:\\src\\file",
               "backslash is literal with escape=`");
        is_str(nth(df, 2)->u.copy.dest, "c:\\dst\\", "a trailing backslash does not continue with escape=`");
        sl_dockerfile_free(df);

        df = parse_ok("# escape=\\\nFROM scratch\n");
        ok(df && df->directives.escape == '\\', "escape=\\ is accepted");
        sl_dockerfile_free(df);

        df = parse_ok("# a comment first\n# escape=`\nFROM scratch\nRUN a \\\n b\n");
        ok(df && df->directives.escape == '\\', "a directive after a comment is only a comment");
        is_str(argv_at(&nth(df, 1)->u.run.cmd, 0), "a  b", "so backslash still continues lines");
        sl_dockerfile_free(df);

        df = parse_ok("\n# escape=`\nFROM scratch\n");
        ok(df && df->directives.escape == '\\', "a directive after an empty line is a comment");
        sl_dockerfile_free(df);

        df = parse_ok("# unknown=x\n# escape=`\nFROM scratch\n");
        ok(df && df->directives.escape == '\\', "an unknown directive ends the directives");
        sl_dockerfile_free(df);

        df = parse_ok("FROM scratch\n# escape=`\nRUN a \\\n b\n");
        ok(df && df->directives.escape == '\\', "a directive after an instruction is a comment");
        sl_dockerfile_free(df);

        df = parse_ok("#   ESCAPE   =   `   \nFROM scratch\n");
        ok(df && df->directives.escape == '`', "directive names are case-insensitive and spacing is free");
        sl_dockerfile_free(df);

        df = parse_ok("\xef\xbb\xbf# escape=`\nFROM scratch\n");
        ok(df && df->directives.escape == '`', "a UTF-8 BOM before a directive is skipped");
        sl_dockerfile_free(df);
}

static void test_continuations(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "RUN apt-get update && \\\n"
                                     "# a comment inside\n"
                                     "    # an indented comment\n"
                                     "\n"
                                     "    apt-get install -y \\   \n"
                                     "      curl\n"
                                     "  # comment between instructions\n"
                                     "   run   echo indented  \r\n"
                                     "ENV A=1 \\\n"
                                     "    B=2\n"
                                     "RUN echo last \\\n");
        ok(df != NULL, "continuations parse");
        const sl_df_instr *in = nth(df, 1);
        is_str(argv_at(&in->u.run.cmd, 0), "apt-get update &&     apt-get install -y       curl",
               "continuation joins lines, dropping comments and empty lines");
        is_int(in->line, 2, "instruction starts at its first line");
        is_int(in->end_line, 7, "and ends at its last line");
        is_int(df ? (long long)df->n_empty_continuations : 0, 1, "the empty continuation line is recorded");
        ok(df && df->n_empty_continuations && df->empty_continuations[0] == 5, "at line 5");
        in = nth(df, 2);
        is_str(argv_at(&in->u.run.cmd, 0), "echo indented", "leading blanks and CRLF are trimmed");
        is_int(in->column, 4, "column of an indented instruction");
        is_int(nth(df, 3)->u.kv.n, 2, "ENV pairs across lines");
        is_str(argv_at(&nth(df, 4)->u.run.cmd, 0), "echo last", "a continuation at end of file ends the line");
        is_str(nth(df, 1)->original, "RUN apt-get update &&     apt-get install -y       curl",
               "original text of the instruction");
        sl_dockerfile_free(df);
}

static void test_heredocs(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "RUN <<EOF\n"
                                     "echo $HOME\n"
                                     "  indented\n"
                                     "EOF\n"
                                     "RUN <<-EOT bash\n"
                                     "\t\techo tabs\n"
                                     "\tEOT\n"
                                     "COPY <<\"A\" <<'B' /dest/\n"
                                     "a $x\n"
                                     "A\n"
                                     "b\n"
                                     "B\n"
                                     "RUN 3<<FILE cat /proc/self/fd/3 && cat <<NEXT\n"
                                     "three\n"
                                     "FILE\n"
                                     "next\n"
                                     "NEXT\n"
                                     "COPY <<EOF /etc/motd\n"
                                     "EOF\n"
                                     "RUN echo \"<<NOTHEREDOC\" && echo x<<y\n"
                                     "ADD <<conf /c\n"
                                     "c\n"
                                     "conf\n"
                                     "CMD echo done\n");
        ok(df != NULL, "heredocs parse");
        const sl_df_instr *in = nth(df, 1);
        is_int(in->n_heredocs, 1, "RUN <<EOF has one heredoc");
        if (in->n_heredocs) {
                is_str(in->heredocs[0].name, "EOF", "heredoc name");
                is_str(in->heredocs[0].content, "echo $HOME\n  indented\n", "heredoc body keeps its text");
                ok(in->heredocs[0].expand, "unquoted delimiter expands");
                ok(!in->heredocs[0].chomp, "<< does not strip tabs");
        }
        is_str(argv_at(&in->u.run.cmd, 0), "<<EOF", "the RUN line keeps the heredoc marker");
        is_int(in->end_line, 5, "the instruction ends at its terminator");
        in = nth(df, 2);
        if (in->n_heredocs) {
                ok(in->heredocs[0].chomp, "<<- strips tabs");
                is_str(in->heredocs[0].content, "echo tabs\n", "leading tabs are removed from the body");
        } else {
                ok(0, "<<- heredoc parsed");
        }
        in = nth(df, 3);
        is_int(in->n_heredocs, 2, "two heredocs on one COPY line");
        if (in->n_heredocs == 2) {
                is_str(in->heredocs[0].name, "A", "double-quoted delimiter name");
                ok(!in->heredocs[0].expand, "double quotes disable expansion");
                is_str(in->heredocs[0].content, "a $x\n", "first body");
                ok(!in->heredocs[1].expand, "single quotes disable expansion");
                is_str(in->heredocs[1].content, "b\n", "second body");
        }
        is_int(in->u.copy.n_srcs, 2, "each heredoc is a COPY source");
        ok(in->u.copy.n_srcs == 2 && in->u.copy.srcs[0].heredoc == 0 && in->u.copy.srcs[1].heredoc == 1,
           "sources point at their heredocs");
        in = nth(df, 4);
        is_int(in->n_heredocs, 2, "heredocs with a file descriptor and later in the line");
        if (in->n_heredocs == 2) {
                is_int(in->heredocs[0].fd, 3, "3<<FILE has fd 3");
                is_str(in->heredocs[1].content, "next\n", "the second body follows the first");
        }
        in = nth(df, 5);
        is_int(in->n_heredocs, 1, "an empty heredoc");
        is_str(in->n_heredocs ? in->heredocs[0].content : NULL, "", "its body is empty");
        is_str(in->u.copy.n_srcs ? in->u.copy.srcs[0].path : NULL, "EOF", "the source is named after the heredoc");
        in = nth(df, 6);
        is_int(in->n_heredocs, 0, "<< inside quotes or mid-word is no heredoc");
        ok(nth(df, 7)->kind == SL_DF_ADD && nth(df, 7)->n_heredocs == 1, "ADD takes heredocs too");
        ok(nth(df, 8)->kind == SL_DF_CMD && nth(df, 8)->line == 25, "parsing resumes after the heredocs");
        sl_dockerfile_free(df);

        df = parse_ok("FROM scratch\nCMD cat <<EOF\nEOF\n");
        ok(df == NULL, "CMD does not read heredocs, so its body line is an instruction");
        sl_dockerfile_free(df);
}

static void test_text_edge_cases(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "RUN echo a\\\\\n"
                                     "RUN [\"cat\", \"<<EOF\"]\n"
                                     "ONBUILD RUN <<EOF\n"
                                     "echo onbuild\n"
                                     "EOF\n"
                                     "RUN <<EOF\r\n"
                                     "crlf\r\n"
                                     "EOF\r\n"
                                     "VOLUME [\" /padded \"]\n"
                                     "\\\n"
                                     "RUN alone\n");
        ok(df != NULL, "text edge cases parse");
        is_str(argv_at(&nth(df, 1)->u.run.cmd, 0), "echo a\\\\", "an escaped escape at the end does not continue");
        is_int(nth(df, 2)->n_heredocs, 0, "JSON form reads no heredocs");
        const sl_df_instr *ob = nth(df, 3);
        is_int(ob->n_heredocs, 1, "ONBUILD RUN <<EOF reads its heredoc");
        is_str(ob->u.onbuild.expression, "RUN <<EOF\necho onbuild\nEOF", "the trigger text includes the body");
        ok(ob->u.onbuild.trigger && ob->u.onbuild.trigger->n_heredocs == 1, "the trigger carries the heredoc");
        is_str(nth(df, 4)->n_heredocs ? nth(df, 4)->heredocs[0].content : NULL, "crlf\r\n",
               "heredoc bodies keep CRLF line endings");
        is_str(item(nth(df, 5)->u.list.items, nth(df, 5)->u.list.n, 0), "/padded", "VOLUME JSON paths are trimmed");
        is_str(argv_at(&nth(df, 6)->u.run.cmd, 0), "alone", "a lone escape line continues into the next");
        sl_dockerfile_free(df);

        sl_df_instr *t = NULL;
        sl_error err = {0};
        ok(sl_dockerfile_parse_trigger("COPY <<EOF /motd\nhello\nEOF", "img", 1, '\\', &t, &err) == 0 &&
           t->kind == SL_DF_COPY && t->n_heredocs == 1 && t->u.copy.srcs[0].heredoc == 0,
           "a stored trigger with a heredoc parses back");
        is_str(t && t->n_heredocs ? t->heredocs[0].content : NULL, "hello\n", "with its body");
        sl_df_instr_free(t);
        ok(sl_dockerfile_parse_trigger("RUN a\nRUN b", "img", 1, '\\', &t, &err) < 0, "two instructions are no trigger");
        is_str(err.msg, "img:1: an ONBUILD trigger must be exactly one instruction", "and say so");
}

/* argv joined with "|" for comparison. */
static char *joined(char **argv)
{
        static char buf[512];
        buf[0] = '\0';
        for (size_t i = 0; argv && argv[i]; i++)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", argv[i]);
        sl_strv_free(argv);
        return buf;
}

static void test_command_argv(void)
{
        sl_dockerfile *df = parse_ok("FROM scratch\n"
                                     "RUN echo hi\n"
                                     "RUN [\"/bin/true\", \"x\"]\n"
                                     "RUN <<EOF\n"
                                     "echo one\n"
                                     "echo two\n"
                                     "EOF\n"
                                     "RUN <<'PY'\n"
                                     "#!/usr/bin/env python3\n"
                                     "print(1)\n"
                                     "PY\n"
                                     "RUN python3 <<EOF > /out\n"
                                     "print(2)\n"
                                     "EOF\n"
                                     "RUN cat <<A <<-B\n"
                                     "a\n"
                                     "A\n"
                                     "\tb\n"
                                     "\tB\n"
                                     "CMD echo $HOME\n"
                                     "ENTRYPOINT [\"/entry\"]\n");
        char *bash[] = {"/bin/bash", "-eu", "-c", NULL};
        const sl_df_heredoc *script = NULL;
        ok(df != NULL, "RUN forms for argv parse");
        is_str(joined(sl_df_run_argv(nth(df, 1), NULL, "/dev/pipes", &script)), "/bin/sh|-c|echo hi",
               "shell form runs through /bin/sh -c by default");
        is_str(joined(sl_df_run_argv(nth(df, 1), bash, "/dev/pipes", &script)), "/bin/bash|-eu|-c|echo hi",
               "or through the stage's SHELL");
        is_str(joined(sl_df_run_argv(nth(df, 2), bash, "/dev/pipes", &script)), "/bin/true|x", "exec form as written");
        is_str(joined(sl_df_run_argv(nth(df, 3), NULL, "/dev/pipes", &script)), "/bin/sh|-c|echo one\necho two\n",
               "a lone heredoc is the script");
        ok(script == NULL, "which needs no file");
        is_str(joined(sl_df_run_argv(nth(df, 4), NULL, "/dev/pipes", &script)), "/dev/pipes/PY",
               "a #! heredoc runs as a file");
        ok(script && !strcmp(script->name, "PY") && !strncmp(script->content, "#!/usr/bin/env", 14),
           "and names the heredoc to write");
        is_str(joined(sl_df_run_argv(nth(df, 5), NULL, "/dev/pipes", &script)),
               "/bin/sh|-c|python3 <<EOF > /out\nprint(2)\nEOF", "a heredoc feeding a command goes to the shell whole");
        is_str(joined(sl_df_run_argv(nth(df, 6), NULL, "/dev/pipes", &script)), "/bin/sh|-c|cat <<A <<-B\na\nA\nb\nB",
               "several heredocs are reassembled in order");
        is_str(joined(sl_df_command_argv(&nth(df, 7)->u.cmd, NULL)), "/bin/sh|-c|echo $HOME", "CMD shell form for the config");
        is_str(joined(sl_df_command_argv(&nth(df, 8)->u.cmd, bash)), "/entry", "ENTRYPOINT exec form for the config");
        sl_dockerfile_free(df);
}

static void test_stage_grouping(void)
{
        sl_dockerfile *df = parse_ok("ARG A=1\nARG B\nFROM scratch\nRUN a\nRUN b\nFROM scratch AS two\nCOPY x y\n");
        ok(df != NULL, "multi-stage parses");
        is_int(df ? df->n_global_args : 0, 2, "two global ARGs");
        is_int(df ? df->stages[0].n_instrs : 0, 2, "first stage has two instructions");
        is_int(df ? df->stages[1].n_instrs : 0, 1, "second stage has one");
        ok(df && df->stages[1].instrs[0]->kind == SL_DF_COPY, "stage instruction pointers are right");
        is_str(df ? df->stages[1].from->u.from.name : NULL, "two", "stage from pointer");
        sl_dockerfile_free(df);
}

static void test_triggers(void)
{
        sl_df_instr *t = NULL;
        sl_error err = {0};
        ok(sl_dockerfile_parse_trigger("COPY --chown=app . /src", "base-image", 0, '\\', &t, &err) == 0 &&
           t->kind == SL_DF_COPY && !strcmp(t->u.copy.chown, "app"), "an ONBUILD trigger from an image parses");
        ok(t && t->column == 1, "its column counts from the trigger text");
        sl_df_instr_free(t);
        ok(sl_dockerfile_parse_trigger("FROM x", "base-image", 3, '\\', &t, &err) < 0, "a FROM trigger is refused");
        is_str(err.msg, "base-image:3:1: FROM isn't allowed as an ONBUILD trigger", "with the trigger's position");
        ok(sl_dockerfile_parse_trigger("RUN --bad=1 x", "base-image", 2, '\\', &t, &err) < 0, "a bad trigger flag fails");
        is_str(err.msg, "base-image:2:5: unknown flag --bad for RUN (valid flags: --mount, --network, --security)",
               "pointing into the trigger");
        ok(sl_dockerfile_parse_trigger("  ", "base-image", 1, '\\', &t, &err) < 0, "an empty trigger fails");
}

int main(void)
{
        test_from();
        test_run();
        test_cmd_entrypoint_shell();
        test_copy_add();
        test_env_label_arg();
        test_misc_instructions();
        test_directives();
        test_continuations();
        test_heredocs();
        test_stage_grouping();
        test_triggers();
        test_text_edge_cases();
        test_command_argv();
        return tap_done();
}
