#!/bin/sh
# process.apparmorProfile / selinuxLabel on a host whose kernel lacks the
# LSM: a clear error and nothing left behind.
. "$top_srcdir/tests/integration/security-common.sh"

lsms=$(cat /sys/kernel/security/lsm 2>/dev/null || true)
if [ -z "$lsms" ] && mount | grep -q ' /sys/kernel/security ' ; then lsms=unknown; fi
if [ -z "$lsms" ]; then
	lsms=$(unshare -m sh -c 'mount -t securityfs none /sys/kernel/security 2>/dev/null && cat /sys/kernel/security/lsm' || true)
fi
diag "kernel LSMs: ${lsms:-unknown}"

case ",$lsms," in
*,apparmor,*) skip "apparmorProfile error" "AppArmor is enabled here" ;;
*)
	b=$(make_bundle aa '["/bin/true"]' '.process.apparmorProfile = "sloika-test"')
	run_ctr lsm-aa "$b"
	ok "apparmorProfile without AppArmor fails the run" [ $? -ne 0 ]
	if is_sloika; then
		ok "with a clear error" out_has lsm-aa "process.apparmorProfile: AppArmor is not enabled on this host"
	fi
	ok "and leaves no container behind" sh -c "! '$RUNTIME' --root '$state_root' state $(cid lsm-aa) >/dev/null 2>&1"
	;;
esac
case ",$lsms," in
*,selinux,*) skip "selinuxLabel error" "SELinux is enabled here" ;;
*)
	b=$(make_bundle se '["/bin/true"]' '.process.selinuxLabel = "system_u:system_r:container_t:s0"')
	run_ctr lsm-se "$b"
	ok "selinuxLabel without SELinux fails the run" [ $? -ne 0 ]
	if is_sloika; then
		ok "with a clear error" out_has lsm-se "process.selinuxLabel: SELinux is not enabled on this host"
	fi
	;;
esac

done_testing
