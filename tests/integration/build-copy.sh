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
ok "nothing is left mounted or in the store's tmp" no_leftovers
done_testing
