# escape=`
FROM mcr.microsoft.com/windows/servercore
ENV A="a b" `
    B='c d' C=e\ f
RUN dir c:\ `
    && echo ${A}
COPY ["a b", "c:\\dest\\"]
ADD --keep-git-dir=true https://github.com/x/y.git /src
WORKDIR c:\app
