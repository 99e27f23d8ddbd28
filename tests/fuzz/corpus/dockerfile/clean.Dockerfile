FROM alpine:3.19 AS build
RUN echo hi
FROM scratch
COPY --from=build /bin/sh /sh
CMD ["/sh"]
