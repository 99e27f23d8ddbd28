#!/bin/sh
# sloika-build killed with SIGKILL mid-RUN and mid-layer-commit: no partial
# blob becomes visible, the next build succeeds, fsck reports what the
# crash left (work dirs, the still running step container, a half-written
# blob) and --repair clears it; 4 concurrent builds into one store give
# the images serial builds give; a full store disk fails cleanly.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/faults/lib.sh"
under_subreaper "$0"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init
tag=$(printf %s "$S" | sha256sum | cut -c1-8)

# fsck_says PATTERN: the last fsck report has a matching line.
fsck_says() { grep -q -- "$1" "$T/fsck.out" || { diag "fsck said:"; sed 's/^/#   /' "$T/fsck.out"; false; }; }
fsck_run() { "$SB" fsck --root "$S" "$@" >"$T/fsck.out" 2>&1; }

# --- killed in RUN ---
mkctx slow <<'EOF'
FROM busybox
RUN echo st""arted; sleep 600
EOF
"$SB" build --root "$S" -t slow "$T/slow" >"$T/slow.log" 2>&1 &
bpid=$!
ok "the slow RUN starts" wait_for 20 grep -q started "$T/slow.log"
kill -9 "$bpid"
wait "$bpid" 2>/dev/null
state=$(ls -d "$S"/tmp/run-*/state/sloika-build-* 2>/dev/null | head -1)
ok "the killed build left its step container behind" [ -n "$state" ]
cpid=$(jq -r .pid "$state/state.json" 2>/dev/null)
ok "its init still runs" kill -0 "$cpid"
ok "every visible blob hashes to its name" blobs_verify "$S"
mkctx quick <<'EOF'
FROM busybox
RUN echo quick > /quick
EOF
ok "the next build succeeds despite the leftovers" sh -c "'$SB' build --root '$S' -q -t quick '$T/quick' > '$T/quick.digest'"
ok "fsck without --repair reports the leftovers and fails" sh -c "! '$SB' fsck --root '$S' > '$T/fsck.out' 2>&1"
ok "it names the step container" fsck_says "step container sloika-build-$tag-"
ok "it names the work dirs" fsck_says "leftover: tmp/run-"
ok "it finds no damage" fsck_says " 0 problems"
ok "fsck without --repair changed nothing" kill -0 "$cpid"
ok "fsck --repair succeeds" fsck_run --repair
ok "it deleted the step container" fsck_says "step container sloika-build-$tag-.*: deleted"
ok "the container's process is gone" wait_for 5 sh -c "! kill -0 $cpid 2>/dev/null"
ok "its cgroups are gone" [ "$(cgroups_named "sloika-build-$tag-*")" = 0 ]
ok "tmp/ is empty" [ -z "$(ls -A "$S/tmp")" ]
ok "a second fsck finds the store clean" fsck_run
ok "it re-hashed every blob" fsck_says "checked $(ls "$S/blobs/sha256" | wc -l) blobs: 0 problems, 0 leftovers"

# --- killed while the layer is committed (diffed, compressed, written) ---
# 48 MiB of random bytes: gzip cannot shrink them, so the commit takes a
# while; the kill lands once a temporary blob is being written.
mkctx big <<'EOF'
FROM busybox
RUN head -c 50331648 /dev/urandom > /big && echo wrote
EOF
"$SB" build --root "$S" --no-cache -t big "$T/big" >"$T/big.log" 2>&1 &
bpid=$!
tmpblob() { for f in "$S"/tmp/blob-*; do [ -s "$f" ] && return 0; done; return 1; }
ok "the build reaches the layer commit" wait_for 60 tmpblob
kill -9 "$bpid"
wait "$bpid" 2>/dev/null
ok "the half-written blob stays in tmp/" tmpblob
ok "no partial blob is visible: every blob hashes to its name" blobs_verify "$S"
ok "the image was not tagged" sh -c "! '$SB' inspect --root '$S' big >/dev/null 2>&1"
ok "fsck reports the half-written blob" sh -c "! '$SB' fsck --root '$S' > '$T/fsck.out' 2>&1"
ok "as a leftover" fsck_says "leftover: tmp/blob-"
ok "not as damage" fsck_says " 0 problems"
ok "fsck --repair clears it" fsck_run --repair
ok "then fsck finds the store clean" fsck_run
ok "the interrupted build succeeds when run again" sh -c "'$SB' build --root '$S' -q -t big '$T/big' > '$T/big.digest'"
ok "its layer is in the store and whole" blobs_verify "$S"
ok "and fsck is still clean" fsck_run

