#!/bin/sh
# Runs one libFuzzer target from its seeds for a fixed time and fails on
# any finding: a crash, leak, timeout, out-of-memory or sanitizer report.
#   run.sh --seconds N --srcdir DIR --work DIR NAME BINARY [extra libFuzzer flags]
# New inputs go to WORK/NAME/corpus (the seeds stay untouched), findings
# to WORK/NAME/, the log to WORK/NAME/log.
set -eu
seconds=30 srcdir=$(dirname "$0") work=fuzz-work
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--srcdir) srcdir=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	*) break ;;
	esac
done
name=$1 bin=$2
shift 2
out=$work/$name
mkdir -p "$out/corpus"
dict=
[ -f "$srcdir/$name.dict" ] && dict=-dict=$srcdir/$name.dict
# Leaks are findings too; UBSan is built non-recovering, so it aborts.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
rc=0
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
	-max_len=65536 -print_final_stats=1 $dict -artifact_prefix="$out/" \
	"$@" "$out/corpus" "$srcdir/corpus/$name" >"$out/log" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -n 1)
if [ "$rc" -ne 0 ] || grep -q 'ERROR: \(Address\|Leak\|libFuzzer\|UndefinedBehavior\)Sanitizer\|runtime error:\|^==[0-9]*== ERROR' "$out/log"; then
	echo "fuzz $name: FINDING (exit $rc) after ${execs:-?} runs; log: $out/log" >&2
	grep -A 30 'ERROR\|runtime error:\|fuzz assertion' "$out/log" | head -n 60 >&2
	ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2>/dev/null >&2 || true
	exit 1
fi
echo "fuzz $name: ok, ${execs:-?} runs in ${seconds}s"
