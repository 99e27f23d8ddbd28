#!/bin/sh
# Installs what building and testing sloika needs on Debian 12.
# Idempotent: skips apt entirely when every package is already present.
set -eu
PKGS="build-essential autoconf automake pkg-config git
libyajl-dev libseccomp-dev libcap-dev libarchive-dev libssl-dev zlib1g-dev libdeflate-dev
busybox-static jq python3 iproute2 procps util-linux strace man-db groff-base bsdextrautils
xz-utils bzip2 bsdutils zstd
umoci skopeo oci-image-tool runc crun
clang libclang-rt-dev valgrind buildah"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
