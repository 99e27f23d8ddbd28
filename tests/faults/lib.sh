# Shared helpers for the fault tests. Source after tests/lib.sh.

# under_subreaper SCRIPT: re-runs the test script under tests/faults/subreaper
# (once), so containers orphaned by a SIGKILL are reaped as soon as a
# cleanup kills them.
under_subreaper() {
	[ -n "${SL_UNDER_SUBREAPER:-}" ] && return 0
	local r="$top_builddir/tests/faults/subreaper"
	[ -x "$r" ] || skip_all "tests/faults/subreaper is not built"
	SL_UNDER_SUBREAPER=1 exec "$r" sh "$1"
}

# blobs_verify STORE: every blob in the store hashes to its name.
blobs_verify() {
	local f
	for f in "$1"/blobs/sha256/*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "${f##*/}" ] || { diag "bad blob $f"; return 1; }
	done
}

# wait_for SECONDS CMD...: polls CMD every 20 ms until it succeeds.
wait_for() {
	local n=$(($1 * 50))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.02
		n=$((n - 1))
	done
	return 1
}

# tree_sum DIR: one checksum of every path, type, mode, size and content
# under DIR (a sentinel tree checked before and after an attack).
tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort) | sha256sum | cut -d' ' -f1
}

# cgroups_named PATTERN: how many cgroup dirs, in any hierarchy, match.
cgroups_named() {
	ls -d /sys/fs/cgroup/*/sloika/$1 /sys/fs/cgroup/unified/sloika/$1 2>/dev/null | wc -l
}
