#include "util/time_local.h"

#include "util/arena.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/time.h"

static bool time_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int time_num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool time_parse_hhmm(const char *s, int *h, int *m)
{
    size_t hl = strcspn(s, ":.");
    if (hl < 1 || hl > 2 || !time_digits(s, hl) || (s[hl] != ':' && s[hl] != '.'))
        return false;
    const char *mm = s + hl + 1;
    if (!time_digits(mm, 2))
        return false;
    if (mm[2] != '\0' && !(mm[2] == ':' && mm[3] == '0' && mm[4] == '0' && mm[5] == '\0'))
        return false;
    int hv = time_num(s, hl), mv = time_num(mm, 2);
    if (hv > 23 || mv > 59)
        return false;
    *h = hv;
    *m = mv;
    return true;
}

bool time_parse_iso(const char *s, time_t *out)
{
    /* "YYYY-MM-DDTHH:MM:SSZ" */
    if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    char date[TIME_LOCAL_DATE_MAX];
    memcpy(date, s, 10);
    date[10] = '\0';
    int y, mo, d;
    if (!time_parse_date(date, &y, &mo, &d) || !time_digits(s + 11, 2) || !time_digits(s + 14, 2) ||
        !time_digits(s + 17, 2))
        return false;
    int h = time_num(s + 11, 2), mi = time_num(s + 14, 2), sec = time_num(s + 17, 2);
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *out = timegm(&tm);
    return true;
}

enum time_local_err time_rome_to_utc(const char *date, const char *hhmm, char *out)
{
    int y, mo, d, h, mi;
    if (!time_parse_date(date, &y, &mo, &d))
        return TIME_LOCAL_BAD_DATE;
    if (!time_parse_hhmm(hhmm, &h, &mi))
        return TIME_LOCAL_BAD_TIME;
    /* The wall-clock reading as if it were UTC, then each of the zone's two offsets: a reading
       is valid under an offset when the zone has that offset at the resulting instant. */
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    time_t wall = timegm(&tm);
    static const long offsets[] = {7200, 3600}; /* summer time first: the earlier instant */
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        time_t t = wall - offsets[i];
        if (time_rome_offset(t) == offsets[i]) {
            time_iso(t, out);
            return TIME_LOCAL_OK;
        }
    }
    return TIME_LOCAL_NO_SUCH;
}

bool time_utc_to_rome(const char *iso, char *date, char *hhmm)
{
    time_t t;
    if (!time_parse_iso(iso, &t))
        return false;
    time_t local = t + time_rome_offset(t);
    struct tm tm;
    gmtime_r(&local, &tm);
    if (tm.tm_year + 1900 > 9999)
        return false;
    strftime(date, TIME_LOCAL_DATE_MAX, "%Y-%m-%d", &tm);
    strftime(hhmm, TIME_LOCAL_HHMM_MAX, "%H:%M", &tm);
    return true;
}

const char *time_rome_display(struct arena *a, const char *iso)
{
    char date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX];
    if (!iso || !*iso || !time_utc_to_rome(iso, date, hhmm))
        return "";
    return arena_printf(a, "%.2s/%.2s/%.4s %s", date + 8, date + 5, date, hhmm);
}

const char *time_date_display(struct arena *a, const char *ymd)
{
    int y, m, d;
    if (!ymd || !time_parse_date(ymd, &y, &m, &d))
        return "";
    return arena_printf(a, "%02d/%02d/%04d", d, m, y);
}

bool time_date_add_days(const char *ymd, long days, char *out)
{
    int y, m, d;
    if (!time_parse_date(ymd, &y, &m, &d) || days < -400000 || days > 400000)
        return false;
    /* Noon, so the day never slips whatever the arithmetic. */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm) + (time_t)days * 86400;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999)
        return false;
    return strftime(out, TIME_LOCAL_DATE_MAX, "%Y-%m-%d", &tm) == TIME_LOCAL_DATE_MAX - 1;
}

bool time_rome_day_start(const char *ymd, long plus_days, char *out)
{
    char day[TIME_LOCAL_DATE_MAX];
    return time_date_add_days(ymd, plus_days, day) &&
           time_rome_to_utc(day, "00:00", out) == TIME_LOCAL_OK;
}
