#!/bin/sh
# NOTIFY_SOCKET as runc handles it: the container gets its own socket at
# /run/notify/notify.sock, and run --detach (or start) returns once the
# container said READY=1, which it relays to the host socket with MAINPID.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init
command -v python3 >/dev/null || skip_all "python3 not installed (apt-get install python3)"

# A host sd_notify receiver: prints the first datagram (or "timeout").
cat >"$T/recv.py" <<'EOF2'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(10)
open(sys.argv[1] + ".up", "w").close()
try:
    sys.stdout.write(s.recv(4096).decode())
except socket.timeout:
    print("timeout")
EOF2
listen() {
	rm -f "$T/host.sock" "$T/host.sock.up"
	python3 "$T/recv.py" "$T/host.sock" >"$T/received" &
	recv_pid=$!
	i=0
	while [ ! -e "$T/host.sock.up" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# busybox has no sd_notify tool; logger writes one datagram to /dev/log.
make_bundle notify '["sh","-c","echo $NOTIFY_SOCKET >/tmp/env; ln -s /run/notify/notify.sock /dev/log; sleep 0.5; logger READY=1; sleep 1000"]'
cfg notify '.root.readonly = false'

listen
NOTIFY_SOCKET=$T/host.sock sl run -d -b "$T/notify" n1
wait $recv_pid
pid=$(sl state n1 | jq -r .pid)
out_is "run --detach relays READY=1 with MAINPID to the host socket" "READY=1
MAINPID=$pid" cat "$T/received"
out_is "the container sees NOTIFY_SOCKET=/run/notify/notify.sock" /run/notify/notify.sock \
	cat "/proc/$pid/root/tmp/env"
sl delete -f n1
ok "delete removes the notify socket dir with the state" [ ! -e "$ROOT/n1" ]

listen
NOTIFY_SOCKET=$T/host.sock sl create -b "$T/notify" n2
NOTIFY_SOCKET=$T/host.sock sl start n2
wait $recv_pid
out_is "start relays READY=1 too" "READY=1
MAINPID=$(sl state n2 | jq -r .pid)" cat "$T/received"
sl delete -f n2

done_testing
