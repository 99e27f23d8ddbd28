#!/bin/sh
# The fuzz smoke for CI: a clang build with --enable-fuzzing in its own
# build dir, then every libFuzzer target for FUZZ_SECONDS (default 30)
# from its seeds, two at a time. Exits non-zero on any finding.
# Needs clang and libclang-rt-14-dev (or the matching clang version).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$top/_build-fuzz}
jobs=${FUZZ_JOBS:-2}
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh)
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || ! grep -q 'enable-fuzzing' config.status 2>/dev/null; then
	CC=${FUZZ_CC:-clang} "$top/configure" --enable-fuzzing >configure.log 2>&1 || {
		tail -n 30 configure.log >&2
		exit 1
	}
fi
make -j"$jobs" fuzz-targets >build.log 2>&1 || {
	tail -n 40 build.log >&2
	exit 1
}
rm -rf fuzz-work
make -j"$jobs" fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
