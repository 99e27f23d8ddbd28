#!/bin/sh
# sloika-build build: multi-stage builds (COPY --from, unneeded stages
# never run, --target), .dockerignore, the build cache, build args,
# metadata instructions, COPY options and ONBUILD.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

mkctx ms <<'DF'
ARG BASE=busybox
FROM $BASE AS builder
ARG WHO=nobody
RUN echo "built for $WHO" > /artifact
FROM $BASE AS unused
RUN echo "this stage must never run" && exit 42
FROM busybox
COPY --from=builder /artifact /final/artifact
DF
ok "a multi-stage build succeeds although an unneeded stage would fail" \
	sh -c "'$SB' build --root '$S' -t ms --build-arg WHO=tests '$T/ms' > '$T/ms.out' 2>&1"
ok "the unneeded stage is never mentioned in the progress" sh -c "! grep -q 'never run' '$T/ms.out'"
ok "progress names steps as [stage i/n]" grep -q '^\[stage 2/2\] COPY --from=builder' "$T/ms.out"
ok "the final line is the digest" sh -c "tail -1 '$T/ms.out' | grep -Eq '^digest: sha256:[0-9a-f]{64}$'"
L=$(layer_digests ms | tail -1)
ok "COPY --from carries the other stage's file, built with the build arg" \
	sh -c "tar -xzOf '$(blob_path "$L")' final/artifact | grep -qx 'built for tests'"
ok "--target builds the named stage, and it fails as it should" \
	sh -c "! '$SB' build -q --root '$S' --target unused '$T/ms' >/dev/null 2>&1"
ok "an unknown --target is an error" sh -c "! '$SB' build -q --root '$S' --target nosuch '$T/ms' 2>/dev/null"

ok "a cached rebuild prints CACHED for every step" \
	sh -c "'$SB' build --root '$S' --build-arg WHO=tests '$T/ms' > '$T/ms2.out' && [ \$(grep -c '^  CACHED' '$T/ms2.out') = 3 ] && ! grep -q '  done' '$T/ms2.out'"
ok "a changed build arg runs the step again" \
	sh -c "'$SB' build --root '$S' --build-arg WHO=other '$T/ms' | grep -q '  done'"
ok "--no-cache runs every step" \
	sh -c "[ \$('$SB' build --root '$S' --no-cache --build-arg WHO=tests '$T/ms' | grep -c '  done') = 3 ]"

mkctx ign <<'DF'
FROM busybox
COPY . /ctx/
DF
mkdir -p "$T/ign/secret" "$T/ign/logs"
echo keep > "$T/ign/keep.txt"; echo no > "$T/ign/secret/key"; echo no > "$T/ign/logs/a.log"; echo yes > "$T/ign/logs/keep.log"
printf 'secret\nlogs/*.log\n!logs/keep.log\n' > "$T/ign/.dockerignore"
ok "a build with a .dockerignore succeeds" sh -c "'$SB' build -q --root '$S' -t ign '$T/ign' >/dev/null"
L=$(layer_digests ign | tail -1)
tar -tzf "$(blob_path "$L")" > "$T/ign.txt" 2>/dev/null
ok ".dockerignore excludes a directory" sh -c "! grep -q '^ctx/secret' '$T/ign.txt'"
ok ".dockerignore excludes by pattern" sh -c "! grep -qx 'ctx/logs/a.log' '$T/ign.txt'"
ok "! re-includes an excluded file" grep -qx 'ctx/logs/keep.log' "$T/ign.txt"
ok "other files are copied" grep -qx 'ctx/keep.txt' "$T/ign.txt"
ok "an unchanged context is CACHED" sh -c "'$SB' build --root '$S' '$T/ign' | grep -q '^  CACHED'"
touch "$T/ign/keep.txt"
ok "a touched but unchanged file is still CACHED (content digest)" sh -c "'$SB' build --root '$S' '$T/ign' | grep -q '^  CACHED'"
echo changed > "$T/ign/keep.txt"
ok "a changed file runs COPY again" sh -c "'$SB' build --root '$S' '$T/ign' | grep -q '  done'"
echo changed-secret > "$T/ign/secret/key"
ok "a change to an ignored file keeps the cache" sh -c "'$SB' build --root '$S' '$T/ign' | grep -q '^  CACHED'"

