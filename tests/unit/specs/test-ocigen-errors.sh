#!/bin/sh
# ocigen refuses broken descriptions with the file, line and reason, and
# writes no output file for them.
. "$top_srcdir/tests/lib.sh"
ocigen="$top_builddir/oci-specs/ocigen"
[ -x "$ocigen" ] || skip_all "ocigen not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fails_with NAME EXPECTED-STDERR-SUBSTRING DESCRIPTION-TEXT
fails_with() {
	printf '%s\n' "$3" > "$tmp/$1.desc"
	rm -f "$tmp/$1.h"
	if "$ocigen" header "$tmp/$1.desc" "$tmp/$1.h" 2> "$tmp/err"; then
		echo "# ocigen accepted $1"; return 1
	fi
	grep -qF "$2" "$tmp/err" || { echo "# stderr: $(cat "$tmp/err")"; return 1; }
	[ ! -e "$tmp/$1.h" ]
}

ok "unknown type named with its line" fails_with unknown "unknown.desc:2: unknown type \"nosuch\"" \
	"struct a
	x nosuch
end"
ok "struct without end" fails_with noend "struct a has no \"end\"" "struct a
	x string"
ok "field defined twice" fails_with twice "twice.desc:3: field \"x\" (x) defined twice in a" \
	"struct a
	x string
	x int32
end"
ok "unknown option" fails_with opt "opt.desc:2: unknown field option \"optional\"" \
	"struct a
	x string optional
end"
ok "arrays of maps refused" fails_with arrmap "arrays of maps are not supported" \
	"struct a
	x []map:string
end"
ok "field outside a struct" fails_with outside "outside.desc:1: expected" "x string"
ok "struct defined twice" fails_with twostructs "struct a defined twice" \
	"struct a
end
struct a
end"

printf 'struct a\n\tx string\nend\n' > "$tmp/good.desc"
ok "usage error without arguments" sh -c "! '$ocigen' 2>/dev/null"
ok "source output must end in .c" sh -c "! '$ocigen' source '$tmp/good.desc' '$tmp/good.x' 2>/dev/null"
ok "valid description generates a header" "$ocigen" header "$tmp/good.desc" "$tmp/good.h"
ok "header declares the type and its API" grep -q "oci_a \*oci_a_parse_file" "$tmp/good.h"
done_testing
