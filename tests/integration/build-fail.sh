#!/bin/sh
# sloika-build build: a failing RUN stops the build with its exit code and
# its last output lines, and leaves no container, mount, cgroup or work dir;
# errors before anything runs; RUN's environment, user and network.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

mkctx fail <<'DF'
FROM busybox
RUN echo first-line; echo the-last-words; exit 7
RUN echo never
DF
"$SB" build --root "$S" "$T/fail" > "$T/fail.out" 2> "$T/fail.err"
rc=$?
ok "a failing RUN's exit code is the build's (7)" [ "$rc" = 7 ]
ok "the error repeats the step's last output lines" grep -q 'the-last-words' "$T/fail.err"
ok "the error names the Dockerfile line" grep -q 'Dockerfile:2' "$T/fail.err"
ok "the step's output was streamed" grep -q '^first-line' "$T/fail.out"
ok "later steps do not run" sh -c "! grep -q never '$T/fail.out'"
ok "no mount, work dir or cgroup is left after the failure" no_leftovers

mkctx kill <<'DF'
FROM busybox
RUN sh -c 'kill -9 $$'; exit $?
DF
"$SB" build -q --root "$S" "$T/kill" >/dev/null 2>&1
ok "a RUN whose shell reports a SIGKILL fails with 137" [ $? = 137 ]

mkctx slow <<'DF'
FROM busybox
RUN echo started; sleep 30
DF
start=$(date +%s)
"$SB" build --root "$S" "$T/slow" > "$T/slow.out" 2>&1 &
pid=$!
for i in $(seq 50); do grep -q started "$T/slow.out" 2>/dev/null && break; sleep 0.1; done
kill -TERM $pid
wait $pid
rc=$?
elapsed=$(( $(date +%s) - start ))
ok "SIGTERM stops a build inside a long RUN (non-zero, in ${elapsed}s)" sh -c "[ $rc != 0 ] && [ $elapsed -lt 15 ]"
ok "  ... saying it was interrupted" grep -q interrupted "$T/slow.out"
ok "  ... and leaves no mount, work dir or cgroup" no_leftovers

mkctx syntax <<'DF'
FROM busybox
RUN echo should-not-run > /tmp/x
COPY --bogus a b
DF
ok "a bad Dockerfile fails before any step runs" \
	sh -c "! '$SB' build --root '$S' '$T/syntax' > '$T/syn.out' 2>&1 && ! grep -q '^\[stage' '$T/syn.out' && grep -q 'Dockerfile:3' '$T/syn.out'"
mkctx nobase <<'DF'
FROM no-such-image
DF
ok "a missing base image is a clear error" sh -c "'$SB' build --root '$S' '$T/nobase' 2>&1 | grep -q 'no-such-image'"

mkctx env <<'DF'
FROM busybox
ARG A1=from-arg
ENV E1=from-env
WORKDIR /wd
USER user
RUN echo "$A1 $E1 $(pwd) $(id -u) $(hostname)" > /tmp/env.txt; cat /proc/net/dev | grep -c : > /tmp/ifaces
DF
ok "RUN sees ARG, ENV, WORKDIR and USER" sh -c "'$SB' build -q --root '$S' -t env '$T/env' >/dev/null"
L=$(layer_digests env | tail -1)
ok "  ... with their values" sh -c "tar -xzOf '$(blob_path "$L")' tmp/env.txt | grep -qx 'from-arg from-env /wd 1000 buildkitsandbox'"
ok "RUN has no network by default (loopback only)" sh -c "tar -xzOf '$(blob_path "$L")' tmp/ifaces | grep -qx 1"
ok "a build with --network host succeeds" sh -c "'$SB' build -q --root '$S' --network host -t envh '$T/env' >/dev/null"
L=$(layer_digests envh | tail -1)
HOST_IFACES=$(grep -c : /proc/net/dev)
ok "--network host gives RUN the host's interfaces" sh -c "[ \"\$(tar -xzOf '$(blob_path "$L")' tmp/ifaces)\" = $HOST_IFACES ]"
ok "the resolv.conf/hosts mount points leave no stub files in the layer" \
	sh -c "! tar -tzf '$(blob_path "$L")' 2>/dev/null | grep -Eq '^etc/(resolv.conf|hosts)$'"
ok "no mount, work dir or cgroup is left" no_leftovers
done_testing
