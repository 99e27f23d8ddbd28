#!/bin/bash
# The management commands on real busybox containers: ps, pause/resume,
# kill and delete of paused containers, update (flags and --resources),
# events (--stats, streaming, OOM), on this host's hierarchies (v1 or
# hybrid) and in a private mount namespace whose /sys/fs/cgroup is a fresh
# cgroup2 mount.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init
[ -d /sys/fs/cgroup ] || skip_all "no /sys/fs/cgroup"
# v2 CMD...: CMD in a private mount namespace whose /sys/fs/cgroup is cgroup2.
v2() { unshare -m --propagation private sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' sh "$@"; }
cleanup() {
	local id
	[ -n "${RUNC_ROOT:-}" ] && runc --root "$RUNC_ROOT" delete -f mg-runc-ev >/dev/null 2>&1
	for id in mg-v2ps mg-v2 mg-v2k mg-v2d; do
		[ -d "$ROOT/$id" ] && v2 "$SLOIKA" --root "$ROOT" delete -f $id >/dev/null 2>&1
	done
	bundle_cleanup
}
trap cleanup EXIT

# msg CMD...: the message of the error CMD logs (runc's text log shape).
msg() { "$@" 2>&1 >/dev/null | tail -n 1 | sed 's/.*msg="//;s/"$//;s/\\"/"/g'; }
# procs ID: the pids in the container's cgroup, sorted, one per line.
procs() {
	local f
	for f in /sys/fs/cgroup/unified/sloika/"$1" /sys/fs/cgroup/sloika/"$1" \
		/sys/fs/cgroup/freezer/sloika/"$1" /sys/fs/cgroup/pids/sloika/"$1"; do
		[ -f "$f/cgroup.procs" ] && { sort -n "$f/cgroup.procs"; return; }
	done
}
# cgfile CTRL ID FILE: a v1 controller's file, else the unified tree's.
cgfile() {
	local f
	for f in "/sys/fs/cgroup/$1/sloika/$2/$3" "/sys/fs/cgroup/sloika/$2/$4" \
		"/sys/fs/cgroup/unified/sloika/$2/$4"; do
		[ -f "$f" ] && { cat "$f"; return; }
	done
	echo missing
}
no_cgroup() { ! ls -d /sys/fs/cgroup/sloika/"$1" /sys/fs/cgroup/*/sloika/"$1" >/dev/null 2>&1; }
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
all_gone() { local p; for p in "$@"; do gone "$p" || return 1; done; }
wait_for() { local i=0; until "$@" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done; "$@"; }
jqt() { jq -e "$@" >/dev/null; }
status_is() { [ "$(sl state "$1" 2>/dev/null | jq -r .status)" = "$2" ]; }

# --- ps ---
make_bundle psb '["sh","-c","sleep 1001 & sleep 1002 & wait"]'
sl run -d -b "$T/psb" mg-ps >/dev/null 2>&1
wait_for sh -c "[ \$(cat /sys/fs/cgroup/*/sloika/mg-ps/cgroup.procs 2>/dev/null | sort -u | wc -l) -ge 3 ]"
out_is "ps --format json prints the pids of the container's cgroup" "$(procs mg-ps | paste -sd,)" \
	sh -c "'$SLOIKA' --root '$ROOT' ps --format json mg-ps | jq -r 'sort | map(tostring) | join(\",\")'"
sl ps mg-ps >"$T/ps.out" 2>&1
ok "ps succeeds" [ $? -eq 0 ]
ok "ps prints ps -ef's header" grep -q '^UID  *PID  *PPID' "$T/ps.out"
ok "ps prints one line per container process and nothing else" \
	[ "$(($(wc -l <"$T/ps.out") - 1))" -eq "$(procs mg-ps | wc -l)" ]
ok "ps lists the container's processes" sh -c "grep -q 'sleep 1001' '$T/ps.out' && grep -q 'sleep 1002' '$T/ps.out'"
ok "ps lists no host process (pid 1, this shell)" \
	sh -c "! awk 'NR > 1 { print \$2 }' '$T/ps.out' | grep -qx -e 1 -e $$"
out_is "ps passes ps arguments through (-o pid,comm)" "sh sleep sleep" \
	sh -c "'$SLOIKA' --root '$ROOT' ps mg-ps -o pid,comm | awk 'NR > 1 { print \$2 }' | sort | paste -sd' '"
