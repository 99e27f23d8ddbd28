#!/bin/sh
# sloika-build against buildah: the same Dockerfiles, built by both from
# the same busybox base, must give the same file tree. Both images are
# exported as OCI layouts, unpacked with umoci, and listed: path, type,
# mode (with setuid/sticky bits), uid:gid, size, link count and sha256 of
# regular files, symlink targets. Times are not compared.
#
# Left out of the comparison, because buildah adds them on purpose: the
# mount points it creates for RUN and leaves in its layers (docker build's
# BuildKit removes its mount stubs): the empty dirs /dev, /proc, /sys,
# /run, and /etc/hostname, /etc/hosts, /etc/resolv.conf,
# /run/.containerenv.
# Known differences, compared apart (see the checks at the end):
#   - a RUN that chowns one name of a hardlinked file: overlay (no
#     index=on, as Docker's overlay2 too) copies up that name alone, so the
#     link breaks in sloika-build's layer; buildah's vfs keeps it.
# The base image reaches buildah through skopeo (an OCI layout exported by
# sloika-build into buildah's vfs storage), so both builds start from the
# same bytes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
BUILDAH=${BUILDAH:-$(command -v buildah || true)}
[ -n "$BUILDAH" ] || skip_all "buildah not installed (apt-get install buildah)"
command -v umoci >/dev/null || skip_all "umoci not installed (apt-get install umoci)"
command -v skopeo >/dev/null || skip_all "skopeo not installed (apt-get install skopeo)"
build_init

BH_ROOT=$T/bh
bh() { "$BUILDAH" --root "$BH_ROOT" --runroot "$BH_ROOT.run" --storage-driver vfs "$@"; }
bh_cleanup() {
	bh rm --all >/dev/null 2>&1
	bh rmi --all --force >/dev/null 2>&1
	grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	build_cleanup
}
trap bh_cleanup EXIT

IGNORE='^\./(dev|proc|sys|run) dir |^\./(etc/hosts|etc/hostname|etc/resolv\.conf|run/\.containerenv) '
KNOWN_full='^\./srv/app/(here|there)\.txt file '
KNOWN_opaque=
KNOWN=

# listing ROOTFS OUT: one sorted line per entry.
listing() {
	[ -d "$1" ] || return 1
	(cd "$1" && find . -mindepth 1 \
		\( -type f -printf '%p file %#m %U:%G size=%s links=%n\n' \) -o \
		\( -type l -printf '%p link %U:%G -> %l\n' \) -o \
		\( -type d -printf '%p dir %#m %U:%G\n' \) -o \
		-printf '%p %y %#m %U:%G\n') | grep -Ev "$IGNORE${KNOWN:+|$KNOWN}" | LC_ALL=C sort >"$2.meta"
	(cd "$1" && find . -type f -print0 | xargs -0 -r sha256sum) | awk '{ print $2, $1 }' |
		grep -Ev "$IGNORE" | LC_ALL=C sort >"$2.sha"
}

# same_tree A B: the listings match (0), differ (1; the differences go to
# the TAP log) or cannot be made (2).
same_tree() {
	listing "$1" "$T/la" && listing "$2" "$T/lb" || return 2
	if cmp -s "$T/la.meta" "$T/lb.meta" && cmp -s "$T/la.sha" "$T/lb.sha"; then
		return 0
	fi
	diff -U0 "$T/la.meta" "$T/lb.meta" | sed '/^@@/d; s/^/# /' | head -60
	diff -U0 "$T/la.sha" "$T/lb.sha" | sed '/^@@/d; s/^/# /' | head -30
	return 1
}
# todo NAME CMD...: a check of a known bug; TAP counts it, the suite does not fail on it.
todo() {
	name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then echo "ok $tap_n - $name # TODO passes now: drop the known difference"
	else echo "not ok $tap_n - $name # TODO known difference"; fi
}

differs() {
	same_tree "$@" >/dev/null
	[ $? = 1 ]
}

# The base image: sloika-build's busybox, copied into buildah's storage.
ok "the busybox base is exported as an OCI layout" \
	sh -c "'$SB' export --root '$S' busybox:latest '$T/base' >/dev/null"
ok "skopeo copies it into buildah's storage" \
	sh -c "skopeo copy -q oci:'$T/base' 'containers-storage:[vfs@$BH_ROOT+$BH_ROOT.run]localhost/busybox:latest' >'$T/skopeo.log' 2>&1 ||
		skopeo copy -q oci:'$T/base':busybox:latest 'containers-storage:[vfs@$BH_ROOT+$BH_ROOT.run]localhost/busybox:latest' >>'$T/skopeo.log' 2>&1"

mkctx full <<'DF'
FROM busybox AS gen
RUN mkdir -p /out/sub && echo generated > /out/sub/g.txt && ln -s sub/g.txt /out/link && \
    echo twin > /out/a && ln /out/a /out/b && chmod 4755 /out/a && mkdir -m 1777 /out/sticky
FROM busybox
ARG GREETING=hi
COPY --chown=1000:50 plain.txt /data/owned.txt
COPY --chmod=0640 plain.txt /data/private.txt
COPY --chown=user:staff dir/ /data/dir/
COPY rel-link /data/rel-link
ADD bundle.tar /unpacked/
COPY --from=gen /out/ /from-gen/
RUN rm /etc/motd && rm -rf /root && mkdir /root && echo fresh > /root/only && \
    echo "$GREETING modified" >> /etc/group && mkdir -p /empty/dir && ln -s /etc/passwd /abs-link && \
    touch /to-delete && rm /to-delete && chmod 0700 /data/dir
