# Shared setup for the sloika-build build tests: a temporary store with a
# busybox base image (from busybox-static) tagged busybox:latest, and
# helpers. Source after tests/lib.sh:
#   . "$top_srcdir/tests/integration/build-lib.sh"; build_init
#   mkctx NAME <<'EOF' ... EOF   # $T/NAME/Dockerfile from stdin
#   sb build --root "$S" "$T/NAME"
#   layer_digests IMAGE          # its layer digests, bottom first
SB=${SB:-${top_builddir:-.}/sloika-build}
SLOIKA=${SLOIKA:-${top_builddir:-.}/sloika}
BUSYBOX=${BUSYBOX:-/bin/busybox}

build_cleanup() {
	for b in "$T"/bundle-*; do [ -d "$b" ] && "$SB" bundle --rm "$b" 2>/dev/null; done
	rm -rf "$T"
}

build_init() {
	[ "$(id -u)" = 0 ] || skip_all "builds need root (overlay mounts, containers)"
	[ -x "$BUSYBOX" ] || skip_all "no static busybox at $BUSYBOX (apt-get install busybox-static)"
	command -v jq >/dev/null || skip_all "jq not installed (apt-get install jq)"
	[ -x "$SB" ] || skip_all "sloika-build not built at $SB"
	unset SOURCE_DATE_EPOCH
	T=$(mktemp -d "${TMPDIR:-/tmp}/sl-build-test.XXXXXX")
	S=$T/store
	trap build_cleanup EXIT
	local r=$T/rootfs a
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
	chmod 1777 "$r/tmp"
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nusers:x:1000:\nstaff:x:50:\n' >"$r/etc/group"
	echo "welcome" >"$r/etc/motd"
	"$SB" import --root "$S" -t busybox:latest "$r" >/dev/null || bail "cannot import the busybox base"
}

bail() { echo "Bail out! $*"; exit 1; }

sb() { "$SB" "$@"; }

# mkctx NAME: a context dir whose Dockerfile is read from stdin.
mkctx() { mkdir -p "$T/$1" && cat >"$T/$1/Dockerfile"; }

# blob_path DIGEST: the file of a blob in the store.
blob_path() { echo "$S/blobs/sha256/${1#sha256:}"; }

# layer_digests REF: the image's layer digests, in order (via an OCI layout export).
layer_digests() {
	rm -rf "$T/.export" && "$SB" export --root "$S" "$1" "$T/.export" >/dev/null || return 1
	local m
	m=$(jq -r '.manifests[0].digest' "$T/.export/index.json")
	jq -r '.layers[].digest' "$T/.export/blobs/sha256/${m#sha256:}"
}

# no_leftovers: no overlay mount of the store, no work dir, no container state.
# Step containers are named sloika-build-<first 8 hex of sha256(store root)>-…,
# so builds of other tests running in parallel are not counted.
no_leftovers() {
	local tag
	tag=$(printf %s "$S" | sha256sum | cut -c1-8)
	! grep -q "$S" /proc/self/mountinfo && [ -z "$(ls -A "$S/tmp" 2>/dev/null)" ] &&
		! ls -d /sys/fs/cgroup/*/sloika/sloika-build-"$tag"-* \
			/sys/fs/cgroup/unified/sloika/sloika-build-"$tag"-* >/dev/null 2>&1
}

# jq_true FILE FILTER: the filter holds on the JSON file.
jq_true() { jq -e "$2" "$1" >/dev/null; }
