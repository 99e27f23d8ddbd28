#!/bin/sh
# sloika-build build: RUN --mount=type=cache|bind|tmpfs|secret with
# BuildKit's options. Mount targets and secrets never reach a layer; cache
# dirs persist in the store across builds; bound context files are part of
# the cache key, secret values are not.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

# layer_of REF N: the blob of the image's Nth layer from the top (1 = last).
layer_of() { blob_path "$(layer_digests "$1" | tail -n "$2" | head -1)"; }
# files BLOB: its entries on one line.
files() { tar -tzf "$1" 2>/dev/null | tr '\n' ' '; }
# cat_in BLOB FILE: a file's content in a layer.
cat_in() { tar -xzOf "$1" "$2" 2>/dev/null; }

mkctx cache <<'DF'
FROM busybox
RUN --mount=type=cache,target=/root/.cache/app echo run >> /root/.cache/app/log && wc -l < /root/.cache/app/log > /count
RUN --mount=type=cache,id=shared,target=/c1,sharing=locked,uid=1000,gid=50,mode=0750 stat -c '%u %g %a' /c1 > /c1.stat && echo x > /c1/from-c1
RUN --mount=type=cache,id=shared,target=/var/c2,sharing=private cat /var/c2/from-c1 > /c2.txt
RUN --mount=type=cache,id=shared,target=/c3,ro sh -c 'echo y > /c3/y' 2>/dev/null; echo $? > /c3.rc
DF
ok "a build with cache mounts succeeds" sh -c "'$SB' build -q --root '$S' -t cache '$T/cache' >/dev/null"
ok "the cache mount's content is not in the layer, nor its target or the target's parents" \
	[ "$(files "$(layer_of cache 4)")" = 'count ' ]
ok "the cache dir lives in the store" sh -c "[ \$(ls '$S/mounts/cache' | grep -Evc '[.](lock|init)$') = 2 ]"
ok "uid, gid and mode set the cache dir's owner and mode" [ "$(cat_in "$(layer_of cache 3)" c1.stat)" = '1000 50 750' ]
ok "the same id is the same cache under another target (sharing=private)" [ "$(cat_in "$(layer_of cache 2)" c2.txt)" = x ]
ok "a readonly cache mount refuses writes" [ "$(cat_in "$(layer_of cache 1)" c3.rc)" != 0 ]
ok "a rebuild with --no-cache succeeds" sh -c "'$SB' build -q --root '$S' --no-cache -t cache '$T/cache' >/dev/null"
ok "  ... and the cache persisted across builds (2 runs logged)" [ "$(cat_in "$(layer_of cache 4)" count)" = 2 ]

mkctx seed <<'DF'
FROM busybox AS tools
RUN mkdir -p /opt/seed && echo seeded > /opt/seed/file
FROM busybox
RUN --mount=type=cache,id=seeded,target=/cache,from=tools,source=/opt/seed cat /cache/file > /seen
DF
ok "a build with a cache mount from= another stage succeeds" sh -c "'$SB' build -q --root '$S' -t seed '$T/seed' >/dev/null"
ok "  ... and the cache starts as a copy of that stage's source dir" [ "$(cat_in "$(layer_of seed 1)" seen)" = seeded ]

mkctx bind <<'DF'
FROM busybox AS other
RUN mkdir -p /built && echo from-stage > /built/out
FROM busybox
RUN --mount=type=bind,target=/ctx cat /ctx/data/f > /seen; ls -a /ctx/data > /ls; touch /ctx/x 2>/dev/null; echo $? > /ro.rc
RUN --mount=type=bind,source=data,target=/d,rw echo scribble > /d/f && echo changed > /d/new && cat /d/f > /rw
RUN --mount=type=bind,from=other,source=/built,target=/b cat /b/out > /fromstage
RUN --mount=type=bind,source=data/f,target=/single cat /single > /single.txt
DF
mkdir -p "$T/bind/data"; echo original > "$T/bind/data/f"; echo hidden > "$T/bind/data/ignored"
printf 'data/ignored\n' > "$T/bind/.dockerignore"
ok "a build with bind mounts succeeds" sh -c "'$SB' build --root '$S' -t bind '$T/bind' > '$T/bind.out' 2>&1"
B4=$(layer_of bind 4)
ok "a bind mount shows the context (default source), read-only by default" \
	sh -c "[ \"\$(tar -xzOf '$B4' seen)\" = original ] && [ \"\$(tar -xzOf '$B4' ro.rc)\" != 0 ]"
