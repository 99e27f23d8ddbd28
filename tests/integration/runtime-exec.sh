#!/bin/sh
# sloika exec in real busybox containers: the new process shares the
# init's namespaces, cgroup, root and security settings, takes its
# overrides from flags or a process JSON, passes its exit status and
# signals through, and fails like runc (exit 255) leaving nothing behind.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

# Container ids name cgroups: "ex-" plus our pid keeps them apart from
# other test files and runs.
P=ex$$
msg() { sed 's/.*msg="//;s/"$//;s/\\"/"/g' "$@"; }
init_pid() { sl state "$1" | jq -r .pid; }
# wait_for CMD...: up to 5 s for CMD to succeed
wait_for() {
	i=0
	until "$@" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
	"$@"
}

# The main container: own hostname, a tmpfs only its mount namespace has
# (holding a file the init wrote), seccomp denying mkdir with errno 42,
# noNewPrivileges and the default three capabilities.
make_bundle main '["sh","-c","echo inside >/run/marker; exec sleep 1000"]'
cfg main '.hostname = "exhost"
	| .mounts += [{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]
	| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
	    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}
	| .process.env += ["FROMCONFIG=yes"]
	| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 777, "hard": 777}]'
mkdir -p "$T/rootfs/run"
sl run -d -b "$T/main" $P-main
ipid=$(init_pid $P-main)
ok "the container to exec into runs" [ -n "$ipid" ] && [ "$ipid" != 0 ]
wait_for [ -n "$(sl exec $P-main cat /run/marker 2>/dev/null)" ]

out_is "exec sees the container's hostname" exhost sl exec $P-main hostname
out_is "exec is in the container's pid namespace: its pid 1 is the init" "sleep 1000 " \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-main cat /proc/1/cmdline | tr '\\0' ' '"
out_is "ps in the exec lists the init as pid 1" "1 sleep 1000" \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-main ps -o pid,args | awk '\$1 == 1 { print \$1, \$2, \$3 }'"
out_is "exec is in the container's mount namespace (its private tmpfs)" inside sl exec $P-main cat /run/marker
ok "the tmpfs file is not visible on the host" [ ! -e "$T/rootfs/run/marker" ]
out_is "exec's root is the container's rootfs" yes \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-main ls /bin/busybox >/dev/null && echo yes"
for ns in pid mnt net ipc uts cgroup; do
	out_is "exec joins the init's $ns namespace" "$(readlink /proc/$ipid/ns/$ns)" \
		sh -c "'$SLOIKA' --root '$ROOT' exec -d --pid-file '$T/ns.pid' $P-main sleep 5 && readlink /proc/\$(cat '$T/ns.pid')/ns/$ns && kill \$(cat '$T/ns.pid')"
done
out_is "inside, exec's /proc/self/cgroup equals the init's (cgroup namespace)" \
	"$(sl exec $P-main cat /proc/1/cgroup)" sl exec $P-main cat /proc/self/cgroup
sl exec -d --pid-file "$T/cg.pid" $P-main sleep 100
epid=$(cat "$T/cg.pid")
out_is "from the host, the exec'd process is in the init's cgroups" "$(cat /proc/$ipid/cgroup)" cat /proc/$epid/cgroup
kill $epid

caps_of() { grep '^Cap' "$1"; }
out_is "exec gets the container's capability sets" "$(caps_of /proc/$ipid/status)" \
	sl exec $P-main grep '^Cap' /proc/self/status
eff=$(awk '/^CapEff/ { print $2 }' /proc/$ipid/status)
want=$(printf '%016x' $((0x$eff | 1 << 21)))
out_is "--cap CAP_SYS_ADMIN adds it to the effective set" "$want" \
	sh -c "'$SLOIKA' --root '$ROOT' exec --cap CAP_SYS_ADMIN $P-main grep ^CapEff /proc/self/status | cut -f2"
out_is "--cap adds it to the bounding set too" "$want" \
	sh -c "'$SLOIKA' --root '$ROOT' exec -c CAP_SYS_ADMIN $P-main grep ^CapBnd /proc/self/status | cut -f2"
sl exec $P-main mkdir /tmp/denied 2>"$T/mkdir.err"
ok "exec gets the container's seccomp filter: mkdir fails with errno 42" \
	grep -q 'No message of desired type' "$T/mkdir.err"
