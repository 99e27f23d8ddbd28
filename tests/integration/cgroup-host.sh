#!/bin/sh
# The cgroup module on this host's own hierarchies (v1, v2 or hybrid, as
# mounted): real processes under memory/pids/cpu/cpuset/blkio limits,
# device rules, freezer, kill, destroy. See tests/unit/cgroup/cgroup-live.c.
. "$top_srcdir/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to create cgroups"
grep -q ' - cgroup2\? ' /proc/self/mountinfo || skip_all "no cgroup filesystem mounted"
exec "$top_builddir/tests/unit/cgroup/cgroup-live"
