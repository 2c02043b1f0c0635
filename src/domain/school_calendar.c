#include "domain/school_calendar.h"

#include <string.h>
#include <time.h>

#include "util/msg.h"
#include "util/time.h"

long school_calendar_day(int y, int m, int d)
{
    /* timegm counts no leap seconds, so midnight UTC is an exact multiple of a day. */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    return (long)(timegm(&tm) / 86400);
}

void school_calendar_ymd(long day, int *y, int *m, int *d)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

int school_calendar_weekday(long day)
{
    /* 1970-01-01 (day 0) was a Thursday, ISO 4. */
    return (int)(((day % 7) + 7 + 3) % 7) + 1;
}

int school_calendar_month_length(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return mdays[m - 1];
}

bool school_calendar_parse_day(const char *ymd, long *day)
{
    int y, m, d;
    if (!ymd || !time_parse_date(ymd, &y, &m, &d) || y < SCHOOL_CALENDAR_YEAR_MIN ||
        y > SCHOOL_CALENDAR_YEAR_MAX)
        return false;
    *day = school_calendar_day(y, m, d);
    return true;
}

void school_calendar_format_day(long day, char *out)
{
    int y, m, d;
    school_calendar_ymd(day, &y, &m, &d);
    /* The year is bounded so the text always fits; a wild day number is cut, not overflowed. */
    if (y < 0 || y > 9999)
        y = 0;
    static const char digits[] = "0123456789";
    out[0] = digits[y / 1000];
    out[1] = digits[y / 100 % 10];
    out[2] = digits[y / 10 % 10];
    out[3] = digits[y % 10];
    out[4] = '-';
    out[5] = digits[m / 10];
    out[6] = digits[m % 10];
    out[7] = '-';
    out[8] = digits[d / 10];
    out[9] = digits[d % 10];
    out[10] = '\0';
}

void school_calendar_easter(int year, int *month, int *day)
{
    /* The anonymous Gregorian algorithm (Meeus, Jones, Butcher). */
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    *month = (h + l - 7 * m + 114) / 31;
    *day = (h + l - 7 * m + 114) % 31 + 1;
}

bool school_calendar_national_holiday(long day, const char **name)
{
    static const struct {
        int m, d;
        int since; /* first year it is a holiday */
        const char *name;
    } fixed[] = {
        {1, 1, 0, N_("New Year's Day")},
        {1, 6, 0, N_("Epiphany")},
        {4, 25, 0, N_("Liberation Day")},
        {5, 1, 0, N_("Labour Day")},
        {6, 2, 2001, N_("Republic Day")},
        {8, 15, 0, N_("Assumption Day")},
        {10, 4, 2026, N_("Saint Francis of Assisi Day")},
        {11, 1, 0, N_("All Saints' Day")},
        {12, 8, 0, N_("Immaculate Conception")},
        {12, 25, 0, N_("Christmas Day")},
        {12, 26, 0, N_("Saint Stephen's Day")},
    };
    int y, m, d;
    school_calendar_ymd(day, &y, &m, &d);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (fixed[i].m == m && fixed[i].d == d && y >= fixed[i].since) {
            if (name)
                *name = fixed[i].name;
            return true;
        }
    int em, ed;
    school_calendar_easter(y, &em, &ed);
    if (day == school_calendar_day(y, em, ed) + 1) {
        if (name)
            *name = N_("Easter Monday");
        return true;
    }
    return false;
}

bool school_calendar_weekdays_valid(const char *weekdays)
{
    if (!weekdays || !*weekdays)
        return false;
    char prev = '0';
    for (const char *p = weekdays; *p; p++) {
        if (*p < '1' || *p > '7' || *p <= prev)
            return false;
        prev = *p;
    }
    return true;
}

static bool school_calendar_weekday_in(const char *set, int weekday)
{
    return strchr(set, '0' + weekday) != NULL;
}

static bool school_calendar_day_in_range(long day)
{
    return day >= school_calendar_day(SCHOOL_CALENDAR_YEAR_MIN, 1, 1) &&
           day <= school_calendar_day(SCHOOL_CALENDAR_YEAR_MAX, 12, 31);
}

