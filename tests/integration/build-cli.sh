#!/bin/sh
# sloika-build build's command-line options, end to end: FROM scratch,
# --compression zstd|none, --label, --platform, and what `bundle` carries
# from the image config into config.json (STOPSIGNAL, env, user, cwd, args).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

# export_image REF DIR: DIR an OCI layout of REF; prints the manifest's path.
export_image() {
	rm -rf "$2" && "$SB" export --root "$S" "$1" "$2" >/dev/null || return 1
	local m
	m=$(jq -r '.manifests[0].digest' "$2/index.json") && echo "$2/blobs/sha256/${m#sha256:}"
}
# config_of MANIFEST DIR: the path of the image config.
config_of() { echo "$2/blobs/sha256/$(jq -r '.config.digest' "$1" | cut -d: -f2)"; }
# run_bundle REF NAME: bundles REF and runs it; output in $T/NAME.out.
run_bundle() {
	"$SB" bundle --root "$S" "$1" "$T/bundle-$2" >/dev/null &&
		"$SLOIKA" --root "$T/state" run --bundle "$T/bundle-$2" "$2-$$" >"$T/$2.out" 2>&1
}

# FROM scratch: nothing but what COPY brings.
mkctx scratch <<'DF'
FROM scratch
COPY busybox /bin/busybox
ENTRYPOINT ["/bin/busybox", "echo", "from scratch"]
DF
cp "$BUSYBOX" "$T/scratch/busybox"
ok "FROM scratch with a static busybox builds" sb build -q --root "$S" -t scratch "$T/scratch"
ok "  ... its image has exactly one layer" [ "$(layer_digests scratch | wc -l)" = 1 ]

run_bundle scratch scratch
ok "  ... printing what its ENTRYPOINT says" grep -qx 'from scratch' "$T/scratch.out"

# --compression zstd and none: media types, diff_ids, and the image runs.
mkctx comp <<'DF'
FROM busybox
RUN echo made > /made.txt
CMD ["cat", "/made.txt"]
DF
for c in zstd none; do
	ok "build --compression $c" sb build -q --root "$S" --compression $c -t comp-$c "$T/comp"
	m=$(export_image comp-$c "$T/x-$c")
	cfg=$(config_of "$m" "$T/x-$c")
	case $c in zstd) mt=application/vnd.oci.image.layer.v1.tar+zstd dec="zstd -dc" ;;
	none) mt=application/vnd.oci.image.layer.v1.tar dec=cat ;; esac
	ok "  ... the new layer's media type is $mt" jq_true "$m" ".layers[-1].mediaType == \"$mt\""
	n=$(jq '.layers | length' "$m")
	i=0 good=0
	while [ $i -lt "$n" ]; do
		d=$(jq -r ".layers[$i].digest" "$m" | cut -d: -f2)
		lt=$(jq -r ".layers[$i].mediaType" "$m")
		case $lt in *zstd) dc="zstd -dc" ;; *gzip) dc="gzip -dc" ;; *) dc=cat ;; esac
		sum=$($dc "$T/x-$c/blobs/sha256/$d" | tee "$T/x-$c.tar" | sha256sum | cut -d' ' -f1)
		tar -tf "$T/x-$c.tar" >/dev/null 2>&1 && [ "sha256:$sum" = "$(jq -r ".rootfs.diff_ids[$i]" "$cfg")" ] && good=$((good + 1))
		i=$((i + 1))
	done
	ok "  ... every blob decompresses to a tar whose sha256 is the config's diff_id ($good of $n)" [ "$good" = "$n" -a "$n" -ge 2 ]
	ok "  ... the layer holds made.txt" sh -c "$dec '$T/x-$c/blobs/sha256/$(jq -r '.layers[-1].digest' "$m" | cut -d: -f2)' | tar -tf - | grep -qx made.txt"
	run_bundle comp-$c comp-$c
	ok "  ... and the image runs" grep -qx made "$T/comp-$c.out"
done
ok "an unknown --compression is refused" sh -c "! '$SB' build -q --root '$S' --compression lz4 '$T/comp' 2>'$T/lz4.err' && grep -q lz4 '$T/lz4.err'"

# --label and --platform.
ok "build --label and --platform linux/amd64" \
	sb build -q --root "$S" --label org.example.k=v1 --label two=2 --platform linux/amd64 -t lab "$T/comp"
m=$(export_image lab "$T/x-lab")
cfg=$(config_of "$m" "$T/x-lab")
ok "  ... the labels are in the image config" jq_true "$cfg" '.config.Labels["org.example.k"] == "v1" and .config.Labels.two == "2"'
ok "  ... architecture amd64, os linux" jq_true "$cfg" '.architecture == "amd64" and .os == "linux"'
ok "an unsupported --platform linux/s390x fails with a clear error" \
	sh -c "! '$SB' build -q --root '$S' --platform linux/s390x '$T/comp' 2>'$T/s390x.err' && grep -q 'linux/s390x' '$T/s390x.err'"

# bundle carries STOPSIGNAL, env, user, cwd and args into config.json.
mkctx sig <<'DF'
FROM busybox
ENV GREETING=hello
WORKDIR /srv/app
USER 1000:50
STOPSIGNAL SIGUSR1
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo $GREETING; id -u; id -g; pwd"]
DF
ok "an image with STOPSIGNAL, ENV, USER, WORKDIR builds" sb build -q --root "$S" -t sig "$T/sig"
m=$(export_image sig "$T/x-sig")
ok "  ... its config has StopSignal SIGUSR1" jq_true "$(config_of "$m" "$T/x-sig")" '.config.StopSignal == "SIGUSR1"'
run_bundle sig sig
J=$T/bundle-sig/config.json
ok "  ... bundle's config.json carries it (annotation org.opencontainers.image.stopSignal)" \
	jq_true "$J" '.annotations["org.opencontainers.image.stopSignal"] == "SIGUSR1"'
ok "  ... and process env, user, cwd, args" jq_true "$J" \
	'(.process.env | index("GREETING=hello") != null) and .process.user.uid == 1000 and .process.user.gid == 50 and .process.cwd == "/srv/app" and .process.args == ["/bin/sh", "-c", "echo $GREETING; id -u; id -g; pwd"]'
ok "  ... the container runs with them" sh -c "[ \"\$(tr '\n' ' ' < '$T/sig.out')\" = 'hello 1000 50 /srv/app ' ]"
ok "bundle --rm removes every bundle" sh -c "for b in '$T'/bundle-*; do '$SB' bundle --rm \"\$b\" || exit 1; done"
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
