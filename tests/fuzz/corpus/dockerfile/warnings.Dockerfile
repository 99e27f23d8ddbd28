FROM alpine
MAINTAINER someone
CMD echo hi