enum school_calendar_err school_calendar_check(const struct school_calendar *cal)
{
    if (!school_calendar_day_in_range(cal->first_day) ||
        !school_calendar_day_in_range(cal->last_day))
        return SCHOOL_CALENDAR_BAD_DATE;
    if (cal->first_day > cal->last_day)
        return SCHOOL_CALENDAR_BAD_RANGE;
    if (!school_calendar_weekdays_valid(cal->weekdays))
        return SCHOOL_CALENDAR_BAD_WEEKDAYS;
    if (cal->nexceptions > 0 && !cal->exceptions)
        return SCHOOL_CALENDAR_BAD_EXCEPTION;
    for (size_t i = 0; i < cal->nexceptions; i++) {
        const struct school_calendar_exception *e = &cal->exceptions[i];
        if ((int)e->kind < (int)SCHOOL_CALENDAR_LOCAL_HOLIDAY ||
            (int)e->kind > (int)SCHOOL_CALENDAR_TRIP || e->class_id < 0 || e->from > e->to)
            return SCHOOL_CALENDAR_BAD_EXCEPTION;
    }
    return SCHOOL_CALENDAR_OK;
}

bool school_calendar_has_service(const struct school_calendar *cal, long day, int64_t class_id,
                                 const char *pupil_weekdays, enum school_calendar_reason *reason)
{
    enum school_calendar_reason r = SCHOOL_CALENDAR_SERVICE;
    int weekday = school_calendar_weekday(day);
    if (day < cal->first_day)
        r = SCHOOL_CALENDAR_BEFORE_FIRST;
    else if (day > cal->last_day)
        r = SCHOOL_CALENDAR_AFTER_LAST;
    else if (!school_calendar_weekday_in(cal->weekdays, weekday))
        r = SCHOOL_CALENDAR_SCHOOL_WEEKDAY;
    else if (school_calendar_national_holiday(day, NULL))
        r = SCHOOL_CALENDAR_NATIONAL_HOLIDAY;
    else if (pupil_weekdays && !school_calendar_weekday_in(pupil_weekdays, weekday))
        r = SCHOOL_CALENDAR_FAMILY_WEEKDAY;
    else {
        /* The kinds map in order onto the reasons HOLIDAY..TRIP_DAY; the first kind wins. */
        int best = -1;
        for (size_t i = 0; i < cal->nexceptions; i++) {
            const struct school_calendar_exception *e = &cal->exceptions[i];
            if (day < e->from || day > e->to || (e->class_id != 0 && e->class_id != class_id))
                continue;
            if (best < 0 || (int)e->kind < best)
                best = (int)e->kind;
        }
        if (best >= 0)
            r = (enum school_calendar_reason)(SCHOOL_CALENDAR_HOLIDAY + best);
    }
    if (reason)
        *reason = r;
    return r == SCHOOL_CALENDAR_SERVICE;
}

bool school_calendar_month(const struct school_calendar *cal, int year, int month, int64_t class_id,
                           const char *pupil_weekdays, struct school_calendar_month *out)
{
    if (year < SCHOOL_CALENDAR_YEAR_MIN || year > SCHOOL_CALENDAR_YEAR_MAX || month < 1 ||
        month > 12)
        return false;
    memset(out, 0, sizeof(*out));
    out->year = year;
    out->month = month;
    out->ndays = school_calendar_month_length(year, month);
    out->first = school_calendar_day(year, month, 1);
    out->first_weekday = school_calendar_weekday(out->first);
    for (int i = 0; i < out->ndays; i++)
        if (school_calendar_has_service(cal, out->first + i, class_id, pupil_weekdays,
                                        &out->reason[i]))
            out->nservice++;
    return true;
}

long school_calendar_count_service(const struct school_calendar *cal, long from, long to,
                                   int64_t class_id, const char *pupil_weekdays)
{
    /* Days outside the school year never have service, so the loop is bounded by its length. */
    if (from < cal->first_day)
        from = cal->first_day;
    if (to > cal->last_day)
        to = cal->last_day;
    long n = 0;
    for (long day = from; day <= to; day++)
        if (school_calendar_has_service(cal, day, class_id, pupil_weekdays, NULL))
            n++;
    return n;
}

