#!/bin/sh
# process.* and per-process linux.* fields, each checked from inside a
# real busybox container.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

# inside NAME SCRIPT [JQ_FILTER]: runs SCRIPT with sh -c in a fresh bundle
# edited by JQ_FILTER and prints its output.
inside() {
	b=$(basename "$(mktemp -d "$T/pXXXXXX")")
	make_bundle "$b" "$(jq -cn --arg s "$2" '["sh","-c",$s]')" >/dev/null
	[ -n "${3:-}" ] && cfg "$b" "$3"
	sl run -b "$T/$b" "$b" </dev/null
}
check() { # check NAME WANT SCRIPT [JQ_FILTER]
	out_is "$1" "$2" inside "$1" "$3" "${4:-}"
}

check "hostname is process' hostname" box1 'hostname' '.hostname = "box1"'
check "domainname is set" example.org 'cat /proc/sys/kernel/domainname' '.domainname = "example.org"'
check "env is passed as given" "bar" 'echo $FOO' '.process.env += ["FOO=bar"]'
check "HOME defaults from the container's /etc/passwd" "/home/user" 'echo $HOME' \
	'.process.user = {"uid": 1000, "gid": 1000}'
check "HOME from env wins" "/x" 'echo $HOME' '.process.env += ["HOME=/x"]'
check "cwd is process.cwd inside the rootfs" "/tmp" 'pwd' '.process.cwd = "/tmp"'
check "a missing cwd is created inside the rootfs, as runc does" "/new/dir" 'pwd' \
	'.process.cwd = "/new/dir" | .root.readonly = true'
ok "the created cwd is inside the rootfs" [ -d "$T/rootfs/new/dir" ]
check "uid and gid are process.user's" "1000 1000" 'echo $(id -u) $(id -g)' \
	'.process.user = {"uid": 1000, "gid": 1000}'
check "additionalGids are the supplementary groups" "1000 4 27" 'id -G' \
	'.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [4, 27]}'
check "umask is process.user.umask" "0027" 'umask' \
	'.process.user = {"uid": 0, "gid": 0, "umask": 23}'
check "umask defaults to 0022" "0022" 'umask'
check "rlimits are applied (RLIMIT_NOFILE)" "Max open files 123 456 files" \
	'grep "Max open files" /proc/self/limits | tr -s " " | sed "s/ *$//"' \
	'.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]'
check "rlimits are applied (RLIMIT_CORE)" "Max core file size 0 1024 bytes" \
	'grep "Max core file size" /proc/self/limits | tr -s " " | sed "s/ *$//"' \
	'.process.rlimits = [{"type": "RLIMIT_CORE", "soft": 0, "hard": 1024}]'
check "oomScoreAdj is applied" "500" 'cat /proc/self/oom_score_adj' '.process.oomScoreAdj = 500'
check "noNewPrivileges sets no_new_privs" "NoNewPrivs: 1" \
	'grep NoNewPrivs /proc/self/status | tr -s "\t" " "' '.process.noNewPrivileges = true'
check "no_new_privs stays off when not asked" "NoNewPrivs: 0" \
	'grep NoNewPrivs /proc/self/status | tr -s "\t" " "' '.process.noNewPrivileges = false'
check "args[0] is looked up on the container's PATH" "/bin/busybox" 'readlink -f /proc/self/exe'
check "scheduler policy SCHED_BATCH is applied" "3" 'cut -d" " -f41 /proc/self/stat' \
	'.process.scheduler = {"policy": "SCHED_BATCH"}'
check "scheduler nice is applied" "7" 'cut -d" " -f19 /proc/self/stat' \
	'.process.scheduler = {"policy": "SCHED_OTHER", "nice": 7}'
check "ioPriority is applied" "best-effort: prio 5" 'ionice -p $$ 2>&1 || cat /proc/self/io 2>/dev/null' \
	'.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 5}'
check "personality LINUX32 makes uname -m report i686" "i686" 'uname -m' \
	'.linux.personality = {"domain": "LINUX32"}'
check "the process is pid 1 of its pid namespace" "1" 'echo $$'

# The session keyring: the caller joins one with a name of its own (perl's
# syscall; keyctl(2) number 250 on x86_64) and the container's process, as
# uid 1000, lists /proc/keys, which shows it only the keys it possesses
# and its own uid's.
if [ "$(uname -m)" = x86_64 ] && [ -e /proc/keys ] && command -v perl >/dev/null; then
	make_bundle keys '["cat","/proc/keys"]'
	cfg keys '.process.user = {uid: 1000, gid: 1000} | .linux.maskedPaths -= ["/proc/keys"]'
	in_keyring() { # in_keyring NAME SLOIKA-ARGS...: runs sloika in a new session keyring NAME
		perl -e 'my $n = shift; syscall(250, 1, $n) >= 0 or die "keyctl: $!\n"; exec @ARGV or die "exec: $!\n"' "$@"
	}
	in_keyring "sloika-test-$$" "$SLOIKA" --root "$ROOT" run -b "$T/keys" pr-keys1 </dev/null >"$T/keys1" 2>&1
	ok "create gives the init a new session keyring" grep -q ' keyring *_ses: ' "$T/keys1"
	ok "... so the caller's session keyring is not the container's" sh -c "! grep -q 'sloika-test-$$' '$T/keys1'"
	in_keyring "sloika-test-$$" "$SLOIKA" --root "$ROOT" run --no-new-keyring -b "$T/keys" pr-keys2 </dev/null >"$T/keys2" 2>&1
	ok "--no-new-keyring: the init keeps the caller's session keyring" grep -q " keyring *sloika-test-$$: " "$T/keys2"
	ok "... and gets no new one" sh -c "! grep -q ' keyring *_ses: ' '$T/keys2'"
else
	skip "session keyrings" "needs perl on x86_64 and a kernel with keys (/proc/keys)"
fi

done_testing
