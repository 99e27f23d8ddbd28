#!/bin/sh
# The seccomp profile `sloika spec` writes holds: a container made from the
# unmodified default config runs under it, ordinary commands work, and
# what it denies fails with EPERM even when capabilities would allow it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init
P=sps$$

make_bundle plain '["sh","-c","grep ^Seccomp: /proc/self/status"]'
ok "spec writes a seccomp profile that allows by default" \
	sh -c "jq -e '.linux.seccomp.defaultAction == \"SCMP_ACT_ALLOW\" and (.linux.seccomp.syscalls | length) > 10' '$T/plain/config.json' >/dev/null"
mkdir -p "$T/rl" && "$SLOIKA" spec --rootless -b "$T/rl"
ok "spec --rootless writes it too" sh -c "jq -e '.linux.seccomp.syscalls | length > 10' '$T/rl/config.json' >/dev/null"
out_is "a container from the default config runs in seccomp filter mode" "Seccomp:	2" sl run -b "$T/plain" $P-plain

make_bundle ordinary '["sh","-c","echo hi >/tmp/f && cat /tmp/f && ls / >/dev/null && ps >/dev/null && (sleep 0 &) && wait && sh -c true && echo fine"]'
cfg ordinary '.root.readonly = false'
out_is "ordinary commands (files, ps, fork, subshells) work under it" "hi
fine" sl run -b "$T/ordinary" $P-ord

# Every capability, so only seccomp can refuse.
cat >"$T/rootfs/denied.sh" <<'EOF2'
for t in "mount -t tmpfs none /tmp" "unshare -m true" "unshare -U true" "unshare -n true" \
	"swapoff /tmp" "reboot -f -n"; do
	out=$($t 2>&1) && echo "ALLOWED: $t" || echo "$t: $out"
done
EOF2
make_bundle denied '["sh","/denied.sh"]'
cfg denied '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN","CAP_SYS_BOOT"] | .value |= unique)'
run() { sl run -b "$T/$1" "$2" >"$T/$2.out" 2>&1 </dev/null; }
run denied $P-denied
ok "with CAP_SYS_ADMIN and CAP_SYS_BOOT granted, nothing denied is allowed" sh -c "! grep ALLOWED '$T/$P-denied.out'"
for t in "mount -t tmpfs" "unshare -m" "unshare -U" "unshare -n" "swapoff" "reboot"; do
	ok "$t fails with EPERM" sh -c "grep -- '^$t' '$T/$P-denied.out' | grep -qi 'operation not permitted\|permission denied'"
done
# Without the profile the same mount succeeds: the test can fail.
make_bundle noseccomp '["sh","-c","mount -t tmpfs none /tmp && echo MOUNTED"]'
cfg noseccomp '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"]) | del(.linux.seccomp)'
out_is "without the profile the same mount works (the check can fail)" MOUNTED sl run -b "$T/noseccomp" $P-nos
done_testing
