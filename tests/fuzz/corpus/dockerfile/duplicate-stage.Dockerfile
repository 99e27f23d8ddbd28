FROM alpine AS app
RUN true
FROM alpine AS app
