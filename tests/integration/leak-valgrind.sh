#!/bin/sh
# valgrind memcheck over the runtime's lifecycle (spec, features, create,
# state, start, list, kill, delete, error paths) and the builder's (import,
# a small build, images, inspect, export, bundle, fsck, prune): no
# definite or indirect leak, no invalid access, no use of uninitialised
# memory. (run and RUN need the container's init, which valgrind 3.19
# cannot run; see below.)
#
# Needs valgrind and a dynamically linked build (configure
# --disable-static-runtime, without --enable-sanitizers); skips otherwise.
# Both binaries re-exec themselves from a read-only copy unless their
# executable is on a read-only mount (CVE-2019-5736); under valgrind the
# executable is valgrind's tool, so the test runs in a private mount
# namespace where valgrind's directory is bound read-only.
. "$top_srcdir/tests/lib.sh"
command -v valgrind >/dev/null || skip_all "valgrind not installed (apt-get install valgrind)"
. "$top_srcdir/tests/integration/bundle.sh"
SB=$top_builddir/sloika-build
for b in "$SLOIKA" "$SB"; do
	ldd "$b" >/dev/null 2>&1 || skip_all "$b is static: valgrind needs configure --disable-static-runtime"
	ldd "$b" | grep -q 'libasan' && skip_all "$b is built with sanitizers, which valgrind cannot run"
done
tooldir=/usr/libexec/valgrind
[ -x "$tooldir/memcheck-amd64-linux" ] || tooldir=/usr/lib/x86_64-linux-gnu/valgrind
[ -x "$tooldir/memcheck-amd64-linux" ] || skip_all "cannot find valgrind's memcheck tool"
if [ -z "${SL_VG_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	exec env SL_VG_NS=1 unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" &&
		mount -o remount,bind,ro "$1" && exec sh "$2"' sh "$tooldir" "$0"
fi
bundle_init

VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes --error-exitcode=99 --suppressions=$top_srcdir/tests/faults/valgrind.supp --log-file=$T/vg.%p.log"
vsl() { $VG "$SLOIKA" --root "$ROOT" "$@"; }
vsb() { $VG "$SB" "$@"; }
# clean LABEL: no report in any log so far; logs are moved aside per step.
n=0
clean() {
	n=$((n + 1))
	mkdir -p "$T/logs$n"
	mv "$T"/vg.*.log "$T/logs$n/" 2>/dev/null
	# "--PID-- WARNING: unhandled syscall" lines are valgrind's own notes
	if cat "$T/logs$n"/* 2>/dev/null | grep -v '^--[0-9]*--' | grep -q .; then
		diag "valgrind on $1:"
		cat "$T/logs$n"/* | grep -v '^--[0-9]*--' | head -40 | sed 's/^/#   /'
		return 1
	fi
}

P=vg$$
# valgrind 3.19 (Debian 12) cannot run the container's init: it lacks the
# new mount API (open_tree, move_mount) and refuses a higher RLIMIT_NOFILE.
# So create runs under memcheck until the init fails (its error path),
# and the containers the other commands work on are created natively. It
# lacks pidfd_open too, through which kill signals: kill runs natively.
make_bundle life '["sleep","1000"]'
cfg life 'del(.process.rlimits)'
ok "spec" sh -c "cd '$T' && mkdir -p specdir && cd specdir && $VG '$SLOIKA' spec"
ok "features" sh -c "$VG '$SLOIKA' features >/dev/null"
ok "  ... no report" clean spec-features
if vsl create -b "$T/life" $P-a 2>"$T/create.err"; then
	diag "create ran under memcheck"
else
	ok "create under memcheck fails only in the init, with its error" grep -q 'open_tree\|Function not implemented' "$T/create.err"
	ok "  ... and leaves no state dir" [ ! -e "$ROOT/$P-a" ]
	sl create -b "$T/life" $P-a
fi
ok "  ... no report from create" clean create
ok "state" sh -c "$VG '$SLOIKA' --root '$ROOT' state $P-a >/dev/null"
ok "start" vsl start $P-a
ok "list" sh -c "$VG '$SLOIKA' --root '$ROOT' list >/dev/null"
sl kill $P-a KILL
ok "delete" vsl delete $P-a
ok "  ... no report from state, start, list, delete" clean lifecycle
vsl state $P-none >/dev/null 2>&1
rc=$?
ok "an error path (state of a missing container) fails, not with valgrind's code" sh -c "[ $rc -ne 0 ] && [ $rc -ne 99 ]"
make_bundle bad '["true"]'
cfg bad '.linux.resources.memory.limit = "lots"'
vsl create -b "$T/bad" $P-bad >/dev/null 2>&1
rc=$?
ok "an error path (create with a bad config.json) fails, not with valgrind's code" sh -c "[ $rc -ne 0 ] && [ $rc -ne 99 ]"
ok "  ... no report" clean error-paths

# the builder: import, build (COPY, ENV, LABEL: a RUN would need the init),
# images, inspect, export, bundle, fsck, prune
S=$T/store
ok "import" sh -c "$VG '$SB' import --root '$S' -t busybox:latest '$T/rootfs' >/dev/null"
ok "  ... no report" clean import
mkdir -p "$T/ctx"
echo data >"$T/ctx/file"
printf 'FROM busybox\nENV A=b\nCOPY file /file\nLABEL x=y\nCOPY --chmod=600 file /etc/\nCMD ["true"]\n' >"$T/ctx/Dockerfile"
ok "build" sh -c "$VG '$SB' build --root '$S' -q -t small '$T/ctx' >/dev/null 2>'$T/build.err'" ||
	sed 's/^/#   /' "$T/build.err"
ok "  ... no report" clean build
ok "images, inspect, export" sh -c "$VG '$SB' images --root '$S' >/dev/null && $VG '$SB' inspect --root '$S' small >/dev/null &&
	$VG '$SB' export --root '$S' small '$T/layout' >/dev/null"
ok "bundle and bundle --rm" sh -c "$VG '$SB' bundle --root '$S' small '$T/bundle' >/dev/null && $VG '$SB' bundle --rm '$T/bundle' >/dev/null"
ok "fsck, prune" sh -c "$VG '$SB' fsck --root '$S' >/dev/null && $VG '$SB' prune --root '$S' >/dev/null"
ok "  ... no report" clean store-commands
done_testing