ok "  ... less what .dockerignore excludes" sh -c "! tar -xzOf '$B4' ls | grep -q ignored && tar -xzOf '$B4' ls | grep -qx f"
ok "  ... and its target is not in the layer" [ "$(files "$B4")" = 'ls ro.rc seen ' ]
ok "rw bind mounts take writes, which are discarded" \
	sh -c "[ \"\$(tar -xzOf '$(layer_of bind 3)' rw)\" = scribble ] && grep -qx original '$T/bind/data/f' && [ ! -e '$T/bind/data/new' ]"
ok "  ... and the rw target is not in the layer" [ "$(files "$(layer_of bind 3)")" = 'rw ' ]
ok "from=stage,source= binds that stage's dir" [ "$(cat_in "$(layer_of bind 2)" fromstage)" = from-stage ]
ok "a file source binds one file" [ "$(cat_in "$(layer_of bind 1)" single.txt)" = original ]
ok "an unchanged bound context is CACHED" sh -c "[ \$('$SB' build --root '$S' '$T/bind' | grep -c '^  CACHED') = 5 ]"
echo ignored-change > "$T/bind/data/ignored"
ok "a change to an ignored file keeps the cache" sh -c "[ \$('$SB' build --root '$S' '$T/bind' | grep -c '^  CACHED') = 5 ]"
echo edited > "$T/bind/data/f"
ok "a changed bound file runs the steps that bind it again" \
	sh -c "'$SB' build --root '$S' -t bind '$T/bind' > '$T/bind2.out' && [ \$(grep -c '^  done' '$T/bind2.out') = 4 ]"
ok "  ... which see the new content" [ "$(cat_in "$(layer_of bind 4)" seen)" = edited ]

mkctx mask <<'DF'
FROM busybox
COPY . /copy/
RUN --mount=type=bind,target=/m cd /m && find . | sort > /bind.list && cd /copy && find . | sort > /copy.list
RUN --mount=type=bind,source=a,target=/m,rw touch /m/new && cd /m && find . | sort > /a.list && stat -c %a /m/sub > /sub.mode
DF
m=$T/mask
mkdir -p "$m/a/sub" "$m/b" "$m/c/deeper" "$m/d/e"
for f in a/keep.txt a/drop.log a/sub/x.log b/gone c/in.txt c/out.txt c/deeper/no d/e/f.txt; do echo "$f" > "$m/$f"; done
chmod 0710 "$m/a/sub"
printf '**/*.log\nb\nc\n!c/in.txt\n' > "$m/.dockerignore"
ok "a context bind with ** and ! patterns builds" sh -c "'$SB' build -q --root '$S' -t mask '$m' >/dev/null"
ok "  ... and shows exactly what COPY . copies (whiteout mask over the context)" \
	sh -c "tar -xzOf '$(layer_of mask 2)' bind.list > '$T/bind.list' && tar -xzOf '$(layer_of mask 2)' copy.list > '$T/copy.list' && cmp -s '$T/bind.list' '$T/copy.list' && grep -qx './c/in.txt' '$T/bind.list' && ! grep -q 'log\$\|^./b\|out.txt\|deeper' '$T/bind.list'"
ok "  ... a subdir source is masked by patterns anchored at the context root, and keeps its dirs' modes" \
	[ "$(cat_in "$(layer_of mask 1)" a.list | tr '\n' ' ')$(cat_in "$(layer_of mask 1)" sub.mode)" = '. ./keep.txt ./new ./sub 710' ]

mkctx direct <<'DF'
FROM busybox
RUN --mount=type=bind,target=/ctx cat /ctx/f > /ro; touch /ctx/x 2>/dev/null; echo $? >> /ro
RUN --mount=type=bind,target=/ctx,rw echo new > /ctx/f && echo more > /ctx/g && cat /ctx/f /ctx/g > /rw
RUN --mount=type=bind,source=f,target=/one,rw echo over > /one && cat /one > /rwfile
RUN --mount=type=bind,from=busybox,source=/etc,target=/img,rw echo x > /img/new && cat /img/motd /img/new > /fromimage
DF
echo orig > "$T/direct/f"
ok "without a .dockerignore, binds of the context (ro, rw dir, rw file) and from=image work" \
	sh -c "'$SB' build -q --root '$S' -t direct '$T/direct' >/dev/null"
