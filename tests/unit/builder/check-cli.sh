#!/bin/sh
# sloika-build check: parse and lint a Dockerfile; exit codes and output.
. "$top_srcdir/tests/lib.sh"
bin="$top_builddir/sloika-build"
[ -x "$bin" ] || skip_all "sloika-build not built"
fx="$top_srcdir/tests/unit/builder/fixtures"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

run() { # run EXPECTED_EXIT ARGS... : stderr in $tmp/err (ARGS start with sloika-build's own)
	want=$1; shift
	case $1 in timeout) ;; *) set -- "$bin" "$@" ;; esac
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { diag "exit $got, want $want: $*"; sed 's/^/# /' "$tmp/err"; return 1; }
}
has() { grep -qF -- "$1" "$tmp/err" || { diag "stderr lacks: $1"; sed 's/^/# /' "$tmp/err"; return 1; }; }

ok "--version prints the version" sh -c "'$bin' --version | grep -q '^sloika-build version '"
ok "--help lists check" sh -c "'$bin' --help | grep -q 'check'"
ok "no arguments is a usage error" run 2
ok "an unknown command is a usage error" run 2 frobnicate
mkdir "$tmp/empty"
ok "build of a context without a Dockerfile fails" run 1 build "$tmp/empty"
ok "... naming the missing file" has "sloika-build build: open $tmp/empty/Dockerfile: No such file or directory"
ok "store commands are dispatched" run 0 images --help
ok "... to the store's code" sh -c "'$bin' images --help | grep -q 'Usage: sloika-build images'"
ok "bundle of an unknown image fails" run 1 bundle --root "$tmp/store" img "$tmp/bundle"
ok "... naming the image and the store" has "sloika-build bundle: no image img:latest in the store $tmp/store"
ok "... and makes no bundle dir" test ! -e "$tmp/bundle"

ok "a clean Dockerfile passes" run 0 check -f "$fx/clean.Dockerfile" "$fx"
ok "... and says so" has "Check complete, no warnings found."
ok "warnings alone exit 0" run 0 check -f "$fx/warnings.Dockerfile" "$fx"
ok "... and are printed as FILE:LINE: warning:" has "$fx/warnings.Dockerfile:3: warning: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (JSONArgsRecommended)"
ok "... MAINTAINER is deprecated" has "warnings.Dockerfile:2: warning: MAINTAINER instruction is deprecated in favor of using label (MaintainerDeprecated)"
ok "check=error=true makes warnings fail" run 1 check -f "$fx/warnings-as-errors.Dockerfile" "$fx"
ok "duplicate stage names fail" run 1 check -f "$fx/duplicate-stage.Dockerfile" "$fx"
ok "... as an error" has "duplicate-stage.Dockerfile:3: error: Duplicate stage name \"app\" (first defined at line 1): stage names must be unique (DuplicateStageName)"
ok "a syntax error fails" run 1 check -f "$fx/syntax-error.Dockerfile" "$fx"
ok "... with file:line:column" has "$fx/syntax-error.Dockerfile:4:1: unknown instruction \"RUNN\" (did you mean \"RUN\"?)"
ok "an unknown --target fails" run 1 check --target nope -f "$fx/clean.Dockerfile" "$fx"
ok "a later-stage --from fails" run 1 check -f "$fx/later-stage.Dockerfile" "$fx"
ok "... naming the line" has "later-stage.Dockerfile:2: COPY --from:"
ok "a required build arg in FROM fails without it" run 1 check -f "$fx/needs-arg.Dockerfile" "$fx"
ok "... saying what is missing" has "needs-arg.Dockerfile:2: FROM image: IMG: pass_--build-arg_IMG"
ok "... and passes with --build-arg" run 0 check --build-arg IMG=alpine -f "$fx/needs-arg.Dockerfile" "$fx"
ok "a malformed --build-arg is a usage error" run 2 check --build-arg IMG -f "$fx/needs-arg.Dockerfile" "$fx"
ok "a missing Dockerfile fails" run 1 check "$tmp"
ok "... naming it" has "$tmp/Dockerfile"
ok "a missing context fails" run 1 check "$tmp/nope"
ok "too many arguments is a usage error" run 2 check a b

# CONTEXT/Dockerfile is the default, and its .dockerignore feeds CopyIgnoredFile.
mkdir "$tmp/ctx"
printf 'FROM alpine\nCOPY secret.env /app/\n' >"$tmp/ctx/Dockerfile"
printf 'secret.env\n' >"$tmp/ctx/.dockerignore"
ok "CONTEXT/Dockerfile is used by default" run 0 check "$tmp/ctx"
ok "... and the context's .dockerignore is applied" has "$tmp/ctx/Dockerfile:2: warning: Attempting to Copy file \"secret.env\" that is excluded by .dockerignore (CopyIgnoredFile)"
printf '\n' >"$tmp/ctx/Dockerfile.dockerignore"
ok "Dockerfile.dockerignore takes precedence" run 0 check "$tmp/ctx"
ok "... so nothing is excluded" has "Check complete, no warnings found."
check_stdin() { "$bin" check -f - "$fx" <"$fx/syntax-error.Dockerfile" 2>"$tmp/err"; [ $? -eq 1 ]; }
ok "-f - reads the Dockerfile from stdin" check_stdin
ok "... and reports errors as Dockerfile:LINE:COL" has "Dockerfile:4:1: unknown instruction \"RUNN\""

lint_stdin() { "$bin" check -f - "$fx" <"$fx/warnings.Dockerfile" 2>"$tmp/err"; }
ok "warnings for stdin pass" lint_stdin
ok "... named Dockerfile:LINE" has "Dockerfile:3: warning: JSON arguments recommended"

# A large Dockerfile checks quickly (the variable scope is walked once).
awk 'BEGIN { print "FROM scratch"; for (i = 0; i < 2000; i++) { printf "ENV V%d=v%d\nCOPY f%d /d/$V%d/\n", i, i, i, i } }' >"$tmp/big.Dockerfile"
ok "a 4,000-line Dockerfile checks within 10 seconds" run 0 timeout 10 "$bin" check -f "$tmp/big.Dockerfile" "$tmp/ctx"
done_testing
