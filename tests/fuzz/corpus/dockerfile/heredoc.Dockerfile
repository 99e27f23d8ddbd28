FROM busybox
ARG NAME=world
RUN <<EOF
echo "hello $NAME"
EOF
RUN <<-'SCRIPT' bash
	set -e
	echo $HOME
	SCRIPT
COPY <<one.txt <<"two.txt" /etc/
first ${NAME}
one.txt
second ${NAME}
two.txt
RUN cat /etc/one.txt \
 && cat /etc/two.txt
