#!/usr/bin/env bash
# bench/runtime.sh [ROUNDS] [N]
#   Side-by-side runtime benchmark of sloika against crun and runc in one run,
#   so the ratios hold on a noisy machine:
#     - N sequential `run /bin/true` and create+start+delete, alternating
#       rounds (median per-container ms, ratio to crun);
#     - peak RSS of one `run`, and whether /bin/true starts under small
#       memory limits (256K .. 3M).
#   Uses the team's shared scripts (../shared/bench). crun 1.8 refuses hybrid
#   cgroup hosts, so those scripts hide the cgroup2 tree from every runtime in
#   a private mount namespace; sloika is measured in that same view.
#   SLOIKA (default: _build/sloika) selects the binary under test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_BENCH:-$top/../shared/bench}
[ -x "$shared/compare.sh" ] || { echo "bench: shared scripts not found at $shared (set SHARED_BENCH)" >&2; exit 1; }
SLOIKA=$(readlink -f "${SLOIKA:-$top/_build/sloika}")
[ -x "$SLOIKA" ] || { echo "bench: $SLOIKA not built (run tools/build.sh)" >&2; exit 1; }
CRUN=$(command -v crun) || { echo "bench: crun not installed (apt-get install crun)" >&2; exit 1; }
RUNC=$(command -v runc) || { echo "bench: runc not installed (apt-get install runc)" >&2; exit 1; }
ROUNDS=${1:-5}
N=${2:-100}

echo "## lifecycle: $ROUNDS rounds x $N containers (ratio_vs_crun < 1 means faster than crun)"
"$shared/compare.sh" "$ROUNDS" "$N" "$SLOIKA" "$RUNC" "$CRUN"

echo "## memory: peak RSS and the smallest memory limit that still starts"
for rt in "$SLOIKA" "$CRUN" "$RUNC"; do
	echo "# $rt"
	"$shared/mem-probe.sh" "$rt" 256K 512K 1M 2M 3M
done
