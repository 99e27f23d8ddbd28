#!/bin/sh
# What the container inherits: only fds 0-2 plus --preserve-fds and
# LISTEN_FDS; and it cannot write the runtime's binary through
# /proc/self/exe (CVE-2019-5736).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/bundle.sh"
bundle_init

# ls (exec'd as pid 1) lists its own fds: what it inherited plus the one
# it opened for the listing, always the lowest free number.
make_bundle fds '["ls","/proc/self/fd"]'
fds_of() { "$@" | tr '\n' ' '; }

out_is "the container gets only fds 0, 1 and 2 (3 is ls's own)" "0 1 2 3 " \
	fds_of sl run -b "$T/fds" f1 7>/dev/null 9</dev/null
out_is "--preserve-fds 2 passes fds 3 and 4 (5 is ls's own)" "0 1 2 3 4 5 " \
	fds_of sl run --preserve-fds 2 -b "$T/fds" f2 3</dev/null 4</dev/null 5</dev/null 6</dev/null

make_bundle readfd '["sh","-c","cat <&3"]'
echo preserved-content >"$T/data"
out_is "a preserved fd reads the caller's file" preserved-content \
	sl run --preserve-fds 1 -b "$T/readfd" f3 3<"$T/data"

make_bundle listen '["sh","-c","echo $LISTEN_FDS $LISTEN_PID; cat <&3; exec ls /proc/self/fd"]'
out_is "LISTEN_FDS passes the fds through, with LISTEN_PID set to the container's pid" \
	"1 1 preserved-content 0 1 2 3 4 " \
	fds_of sh -c 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" run -b "$2" f4 3<"$3"' \
	"$SLOIKA" "$ROOT" "$T/listen" "$T/data"
out_is "LISTEN_FDS meant for another pid is ignored" "0 1 2 3 " \
	fds_of sh -c 'LISTEN_FDS=1 LISTEN_PID=1 exec "$0" --root "$1" run -b "$2" f5 3<"$3"' \
	"$SLOIKA" "$ROOT" "$T/fds" "$T/data"

# CVE-2019-5736: grab the init's executable while it is the runtime, then
# try to write through that reference once no process runs it any more (as
# an attacker holding /proc/self/exe would). A copy of sloika is the target
# so a failure cannot damage the build.
cp "$SLOIKA" "$T/sloika-copy"
sum=$(sha256sum <"$T/sloika-copy")
make_bundle exe '["sleep","1000"]'
"$T/sloika-copy" --root "$ROOT" create -b "$T/exe" x1
ipid=$(sl state x1 | jq -r .pid)
exec 8<"/proc/$ipid/exe"
ok "the created init's exe is the runtime binary" cmp -s "/proc/$ipid/exe" "$T/sloika-copy"
sl delete -f x1
(printf 'overwritten' >>/proc/self/fd/8) 2>"$T/err"
ok "writing the runtime through the init's /proc/PID/exe fails" [ $? -ne 0 ]
ok "the failure is a read-only file system, not a race" grep -q 'Read-only file system' "$T/err"
exec 8<&-
ok "the runtime binary is unchanged" [ "$(sha256sum <"$T/sloika-copy")" = "$sum" ]

done_testing