# --- 4 concurrent builds into one store ---
for i in 1 2 3 4; do
	mkctx "c$i" <<EOF
FROM busybox
RUN echo shared > /shared
COPY data /data
RUN echo "build $i" > /id && cat /data >> /id
EOF
	head -c 100000 /dev/urandom >"$T/c$i/data"
done
for i in 1 2 3 4; do
	"$SB" build --root "$S" -q -t "conc:$i" "$T/c$i" >"$T/c$i.digest" 2>"$T/c$i.err" &
done
wait
ok "4 concurrent builds all succeed" sh -c 'for i in 1 2 3 4; do [ -s "$0/c$i.digest" ] || { cat "$0/c$i.err"; exit 1; }; done' "$T"
S2=$T/store2
"$SB" import --root "$S2" -t busybox:latest "$T/rootfs" >/dev/null
for i in 1 2 3 4; do "$SB" build --root "$S2" -q "$T/c$i" >"$T/s$i.digest" 2>&1; done
ok "each gives the digest a serial build in a fresh store gives" \
	sh -c 'for i in 1 2 3 4; do cmp -s "$0/c$i.digest" "$0/s$i.digest" || exit 1; done' "$T"
# the top layer of each image holds its own /id
top_id() {
	local d
	d=$(layer_digests "conc:$1" | tail -1) && tar --warning=no-unknown-keyword -xzOf "$(blob_path "$d")" id
}
good=yes
for i in 1 2 3 4; do
	[ "$(top_id $i)" = "$(printf 'build %s\n' $i; cat "$T/c$i/data")" ] || good=no
done
ok "each image holds its own files" [ "$good" = yes ]
ok "the shared step was stored once" [ "$(layer_digests conc:1 | sed -n 2p)" = "$(layer_digests conc:4 | sed -n 2p)" ]
ok "fsck finds the store clean after concurrent builds" fsck_run
ok "no build left a mount, work dir or cgroup" no_leftovers

# --- a full disk ---
D=$T/small
mkdir -p "$D"
if mount -t tmpfs -o size=12m tmpfs "$D" 2>/dev/null; then
	SD=$D/store
	ok "a busybox base fits on the small store" sh -c "'$SB' import --root '$SD' -t busybox:latest '$T/rootfs' >/dev/null"
	mkctx fill <<'EOF'
FROM busybox
RUN head -c 16777216 /dev/zero > /fill
EOF
	ok "a RUN that outgrows the disk fails the build" sh -c "! '$SB' build --root '$SD' -t fill '$T/fill' > '$T/fill.log' 2>&1"
	# overlayfs on a full tmpfs gives the writer EIO or ENOSPC
	ok "naming the RUN and the write error" grep -Eq "RUN head .*exit code 1; last output:" "$T/fill.log"
	# 6 MiB of random bytes fit while RUN writes them, the compressed copy not
	mkctx fill2 <<'EOF'
FROM busybox
RUN head -c 6291456 /dev/urandom > /fill
EOF
	ok "a layer commit that outgrows the disk fails the build" sh -c "! '$SB' build --root '$SD' -t fill2 '$T/fill2' > '$T/fill2.log' 2>&1"
	ok "with a clear error" grep -q 'No space left on device' "$T/fill2.log"
	grep -h 'space' "$T/fill.log" "$T/fill2.log" | while read -r l; do diag "$l"; done
	ok "it tagged nothing" sh -c "! '$SB' inspect --root '$SD' fill >/dev/null 2>&1 && ! '$SB' inspect --root '$SD' fill2 >/dev/null 2>&1"
	ok "every stored blob is whole" blobs_verify "$SD"
	ok "the failed builds left nothing in tmp/" [ -z "$(ls -A "$SD/tmp")" ]
	ok "fsck finds the full store consistent" sh -c "'$SB' fsck --root '$SD' > '$T/fsck.out' 2>&1"
	ok "the base image still exports" sh -c "'$SB' export --root '$SD' busybox '$T/full-export' >/dev/null"
	umount "$D"
else
	skip "a build on a full disk fails cleanly" "cannot mount a tmpfs"
fi
done_testing
