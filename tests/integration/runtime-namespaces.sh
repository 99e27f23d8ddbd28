#!/bin/sh
# linux.namespaces: new ones differ from the host's, joined ones (by path)
# are the named ones, user namespaces get their mappings, time namespaces
# their offsets.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

inside() { # inside SCRIPT [JQ_FILTER]
	b=$(basename "$(mktemp -d "$T/nXXXXXX")")
	make_bundle "$b" "$(jq -cn --arg s "$1" '["sh","-c",$s]')" >/dev/null
	[ -n "${2:-}" ] && cfg "$b" "$2"
	sl run -b "$T/$b" "$b" </dev/null
}

for ns in pid net ipc uts mnt cgroup; do
	host=$(readlink /proc/self/ns/$ns)
	got=$(inside "readlink /proc/self/ns/$ns")
	tap_n=$((tap_n + 1))
	if [ -n "$got" ] && [ "$got" != "$host" ]; then
		echo "ok $tap_n - a new $ns namespace differs from the host's ($got)"
	else
		echo "not ok $tap_n - a new $ns namespace differs from the host's (got '$got', host $host)"
		tap_failed=$((tap_failed + 1))
	fi
done
out_is "without a network namespace the host's is shared" "$(readlink /proc/self/ns/net)" \
	inside 'readlink /proc/self/ns/net' 'del(.linux.namespaces[] | select(.type == "network"))'

# A long-running container whose namespaces others join.
make_bundle holder '["sleep","1000"]'
cfg holder '.linux.namespaces += [{"type": "user"}]
	| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
sl create -b "$T/holder" holder-$$ && sl start holder-$$
hp=$(sl state holder-$$ | jq -r .pid)
ok "a container with a user namespace starts" [ -n "$hp" -a "$hp" != 0 ]
out_is "the user namespace gets linux.uidMappings" "0 200000 65536" \
	sh -c "tr -s ' ' </proc/$hp/uid_map | sed 's/^ //'"
out_is "the user namespace gets linux.gidMappings" "0 200000 65536" \
	sh -c "tr -s ' ' </proc/$hp/gid_map | sed 's/^ //'"
out_is "the init runs as the user namespace's root (host uid 200000)" "200000" \
	sh -c "awk '/^Uid:/{print \$2}' /proc/$hp/status"
out_is "inside a user namespace the process sees uid 0 and its map" "0
0 200000 65536" inside 'id -u; tr -s " " </proc/self/uid_map | sed "s/^ //"' \
	'.linux.namespaces += [{"type": "user"}]
	| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'

out_is "a network namespace joined by path is that namespace" "$(readlink /proc/$hp/ns/net)" \
	inside 'readlink /proc/self/ns/net' \
	"(.linux.namespaces[] | select(.type == \"network\")) |= {\"type\": \"network\", \"path\": \"/proc/$hp/ns/net\"}
	| .linux.namespaces += [{\"type\": \"user\", \"path\": \"/proc/$hp/ns/user\"}]"
out_is "a pid namespace joined by path is that namespace, and we are not its pid 1" \
	"$(readlink /proc/$hp/ns/pid) yes" \
	inside 'echo $(readlink /proc/self/ns/pid) $([ $$ != 1 ] && echo yes)' \
	"(.linux.namespaces[] | select(.type == \"pid\")) |= {\"type\": \"pid\", \"path\": \"/proc/$hp/ns/pid\"}
	| .linux.namespaces += [{\"type\": \"user\", \"path\": \"/proc/$hp/ns/user\"}]"
out_is "a joined user namespace brings its mappings" "0 200000 65536" \
	inside 'tr -s " " </proc/self/uid_map | sed "s/^ //"' \
	".linux.namespaces += [{\"type\": \"user\", \"path\": \"/proc/$hp/ns/user\"}]"
out_is "uts and ipc namespaces joined by path (no user namespace)" \
	"$(readlink /proc/$hp/ns/uts) $(readlink /proc/$hp/ns/ipc)" \
	inside 'echo $(readlink /proc/self/ns/uts) $(readlink /proc/self/ns/ipc)' \
	"(.linux.namespaces[] | select(.type == \"uts\")) |= {\"type\": \"uts\", \"path\": \"/proc/$hp/ns/uts\"}
	| (.linux.namespaces[] | select(.type == \"ipc\")) |= {\"type\": \"ipc\", \"path\": \"/proc/$hp/ns/ipc\"}
	| del(.hostname)"
out_is "a hostname can be set in a uts namespace joined by path" joined \
	inside 'hostname' \
	"(.linux.namespaces[] | select(.type == \"uts\")) |= {\"type\": \"uts\", \"path\": \"/proc/$hp/ns/uts\"}
	| .hostname = \"joined\""
out_is "the joined uts namespace got that hostname" joined nsenter -u -t "$hp" hostname
sl delete -f holder-$$

# A mount namespace made on the host (with the host's mounts) to join.
unshare -m --propagation private sleep 1000 &
mp=$!
sleep 0.2
out_is "a mount namespace joined by path is that namespace" "$(readlink /proc/$mp/ns/mnt)" \
	inside 'readlink /proc/self/ns/mnt' \
	"(.linux.namespaces[] | select(.type == \"mount\")) |= {\"type\": \"mount\", \"path\": \"/proc/$mp/ns/mnt\"}"
kill $mp

make_bundle nons '["sleep","1000"]'
cfg nons '.linux.namespaces = [] | del(.hostname) | .mounts = []'
sl create -b "$T/nons" nons-$$
np=$(sl state nons-$$ | jq -r .pid)
out_is "without any namespace the container shares all of the host's" \
	"$(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid) $(readlink /proc/self/ns/net)" \
	sh -c "echo \$(readlink /proc/$np/ns/mnt) \$(readlink /proc/$np/ns/pid) \$(readlink /proc/$np/ns/net)"
out_is "without a mount namespace the rootfs is chrooted into" "$T/rootfs" readlink "/proc/$np/root"
sl delete -f nons-$$

out_is "a time namespace gets linux.timeOffsets (boottime +10 days)" yes \
	inside 'awk "{print (\$1 > 864000) ? \"yes\" : \"no\"}" /proc/uptime' \
	'.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}}'
ok "host uptime is below the offset (so the check above can fail)" \
	awk '{exit !($1 < 864000)}' /proc/uptime

done_testing
