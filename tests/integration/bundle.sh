# Shared helpers for the runtime's integration tests: a temporary --root,
# busybox-static bundles whose config.json comes from `sloika spec`, and a
# wrapper for the sloika under test. Source it after tests/lib.sh:
#   . "$top_srcdir/tests/lib.sh"; . "$top_srcdir/tests/integration/bundle.sh"
#   bundle_init            # skips the whole file unless root, jq, busybox
#   make_bundle B '["sh","-c","echo hi"]'   # $T/B with config.json
#   cfg B '.hostname = "x"'                 # edit B's config with jq
#   sl run -b "$T/B" id                     # sloika --root $ROOT ...
# Container ids name cgroups (/sloika/ID) shared by every test file that
# runs in parallel: give yours a prefix no other file uses.
SLOIKA=${SLOIKA:-${top_builddir:-.}/sloika}
BUSYBOX=${BUSYBOX:-/bin/busybox}

bundle_cleanup() {
	if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
		for id in $("$SLOIKA" --root "$ROOT" list -q 2>/dev/null); do
			"$SLOIKA" --root "$ROOT" delete -f "$id" >/dev/null 2>&1
		done
	fi
	[ -n "${T:-}" ] && rm -rf "$T"
}

bundle_init() {
	[ "$(id -u)" = 0 ] || skip_all "containers need root"
	command -v jq >/dev/null || skip_all "jq not installed (apt-get install jq)"
	[ -x "$BUSYBOX" ] || skip_all "no static busybox at $BUSYBOX (apt-get install busybox-static)"
	file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
		ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' ||
		skip_all "$BUSYBOX is not statically linked (apt-get install busybox-static)"
	[ -x "$SLOIKA" ] || skip_all "sloika not built at $SLOIKA"
	T=$(mktemp -d /tmp/sloika-test.XXXXXX)
	chmod 755 "$T"  # reachable by the mapped root of user namespaces
	ROOT=$T/state
	trap bundle_cleanup EXIT
	make_rootfs "$T/rootfs"
}

# A busybox rootfs: /bin/busybox, a symlink per applet, /etc/passwd and group.
make_rootfs() {
	local r=$1 a
	mkdir -p "$r"/bin "$r"/etc "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/root "$r"/home/user
	chmod 1777 "$r/tmp"
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$r/etc/group"
}

sl() { "$SLOIKA" --root "$ROOT" "$@"; }

# make_bundle NAME [ARGS_JSON]: $T/NAME from `sloika spec`, sharing the rootfs.
make_bundle() {
	local b=$T/$1 args=${2:-'["true"]'}
	mkdir -p "$b"
	"$SLOIKA" spec -b "$b" || return 1
	cfg "$1" --argjson args "$args" --arg rootfs "$T/rootfs" \
		'.process.terminal = false | .process.args = $args | .root.path = $rootfs'
}

# cfg NAME [jq options...] FILTER: edits $T/NAME/config.json in place.
cfg() {
	local c=$T/$1/config.json
	shift
	jq "$@" "$c" >"$c.new" && mv "$c.new" "$c"
}

# out_is NAME WANT CMD...: CMD's stdout equals WANT, which must not be
# empty (an empty WANT usually means the test's own setup failed).
out_is() {
	local name=$1 want=$2 got
	shift 2
	got=$("$@" 2>"$T/stderr")
	tap_n=$((tap_n + 1))
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "ok $tap_n - $name"
	else
		echo "not ok $tap_n - $name"
		printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
		sed 's/^/#   stderr: /' "$T/stderr"
		tap_failed=$((tap_failed + 1))
	fi
}
