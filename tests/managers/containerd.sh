#!/bin/sh
# sloika under containerd 1.6: the io.containerd.runc.v2 shim with sloika as
# its runc binary, driven by ctr. containerd runs with its own config, root,
# state and sockets in $T; the image is an OCI archive made here.
. "$top_srcdir/tests/managers/lib.sh"
mgr_init containerd
mgr_need containerd containerd ctr containerd-shim-runc-v2
command -v script >/dev/null || skip_all "script(1) missing (apt-get install bsdutils)"

cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$T/containerd.sock"
[ttrpc]
  address = "$T/containerd.sock.ttrpc"
[debug]
  address = "$T/debug.sock"
  level = "debug"
[metrics]
  address = ""
EOF

containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
ctd_pid=$!
mgr_stop() {
	local t
	kill -0 "$ctd_pid" 2>/dev/null || return 0  # ctr would wait for a dead daemon
	for t in $(C tasks ls -q 2>/dev/null); do C tasks kill -s KILL "$t"; done
	sleep 0.2
	for t in $(C tasks ls -q 2>/dev/null); do C tasks rm -f "$t"; done
	for t in $(C containers ls -q 2>/dev/null); do C containers rm "$t"; done
	C images rm localhost/sloika-bb:1
	kill "$ctd_pid" && wait "$ctd_pid"
}
C() { ctr --address "$T/containerd.sock" --namespace sloika-mgr "$@"; }
wait_until 20 C version >/dev/null 2>&1 ||
	skip_all "containerd did not start: $(grep -m1 'level=fatal\|level=error' "$T/containerd.log")"

# An OCI image archive of the busybox rootfs: one gzip layer, its config,
# a manifest and an index naming it.
make_oci_archive() {
	local o=$T/oci b=$T/oci/blobs/sha256 layer cfg man diffid
	mkdir -p "$b"
	gzip -n -c "$T/rootfs.tar" >"$o/layer"
	layer=$(sha256sum <"$o/layer" | cut -d' ' -f1)
	diffid=$(sha256sum <"$T/rootfs.tar" | cut -d' ' -f1)
	mv "$o/layer" "$b/$layer"
	jq -cn --arg d "sha256:$diffid" '{architecture: "amd64", os: "linux",
		config: {Env: ["PATH=/bin"], Cmd: ["sh"]}, rootfs: {type: "layers", diff_ids: [$d]}}' >"$o/cfg"
	cfg=$(sha256sum <"$o/cfg" | cut -d' ' -f1)
	mv "$o/cfg" "$b/$cfg"
	jq -cn --arg c "sha256:$cfg" --argjson cs "$(stat -c %s "$b/$cfg")" \
		--arg l "sha256:$layer" --argjson ls "$(stat -c %s "$b/$layer")" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' >"$o/man"
	man=$(sha256sum <"$o/man" | cut -d' ' -f1)
	mv "$o/man" "$b/$man"
	jq -cn --arg m "sha256:$man" --argjson ms "$(stat -c %s "$b/$man")" '{schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
		annotations: {"io.containerd.image.name": "localhost/sloika-bb:1",
		"org.opencontainers.image.ref.name": "1"}}]}' >"$o/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$o/oci-layout"
	tar -C "$o" -cf "$T/image.tar" oci-layout index.json blobs
}
make_oci_archive
C images import "$T/image.tar" >"$T/import.log" 2>&1
rc=$?
ok "ctr images import takes the OCI archive" [ $rc -eq 0 ]
[ $rc -eq 0 ] || diag "$(cat "$T/import.log")"

# R RUN_OPTION ID CMD...: every task runs through the runc v2 shim with
# sloika as its binary, a private runtime root, and a cgroup under /$CG.
R() {
	local opt=$1 id=$2
	shift 2
	C run $opt --runtime io.containerd.runc.v2 --runc-binary "$SLOIKA" --runc-root "$T/runc-root" \
		--cgroup "/$CG/$id" localhost/sloika-bb:1 "$id" "$@"
}

out=$(R --rm r1 sh -c 'echo hello-from-sloika; exit 42' 2>"$T/err")
rc=$?
ok "run --rm passes the task's output through" [ "$out" = hello-from-sloika ]
ok "run --rm exits with the task's status (42)" [ "$rc" -eq 42 ]
[ "$rc" -eq 42 ] || diag "$(cat "$T/err")"

R --rm r2 /nonexistent 2>"$T/err"
ok "a missing program fails with runc's wording" \
	grep -Eq 'exec: "/nonexistent": (stat /nonexistent: )?no such file or directory' "$T/err"
C containers rm r2 2>/dev/null

# A long-running task in the foreground, in the background of this shell:
# its output goes to a file and `wait` collects its exit status.
R "" t1 sh -c "$COUNTER" >"$T/t1.out" 2>&1 </dev/null &
runner=$!
has_out() { grep -qx "$1" "$T/t1.out"; }
ok "the task starts and prints" wait_until 15 has_out started
in_sloika() { "$SLOIKA" --root "$T/runc-root/sloika-mgr" state "$1" 2>/dev/null | jq -e --arg s "$2" '.status == $s' >/dev/null; }
ok "the task runs under sloika, in the private runtime root" in_sloika t1 running
pid=$(C tasks ls | awk '$1 == "t1" { print $2 }')
ok "the task's counter runs" wait_until 15 counter_moves "$pid"
ok "the task sits in its cgroup /$CG/t1" [ "$(cgroup_of "$pid" memory)" = "/$CG/t1" ]

