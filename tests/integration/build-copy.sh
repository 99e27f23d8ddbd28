#!/bin/sh
# sloika-build build: FROM oci:PATH:TAG, COPY --parents / --link / heredocs,
# RUN heredocs (shell and #! scripts), symlinks in the context, a relative
# --root.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

"$SB" export --root "$S" busybox "$T/base-layout" >/dev/null || bail "cannot export the base"
mkctx c <<DF
FROM oci:$T/base-layout:latest
COPY --parents a/b/f /p/
COPY --link a/b/f /linked/f
COPY <<EOT /here.txt
heredoc content
EOT
COPY links /links
RUN <<EOS
echo from a heredoc script > /hs
cat /here.txt /p/a/b/f /linked/f >> /hs
EOS
RUN <<EOS
#!/bin/sh
echo shebang >> /hs
EOS
DF
mkdir -p "$T/c/a/b" "$T/c/links"
echo deep > "$T/c/a/b/f"
ln -s /etc/shadow "$T/c/links/abs"
ln -s ../a/b/f "$T/c/links/rel"
ok "FROM oci:PATH:TAG builds (relative --root)" sh -c "cd '$T' && '$SB' build -q --root store -t c '$T/c' >/dev/null"
layer_digests c > "$T/c.txt"
n() { sed -n "$1p" "$T/c.txt"; }
ok "COPY --parents keeps the source's path below the destination" \
	sh -c "tar -tzf '$(blob_path "$(n 2)")' 2>/dev/null | grep -qx 'p/a/b/f'"
ok "COPY --link makes a layer of just the copied file (and its dir)" \
	sh -c "[ \"\$(tar -tzf '$(blob_path "$(n 3)")' 2>/dev/null | tr '\n' ' ')\" = 'linked/ linked/f ' ]"
ok "COPY <<EOT writes the heredoc" sh -c "tar -xzOf '$(blob_path "$(n 4)")' here.txt | grep -qx 'heredoc content'"
tar -tzvf "$(blob_path "$(n 5)")" > "$T/links.txt" 2>/dev/null
ok "symlinks in the context are copied as symlinks, never followed" \
	sh -c "grep -q 'links/abs -> /etc/shadow' '$T/links.txt' && grep -q 'links/rel -> ../a/b/f' '$T/links.txt'"
ok "RUN heredoc scripts and #! heredocs run, seeing earlier layers" \
	sh -c "tar -xzOf '$(blob_path "$(n 7)")' hs | tr '\n' ' ' | grep -qx 'from a heredoc script heredoc content deep deep shebang '"
ok "the #! script's dir leaves nothing in the layer" sh -c "! tar -tzf '$(blob_path "$(n 7)")' 2>/dev/null | grep -q '^dev'"

# --chown gives the directories COPY/ADD create to that user (BuildKit's
# fsutil chowns the destination dirs it makes); existing ones keep theirs.
mkctx own <<'DF'
FROM busybox
COPY --chown=user:staff a.txt /data/sub/a.txt
COPY --chown=1000:1000 a.txt /tmp/made/
ADD --chown=user a.tar /unpacked/deep/
COPY a.txt /plain/sub/a.txt
DF
echo a > "$T/own/a.txt"
mkdir -p "$T/own/t" && echo in > "$T/own/t/in.txt" && tar -C "$T/own/t" -cf "$T/own/a.tar" in.txt
ok "COPY/ADD --chown with missing parent dirs builds" sb build -q --root "$S" -t own "$T/own"
layer_digests own > "$T/own.txt"
lst() { tar -tzvf "$(blob_path "$(sed -n "$1p" "$T/own.txt")")" --numeric-owner 2>/dev/null | awk '{print $2, $6}'; }
lst 2 > "$T/own2.txt"; lst 3 > "$T/own3.txt"; lst 4 > "$T/own4.txt"; lst 5 > "$T/own5.txt"
ok "COPY --chown=user:staff makes /data and /data/sub owned by 1000:50" \
	sh -c "grep -qx '1000/50 data/' '$T/own2.txt' && grep -qx '1000/50 data/sub/' '$T/own2.txt' && grep -qx '1000/50 data/sub/a.txt' '$T/own2.txt'"
ok "COPY --chown into an existing dir (/tmp) leaves it root's, the new /tmp/made is 1000:1000" \
	sh -c "grep -qx '0/0 tmp/' '$T/own3.txt' && grep -qx '1000/1000 tmp/made/' '$T/own3.txt'"
ok "ADD --chown of an archive makes its destination dirs the user's (1000:1000)" \
	sh -c "grep -qx '1000/1000 unpacked/' '$T/own4.txt' && grep -qx '1000/1000 unpacked/deep/' '$T/own4.txt' && grep -qx '1000/1000 unpacked/deep/in.txt' '$T/own4.txt'"
ok "COPY without --chown still makes root-owned parents" \
	sh -c "grep -qx '0/0 plain/' '$T/own5.txt' && grep -qx '0/0 plain/sub/' '$T/own5.txt'"
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
