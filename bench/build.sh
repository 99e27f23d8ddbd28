#!/usr/bin/env bash
# bench/build.sh [ROUNDS]
#   Side-by-side image build benchmark: sloika-build against
#   `buildah bud --layers`, on the same Dockerfiles and contexts, so the
#   ratios hold on a noisy machine. Not part of `make check`.
#
#   Workloads (made here, in a temporary dir):
#     small  a multi-stage Dockerfile with a few RUN and COPY steps;
#     big    a 200 MiB context (4 files of random, incompressible data) COPY'd;
#     many   a 20,000-file context (small files in nested dirs) COPY'd.
#   For each workload, tool and round: a cold build into fresh storage (the
#   busybox base image is imported first, outside the timing), then a fully
#   cached rebuild of the same thing; all storage is deleted at the end. The tool
#   order flips every round. Prints the median seconds per tool and mode and
#   the ratio sloika-build/buildah (targets: cold <= 0.5, cached <= 0.1).
#
#   Settings, kept comparable: both build with layer caching and RUN's network
#   off. sloika-build uses its defaults (gzip layers, store under --root).
#   buildah: overlay driver under a temporary --root/--runroot, --isolation
#   oci with runc (crun 1.8 refuses this hybrid cgroup host), --pull=never;
#   its local storage keeps layers unpacked, and it compresses nothing unless
#   it pushes, so buildah does no gzip work here while sloika-build does.
#
#   sloika-build's import unpacks the base layer into its store, as
#   buildah's commit leaves it in its storage; neither is timed.
#
#   Env: SLOIKA_BUILD (default _build/sloika-build), BUSYBOX (default: the
#   busybox on PATH, which must be static), BUILDAH (default: on PATH),
#   BUILDAH_RUNTIME (default runc), TMPDIR (where stores and contexts go),
#   WORKLOADS (default "small big many": which ones to run), SETTLE
#   (default 0: seconds to wait after sync before every cold build),
#   FRESH_FS (default 0; 1: every build's storage on its own new
#   loop-mounted ext4).
#
#   Why: without a journal (this VM's root fs), ext4 will not reuse an
#   inode freed in the last 60 s (360 s while its table block is dirty),
#   and scans past every such inode for each file it creates. buildah's
#   COPY of 20,000 files ends by deleting its working container, so the
#   next build of either tool, or anyone else's on the machine, crawls
#   (sloika-build's 20,000-file COPY: 5.5 s after a quiet minute, 27-48 s
#   right after a buildah build). SETTLE=370 lets the freed inodes age
#   out: 60 s after sync is not enough, as the build's own allocations
#   dirty the table blocks again (measured: SETTLE=65 still gave 5.8-14.9 s).
#   FRESH_FS=1 isolates the tools instead, but the loop device makes every
#   write slower (sloika-build's 200 MiB COPY phase 0.9 s -> 2.4 s, even
#   with direct I/O), so it is not the default.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-3}
WORKLOADS=${WORKLOADS:-small big many}
FRESH_FS=${FRESH_FS:-0}
SETTLE=${SETTLE:-0}
[[ $SETTLE =~ ^[0-9]+$ ]] || { echo "bench/build.sh: SETTLE must be a number of seconds" >&2; exit 1; }
die() { echo "bench/build.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (RUN steps need containers and overlay mounts)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$ROUNDS'"
for w in $WORKLOADS; do
	case $w in small | big | many) ;; *) die "WORKLOADS: unknown workload '$w' (small, big, many)" ;; esac
done
SB=$(readlink -f "${SLOIKA_BUILD:-$top/_build/sloika-build}") || true
[ -x "$SB" ] || die "sloika-build not found at ${SLOIKA_BUILD:-$top/_build/sloika-build} (run tools/build.sh or set SLOIKA_BUILD)"
BUILDAH=${BUILDAH:-$(command -v buildah || true)}
[ -x "$BUILDAH" ] || die "buildah not installed (apt-get install buildah)"
RT=${BUILDAH_RUNTIME:-runc}
command -v "$RT" >/dev/null || die "buildah's runtime $RT not installed (apt-get install $RT)"
BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
[ -x "$BUSYBOX" ] || die "no busybox (apt-get install busybox-static)"
"$BUSYBOX" --list >/dev/null || die "$BUSYBOX does not run"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	die "the kernel has no overlay filesystem"
if [ "$FRESH_FS" = 1 ]; then
	command -v mkfs.ext4 >/dev/null || die "FRESH_FS=1 needs mkfs.ext4 (apt-get install e2fsprogs), or set FRESH_FS=0"
	losetup -f >/dev/null 2>&1 || die "FRESH_FS=1 needs a free loop device; set FRESH_FS=0"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sloika-bench-build.XXXXXX")
