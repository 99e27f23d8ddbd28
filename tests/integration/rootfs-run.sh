# Rootfs setup through the real lifecycle: busybox containers run by
# `sloika run`, each asserting one config.json field's effect from inside.
# SLOIKA_TEST_RUNTIME=runc runs the same checks against runc.
. "$top_srcdir/tests/lib.sh"

RUNTIME=${SLOIKA_TEST_RUNTIME:-$top_builddir/sloika}
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"
[ -x "$BUSYBOX" ] || skip_all "needs a static busybox (apt-get install busybox-static)"
# A runtime that cannot even print its help is broken: fail, never skip.
"$RUNTIME" run --help >/dev/null 2>&1 || { echo "Bail out! $RUNTIME run --help failed"; exit 1; }

work=$(mktemp -d /tmp/sl-rootfs-it-XXXXXX)
chmod 755 "$work"   # the user namespace case reaches the rootfs as an unmapped uid
state=$work/state
escape=sl-r3-it-$$
cleanup() {
	for d in "$work"/b-*; do
		[ -d "$d" ] && "$RUNTIME" --root "$state" delete -f "${d##*/}" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The host mounts this test could leave behind: under $work or /etc.
our_mounts() { awk -v w="$work" '$5 ~ "^" w || $5 ~ "^/etc" {print $5}' /proc/self/mountinfo | sort; }
mounts_before=$(our_mounts)

rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp" "$rootfs/etc" "$rootfs/mnt" "$work/host"
cp "$BUSYBOX" "$rootfs/bin/busybox"
for a in $("$BUSYBOX" --list); do [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"; done
ln -s /etc "$rootfs/mnt/evil"
echo "host content" >"$work/host/hello"

# bundle NAME ARGS_JSON [JQ_FILTER]: a config running ARGS_JSON with the
# runc default mounts, masked and read-only paths, edited by JQ_FILTER.
bundle() {
	b=$work/b-$1
	mkdir -p "$b"
	jq -n --argjson args "$2" --arg rootfs "$rootfs" '{
	  ociVersion: "1.0.2",
	  process: {terminal: false, user: {uid: 0, gid: 0}, args: $args, cwd: "/",
	            env: ["PATH=/bin"], noNewPrivileges: true},
	  root: {path: $rootfs, readonly: false},
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts",
	     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
	    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}
	  ],
	  linux: {
	    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
	    maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
	    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  }
	}' | jq "${3:-.}" >"$b/config.json"
}

# run NAME [FLAGS...]: runs bundle NAME; output in $work/NAME.out.
run() {
	local name=$1
	shift
	"$RUNTIME" --root "$state" run "$@" --bundle "$work/b-$name" "b-$name" >"$work/$name.out" 2>&1
}
fails() { ! "$@"; }
is_sloika() { [ -z "${SLOIKA_TEST_RUNTIME:-}" ]; }
sh_args() { jq -cn --arg s "$1" '["/bin/sh", "-c", $s]'; }

bundle fs "$(sh_args 'grep -E " (/proc|/sys|/dev/pts|/dev/shm|/dev/mqueue|/sys/fs/cgroup/memory|/sys/fs/cgroup/unified) " /proc/self/mountinfo')"
run fs
ok "default mounts are proc, sysfs, devpts, tmpfs, mqueue and cgroup" \
	sh -c "out=\$(cat $work/fs.out); for t in 'proc proc' 'sysfs sysfs' 'devpts devpts' 'tmpfs shm' 'mqueue mqueue' 'cgroup cgroup'; do echo \"\$out\" | grep -q \" - \$t \" || exit 1; done"
if is_sloika; then
	# runc 1.1 leaves the cgroup2 tree of a hybrid host out.
	ok "on a hybrid host the cgroup mount includes cgroup2 at unified" grep -q " /sys/fs/cgroup/unified .* - cgroup2 " "$work/fs.out"
fi
ok "/sys and the cgroup hierarchies are read-only" \
	sh -c "grep ' /sys ' $work/fs.out | grep -q ' ro,' && grep ' /sys/fs/cgroup/memory ' $work/fs.out | grep -q ' ro,'"

bundle dev "$(sh_args 'stat -c "%F %t %T %a %u %g" /dev/null /dev/zero /dev/tty /dev/sl-dev /dev/sl-fifo; readlink /dev/ptmx; readlink /dev/fd')" \
	'.linux.devices = [{path: "/dev/sl-dev", type: "c", major: 1, minor: 5, fileMode: 432, uid: 1000, gid: 1001},
	                   {path: "/dev/sl-fifo", type: "p", fileMode: 420}]'
run dev
ok "default devices, linux.devices and the /dev links" \
	sh -c "[ \"\$(cat $work/dev.out)\" = 'character special file 1 3 666 0 0
character special file 1 5 666 0 0
character special file 5 0 666 0 0
character special file 1 5 660 1000 1001
fifo 0 0 644 0 0
pts/ptmx
/proc/self/fd' ]"

