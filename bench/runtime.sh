#!/usr/bin/env bash
# bench/runtime.sh [ROUNDS] [N]
#   Side-by-side runtime benchmark of sloika against crun and runc in one run,
#   so the ratios hold on a noisy machine:
#     - N sequential `run /bin/true` and create+start+delete, in alternating
#       rounds (the order flips every round); median per-container ms over
#       the rounds, and the ratio to crun;
#     - peak RSS of one `run`, and whether /bin/true starts under small
#       memory limits (256K .. 3M).
#   Uses the team's shared scripts (../shared/bench) for each measurement.
#
#   Every runtime runs the same bundle, made from `sloika spec` (ociVersion
#   lowered to 1.0.2, which crun 1.8 still accepts). crun 1.8 refuses hybrid
#   cgroup hosts, so it runs with the cgroup2 tree hidden in a private mount
#   namespace (the shared scripts' HIDE_UNIFIED=auto); sloika runs in each
#   view of SLOIKA_VIEWS (default "0 1": the host as it is, which sloika
#   supports, and the hidden view crun gets), runc in RUNC_VIEW (default 0).
#
#   SLOIKA (default: _build/sloika) selects the binary under test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_BENCH:-$top/../shared/bench}
[ -x "$shared/lifecycle-bench.sh" ] || { echo "bench: shared scripts not found at $shared (set SHARED_BENCH)" >&2; exit 1; }
SLOIKA=$(readlink -f "${SLOIKA:-$top/_build/sloika}")
[ -x "$SLOIKA" ] || { echo "bench: $SLOIKA not built (run tools/build.sh)" >&2; exit 1; }
CRUN=$(command -v crun) || { echo "bench: crun not installed (apt-get install crun)" >&2; exit 1; }
RUNC=$(command -v runc) || { echo "bench: runc not installed (apt-get install runc)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench: jq not installed (apt-get install jq)" >&2; exit 1; }
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
ROUNDS=${1:-5}
N=${2:-100}

work=$(mktemp -d /tmp/sloika-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# bundle DIR ARGS_JSON: a busybox bundle every runtime here accepts.
bundle() {
	mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/sys" "$1/rootfs/tmp"
	cp "$BUSYBOX" "$1/rootfs/bin/busybox"
	for a in sh true echo; do ln -sf busybox "$1/rootfs/bin/$a"; done
	(cd "$1" && "$SLOIKA" spec)
	jq --argjson args "$2" '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = $args' \
		"$1/config.json" >"$1/config.json.new"
	mv "$1/config.json.new" "$1/config.json"
}
bundle "$work/true" '["/bin/true"]'
# lifecycle-bench.sh checks output and exit status through this fixed path
# first; it only makes one (with crun's spec) when it is missing.
if [ ! -f /tmp/rtbench/bundle-verify/config.json ]; then
	bundle /tmp/rtbench/bundle-verify '["/bin/sh","-c","echo lifecycle-bench-ok; exit 3"]'
fi

# Entries are RUNTIME@VIEW (HIDE_UNIFIED values: auto, 0, 1). crun only
# runs with the cgroup2 tree hidden; sloika runs in the views of
# SLOIKA_VIEWS (default both: the host as it is, and crun's hidden view, so
# the same-view ratio comes from the same rounds); runc in RUNC_VIEW.
entries=("$CRUN@auto" "$RUNC@${RUNC_VIEW:-0}")
for v in ${SLOIKA_VIEWS:-${SLOIKA_VIEW:-0 1}}; do entries=("$SLOIKA@$v" "${entries[@]}"); done
label() { # RUNTIME@VIEW -> the name in the table
	local rt=${1%@*} v=${1##*@}
	case $v in 0) echo "$rt[host]" ;; 1) echo "$rt[hidden]" ;; *) echo "$rt" ;; esac
}

echo "## lifecycle: $ROUNDS rounds x $N containers (ratio < 1 means faster than crun, which runs hidden)"
log=$work/rounds.log
for ((r = 1; r <= ROUNDS; r++)); do
	order=("${entries[@]}")
	if ((r % 2 == 0)); then
		order=()
		for ((i = ${#entries[@]} - 1; i >= 0; i--)); do order+=("${entries[i]}"); done
	fi
	for e in "${order[@]}"; do
		rt=${e%@*}
		HIDE_UNIFIED=${e##*@} BUNDLE=$work/true "$shared/lifecycle-bench.sh" "$rt" "$N" |
			sed "s|runtime=$rt |runtime=$(label "$e") |; s/^/round=$r /" | tee -a "$log"
	done
done
# Median per_ms per runtime and mode, and its ratio to crun's.
awk -v crun="$CRUN" '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	  k = f["runtime"] " " f["mode"]; n[k]++; v[k, n[k]] = f["per_ms"] + 0; modes[f["mode"]]; rts[f["runtime"]] }
	function median(k,   i, j, t, a) {
		for (i = 1; i <= n[k]; i++) a[i] = v[k, i]
		for (i = 2; i <= n[k]; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n[k] % 2 ? a[(n[k] + 1) / 2] : (a[n[k] / 2] + a[n[k] / 2 + 1]) / 2
	}
	END { for (m in modes) for (rt in rts) { k = rt " " m; if (!(k in n)) continue
		c = median(crun " " m)
		printf "%-4s %-36s median=%.2f ms ratio_vs_crun=%.3f rounds=%d\n", m, rt, median(k), c ? median(k) / c : 0, n[k] } }
' "$log" | sort

echo "## memory: peak RSS and the smallest memory limit that still starts"
for e in "${entries[@]}"; do
	rt=${e%@*}
	echo "# $(label "$e")"
	# mem-probe makes its bundle with crun's spec; a runtime that refuses
	# that config is reported, and the others are still measured.
	HIDE_UNIFIED=${e##*@} "$shared/mem-probe.sh" "$rt" 256K 320K 512K 1M 2M 3M 2>&1 |
		grep -E '^runtime=|error|failed' || echo "# mem-probe failed for $rt"
done