out_is "ps without a PID column fails like runc" "couldn't find PID field in ps output" msg sl ps mg-ps -o comm
out_is "ps of a missing container says it does not exist" 'container "mg-none" does not exist' msg sl ps mg-none
out_is "ps rejects an unknown format" 'ps: invalid format option "xml" (table or json) (see '"'"'sloika ps --help'"'"')' \
	msg sl ps --format xml mg-ps
pspids=$(procs mg-ps)
sl kill mg-ps KILL
wait_for status_is mg-ps stopped
out_is "ps of a stopped container prints only the header" 1 sh -c "'$SLOIKA' --root '$ROOT' ps mg-ps | wc -l"
out_is "ps --format json of a stopped container is an empty list" "[]" sl ps --format json mg-ps
sl delete -f mg-ps

# --- pause and resume ---
# counter BUNDLE FILE: a loop that counts into /tmp/FILE of the shared rootfs.
counter() {
	make_bundle "$1" '["sh","-c","i=0; while true; do i=$((i+1)); echo $i >/tmp/'"$2"'.new; mv /tmp/'"$2"'.new /tmp/'"$2"'; done"]'
	cfg "$1" '.root.readonly = false'
}
count() { cat "$T/rootfs/tmp/$1" 2>/dev/null || echo 0; }
advancing() { local a b; a=$(count "$1"); sleep 0.3; b=$(count "$1"); [ "$b" -gt "$a" ]; }
still() { local a b; a=$(count "$1"); sleep 0.5; b=$(count "$1"); [ "$b" -eq "$a" ]; }

counter cnt mg-count
sl run -d -b "$T/cnt" mg-pause >/dev/null 2>&1
ok "the counter advances while running" wait_for advancing mg-count
sl pause mg-pause
ok "pause succeeds" [ $? -eq 0 ]
ok "state reports paused" status_is mg-pause paused
ok "list reports paused" sh -c "'$SLOIKA' --root '$ROOT' list | grep -q '^mg-pause .* paused '"
ok "the counter does not advance while paused" still mg-count
out_is "pause of a paused container fails like runc" "container not running" msg sl pause mg-pause
sl resume mg-pause
ok "resume succeeds" [ $? -eq 0 ]
ok "state reports running after resume" status_is mg-pause running
ok "the counter advances again after resume" advancing mg-count
out_is "resume of a running container fails like runc" "container not paused" msg sl resume mg-pause
out_is "pause of a missing container says it does not exist" 'container "mg-none" does not exist' msg sl pause mg-none

# kill (init only, SIGKILL) of a paused container
sl pause mg-pause
ppids=$(procs mg-pause)
sl kill mg-pause KILL
ok "kill KILL of a paused container succeeds" [ $? -eq 0 ]
ok "... the container is stopped" wait_for status_is mg-pause stopped
ok "... its processes are gone" wait_for all_gone $ppids
out_is "pause of a stopped container fails like runc" "container not running" msg sl pause mg-pause
out_is "resume of a stopped container fails like runc" "container not paused" msg sl resume mg-pause
sl delete mg-pause
ok "... and delete then leaves no cgroup" no_cgroup mg-pause

# kill --all of a paused container
make_bundle many '["sh","-c","sleep 1001 & sleep 1002 & sleep 1003"]'
sl run -d -b "$T/many" mg-killall >/dev/null 2>&1
wait_for sh -c "[ \$(cat /sys/fs/cgroup/*/sloika/mg-killall/cgroup.procs 2>/dev/null | sort -u | wc -l) -ge 3 ]"
sl pause mg-killall
kpids=$(procs mg-killall)
sl kill --all mg-killall KILL
ok "kill --all KILL of a paused container succeeds" [ $? -eq 0 ]
ok "... every process is gone" wait_for all_gone $kpids
ok "... the container is stopped" wait_for status_is mg-killall stopped
sl delete mg-killall
ok "... delete leaves no state and no cgroup" sh -c "[ ! -e '$ROOT/mg-killall' ] && ! ls -d /sys/fs/cgroup/*/sloika/mg-killall >/dev/null 2>&1"

# delete --force of a paused container
sl run -d -b "$T/many" mg-delf >/dev/null 2>&1
wait_for sh -c "[ \$(cat /sys/fs/cgroup/*/sloika/mg-delf/cgroup.procs 2>/dev/null | sort -u | wc -l) -ge 3 ]"
sl pause mg-delf
dpids=$(procs mg-delf)
sl delete --force mg-delf
ok "delete --force of a paused container succeeds" [ $? -eq 0 ]
ok "... its processes are gone" wait_for all_gone $dpids
ok "... its state dir is gone" [ ! -e "$ROOT/mg-delf" ]
ok "... its cgroup is gone in every hierarchy" no_cgroup mg-delf

