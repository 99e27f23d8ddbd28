#!/bin/sh
# The command line itself: version, help, spec, features, logging, and the
# flags managers pass.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

ok "--version names sloika and the spec version" sh -c "'$SLOIKA' --version | grep -q '^sloika version .*' && '$SLOIKA' --version | grep -q '^spec: 1.2.0'"
ok "--help lists the commands" sh -c "'$SLOIKA' --help | grep -q '^  features'"
ok "each command has --help" sh -c "for c in create run start state kill delete list spec features; do '$SLOIKA' \$c --help | grep -q \"^Usage: sloika \$c\" || exit 1; done"
"$SLOIKA" bogus 2>"$T/err"
rc=$?
ok "an unknown command fails" [ $rc -ne 0 ]
ok "an unknown command is named in the error" grep -q 'unknown command \\"bogus\\"' "$T/err"

mkdir -p "$T/spec"
"$SLOIKA" spec -b "$T/spec"
ok "spec writes config.json" [ -s "$T/spec/config.json" ]
ok "spec's config.json parses as JSON with runtime-spec 1.2.0" \
	sh -c "jq -e '.ociVersion == \"1.2.0\" and .root.path == \"rootfs\" and .process.args == [\"sh\"]' '$T/spec/config.json' >/dev/null"
"$SLOIKA" spec -b "$T/spec" 2>"$T/err"
ok "spec refuses to overwrite config.json" grep -q 'exists' "$T/err"
ln -s ../rootfs "$T/spec/rootfs"
cfg spec '.process.terminal = false | .process.args = ["sh", "-c", "echo spec-ok"]'
out_is "the default config (only terminal and args changed) runs" spec-ok sl run -b "$T/spec" spec1
mkdir -p "$T/rootless"
"$SLOIKA" spec --rootless -b "$T/rootless"
ok "spec --rootless maps the caller to root in a user namespace" \
	sh -c "jq -e '(.linux.namespaces | map(.type) | index(\"user\")) and .linux.uidMappings[0].hostID == $(id -u) and (.linux.namespaces | map(.type) | index(\"network\") | not)' '$T/rootless/config.json' >/dev/null"
ln -s ../rootfs "$T/rootless/rootfs"
cfg rootless '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user"]'
sl run -b "$T/rootless" cli-rl1 </dev/null >"$T/rl1.out" 2>&1
ok "spec --rootless's config runs (as root: root mapped to root)" [ $? -eq 0 ]
out_is "... the program is root in it" 0 sed -n 1p "$T/rl1.out"
out_is "... of a user namespace that maps only uid 0" "0 0 1" sh -c "sed -n 2p '$T/rl1.out' | xargs"
ok "... not the host's user namespace" [ "$(sed -n 3p "$T/rl1.out")" != "$(readlink /proc/self/ns/user)" ]
if command -v setpriv >/dev/null; then
	mkdir -p "$T/rl-user" "$T/rl-root"
	chown 1000:1000 "$T/rl-user" "$T/rl-root"
	as_user() { setpriv --reuid=1000 --regid=1000 --clear-groups env XDG_RUNTIME_DIR="$T/rl-root" "$@"; }
	as_user "$SLOIKA" spec --rootless -b "$T/rl-user"
	ln -s ../rootfs "$T/rl-user/rootfs"
	cfg rl-user '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user"]'
	as_user "$SLOIKA" --root "$T/rl-root" run -b "$T/rl-user" cli-rl2 </dev/null >"$T/rl2.out" 2>&1
	ok "uid 1000 runs spec --rootless's config" [ $? -eq 0 ]
	out_is "... the program is root in it" 0 sed -n 1p "$T/rl2.out"
	out_is "... of a user namespace that maps it to uid 1000" "0 1000 1" sh -c "sed -n 2p '$T/rl2.out' | xargs"
	ok "... not the host's user namespace" [ "$(sed -n 3p "$T/rl2.out")" != "$(readlink /proc/self/ns/user)" ]
	ok "... and run removes the container" [ -z "$(as_user "$SLOIKA" --root "$T/rl-root" list -q)" ]
else
	skip "spec --rootless's config runs as uid 1000" "no setpriv (util-linux)"
fi

"$SLOIKA" features >"$T/features.json"
ok "features prints JSON with the supported spec range" \
	sh -c "jq -e '.ociVersionMin == \"1.0.0\" and .ociVersionMax == \"1.2.0\"' '$T/features.json' >/dev/null"
ok "features lists every hook and namespace type" \
	sh -c "jq -e '(.hooks | length) == 6 and (.linux.namespaces | index(\"time\"))' '$T/features.json' >/dev/null"
ok "features lists capabilities and seccomp actions" \
	sh -c "jq -e '(.linux.capabilities | index(\"CAP_SYS_ADMIN\")) and (.linux.seccomp.actions | index(\"SCMP_ACT_ERRNO\"))' '$T/features.json' >/dev/null"

"$SLOIKA" --root "$ROOT" --log "$T/log.json" --log-format json state nosuch 2>"$T/err"
ok "--log-format json writes runc-shaped JSON lines" \
	sh -c "tail -1 '$T/log.json' | jq -e '.level == \"error\" and (.msg | test(\"does not exist\")) and (.time | test(\"T\"))' >/dev/null"
ok "errors logged to a file are also written to stderr" grep -q 'does not exist' "$T/err"
"$SLOIKA" --root "$ROOT" --log "$T/log.txt" state nosuch 2>/dev/null
ok "--log writes text lines by default" grep -q '^time=".*" level=error msg="container \\"nosuch\\" does not exist"$' "$T/log.txt"

# --debug: create's debug lines (the init's pid, its cgroup) reach the log.
make_bundle dbg '["true"]'
"$SLOIKA" --root "$ROOT" --debug --log "$T/debug.txt" run -b "$T/dbg" cli-dbg1 </dev/null
ok "--debug writes debug lines to the --log file" \
	grep -Eq '^time="[^"]*" level=debug msg="create cli-dbg1: init pid [0-9]+' "$T/debug.txt"
"$SLOIKA" --root "$ROOT" --debug --log "$T/debug.json" --log-format json run -b "$T/dbg" cli-dbg2 </dev/null
ok "--debug with --log-format json writes JSON debug lines" \
	sh -c "jq -se 'any(.[]; .level == \"debug\" and (.msg | test(\"^create cli-dbg2: init pid [0-9]+\")))' '$T/debug.json' >/dev/null"
"$SLOIKA" --root "$ROOT" --log "$T/nodebug.txt" run -b "$T/dbg" cli-dbg3 </dev/null
"$SLOIKA" --root "$ROOT" --log "$T/nodebug.txt" state nosuch 2>/dev/null
ok "without --debug the log gets errors but no debug lines" \
	sh -c "grep -q 'level=error' '$T/nodebug.txt' && ! grep -q 'level=debug' '$T/nodebug.txt'"
"$SLOIKA" --root "$ROOT" --log "$T/nodebug.json" --log-format json run -b "$T/dbg" cli-dbg4 </dev/null
"$SLOIKA" --root "$ROOT" --log "$T/nodebug.json" --log-format json state nosuch 2>/dev/null
ok "... in JSON too" sh -c "jq -se 'any(.[]; .level == \"error\") and all(.[]; .level != \"debug\")' '$T/nodebug.json' >/dev/null"

"$SLOIKA" --root "$ROOT" --systemd-cgroup list 2>"$T/err"
rc=$?
ok "--systemd-cgroup fails (no systemd cgroup driver)" [ $rc -ne 0 ]
ok "--systemd-cgroup's error says why" grep -q 'systemd' "$T/err"

done_testing
