# Shared setup for the end-to-end tests that run sloika under a container
# manager (podman, containerd, Docker). Source it after nothing else:
#   . "$top_srcdir/tests/managers/lib.sh"
#   mgr_init podman              # temp dir $T, busybox rootfs + tarball
#   mgr_need podman podman       # apt-get install the package if missing
#   mgr_stop() { ...stop the manager... }   # called first by the EXIT trap
# Every manager runs under its own roots and sockets inside $T, and puts
# its containers under the cgroup parent /$CG, so cleanup can prove that
# nothing (daemon, mount, cgroup) stays behind.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"  # make_rootfs

# SLOIKA_TEST_RUNTIME=/usr/sbin/runc checks the tests themselves against
# runc: every case passes with it too.
SLOIKA=${SLOIKA_TEST_RUNTIME:-$top_builddir/sloika}

mgr_stop() { :; }

mgr_init() {
	[ "$(id -u)" = 0 ] || skip_all "managers need root"
	[ -x "$BUSYBOX" ] || skip_all "no static busybox at $BUSYBOX (apt-get install busybox-static)"
	[ -x "$SLOIKA" ] || skip_all "sloika not built at $SLOIKA"
	command -v jq >/dev/null || skip_all "jq not installed (apt-get install jq)"
	T=$(mktemp -d "/tmp/sloika-mgr-$1.XXXXXX")
	chmod 755 "$T"
	CG=sloika-mgr-$1-$$
	# A test killed by a timeout or ^C still stops its manager: exiting from
	# the signal trap runs the EXIT trap.
	trap mgr_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	make_rootfs "$T/rootfs"
	tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 "$1" >>"$T/apt-$1.log" 2>&1
}

# mgr_need PACKAGE COMMAND...: installs PACKAGE unless every COMMAND exists.
# Tests run in parallel, so apt waits for the dpkg lock instead of failing.
mgr_need() {
	local pkg=$1 c missing=
	shift
	for c in "$@"; do command -v "$c" >/dev/null || missing=1; done
	[ -z "$missing" ] && return 0
	diag "installing $pkg"
	# A fresh machine may have no package lists yet: update once, then retry.
	apt_install "$pkg" || { apt-get update -o DPkg::Lock::Timeout=600 >>"$T/apt-$pkg.log" 2>&1; apt_install "$pkg"; } ||
		skip_all "apt-get install $pkg failed: $(tail -n 1 "$T/apt-$pkg.log")"
	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "$pkg installed but $c is missing"
	done
}

# sl_has CMD: every command managers call exists now, so a CMD that says
# "not implemented yet" is a failure (reported here), never a skip.
sl_has() {
	if "$SLOIKA" --root "$T/probe" "$1" sloika-mgr-probe 2>&1 | grep -q 'not implemented yet'; then
		ok "sloika $1 is implemented" false
		return 1
	fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1s.
wait_until() {
	local n=$(($1 * 10))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# has_line TEXT REGEX: a line of TEXT is REGEX, once the CRs and the echoed
# NUL ("^@") that script(1) leaves in terminal output are dropped.
has_line() { printf '%s\n' "$1" | tr -d '\r\000' | sed 's/\^@//g' | grep -qx "$2"; }

# The counter a container's main process writes to /tmp/count, read from
# the host through /proc/PID/root (works while the container is frozen).
count_of() { cat "/proc/$1/root/tmp/count" 2>/dev/null; }

# counter_same PID: the counter does not move for half a second. It is
# renamed into place, so a freeze never leaves it half written.
counter_same() {
	a=$(count_of "$1")
	sleep 0.5
	b=$(count_of "$1")
	[ -n "$a" ] && [ "$a" = "$b" ]
}
counter_frozen() { counter_same "$1" || { diag "counter of $1 moved: '$a' then '$b'"; return 1; }; }
counter_moves() { ! counter_same "$1" && [ -n "$a" ] && [ -n "$b" ]; }

# The main program of the long-running containers: counts in /tmp/count,
# echoes what an exec left in /tmp/mark, reports USR1 and exits 7 on TERM.
COUNTER='echo started; trap "echo got-usr1" USR1; trap "exit 7" TERM
i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count
if [ -f /tmp/mark ]; then echo "saw-$(cat /tmp/mark)"; rm /tmp/mark; fi; sleep 0.1; done'

# cgroup_of PID CONTROLLER: the cgroup path of PID in a v1 hierarchy.
cgroup_of() { sed -n "s/^[0-9]*:\\([^:]*,\\)\\{0,1\\}$2\\(,[^:]*\\)\\{0,1\\}:\\(.*\\)/\\3/p" "/proc/$1/cgroup"; }

# Processes still inside the cgroup parent /$CG, in any hierarchy.
cg_procs() {
	local d
	for d in /sys/fs/cgroup/*/"$CG"; do
		[ -d "$d" ] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
	done
}
cg_remove() {
	local d p
	for p in $(cg_procs); do kill -9 "$p" 2>/dev/null; done
	for d in /sys/fs/cgroup/*/"$CG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	! ls -d /sys/fs/cgroup/*/"$CG" >/dev/null 2>&1
}
mounts_under_t() { awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo; }
# Processes whose command line names $T; the bracket keeps grep itself out.
procs_under_t() {
	grep -l "[/]$(printf %s "${T#/}" | sed 's/[.]/[.]/g')/" /proc/[0-9]*/cmdline 2>/dev/null |
		sed 's|^/proc/||;s|/cmdline$||'
}

# (exit-command cleanups such as `podman container cleanup` may still be
# finishing when the manager's own command returns)
no_procs_under_t() { [ -z "$(procs_under_t)" ]; }

# check_no_leftovers: after the manager stopped, no process that names $T,
# no mount under $T, and the cgroup parent is empty and removable.
check_no_leftovers() {
	ok "no manager, shim or container process is left" wait_until 15 no_procs_under_t
	ok "no mount is left under the test dir" [ -z "$(mounts_under_t)" ]
	ok "no process is left in the cgroup parent /$CG" [ -z "$(cg_procs)" ]
	ok "the cgroup parent /$CG is removed in every hierarchy" cg_remove
}

mgr_cleanup() {
	local m p
	mgr_stop >/dev/null 2>&1
	for p in $(procs_under_t); do kill -9 "$p" 2>/dev/null; done
	cg_remove
	for m in $(mounts_under_t | sort -r); do umount -l "$m" 2>/dev/null; done
	rm -rf "$T"
}
