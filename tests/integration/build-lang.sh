#!/bin/sh
# sloika-build build: the Dockerfile language end to end, one real build
# over many features: directives, heredocs (several per line, <<-, quoted
# delimiters), every variable form, COPY --from=index|stage|image, --chown,
# symbolic --chmod, --exclude, --parents, hardlinks, WORKDIR as USER,
# RUN --network/--security, SHELL, the metadata instructions and
# Dockerfile.dockerignore; the image unpacks with umoci.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/build-lib.sh"
build_init

mkctx lang <<'DF'
# syntax=docker/dockerfile:1.7
# check=skip=MaintainerDeprecated
ARG BASE=busybox
FROM --platform=$BUILDPLATFORM $BASE AS first
ARG V1=value
ENV E1=${V1:-dflt} E2=${NOPE:-dflt} E3=${V1:+alt} E4=${NOPE:+alt} E5=${V1-x} E6=${NOPE-x} E7=${V1+y} E8=${NOPE+y} E9=\$notvar
RUN echo "$E1 $E2 $E3 [$E4] $E5 $E6 $E7 [$E8] $E9" > /vars
RUN <<A cat > /h1 && cat <<-B > /h2
line-a $E1
A
	tabbed $E1
	B
RUN <<'Q' sh
echo "quoted \$E1 $E1" > /h3
Q
COPY <<X <<"Y" /multi/
x $E1
X
y $E1
Y
FROM first AS second
RUN echo second > /second
FROM busybox AS skipped
RUN echo this stage must not run; exit 99
FROM busybox
COPY --from=0 /vars /h1 /h2 /h3 /from-index/
COPY --from=0 /multi/ /multi/
COPY --from=second /second /from-name
COPY --from=busybox /etc/motd /from-image
COPY --chown=1000:50 --chmod=u=rwx,g=rx,o= src/a.sh /bin-a.sh
COPY --chmod=+x src/plain /plain-x
COPY --chmod=a-w,g+X src/sub /ro-sub
COPY --exclude=*.log src/ /excl/
COPY --parents src/sub/deep.txt /par/
COPY src/links/ /links/
USER user
WORKDIR /home/user/proj
USER root
WORKDIR rel
RUN --network=host --security=sandbox pwd > /pwd
SHELL ["/bin/sh", "-ec"]
RUN echo shell-ok > /shell
VOLUME ["/v1", "/v2"]
EXPOSE 80/tcp 53/UDP 8000-8002
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --start-interval=1s --retries=3 CMD /bin/true
MAINTAINER me
ONBUILD COPY onbuild.txt /ob
DF
c=$T/lang
mkdir -p "$c/src/sub" "$c/src/links" "$c/other"
printf '#!/bin/sh\necho a\n' > "$c/src/a.sh"; echo plain > "$c/src/plain"; echo log > "$c/src/x.log"
echo keep > "$c/src/keep.txt"; echo deep > "$c/src/sub/deep.txt"
echo hl > "$c/src/links/h1"; ln "$c/src/links/h1" "$c/src/links/h2"
echo secret > "$c/other/secret"
printf 'other\n' > "$c/Dockerfile.dockerignore"; printf 'src\n' > "$c/.dockerignore"

