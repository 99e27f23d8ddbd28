# Shared setup for the security integration tests: a busybox rootfs, a
# config.json per case, and the runtime under test (sloika from the build
# tree; SLOIKA_TEST_RUNTIME=runc checks the tests themselves against runc).
# Source it after setting nothing; it sets RUNTIME, work, helpers.
. "$top_srcdir/tests/lib.sh"

RUNTIME=${SLOIKA_TEST_RUNTIME:-$top_builddir/sloika}
helpers=$top_builddir/tests/unit/security
[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || skip_all "needs a static busybox (apt-get install busybox-static)"
# A runtime that cannot even print its help is broken: fail, never skip.
"$RUNTIME" run --help >/dev/null 2>&1 || { echo "Bail out! $RUNTIME run --help failed"; exit 1; }

work=$(mktemp -d /tmp/sl-sec-XXXXXX)
state_root=$work/state
ids=""
cleanup() {
	for id in $ids; do "$RUNTIME" --root "$state_root" delete -f "$id" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT

rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp "$BUSYBOX" "$rootfs/bin/busybox"
for a in $("$BUSYBOX" --list); do [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/tmp:/bin/sh\n' >"$rootfs/etc/passwd"

# is_sloika: some checks compare sloika's own error wording.
is_sloika() { [ -z "${SLOIKA_TEST_RUNTIME:-}" ]; }

# make_bundle NAME ARGS_JSON [JQ_FILTER]: a bundle dir whose config runs
# ARGS_JSON in the shared rootfs, edited by JQ_FILTER; prints its path.
make_bundle() {
	b=$work/$1
	mkdir -p "$b"
	jq -n --argjson args "$2" --arg rootfs "$rootfs" '{
	  ociVersion: "1.0.2",
	  process: {
	    terminal: false, user: {uid: 0, gid: 0}, args: $args, cwd: "/",
	    env: ["PATH=/bin", "HOME=/tmp"],
	    capabilities: {
	      bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"],
	      effective: ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"],
	      permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE"]
	    },
	    noNewPrivileges: true
	  },
	  root: {path: $rootfs, readonly: false},
	  hostname: "sec",
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts",
	     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}
	  ],
	  linux: {
	    namespaces: [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "network"}]
	  }
	}' | jq "${3:-.}" >"$b/config.json"
	echo "$b"
}

# cid NAME: the container id for NAME, unique to this run, since cgroup
# paths derive from ids and other tests may run containers in parallel.
cid() { echo "$1-$$"; }

# run_ctr NAME BUNDLE [RUNTIME_ARGS...]: runs it in the foreground; output
# in $work/NAME.out (stdout and stderr), exit code returned.
run_ctr() {
	name=$1 b=$2
	shift 2
	ids="$ids $(cid "$name")"
	"$RUNTIME" --root "$state_root" run --bundle "$b" "$@" "$(cid "$name")" >"$work/$name.out" 2>&1 </dev/null
}

# out_has ID TEXT: the container's output contains TEXT (fixed string);
# quotes escaped by the runtime's log format (\") count as plain quotes.
out_has() {
	sed 's/\\"/"/g' "$work/$1.out" | grep -qF -- "$2" ||
		{ diag "$1 output:"; sed 's/^/#   /' "$work/$1.out"; false; }
}

# json_ok FILTER FILE: jq's verdict, without its output.
json_ok() { jq -e "$1" "$2" >/dev/null; }
