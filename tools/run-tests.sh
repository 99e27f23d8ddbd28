#!/bin/sh
# The test command: installs dependencies, builds, runs every test twice
# (a normal build, then one under ASan+UBSan), runs the fuzz smoke, and
# prints one "N passed, N failed, N skipped" summary line.
# SANITIZE=0 skips the sanitizer pass, FUZZ=0 the fuzz smoke (for quick
# local runs; CI runs everything).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/install-deps.sh"
status=0
pass=0 fail=0 skip=0

# Runs make check in build dir $1 and adds its results to the totals.
check() {
	dir=$1
	rc=0
	(cd "$dir" && make -j"$(nproc)" check >check.out 2>&1) || rc=$?
	# A build failure inside make check leaves no test logs: show make's tail.
	[ "$rc" -eq 0 ] || { grep -v '^\(PASS\|SKIP\|XFAIL\): ' "$dir/check.out" | tail -n 30; status=1; }
	check_results "$dir"
}

# Adds the TAP results under build dir $1 to the totals, showing failures.
check_results() {
	dir=$1
	trs=$(find "$dir" -name '*.trs')
	# Show each failing test's log so a red run explains itself.
	for t in $trs; do
		if grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$t"; then
			echo "==== ${t%.trs}.log"
			tail -n 60 "${t%.trs}.log"
		fi
	done
	if [ -n "$trs" ]; then
		p=$(cat $trs | grep -c '^:test-result: PASS' || true)
		f=$(cat $trs | grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' || true)
		s=$(cat $trs | grep -c '^:test-result: SKIP' || true)
		echo "$dir: $p passed, $f failed, $s skipped"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	fi
}

BUILD_DIR=${BUILD_DIR:-$top/_build} "$top/tools/build.sh"
check "${BUILD_DIR:-$top/_build}"

if [ "${SANITIZE:-1}" != 0 ]; then
	asan=$top/_build-asan
	BUILD_DIR=$asan CONFIGURE_FLAGS=--enable-sanitizers "$top/tools/build.sh"
	check "$asan"
fi

# valgrind needs a dynamically linked sloika without sanitizers: a third,
# small build runs only the memcheck test.
if [ "${VALGRIND:-1}" != 0 ]; then
	vg=$top/_build-valgrind
	BUILD_DIR=$vg CONFIGURE_FLAGS=--disable-static-runtime "$top/tools/build.sh"
	(cd "$vg" && make -j"$(nproc)" check TESTS=tests/integration/leak-valgrind.sh >check.out 2>&1) ||
		{ tail -n 30 "$vg/check.out"; status=1; }
	check_results "$vg"
fi

if [ "${FUZZ:-1}" != 0 ] && [ -x "$top/tests/fuzz/smoke.sh" ]; then
	if "$top/tests/fuzz/smoke.sh"; then
		echo "fuzz-smoke: ok"
	else
		echo "fuzz-smoke: FAILED"
		status=1
	fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