ok "  ... ro refuses writes" [ "$(cat_in "$(layer_of direct 4)" ro | tr '\n' ' ')" = 'orig 1 ' ]
ok "  ... rw writes are seen by the step but never reach the context" \
	sh -c "[ \"\$(tar -xzOf '$(layer_of direct 3)' rw | tr '\n' ' ')\" = 'new more ' ] && [ \"\$(cat '$T/direct/f')\" = orig ] && [ ! -e '$T/direct/g' ]"
ok "  ... a rw file bind is a private copy" \
	sh -c "[ \"\$(tar -xzOf '$(layer_of direct 2)' rwfile)\" = over ] && [ \"\$(cat '$T/direct/f')\" = orig ]"
ok "  ... from=image,rw binds the image's dir, writable, writes discarded" \
	[ "$(cat_in "$(layer_of direct 1)" fromimage | tr '\n' ' ')$(files "$(layer_of direct 1)")" = 'welcome x fromimage ' ]

mkctx locked <<'DF'
FROM busybox
RUN --mount=type=cache,id=lk,target=/c,sharing=locked mkdir /c/busy && sleep 1 && rmdir /c/busy && echo fine > /ok
DF
"$SB" build -q --root "$S" --no-cache "$T/locked" > "$T/lk1.out" 2>&1 &
p1=$!
"$SB" build -q --root "$S" --no-cache "$T/locked" > "$T/lk2.out" 2>&1 &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
ok "sharing=locked runs two concurrent builds' steps one after the other" [ "$r1$r2" = 00 ]

mkctx tmpfs <<'DF'
FROM busybox
RUN --mount=type=tmpfs,target=/scratch/space,size=2m echo t > /scratch/space/t && df -k /scratch/space | tail -1 | awk '{print $2}' > /size
DF
ok "a build with a tmpfs mount succeeds" sh -c "'$SB' build -q --root '$S' -t tmpfs '$T/tmpfs' >/dev/null"
ok "  ... whose size is the one asked for" [ "$(cat_in "$(layer_of tmpfs 1)" size)" = 2048 ]
ok "  ... and which leaves nothing in the layer" [ "$(files "$(layer_of tmpfs 1)")" = 'size ' ]

mkctx secret <<'DF'
FROM busybox
RUN --mount=type=secret,id=tok cat /run/secrets/tok | wc -c > /len; stat -c '%a %u %g' /run/secrets/tok > /perm
RUN --mount=type=secret,id=tok,target=/etc/app/key,mode=0440,uid=1000,gid=50 echo "$(stat -c '%a %u %g' /etc/app/key) $(wc -c < /etc/app/key)" > /perm2
RUN --mount=type=secret,id=tok,env=TOKEN echo "${#TOKEN}" > /envlen
RUN --mount=type=secret,id=absent ls /run/secrets/absent 2>/dev/null; echo $? > /absent.rc
DF
printf 'topsecret-value' > "$T/secret.txt"
ok "a build with --secret id=tok,src=FILE succeeds" \
	sh -c "'$SB' build -q --root '$S' --secret 'id=tok,src=$T/secret.txt' -t secret '$T/secret' >/dev/null"
ok "the secret is at /run/secrets/<id>, 0400 root by default" \
	[ "$(cat_in "$(layer_of secret 4)" len)$(cat_in "$(layer_of secret 4)" perm)" = '15400 0 0' ]
ok "target, mode, uid and gid apply" [ "$(cat_in "$(layer_of secret 3)" perm2)" = '440 1000 50 15' ]
ok "env= exposes the secret as a variable" [ "$(cat_in "$(layer_of secret 2)" envlen)" = 15 ]
ok "an optional secret that was not given is absent" [ "$(cat_in "$(layer_of secret 1)" absent.rc)" != 0 ]
leak=0
for d in $(layer_digests secret); do gzip -dc "$(blob_path "$d")" | grep -q topsecret && leak=1; done
"$SB" inspect --root "$S" secret | grep -q topsecret && leak=1
grep -rqs topsecret "$S/cache" "$S/blobs" && leak=1
ok "the secret's value is in no layer, config, blob or cache entry" [ $leak = 0 ]
entries=$(for d in $(layer_digests secret | tail -n 4); do tar -tzf "$(blob_path "$d")" 2>/dev/null; done)
ok "no secret target or /run/secrets stub is in a layer" sh -c "! echo '$entries' | grep -Eq '^(run|etc)/'"
printf 'other-secret-val' > "$T/secret.txt"
ok "a changed secret value keeps the cache (only the id is in the key)" \
	sh -c "[ \$('$SB' build --root '$S' --secret 'id=tok,src=$T/secret.txt' '$T/secret' | grep -c '^  CACHED') = 4 ]"