if sl_has exec; then
	C tasks exec --exec-id e1 t1 sh -c 'echo from-exec >/tmp/mark' 2>"$T/err" || diag "exec failed: $(cat "$T/err")"
	ok "exec runs inside the task: its file reaches the main process" wait_until 15 has_out saw-from-exec
	C tasks exec --exec-id e2 t1 sh -c 'exit 5'
	ok "exec passes the exit status through (5)" [ $? -eq 5 ]
	out=$(C tasks exec --exec-id e3 t1 sh -c 'head -c 18 /proc/1/cmdline | tr "\0" " "')
	ok "exec shares the task's pid namespace (its pid 1 is the main sh)" [ "$out" = "sh -c echo started" ]
	out=$(script -qec "ctr --address $T/containerd.sock --namespace sloika-mgr tasks exec -t --exec-id e4 t1 tty" /dev/null </dev/null)
	ok "exec -t gives the process a terminal" has_line "$out" '/dev/pts/[0-9]*'
else
	for c in "exec runs inside the task" "exec passes the exit status through" \
		"exec shares the task's pid namespace" "exec -t gives the process a terminal"; do
		skip "$c" "sloika exec: not implemented yet"
	done
fi

if sl_has ps; then
	ok "tasks ps lists the task's processes (through sloika ps)" \
		sh -c "ctr --address '$T/containerd.sock' --namespace sloika-mgr tasks ps t1 | grep -qw '$pid'"
else
	skip "tasks ps lists the task's processes" "sloika ps: not implemented yet"
fi

if sl_has pause; then
	C tasks pause t1
	ok "tasks pause succeeds" [ $? -eq 0 ]
	ok "containerd reports the task paused" [ "$(C tasks ls | awk '$1 == "t1" { print $3 }')" = PAUSED ]
	ok "sloika reports the task paused" in_sloika t1 paused
	ok "pause freezes the task's counter" counter_frozen "$pid"
	C tasks resume t1
	ok "tasks resume succeeds" [ $? -eq 0 ]
	ok "resume lets the counter run again" counter_moves "$pid"
else
	for c in "tasks pause succeeds" "containerd reports the task paused" "sloika reports the task paused" \
		"pause freezes the task's counter" "tasks resume succeeds" "resume lets the counter run again"; do
		skip "$c" "sloika pause/resume: not implemented yet"
	done
fi

metrics=$(C tasks metrics --format json t1)
usage=$(echo "$metrics" | jq -r '.memory.usage.usage // 0')
cg_usage=$(cat "/sys/fs/cgroup/memory/$CG/t1/memory.usage_in_bytes")
ok "tasks metrics reports the task's memory ($usage bytes)" [ "$usage" -gt 0 ]
ok "the metrics come from the task's own cgroup (within 1 MiB of it: $cg_usage)" \
	[ $((usage - cg_usage)) -lt 1048576 -a $((cg_usage - usage)) -lt 1048576 ]
ok "tasks metrics counts the task's processes" [ "$(echo "$metrics" | jq -r '.pids.current // 0')" -ge 1 ]

C tasks kill -s USR1 t1
ok "tasks kill -s USR1 delivers the signal" wait_until 15 has_out got-usr1
C tasks kill t1
wait "$runner"
ok "tasks kill (TERM) ends the task through its handler (status 7)" [ $? -eq 7 ]
C tasks rm t1 >/dev/null 2>&1
C containers rm t1
ok "deleting the task removes it from sloika's state" [ ! -e "$T/runc-root/sloika-mgr/t1" ]

R -d t2 sleep 1000
C tasks kill -s KILL t2
ok "tasks kill -s KILL stops the task" wait_until 15 sh -c "ctr --address '$T/containerd.sock' --namespace sloika-mgr tasks ls | grep -q '^t2 .*STOPPED'"
ok "tasks rm reports the SIGKILL status (137)" sh -c "ctr --address '$T/containerd.sock' --namespace sloika-mgr tasks rm t2 2>&1 | grep -q 'exit code 137'"
C containers rm t2

# run -t: the shim hands sloika a console socket; script(1) gives ctr a tty.
out=$(printf 'echo in-$((6*7)); tty\nexit 4\n' | script -qec "ctr --address $T/containerd.sock \
	--namespace sloika-mgr run --rm -t --runtime io.containerd.runc.v2 --runc-binary $SLOIKA \
	--runc-root $T/runc-root --cgroup /$CG/tty localhost/sloika-bb:1 tty sh" /dev/null)
rc=$?
ok "run -t runs an interactive shell" has_line "$out" in-42
ok "run -t gives the shell a terminal" has_line "$out" /dev/pts/0
ok "run -t exits with the shell's status (4)" [ "$rc" -eq 4 ]

mgr_stop >/dev/null 2>&1
ok "containerd stopped" [ ! -e "/proc/$ctd_pid" ]
check_no_leftovers
done_testing