ok "the compiled filter is cached in the state dir" [ -s "$ROOT/$P-main/exec-seccomp.bpf" ]
sl exec $P-main mkdir /tmp/denied 2>"$T/mkdir.err"
ok "an exec loading the cached filter gets the same errno" grep -q 'No message of desired type' "$T/mkdir.err"
printf 'garbage' >"$T/garbage"
cp "$T/garbage" "$ROOT/$P-main/exec-seccomp.bpf"
sl exec $P-main mkdir /tmp/denied 2>"$T/mkdir.err"
ok "a corrupt cache is rebuilt, not loaded" grep -q 'No message of desired type' "$T/mkdir.err"
ok "... and replaced" [ "$(stat -c %s "$ROOT/$P-main/exec-seccomp.bpf")" -gt 7 ]
cp "$T/main/config.json" "$T/main/config.json.orig"
cfg main '.linux.seccomp.syscalls[0].errnoRet = 13'
sl exec $P-main mkdir /tmp/denied 2>"$T/mkdir.err"
ok "a changed config.json is not served the stale filter" grep -q 'Permission denied' "$T/mkdir.err"
mv "$T/main/config.json.orig" "$T/main/config.json"
out_is "exec has no_new_privs like the container" 1 \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-main grep ^NoNewPrivs /proc/self/status | cut -f2"
out_is "exec gets the container's rlimits" "777 777" \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-main sh -c 'echo \$(ulimit -n) \$(ulimit -Hn)'"

out_is "exec runs as the config's user by default" "0 0" sl exec $P-main sh -c 'echo $(id -u) $(id -g)'
out_is "--user 1000:1000 sets uid and gid" "1000 1000" sl exec --user 1000:1000 $P-main sh -c 'echo $(id -u) $(id -g)'
out_is "--user 1000 sets the uid, the gid stays the config's" "1000 0" sl exec -u 1000 $P-main sh -c 'echo $(id -u) $(id -g)'
out_is "--additional-gids adds supplementary groups" "5 6" \
	sh -c "'$SLOIKA' --root '$ROOT' exec -u 1000:1000 -g 5 --additional-gids 6 $P-main grep ^Groups /proc/self/status | cut -f2 | xargs"
out_is "the exec'd program is an ordinary dumpable process (its /proc files are its own)" 1000 \
	sl exec -u 1000 $P-main stat -c %u /proc/self/status
out_is "--cwd sets the working directory" /tmp sl exec --cwd /tmp $P-main pwd
escaped=""
for fd in 3 4 5 6 7 8 9 10 11 12; do
	sl --log "$T/exec.log" exec --cwd /proc/self/fd/$fd $P-main pwd >/dev/null 2>&1 && escaped="$escaped $fd"
done
ok "no fd of the runtime is left for a cwd of /proc/self/fd/N (CVE-2024-21626)" [ -z "$escaped" ]
out_is "exec starts in the config's cwd by default" / sl exec $P-main pwd
out_is "exec keeps the config's environment" yes sl exec $P-main sh -c 'echo $FROMCONFIG'
out_is "--env adds variables" "bar baz" sl exec -e FOO=bar --env QUX=baz $P-main sh -c 'echo $FOO $QUX'
out_is "--env replaces a variable of the config" "1" \
	sh -c "'$SLOIKA' --root '$ROOT' exec -e FROMCONFIG=no $P-main env | grep -c ^FROMCONFIG="
out_is "the replaced value wins" no sl exec -e FROMCONFIG=no $P-main sh -c 'echo $FROMCONFIG'
out_is "HOME comes from the container's /etc/passwd" /home/user sl exec -u 1000 $P-main sh -c 'echo $HOME'
out_is "command arguments after the id are not exec's flags" "-e,x,--help," sl exec $P-main printf '%s,' -e x --help

# --process: the whole process from a JSON file, the rest from the container.
cat >"$T/proc.json" <<'EOF'
{"args": ["sh", "-c", "echo $X $(id -u) $(pwd); grep ^CapBnd /proc/self/status | cut -f2"],
 "env": ["X=fromjson", "PATH=/bin"], "cwd": "/tmp", "user": {"uid": 1000, "gid": 1000}}
EOF
out_is "--process runs the JSON's args, env, user and cwd" "fromjson 1000 /tmp" \
	sh -c "'$SLOIKA' --root '$ROOT' exec --process '$T/proc.json' $P-main | head -1"