WORKDIR /srv/app
RUN echo in-workdir > here.txt && ln here.txt there.txt
USER user
RUN mkdir -p /tmp/user-made && echo mine > /tmp/user-made/f
USER root
RUN chown 1000:1000 /srv/app/here.txt
DF
echo "plain content" >"$T/full/plain.txt"
mkdir -p "$T/full/dir/nested"
echo one >"$T/full/dir/one"
echo two >"$T/full/dir/nested/two"
chmod 0750 "$T/full/dir/nested"
ln -s ../plain.txt "$T/full/dir/up-link"
ln -s plain.txt "$T/full/rel-link"
mkdir -p "$T/tarsrc/t/d"
echo "in tar" >"$T/tarsrc/t/d/f"
ln -s d/f "$T/tarsrc/t/l"
chmod 0600 "$T/tarsrc/t/d/f"
tar -C "$T/tarsrc" --numeric-owner --owner=7 --group=8 -cf "$T/full/bundle.tar" t

mkctx opaque <<'DF'
FROM busybox
RUN mkdir -p /keep/sub && echo a > /keep/sub/a && echo b > /keep/b
RUN rm -rf /keep && mkdir /keep && echo new > /keep/new && rm -rf /bin/vi
COPY --chown=1000:1000 plain.txt /home/user/
USER 1000:1000
WORKDIR /home/user/work
DF
echo "second" >"$T/opaque/plain.txt"

for ctx in full opaque; do
	ok "sloika-build builds '$ctx' into an OCI layout" \
		sh -c "'$SB' build -q --root '$S' -t cmp-$ctx:latest --output 'type=oci,dest=$T/sl-$ctx' '$T/$ctx' >'$T/sl-$ctx.log' 2>&1"
	ok "buildah bud builds '$ctx'" \
		sh -c "'$BUILDAH' --root '$BH_ROOT' --runroot '$BH_ROOT.run' --storage-driver vfs bud -q --pull=never \
			--isolation chroot -t cmp-$ctx '$T/$ctx' >'$T/bh-$ctx.log' 2>&1 &&
			'$BUILDAH' --root '$BH_ROOT' --runroot '$BH_ROOT.run' --storage-driver vfs push -q cmp-$ctx oci:'$T/bh-$ctx':latest >>'$T/bh-$ctx.log' 2>&1"
	[ -s "$T/bh-$ctx.log" ] && grep -iE 'error|fail' "$T/bh-$ctx.log" | head -5 | sed 's/^/# buildah: /'
	ok "umoci unpacks both '$ctx' images" \
		sh -c "umoci unpack --image '$T/sl-$ctx:latest' '$T/u-sl-$ctx' >/dev/null 2>&1 &&
			umoci unpack --image '$T/bh-$ctx:latest' '$T/u-bh-$ctx' >/dev/null 2>&1"
	eval "KNOWN=\$KNOWN_$ctx"
	ok "'$ctx': sloika-build and buildah give the same file tree" same_tree "$T/u-sl-$ctx/rootfs" "$T/u-bh-$ctx/rootfs"
	KNOWN=
done

owner() { stat -c %u:%g "$1" 2>/dev/null; }
ok "buildah: COPY --chown=1000:50 makes the missing parent /data 1000:50, as BuildKit does" \
	[ "$(owner "$T/u-bh-full/rootfs/data")" = 1000:50 ]
ok "sloika-build: COPY --chown=1000:50 makes the missing parent /data 1000:50" \
	[ "$(owner "$T/u-sl-full/rootfs/data")" = 1000:50 ]
ok "sloika-build: COPY --chown=1000:1000 to /home/user/ makes /home and /home/user 1000:1000" \
	[ "$(owner "$T/u-sl-opaque/rootfs/home")" = 1000:1000 -a "$(owner "$T/u-sl-opaque/rootfs/home/user")" = 1000:1000 ]
ok "both: the chowned name of the hardlink is 1000:1000" \
	[ "$(owner "$T/u-sl-full/rootfs/srv/app/here.txt")" = 1000:1000 -a "$(owner "$T/u-bh-full/rootfs/srv/app/here.txt")" = 1000:1000 ]
diag "hardlink + later chown: sloika-build there.txt is $(owner "$T/u-sl-full/rootfs/srv/app/there.txt") with" \
	"$(stat -c %h "$T/u-sl-full/rootfs/srv/app/there.txt" 2>/dev/null) link(s), buildah $(owner "$T/u-bh-full/rootfs/srv/app/there.txt")" \
	"with $(stat -c %h "$T/u-bh-full/rootfs/srv/app/there.txt" 2>/dev/null)"

# The comparison can fail: plant differences in a copy of sloika-build's tree.
cp -a "$T/u-sl-full/rootfs" "$T/planted"
chmod 0600 "$T/planted/data/owned.txt"
ok "a planted mode change is caught" differs "$T/u-sl-full/rootfs" "$T/planted"
chmod 0644 "$T/planted/data/owned.txt"
ok "with the mode restored, the copy matches again" same_tree "$T/u-sl-full/rootfs" "$T/planted"
echo "plain contenT" >"$T/planted/data/private.txt"
chmod 0640 "$T/planted/data/private.txt"
ok "a planted content change of the same size is caught" differs "$T/u-sl-full/rootfs" "$T/planted"
cp -p "$T/u-sl-full/rootfs/data/private.txt" "$T/planted/data/private.txt"
chown 5:5 "$T/planted/data/dir/one"
ok "a planted ownership change is caught" differs "$T/u-sl-full/rootfs" "$T/planted"
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