bundle bind "$(sh_args 'cat /mnt/ro/hello; touch /mnt/ro/new && echo WROTE; touch /mnt/rw/new && echo rw-ok')" \
	".mounts += [{destination: \"/mnt/ro\", type: \"bind\", source: \"$work/host\", options: [\"rbind\", \"ro\"]},
	             {destination: \"/mnt/rw\", type: \"bind\", source: \"$work/host\", options: [\"rbind\"]}]"
run bind
ok "a bind mount shows host content" grep -q "host content" "$work/bind.out"
ok "a ro bind mount refuses writes" sh -c "grep -q 'Read-only file system' $work/bind.out && ! grep -q WROTE $work/bind.out"
ok "a rw bind mount writes through to the host" sh -c "grep -q rw-ok $work/bind.out && [ -e $work/host/new ]"

# A relative bind source is a path in the bundle (runc runs from there),
# whatever directory the runtime was started in.
bundle relbind "$(sh_args 'cat /mnt/rel/hello')" \
	'.mounts += [{destination: "/mnt/rel", type: "bind", source: "data", options: ["rbind", "ro"]}]'
mkdir -p "$work/b-relbind/data" && echo "bundle content" >"$work/b-relbind/data/hello"
(cd / && run relbind)
ok "a relative bind source resolves against the bundle" grep -qx "bundle content" "$work/relbind.out"

# idmapped bind mounts: a file owned by host uid/gid 1000 shows up as the
# uid the mount's mapping (or the container's user namespace) gives it.
mkdir -p "$work/idsrc" && touch "$work/idsrc/f" && chown 1000:1000 "$work/idsrc/f"
stat_id=$(sh_args 'stat -c "%u %g" /mnt/id/f')
userns='.linux.namespaces += [{type: "user"}] |
	.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
	.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
	del(.mounts[] | select(.type == "cgroup"))'
idmount() { # OPTIONS_JSON [MAPPINGS_JQ] [SOURCE]
	echo ".mounts += [{destination: \"/mnt/id\", type: \"bind\", source: \"${3:-$work/idsrc}\", options: $1 ${2:+, $2}}]"
}
bundle idhost "$stat_id" "$(idmount '["rbind"]' 'uidMappings: [{containerID: 1000, hostID: 2000, size: 1}], gidMappings: [{containerID: 1000, hostID: 2001, size: 1}]')"
run idhost
ok "mount uidMappings/gidMappings without a user namespace map the owner (1000 -> 2000/2001)" \
	sh -c "[ \"\$(cat $work/idhost.out)\" = '2000 2001' ]"
ok "... leaving the source's owner on the host as it was" sh -c "[ \"\$(stat -c '%u %g' $work/idsrc/f)\" = '1000 1000' ]"
bundle idplain "$stat_id" "$userns | $(idmount '["rbind"]')"
run idplain
ok "without idmap, host uid 1000 is unmapped in the container's user namespace" \
	sh -c "[ \"\$(cat $work/idplain.out)\" = '65534 65534' ]"
bundle idns "$stat_id" "$userns | $(idmount '["rbind", "idmap"]')"
run idns
ok "idmap under the container's own user namespace: host uid 1000 shows as 1000 inside" \
	sh -c "[ \"\$(cat $work/idns.out)\" = '1000 1000' ]"
# Explicit mappings inside a user namespace, from a source relative to
# the bundle: on-disk 1000 -> host 100005 -> 5 in the container.
bundle idnsmap "$stat_id" "$userns | $(idmount '["rbind", "ridmap"]' 'uidMappings: [{containerID: 1000, hostID: 100005, size: 1}], gidMappings: [{containerID: 1000, hostID: 100007, size: 1}]' data)"
mkdir -p "$work/b-idnsmap/data" && touch "$work/b-idnsmap/data/f" && chown 1000:1000 "$work/b-idnsmap/data/f"
(cd / && run idnsmap)
ok "ridmap with its own mappings under a user namespace (relative source): 1000 shows as 5/7" \
	sh -c "[ \"\$(cat $work/idnsmap.out)\" = '5 7' ]"
bundle idbad "$stat_id" "$userns | $(idmount '["rbind", "idmap"]' 'uidMappings: [{containerID: 1000, hostID: 100005, size: 1}]')"
ok "an idmap mount with uidMappings but no gidMappings fails" fails run idbad
ok "... naming the mount and the problem" grep -qF '/mnt/id\" (mounts[6]): idmap needs both uidMappings and gidMappings' "$work/idbad.out"
ok "... leaving no container behind" sh -c "! [ -e $state/b-idbad ]"

bundle tmpfs "$(sh_args 'stat -c %a /mnt/t; df -k /mnt/t | tail -1')" \
	'.mounts += [{destination: "/mnt/t", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=700", "nosuid"]}]'
run tmpfs
ok "tmpfs data options size= and mode= are applied" \
	sh -c "[ \"\$(sed -n 1p $work/tmpfs.out)\" = 700 ] && sed -n 2p $work/tmpfs.out | awk '{exit \$2 != 1024}'"

bundle masked "$(sh_args 'wc -c </proc/timer_list; ls -A /proc/acpi | wc -l; echo x >/proc/sys/kernel/domainname || echo ro-refused')"
run masked
ok "maskedPaths hide a file and a directory" sh -c "[ \"\$(sed -n 1,2p $work/masked.out | tr -d ' ')\" = '0
0' ]"
ok "readonlyPaths refuse writes" grep -q ro-refused "$work/masked.out"

bundle rootro "$(sh_args 'touch /new || echo refused; touch /dev/shm/ok && echo shm-ok')" '.root.readonly = true'
run rootro
ok "root.readonly makes / read-only, not its submounts" sh -c "grep -q refused $work/rootro.out && grep -q shm-ok $work/rootro.out"

bundle sysctl "$(sh_args 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax')" \
	'.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
run sysctl
ok "sysctl values are written in the container's namespaces" sh -c "[ \"\$(cat $work/sysctl.out)\" = '1
123456789' ]"

bundle badsysctl '["/bin/true"]' '.linux.sysctl = {"kernel.pid_max": "99"}'
ok "a sysctl the container does not own is refused" fails run badsysctl
if is_sloika; then
	ok "the refusal names the sysctl" grep -qF 'linux.sysctl \"kernel.pid_max\": not in a namespace the container owns' "$work/badsysctl.out"
	# Checked with the rest of config.json, before the init is forked.
	ok "... and config.json, as a config check before forking" grep -qF "create: $work/b-badsysctl/config.json: linux.sysctl" "$work/badsysctl.out"
fi

bundle badtype '["/bin/true"]' '.mounts += [{destination: "/mnt/x", type: "nosuchfs", source: "x"}]'
ok "a mount of an unknown type fails the run" fails run badtype
if is_sloika; then
	ok "the error names the mount and its index" grep -qF 'mount \"/mnt/x\" (mounts[7]): fsopen \"nosuchfs\": No such device' "$work/badtype.out"
fi

bundle escape "$(sh_args "grep -c ' /etc/$escape ' /proc/self/mountinfo")" \
	".mounts += [{destination: \"/mnt/evil/$escape\", type: \"tmpfs\", source: \"tmpfs\"}]"
run escape
ok "a destination through a symlink to /etc mounts in the rootfs's /etc" sh -c "[ \"\$(cat $work/escape.out)\" = 1 ] && [ -d $rootfs/etc/$escape ]"
ok "and the host's /etc is untouched" sh -c "[ ! -e /etc/$escape ]"

bundle prop "$(sh_args "grep -E '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ' /proc/self/mountinfo")" '.linux.rootfsPropagation = "shared"'
run prop
if is_sloika; then
	# runc 1.1 does not apply rootfsPropagation to the new / (runtime-tools
	# linux_rootfs_propagation_shared checks that it does).
	ok "rootfsPropagation shared shows on /" grep -q "shared:" "$work/prop.out"
fi

bundle nopivot "$(sh_args 'stat -f -c %T /proc; cat /mnt/ro/hello')" \
	".mounts += [{destination: \"/mnt/ro\", type: \"bind\", source: \"$work/host\", options: [\"rbind\", \"ro\"]}]"
run nopivot --no-pivot
ok "--no-pivot runs the container with its mounts" sh -c "[ \"\$(cat $work/nopivot.out)\" = 'proc
host content' ]"

if is_sloika; then
	# runc 1.1 refuses sysfs in a user namespace without a network
	# namespace when run as root; sloika binds the host's /sys as for
	# rootless containers.
	bundle userns "$(sh_args 'stat -c "%F %t %T" /dev/null /dev/tty; grep -c " /dev/null " /proc/self/mountinfo; stat -f -c %T /sys /sys/fs/cgroup; cat /mnt/ro/hello')" \
		".linux.namespaces |= map(select(.type != \"network\")) | .linux.namespaces += [{type: \"user\"}]
		 | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		 | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		 | .mounts += [{destination: \"/mnt/ro\", type: \"bind\", source: \"$work/host\", options: [\"rbind\", \"ro\"]}]"
	run userns
	ok "in a user namespace: devices are the host's nodes bound in, sysfs is the host's /sys, binds work" \
		sh -c "[ \"\$(cat $work/userns.out)\" = 'character special file 1 3
character special file 5 0
1
sysfs
tmpfs
host content' ]"
fi

ok "nothing is left mounted on the host" sh -c "[ \"\$(awk -v w='$work' '\$5 ~ \"^\" w || \$5 ~ \"^/etc\" {print \$5}' /proc/self/mountinfo | sort)\" = '$mounts_before' ]"
if [ "$tap_failed" -ne 0 ]; then
	for f in "$work"/*.out; do diag "${f##*/}: $(head -c 600 "$f" | tr '\n' '|')"; done
fi
done_testing