out_is "--process without capabilities keeps the container's bounding set" \
	"$(awk '/^CapBnd/ { print $2 }' /proc/$ipid/status)" \
	sh -c "'$SLOIKA' --root '$ROOT' exec -p '$T/proc.json' $P-main | tail -1"
jq '.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
	| .args = ["sh", "-c", "grep ^CapEff /proc/self/status | cut -f2"] | .user.uid = 0' \
	"$T/proc.json" >"$T/proc-caps.json"
out_is "--process capabilities replace the container's" 0000000000000020 \
	sl exec -p "$T/proc-caps.json" $P-main

sl exec $P-main sh -c 'exit 42'
ok "exec exits with the process's status (42)" [ $? -eq 42 ]
sl exec $P-main sh -c 'kill -9 $$'
ok "exec exits 128+9 when the process is killed by SIGKILL" [ $? -eq 137 ]

# Signals sent to sloika exec reach the process.
"$SLOIKA" --root "$ROOT" exec $P-main sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >"$T/sig.out" 2>&1 &
runner=$!
wait_for grep -qs ready "$T/sig.out"
kill -TERM $runner
wait $runner
ok "SIGTERM to exec is forwarded; the process's trap status (7) comes back" [ $? -eq 7 ]
ok "the process saw the forwarded SIGTERM" grep -q got-term "$T/sig.out"

# --detach returns at once, with the pid file written, the process running.
start=$(date +%s)
sl exec --detach --pid-file "$T/d.pid" $P-main sleep 1000
rc=$?
ok "exec --detach returns 0 while the process runs" [ $rc -eq 0 ] && [ $(($(date +%s) - start)) -lt 5 ]
dpid=$(cat "$T/d.pid" 2>/dev/null)
ok "--pid-file holds the host pid of the running process" \
	sh -c "tr '\\0' ' ' </proc/$dpid/cmdline | grep -q '^sleep 1000'"
ok "no temporary pid file is left next to it" [ ! -e "$T/d.pid.tmp" ]
kill $dpid

# With a subreaper as caller (containerd-shim, conmon), the detached
# process is reparented to it and reaped there.
if command -v python3 >/dev/null; then
	out_is "a detached exec's process is reparented to the caller's subreaper" "reaped 3" python3 -c '
import ctypes, os, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
subprocess.run([sys.argv[1], "--root", sys.argv[2], "exec", "-d", "--pid-file", sys.argv[3],
                sys.argv[4], "sh", "-c", "sleep 0.3; exit 3"], check=True)
pid = int(open(sys.argv[3]).read())
got, status = os.waitpid(pid, 0)
print("reaped", os.WEXITSTATUS(status))' "$SLOIKA" "$ROOT" "$T/sr.pid" $P-main
else
	skip "a detached exec's process is reparented to the caller's subreaper" "no python3"
fi

# --tty: the pty master goes to the console socket, as with create.
recvtty=${top_builddir:-.}/tests/unit/security/recvtty
if [ -x "$recvtty" ]; then
	"$recvtty" "$T/console.sock" "hello
" >"$T/tty.out" 2>&1 &
	recv=$!
	wait_for [ -S "$T/console.sock" ]
	sl exec -t --console-socket "$T/console.sock" $P-main sh -c 'tty; read x; echo got:$x' >"$T/tty.exec" 2>&1
	rc=$?
	wait $recv
	ok "exec --tty with a console socket succeeds" [ $rc -eq 0 ]
	ok "the console socket receives the pty master" grep -q '^name=/dev/pts/' "$T/tty.out"
	ok "the process's stdin is a pty of the container's devpts" grep -q '^/dev/pts/[0-9]' "$T/tty.out"
	ok "input written to the master reaches the process, its output comes back" grep -q 'got:hello' "$T/tty.out"
	ok "nothing of the process went to exec's own stdout" [ ! -s "$T/tty.exec" ]
	# The managers' way: --detach, and a process JSON asking for a terminal.
	rm -f "$T/console.sock"
	"$recvtty" "$T/console.sock" "again
