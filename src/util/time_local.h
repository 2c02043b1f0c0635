/*
 * Wall-clock time in Europe/Rome, both ways: what the office types (a date and a time of day,
 * Italian local time) to the UTC instant we store, and a stored UTC instant back to the local
 * date and time people read. The zone rule is time.c's (CET, EU summer time from 01:00 UTC on
 * the last Sunday of March to 01:00 UTC on the last Sunday of October), so nothing depends on
 * the host's TZ or tzdata.
 *
 * The two hours that the rule makes odd: in spring 02:00-02:59 does not exist (clocks go from
 * 02:00 to 03:00), and is refused; in autumn 02:00-02:59 happens twice, and the first one (still
 * summer time) is chosen.
 */
#ifndef REFETTORIO_UTIL_TIME_LOCAL_H
#define REFETTORIO_UTIL_TIME_LOCAL_H

#include <stdbool.h>
#include <time.h>

#define TIME_LOCAL_DATE_MAX 11 /* "YYYY-MM-DD" */
#define TIME_LOCAL_HHMM_MAX 6  /* "HH:MM" */

enum time_local_err {
    TIME_LOCAL_OK = 0,
    TIME_LOCAL_BAD_DATE, /* not a real "YYYY-MM-DD" date */
    TIME_LOCAL_BAD_TIME, /* not "HH:MM" within 00:00-23:59 */
    TIME_LOCAL_NO_SUCH,  /* the hour skipped when summer time starts */
};

/* Parse a time of day: "HH:MM", "H:MM", or with a dot as Italians often write it ("9.30").
   Seconds (":SS", as some browsers send) are accepted and must be 00. */
bool time_parse_hhmm(const char *s, int *h, int *m);
/* Parse a stored instant "YYYY-MM-DDTHH:MM:SSZ" strictly. */
bool time_parse_iso(const char *s, time_t *out);
/* Europe/Rome date ("YYYY-MM-DD") and time (time_parse_hhmm) to the UTC instant, written as
   "YYYY-MM-DDTHH:MM:SSZ" into out[TIME_ISO_MAX]. */
enum time_local_err time_rome_to_utc(const char *date, const char *hhmm, char *out);
/* The date days after ymd (negative: before), into out[TIME_LOCAL_DATE_MAX]; false when ymd is
   malformed. */
bool time_date_add_days(const char *ymd, long days, char *out);
/* The UTC instant ("YYYY-MM-DDTHH:MM:SSZ", out[TIME_ISO_MAX]) of midnight in Europe/Rome at the
   start of day ymd + plus_days: the bound of "from this Rome day" filters. False when malformed. */
bool time_rome_day_start(const char *ymd, long plus_days, char *out);
/* A stored UTC instant to the Europe/Rome date ("YYYY-MM-DD", date[TIME_LOCAL_DATE_MAX]) and
   time ("HH:MM", hhmm[TIME_LOCAL_HHMM_MAX]); false when iso is malformed. */
bool time_utc_to_rome(const char *iso, char *date, char *hhmm);

/* For people: a stored UTC instant as "dd/mm/yyyy hh:mm" in Europe/Rome, and a "YYYY-MM-DD"
   date as "dd/mm/yyyy", in the arena; "" for an empty or malformed value. */
struct arena;
const char *time_rome_display(struct arena *a, const char *iso);
const char *time_date_display(struct arena *a, const char *ymd);

#endif
