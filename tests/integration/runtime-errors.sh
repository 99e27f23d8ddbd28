#!/bin/sh
# A create that fails at any step reports the step and the config field in
# one line and leaves nothing behind: no state dir, cgroup, mount or
# process.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

# fails NAME PATTERN JQ_FILTER: a create from a bundle edited by
# JQ_FILTER fails with one error line matching PATTERN (grep -E) and
# leaves no trace of the container.
fails() {
	name=$1 pattern=$2
	b=$(basename "$(mktemp -d "$T/eXXXXXX")")
	make_bundle "$b" '["sleep","100"]' >/dev/null
	[ -n "$3" ] && cfg "$b" "$3"
	sl create -b "$T/$b" "$b" >/dev/null 2>"$T/err"
	rc=$?
	msg=$(sed 's/^time="[^"]*" level=error msg="//;s/"$//;s/\\"/"/g' "$T/err")
	tap_n=$((tap_n + 1))
	leftovers=
	[ -e "$ROOT/$b" ] && leftovers="$leftovers state-dir"
	for h in /sys/fs/cgroup/*/sloika/"$b" /sys/fs/cgroup/unified/sloika/"$b"; do
		[ -e "$h" ] && leftovers="$leftovers $h"
	done
	grep -q "$T/rootfs/" /proc/self/mountinfo && leftovers="$leftovers mounts"
	pgrep -f "create -b $T/$b $b" >/dev/null && leftovers="$leftovers process"
	if [ $rc -ne 0 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && echo "$msg" | grep -Eq -- "$pattern" &&
		[ -z "$leftovers" ]; then
		echo "ok $tap_n - $name"
	else
		echo "not ok $tap_n - $name"
		echo "#   rc=$rc message: $msg"
		echo "#   want: $pattern"
		[ -n "$leftovers" ] && echo "#   left behind:$leftovers"
	fi
	[ -n "$leftovers" ] && sl delete -f "$b" >/dev/null 2>&1
	true
}

fails "a wrongly typed field names the file and the JSON path" \
	"^create: $T/e[^/]*/config.json: process.user.uid: expected" '.process.user.uid = "zero"'
fails "a missing required field names it" \
	"^create: $T/e[^/]*/config.json: process.cwd: missing required field" 'del(.process.cwd)'
fails "empty args are refused" "process.args: must not be empty" '.process.args = []'
fails "an unknown namespace type names the entry" \
	'linux.namespaces\[[0-9]+\].type: unknown namespace type "bogus"' '.linux.namespaces += [{"type": "bogus"}]'
fails "mappings without a user namespace are refused" "linux.uidMappings: mappings given without a user namespace" \
	'.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]'
fails "an unknown rlimit names the entry" 'process.rlimits\[0\].type: unknown rlimit "RLIMIT_BOGUS"' \
	'.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
fails "a hostname without a uts namespace is refused" "hostname: needs a new uts namespace" \
	'del(.linux.namespaces[] | select(.type == "uts"))'
fails "a mount that fails names the step, the mount and the errno" \
	'^create: mount "/mnt/x" \(mounts\[[0-9]+\]\): .*(No such device|not supported|nosuchfs)' \
	'.mounts += [{"destination": "/mnt/x", "type": "nosuchfs", "source": "none"}]'
fails "joining a namespace of the wrong type names the entry" \
	'linux.namespaces\[[0-9]+\]: join ipc namespace "/proc/self/ns/net": Invalid argument' \
	'(.linux.namespaces[] | select(.type == "ipc")) |= {"type": "ipc", "path": "/proc/self/ns/net"}'
fails "a namespace path that does not exist names the entry" \
	'linux.namespaces\[[0-9]+\].path: open "/nonexistent/ns": No such file' \
	'(.linux.namespaces[] | select(.type == "uts")) |= {"type": "uts", "path": "/nonexistent/ns"}'
fails "a terminal without --console-socket is refused" \
	'process.terminal: needs --console-socket' '.process.terminal = true'
fails "a program that is not in the rootfs fails at create, naming the program" \
	'exec: "no-such-program": executable file not found in \$PATH' '.process.args = ["no-such-program"]'
fails "a failing createRuntime hook names the stage and index" \
	'hook createRuntime\[0\] \(/bin/false\): exited with status 1' \
	'.hooks.createRuntime = [{"path": "/bin/false"}]'
fails "a failing createContainer hook names the stage" \
	'hook createContainer\[0\]' '.hooks.createContainer = [{"path": "/bin/false"}]'
fails "a missing rootfs names its path" 'rootfs "/nonexistent/rootfs": No such file or directory' \
	'.root.path = "/nonexistent/rootfs"'
fails "an init killed during create says by what" "killed by signal 9 \\(out of memory under linux.resources.memory.limit" \
	'.linux.resources.memory.limit = 1'

# A create killed half-way (its createRuntime hook kills it) leaves state
# that delete --force must clean up, cgroup included.
make_bundle killed '["true"]'
cfg killed '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $PPID"]}]'
sl create -b "$T/killed" killed-$$ 2>/dev/null
ok "a create killed half-way leaves its state dir" [ -d "$ROOT/killed-$$" ]
cg=$(jq -r .cgroupPath "$ROOT/killed-$$/state.json" 2>/dev/null)
ok "... and its cgroup" [ -n "$cg" -a -d "/sys/fs/cgroup/pids$cg" ]
sl delete -f killed-$$
ok "delete --force removes the half-created state dir" [ ! -e "$ROOT/killed-$$" ]
ok "delete --force removes the half-created container's cgroup" [ ! -e "/sys/fs/cgroup/pids$cg" ]

printf '{"ociVersion": "1.2.0", ' >"$T/broken.json"
mkdir -p "$T/broken" && cp "$T/broken.json" "$T/broken/config.json"
sl create -b "$T/broken" broken 2>"$T/err"
ok "invalid JSON names the file" grep -q "$T/broken/config.json: invalid JSON" "$T/err"
ok "invalid JSON leaves no state dir" [ ! -e "$ROOT/broken" ]

sl create -b "$T/broken" 'bad/id' 2>"$T/err"
ok "an id with a slash is refused" grep -q 'invalid container id format: bad/id' "$T/err"
sl start nosuch 2>"$T/err"
ok "start of an unknown id says it does not exist" grep -q 'container \\"nosuch\\" does not exist' "$T/err"
sl kill nosuch 2>"$T/err"
ok "kill of an unknown id says it does not exist" grep -q 'container \\"nosuch\\" does not exist' "$T/err"
sl delete nosuch 2>"$T/err"
ok "delete of an unknown id says it does not exist" grep -q 'container \\"nosuch\\" does not exist' "$T/err"
sl kill nosuch NOTASIGNAL 2>"$T/err"
ok "an unknown signal name is refused" grep -q 'unknown signal \\"NOTASIGNAL\\"' "$T/err"

done_testing