mkctx meta <<'DF'
FROM busybox
ENV A=1 B="two words"
LABEL org.example.x="y"
EXPOSE 8080 53/udp
VOLUME /data
USER user
WORKDIR /work/dir
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/echo"]
CMD ["hello"]
COPY --chown=user:staff --chmod=0640 f.txt rel.txt
ONBUILD RUN echo triggered > /tmp/onbuild
HEALTHCHECK --interval=30s --retries=2 CMD ["/bin/true"]
SHELL ["/bin/sh", "-ec"]
MAINTAINER someone@example.com
DF
echo f > "$T/meta/f.txt"
ok "metadata instructions build" sh -c "'$SB' build -q --root '$S' -t meta '$T/meta' >/dev/null"
"$SB" inspect --root "$S" meta > "$T/meta.json"
ok "ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, ENTRYPOINT, CMD, ONBUILD reach the config" \
	jq_true "$T/meta.json" '.config | (.Env | index("A=1") != null) and (.Env | index("B=two words") != null) and .Labels["org.example.x"] == "y"
		and (.ExposedPorts | has("8080/tcp") and has("53/udp")) and (.Volumes | has("/data")) and .User == "user"
		and .WorkingDir == "/work/dir" and .StopSignal == "SIGINT" and .Entrypoint == ["/bin/echo"] and .Cmd == ["hello"]
		and .OnBuild == ["RUN echo triggered > /tmp/onbuild"]'
ok "HEALTHCHECK, SHELL and MAINTAINER reach the config" \
	jq_true "$T/meta.json" '.config.Healthcheck.Test == ["CMD", "/bin/true"] and .config.Healthcheck.Interval == 30000000000
		and .config.Healthcheck.Retries == 2 and .config.Shell == ["/bin/sh", "-ec"] and .author == "someone@example.com"'
ok "created times are the fixed epoch" jq_true "$T/meta.json" '.created == "1970-01-01T00:00:00Z" and ([.history[].created] | unique) == ["1970-01-01T00:00:00Z"]'
ok "metadata steps add empty_layer history entries" \
	sh -c "[ \$(jq '[.history[] | select(.empty_layer == true)] | length' '$T/meta.json') -ge 9 ]"
L=$(layer_digests meta | tail -1)
ok "COPY --chown names resolve through the image's passwd and group, --chmod applies, dest is relative to WORKDIR" \
	sh -c "tar -tzvf '$(blob_path "$L")' 2>/dev/null | grep -Eq '^-rw-r----- 1000/50 .* work/dir/rel.txt$'"
mkctx child <<'DF'
FROM meta
ENTRYPOINT ["/bin/cat"]
DF
ok "a build FROM an image with ONBUILD runs the trigger" sh -c "'$SB' build --root '$S' -t child '$T/child' > '$T/child.out' 2>&1"
L=$(layer_digests child | tail -1)
ok "the trigger's layer is in the child image" sh -c "tar -xzOf '$(blob_path "$L")' tmp/onbuild | grep -qx triggered"
"$SB" inspect --root "$S" child > "$T/child.json"
ok "ENTRYPOINT resets an inherited CMD; triggers are not inherited" \
	jq_true "$T/child.json" '.config.Cmd == null and .config.Entrypoint == ["/bin/cat"] and .config.OnBuild == null'

mkctx bad <<'DF'
FROM busybox
ADD https://example.com/x.tar /x
DF
ok "ADD of a URL fails clearly (no network)" sh -c "'$SB' build -q --root '$S' '$T/bad' 2>&1 | grep -q 'network'"
mkctx add <<'DF'
FROM busybox
ADD arch.tar.gz /unpacked/
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 plain.txt /p
DF
mkdir -p "$T/tarsrc/d" && echo inside > "$T/tarsrc/d/f" && tar -C "$T/tarsrc" -czf "$T/add/arch.tar.gz" d
echo plain > "$T/add/plain.txt"
ok "ADD --checksum with the wrong sum fails" sh -c "'$SB' build -q --root '$S' '$T/add' 2>&1 | grep -q 'checksum mismatch'"
sed -i "s/sha256:0*/sha256:$(sha256sum "$T/add/plain.txt" | cut -d' ' -f1)/" "$T/add/Dockerfile"
ok "ADD --checksum passes with the right sum" sh -c "'$SB' build -q --root '$S' -t add '$T/add' >/dev/null"
L=$(layer_digests add | sed -n 2p)
ok "ADD extracts a local tarball" sh -c "tar -xzOf '$(blob_path "$L")' unpacked/d/f | grep -qx inside"
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
