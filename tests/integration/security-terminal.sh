#!/bin/sh
# process.terminal: the pty master arrives over --console-socket; the
# container's program sees a tty of the configured size and talks through it.
. "$top_srcdir/tests/integration/security-common.sh"

sock=$work/console.sock
"$helpers/recvtty" "$sock" "hello
" >"$work/tty.out" 2>&1 &
recv=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.1; done
b=$(make_bundle tty '["/bin/sh","-c","tty; stty size; stat -L -c console=%t:%T /dev/console /proc/self/fd/0; read x; echo got:$x"]' \
	'.process.terminal = true | .process.consoleSize = {height: 25, width: 91}')
# As with runc, a console socket goes with --detach; recvtty ends when the
# container's last pty fd closes.
run_ctr tty "$b" --detach --console-socket "$sock"
rc=$?
wait "$recv"
ok "the terminal container starts detached" [ "$rc" -eq 0 ]
if is_sloika; then
	ok "the console socket receives the master with the pty name" grep -q '^name=/dev/pts/' "$work/tty.out"
else
	ok "the console socket receives the master (runc names it /dev/ptmx)" grep -q '^name=/dev/ptmx' "$work/tty.out"
fi
ok "inside, stdin is the container's own /dev/pts/0" grep -q '^/dev/pts/0' "$work/tty.out"
ok "/dev/console is the same pty as stdin" sh -c "[ \$(grep -c '^console=88:0' '$work/tty.out') -eq 2 ]"
ok "consoleSize 25x91 applies" grep -q '^25 91' "$work/tty.out"
ok "input written to the master reaches the program, its output comes back" grep -q 'got:hello' "$work/tty.out"
diag "terminal transcript: $(tr '\r\n' '||' <"$work/tty.out")"

b=$(make_bundle tty2 '["/bin/true"]' '.process.terminal = true')
run_ctr tty-nosock "$b" --detach
ok "terminal: true with --detach but no --console-socket fails" [ $? -ne 0 ]

done_testing
