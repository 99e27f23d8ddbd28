#!/bin/sh
# Hooks run at the points runtime-spec 1.2 gives, in order, each with the
# container state on stdin; createContainer and startContainer run in the
# container's namespaces.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

L=$T/hooklog
mkdir -p "$L"
# A host-side hook: records its stage, the status it was given and the
# mount namespace it ran in.
cat >"$T/hook" <<EOH
#!/bin/sh
stage=\$1
cat >"$L/\$stage.json"
echo "\$stage \$(jq -r .status "$L/\$stage.json")" >>"$L/order"
readlink /proc/self/ns/mnt >"$L/\$stage.mntns"
EOH
chmod +x "$T/hook"
# startContainer resolves inside the container: a busybox script writing
# to a bind mount of the log dir.
cat >"$T/rootfs/bin/in-hook" <<'EOH'
#!/bin/sh
cat >/hooklog/startContainer.json
echo "startContainer $(grep -o '"status":"[a-z]*"' /hooklog/startContainer.json | cut -d'"' -f4)" >>/hooklog/order
readlink /proc/self/ns/mnt >/hooklog/startContainer.mntns
EOH
chmod +x "$T/rootfs/bin/in-hook"

make_bundle hooked '["sh","-c","echo program >>/hooklog/order"]'
cfg hooked --arg h "$T/hook" --arg l "$L" '
	.mounts += [{"destination": "/hooklog", "type": "bind", "source": $l, "options": ["rbind", "rw"]}]
	| .root.readonly = false
	| .annotations = {"test.key": "test-value"}
	| .hooks = {
		"prestart": [{"path": $h, "args": ["hook", "prestart"]}],
		"createRuntime": [{"path": $h, "args": ["hook", "createRuntime"]}],
		"createContainer": [{"path": $h, "args": ["hook", "createContainer"]}],
		"startContainer": [{"path": "/bin/in-hook"}],
		"poststart": [{"path": $h, "args": ["hook", "poststart"]}],
		"poststop": [{"path": $h, "args": ["hook", "poststop"]}]}'

sl create -b "$T/hooked" hk1
ok "create with hooks succeeds" [ $? -eq 0 ]
out_is "create runs prestart (status created, as crun and the OCI suite have it), createRuntime and createContainer (creating)" \
	"prestart created
createRuntime creating
createContainer creating" cat "$L/order"
ok "createRuntime runs in the runtime's mount namespace" \
	[ "$(cat "$L/createRuntime.mntns")" = "$(readlink /proc/self/ns/mnt)" ]
ok "createContainer runs in the container's mount namespace" \
	[ "$(cat "$L/createContainer.mntns")" = "$(readlink /proc/$(sl state hk1 | jq -r .pid)/ns/mnt)" ]
out_is "hooks get the state on stdin (id, pid, bundle, annotations)" \
	"hk1 $(sl state hk1 | jq -r .pid) $T/hooked test-value" \
	jq -r '"\(.id) \(.pid) \(.bundle) \(.annotations["test.key"])"' "$L/createRuntime.json"
sl start hk1
sleep 0.3
out_is "start runs startContainer (in the container) before the program, then poststart" \
	"prestart created
createRuntime creating
createContainer creating
startContainer created
program
poststart running" cat "$L/order"
ok "startContainer ran in the container's mount namespace" \
	[ "$(cat "$L/startContainer.mntns")" = "$(cat "$L/createContainer.mntns")" ]
sl delete hk1
out_is "delete runs poststop with status stopped, last" "poststop stopped" tail -1 "$L/order"
ok "poststop gets the id on stdin" [ "$(jq -r .id "$L/poststop.json")" = hk1 ]

: >"$L/order"
sl run -b "$T/hooked" hk2
out_is "run runs every stage in order" \
	"prestart created
createRuntime creating
createContainer creating
startContainer created
program
poststart running
poststop stopped" cat "$L/order"

make_bundle slowhook '["true"]'
cfg slowhook '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "5"], "timeout": 1}]'
sl create -b "$T/slowhook" hk3 2>"$T/err"
ok "a hook over its timeout fails the create, naming it" grep -q 'hook createRuntime\[0\] (/bin/sleep): timed out' "$T/err"
ok "the timed-out create left no state" [ ! -e "$ROOT/hk3" ]

make_bundle failpost '["true"]'
cfg failpost '.hooks.poststart = [{"path": "/bin/false"}]'
sl run -b "$T/failpost" hk4 2>"$T/err"
ok "a failing poststart hook only warns (run succeeds)" [ $? -eq 0 ]
ok "the poststart failure is logged as a warning" grep -q 'level=warn.*poststart' "$T/err"

done_testing
