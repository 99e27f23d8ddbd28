#!/bin/bash
# linux.resources through the real runtime: busybox containers run by
# sloika, effects checked from inside (the container's own cgroup mount,
# forks, device opens) and from the host (every hierarchy's files, and
# nothing left after delete or a failed create).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init
[ -d /sys/fs/cgroup ] || skip_all "no /sys/fs/cgroup"

# no_cgroup ID: the container's cgroup exists in no hierarchy.
no_cgroup() { ! ls -d /sys/fs/cgroup/sloika/"$1" /sys/fs/cgroup/*/sloika/"$1" >/dev/null 2>&1; }
# limit ID V1FILE V2FILE: a limit from the host side, v1 controller first.
limit() {
	local c=${2%%.*} f
	for f in "/sys/fs/cgroup/$c/sloika/$1/$2" "/sys/fs/cgroup/sloika/$1/$3" \
		"/sys/fs/cgroup/unified/sloika/$1/$3"; do
		[ -f "$f" ] && { cat "$f"; return; }
	done
	echo missing
}

v1=false
[ -d /sys/fs/cgroup/memory ] && [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] && v1=true

# The limits, read inside the container through its cgroup namespace.
if $v1; then
	make_bundle lim '["sh","-c","cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us"]'
	cfg lim '.linux.resources.memory.limit = 33554432 | .linux.resources.pids.limit = 7 |
		.linux.resources.cpu.quota = 20000 | .linux.resources.cpu.period = 100000'
	out_is "memory, pids and cpu limits are what the container sees" "33554432
7
20000" sl run -b "$T/lim" lim
	ok "run removes the cgroup when the container exits" no_cgroup lim
else
	skip "memory, pids and cpu limits are what the container sees" "no v1 memory controller (v2 host: see cgroup-host.sh)"
	skip "run removes the cgroup when the container exits" "v1-only check"
fi

# Forks beyond pids.limit fail inside the container.
if [ -d /sys/fs/cgroup/pids ] || grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	make_bundle pids '["sh","-c","for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait"]'
	cfg pids '.linux.resources.pids.limit = 4'
	sl run -b "$T/pids" pids >"$T/pids.out" 2>&1
	ok "a fork beyond pids.limit fails with EAGAIN inside the container" grep -q "can't fork: Resource temporarily unavailable" "$T/pids.out"
else
	skip "a fork beyond pids.limit fails with EAGAIN inside the container" "no pids controller"
fi

# The device cgroup: a node (loop0, b 7:0) the container can create but
# not open.
# (CAP_MKNOD is not in the default set; the cgroup is what must refuse.)
mknod_caps='.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
make_bundle dev '["sh","-c","mknod /dev/loopx b 7 0 || exit 3; if head -c 0 /dev/loopx >/dev/null 2>/dev/null; then echo opened; else echo denied; fi; echo x >/dev/null && echo null-ok"]'
cfg dev "$mknod_caps"
out_is "a device outside the rules is denied (mknod allowed, open refused); /dev/null works" "denied
null-ok" sl run -b "$T/dev" dev
make_bundle devok '["sh","-c","mknod /dev/loopx b 7 0 || exit 3; head -c 0 /dev/loopx && echo opened"]'
cfg devok "$mknod_caps"' | .linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]'
out_is "a linux.resources.devices allow rule lets it open" opened sl run -b "$T/devok" devok

# Limits seen from the host while the container runs; delete removes all.
make_bundle bg '["sleep","60"]'
cfg bg '.linux.resources.memory.limit = 67108864 | .linux.resources.cpu.shares = 256'
sl run -d -b "$T/bg" bg >/dev/null 2>&1
out_is "memory.limit in the container's cgroup on the host" 67108864 limit bg memory.limit_in_bytes memory.max
if [ -f /sys/fs/cgroup/cpu/cpu.shares ]; then
	out_is "cpu.shares in the container's cgroup on the host" 256 limit bg cpu.shares cpu.weight
else
	out_is "cpu.shares 256 is cpu.weight 10 on the host" 10 limit bg cpu.shares cpu.weight
fi
pid=$(sl state bg | jq -r .pid)
ok "the init is in the container's cgroup in every hierarchy" \
	sh -c "! grep -v ':/sloika/bg\$' /proc/$pid/cgroup"
sl delete -f bg >/dev/null 2>&1
ok "delete --force removes the cgroup from every hierarchy" no_cgroup bg

# hugetlb: a v1 controller, or (on hybrid hosts like this one) the unified tree.
if [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] &&
	{ [ -d /sys/fs/cgroup/hugetlb ] || grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers /sys/fs/cgroup/cgroup.controllers 2>/dev/null; }; then
	make_bundle huge '["sleep","60"]'
	cfg huge '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	sl run -d -b "$T/huge" huge >/dev/null 2>&1
	out_is "hugepageLimits land in the hugetlb controller wherever it is" 4194304 \
		limit huge hugetlb.2MB.limit_in_bytes hugetlb.2MB.max
	sl delete -f huge >/dev/null 2>&1
else
	skip "hugepageLimits land in the hugetlb controller wherever it is" "no hugetlb controller or 2MB pages"
fi

# A resource the host cannot apply fails create, names the field, leaves nothing.
make_bundle bad '["true"]'
cfg bad '.linux.resources.blockIO.leafWeight = 100'
sl run -b "$T/bad" bad 2>"$T/bad.err"
ok "an unsupported resource fails create" [ $? -ne 0 ]
ok "the error names the field" grep -q 'cgroup: linux.resources.blockIO.leafWeight' "$T/bad.err"
ok "the failed create leaves no cgroup" no_cgroup bad
ok "the failed create leaves no container" sh -c "! $SLOIKA --root $ROOT state bad >/dev/null 2>&1"

make_bundle sd '["true"]'
cfg sd '.linux.cgroupsPath = "system.slice:sloika:sd"'
sl run -b "$T/sd" sd 2>"$T/sd.err"
ok "a systemd cgroupsPath fails with a clear error" grep -q 'systemd' "$T/sd.err"

done_testing
