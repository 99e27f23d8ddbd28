#!/bin/sh
# linux.seccomp in real busybox containers: errnoRet, argument filters, a
# killing action, and a notify listener answering for the container.
. "$top_srcdir/tests/integration/security-common.sh"

deny='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
  {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":42}]}'
b=$(make_bundle errno '["/bin/sh","-c","mkdir /tmp/x; touch /tmp/y && echo touched"]' \
	".linux.seccomp = $deny")
run_ctr sc-errno "$b"
ok "mkdir denied with errnoRet 42 (ENOMSG)" out_has sc-errno "No message of desired type"
ok "other syscalls still work in the filtered container" out_has sc-errno touched

args='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
  {"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":42,
   "args":[{"index":1,"value":0,"op":"SCMP_CMP_EQ"}]}]}'
b=$(make_bundle args '["/bin/sh","-c","kill -0 1; kill -CONT 1 && echo cont-ok"]' ".linux.seccomp = $args")
run_ctr sc-args "$b"
ok "kill(pid, 0) is denied by the arg0 == 0 rule" out_has sc-args "No message of desired type"
ok "kill(pid, SIGCONT) passes the same rule" out_has sc-args cont-ok

kill_rule='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_KILL_PROCESS"}]}'
b=$(make_bundle kill '["/bin/pwd"]' ".linux.seccomp = $kill_rule")
run_ctr sc-kill "$b"
rc=$?
ok "SCMP_ACT_KILL_PROCESS at getcwd: the container dies of SIGSYS (exit $rc, want 159)" [ "$rc" -eq 159 ]

bad='{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_FOO"}]}'
b=$(make_bundle bad '["/bin/true"]' ".linux.seccomp = $bad")
run_ctr sc-bad "$b"
rc=$?
ok "an unknown action fails the run" [ "$rc" -ne 0 ]
if is_sloika; then
	ok "the error names the field" out_has sc-bad 'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_FOO"'
fi

sock=$work/agent.sock
"$helpers/notify-listener" "$sock" "$work/agent-state.json" >"$work/agent.out" 2>&1 &
agent=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.1; done
notify=$(jq -n --arg sock "$sock" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
  listenerMetadata: "agent=test", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')
b=$(make_bundle notify '["/bin/sh","-c","mkdir /tmp/n && echo mkdir-ok; [ -d /tmp/n ] || echo absent"]' \
	".linux.seccomp = $notify")
run_ctr sc-notify "$b"
wait "$agent"
ok "the agent answered the container's mkdir (mkdir returned 0)" out_has sc-notify mkdir-ok
ok "the agent did not create the directory, only answered" out_has sc-notify absent
ok "the agent was notified of mkdir" grep -q '^notified mkdir' "$work/agent.out"
ok "containerProcessState: fds is [\"seccompFd\"]" \
	json_ok '.fds == ["seccompFd"]' "$work/agent-state.json"
ok "containerProcessState: metadata is listenerMetadata" \
	json_ok '.metadata == "agent=test"' "$work/agent-state.json"
ok "containerProcessState: state is this container's, pid set" \
	json_ok ".state.id == \"$(cid sc-notify)\" and .pid > 0 and .state.pid == .pid" "$work/agent-state.json"

done_testing