bool school_calendar_next_service(const struct school_calendar *cal, long after, int64_t class_id,
                                  const char *pupil_weekdays, long *out)
{
    long day = after < cal->first_day ? cal->first_day : after + 1;
    for (; day <= cal->last_day; day++)
        if (school_calendar_has_service(cal, day, class_id, pupil_weekdays, NULL)) {
            *out = day;
            return true;
        }
    return false;
}

enum school_calendar_err school_calendar_check_day(const struct school_calendar *cal,
                                                   const char *ymd, long *day)
{
    long d;
    if (!school_calendar_parse_day(ymd, &d))
        return SCHOOL_CALENDAR_BAD_DATE;
    if (d < cal->first_day || d > cal->last_day)
        return SCHOOL_CALENDAR_OUTSIDE_YEAR;
    *day = d;
    return SCHOOL_CALENDAR_OK;
}

enum school_calendar_err school_calendar_check_range(const struct school_calendar *cal,
                                                     const char *from_ymd, const char *to_ymd,
                                                     long max_days, long *from, long *to)
{
    long f, t;
    enum school_calendar_err err = school_calendar_check_day(cal, from_ymd, &f);
    if (err == SCHOOL_CALENDAR_OK)
        err = school_calendar_check_day(cal, to_ymd, &t);
    if (err != SCHOOL_CALENDAR_OK)
        return err;
    if (f > t)
        return SCHOOL_CALENDAR_BAD_RANGE;
    if (t - f + 1 > max_days)
        return SCHOOL_CALENDAR_RANGE_TOO_LONG;
    *from = f;
    *to = t;
    return SCHOOL_CALENDAR_OK;
}

static const char *const school_calendar_kind_names[] = {"holiday", "closure", "strike", "trip"};

const char *school_calendar_kind_name(enum school_calendar_kind kind)
{
    if ((int)kind < 0 || (int)kind > (int)SCHOOL_CALENDAR_TRIP)
        return "";
    return school_calendar_kind_names[kind];
}

bool school_calendar_kind_parse(const char *s, enum school_calendar_kind *out)
{
    if (!s)
        return false;
    for (int k = SCHOOL_CALENDAR_LOCAL_HOLIDAY; k <= SCHOOL_CALENDAR_TRIP; k++)
        if (strcmp(s, school_calendar_kind_names[k]) == 0) {
            *out = (enum school_calendar_kind)k;
            return true;
        }
    return false;
}

const char *school_calendar_reason_text(enum school_calendar_reason reason)
{
    switch (reason) {
    case SCHOOL_CALENDAR_SERVICE:
        return N_("Meal service");
    case SCHOOL_CALENDAR_BEFORE_FIRST:
        return N_("Before the first day of service");
    case SCHOOL_CALENDAR_AFTER_LAST:
        return N_("After the last day of service");
    case SCHOOL_CALENDAR_SCHOOL_WEEKDAY:
        return N_("No service on this weekday");
    case SCHOOL_CALENDAR_NATIONAL_HOLIDAY:
        return N_("National holiday");
    case SCHOOL_CALENDAR_FAMILY_WEEKDAY:
        return N_("Weekday not chosen");
    case SCHOOL_CALENDAR_HOLIDAY:
        return N_("Local holiday");
    case SCHOOL_CALENDAR_CLOSED:
        return N_("School closed");
    case SCHOOL_CALENDAR_STRIKE_DAY:
        return N_("Strike");
    case SCHOOL_CALENDAR_TRIP_DAY:
        return N_("School trip");
    }
    return "";
}

const char *school_calendar_strerror(enum school_calendar_err err)
{
    switch (err) {
    case SCHOOL_CALENDAR_OK:
        return "";
    case SCHOOL_CALENDAR_BAD_DATE:
        return N_("Enter a valid date.");
    case SCHOOL_CALENDAR_OUTSIDE_YEAR:
        return N_("The date is outside the school year.");
    case SCHOOL_CALENDAR_BAD_RANGE:
        return N_("The end date cannot be before the start date.");
    case SCHOOL_CALENDAR_RANGE_TOO_LONG:
        return N_("The period is too long.");
    case SCHOOL_CALENDAR_BAD_WEEKDAYS:
        return N_("Choose at least one weekday.");
    case SCHOOL_CALENDAR_BAD_EXCEPTION:
        return N_("The calendar entry is not valid.");
    }
    return "";
}
