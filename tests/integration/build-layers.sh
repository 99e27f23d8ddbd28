#!/bin/sh
# sloika-build build: what RUN and COPY put into layers (files, .wh.
# whiteouts, opaque dirs), content-addressed blobs, reproducible digests,
# and the output layout checked by umoci / skopeo / oci-image-tool.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

mkctx layers <<'DF'
FROM busybox
RUN echo made-by-run > /made && rm /etc/motd
RUN rm -rf /root && mkdir /root && echo fresh > /root/only
COPY data.txt /data/
DF
echo "context data" > "$T/layers/data.txt"

ok "a build with RUN and COPY succeeds" sh -c "'$SB' build -q --root '$S' -t layers '$T/layers' > '$T/d1'"
D1=$(cat "$T/d1")
ok "-q prints only the image digest" grep -Eqx 'sha256:[0-9a-f]{64}' "$T/d1"
layer_digests layers > "$T/layers.txt"
ok "the image has the base layer plus three" [ "$(wc -l < "$T/layers.txt")" = 4 ]
L1=$(sed -n 2p "$T/layers.txt"); L2=$(sed -n 3p "$T/layers.txt"); L3=$(sed -n 4p "$T/layers.txt")
tar -tzvf "$(blob_path "$L1")" > "$T/l1.txt" 2>/dev/null
tar -tzf "$(blob_path "$L2")" > "$T/l2.txt" 2>/dev/null
tar -tzf "$(blob_path "$L3")" > "$T/l3.txt" 2>/dev/null
ok "the RUN layer holds the file it made" grep -q ' made$' "$T/l1.txt"
ok "a deleted base file becomes a .wh. entry" grep -q ' etc/.wh.motd$' "$T/l1.txt"
ok "a replaced dir becomes opaque (.wh..wh..opq)" grep -qx 'root/.wh..wh..opq' "$T/l2.txt"
ok "the COPY layer holds the context file" grep -qx 'data/data.txt' "$T/l3.txt"
ok "file times in layers are clamped to the epoch (1970)" sh -c "! grep -v ' 1970-01-01 ' '$T/l1.txt' | grep -q ."
bad=0
for d in $(cat "$T/layers.txt"); do
	[ "sha256:$(sha256sum "$(blob_path "$d")" | cut -d' ' -f1)" = "$d" ] || bad=1
done
ok "every layer blob's sha256 equals its name" [ $bad = 0 ]
ok "the RUN output is in the image (made-by-run)" sh -c "tar -xzOf '$(blob_path "$L1")' made | grep -qx made-by-run"

ok "a --no-cache rebuild gives the byte-identical image" \
	sh -c "[ \"\$('$SB' build -q --no-cache --root '$S' '$T/layers')\" = '$D1' ]"
ok "a build into a fresh store gives the same digest" \
	sh -c "'$SB' import --root '$T/store2' -t busybox '$T/rootfs' >/dev/null && [ \"\$('$SB' build -q --root '$T/store2' '$T/layers')\" = '$D1' ]"
ok "--timestamp changes the image (times are part of it)" \
	sh -c "[ \"\$('$SB' build -q --root '$S' --timestamp 1700000000 '$T/layers')\" != '$D1' ]"
ok "the created time follows SOURCE_DATE_EPOCH" \
	sh -c "SOURCE_DATE_EPOCH=86400 '$SB' build -q --root '$S' -t sde '$T/layers' >/dev/null && '$SB' inspect --root '$S' sde | grep -q '1970-01-02T00:00:00Z'"

ok "--output type=oci writes a layout" sh -c "'$SB' build -q --root '$S' -t layers:v1 --output 'type=oci,dest=$T/layout' '$T/layers' >/dev/null"
ok "the layout's index names the image" sh -c "jq -r '.manifests[0].digest' '$T/layout/index.json' | grep -qx '$D1'"
ok "--output type=oci-archive writes a tar" sh -c "'$SB' build -q --root '$S' --output 'type=oci-archive,dest=$T/img.tar' '$T/layers' >/dev/null && tar -tf '$T/img.tar' | grep -qx index.json"
if command -v umoci >/dev/null; then
	ok "umoci unpacks the layout and sees RUN's file and COPY's file" \
		sh -c "umoci unpack --image '$T/layout:v1' '$T/umoci' >/dev/null 2>&1 && grep -qx made-by-run '$T/umoci/rootfs/made' && [ -f '$T/umoci/rootfs/data/data.txt' ] && [ ! -e '$T/umoci/rootfs/etc/motd' ] && [ \"\$(ls '$T/umoci/rootfs/root')\" = only ]"
else
	skip "umoci unpacks the layout" "umoci not installed (apt-get install umoci)"
fi
CHECK=$top_srcdir/../shared/builder/check-layout.sh
if [ -f "$CHECK" ] && command -v oci-image-tool >/dev/null && command -v skopeo >/dev/null && command -v umoci >/dev/null; then
	ok "check-layout.sh passes on the output layout" sh -c "bash '$CHECK' '$T/layout' > '$T/check.txt' 2>&1"
	grep -E '^(FAIL|RESULT)' "$T/check.txt" | sed 's/^/# /'
else
	skip "check-layout.sh passes on the output layout" "needs ../shared/builder/check-layout.sh, oci-image-tool, skopeo, umoci"
fi
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
