#!/bin/bash
# The cgroup2 tree hidden: in a private mount namespace where the hybrid
# host's /sys/fs/cgroup/unified is unmounted (how the shared benchmarks run
# crun), sloika runs containers over the v1 hierarchies it can see, mounts
# only those inside, applies limits and leaves no cgroup behind.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init
UNI=/sys/fs/cgroup/unified
[ "$(stat -fc %T $UNI 2>/dev/null)" = cgroup2fs ] || skip_all "no cgroup2 tree at $UNI to hide (not a hybrid host)"
[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] || skip_all "no v1 memory controller"
command -v unshare >/dev/null || skip_all "no unshare (util-linux)"

# hidden CMD...: CMD in a private mount namespace without the cgroup2 tree.
hidden() { unshare -m --propagation private sh -c 'umount "$0" && exec "$@"' "$UNI" "$@"; }
no_cgroup() { ! ls -d /sys/fs/cgroup/*/sloika/"$1" >/dev/null 2>&1; }

make_bundle hid '["sh","-c","ls /sys/fs/cgroup; cat /sys/fs/cgroup/memory/memory.limit_in_bytes"]'
cfg hid '.linux.resources.memory.limit = 16777216 |
	.mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "ro"]}]'
hidden "$SLOIKA" --root "$ROOT" run -b "$T/hid" hid-run >"$T/out" 2>"$T/err"
ok "run succeeds with the cgroup2 tree hidden" [ $? -eq 0 ]
ok "... the memory limit applies" grep -qx 16777216 "$T/out"
ok "... the container's cgroup mount has the v1 hierarchies" grep -qx memory "$T/out"
ok "... and no unified one" sh -c "! grep -qx unified '$T/out'"
ok "... no cgroup is left behind" no_cgroup hid-run
grep -q 'level=error' "$T/err" && diag "$(cat "$T/err")"

cfg hid '.linux.namespaces -= [{type: "cgroup"}]'
hidden "$SLOIKA" --root "$ROOT" run -b "$T/hid" hid-ns >"$T/out" 2>"$T/err"
ok "without a cgroup namespace too" [ $? -eq 0 ]
ok "... the limit is seen in the bound host directory" grep -qx 16777216 "$T/out"
ok "... no cgroup is left behind" no_cgroup hid-ns

# create, start and delete, each in its own hidden view.
make_bundle hidsleep '["sleep","60"]'
hidden "$SLOIKA" --root "$ROOT" create -b "$T/hidsleep" hid-cd </dev/null >/dev/null 2>"$T/err"
ok "create succeeds with the cgroup2 tree hidden" [ $? -eq 0 ]
ok "... the v1 memory cgroup exists" [ -d /sys/fs/cgroup/memory/sloika/hid-cd ]
ok "... and none in the hidden tree" [ ! -e $UNI/sloika/hid-cd ]
hidden "$SLOIKA" --root "$ROOT" start hid-cd </dev/null >/dev/null 2>>"$T/err"
ok "start succeeds" [ $? -eq 0 ]
hidden "$SLOIKA" --root "$ROOT" delete -f hid-cd </dev/null >/dev/null 2>>"$T/err"
ok "delete --force succeeds" [ $? -eq 0 ]
ok "... no cgroup is left behind" no_cgroup hid-cd

# The view differs between create and delete: the state's cgroup path
# names hierarchies the other view lacks (or hides).
gone_now() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }
# An init in exit (what kill waits for) takes a moment to become a zombie.
gone() { local i=0; until gone_now "$1" || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done; gone_now "$1"; }
hidden "$SLOIKA" --root "$ROOT" create -b "$T/hidsleep" hid-x </dev/null >/dev/null 2>"$T/err"
pid=$("$SLOIKA" --root "$ROOT" state hid-x | jq -r .pid)
"$SLOIKA" --root "$ROOT" delete -f hid-x </dev/null >/dev/null 2>>"$T/err"
ok "created hidden, delete --force from the host view succeeds" [ $? -eq 0 ]
ok "... its init is gone" gone "$pid"
ok "... no cgroup is left behind" no_cgroup hid-x
hidden "$SLOIKA" --root "$ROOT" create -b "$T/hidsleep" hid-k </dev/null >/dev/null 2>>"$T/err"
hidden "$SLOIKA" --root "$ROOT" start hid-k </dev/null >/dev/null 2>>"$T/err"
pid=$("$SLOIKA" --root "$ROOT" state hid-k | jq -r .pid)
"$SLOIKA" --root "$ROOT" kill --all hid-k KILL </dev/null >/dev/null 2>>"$T/err"
ok "created hidden, kill --all KILL from the host view succeeds" [ $? -eq 0 ]
ok "... and kills the init" gone "$pid"
out_is "... which state then reports stopped" stopped sh -c "'$SLOIKA' --root '$ROOT' state hid-k | jq -r .status"
"$SLOIKA" --root "$ROOT" delete hid-k </dev/null >/dev/null 2>>"$T/err"
ok "... and delete removes it and its cgroups" sh -c "[ ! -e '$ROOT/hid-k' ] && ! ls -d /sys/fs/cgroup/*/sloika/hid-k >/dev/null 2>&1"
"$SLOIKA" --root "$ROOT" create -b "$T/hidsleep" host-h </dev/null >/dev/null 2>>"$T/err"
pid=$("$SLOIKA" --root "$ROOT" state host-h | jq -r .pid)
ok "created in the host view, it has a cgroup2 directory" [ -d $UNI/sloika/host-h ]
hidden "$SLOIKA" --root "$ROOT" delete -f host-h </dev/null >/dev/null 2>>"$T/err"
ok "... delete --force with the cgroup2 tree hidden succeeds" [ $? -eq 0 ]
ok "... its init is gone" gone "$pid"
ok "... and so is its cgroup2 directory, though hidden" [ ! -e $UNI/sloika/host-h ]
ok "... and the v1 ones" no_cgroup host-h
grep -q 'level=error' "$T/err" && diag "$(cat "$T/err")"

done_testing
