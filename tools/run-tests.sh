#!/bin/sh
# The test command: installs dependencies, builds, runs every test, and
# prints one "N passed, N failed, N skipped" summary line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/install-deps.sh"
"$top/tools/build.sh"
build=${BUILD_DIR:-$top/_build}
cd "$build"
status=0
make -j"$(nproc)" check >check.out 2>&1 || status=$?
# A build failure inside make check leaves no test logs: show make's tail.
[ "$status" -eq 0 ] || grep -v '^\(PASS\|SKIP\|XFAIL\): ' check.out | tail -n 30
# Show each failing test's log so a red run explains itself.
for trs in $(find . -name '*.trs'); do
	if grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs"; then
		log=${trs%.trs}.log
		echo "==== $log"
		tail -n 60 "$log"
	fi
done
pass=$(cat $(find . -name '*.trs') | grep -c '^:test-result: PASS' || true)
fail=$(cat $(find . -name '*.trs') | grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' || true)
skip=$(cat $(find . -name '*.trs') | grep -c '^:test-result: SKIP' || true)
echo "$pass passed, $fail failed, $skip skipped"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