# --- update ---
v1mem=false
[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] && v1mem=true
# The forks run in a child shell: busybox sh exits when a fork fails.
make_bundle upd '["sh","-c","while [ ! -e /tmp/mg-go ]; do sleep 0.1; done; sh -c \"for i in 1 2 3 4 5 6 7 8; do sleep 100 & done\" 2>/tmp/mg-fork.err; echo forked >/tmp/mg-forked; exec sleep 1000"]'
cfg upd '.root.readonly = false'
rm -f "$T/rootfs/tmp/mg-go" "$T/rootfs/tmp/mg-forked" "$T/rootfs/tmp/mg-fork.err"
sl run -d -b "$T/upd" mg-upd >/dev/null 2>&1
sl update --memory 64M mg-upd
ok "update --memory 64M succeeds" [ $? -eq 0 ]
out_is "... memory.limit_in_bytes / memory.max is 64 MiB" 67108864 cgfile memory mg-upd memory.limit_in_bytes memory.max
sl update --memory 1g mg-upd
out_is "update --memory 1g sets 1 GiB" 1073741824 cgfile memory mg-upd memory.limit_in_bytes memory.max
sl update --memory 96.5m mg-upd
out_is "update takes runc's fractional sizes (96.5m)" 101187584 cgfile memory mg-upd memory.limit_in_bytes memory.max
sl update --memory -1 mg-upd
ok "update --memory -1 lifts the limit" sh -c "v=\$(cat /sys/fs/cgroup/memory/sloika/mg-upd/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/unified/sloika/mg-upd/memory.max); [ \"\$v\" = max ] || [ \"\$v\" -gt 1000000000000 ]"
sl update --cpu-quota 25000 --cpu-period 50000 mg-upd
ok "update --cpu-quota/--cpu-period succeed" [ $? -eq 0 ]
if [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
	out_is "... cpu.cfs_quota_us and cpu.cfs_period_us changed" "25000 50000" \
		sh -c "echo \$(cat /sys/fs/cgroup/cpu/sloika/mg-upd/cpu.cfs_quota_us /sys/fs/cgroup/cpu/sloika/mg-upd/cpu.cfs_period_us)"
else
	out_is "... cpu.max changed" "25000 50000" cat /sys/fs/cgroup/unified/sloika/mg-upd/cpu.max
fi
sl update --cpu-share 512 mg-upd
out_is "update --cpu-share sets cpu.shares (v1)" 512 cgfile cpu mg-upd cpu.shares cpu.weight-missing
sl update --pids-limit 4 mg-upd
out_is "update --pids-limit 4 sets pids.max" 4 cgfile pids mg-upd pids.max pids.max
touch "$T/rootfs/tmp/mg-go"
wait_for [ -e "$T/rootfs/tmp/mg-forked" ]
ok "the container hits the new pids limit: a fork fails" grep -q "can't fork" "$T/rootfs/tmp/mg-fork.err"
ok "... and never holds more than 4 processes" [ "$(cgfile pids mg-upd pids.current pids.current)" -le 4 ]
echo '{"memory": {"limit": 33554432}, "pids": {"limit": 7}}' | sl update --resources - mg-upd
ok "update --resources - reads linux.resources from stdin" [ $? -eq 0 ]
out_is "... memory limit from stdin applied" 33554432 cgfile memory mg-upd memory.limit_in_bytes memory.max
out_is "... pids limit from stdin applied" 7 cgfile pids mg-upd pids.max pids.max
echo '{"pids": {"limit": 9}}' >"$T/res.json"
sl update -r "$T/res.json" mg-upd
out_is "update -r FILE applies the file" 9 cgfile pids mg-upd pids.max pids.max
echo '{"pids": {"limit": 0}}' | sl update -r - mg-upd
out_is "a zero pids.limit leaves pids.max alone, as with runc" 9 cgfile pids mg-upd pids.max pids.max
before=$(cgfile memory mg-upd memory.limit_in_bytes memory.max)
echo '{"memory": {"limit": 0, "reservation": 0, "swap": 0}, "cpu": {"shares": 0, "quota": 0, "period": 0}, "blockIO": {"weight": 0}, "pids": {"limit": 11}}' |
	sl update -r - mg-upd
ok "Docker's update JSON (zeros for the limits not given) succeeds" [ $? -eq 0 ]
out_is "... leaves the zero limits alone" "$before" cgfile memory mg-upd memory.limit_in_bytes memory.max
out_is "... and applies the others" 11 cgfile pids mg-upd pids.max pids.max
sl update --memory 0 --pids-limit 10 mg-upd
out_is "update --memory 0 leaves the memory limit alone, as runc's flags do" "$before" cgfile memory mg-upd memory.limit_in_bytes memory.max
out_is "a bad size names the flag" "--memory: invalid size 'foo' (bytes, with an optional k, m, g, t or p suffix, or -1 for unlimited)" \
	msg sl update --memory foo mg-upd
out_is "a bad integer names the flag" "--pids-limit: invalid value 'lots' (an integer)" msg sl update --pids-limit lots mg-upd
out_is "a negative period names the flag" "--cpu-period: invalid value '-5' (a non-negative integer)" msg sl update --cpu-period -5 mg-upd
out_is "a blkio weight out of range names the flag" "--blkio-weight: 5 is outside 10-1000" msg sl update --blkio-weight 5 mg-upd
out_is "a bad --resources value names the JSON field" "stdin: memory.limit: expected integer, got string" \
	sh -c "echo '{\"memory\":{\"limit\":\"x\"}}' | '$SLOIKA' --root '$ROOT' update -r - mg-upd 2>&1 | sed 's/.*msg=\"//;s/\"$//'"
out_is "a missing --resources file is named" "$T/nope.json" \
	sh -c "'$SLOIKA' --root '$ROOT' update -r '$T/nope.json' mg-upd 2>&1 | grep -o '$T/nope.json' | head -n 1"
hugetlb=false
[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] && { [ -d /sys/fs/cgroup/hugetlb ] ||
	grep -qsw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control /sys/fs/cgroup/cgroup.subtree_control; } &&
	hugetlb=true
if $hugetlb; then
	echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' | sl update -r - mg-upd
	out_is "update --resources sets hugetlb limits (the unified tree's on a hybrid host)" 4194304 \
		cgfile hugetlb mg-upd hugetlb.2MB.limit_in_bytes hugetlb.2MB.max
else
	skip "update --resources sets hugetlb limits (the unified tree's on a hybrid host)" "no 2MB hugetlb controller"
fi
if $v1mem; then
	out_is "a memory limit below the usage is a clear error" \
		"cgroup: linux.resources.memory.limit: write memory.limit_in_bytes: Device or resource busy (4096 is below what the container uses and the kernel could not reclaim enough)" \
		msg sl update --memory 4k mg-upd
	out_is "swap below memory is a clear error naming the field" \
		"cgroup: linux.resources.memory.swap: memory+swap limit 1048576 is below the memory limit 2097152" \
		msg sl update --memory 2M --memory-swap 1M mg-upd
else
	skip "a memory limit below the usage is a clear error" "no v1 memory controller"
	skip "swap below memory is a clear error naming the field" "no v1 memory controller"
fi
ok "a failed update left the earlier limits" [ "$(cgfile pids mg-upd pids.max pids.max)" = 10 ]
sl delete -f mg-upd
out_is "update of a stopped container fails like runc" "container not running" \
	sh -c "'$SLOIKA' --root '$ROOT' run -d -b '$T/psb' mg-upd2 >/dev/null 2>&1; '$SLOIKA' --root '$ROOT' kill mg-upd2 KILL; sleep 0.3; '$SLOIKA' --root '$ROOT' update --pids-limit 3 mg-upd2 2>&1 | sed 's/.*msg=\"//;s/\"$//'"
sl delete -f mg-upd2

# --- events ---
make_bundle evb '["sh","-c","sleep 1001 & sleep 1002 & head -c 4000000 /dev/zero | cat >/dev/null; wait"]'
sl run -d -b "$T/evb" mg-ev >/dev/null 2>&1
wait_for sh -c "[ \$(cat /sys/fs/cgroup/*/sloika/mg-ev/cgroup.procs 2>/dev/null | sort -u | wc -l) -ge 3 ]"
sleep 0.3
sl events --stats mg-ev >"$T/ev.json"
ok "events --stats succeeds" [ $? -eq 0 ]
ok "... one JSON line of type stats with the id" jqt '.type == "stats" and .id == "mg-ev"' "$T/ev.json"
out_is "... data has runc's members" "blkio cpu cpuset hugetlb intel_rdt memory network_interfaces pids" \
	jq -r '.data | keys | join(" ")' "$T/ev.json"
out_is "... memory has runc's members" "kernel kernelTCP raw swap usage" \
	jq -r '.data.memory | del(.cache) | keys | join(" ")' "$T/ev.json"
ok "... memory usage is real (> 0)" jqt '.data.memory.usage.usage > 0' "$T/ev.json"
ok "... cpu usage is real (> 0)" jqt '.data.cpu.usage.total > 0' "$T/ev.json"
out_is "... pids.current is the container's process count" "$(procs mg-ev | wc -l)" jq -r .data.pids.current "$T/ev.json"
if command -v runc >/dev/null; then
	RUNC_ROOT=$T/runc
	cfg evb '.linux.cgroupsPath = "/sloika/mg-runc-ev"'
	if runc --root "$RUNC_ROOT" run -d -b "$T/evb" mg-runc-ev </dev/null >/dev/null 2>&1; then
		sleep 0.3
		runc --root "$RUNC_ROOT" events --stats mg-runc-ev >"$T/runc-ev.json"
		out_is "... the same data members as runc's events --stats" "$(jq -r '.data | keys | join(" ")' "$T/runc-ev.json")" \
			jq -r '.data | keys | join(" ")' "$T/ev.json"
		out_is "... the same memory members as runc's" "$(jq -r '.data.memory | del(.cache) | keys | join(" ")' "$T/runc-ev.json")" \
			jq -r '.data.memory | del(.cache) | keys | join(" ")' "$T/ev.json"
		out_is "... the same cpu.usage members as runc's" "$(jq -r '.data.cpu.usage | keys | join(" ")' "$T/runc-ev.json")" \
			jq -r '.data.cpu.usage | keys | join(" ")' "$T/ev.json"
		runc --root "$RUNC_ROOT" delete -f mg-runc-ev >/dev/null 2>&1
	else
		skip "... the same data members as runc's events --stats" "runc cannot run a container here"
	fi
else
	skip "... the same data members as runc's events --stats" "runc not installed"
fi
timeout 3.5 "$SLOIKA" --root "$ROOT" events --interval 1s mg-ev >"$T/stream.out"
ok "events --interval 1s streams at least 2 samples in 3.5 s" [ "$(jq -s 'map(select(.type == "stats")) | length' "$T/stream.out")" -ge 2 ]
timeout 2 "$SLOIKA" --root "$ROOT" events --interval 300ms mg-ev >"$T/stream2.out"
ok "events --interval 300ms takes Go's duration syntax" [ "$(wc -l <"$T/stream2.out")" -ge 4 ]
out_is "a bad --interval is a clear error" "--interval: invalid duration '1x' (e.g. 5s, 500ms, 1m30s)" msg sl events --interval 1x mg-ev
sl kill mg-ev KILL
wait_for status_is mg-ev stopped
out_is "events of a stopped container fails like runc" "container with id mg-ev is not running" msg sl events --stats mg-ev
sl delete mg-ev

make_bundle short '["sleep","2"]'
sl run -d -b "$T/short" mg-evend >/dev/null 2>&1
timeout 10 "$SLOIKA" --root "$ROOT" events --interval 500ms mg-evend >"$T/end.out"
ok "the event stream ends by itself when the container stops" [ $? -eq 0 ]
sl delete -f mg-evend

if $v1mem || [ -f /sys/fs/cgroup/memory.events ]; then
	make_bundle oom '["sh","-c","sleep 1; tail /dev/zero; sleep 1000"]'
	cfg oom '.linux.resources.memory.limit = 16777216 | .linux.resources.memory.swap = 16777216'
	sl run -d -b "$T/oom" mg-oom >/dev/null 2>&1
	timeout 8 "$SLOIKA" --root "$ROOT" events --interval 30s mg-oom >"$T/oom.out"
	ok "an OOM kill shows as an oom event" jqt 'select(.type == "oom" and .id == "mg-oom")' "$T/oom.out"
	sl delete -f mg-oom
else
	skip "an OOM kill shows as an oom event" "no memory controller"
fi

# --- logging ---
sl --log "$T/log.json" --log-format json pause mg-none 2>"$T/log.err"
ok "--log-format json logs the error as JSON" \
	jqt --arg m 'container "mg-none" does not exist' '.level == "error" and .msg == $m' "$T/log.json"
ok "... and writes it to stderr too" grep -q 'does not exist' "$T/log.err"

# --- cgroup v2 (a private cgroup2 mount) ---
if ! command -v unshare >/dev/null || ! grep -qw cgroup2 /proc/filesystems ||
	! v2 true 2>/dev/null; then
	skip "cgroup v2: pause, resume, kill and delete of paused containers" "cannot mount cgroup2 in a mount namespace"
else
	sl2() { v2 "$SLOIKA" --root "$ROOT" "$@"; }
	v2procs() { v2 cat /sys/fs/cgroup/sloika/"$1"/cgroup.procs 2>/dev/null | sort -n; }
	v2status() { [ "$(sl2 state "$1" 2>/dev/null | jq -r .status)" = "$2" ]; }
	sl2 run -d -b "$T/many" mg-v2ps >/dev/null 2>&1
	sleep 0.3
	ok "v2: the container runs in the cgroup2 tree" [ -n "$(v2procs mg-v2ps)" ]
	out_is "v2: ps --format json lists the cgroup's pids" "$(v2procs mg-v2ps | paste -sd,)" \
		sh -c "unshare -m --propagation private sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec \"\$@\"' sh '$SLOIKA' --root '$ROOT' ps --format json mg-v2ps | jq -r 'sort | map(tostring) | join(\",\")'"
	sl2 delete -f mg-v2ps
	counter cnt2 mg-count2
	sl2 run -d -b "$T/cnt2" mg-v2 >/dev/null 2>&1
	wait_for advancing mg-count2
	sl2 pause mg-v2
	ok "v2: pause sets cgroup.freeze" [ "$(v2 cat /sys/fs/cgroup/sloika/mg-v2/cgroup.freeze)" = 1 ]
	ok "v2: state reports paused" v2status mg-v2 paused
	ok "v2: the counter does not advance while paused" still mg-count2
	sl2 resume mg-v2
	ok "v2: resume succeeds and clears cgroup.freeze" [ "$(v2 cat /sys/fs/cgroup/sloika/mg-v2/cgroup.freeze)" = 0 ]
	ok "v2: the counter advances after resume" advancing mg-count2
	ok "v2: state reports running after resume" v2status mg-v2 running
	if [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] && v2 grep -qw hugetlb /sys/fs/cgroup/cgroup.subtree_control; then
		echo '{"hugepageLimits": [{"pageSize": "2MB", "limit": 6291456}]}' | sl2 update -r - mg-v2
		out_is "v2: update applies live (hugetlb.2MB.max)" 6291456 v2 cat /sys/fs/cgroup/sloika/mg-v2/hugetlb.2MB.max
	else
		skip "v2: update applies live (hugetlb.2MB.max)" "no hugetlb controller in cgroup2"
	fi
	if v2 grep -qw pids /sys/fs/cgroup/cgroup.subtree_control; then
		sl2 update --pids-limit 5 mg-v2
		out_is "v2: update --pids-limit sets pids.max" 5 v2 cat /sys/fs/cgroup/sloika/mg-v2/pids.max
	else
		out_is "v2: a controller the tree lacks is a clear error naming the field" \
			"cgroup: linux.resources.pids: the pids controller is not available: not enabled in the parent's cgroup.subtree_control (held by cgroup v1, or not built into the kernel)" \
			msg sl2 update --pids-limit 5 mg-v2
	fi
	sl2 pause mg-v2
	v2p=$(v2procs mg-v2)
	sl2 kill mg-v2 KILL
	ok "v2: kill KILL of a paused container stops it" wait_for v2status mg-v2 stopped
	ok "v2: ... its processes are gone" wait_for all_gone $v2p
	sl2 delete mg-v2
	ok "v2: ... delete removes its cgroup" [ -z "$(v2 ls -d /sys/fs/cgroup/sloika/mg-v2 2>/dev/null)" ]
	sl2 run -d -b "$T/many" mg-v2k >/dev/null 2>&1
	sleep 0.3
	sl2 pause mg-v2k
	v2p=$(v2procs mg-v2k)
	sl2 kill --all mg-v2k KILL
	ok "v2: kill --all KILL of a paused container kills every process" wait_for all_gone $v2p
	sl2 delete -f mg-v2k
	sl2 run -d -b "$T/many" mg-v2d >/dev/null 2>&1
	sleep 0.3
	sl2 pause mg-v2d
	v2p=$(v2procs mg-v2d)
	sl2 delete -f mg-v2d
	ok "v2: delete --force of a paused container leaves no process" wait_for all_gone $v2p
	ok "v2: ... no state and no cgroup" sh -c "[ ! -e '$ROOT/mg-v2d' ] && [ -z \"\$(unshare -m --propagation private sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && ls -d /sys/fs/cgroup/sloika/mg-v2d' 2>/dev/null)\" ]"
fi

done_testing
