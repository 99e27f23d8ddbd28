from alpine as Base
maintainer someone <a@b.c>
env KEY value with spaces
env K1=v1 K2="v 2"
arg A1=1
expose 80 443-445/tcp
healthcheck NONE
user nobody
volume /a /b
run echo $KEY ${K1:+set} ${K2:-def} ${A1#1} ${A1%1} ${K1/v/w}
from Base
copy --from=0 /a /b
cmd ["echo", "done"]
