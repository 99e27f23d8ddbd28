#include "common/timeutil.h"

#include <stdio.h>

int sl_time_format_rfc3339(const struct timespec *ts, bool nanos, char buf[SL_TIME_STR_MAX])
{
        struct tm tm;
        time_t t = ts->tv_sec;
        if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
                buf[0] = '\0';
                return -1;
        }
        int n;
        if (nanos)
                n = snprintf(buf, SL_TIME_STR_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                             tm.tm_min, tm.tm_sec, (long)ts->tv_nsec);
        else
                n = snprintf(buf, SL_TIME_STR_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                             tm.tm_min, tm.tm_sec);
        return n;
}

int sl_time_now_rfc3339(bool nanos, char buf[SL_TIME_STR_MAX])
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return sl_time_format_rfc3339(&ts, nanos, buf);
}
