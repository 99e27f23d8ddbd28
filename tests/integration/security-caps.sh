#!/bin/sh
# process.capabilities in real containers: /proc/self/status of the
# container's program shows the configured sets, as root and as uid 1000.
. "$top_srcdir/tests/integration/security-common.sh"

# mask CAP_NUMBERS...: the hex mask /proc/<pid>/status prints.
mask() { m=0; for c in "$@"; do m=$((m | (1 << c))); done; printf '%016x' "$m"; }
status_has() { out_has "$1" "$2:	$3"; }

caps='{"bounding":["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
  "permitted":["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
  "effective":["CAP_CHOWN","CAP_KILL"],
  "inheritable":["CAP_KILL","CAP_NET_BIND_SERVICE"],
  "ambient":["CAP_KILL"]}'
# CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10
b=$(make_bundle user '["/bin/grep","^Cap","/proc/self/status"]' \
	".process.capabilities = $caps | .process.user = {uid: 1000, gid: 1000}")
run_ctr caps-user "$b"
ok "uid 1000: CapBnd is the bounding set" status_has caps-user CapBnd "$(mask 0 5 10)"
ok "uid 1000: CapInh is the inheritable set" status_has caps-user CapInh "$(mask 5 10)"
ok "uid 1000: CapAmb is the ambient set" status_has caps-user CapAmb "$(mask 5)"
ok "uid 1000: CapPrm after exec is the ambient set" status_has caps-user CapPrm "$(mask 5)"
ok "uid 1000: CapEff after exec is the ambient set" status_has caps-user CapEff "$(mask 5)"

# As root, exec gives permitted = bounding | inheritable (a non-setuid
# program under uid 0); with inheritable inside bounding that is bounding.
b=$(make_bundle root '["/bin/grep","^Cap","/proc/self/status"]' ".process.capabilities = $caps")
run_ctr caps-root "$b"
ok "root: CapBnd is the bounding set" status_has caps-root CapBnd "$(mask 0 5 10)"
ok "root: CapPrm is the bounding set" status_has caps-root CapPrm "$(mask 0 5 10)"
ok "root: CapInh is the inheritable set" status_has caps-root CapInh "$(mask 5 10)"
ok "root: CapAmb is the ambient set" status_has caps-root CapAmb "$(mask 5)"

b=$(make_bundle nocap '["/bin/sh","-c","touch /tmp/f; chown 1000 /tmp/f && echo chowned"]' \
	'.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"], effective: ["CAP_KILL"]}')
run_ctr caps-nochown "$b"
ok "without CAP_CHOWN root cannot chown" out_has caps-nochown "Operation not permitted"
ok "... so the chown did not happen" sh -c "! grep -q chowned '$work/caps-nochown.out'"

# The default specs of crun and runc put ambient capabilities in no
# inheritable set; like runc, the run goes on without them (and warns).
b=$(make_bundle ambient '["/bin/grep","^Cap","/proc/self/status"]' \
	'.process.capabilities.ambient = ["CAP_KILL","CAP_CHOWN"] | .process.capabilities.inheritable = ["CAP_CHOWN"]')
run_ctr caps-ambient "$b"
ok "ambient capabilities outside inheritable do not fail the run" [ $? -eq 0 ]
ok "... the one also in inheritable and permitted is raised" status_has caps-ambient CapAmb "$(mask 0)"
if is_sloika; then
	ok "... the dropped one is named in a warning" out_has caps-ambient "dropping CAP_KILL"
fi

b=$(make_bundle bogus '["/bin/true"]' '.process.capabilities.permitted += ["CAP_BOGUS"]')
run_ctr caps-bogus "$b"
rc=$?
# runc only warns about unknown names; sloika refuses them.
if is_sloika; then
	ok "an unknown capability fails the run" [ "$rc" -ne 0 ]
	ok "the error names the set and the name" out_has caps-bogus 'process.capabilities.permitted[5]: unknown capability "CAP_BOGUS"'
fi

done_testing
