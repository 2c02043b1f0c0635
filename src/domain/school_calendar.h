/*
 * School calendars: on which days a school serves meals, and whether one pupil eats on one day.
 * Pure rules, no I/O; the services load a school's year, weekdays and exceptions and ask here.
 *
 * Days are day numbers: whole days since 1970-01-01 in the proleptic Gregorian calendar (so
 * 2026-11-24 is 20781 and the day after is 20782). They are parsed from and written to the
 * stored "YYYY-MM-DD" form with school_calendar_parse_day (time_parse_date's strict rules, years
 * SCHOOL_CALENDAR_YEAR_MIN..MAX) and school_calendar_format_day. A day number is a calendar day,
 * not an instant: what "today" is, is decided in Europe/Rome (domain/cutoff.h).
 *
 * Italian national holidays (law 260/1949 as amended): 1 January, 6 January, Easter Monday,
 * 25 April, 1 May, 2 June (again a holiday from 2001; in 2000 it was moved to a Sunday), 15
 * August, 4 October (San Francesco, a holiday again from 2026, law of October 2025), 1 November,
 * 8 December, 25 and 26 December. Easter Sunday is the Gregorian computus (Meeus/Jones/Butcher).
 *
 * A calendar holds the first and last day of service of a school year, the ISO weekdays the
 * school serves ("12345": 1 Monday .. 7 Sunday, as enrollments store the family's choice), and
 * exceptions: one day or a range of days of a kind (local holiday such as the patron saint,
 * closure, strike, trip) for the whole school or for one class.
 *
 * A pupil eats on a day when the school serves it and the family chose that weekday. When not,
 * the reason is the first of these that holds, in this order:
 *
 *   1. before the first day / after the last day of service;
 *   2. a weekday the school does not serve (weekends, usually);
 *   3. a national holiday;
 *   4. a weekday the family did not choose;
 *   5. an exception covering the day for the whole school or for the pupil's class; when
 *      several do, the kind that comes first in enum school_calendar_kind (local holiday,
 *      closure, strike, trip), whatever their scope.
 *
 * So a family sees "not chosen" rather than "strike" on a day their child does not eat anyway,
 * and nobody is told about a strike on a Sunday.
 */
#ifndef REFETTORIO_DOMAIN_SCHOOL_CALENDAR_H
#define REFETTORIO_DOMAIN_SCHOOL_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHOOL_CALENDAR_YEAR_MIN  2000
#define SCHOOL_CALENDAR_YEAR_MAX  2100
#define SCHOOL_CALENDAR_DAY_SIZE  11  /* "YYYY-MM-DD" + NUL */
#define SCHOOL_CALENDAR_MONTH_MAX 31  /* days in a month */
#define SCHOOL_CALENDAR_RANGE_MAX 366 /* days in one range an office or family may enter */

/* What an exception is; the schema's words are school_calendar_kind_name's. */
enum school_calendar_kind {
    SCHOOL_CALENDAR_LOCAL_HOLIDAY, /* "holiday": the patron saint, a regional holiday */
    SCHOOL_CALENDAR_CLOSURE,       /* "closure": the school is closed (elections, works) */
    SCHOOL_CALENDAR_STRIKE,        /* "strike": no meal service */
    SCHOOL_CALENDAR_TRIP,          /* "trip": the class (or school) is away */
};

/* One exception: the days from..to (day numbers, inclusive; equal for one day). */
struct school_calendar_exception {
    long from, to;
    enum school_calendar_kind kind;
    int64_t class_id; /* 0: the whole school; otherwise only that class */
};

/* A school's calendar for one school year. */
struct school_calendar {
    long first_day, last_day; /* day numbers, inclusive */
    const char *weekdays;     /* ISO digits the school serves, increasing: "12345" */
    const struct school_calendar_exception *exceptions;
    size_t nexceptions;
};

/* Whether a pupil eats on a day, and if not why (the order above). */
enum school_calendar_reason {
    SCHOOL_CALENDAR_SERVICE = 0, /* the pupil eats */
    SCHOOL_CALENDAR_BEFORE_FIRST,
    SCHOOL_CALENDAR_AFTER_LAST,
    SCHOOL_CALENDAR_SCHOOL_WEEKDAY, /* a weekday the school does not serve */
    SCHOOL_CALENDAR_NATIONAL_HOLIDAY,
    SCHOOL_CALENDAR_FAMILY_WEEKDAY, /* a weekday the family did not choose */
    SCHOOL_CALENDAR_HOLIDAY,        /* a local holiday exception */
    SCHOOL_CALENDAR_CLOSED,         /* a closure exception */
    SCHOOL_CALENDAR_STRIKE_DAY,     /* a strike exception */
    SCHOOL_CALENDAR_TRIP_DAY,       /* a trip exception */
};

