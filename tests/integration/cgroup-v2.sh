#!/bin/sh
# The cgroup module on a pure cgroup v2 layout: a private mount namespace
# whose /sys/fs/cgroup is a fresh cgroup2 mount. On a hybrid host the
# controllers stay bound to v1, so this checks what v2 does without them
# (creation, cgroup.procs, cgroup.freeze, cgroup.kill, the eBPF device
# program) and that a memory limit is a clear "not available" error.
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root for a mount namespace"
command -v unshare >/dev/null || skip_all "unshare (util-linux) not installed"
grep -qw cgroup2 /proc/filesystems || skip_all "kernel has no cgroup2"
live="$top_builddir/tests/unit/cgroup/cgroup-live"
exec unshare --mount --propagation private sh -c '
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null ||
		{ echo "1..0 # SKIP cannot mount cgroup2 on /sys/fs/cgroup in a mount namespace"; exit 0; }
	exec "$1" v2' sh "$live"
