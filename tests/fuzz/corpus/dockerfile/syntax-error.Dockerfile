FROM alpine
# a comment
RUN true
RUNN echo