enum school_calendar_err {
    SCHOOL_CALENDAR_OK = 0,
    SCHOOL_CALENDAR_BAD_DATE,       /* not a real "YYYY-MM-DD" date in YEAR_MIN..YEAR_MAX */
    SCHOOL_CALENDAR_OUTSIDE_YEAR,   /* a day before the first or after the last day of service */
    SCHOOL_CALENDAR_BAD_RANGE,      /* a range that ends before it starts */
    SCHOOL_CALENDAR_RANGE_TOO_LONG, /* a range longer than allowed */
    SCHOOL_CALENDAR_BAD_WEEKDAYS,   /* not a non-empty increasing set of ISO digits 1..7 */
    SCHOOL_CALENDAR_BAD_EXCEPTION,  /* an exception with an unknown kind, a negative class or a
                                       range that ends before it starts */
};

/* Days. */

/* "YYYY-MM-DD" (strict, years YEAR_MIN..YEAR_MAX) to a day number. */
bool school_calendar_parse_day(const char *ymd, long *day);
/* A day number as "YYYY-MM-DD" into out[SCHOOL_CALENDAR_DAY_SIZE]. */
void school_calendar_format_day(long day, char *out);
/* The day number of a date, and back (no checks: the caller has a real date). */
long school_calendar_day(int y, int m, int d);
void school_calendar_ymd(long day, int *y, int *m, int *d);
/* ISO weekday: 1 Monday .. 7 Sunday. */
int school_calendar_weekday(long day);
/* Days in a month (1..12) of a year. */
int school_calendar_month_length(int y, int m);

/* National holidays. */

/* Easter Sunday of a Gregorian year (1583 and later). */
void school_calendar_easter(int year, int *month, int *day);
/* Whether the day is a national holiday (the list above); *name (may be NULL) gets its English
   name as an N_() msgid, e.g. "Liberation Day", to translate where it is shown. */
bool school_calendar_national_holiday(long day, const char **name);

/* Calendars. */

/* Checks a calendar before it is used: first_day <= last_day, weekdays valid, every exception
   valid. The functions below assume a calendar that passed. */
enum school_calendar_err school_calendar_check(const struct school_calendar *cal);
/* Whether a pupil of class_id (0: no class, only whole-school exceptions apply) who chose
   pupil_weekdays (NULL: every weekday the school serves) eats on day. *reason (may be NULL)
   gets SCHOOL_CALENDAR_SERVICE or why not. */
bool school_calendar_has_service(const struct school_calendar *cal, long day, int64_t class_id,
                                 const char *pupil_weekdays, enum school_calendar_reason *reason);

/* A month for a family's calendar page: for each day of the month the reason, SERVICE on the
   days the pupil eats. */
struct school_calendar_month {
    int year, month;
    int ndays;         /* 28..31 */
    long first;        /* day number of the 1st */
    int first_weekday; /* ISO weekday of the 1st, to lay out the grid */
    int nservice;      /* days the pupil eats */
    enum school_calendar_reason reason[SCHOOL_CALENDAR_MONTH_MAX]; /* [day of month - 1] */
};
/* Fills out for month (1..12) of year (YEAR_MIN..YEAR_MAX); false for another month. */
bool school_calendar_month(const struct school_calendar *cal, int year, int month, int64_t class_id,
                           const char *pupil_weekdays, struct school_calendar_month *out);
/* Days from..to (inclusive) on which the pupil eats; 0 when from > to. */
long school_calendar_count_service(const struct school_calendar *cal, long from, long to,
                                   int64_t class_id, const char *pupil_weekdays);
/* The first day after `after` on which the pupil eats (a resume date): false when none is left
   in the school year. */
bool school_calendar_next_service(const struct school_calendar *cal, long after, int64_t class_id,
                                  const char *pupil_weekdays, long *out);

/* Input checks. */

/* A non-empty strictly increasing set of ISO digits 1..7 ("12345", "135"). */
bool school_calendar_weekdays_valid(const char *weekdays);
/* A typed day that must fall within the school year: BAD_DATE or OUTSIDE_YEAR when not. */
enum school_calendar_err school_calendar_check_day(const struct school_calendar *cal,
                                                   const char *ymd, long *day);
/* A typed range from..to: both days as above, from <= to (BAD_RANGE), and at most max_days
   days long counting both ends (RANGE_TOO_LONG). */
enum school_calendar_err school_calendar_check_range(const struct school_calendar *cal,
                                                     const char *from_ymd, const char *to_ymd,
                                                     long max_days, long *from, long *to);

/* Names. */

/* "holiday", "closure", "strike", "trip" (the schema's words) and back. */
const char *school_calendar_kind_name(enum school_calendar_kind kind);
bool school_calendar_kind_parse(const char *s, enum school_calendar_kind *out);
/* For people, as N_() msgids: "Meal service", "Before the first day of service", ... */
const char *school_calendar_reason_text(enum school_calendar_reason reason);
/* For the field next to a typed date, as N_() msgids. */
const char *school_calendar_strerror(enum school_calendar_err err);

#endif
