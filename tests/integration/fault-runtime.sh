#!/bin/sh
# sloika create killed with SIGKILL at random points, 200 times: after
# delete --force nothing of the container is left (mount, cgroup, state
# dir, process). Then 1,000 create/start/kill/delete cycles leave the
# caller's and the system's fds, memory, mounts and cgroups as they were.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/faults/lib.sh"
under_subreaper "$0"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init
KILLS=${SL_FAULT_KILLS:-200}
CYCLES=${SL_FAULT_CYCLES:-1000}
# Under ASan a cycle takes 6x longer (1,000 took 6 minutes): fewer, unless asked.
if ldd "$SLOIKA" 2>/dev/null | grep -q libasan; then
	KILLS=${SL_FAULT_KILLS:-100}
	CYCLES=${SL_FAULT_CYCLES:-250}
	diag "sanitizer build: $KILLS kills and $CYCLES cycles (set SL_FAULT_KILLS, SL_FAULT_CYCLES for more)"
fi
pfx=flt$$

make_bundle b '["sleep","1000"]'
# a bind mount and a tmpfs, so an interrupted create has mounts to strand
mkdir -p "$T/rootfs/mnt/bind" "$T/hostdir"
cfg b --arg src "$T/hostdir" '.mounts += [{destination: "/mnt/bind", type: "bind", source: $src, options: ["rbind"]},
	{destination: "/mnt/tmp", type: "tmpfs", source: "tmpfs"}]'

# our_procs: processes (other than this shell) the subreaper has: the
# orphans a killed create left, until someone reaps them.
our_procs() {
	cat /proc/$PPID/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v -x -e "$$" -e '' | while read -r p; do
		[ "$(cat /proc/$p/stat 2>/dev/null | cut -d' ' -f3)" = Z ] || echo "$p"
	done
}
host_mounts() { grep -c -e "$T" /proc/self/mountinfo; }  # the rootfs and bind source are under $T
rand_ms() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }

# How long a create takes here, to spread the kills over all of it.
t0=$(date +%s%N)
sl create -b "$T/b" "$pfx-probe"
span=$((($(date +%s%N) - t0) / 1000000 + 2))
sl delete -f "$pfx-probe"
diag "create takes about ${span} ms; kills land in 0..${span} ms"

leftovers=0 created=0 states=0
i=0
while [ $i -lt "$KILLS" ]; do
	id=$pfx-k$i
	"$SLOIKA" --root "$ROOT" create -b "$T/b" "$id" >/dev/null 2>&1 &  # not through sl: $! must be sloika
	cpid=$!
	sleep "0.$(printf %03d "$(rand_ms "$span")")"
	kill -9 "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null && created=$((created + 1))
	st=$(cat "$ROOT/$id/state.json" 2>/dev/null | jq -r '.pid' 2>/dev/null)
	[ -d "$ROOT/$id" ] && states=$((states + 1))
	sl delete --force "$id" >"$T/del.err" 2>&1 || { diag "delete --force $id ($st): $(cat "$T/del.err")"; }
	bad=""
	[ -e "$ROOT/$id" ] && bad="$bad state-dir"
	[ "$(cgroups_named "$id")" = 0 ] || bad="$bad cgroup"
	if [ -n "$(our_procs)" ]; then  # give the subreaper a moment to reap
		sleep 0.2
		[ -n "$(our_procs)" ] && bad="$bad process($(our_procs | tr '\n' ' '))"
	fi
	[ "$(host_mounts)" = 0 ] || bad="$bad mount"
	if [ -n "$bad" ]; then
		leftovers=$((leftovers + 1))
		diag "kill $i (init pid ${st:-unsaved}):$bad left"
	fi
	i=$((i + 1))
done
diag "$created of $KILLS creates finished before the kill; $states left a state dir"
ok "after $KILLS SIGKILLed creates and delete --force, nothing is left" [ "$leftovers" = 0 ]
ok "  ... no state dir remains" [ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
ok "  ... no cgroup remains" [ "$(cgroups_named "$pfx-*")" = 0 ]
ok "  ... no process remains" [ -z "$(our_procs)" ]
ok "  ... no mount remains" [ "$(host_mounts)" = 0 ]

# --- cycles, in two lanes (the machine has two cores) ---
sysfds() { cut -f1 /proc/sys/fs/file-nr; }
memavail() { awk '/^MemAvailable/ {print $2}' /proc/meminfo; }
cycle_lane() { # LANE N
	local j=0 id
	while [ $j -lt "$2" ]; do
		id=$pfx-c$1-$j
		sl create -b "$T/b" "$id" && sl start "$id" && sl kill "$id" KILL && sl delete "$id" ||
			{ echo "cycle $j failed" >>"$T/lane$1.err"; sl delete -f "$id" 2>/dev/null; }
		j=$((j + 1))
	done
}
# warm up caches (page cache of the rootfs, slab) before measuring
cycle_lane w 20 2>/dev/null
fd0=$(ls /proc/$$/fd | tr '\n' ' ') sys0=$(sysfds) mem0=$(memavail) mnt0=$(host_mounts)
cg0=$(ls -d /sys/fs/cgroup/*/sloika/* 2>/dev/null | wc -l)
t0=$(date +%s)
cycle_lane 1 $((CYCLES / 2)) 2>>"$T/lane1.err" &
l1=$!
cycle_lane 2 $((CYCLES - CYCLES / 2)) 2>>"$T/lane2.err"
wait $l1
secs=$(($(date +%s) - t0))
fd1=$(ls /proc/$$/fd | tr '\n' ' ') sys1=$(sysfds) mem1=$(memavail) mnt1=$(host_mounts)
cg1=$(ls -d /sys/fs/cgroup/*/sloika/* 2>/dev/null | wc -l)
diag "$CYCLES cycles in ${secs}s; the shell's fds: $fd0 -> $fd1; system fds $sys0 -> $sys1; MemAvailable ${mem0} -> ${mem1} kB; mounts $mnt0 -> $mnt1; sloika cgroups $cg0 -> $cg1"
ok "every cycle succeeded" sh -c "! grep -h failed '$T'/lane?.err"
ok "the caller's fd count is unchanged" [ "$fd0" = "$fd1" ]
# the whole machine is shared: allow noise, but not one fd per cycle
ok "the system's open files did not grow with the cycles" [ $((sys1 - sys0)) -lt "$CYCLES" ]
# others share the machine: 256 MiB over 1,000 cycles still catches 256 KiB a cycle
ok "available memory did not shrink with the cycles (< 256 MiB)" [ $((mem0 - mem1)) -lt 262144 ]
ok "the mount table is unchanged" [ "$mnt0" = "$mnt1" ]
ok "no cgroup of ours remains" [ "$(cgroups_named "$pfx-*")" = 0 ]
ok "no state dir remains" [ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
ok "no process remains" [ -z "$(our_procs)" ]
done_testing
