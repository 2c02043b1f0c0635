#include "util/time.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic time_t time_fake;

time_t time_now(void)
{
    time_t f = atomic_load(&time_fake);
    return f ? f : time(NULL);
}

void time_set_fake(time_t t)
{
    atomic_store(&time_fake, t);
}

void time_iso(time_t t, char *out)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, TIME_ISO_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_now_iso(char *out)
{
    time_iso(time_now(), out);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's algorithm). */
static long time_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* UTC instant of 01:00 on the last Sunday of month m of year y: when EU summer time changes. */
static time_t time_eu_switch(int y, int m)
{
    long last = time_days_from_civil(y, m, 31);
    long weekday = (last + 4) % 7; /* 1970-01-01 was a Thursday (4); 0 = Sunday */
    return (time_t)(last - weekday) * 86400 + 3600;
}

long time_rome_offset(time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    int y = tm.tm_year + 1900;
    return (t >= time_eu_switch(y, 3) && t < time_eu_switch(y, 10)) ? 7200 : 3600;
}

/*
 * Local time in the tenant's zone. Every tenant is Italian, so the zone is Europe/Rome and its
 * rule (CET, EU summer time since 1996) is computed here: thread-safe, and no dependence on the
 * host's tzdata or TZ variable.
 */
static void time_local(time_t t, const char *tz, struct tm *out)
{
    (void)tz;
    time_t local = t + time_rome_offset(t);
    gmtime_r(&local, out);
}

void time_today(const char *tz, char *out)
{
    struct tm tm;
    time_local(time_now(), tz, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int time_year_rome(void)
{
    struct tm tm;
    time_local(time_now(), "Europe/Rome", &tm);
    return tm.tm_year + 1900;
}

bool time_parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int yy = atoi(s), mm = atoi(s + 5), dd = atoi(s + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (yy < 1900 || mm < 1 || mm > 12 || dd < 1)
        return false;
    int max = mdays[mm - 1];
    if (mm == 2 && ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0))
        max = 29;
    if (dd > max)
        return false;
    *y = yy;
    *m = mm;
    *d = dd;
    return true;
}