" >"$T/tty2.out" 2>&1 &
	recv=$!
	wait_for [ -S "$T/console.sock" ]
	jq -n '{args: ["sh", "-c", "read x; echo got:$x; stty size"], cwd: "/", terminal: true,
		consoleSize: {height: 30, width: 100}, env: ["PATH=/bin"], user: {uid: 0, gid: 0}}' >"$T/tty.json"
	sl exec -d -p "$T/tty.json" --console-socket "$T/console.sock" --pid-file "$T/tty.pid" $P-main
	ok "exec --detach with a terminal process JSON returns 0" [ $? -eq 0 ] && [ -s "$T/tty.pid" ]
	wait $recv
	ok "the detached terminal process talks through the console socket" grep -q 'got:again' "$T/tty2.out"
	ok "the process JSON's consoleSize applies" grep -q '^30 100' "$T/tty2.out"
else
	skip "exec --tty over a console socket" "recvtty helper not built ($recvtty)"
fi
# --tty in the foreground without a console socket: exec relays the pty
# itself, as runc does. in_pty INPUT CMD...: runs CMD on a fresh 22x77
# terminal, types INPUT once "ready" shows (resizing the terminal to
# $RESIZE first, if set), prints what came out, the exit status and
# whether the terminal was left as it was found.
in_pty() {
	python3 -c '
import fcntl, os, pty, select, struct, sys, termios, time
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 22, 77, 0, 0))
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(s, fd)
    os.close(m)
    os.close(s)
    os.execvp(sys.argv[2], sys.argv[2:])
out, status, sent = b"", None, False
while True:
    r, _, _ = select.select([m], [], [], 0.1)
    if r:
        try:
            out += os.read(m, 4096)
        except OSError:
            pass
    if not sent and b"ready" in out:
        if os.environ.get("RESIZE"):
            rows, cols = map(int, os.environ["RESIZE"].split())
            fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            time.sleep(0.3)
        os.write(m, sys.argv[1].encode())
        sent = True
    if status is None:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            status = st
    elif not r:
        break
lflag = termios.tcgetattr(s)[3]
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("exit", os.waitstatus_to_exitcode(status))
print("terminal restored" if lflag & termios.ECHO and lflag & termios.ICANON else "terminal left raw")
' "$@"
}
if command -v python3 >/dev/null; then
	in_pty "" "$SLOIKA" --root "$ROOT" exec -t $P-main sh -c 'tty; stty size' >"$T/pty1.out" 2>&1
	ok "exec -t relays a pty of the container's own devpts" grep -q '^/dev/pts/[0-9]' "$T/pty1.out"
	ok "the program sees exec's terminal size from the start (22x77)" grep -qx '22 77' "$T/pty1.out"
	ok "exec's terminal is restored afterwards" grep -qx 'terminal restored' "$T/pty1.out"
	in_pty "typed
" "$SLOIKA" --root "$ROOT" exec -t $P-main sh -c 'echo ready; read x; echo got:$x; exit 4' >"$T/pty2.out" 2>&1
	ok "what is typed on exec's terminal reaches the program" grep -qx 'got:typed' "$T/pty2.out"
	ok "exec -t passes the exit status through (4)" grep -qx 'exit 4' "$T/pty2.out"
	RESIZE="30 100" in_pty "
" "$SLOIKA" --root "$ROOT" exec -t $P-main sh -c 'echo ready; read x; stty size' >"$T/pty4.out" 2>&1
	ok "resizing exec's terminal resizes the container's pty (30x100)" grep -qx '30 100' "$T/pty4.out"
	in_pty "" "$SLOIKA" --root "$ROOT" exec -t $P-main nosuchcmd >"$T/pty3.out" 2>&1
	ok "a failed exec -t exits 255 and restores the terminal" \
		sh -c "grep -qx 'exit 255' '$T/pty3.out' && grep -qx 'terminal restored' '$T/pty3.out'"
else
	skip "exec -t relays a pty to exec's own terminal" "no python3"
fi
out_is "exec -t with piped input and output: the pty echoes, the program reads, plain newlines" "a b a b " \
	sh -c "printf 'a\nb\n' | '$SLOIKA' --root '$ROOT' exec -t $P-main cat | tr '\n' ' '"
sl exec -t $P-main sh -c 'exit 3' </dev/null >/dev/null
ok "exec -t passes the exit status through (3)" [ $? -eq 3 ]
sl exec -t -d $P-main true 2>"$T/err"
ok "--tty --detach without --console-socket fails clearly" [ $? -eq 255 ] && grep -q 'needs --console-socket' "$T/err"