ok "--secret id=X,env=VAR reads the variable" \
	sh -c "TOKVAR=abc '$SB' build -q --root '$S' --no-cache --secret id=tok,env=TOKVAR -t secret2 '$T/secret' >/dev/null"
ok "  ... whose value the RUN sees" [ "$(cat_in "$(layer_of secret2 4)" len)" = 3 ]
mkctx secreq <<'DF'
FROM busybox
RUN --mount=type=secret,id=must,required=true cat /run/secrets/must
DF
ok "a required secret that was not given fails the build, naming it" \
	sh -c "! '$SB' build -q --root '$S' '$T/secreq' 2> '$T/secreq.err' >/dev/null && grep -q 'secret must is required' '$T/secreq.err'"
ok "a --secret whose file is missing fails clearly" \
	sh -c "! '$SB' build -q --root '$S' --secret id=x,src=/nonexistent/file '$T/secreq' > '$T/nofile.out' 2>&1 && grep -q '/nonexistent/file' '$T/nofile.out'"

mkctx lockwait <<'DF'
FROM busybox
RUN --mount=type=cache,id=lw,target=/c,sharing=locked sleep 3
DF
"$SB" build -q --root "$S" --no-cache "$T/lockwait" >/dev/null 2>&1 &
p1=$!
sleep 1
"$SB" build --root "$S" --no-cache "$T/lockwait" > "$T/lw2.out" 2>&1 &
p2=$!
sleep 0.5
kill -TERM $p2
t0=$(date +%s)
wait $p2
r2=$?
t1=$(date +%s)
wait $p1
ok "SIGTERM stops a build waiting for a locked cache mount, at once" \
	sh -c "[ $r2 != 0 ] && [ $((t1 - t0)) -le 1 ] && grep -q 'Interrupted' '$T/lw2.out'"

mkctx nest <<'DF'
FROM busybox
RUN --mount=type=tmpfs,target=/a/b/c --mount=type=cache,id=nest,target=/a/b mount | grep -c ' /a/b' > /n
DF
ok "nested mount targets given inner first are both mounted (outer first)" \
	sh -c "'$SB' build -q --root '$S' -t nest '$T/nest' >/dev/null"
ok "  ... as the step saw" [ "$(cat_in "$(layer_of nest 1)" n)" = 2 ]

mkctx mfail <<'DF'
FROM busybox
RUN --mount=type=cache,target=/c --mount=type=bind,target=/ctx,rw --mount=type=tmpfs,target=/t --mount=type=secret,id=tok echo failing; exit 3
DF
"$SB" build -q --root "$S" --secret "id=tok,src=$T/secret.txt" "$T/mfail" >/dev/null 2>&1
ok "a failing RUN with every mount type fails with its exit code" [ $? = 3 ]
ok "  ... and leaves no mount, work dir or container" no_leftovers
ok "prune --all removes the cache mount dirs no step holds" \
	sh -c "'$SB' prune --all --root '$S' | grep -q 'cache mount dirs' && [ \$(ls '$S/mounts/cache' | grep -Evc '[.](lock|init)\$') = 0 ]"
ok "the image exports as an OCI layout" sh -c "'$SB' export --root '$S' bind '$T/layout' >/dev/null"
if command -v umoci >/dev/null; then
	ok "umoci unpacks it, without the mount targets" \
		sh -c "umoci unpack --image '$T/layout' '$T/umoci' >/dev/null 2>&1 && [ -f '$T/umoci/rootfs/single.txt' ] && [ ! -e '$T/umoci/rootfs/ctx' ] && [ ! -e '$T/umoci/rootfs/single' ]"
else
	skip "umoci unpacks it" "umoci not installed"
fi
CHECK=$top_srcdir/../shared/builder/check-layout.sh
if [ -f "$CHECK" ] && command -v oci-image-tool >/dev/null && command -v skopeo >/dev/null && command -v umoci >/dev/null; then
	ok "check-layout.sh (oci-image-tool validate, skopeo inspect, umoci unpack) passes on the image" \
		sh -c "SKIP_UNPACK=1 bash '$CHECK' '$T/layout' > '$T/check.txt' 2>&1"
	grep -E '^(FAIL|RESULT)' "$T/check.txt" | sed 's/^/# /'
else
	skip "check-layout.sh passes on the image" "needs ../shared/builder/check-layout.sh, oci-image-tool, skopeo, umoci"
fi
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
