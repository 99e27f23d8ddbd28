# The README's main job: a multi-stage build on a busybox base imported
# from Debian's busybox-static (see tools/demo.sh).
ARG BASE=busybox:latest

FROM $BASE AS build
ARG GREETING="hello from a sloika container"
WORKDIR /src
COPY greet.sh ./
RUN sh greet.sh "$GREETING" > message.txt && wc -c < message.txt > size.txt

# Never built: the final stage does not need it.
FROM $BASE AS unused
RUN echo "this stage must not run" && exit 1

FROM $BASE
LABEL org.opencontainers.image.title="sloika example"
COPY --from=build /src/message.txt /src/size.txt /srv/
RUN echo "app:x:1000:1000:app:/srv:/bin/sh" >> /etc/passwd && echo "app:x:1000:" >> /etc/group
USER app
WORKDIR /srv
ENTRYPOINT ["/bin/sh", "-c", "cat message.txt; echo \"($(cat size.txt) bytes, running as $(id -un) in $(pwd))\""]