work=$(readlink -f "$work")
# buildah storage can stay mounted (its overlay home, image mounts) when a
# build fails or is interrupted; unmount whatever is left under $work.
unmount_under() {
	local m
	findmnt -rn -o TARGET | awk -v p="$1/" 'index($0 "/", p) == 1' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
buildah_wipe() {
	local root=$1
	[ -d "$root" ] || return 0
	"$BUILDAH" --root "$root" --runroot "$root.run" --storage-driver overlay rm --all >/dev/null 2>&1 || true
	"$BUILDAH" --root "$root" --runroot "$root.run" --storage-driver overlay rmi --all --force >/dev/null 2>&1 || true
	unmount_under "$root"
	unmount_under "$root.run"
	rm -rf "$root" "$root.run"
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for r in "$work"/buildah-*/storage; do
		buildah_wipe "$r"
	done
	unmount_under "$work"
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "## setup in $work"
# The base rootfs, as tools/demo.sh makes it.
base=$work/rootfs
mkdir -p "$base/bin" "$base/etc" "$base/tmp" "$base/root"
chmod 1777 "$base/tmp"
cp "$BUSYBOX" "$base/bin/busybox"
for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -s busybox "$base/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$base/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$base/etc/group"

ctx=$work/ctx
mkdir -p "$ctx/small" "$ctx/big/data" "$ctx/many/tree"

cat >"$ctx/small/Dockerfile" <<'EOF'
FROM busybox:latest AS build
ARG GREETING=hello
WORKDIR /src
COPY app.sh words.txt ./
RUN sh app.sh "$GREETING" > out.txt && sha256sum words.txt >> out.txt
RUN mkdir -p /opt/gen && for i in $(seq 1 200); do echo "$i" > /opt/gen/f$i; done

FROM busybox:latest
LABEL bench=small
COPY --from=build /src/out.txt /srv/
COPY --from=build /opt/gen /srv/gen/
RUN echo "app:x:1000:1000:app:/srv:/bin/sh" >> /etc/passwd && touch /srv/ready
USER app
WORKDIR /srv
CMD ["cat", "/srv/out.txt"]
EOF
printf '#!/bin/sh\necho "$1 from the bench"\nuname -s\n' >"$ctx/small/app.sh"
seq 1 5000 >"$ctx/small/words.txt"

printf 'FROM busybox:latest\nCOPY data /data\n' >"$ctx/big/Dockerfile"
for i in 1 2 3 4; do head -c $((50 << 20)) /dev/urandom >"$ctx/big/data/blob$i"; done

printf 'FROM busybox:latest\nCOPY tree /tree\n' >"$ctx/many/Dockerfile"
# 20 x 20 dirs of 50 files each: 20,000 small files.
for a in $(seq -w 1 20); do
	for b in $(seq -w 1 20); do
		d=$ctx/many/tree/d$a/e$b
		mkdir -p "$d"
		for f in $(seq -w 1 50); do echo "file $a/$b/$f" >"$d/f$f.txt"; done
	done
done
echo "contexts: small $(du -sh "$ctx/small" | cut -f1), big $(du -sh "$ctx/big" | cut -f1)," \
	"many $(find "$ctx/many/tree" -type f | wc -l) files"
echo "sloika-build: $("$SB" --version 2>&1 | head -1) ($SB)"
echo "buildah: $("$BUILDAH" --version) (runtime $RT)"

log=$work/times.log
: >"$log"

# timed NAME CMD...: run CMD, print its wall time in seconds; on failure
# show the end of its output and stop.
timed() {
	local out=$work/$1.out t0 t1
	shift
	t0=$(date +%s%N)
	if ! "$@" >"$out" 2>&1; then
		echo "bench/build.sh: failed: $*" >&2
		tail -20 "$out" >&2
		return 1
	fi
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}

record() { # round workload tool mode secs
	echo "round=$1 workload=$2 tool=$3 mode=$4 secs=$5" | tee -a "$log"
}

# Every build gets its own fresh storage, and none is deleted before the end:
# ext4 skips inodes freed in the last ~30 s when it allocates new ones
# (recently_deleted in the inode allocator), so deleting a 20,000-file store
# made the next build of either tool spend 3-5x longer in the kernel.
# storage_dir NAME: a new empty dir for one build's storage, the root of
# its own fresh ext4 when FRESH_FS=1 (unmounted and freed by cleanup).
storage_dir() {
	local d=$work/$1
	mkdir -p "$d"
	if [ "$FRESH_FS" = 1 ]; then
		truncate -s 8G "$d.img"
		mkfs.ext4 -q -F "$d.img" || die "mkfs.ext4 $d.img failed"
		mount -o loop "$d.img" "$d" || die "cannot loop-mount $d.img"
	fi
	echo "$d"
}

settle() {
	sync
	sleep "$SETTLE"
}

bench_sloika() { # round workload
	local store t
	store=$(storage_dir "sloika-$2-$1")/store
	"$SB" import --root "$store" -t busybox:latest "$base" >/dev/null
	settle
	t=$(timed sb-cold "$SB" build --root "$store" -t "bench-$2:latest" "$ctx/$2")
	record "$1" "$2" sloika-build cold "$t"
	t=$(timed sb-cached "$SB" build --root "$store" -t "bench-$2:latest" "$ctx/$2")
	grep -q CACHED "$work/sb-cached.out" || echo "# warning: sloika-build's rebuild of $2 shows no CACHED step" >&2
	record "$1" "$2" sloika-build cached "$t"
}

bench_buildah() { # round workload
	local root t c
	root=$(storage_dir "buildah-$2-$1")/storage
	local B=("$BUILDAH" --root "$root" --runroot "$root.run" --storage-driver overlay)
	c=$("${B[@]}" from scratch)
	"${B[@]}" copy "$c" "$base" / >/dev/null
	"${B[@]}" commit -q "$c" busybox:latest >/dev/null
	"${B[@]}" rm "$c" >/dev/null
	settle
	local bud=("${B[@]}" bud --layers --pull=never --isolation oci --runtime "$RT" --network none -t "bench-$2:latest")
	t=$(timed bh-cold "${bud[@]}" "$ctx/$2")
	record "$1" "$2" buildah cold "$t"
	t=$(timed bh-cached "${bud[@]}" "$ctx/$2")
	grep -q 'Using cache' "$work/bh-cached.out" || echo "# warning: buildah's rebuild of $2 used no cache" >&2
	record "$1" "$2" buildah cached "$t"
}

echo "## $ROUNDS rounds (the tool order flips every round)"
for ((r = 1; r <= ROUNDS; r++)); do
	for w in $WORKLOADS; do
		if ((r % 2)); then
			bench_sloika "$r" "$w"
			bench_buildah "$r" "$w"
		else
			bench_buildah "$r" "$w"
			bench_sloika "$r" "$w"
		fi
	done
done

echo "## medians over $ROUNDS rounds (seconds; ratio = sloika-build / buildah)"
awk -v workloads="$WORKLOADS" '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	  k = f["workload"] " " f["mode"] " " f["tool"]; n[k]++; v[k, n[k]] = f["secs"] + 0 }
	function median(k,   i, j, t, a) {
		for (i = 1; i <= n[k]; i++) a[i] = v[k, i]
		for (i = 2; i <= n[k]; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n[k] % 2 ? a[(n[k] + 1) / 2] : (a[n[k] / 2] + a[n[k] / 2 + 1]) / 2
	}
	END {
		printf "%-8s %-7s %13s %10s %7s %7s %s\n", "workload", "mode", "sloika-build", "buildah", "ratio", "target", "met"
		nw = split(workloads, ws, " "); split("cold cached", ms, " ")
		for (i = 1; i <= nw; i++) for (j = 1; j <= 2; j++) {
			s = median(ws[i] " " ms[j] " sloika-build"); b = median(ws[i] " " ms[j] " buildah")
			tgt = ms[j] == "cold" ? 0.5 : 0.1; ratio = b > 0 ? s / b : 0
			printf "%-8s %-7s %13.3f %10.3f %7.3f %7.1f %s\n", ws[i], ms[j], s, b, ratio, tgt, ratio <= tgt ? "yes" : "no"
		}
	}
' "$log"
