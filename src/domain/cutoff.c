#include "domain/cutoff.h"

#include <string.h>

#include "domain/school_calendar.h"
#include "util/msg.h"
#include "util/time.h"
#include "util/time_local.h"

static bool cutoff_minute_ok(int minute)
{
    return minute >= 0 && minute < CUTOFF_MINUTES_DAY;
}

bool cutoff_rule_valid(const struct cutoff_rule *rule)
{
    return cutoff_minute_ok(rule->latest_minute) &&
           (rule->earliest_minute == CUTOFF_NO_EARLIEST || cutoff_minute_ok(rule->earliest_minute));
}

enum cutoff_err cutoff_rule_parse(const char *latest, const char *earliest, struct cutoff_rule *out)
{
    int h, m;
    if (!latest || !time_parse_hhmm(latest, &h, &m))
        return CUTOFF_BAD_LATEST;
    int latest_minute = h * 60 + m, earliest_minute = CUTOFF_NO_EARLIEST;
    if (earliest && *earliest) {
        if (!time_parse_hhmm(earliest, &h, &m))
            return CUTOFF_BAD_EARLIEST;
        earliest_minute = h * 60 + m;
    }
    out->latest_minute = latest_minute;
    out->earliest_minute = earliest_minute;
    return CUTOFF_OK;
}

void cutoff_format_minute(int minute, char *out)
{
    if (!cutoff_minute_ok(minute)) {
        out[0] = '\0';
        return;
    }
    out[0] = (char)('0' + minute / 600);
    out[1] = (char)('0' + minute / 60 % 10);
    out[2] = ':';
    out[3] = (char)('0' + minute % 60 / 10);
    out[4] = (char)('0' + minute % 10);
    out[5] = '\0';
}

long cutoff_rome_day(time_t t)
{
    time_t local = t + time_rome_offset(t);
    /* Floor division, so an instant before 1970 lands on its own day too. */
    time_t day = local / 86400;
    if (local % 86400 < 0)
        day--;
    return (long)day;
}

time_t cutoff_rome_instant(long day, int minute)
{
    char date[SCHOOL_CALENDAR_DAY_SIZE], hhmm[CUTOFF_HHMM_SIZE], iso[TIME_ISO_MAX];
    school_calendar_format_day(day, date);
    cutoff_format_minute(minute, hhmm);
    /* time_rome_to_utc picks the first of a repeated time and refuses a skipped one; a gap
       starts and ends on a whole hour, so the next whole hour is the first instant after it. */
    enum time_local_err err = time_rome_to_utc(date, hhmm, iso);
    while (err == TIME_LOCAL_NO_SUCH && minute / 60 < 23) {
        minute = (minute / 60 + 1) * 60;
        cutoff_format_minute(minute, hhmm);
        err = time_rome_to_utc(date, hhmm, iso);
    }
    time_t t = 0;
    if (err != TIME_LOCAL_OK || !time_parse_iso(iso, &t))
        return (time_t)day * 86400 + (time_t)minute * 60 - 3600; /* not reached for valid input */
    return t;
}

time_t cutoff_closes_at(const struct cutoff_rule *rule, long day)
{
    return cutoff_rome_instant(day, rule->latest_minute);
}

bool cutoff_opens_at(const struct cutoff_rule *rule, long day, time_t *out)
{
    if (rule->earliest_minute == CUTOFF_NO_EARLIEST)
        return false;
    *out = cutoff_rome_instant(day - 1, rule->earliest_minute);
    return true;
}

enum cutoff_verdict cutoff_check(const struct cutoff_rule *rule, long day, time_t now,
                                 struct cutoff_decision *out)
{
    struct cutoff_decision d = {.verdict = CUTOFF_ALLOWED, .today = cutoff_rome_day(now)};
    d.closes_at = cutoff_closes_at(rule, day);
    bool opens = cutoff_opens_at(rule, day, &d.opens_at);
    if (day < d.today)
        d.verdict = CUTOFF_PAST;
    else if (now >= d.closes_at)
        d.verdict = CUTOFF_TOO_LATE;
    else if (opens && now < d.opens_at)
        d.verdict = CUTOFF_TOO_EARLY;
    if (out)
        *out = d;
    return d.verdict;
}

time_t cutoff_next(const struct cutoff_rule *rule, time_t after, long *day)
{
    /* The cut-off of the day `after` falls on, or failing that of the next day. */
    long d = cutoff_rome_day(after);
    time_t t = cutoff_closes_at(rule, d);
    if (t <= after) {
        d++;
        t = cutoff_closes_at(rule, d);
    }
    if (day)
        *day = d;
    return t;
}

/* An instant as the Rome "dd/mm/yyyy" and "HH:MM". */
static void cutoff_rome_text(time_t t, char *day, char *hhmm)
{
    char ymd[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(cutoff_rome_day(t), ymd);
    memcpy(day, ymd + 8, 2);
    day[2] = '/';
    memcpy(day + 3, ymd + 5, 2);
    day[5] = '/';
    memcpy(day + 6, ymd, 4);
    day[10] = '\0';
    time_t local = t + time_rome_offset(t);
    cutoff_format_minute((int)(((local % 86400) + 86400) % 86400 / 60), hhmm);
}

void cutoff_explain(const struct cutoff_rule *rule, long day, struct cutoff_explain *out)
{
    memset(out, 0, sizeof(*out));
    cutoff_rome_text(cutoff_closes_at(rule, day), out->day, out->closes_time);
    time_t opens;
    if (cutoff_opens_at(rule, day, &opens))
        cutoff_rome_text(opens, out->opens_day, out->opens_time);
}

const char *cutoff_strerror(enum cutoff_err err)
{
    switch (err) {
    case CUTOFF_OK:
        return "";
    case CUTOFF_BAD_LATEST:
    case CUTOFF_BAD_EARLIEST:
        return N_("Enter a time as hh:mm, for example 09:30.");
    }
    return "";
}
