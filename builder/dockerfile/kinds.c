#include "builder/dockerfile/dockerfile.h"

#include <strings.h>

static const char *const names[SL_DF_KIND_COUNT] = {
        [SL_DF_ADD] = "ADD", [SL_DF_ARG] = "ARG", [SL_DF_CMD] = "CMD", [SL_DF_COPY] = "COPY",
        [SL_DF_ENTRYPOINT] = "ENTRYPOINT", [SL_DF_ENV] = "ENV", [SL_DF_EXPOSE] = "EXPOSE",
        [SL_DF_FROM] = "FROM", [SL_DF_HEALTHCHECK] = "HEALTHCHECK", [SL_DF_LABEL] = "LABEL",
        [SL_DF_MAINTAINER] = "MAINTAINER", [SL_DF_ONBUILD] = "ONBUILD", [SL_DF_RUN] = "RUN",
        [SL_DF_SHELL] = "SHELL", [SL_DF_STOPSIGNAL] = "STOPSIGNAL", [SL_DF_USER] = "USER",
        [SL_DF_VOLUME] = "VOLUME", [SL_DF_WORKDIR] = "WORKDIR",
};

const char *sl_df_kind_name(sl_df_kind k)
{
        return (unsigned)k < SL_DF_KIND_COUNT ? names[k] : "?";
}

int sl_df_kind_from_name(const char *name)
{
        for (int i = 0; i < SL_DF_KIND_COUNT; i++)
                if (strcasecmp(name, names[i]) == 0)
                        return i;
        return -1;
}