# fds: only 0-2, plus --preserve-fds.
out_is "exec passes only fds 0, 1 and 2 (3 is ls's own)" "0 1 2 3" \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-main ls /proc/self/fd 7</dev/null 9</dev/null | xargs"
echo preserved-content >"$T/data"
out_is "--preserve-fds 1 passes fd 3 to the process" preserved-content \
	sh -c "'$SLOIKA' --root '$ROOT' exec --preserve-fds 1 $P-main sh -c 'cat <&3' 3<'$T/data'"
sl exec --preserve-fds 2 $P-main true 3<"$T/data" 2>"$T/err"
ok "--preserve-fds naming a closed fd fails (no fd of the runtime leaks in)" \
	[ $? -eq 255 ] && grep -q 'fd 4 is not open' "$T/err"

printf '#!/bin/sh\necho $LISTEN_FDS $([ "$LISTEN_PID" = $$ ] && echo yes) $(cat <&3)\n' >"$T/rootfs/listen.sh"
chmod +x "$T/rootfs/listen.sh"
out_is "LISTEN_FDS passes its fds on, LISTEN_PID set to the process's own pid" "1 yes preserved-content" \
	sh -c 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" exec "$2" /listen.sh 3<"$3"' \
	"$SLOIKA" "$ROOT" $P-main "$T/data"

# Errors, in runc's words, exit 255.
procs() { wc -l <"/sys/fs/cgroup/pids$(grep -m1 ':pids:' /proc/$ipid/cgroup | cut -d: -f3)/cgroup.procs"; }
before=$(procs)
sl exec $P-main nosuchcmd 2>"$T/err"
ok "a command missing in the container fails with 255" [ $? -eq 255 ]
out_is "the error names the command like runc" \
	'exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH' msg "$T/err"
sl exec $P-main /bin/nosuch 2>"$T/err"
ok "a missing absolute path fails naming it" grep -q '/bin/nosuch.*no such file or directory' "$T/err"
sl exec --cwd /nonexistent $P-main true 2>"$T/err"
out_is "a missing --cwd fails naming it" \
	'exec failed: unable to start container process: process.cwd: chdir to cwd ("/nonexistent") set in config.json failed: no such file or directory' msg "$T/err"
sl exec --apparmor sloika-test-profile $P-main true 2>"$T/err"
ok "--apparmor on a host without AppArmor fails (nothing runs unconfined)" [ $? -eq 255 ]
ok "failed execs leave no process behind in the container's cgroup" [ "$(procs)" = "$before" ]

sl exec nope-$P true 2>"$T/err"
ok "exec into a missing container exits 255" [ $? -eq 255 ]
out_is "it says the container does not exist" "exec failed: container \"nope-$P\" does not exist" msg "$T/err"
sl exec --bogus $P-main true 2>"$T/err"
ok "an unknown flag is a usage error (exit 1)" [ $? -eq 1 ]
sl exec $P-main 2>"$T/err"
ok "no command and no --process is a usage error" [ $? -eq 1 ] && grep -q 'expects a command' "$T/err"
echo '{"args": "x", "cwd": "/"}' >"$T/bad.json"
sl exec -p "$T/bad.json" $P-main 2>"$T/err"
ok "a bad process JSON fails with 255" [ $? -eq 255 ]
ok "the error names the file and the field" grep -q "$T/bad.json: args" "$T/err"
echo '{"args": ["true"]}' >"$T/nocwd.json"
sl exec -p "$T/nocwd.json" $P-main 2>"$T/err"
ok "a process JSON without cwd names the file and process.cwd" grep -q "$T/nocwd.json: .*cwd" "$T/err"
sl exec -p "$T/missing.json" $P-main 2>"$T/err"
ok "a missing process JSON names the file" grep -q "$T/missing.json" "$T/err"
sl exec --cgroup cpu:sub $P-main true 2>"$T/err"
ok "--cgroup CONTROLLER:PATH fails clearly" grep -q 'per-controller sub-cgroups are not supported' "$T/err"
# --cgroup SUB: an existing sub-cgroup (made here in every hierarchy).
while IFS=: read -r _ ctrl path; do
	case $ctrl in
	"") d=/sys/fs/cgroup/unified$path ;;
	name=*) d=/sys/fs/cgroup/${ctrl#name=}$path ;;
	*) d=/sys/fs/cgroup/$ctrl$path ;;
	esac
	mkdir -p "$d/sub"
	if [ -f "$d/cpuset.cpus" ]; then
		cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
		cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
	fi
