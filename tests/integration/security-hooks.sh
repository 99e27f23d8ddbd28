#!/bin/sh
# Lifecycle hooks in real containers: every stage runs, in runtime-spec's
# order, with the state on stdin; timeouts and failures stop the create.
. "$top_srcdir/tests/integration/security-common.sh"

log=$work/hooklog
mkdir -p "$log"
# hook STAGE: records its stdin and its turn.  startContainer runs inside
# the container, where the log dir is bind-mounted at the same path.
hook() { jq -n --arg s "$1" --arg log "$log" \
	'{path: "/bin/sh", args: ["sh", "-c", "cat > \($log)/\($s).json; echo \($s) >> \($log)/order"]}'; }
hooks=$(jq -n --argjson pre "$(hook prestart)" --argjson cr "$(hook createRuntime)" \
	--argjson cc "$(hook createContainer)" --argjson sc "$(hook startContainer)" \
	--argjson ps "$(hook poststart)" --argjson pst "$(hook poststop)" \
	'{prestart: [$pre], createRuntime: [$cr], createContainer: [$cc], startContainer: [$sc],
	  poststart: [$ps], poststop: [$pst]}')
b=$(make_bundle hooks '["/bin/true"]' \
	".hooks = $hooks | .mounts += [{destination: \"$log\", type: \"bind\", source: \"$log\", options: [\"rbind\"]}]")
run_ctr hk-all "$b"
ok "the container runs with hooks in every stage" [ $? -eq 0 ]
order=$(tr '\n' ' ' <"$log/order" 2>/dev/null)
ok "hooks run in runtime-spec order (got: $order)" \
	[ "$order" = "prestart createRuntime createContainer startContainer poststart poststop " ]
for s in prestart createRuntime createContainer startContainer poststart poststop; do
	ok "$s hook reads this container's state on stdin" \
		json_ok ".id == \"$(cid hk-all)\" and .ociVersion != null" "$log/$s.json"
done
ok "createRuntime sees status creating and the container's pid" \
	json_ok '.status == "creating" and .pid > 0' "$log/createRuntime.json"
ok "startContainer sees status created" json_ok '.status == "created"' "$log/startContainer.json"
ok "poststart sees status running" json_ok '.status == "running"' "$log/poststart.json"
ok "poststop sees status stopped" json_ok '.status == "stopped"' "$log/poststop.json"

slow='{createRuntime: [{path: "/bin/true"}, {path: "/bin/sleep", args: ["sleep", "10"], timeout: 1}]}'
b=$(make_bundle slow '["/bin/true"]' ".hooks = $slow")
start=$(date +%s)
run_ctr hk-slow "$b"
rc=$?
took=$(($(date +%s) - start))
ok "a hook over its timeout fails the run" [ "$rc" -ne 0 ]
ok "it is stopped well before its 10s sleep (took ${took}s)" [ "$took" -lt 5 ]
if is_sloika; then
	ok "the error names stage, index, path and timeout" \
		out_has hk-slow "hook createRuntime[1] (/bin/sleep): timed out after 1s"
fi
ok "the failed create leaves no container behind" \
	sh -c "! '$RUNTIME' --root '$state_root' state $(cid hk-slow) >/dev/null 2>&1"

fail='{prestart: [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]}'
b=$(make_bundle fail '["/bin/true"]' ".hooks = $fail")
run_ctr hk-fail "$b"
ok "a failing prestart hook fails the run" [ $? -ne 0 ]
if is_sloika; then
	ok "the error gives its exit status" out_has hk-fail "hook prestart[0] (/bin/sh): exited with status 3"
fi

done_testing
