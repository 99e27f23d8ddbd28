#!/bin/sh
# The built image runs: sloika-build bundle makes a runtime bundle (an
# overlay of the image's layers, config.json from its config), sloika run
# runs it, bundle --rm leaves nothing behind.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init
[ -x "$SLOIKA" ] || skip_all "sloika not built at $SLOIKA"

mkctx app <<'DF'
FROM busybox AS build
RUN echo "built in stage one" > /msg
FROM busybox
COPY --from=build /msg /srv/msg
RUN rm /etc/motd
WORKDIR /srv
USER user
ENV WHO=tester
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat msg; echo \"$WHO $(id -u) $(pwd)\"; ls /etc/motd 2>/dev/null || echo no-motd"]
DF
ok "the image builds" sh -c "'$SB' build -q --root '$S' -t app '$T/app' >/dev/null"
ok "bundle makes a bundle" "$SB" bundle --root "$S" app "$T/bundle-app"
ok "config.json runs entrypoint + cmd as the image's user in its workdir" \
	jq_true "$T/bundle-app/config.json" '.process.args[0] == "/bin/sh" and .process.args[1] == "-c" and .process.user.uid == 1000 and .process.cwd == "/srv" and (.process.env | index("WHO=tester") != null) and .root.path == "rootfs"'
ok "the rootfs is an overlay mount" grep -q " $T/bundle-app/rootfs .* overlay " /proc/self/mountinfo
ok "the image can be untagged and the store pruned (--all) while the bundle exists" \
	sh -c "'$SB' tag --root '$S' app app-keep >/dev/null && '$SB' rm --root '$S' app app-keep >/dev/null && '$SB' prune --all --root '$S' >/dev/null"
ok "  ... and prune kept the layer dirs the bundle's overlay uses" \
	sh -c "ls=\$(grep ' $T/bundle-app/rootfs ' /proc/self/mountinfo | grep -o 'lowerdir=[^,]*' | cut -d= -f2 | tr ':' ' '); [ -n \"\$ls\" ] && for l in \$ls; do [ -d \"\$l\" ] || exit 1; done"
"$SLOIKA" --root "$T/state" run --bundle "$T/bundle-app" "app-$$" > "$T/run.out" 2>&1
ok "sloika run runs the image" [ $? = 0 ]
ok "  ... with the other stage's file, env, user, workdir and the deletion" \
	sh -c "printf 'built in stage one\ntester 1000 /srv\nno-motd\n' | cmp -s - '$T/run.out'"
ok "a bundle into a non-empty dir is refused" sh -c "! '$SB' bundle --root '$S' app '$T/bundle-app' 2>/dev/null"
ok "bundle --rm unmounts and removes it" sh -c "'$SB' bundle --rm '$T/bundle-app' && [ ! -e '$T/bundle-app' ] && ! grep -q '$T/bundle-app' /proc/self/mountinfo"
ok "the runtime's state is gone" sh -c "[ -z \"\$(ls -A '$T/state' 2>/dev/null)\" ]"
done_testing
