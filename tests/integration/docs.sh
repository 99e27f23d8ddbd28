#!/bin/bash
# The man pages and bash completion against the binaries: every command
# of `sloika --help` and `sloika-build --help` has its page (or section),
# every flag a --help lists appears in the rendered page, each page renders
# without groff warnings, make install puts pages and completions in
# place, and completion completes commands, flags and container ids.
. "$top_srcdir/tests/lib.sh"
command -v man >/dev/null || skip_all "man not installed (apt-get install man-db groff-base)"
command -v col >/dev/null || skip_all "col not installed (apt-get install bsdextrautils)"
SLOIKA=$top_builddir/sloika
BUILD=$top_builddir/sloika-build
MAN=$top_srcdir/docs/man
COMP=$top_srcdir/docs/completion
[ -x "$SLOIKA" ] && [ -x "$BUILD" ] || skip_all "sloika and sloika-build not built"
D=$(mktemp -d /tmp/sloika-docs.XXXXXX)
trap 'rm -rf "$D"' EXIT

# render PAGE: plain text, wide enough that no flag is broken across lines.
render() { MANWIDTH=250 LC_ALL=C man -l "$1" 2>/dev/null | col -b; }
# flags BIN ARGS...: every -x / --flag a --help text lists.
flags() { "$@" --help 2>&1 | grep -oE '(^|[ ,[])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[ ,[]//' | sort -u; }
# missing_flags TEXTFILE FLAGS...: prints the flags the text lacks.
missing_flags() {
	local text=$1 f
	shift
	for f in "$@"; do
		grep -qE -- "(^|[^a-zA-Z0-9-])$f([^a-zA-Z0-9-]|\$)" "$text" || printf '%s ' "$f"
	done
}
# check_flags NAME PAGE BIN ARGS...: one TAP line.
check_flags() {
	local name=$1 page=$2 miss
	shift 2
	render "$page" >"$D/page.txt"
	miss=$(missing_flags "$D/page.txt" $(flags "$@"))
	tap_n=$((tap_n + 1))
	if [ -s "$D/page.txt" ] && [ -z "$miss" ]; then
		echo "ok $tap_n - $name"
	else
		echo "not ok $tap_n - $name"
		echo "#   missing: ${miss:-the page did not render}"
		tap_failed=$((tap_failed + 1))
	fi
}

commands=$("$SLOIKA" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" { print $1 }')
ok "sloika --help lists commands" [ "$(echo "$commands" | wc -w)" -ge 15 ]
check_flags "sloika(1) has every global flag of sloika --help" "$MAN/sloika.1" "$SLOIKA"
render "$MAN/sloika.1" >"$D/sloika.txt"
for c in $commands; do
	page=$MAN/sloika-$c.1
	ok "sloika-$c(1) exists" [ -f "$page" ]
	ok "sloika(1) names the $c command and its page" grep -q "sloika-$c(1)" "$D/sloika.txt"
	check_flags "sloika-$c(1) has every flag of sloika $c --help" "$page" "$SLOIKA" "$c"
done

bcommands=$("$BUILD" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && $1 != "Commands:" { print $1 }')
ok "sloika-build --help lists commands" [ "$(echo "$bcommands" | wc -w)" -ge 5 ]
check_flags "sloika-build(1) has every flag of sloika-build --help" "$MAN/sloika-build.1" "$BUILD"
for c in $bcommands; do
	ok "sloika-build(1) has a section for $c" grep -qx "\\.SS $c" "$MAN/sloika-build.1"
	check_flags "sloika-build(1) has every flag of sloika-build $c --help" "$MAN/sloika-build.1" "$BUILD" "$c"
done

for page in "$MAN"/*.1; do
	pg=$(basename "$page")  # not "name": ok() uses that
	LC_ALL=C MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>"$D/warn"
	ok "man -l renders $pg without warnings" [ ! -s "$D/warn" ]
	sed 's/^/#   /' "$D/warn"
	ok "$pg is installed by make install (docs/Makefile.inc)" grep -q "docs/man/$pg\>" "$top_srcdir/docs/Makefile.inc"
done

# make install puts the pages and completions under the prefix.
if make -C "$top_builddir" install-man1 install-dist_bashcompletionDATA DESTDIR="$D/inst" >/dev/null 2>&1; then
	inst=$(find "$D/inst" -path '*/man1/*.1' | wc -l)
	ok "make install installs every man page" [ "$inst" -eq "$(ls "$MAN"/*.1 | wc -l)" ]
	ok "make install installs both bash completions" \
		sh -c "find '$D/inst' -path '*/bash-completion/completions/sloika' | grep -q . &&
			find '$D/inst' -path '*/bash-completion/completions/sloika-build' | grep -q ."
else
	ok "make install installs every man page" false
	ok "make install installs both bash completions" false
fi

# complete BIN_WORD WORDS...: what bash completion offers for the last word.
complete_words() {
	bash -c '. "$1"; . "$2"; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		f=$(complete -p "$(basename "$1")" | sed "s/.*-F \([^ ]*\) .*/\1/"); $f;
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' sh \
		"$COMP/sloika" "$COMP/sloika-build" "$@"
}
out() { # NAME WANT CMD...
	local name=$1 want=$2 got
	shift 2
	got=$("$@")
	tap_n=$((tap_n + 1))
	if [ "$got" = "$want" ]; then echo "ok $tap_n - $name"; else
		echo "not ok $tap_n - $name"; echo "#   got: $got"; echo "#   want: $want"
		tap_failed=$((tap_failed + 1))
	fi
}
out "completion: sloika commands" "start state" complete_words "$SLOIKA" st
out "completion: global flags" "--log --log-format" complete_words "$SLOIKA" --lo
out "completion: a command's flags" "--memory --memory-reservation --memory-swap" complete_words "$SLOIKA" update --mem
out "completion: --log-format values" "json text" complete_words "$SLOIKA" --log-format ""
out "completion: kill signals" "KILL" complete_words "$SLOIKA" kill c1 KIL
out "completion: sloika-build commands" "build bundle" complete_words "$BUILD" bu
out "completion: sloika-build flags" "--no-cache" complete_words "$BUILD" build --no-c

# Container ids come from `sloika list -q` under the --root on the line.
if [ "$(id -u)" = 0 ] && [ -x /bin/busybox ] && command -v jq >/dev/null; then
	. "$top_srcdir/tests/integration/bundle.sh"
	T=$D/b ROOT=$D/b/state
	mkdir -p "$T"
	make_rootfs "$T/rootfs"
	make_bundle c '["sleep","100"]'
	trap '"$SLOIKA" --root "$ROOT" delete -f docs-c1 >/dev/null 2>&1; rm -rf "$D"' EXIT
	"$SLOIKA" --root "$ROOT" create -b "$T/c" docs-c1 </dev/null >/dev/null 2>&1
	out "completion: container ids under --root" "docs-c1" complete_words "$SLOIKA" --root "$ROOT" pause docs
	out "completion: no id after the id" "" complete_words "$SLOIKA" --root "$ROOT" pause docs-c1 docs
else
	skip "completion: container ids under --root" "needs root, busybox and jq to create a container"
fi

done_testing