done </proc/$ipid/cgroup
out_is "--cgroup SUB runs the process in the container's sub-cgroup" \
	"$(sed 's|$|/sub|' /proc/$ipid/cgroup)" \
	sh -c "'$SLOIKA' --root '$ROOT' exec -d --pid-file '$T/sub.pid' --cgroup sub $P-main sleep 5 && cat /proc/\$(cat '$T/sub.pid')/cgroup"
kill "$(cat "$T/sub.pid")"
sl exec --cgroup ../escape $P-main true 2>"$T/err"
ok "--cgroup refuses a path leaving the container's cgroup" grep -q 'must name a cgroup below the container' "$T/err"
sl exec --cgroup no-such-sub $P-main true 2>"$T/err"
ok "--cgroup naming a missing sub-cgroup fails" [ $? -eq 255 ]
ok "failed execs still left no process behind" [ "$(procs)" = "$before" ]

# seccomp notify: the exec'd process's listener fd goes to listenerPath,
# with the pid of that process.
helpers=${top_builddir:-.}/tests/unit/security
if [ -x "$helpers/notify-listener" ]; then
	sock=$T/agent.sock
	"$helpers/notify-listener" "$sock" "$T/agent1.json" >"$T/agent1.out" 2>&1 &
	agent1=$!
	wait_for [ -S "$sock" ]
	make_bundle notify '["sleep","1000"]'
	cfg notify --arg sock "$sock" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
	sl run -d -b "$T/notify" $P-notify
	wait_for [ -s "$T/agent1.json" ]
	# The first agent keeps the init's fd; a second one takes the exec's.
	rm -f "$sock"
	"$helpers/notify-listener" "$sock" "$T/agent2.json" >"$T/agent2.out" 2>&1 &
	agent2=$!
	wait_for [ -S "$sock" ]
	out_is "exec under a SCMP_ACT_NOTIFY filter: the agent answers its mkdir" "mkdir-ok absent" \
		sl exec -d --pid-file "$T/n.pid" $P-notify sh -c 'mkdir /tmp/n && printf mkdir-ok; [ -d /tmp/n ] || echo " absent"; sleep 1'
	sleep 0.2
	ok "the agent got the exec'd process's pid" \
		sh -c "jq -e --argjson pid $(cat "$T/n.pid") '.pid == \$pid and .fds == [\"seccompFd\"]' '$T/agent2.json' >/dev/null"
	sl delete -f $P-notify
	wait $agent1 $agent2
	ok "the agent was notified of the exec'd process's mkdir" grep -q '^notified mkdir' "$T/agent2.out"
else
	skip "exec under a SCMP_ACT_NOTIFY filter" "notify-listener helper not built"
fi

# A paused container: through `sloika pause`, and frozen behind the
# runtime's back through the v1 freezer.
sl pause $P-main
ok "sloika pause pauses the container" sh -c "'$SLOIKA' --root '$ROOT' state $P-main | jq -e '.status == \"paused\"' >/dev/null"
sl exec $P-main true 2>"$T/err"
ok "exec into a paused container exits 255" [ $? -eq 255 ]
out_is "it says so like runc" \
	"exec failed: cannot exec in a paused container (use --ignore-paused to override)" msg "$T/err"
sl exec --ignore-paused $P-main echo thawed >"$T/ip.out" 2>&1 &
ipr=$!
sleep 0.5
ok "--ignore-paused waits in the frozen container" [ ! -s "$T/ip.out" ]
sl resume $P-main
wait $ipr
ok "--ignore-paused runs the process once resumed" [ $? -eq 0 ] && grep -q thawed "$T/ip.out"
fz=/sys/fs/cgroup/freezer$(grep -m1 ':freezer:' /proc/$ipid/cgroup | cut -d: -f3)
if [ -w "$fz/freezer.state" ]; then
	echo FROZEN >"$fz/freezer.state"
	wait_for grep -q FROZEN "$fz/freezer.state"
	sl exec $P-main true 2>"$T/err"
	out_is "a container frozen through the v1 freezer is paused for exec too" \
		"exec failed: cannot exec in a paused container (use --ignore-paused to override)" msg "$T/err"
	echo THAWED >"$fz/freezer.state"
	wait_for grep -q THAWED "$fz/freezer.state"
else
	skip "a container frozen through the v1 freezer is paused for exec too" "no writable v1 freezer"
