#!/bin/sh
# sloika-build fsck against each kind of damage a crash or a disk can
# leave, planted by hand: it reports every one without changing anything,
# --repair fixes every one, and what was healthy stays usable.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/faults/lib.sh"
under_subreaper "$0"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init
SLOIKA=${SLOIKA:-$top_builddir/sloika}

fsck_says() { grep -q -- "$1" "$T/fsck.out" || { diag "no \"$1\" in:"; sed 's/^/#   /' "$T/fsck.out"; false; }; }

mkctx two <<'EOF'
FROM busybox
RUN echo two > /two
EOF
mkctx three <<'EOF'
FROM busybox
RUN echo three > /three
EOF
sb build --root "$S" -q -t two "$T/two" >/dev/null || bail "cannot build two"
sb build --root "$S" -q -t three "$T/three" >/dev/null || bail "cannot build three"
ok "a healthy store passes fsck" sh -c "'$SB' fsck --root '$S' > '$T/fsck.out'"

# the planted damage
echo half >"$S/tmp/blob-0123456789abcdef"                     # a half-written blob
mkdir -p "$S/tmp/layer-0123456789abcdef/usr/bin"              # a half-unpacked layer
echo x >"$S/tmp/layer-0123456789abcdef/usr/bin/tool"
mkdir -p "$S/tmp/ovl-0123456789abcdef/merged" "$S/layers/not-a-chain-id"
mkdir -p "$T/sentinel/keep" && echo precious >"$T/sentinel/keep/file"
sum_before=$(tree_sum "$T/sentinel")
# an orphaned work dir whose merged dir still has a bind mount of
# someone else's files: removing the work dir must not delete through it
mount --bind "$T/sentinel" "$S/tmp/ovl-0123456789abcdef/merged" || bail "cannot bind mount"
# an orphaned step container, as a build killed mid-RUN leaves it
mkdir -p "$S/tmp/run-0123456789abcdef/state" "$T/ctr/rootfs"
cp -a "$T/rootfs/." "$T/ctr/rootfs/"
(cd "$T/ctr" && "$SLOIKA" spec && jq '.process.args = ["sleep", "600"] | .process.terminal = false' config.json >c &&
	mv c config.json)
cid=sloika-build-fsck-$$
"$SLOIKA" --root "$S/tmp/run-0123456789abcdef/state" run -d -b "$T/ctr" "$cid" </dev/null >/dev/null 2>&1
cpid=$("$SLOIKA" --root "$S/tmp/run-0123456789abcdef/state" state "$cid" 2>/dev/null | jq -r .pid)
ok "the planted step container runs" kill -0 "$cpid"
# a corrupt layer blob of 'three', and 'two' left dangling by a lost config
three_layer=$(layer_digests three | tail -1)
printf 'flipped' >>"$(blob_path "$three_layer")"
two_cfg=$(sb inspect --root "$S" --manifest two | jq -r .config.digest)
rm "$(blob_path "$two_cfg")"
echo "sha256:$(printf %064d 0)" >"$S/cache/$(printf %064d 1)"  # a cache entry naming nothing
ls -laR "$S" 2>/dev/null | grep -v ' \.\.\?$' | sha256sum >"$T/listing.before"

ok "fsck reports the damage and fails" sh -c "! '$SB' fsck --root '$S' > '$T/fsck.out' 2>&1"
ok "it names the half-written blob" fsck_says "leftover: tmp/blob-0123456789abcdef"
ok "it names the half-unpacked layer" fsck_says "leftover: tmp/layer-0123456789abcdef"
ok "it names the orphaned mount" fsck_says "leftover: mount on .*/tmp/ovl-0123456789abcdef/merged"
ok "it names the orphaned step container" fsck_says "leftover: tmp/run-0123456789abcdef: step container $cid"
ok "it names the bad layer dir" fsck_says "error: layers/not-a-chain-id: not a layer dir"
ok "it names the corrupt blob" fsck_says "error: blob $three_layer: content hashes to"
ok "it names the tag using the corrupt blob" fsck_says "error: tag three:latest: layer blob $three_layer is corrupt"
ok "it names the dangling tag" fsck_says "error: tag two:latest: config $two_cfg is missing"
ok "it names the stale cache entry" fsck_says "leftover: cache/$(printf %064d 1): names no stored blob"
ok "it names the build cache entries of the broken images" fsck_says "error: cache/.*: names a broken image: config $two_cfg is missing"
ok "it counts them" fsck_says "6 problems, 7 leftovers, 0 repaired"
ls -laR "$S" 2>/dev/null | grep -v ' \.\.\?$' | sha256sum >"$T/listing.after"
ok "without --repair it changed nothing" cmp -s "$T/listing.before" "$T/listing.after"
ok "  ... and left the container running" kill -0 "$cpid"

ok "fsck --repair succeeds" sh -c "'$SB' fsck --repair --root '$S' > '$T/fsck.out' 2>&1"
ok "it reports what it repaired" fsck_says "6 problems, 7 leftovers, 13 repaired"
ok "the step container is deleted" wait_for 5 sh -c "! kill -0 $cpid 2>/dev/null"
ok "  ... with its cgroups" [ "$(cgroups_named "$cid")" = 0 ]
ok "the mount is detached" sh -c "! grep -q ' $S/tmp/' /proc/self/mountinfo"
ok "the files behind the mount are untouched" [ "$(tree_sum "$T/sentinel")" = "$sum_before" ]
ok "tmp/ is empty" [ -z "$(ls -A "$S/tmp")" ]
ok "the bad layer dir is gone" [ ! -e "$S/layers/not-a-chain-id" ]
ok "the corrupt blob is gone" [ ! -e "$(blob_path "$three_layer")" ]
ok "the broken tags are gone" sh -c "! '$SB' inspect --root '$S' two >/dev/null 2>&1 && ! '$SB' inspect --root '$S' three >/dev/null 2>&1"
ok "the stale cache entry is gone" [ ! -e "$S/cache/$(printf %064d 1)" ]
ok "the healthy image stays" sh -c "'$SB' export --root '$S' busybox '$T/export' >/dev/null"
ok "a second fsck finds the store clean" sh -c "'$SB' fsck --root '$S' > '$T/fsck.out'"
ok "the lost image builds again (its cache entry went with it)" sh -c "'$SB' build --root '$S' -q -t three '$T/three' >/dev/null"
ok "and fsck stays clean" sh -c "'$SB' fsck --root '$S' > '$T/fsck.out'"
ok "prune after repair works" sh -c "'$SB' prune --root '$S' >/dev/null"
done_testing
