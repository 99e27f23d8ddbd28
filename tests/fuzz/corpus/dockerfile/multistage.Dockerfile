# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
ARG BASE=busybox
ARG VERSION
FROM ${BASE}:${VERSION:-latest} AS build
ARG TARGETARCH
ENV APP=/app \
    PATH=/app/bin:$PATH
WORKDIR $APP
COPY --chown=1000:1000 --chmod=0755 src/ ./src/
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/x.tgz /tmp/
RUN --mount=type=cache,target=/root/.cache,id=c,sharing=locked \
    --mount=type=bind,from=build,source=/,target=/mnt,rw \
    --mount=type=secret,id=tok,required=true,mode=0400 \
    --mount=type=tmpfs,target=/tmp,size=64m \
    --network=none --security=sandbox \
    make -C src && echo done
LABEL org.opencontainers.image.title="demo" version=${VERSION}

FROM scratch AS final
COPY --from=build --link --parents --exclude=*.o /app/bin /bin/
EXPOSE 8080/tcp 53/udp ${PORT}
VOLUME ["/data", "/var/log"]
USER 1000:1000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD ["/bin/check"]
SHELL ["/bin/sh", "-c"]
ONBUILD COPY . /src
ONBUILD RUN make
ENTRYPOINT ["/bin/app"]
CMD --help
