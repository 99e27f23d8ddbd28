#!/bin/sh
# Importing Debian's busybox-static rootfs as an image, reproducibly; the
# store's commands (images, tag, rm, export, fsck, prune); the exported
# OCI layout checked by public tools (check-layout.sh, umoci, skopeo).
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -x /bin/busybox ] || skip_all "busybox-static is not installed"

# sloika-build once main.c dispatches the store commands, else the
# test binary that links the same command code.
SB="$top_builddir/sloika-build"
if ! "$SB" import --help >/dev/null 2>&1; then
	SB="$top_builddir/tests/unit/layer/store-tool"
	diag "sloika-build does not dispatch import yet: using $SB"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sl-store-import.XXXXXX")
trap 'rm -rf "$T"' EXIT
S="$T/store"
unset SOURCE_DATE_EPOCH

# a busybox rootfs: the binary, its applet links, a few dirs
R="$T/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/root"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
chmod 1777 "$R/tmp"
tar --numeric-owner -C "$R" -czf "$T/rootfs.tar.gz" .

ok "import a rootfs tarball" sh -c "'$SB' import --root '$S' -t busybox:latest '$T/rootfs.tar.gz' > '$T/d1'"
D1=$(cat "$T/d1")
diag "image $D1"
ok "import prints a sha256 digest" grep -Eq '^sha256:[0-9a-f]{64}$' "$T/d1"
ok "the same tarball imports to the same digest" sh -c "[ \"\$('$SB' import --root '$S' '$T/rootfs.tar.gz')\" = '$D1' ]"
touch -d '2030-01-01' "$R/etc/passwd"
ok "the same tree as a directory imports to the same digest (mtimes clamped)" \
	sh -c "[ \"\$('$SB' import --root '$S' -t busybox:dir '$R')\" = '$D1' ]"
SHORT=$(echo "${D1#sha256:}" | cut -c1-12)
ok "images lists the tag with its image id" sh -c "'$SB' images --root '$S' | grep -q '^busybox:latest  *$SHORT '"
ok "inspect shows the config with one diff_id" sh -c "'$SB' inspect --root '$S' busybox | grep -q diff_ids"
ok "tag adds a name" "$SB" tag --root "$S" busybox:latest other:v1
ok "rm removes a name" "$SB" rm --root "$S" other:v1 busybox:dir
ok "rm of a missing name fails" sh -c "! '$SB' rm --root '$S' other:v1 2>/dev/null"

python3 - "$T/evil.tar" <<'PY'
import sys, tarfile, io
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("../escaped"); i.size = 1
    t.addfile(i, io.BytesIO(b"x"))
PY
ok "a hostile tarball is refused" sh -c "! '$SB' import --root '$S' '$T/evil.tar' 2> '$T/evil.err'"
ok "the refusal names the entry and the problem" grep -q 'path escapes the root' "$T/evil.err"
ok "nothing escaped the store" test ! -e "$S/tmp/../escaped" -a ! -e "$T/escaped"
ok "a refused import leaves no temporary dir" sh -c "[ -z \"\$(ls -A '$S/tmp')\" ]"

L="$T/layout"
ok "export writes an OCI layout" "$SB" export --root "$S" busybox:latest "$L"
ok "the layout names the image latest" grep -q '"org.opencontainers.image.ref.name":"latest"' "$L/index.json"
ok "every layout blob hashes to its name" sh -c "cd '$L/blobs/sha256' && for f in *; do [ \"\$(sha256sum \$f | cut -d' ' -f1)\" = \$f ] || exit 1; done"
CHECK="$top_srcdir/../shared/builder/check-layout.sh"
[ -f "$CHECK" ] || CHECK=/work/shared/builder/check-layout.sh
if [ -f "$CHECK" ] && command -v jq >/dev/null && command -v oci-image-tool >/dev/null; then
	ok "check-layout.sh passes" sh -c "bash '$CHECK' '$L' > '$T/check.log' 2>&1"
	grep -E '^(FAIL|WARN|RESULT)' "$T/check.log" | while read -r l; do diag "$l"; done
else
	skip "check-layout.sh passes" "check-layout.sh, jq or oci-image-tool missing"
fi
if command -v umoci >/dev/null; then
	ok "umoci unpacks the image" sh -c "umoci unpack --image '$L:latest' '$T/bundle' > '$T/umoci.log' 2>&1"
	ok "the unpacked busybox is the host's" cmp -s /bin/busybox "$T/bundle/rootfs/bin/busybox"
	ok "applet symlinks survive" sh -c "[ \"\$(readlink '$T/bundle/rootfs/bin/sh')\" = busybox ]"
	ok "modes survive (sticky /tmp)" sh -c "[ \"\$(stat -c %a '$T/bundle/rootfs/tmp')\" = 1777 ]"
else
	skip "umoci unpacks the image" "umoci missing"
fi
if command -v skopeo >/dev/null; then
	ok "skopeo inspects the layout" sh -c "skopeo inspect 'oci:$L:latest' > '$T/skopeo.json'"
	ok "skopeo sees the same digest" grep -q "$D1" "$T/skopeo.json"
	ok "export writes an oci-archive" "$SB" export --root "$S" --format oci-archive busybox "$T/image.tar"
	ok "skopeo inspects the oci-archive" skopeo inspect "oci-archive:$T/image.tar:latest"
else
	skip "skopeo inspects the layout" "skopeo missing"
fi

# 4 imports at once into one store: three different trees, two equal
for i in 1 2 3 4; do
	mkdir -p "$T/c$i/etc" && cp -a "$R/bin" "$T/c$i/" && echo "$((i == 2 ? 1 : i))" > "$T/c$i/etc/id"
	( "$SB" import --root "$S" -t "conc:$i" --compression zstd "$T/c$i" > "$T/conc$i.out" 2>&1; echo $? > "$T/conc$i.rc" ) &
done
wait
ok "4 concurrent imports into one store all succeed" sh -c 'for i in 1 2 3 4; do [ "$(cat "$0/conc$i.rc")" = 0 ] || exit 1; done' "$T"
ok "equal trees give one digest, different trees their own" sh -c "[ \"\$(cat '$T'/conc?.out | sort -u | wc -l)\" = 3 ]"
ok "every blob is stored once (busybox 3 + 3 images x 3)" sh -c "[ \"\$(ls '$S/blobs/sha256' | wc -l)\" = 12 ]"
ok "fsck finds a healthy store" sh -c "'$SB' fsck --root '$S' > '$T/fsck.log'"
BLOB=$(ls "$S/blobs/sha256" | head -1)
printf 'corrupt' >> "$S/blobs/sha256/$BLOB"
: > "$S/tmp/blob-left-by-a-crash"
ok "fsck reports a corrupt blob and fails" sh -c "! '$SB' fsck --root '$S' > '$T/fsck2.log'"
ok "the report names the blob" grep -q "$BLOB" "$T/fsck2.log"
ok "fsck --repair repairs what it found" sh -c "'$SB' fsck --repair --root '$S' > '$T/fsck3.log'"
ok "fsck removed the corrupt blob and the stale temp file" sh -c "[ ! -e '$S/blobs/sha256/$BLOB' ] && [ ! -e '$S/tmp/blob-left-by-a-crash' ]"
"$SB" rm --root "$S" busybox:latest conc:1 conc:2 conc:3 conc:4 >/dev/null
ok "prune empties a store without tags" sh -c "'$SB' prune --root '$S' >/dev/null && [ -z \"\$(ls -A '$S/blobs/sha256')\" ]"
done_testing