ok "the whole-language Dockerfile builds" sh -c "'$SB' build --root '$S' -t lang --output 'type=oci,dest=$T/layout' '$c' > '$T/lang.out' 2>&1"
ok "the syntax directive is reported" grep -q '^# syntax=docker/dockerfile:1.7' "$T/lang.out"
ok "--target's unneeded stage never runs" sh -c "! grep -q 'must not run' '$T/lang.out'"
command -v umoci >/dev/null || { skip_rest=1; }
if [ -z "$skip_rest" ]; then
	ok "umoci unpacks the image" sh -c "umoci unpack --image '$T/layout' '$T/u' >/dev/null 2>&1"
	R=$T/u/rootfs
	ok "every variable form expands as Docker's (:- :+ - + and \\\$)" \
		[ "$(cat "$R/from-index/vars")" = 'value dflt alt [] value x y [] $notvar' ]
	ok "two heredocs on one RUN line, <<- strips tabs" \
		[ "$(cat "$R/from-index/h1" "$R/from-index/h2")" = "$(printf 'line-a value\ntabbed value')" ]
	ok "a quoted heredoc delimiter turns off the Dockerfile's expansion" \
		[ "$(cat "$R/from-index/h3")" = 'quoted $E1 value' ]
	ok "COPY with two heredocs writes both; a quoted one is not expanded" \
		[ "$(cat "$R/multi/X" "$R/multi/Y")" = "$(printf 'x value\ny $E1')" ]
	ok "COPY --from=stage name and --from=image" \
		[ "$(cat "$R/from-name") $(cat "$R/from-image")" = 'second welcome' ]
	ok "--chown and --chmod=u=rwx,g=rx,o= apply" [ "$(stat -c '%a %u %g' "$R/bin-a.sh")" = '750 1000 50' ]
	ok "--chmod=+x adds x for everyone" [ "$(stat -c %a "$R/plain-x")" = 755 ]
	ok "--chmod=a-w,g+X on a dir: X for dirs only" \
		[ "$(stat -c %a "$R/ro-sub") $(stat -c %a "$R/ro-sub/deep.txt")" = '555 444' ]
	ok "--exclude leaves out the pattern" sh -c "[ -f '$R/excl/keep.txt' ] && [ ! -e '$R/excl/x.log' ]"
	ok "--parents keeps the source path" [ -f "$R/par/src/sub/deep.txt" ]
	ok "hardlinks in a COPY source stay hardlinks" \
		sh -c "[ \$(stat -c %i '$R/links/h1') = \$(stat -c %i '$R/links/h2') ] && [ \$(stat -c %h '$R/links/h1') = 2 ]"
	ok "WORKDIR creates missing dirs owned by USER (BuildKit), later ones as root" \
		[ "$(stat -c '%u' "$R/home" "$R/home/user" "$R/home/user/proj" "$R/home/user/proj/rel" | tr '\n' ' ')" = '1000 1000 1000 0 ' ]
	ok "RUN --network=host --security=sandbox runs in the relative WORKDIR" [ "$(cat "$R/pwd")" = /home/user/proj/rel ]
	ok "SHELL is used by RUN" [ "$(cat "$R/shell")" = shell-ok ]
	ok "Dockerfile.dockerignore takes precedence over .dockerignore" sh -c "[ -d '$R/excl' ]"
	tar -tzf "$(blob_path "$(layer_digests lang | sed -n 10p)")" > "$T/layer10.txt" 2>/dev/null
else
	skip "umoci unpacks the image" "umoci not installed"
fi
"$SB" inspect --root "$S" lang > "$T/lang.json"
ok "VOLUME, EXPOSE, STOPSIGNAL, HEALTHCHECK, MAINTAINER, ONBUILD, SHELL, WorkingDir reach the config" \
	jq_true "$T/lang.json" '.config.Volumes == {"/v1":{},"/v2":{}} and .config.ExposedPorts == {"53/udp":{},"80/tcp":{},"8000/tcp":{},"8001/tcp":{},"8002/tcp":{}}
		and .config.StopSignal == "SIGQUIT" and .config.Healthcheck.Test == ["CMD-SHELL","/bin/true"]
		and .config.Healthcheck.Timeout == 2000000000 and .config.Healthcheck.StartInterval == 1000000000
		and .config.Healthcheck.Retries == 3 and .author == "me" and .config.OnBuild == ["COPY onbuild.txt /ob"]
		and .config.Shell == ["/bin/sh","-ec"] and .config.WorkingDir == "/home/user/proj/rel"'

mkctx child <<'DF'
FROM lang
DF
echo triggered > "$T/child/onbuild.txt"
ok "a child of an ONBUILD image runs the trigger with its own context" \
	sh -c "'$SB' build -q --root '$S' -t child '$T/child' >/dev/null"
ok "  ... whose file is in the child's last layer" \
	[ "$(tar -xzOf "$(blob_path "$(layer_digests child | tail -1)")" ob 2>/dev/null)" = triggered ]

