# Shared helpers for shell integration tests, which speak TAP.
# Source it: . "$top_srcdir/tests/lib.sh"
tap_n=0
tap_failed=0
ok() { # ok NAME CMD... : passes when CMD exits 0
	name=$1; shift
	tap_n=$((tap_n + 1))
	if "$@"; then echo "ok $tap_n - $name"; else echo "not ok $tap_n - $name"; tap_failed=$((tap_failed + 1)); fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
diag() { echo "# $*"; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
