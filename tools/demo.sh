#!/bin/sh
# The main job, end to end, from a built tree (as root):
#   1. import a busybox base image from Debian's busybox-static;
#   2. build examples/ (a multi-stage Dockerfile) with sloika-build;
#   3. make a runtime bundle of the image and run it with sloika.
# Idempotent: a second run finds everything cached; nothing stays mounted.
# Env: BUILD_DIR (default ./_build), SLOIKA_STORE (default /var/lib/sloika),
#      BUSYBOX (default /bin/busybox).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/_build}
store=${SLOIKA_STORE:-/var/lib/sloika}
busybox=${BUSYBOX:-/bin/busybox}
SB="$build/sloika-build"
SL="$build/sloika"

[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (containers and overlay mounts)" >&2; exit 1; }
[ -x "$busybox" ] || { echo "demo.sh: no $busybox (apt-get install busybox-static)" >&2; exit 1; }
"$SL" --version | head -1
"$SB" --version

work=$(mktemp -d "${TMPDIR:-/tmp}/sloika-demo.XXXXXX")
id="sloika-demo-$$"
cleanup() {
	"$SL" --root "$work/state" delete -f "$id" >/dev/null 2>&1 || true
	[ -d "$work/bundle" ] && "$SB" bundle --rm "$work/bundle"
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== 1. import a busybox base from $busybox"
r="$work/rootfs"
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
chmod 1777 "$r/tmp"
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
"$SB" import --root "$store" -t busybox:latest "$r"

echo "== 2. build $top/examples"
"$SB" build --root "$store" -t sloika-example:latest "$top/examples"

echo "== 3. run it: sloika-build bundle + sloika run"
"$SB" bundle --root "$store" sloika-example:latest "$work/bundle"
"$SL" --root "$work/state" run --bundle "$work/bundle" "$id"