fi
out_is "exec works again once thawed" ok sl exec $P-main echo ok

# An exec killed before its process ran (a manager's timeout) leaves no
# process: the child waits frozen in the paused container, exec is
# SIGKILLed, and after resume nothing runs the command.
sl pause $P-main
"$SLOIKA" --root "$ROOT" exec --ignore-paused $P-main sh -c 'echo ran >/run/orphan' &
killed=$!
sleep 0.5
kill -KILL $killed
wait $killed 2>/dev/null
sl resume $P-main
sleep 0.5
ok "an exec killed during setup leaves no process that runs later" \
	sh -c "! '$SLOIKA' --root '$ROOT' exec $P-main cat /run/orphan 2>/dev/null"
ok "... and nothing extra in the container's cgroup" [ "$(procs)" = "$before" ]

# A --no-pivot container (MS_MOVE + chroot): exec must chroot like it.
make_bundle nopivot '["sh","-c","echo np >/run/marker; exec sleep 1000"]'
cfg nopivot '.mounts += [{"destination": "/run", "type": "tmpfs", "source": "tmpfs"}]'
sl run -d --no-pivot -b "$T/nopivot" $P-np
wait_for [ -n "$(sl exec $P-np cat /run/marker 2>/dev/null)" ]
out_is "exec into a --no-pivot container sees its tmpfs" np sl exec $P-np cat /run/marker
out_is "exec into a --no-pivot container has the rootfs as /" yes \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-np sh -c '[ -x /bin/busybox ] && [ ! -e /sloika-test-host-only ] && echo yes'"
out_is "its pid 1 is the init" "sleep 1000 " \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-np cat /proc/1/cmdline | tr '\\0' ' '"
sl delete -f $P-np

# A container without a mount namespace is only chrooted; exec too.
make_bundle nomnt '["sleep","1000"]'
cfg nomnt '.linux.namespaces |= map(select(.type != "mount" and .type != "cgroup")) | .mounts = []'
sl run -d -b "$T/nomnt" $P-nomnt 2>/dev/null
out_is "exec into a container without a mount namespace is chrooted to its rootfs" yes \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-nomnt sh -c '[ -x /bin/busybox ] && [ -e /home/user ] && echo yes'"
sl delete -f $P-nomnt

# A container with a user namespace: exec joins it first.
make_bundle userns '["sleep","1000"]'
cfg userns '.linux.namespaces += [{"type": "user"}]
	| .linux.uidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
	| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
sl run -d -b "$T/userns" $P-user
upid=$(init_pid $P-user)
out_is "exec in a user namespace container is root inside" "0 0" sl exec $P-user sh -c 'echo $(id -u) $(id -g)'
out_is "and sees the container's uid map" "0 300000 65536" \
	sh -c "'$SLOIKA' --root '$ROOT' exec $P-user cat /proc/self/uid_map | xargs"
sl exec -d --pid-file "$T/u.pid" -u 1000 $P-user sleep 100
out_is "--user 1000 there is host uid 301000" 301000 stat -c %u /proc/$(cat "$T/u.pid")
out_is "the exec'd process is in the init's user namespace" "$(readlink /proc/$upid/ns/user)" \
	readlink /proc/$(cat "$T/u.pid")/ns/user
kill $(cat "$T/u.pid")
sl delete -f $P-user

# A container with a time namespace: exec sees its clock offsets.
make_bundle timens '["sleep","1000"]'
cfg timens '.linux.namespaces += [{"type": "time"}]
	| .linux.timeOffsets = {"boottime": {"secs": 8640000, "nanosecs": 0}}'
sl run -d -b "$T/timens" $P-time
out_is "exec in a time namespace container sees its boottime offset (+100 days)" yes \
	sh -c "[ \$('$SLOIKA' --root '$ROOT' exec $P-time cut -d. -f1 /proc/uptime) -ge 8640000 ] && echo yes"
sl delete -f $P-time

# A stopped container.
sl kill $P-main KILL
wait_for sh -c "'$SLOIKA' --root '$ROOT' state $P-main | jq -e '.status == \"stopped\"' >/dev/null"
sl exec $P-main true 2>"$T/err"
ok "exec into a stopped container exits 255" [ $? -eq 255 ]
out_is "it says so like runc" "exec failed: cannot exec in a stopped container" msg "$T/err"
sl delete $P-main

done_testing