mkctx addx <<'DF'
FROM busybox
ADD a.tar /plain/
ADD a.tar.xz /xz/
ADD --chown=user:staff a.tar.bz2 /bz2/
ADD data.json.gz /data/
DF
mkdir -p "$T/tsrc/d" && echo inside > "$T/tsrc/d/f" && chown -R 1234:2345 "$T/tsrc"
tar -C "$T/tsrc" -cf "$T/addx/a.tar" d && tar -C "$T/tsrc" -cJf "$T/addx/a.tar.xz" d && tar -C "$T/tsrc" -cjf "$T/addx/a.tar.bz2" d
echo '{"a":1}' | gzip > "$T/addx/data.json.gz"
ok "ADD unpacks plain, xz and bzip2 tars" sh -c "'$SB' build -q --root '$S' -t addx '$T/addx' >/dev/null"
L=$(layer_digests addx | tail -4 | tr '\n' ' ')
set -- $L
ok "  ... a plain tar keeps its owners" sh -c "tar -tzvf '$(blob_path "$1")' 2>/dev/null | grep -Eq '^-rw-r--r-- 1234/2345 .* plain/d/f$'"
ok "  ... an xz tar is unpacked" sh -c "tar -tzf '$(blob_path "$2")' 2>/dev/null | grep -qx 'xz/d/f'"
ok "  ... ADD --chown owns every unpacked entry (BuildKit >= 0.23)" \
	sh -c "tar -tzvf '$(blob_path "$3")' 2>/dev/null | grep -E ' bz2/d/?f?$' | awk '{print \$2}' | sort -u | tr '\n' ' ' | grep -qx '1000/50 '"
ok "  ... a gzip file that holds no tar is copied as it is" \
	sh -c "tar -tzf '$(blob_path "$4")' 2>/dev/null | grep -qx 'data/data.json.gz'"

mkctx net <<'DF'
FROM busybox
RUN --network=none grep -c : /proc/net/dev > /ifaces
DF
ok "RUN --network=none wins over build --network host" sh -c "'$SB' build -q --root '$S' --network host -t net '$T/net' >/dev/null"
ok "  ... the step saw only loopback" [ "$(tar -xzOf "$(blob_path "$(layer_digests net | tail -1)")" ifaces 2>/dev/null)" = 1 ]
mkctx insecure <<'DF'
FROM busybox
RUN --security=insecure echo no
DF
ok "RUN --security=insecure is refused clearly" \
	sh -c "! '$SB' build -q --root '$S' '$T/insecure' > '$T/insecure.out' 2>&1 && grep -q 'security=insecure is not allowed' '$T/insecure.out'"

mkctx req <<'DF'
FROM busybox
ARG NEED
ENV X="${NEED:?NEED must be set}"
DF
ok "\${VAR:?msg} fails the build with the message when VAR is unset" \
	sh -c "! '$SB' build -q --root '$S' '$T/req' > '$T/req.out' 2>&1 && grep -q 'NEED must be set' '$T/req.out'"
ok "  ... and passes when it is set" sh -c "'$SB' build -q --root '$S' --build-arg NEED=1 '$T/req' >/dev/null"
mkctx plat <<'DF'
FROM --platform=linux/s390x busybox
DF
mkctx badport <<'DF'
FROM busybox
EXPOSE 80/bogus
DF
ok "EXPOSE with an unknown protocol fails clearly" \
	sh -c "! '$SB' build -q --root '$S' '$T/badport' > '$T/badport.out' 2>&1 && grep -q 'Dockerfile:2:.*80/bogus' '$T/badport.out'"
ok "check=skip= silences a rule during the build" sh -c "! grep -q MaintainerDeprecated '$T/lang.out'"
mkctx lint <<'DF'
FROM busybox
MAINTAINER someone
RUN echo ran > /ran
DF
ok "the build prints BuildKit's check warnings and goes on" \
	sh -c "'$SB' build --root '$S' '$T/lint' > '$T/lint.out' 2>&1 && grep -q 'Dockerfile:2: warning: .*MaintainerDeprecated' '$T/lint.out'"
sed -i '1i # check=error=true' "$T/lint/Dockerfile"
ok "with check=error=true a warning fails the build before any step" \
	sh -c "! '$SB' build --root '$S' --no-cache '$T/lint' > '$T/lint2.out' 2>&1 && grep -q 'check=error=true' '$T/lint2.out' && ! grep -q '^\[stage' '$T/lint2.out'"
ok "FROM --platform of another architecture fails clearly" \
	sh -c "'$SB' build -q --root '$S' '$T/plat' 2>&1 | grep -q 'no emulation'"
mkctx esc <<'DF'
# escape=`
FROM busybox
RUN echo a `
    b > /esc
ENV P=C:\path
RUN echo "$P" > /p
DF
ok "# escape=\` continues lines with a backtick and keeps backslashes" \
	sh -c "'$SB' build -q --root '$S' -t esc '$T/esc' >/dev/null"
ok "  ... with the expected files" \
	[ "$(tar -xzOf "$(blob_path "$(layer_digests esc | tail -2 | head -1)")" esc 2>/dev/null) $(tar -xzOf "$(blob_path "$(layer_digests esc | tail -1)")" p 2>/dev/null)" = 'a b C:\path' ]
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
