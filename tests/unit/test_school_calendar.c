/* School calendars: day numbers, Easter and the national holidays, and every rule of
   domain/school_calendar.h deciding whether a pupil eats on a day, with the input checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/school_calendar.h"

static long day_of(const char *ymd)
{
    long d = -1;
    assert_true(school_calendar_parse_day(ymd, &d));
    return d;
}

static void test_day_numbers(void **state)
{
    long d;
    assert_true(school_calendar_parse_day("2026-11-24", &d));
    assert_int_equal(d, 20781);
    assert_true(school_calendar_parse_day("2000-01-01", &d));
    assert_int_equal(d, 10957);
    assert_true(school_calendar_parse_day("2100-12-31", &d));
    assert_int_equal(d, 47846);
    assert_int_equal(school_calendar_day(2026, 11, 24), 20781);
    assert_int_equal(school_calendar_day(1970, 1, 1), 0);
    assert_int_equal(school_calendar_day(2028, 3, 1) - school_calendar_day(2028, 2, 28), 2);
    assert_int_equal(school_calendar_day(2100, 3, 1) - school_calendar_day(2100, 2, 28), 1);

    char text[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(20781, text);
    assert_string_equal(text, "2026-11-24");
    school_calendar_format_day(day_of("2028-02-29"), text);
    assert_string_equal(text, "2028-02-29");
    /* Every day of the range goes there and back, and weekdays follow each other. */
    long first = day_of("2000-01-01"), last = day_of("2100-12-31");
    assert_int_equal(school_calendar_weekday(first), 6); /* a Saturday */
    for (long day = first; day <= last; day++) {
        int y, m, dd;
        school_calendar_ymd(day, &y, &m, &dd);
        assert_int_equal(school_calendar_day(y, m, dd), day);
        assert_true(dd >= 1 && dd <= school_calendar_month_length(y, m));
        school_calendar_format_day(day, text);
        long back = -1;
        assert_true(school_calendar_parse_day(text, &back));
        assert_int_equal(back, day);
        assert_int_equal(school_calendar_weekday(day), (int)((day - first + 5) % 7) + 1);
    }

    assert_int_equal(school_calendar_weekday(day_of("2026-11-23")), 1); /* Monday */
    assert_int_equal(school_calendar_weekday(day_of("2026-11-24")), 2);
    assert_int_equal(school_calendar_weekday(day_of("2026-11-29")), 7); /* Sunday */
    assert_int_equal(school_calendar_month_length(2026, 2), 28);
    assert_int_equal(school_calendar_month_length(2028, 2), 29);
    assert_int_equal(school_calendar_month_length(2100, 2), 28);
    assert_int_equal(school_calendar_month_length(2000, 2), 29);
    assert_int_equal(school_calendar_month_length(2026, 4), 30);
    assert_int_equal(school_calendar_month_length(2026, 12), 31);
}

static void test_bad_days(void **state)
{
    static const char *const bad[] = {
        "",
        "2026-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-04-31",
        "1999-12-31",
        "2101-01-01",
        "2026-1-01",
        "26-11-24",
        "24/11/2026",
        "2026-11-24x",
        "2026/11/24",
        " 2026-11-24",
        "2026-11-2a",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long d = 42;
        assert_false(school_calendar_parse_day(bad[i], &d));
        assert_int_equal(d, 42);
    }
    long d = 42;
    assert_false(school_calendar_parse_day(NULL, &d));
    assert_true(school_calendar_parse_day("2000-02-29", &d));
    assert_false(school_calendar_parse_day("2100-02-29", &d));
}

static void test_easter(void **state)
{
    static const struct {
        int y, m, d;
    } known[] = {
        {2000, 4, 23}, {2001, 4, 15}, {2002, 3, 31}, {2008, 3, 23}, {2011, 4, 24}, {2013, 3, 31},
        {2016, 3, 27}, {2019, 4, 21}, {2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2027, 3, 28},
        {2028, 4, 16}, {2029, 4, 1},  {2030, 4, 21}, {2035, 3, 25}, {2038, 4, 25}, {2043, 3, 29},
        {2049, 4, 18}, {2057, 4, 22}, {2076, 4, 19}, {2087, 4, 20}, {2095, 4, 24}, {2100, 3, 28},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        int m = 0, d = 0;
        school_calendar_easter(known[i].y, &m, &d);
        assert_int_equal(m, known[i].m);
        assert_int_equal(d, known[i].d);
        /* Easter Monday is the national holiday, Easter Sunday and Tuesday are not, unless one
           of them is 25 April (Easter 2000 on the 23rd, 2038 on the 25th). */
        long sunday = school_calendar_day(known[i].y, m, d);
        const char *name = NULL;
        assert_true(school_calendar_national_holiday(sunday + 1, &name));
        assert_string_equal(name, d == 24 ? "Liberation Day" : "Easter Monday");
        assert_int_equal(school_calendar_national_holiday(sunday, NULL), m == 4 && d == 25);
        assert_int_equal(school_calendar_national_holiday(sunday + 2, NULL), m == 4 && d == 23);
    }
    /* Every year of the range: a Sunday between 22 March and 25 April. */
    for (int y = SCHOOL_CALENDAR_YEAR_MIN; y <= SCHOOL_CALENDAR_YEAR_MAX; y++) {
        int m, d;
        school_calendar_easter(y, &m, &d);
        assert_true((m == 3 && d >= 22) || (m == 4 && d <= 25));
        assert_int_equal(school_calendar_weekday(school_calendar_day(y, m, d)), 7);
    }
}

static void expect_holiday(const char *ymd, const char *name)
{
    const char *got = NULL;
    assert_true(school_calendar_national_holiday(day_of(ymd), &got));
    assert_string_equal(got, name);
}

static int holidays_in(int year)
{
    int n = 0;
    for (long d = school_calendar_day(year, 1, 1); d <= school_calendar_day(year, 12, 31); d++)
        n += school_calendar_national_holiday(d, NULL);
    return n;
}

static void test_national_holidays(void **state)
{
    expect_holiday("2026-01-01", "New Year's Day");
    expect_holiday("2026-01-06", "Epiphany");
    expect_holiday("2026-04-06", "Easter Monday");
    expect_holiday("2026-04-25", "Liberation Day");
    expect_holiday("2026-05-01", "Labour Day");
    expect_holiday("2026-06-02", "Republic Day");
    expect_holiday("2026-08-15", "Assumption Day");
    expect_holiday("2026-10-04", "Saint Francis of Assisi Day");
    expect_holiday("2026-11-01", "All Saints' Day");
    expect_holiday("2026-12-08", "Immaculate Conception");
    expect_holiday("2026-12-25", "Christmas Day");
    expect_holiday("2026-12-26", "Saint Stephen's Day");
    expect_holiday("2027-03-29", "Easter Monday");
    expect_holiday("2038-04-26", "Easter Monday");
    expect_holiday("2100-03-29", "Easter Monday");
    expect_holiday("2100-12-26", "Saint Stephen's Day");
    expect_holiday("2000-01-01", "New Year's Day");

    static const char *const working[] = {
        "2026-01-02", "2026-01-07", "2026-04-05", "2026-04-07", "2026-04-24", "2026-05-02",
        "2026-06-01", "2026-08-14", "2026-08-16", "2026-10-05", "2026-11-02", "2026-11-24",
        "2026-12-07", "2026-12-24", "2026-12-27", "2026-12-31", "2026-03-19", "2026-11-04",
    };
    for (size_t i = 0; i < sizeof(working) / sizeof(working[0]); i++) {
        const char *name = "unchanged";
        assert_false(school_calendar_national_holiday(day_of(working[i]), &name));
        assert_string_equal(name, "unchanged");
    }
    /* 2 June again a holiday from 2001, 4 October from 2026. */
    assert_false(school_calendar_national_holiday(day_of("2000-06-02"), NULL));
    assert_true(school_calendar_national_holiday(day_of("2001-06-02"), NULL));
    assert_false(school_calendar_national_holiday(day_of("2025-10-04"), NULL));
    assert_true(school_calendar_national_holiday(day_of("2027-10-04"), NULL));
    assert_int_equal(holidays_in(2000), 10);
    assert_int_equal(holidays_in(2025), 11);
    assert_int_equal(holidays_in(2026), 12);
    assert_int_equal(holidays_in(2100), 12);
    /* Easter Monday falls on Liberation Day when Easter is on 24 April (2011, 2095): one day,
       named for the fixed holiday. Otherwise every year from 2026 has twelve. */
    expect_holiday("2011-04-25", "Liberation Day");
    expect_holiday("2095-04-25", "Liberation Day");
    assert_int_equal(holidays_in(2011), 10);
    for (int y = 2026; y <= SCHOOL_CALENDAR_YEAR_MAX; y++) {
        int m, d;
        school_calendar_easter(y, &m, &d);
        assert_int_equal(holidays_in(y), m == 4 && d == 24 ? 11 : 12);
    }
    assert_int_equal(holidays_in(2095), 11);
}

/* The school year 2026/27 of one school, Monday to Friday. */
#define CLASS_3A 7
#define CLASS_3B 8
#define CLASS_4A 9

static const struct school_calendar_exception exceptions[] = {
    /* Listed in no particular order: the kind decides, not the position. */
    {0, 0, SCHOOL_CALENDAR_TRIP, CLASS_3A},          /* 2027-04-20 */
    {0, 0, SCHOOL_CALENDAR_LOCAL_HOLIDAY, 0},        /* 2026-12-07, the patron saint */
    {0, 0, SCHOOL_CALENDAR_CLOSURE, 0},              /* 2026-12-23 .. 2027-01-06, Christmas */
    {0, 0, SCHOOL_CALENDAR_STRIKE, 0},               /* 2027-02-10 */
    {0, 0, SCHOOL_CALENDAR_TRIP, CLASS_3A},          /* 2027-03-15 */
    {0, 0, SCHOOL_CALENDAR_CLOSURE, CLASS_3B},       /* 2027-03-15 .. 2027-03-16 */
    {0, 0, SCHOOL_CALENDAR_STRIKE, 0},               /* 2027-04-20 */
    {0, 0, SCHOOL_CALENDAR_STRIKE, 0},               /* 2027-02-09, a Tuesday */
    {0, 0, SCHOOL_CALENDAR_LOCAL_HOLIDAY, CLASS_4A}, /* 2027-04-20 */
};

static struct school_calendar_exception ex[sizeof(exceptions) / sizeof(exceptions[0])];

static struct school_calendar year_2026(void)
{
    static const char *const ranges[][2] = {
        {"2027-04-20", "2027-04-20"}, {"2026-12-07", "2026-12-07"}, {"2026-12-23", "2027-01-06"},
        {"2027-02-10", "2027-02-10"}, {"2027-03-15", "2027-03-15"}, {"2027-03-15", "2027-03-16"},
        {"2027-04-20", "2027-04-20"}, {"2027-02-09", "2027-02-09"}, {"2027-04-20", "2027-04-20"},
    };
    for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
        ex[i] = exceptions[i];
        ex[i].from = day_of(ranges[i][0]);
        ex[i].to = day_of(ranges[i][1]);
    }
    struct school_calendar cal = {.first_day = day_of("2026-09-14"),
                                  .last_day = day_of("2027-06-08"),
                                  .weekdays = "12345",
                                  .exceptions = ex,
                                  .nexceptions = sizeof(ex) / sizeof(ex[0])};
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_OK);
    return cal;
}

static void expect(const struct school_calendar *cal, const char *ymd, int64_t class_id,
                   const char *weekdays, enum school_calendar_reason want)
{
    enum school_calendar_reason got = (enum school_calendar_reason) - 1;
    bool eats = school_calendar_has_service(cal, day_of(ymd), class_id, weekdays, &got);
    assert_int_equal(got, want);
    assert_int_equal(eats, want == SCHOOL_CALENDAR_SERVICE);
    assert_int_equal(school_calendar_has_service(cal, day_of(ymd), class_id, weekdays, NULL), eats);
}

static void test_year_edges(void **state)
{
    struct school_calendar cal = year_2026();
    expect(&cal, "2026-09-13", CLASS_3A, "12345", SCHOOL_CALENDAR_BEFORE_FIRST);
    expect(&cal, "2026-09-11", CLASS_3A, "12345", SCHOOL_CALENDAR_BEFORE_FIRST); /* a Friday */
    expect(&cal, "2000-01-03", CLASS_3A, "12345", SCHOOL_CALENDAR_BEFORE_FIRST);
    expect(&cal, "2026-09-14", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2027-06-08", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2027-06-09", CLASS_3A, "12345", SCHOOL_CALENDAR_AFTER_LAST);
    expect(&cal, "2027-09-13", CLASS_3A, "12345", SCHOOL_CALENDAR_AFTER_LAST);
    /* A one-day year. */
    cal.first_day = cal.last_day = day_of("2026-11-24");
    expect(&cal, "2026-11-24", 0, NULL, SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2026-11-23", 0, NULL, SCHOOL_CALENDAR_BEFORE_FIRST);
    expect(&cal, "2026-11-25", 0, NULL, SCHOOL_CALENDAR_AFTER_LAST);
}

static void test_weekdays(void **state)
{
    struct school_calendar cal = year_2026();
    /* Week of 23 November 2026: Monday to Sunday. */
    static const char *const week[] = {"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26",
                                       "2026-11-27", "2026-11-28", "2026-11-29"};
    for (int i = 0; i < 7; i++) {
        enum school_calendar_reason school =
            i < 5 ? SCHOOL_CALENDAR_SERVICE : SCHOOL_CALENDAR_SCHOOL_WEEKDAY;
        expect(&cal, week[i], CLASS_3A, "12345", school);
        expect(&cal, week[i], CLASS_3A, NULL, school);
        /* Monday, Wednesday, Friday. */
        enum school_calendar_reason family =
            i >= 5 ? SCHOOL_CALENDAR_SCHOOL_WEEKDAY
                   : (i % 2 == 0 ? SCHOOL_CALENDAR_SERVICE : SCHOOL_CALENDAR_FAMILY_WEEKDAY);
        expect(&cal, week[i], CLASS_3A, "135", family);
        /* A family that chose Saturday at a school that does not serve it does not eat. */
        expect(&cal, week[i], CLASS_3A, "6",
               i == 5   ? SCHOOL_CALENDAR_SCHOOL_WEEKDAY
               : i == 6 ? SCHOOL_CALENDAR_SCHOOL_WEEKDAY
                        : SCHOOL_CALENDAR_FAMILY_WEEKDAY);
    }
    /* A school that serves Saturdays too. */
    cal.weekdays = "123456";
    expect(&cal, "2026-11-28", CLASS_3A, NULL, SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2026-11-28", CLASS_3A, "6", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2026-11-28", CLASS_3A, "12345", SCHOOL_CALENDAR_FAMILY_WEEKDAY);
    expect(&cal, "2026-11-29", CLASS_3A, "1234567", SCHOOL_CALENDAR_SCHOOL_WEEKDAY);
    /* 1 May 2027 is a Saturday: served Saturdays, so the holiday shows. */
    expect(&cal, "2027-05-01", CLASS_3A, NULL, SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    cal.weekdays = "12345";
    expect(&cal, "2027-05-01", CLASS_3A, NULL, SCHOOL_CALENDAR_SCHOOL_WEEKDAY);
}

static void test_national_holidays_in_year(void **state)
{
    struct school_calendar cal = year_2026();
    expect(&cal, "2026-12-08", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2026-12-08", CLASS_3A, "135", SCHOOL_CALENDAR_NATIONAL_HOLIDAY); /* Tuesday */
    expect(&cal, "2027-03-29", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2027-06-02", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2027-03-30", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2027-03-26", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2026-11-02", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    /* Inside the Christmas closure the holidays still say so. */
    expect(&cal, "2026-12-25", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2027-01-01", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2027-01-06", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    /* The next year: 4 October 2027 is a Monday. */
    cal.first_day = day_of("2027-09-13");
    cal.last_day = day_of("2028-06-07");
    expect(&cal, "2027-10-04", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2027-10-05", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2028-04-17", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    expect(&cal, "2028-04-25", CLASS_3A, "12345", SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
}

static void test_exceptions(void **state)
{
    struct school_calendar cal = year_2026();
    /* Whole school: every class and a pupil with no class. */
    static const int64_t classes[] = {CLASS_3A, CLASS_3B, CLASS_4A, 0, 99};
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        int64_t c = classes[i];
        expect(&cal, "2026-12-07", c, "12345", SCHOOL_CALENDAR_HOLIDAY);
        expect(&cal, "2026-12-04", c, "12345", SCHOOL_CALENDAR_SERVICE);
        expect(&cal, "2026-12-22", c, "12345", SCHOOL_CALENDAR_SERVICE);
        expect(&cal, "2026-12-23", c, "12345", SCHOOL_CALENDAR_CLOSED); /* first day of range */
        expect(&cal, "2026-12-31", c, "12345", SCHOOL_CALENDAR_CLOSED);
        expect(&cal, "2027-01-05", c, "12345", SCHOOL_CALENDAR_CLOSED);
        expect(&cal, "2027-01-07", c, "12345", SCHOOL_CALENDAR_SERVICE); /* the day after */
        expect(&cal, "2027-02-10", c, "12345", SCHOOL_CALENDAR_STRIKE_DAY);
        expect(&cal, "2027-02-11", c, "12345", SCHOOL_CALENDAR_SERVICE);
    }
    /* One class only. */
    expect(&cal, "2027-03-15", CLASS_3A, "12345", SCHOOL_CALENDAR_TRIP_DAY);
    expect(&cal, "2027-03-15", CLASS_3B, "12345", SCHOOL_CALENDAR_CLOSED);
    expect(&cal, "2027-03-16", CLASS_3B, "12345", SCHOOL_CALENDAR_CLOSED);
    expect(&cal, "2027-03-17", CLASS_3B, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2027-03-16", CLASS_3A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2027-03-15", CLASS_4A, "12345", SCHOOL_CALENDAR_SERVICE);
    expect(&cal, "2027-03-15", 0, "12345", SCHOOL_CALENDAR_SERVICE);
    /* Several on one day: the first kind wins, whatever the scope or the order of the list. */
    expect(&cal, "2027-04-20", CLASS_3A, "12345", SCHOOL_CALENDAR_STRIKE_DAY); /* strike, trip */
    expect(&cal, "2027-04-20", CLASS_4A, "12345", SCHOOL_CALENDAR_HOLIDAY);    /* holiday, strike */
    expect(&cal, "2027-04-20", CLASS_3B, "12345", SCHOOL_CALENDAR_STRIKE_DAY);
    /* The family's weekday comes before an exception, the exception before a chosen day. */
    expect(&cal, "2027-02-09", CLASS_3A, "135", SCHOOL_CALENDAR_FAMILY_WEEKDAY); /* Tuesday */
    expect(&cal, "2027-02-09", CLASS_3A, "2", SCHOOL_CALENDAR_STRIKE_DAY);
    expect(&cal, "2027-02-10", CLASS_3A, "135", SCHOOL_CALENDAR_STRIKE_DAY); /* Wednesday */
    /* An exception outside the year or on a weekend changes nothing. */
    struct school_calendar_exception weekend[] = {
        {day_of("2026-11-28"), day_of("2026-11-29"), SCHOOL_CALENDAR_STRIKE, 0},
        {day_of("2027-06-09"), day_of("2027-06-30"), SCHOOL_CALENDAR_CLOSURE, 0},
    };
    cal.exceptions = weekend;
    cal.nexceptions = 2;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_OK);
    expect(&cal, "2026-11-28", CLASS_3A, NULL, SCHOOL_CALENDAR_SCHOOL_WEEKDAY);
    expect(&cal, "2027-06-09", CLASS_3A, NULL, SCHOOL_CALENDAR_AFTER_LAST);
    expect(&cal, "2026-12-07", CLASS_3A, NULL, SCHOOL_CALENDAR_SERVICE);
    /* No exceptions at all. */
    cal.exceptions = NULL;
    cal.nexceptions = 0;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_OK);
    expect(&cal, "2027-02-10", CLASS_3A, NULL, SCHOOL_CALENDAR_SERVICE);
}

static void test_month(void **state)
{
    struct school_calendar cal = year_2026();
    struct school_calendar_month m;
    assert_true(school_calendar_month(&cal, 2026, 11, CLASS_3A, "12345", &m));
    assert_int_equal(m.year, 2026);
    assert_int_equal(m.month, 11);
    assert_int_equal(m.ndays, 30);
    assert_int_equal(m.first, day_of("2026-11-01"));
    assert_int_equal(m.first_weekday, 7);
    assert_int_equal(m.nservice, 21);
    assert_int_equal(m.reason[0], SCHOOL_CALENDAR_SCHOOL_WEEKDAY); /* Sunday, All Saints */
    assert_int_equal(m.reason[1], SCHOOL_CALENDAR_SERVICE);
    assert_int_equal(m.reason[29], SCHOOL_CALENDAR_SERVICE); /* Monday 30 */
    assert_true(school_calendar_month(&cal, 2026, 11, CLASS_3A, "135", &m));
    assert_int_equal(m.nservice, 13);
    assert_int_equal(m.reason[2], SCHOOL_CALENDAR_FAMILY_WEEKDAY);

    /* December: 1-22 minus the patron saint (7) and the Immacolata (8), then closed. */
    assert_true(school_calendar_month(&cal, 2026, 12, CLASS_3A, "12345", &m));
    assert_int_equal(m.ndays, 31);
    assert_int_equal(m.first_weekday, 2);
    assert_int_equal(m.nservice, 14);
    assert_int_equal(m.reason[6], SCHOOL_CALENDAR_HOLIDAY);
    assert_int_equal(m.reason[7], SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    assert_int_equal(m.reason[22], SCHOOL_CALENDAR_CLOSED);
    assert_int_equal(m.reason[24], SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    assert_int_equal(m.reason[27], SCHOOL_CALENDAR_CLOSED);

    /* September: before the first day, then from Monday 14. */
    assert_true(school_calendar_month(&cal, 2026, 9, 0, NULL, &m));
    assert_int_equal(m.reason[0], SCHOOL_CALENDAR_BEFORE_FIRST);
    assert_int_equal(m.reason[12], SCHOOL_CALENDAR_BEFORE_FIRST);
    assert_int_equal(m.reason[13], SCHOOL_CALENDAR_SERVICE);
    assert_int_equal(m.nservice, 13);

    /* June 2027: 1, 3, 4, 7, 8 (2 is the Republic Day), then after the last day. */
    assert_true(school_calendar_month(&cal, 2027, 6, CLASS_3A, "12345", &m));
    assert_int_equal(m.nservice, 5);
    assert_int_equal(m.reason[8], SCHOOL_CALENDAR_AFTER_LAST);
    assert_int_equal(m.reason[29], SCHOOL_CALENDAR_AFTER_LAST);

    /* A month entirely outside the year, a leap February, and refused months. */
    assert_true(school_calendar_month(&cal, 2027, 8, CLASS_3A, NULL, &m));
    assert_int_equal(m.nservice, 0);
    assert_true(school_calendar_month(&cal, 2028, 2, CLASS_3A, NULL, &m));
    assert_int_equal(m.ndays, 29);
    assert_false(school_calendar_month(&cal, 2026, 0, 0, NULL, &m));
    assert_false(school_calendar_month(&cal, 2026, 13, 0, NULL, &m));
    assert_false(school_calendar_month(&cal, 1999, 12, 0, NULL, &m));
    assert_false(school_calendar_month(&cal, 2101, 1, 0, NULL, &m));
}

static void test_count_and_next(void **state)
{
    struct school_calendar cal = year_2026();
    long d;
    assert_int_equal(school_calendar_count_service(&cal, day_of("2026-11-23"), day_of("2026-11-29"),
                                                   CLASS_3A, "12345"),
                     5);
    assert_int_equal(school_calendar_count_service(&cal, day_of("2026-11-23"), day_of("2026-11-29"),
                                                   CLASS_3A, "135"),
                     3);
    assert_int_equal(school_calendar_count_service(&cal, day_of("2026-11-24"), day_of("2026-11-24"),
                                                   CLASS_3A, NULL),
                     1);
    assert_int_equal(school_calendar_count_service(&cal, day_of("2026-11-25"), day_of("2026-11-24"),
                                                   CLASS_3A, NULL),
                     0);
    /* Ranges reaching outside the year count only the days inside. */
    assert_int_equal(school_calendar_count_service(&cal, day_of("2026-09-01"), day_of("2026-09-18"),
                                                   CLASS_3A, NULL),
                     5);
    assert_int_equal(school_calendar_count_service(&cal, day_of("2027-06-07"), day_of("2027-06-30"),
                                                   CLASS_3A, NULL),
                     2);
    assert_int_equal(
        school_calendar_count_service(&cal, day_of("2000-01-01"), day_of("2100-12-31"), CLASS_3A,
                                      NULL),
        school_calendar_count_service(&cal, cal.first_day, cal.last_day, CLASS_3A, NULL));
    /* The whole year equals the sum of its months. */
    long sum = 0;
    struct school_calendar_month m;
    for (int i = 0; i < 10; i++) {
        int month = 9 + i, year = 2026;
        if (month > 12) {
            month -= 12;
            year++;
        }
        assert_true(school_calendar_month(&cal, year, month, CLASS_3B, "1245", &m));
        sum += m.nservice;
    }
    assert_int_equal(
        school_calendar_count_service(&cal, cal.first_day, cal.last_day, CLASS_3B, "1245"), sum);
    assert_true(sum > 100 && sum < 160);

    /* Resuming after an absence. */
    assert_true(school_calendar_next_service(&cal, day_of("2026-12-22"), CLASS_3A, NULL, &d));
    assert_int_equal(d, day_of("2027-01-07"));
    assert_true(school_calendar_next_service(&cal, day_of("2026-11-27"), CLASS_3A, "135", &d));
    assert_int_equal(d, day_of("2026-11-30"));
    assert_true(school_calendar_next_service(&cal, day_of("2026-11-24"), CLASS_3A, "135", &d));
    assert_int_equal(d, day_of("2026-11-25"));
    assert_true(school_calendar_next_service(&cal, day_of("2026-08-01"), CLASS_3A, NULL, &d));
    assert_int_equal(d, day_of("2026-09-14"));
    assert_true(school_calendar_next_service(&cal, day_of("2027-06-07"), CLASS_3A, NULL, &d));
    assert_int_equal(d, day_of("2027-06-08"));
    d = 42;
    assert_false(school_calendar_next_service(&cal, day_of("2027-06-08"), CLASS_3A, NULL, &d));
    assert_false(school_calendar_next_service(&cal, day_of("2027-06-07"), CLASS_3A, "3", &d));
    assert_int_equal(d, 42);
}

static void test_check_calendar(void **state)
{
    struct school_calendar good = year_2026(), cal = good;
    cal.last_day = cal.first_day;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_OK);
    cal.last_day = cal.first_day - 1;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_RANGE);
    cal = good;
    cal.first_day = school_calendar_day(1999, 9, 1);
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_DATE);
    cal = good;
    cal.last_day = school_calendar_day(2101, 6, 1);
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_DATE);

    static const char *const bad_weekdays[] = {"", "21", "1135", "0", "8", "12345678", "1 2", "x"};
    for (size_t i = 0; i < sizeof(bad_weekdays) / sizeof(bad_weekdays[0]); i++) {
        cal = good;
        cal.weekdays = bad_weekdays[i];
        assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_WEEKDAYS);
        assert_false(school_calendar_weekdays_valid(bad_weekdays[i]));
    }
    cal.weekdays = NULL;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_WEEKDAYS);
    assert_false(school_calendar_weekdays_valid(NULL));
    static const char *const good_weekdays[] = {"12345", "1", "7", "1234567", "135", "67"};
    for (size_t i = 0; i < sizeof(good_weekdays) / sizeof(good_weekdays[0]); i++)
        assert_true(school_calendar_weekdays_valid(good_weekdays[i]));

    struct school_calendar_exception one = {day_of("2026-12-07"), day_of("2026-12-07"),
                                            SCHOOL_CALENDAR_CLOSURE, 0};
    cal = good;
    cal.exceptions = &one;
    cal.nexceptions = 1;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_OK);
    one.to = one.from - 1;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_EXCEPTION);
    one.to = one.from;
    one.class_id = -1;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_EXCEPTION);
    one.class_id = 0;
    one.kind = (enum school_calendar_kind)4;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_EXCEPTION);
    one.kind = (enum school_calendar_kind) - 1;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_EXCEPTION);
    cal.exceptions = NULL;
    assert_int_equal(school_calendar_check(&cal), SCHOOL_CALENDAR_BAD_EXCEPTION);
}

static void test_check_input(void **state)
{
    struct school_calendar cal = year_2026();
    long day = 42, from = 42, to = 42;
    assert_int_equal(school_calendar_check_day(&cal, "2026-09-14", &day), SCHOOL_CALENDAR_OK);
    assert_int_equal(day, day_of("2026-09-14"));
    assert_int_equal(school_calendar_check_day(&cal, "2027-06-08", &day), SCHOOL_CALENDAR_OK);
    day = 42;
    assert_int_equal(school_calendar_check_day(&cal, "2026-09-13", &day),
                     SCHOOL_CALENDAR_OUTSIDE_YEAR);
    assert_int_equal(school_calendar_check_day(&cal, "2027-06-09", &day),
                     SCHOOL_CALENDAR_OUTSIDE_YEAR);
    assert_int_equal(school_calendar_check_day(&cal, "2026-02-30", &day), SCHOOL_CALENDAR_BAD_DATE);
    assert_int_equal(school_calendar_check_day(&cal, "14/09/2026", &day), SCHOOL_CALENDAR_BAD_DATE);
    assert_int_equal(school_calendar_check_day(&cal, "", &day), SCHOOL_CALENDAR_BAD_DATE);
    assert_int_equal(school_calendar_check_day(&cal, NULL, &day), SCHOOL_CALENDAR_BAD_DATE);
    assert_int_equal(day, 42);

    assert_int_equal(school_calendar_check_range(&cal, "2026-11-23", "2026-11-29", 7, &from, &to),
                     SCHOOL_CALENDAR_OK);
    assert_int_equal(from, day_of("2026-11-23"));
    assert_int_equal(to, day_of("2026-11-29"));
    assert_int_equal(school_calendar_check_range(&cal, "2026-11-24", "2026-11-24", 1, &from, &to),
                     SCHOOL_CALENDAR_OK);
    assert_int_equal(from, to);
    from = to = 42;
    assert_int_equal(school_calendar_check_range(&cal, "2026-11-23", "2026-11-30", 7, &from, &to),
                     SCHOOL_CALENDAR_RANGE_TOO_LONG);
    assert_int_equal(school_calendar_check_range(&cal, "2026-11-25", "2026-11-24", 7, &from, &to),
                     SCHOOL_CALENDAR_BAD_RANGE);
    assert_int_equal(school_calendar_check_range(&cal, "2026-09-13", "2026-09-15", 7, &from, &to),
                     SCHOOL_CALENDAR_OUTSIDE_YEAR);
    assert_int_equal(school_calendar_check_range(&cal, "2027-06-08", "2027-06-09", 7, &from, &to),
                     SCHOOL_CALENDAR_OUTSIDE_YEAR);
    assert_int_equal(school_calendar_check_range(&cal, "2026-11-23", "2026-11-3", 7, &from, &to),
                     SCHOOL_CALENDAR_BAD_DATE);
    assert_int_equal(school_calendar_check_range(&cal, "x", "2026-11-30", 7, &from, &to),
                     SCHOOL_CALENDAR_BAD_DATE);
    assert_int_equal(from, 42);
    assert_int_equal(to, 42);
    /* The whole year fits the general limit. */
    assert_int_equal(school_calendar_check_range(&cal, "2026-09-14", "2027-06-08",
                                                 SCHOOL_CALENDAR_RANGE_MAX, &from, &to),
                     SCHOOL_CALENDAR_OK);
}

static void test_names(void **state)
{
    enum school_calendar_kind k;
    for (int i = SCHOOL_CALENDAR_LOCAL_HOLIDAY; i <= SCHOOL_CALENDAR_TRIP; i++) {
        assert_true(school_calendar_kind_parse(
            school_calendar_kind_name((enum school_calendar_kind)i), &k));
        assert_int_equal(k, i);
    }
    assert_string_equal(school_calendar_kind_name(SCHOOL_CALENDAR_LOCAL_HOLIDAY), "holiday");
    assert_string_equal(school_calendar_kind_name(SCHOOL_CALENDAR_TRIP), "trip");
    assert_string_equal(school_calendar_kind_name((enum school_calendar_kind)9), "");
    assert_false(school_calendar_kind_parse("vacation", &k));
    assert_false(school_calendar_kind_parse("", &k));
    assert_false(school_calendar_kind_parse(NULL, &k));

    /* Every reason and error has its own text. */
    for (int i = SCHOOL_CALENDAR_SERVICE; i <= SCHOOL_CALENDAR_TRIP_DAY; i++) {
        const char *t = school_calendar_reason_text((enum school_calendar_reason)i);
        assert_true(t[0] != '\0');
        for (int j = SCHOOL_CALENDAR_SERVICE; j < i; j++)
            assert_string_not_equal(t, school_calendar_reason_text((enum school_calendar_reason)j));
    }
    assert_string_equal(school_calendar_reason_text(SCHOOL_CALENDAR_STRIKE_DAY), "Strike");
    assert_string_equal(school_calendar_strerror(SCHOOL_CALENDAR_OK), "");
    for (int i = SCHOOL_CALENDAR_BAD_DATE; i <= SCHOOL_CALENDAR_BAD_EXCEPTION; i++) {
        const char *t = school_calendar_strerror((enum school_calendar_err)i);
        assert_true(t[0] != '\0');
        for (int j = SCHOOL_CALENDAR_BAD_DATE; j < i; j++)
            assert_string_not_equal(t, school_calendar_strerror((enum school_calendar_err)j));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers),
        cmocka_unit_test(test_bad_days),
        cmocka_unit_test(test_easter),
        cmocka_unit_test(test_national_holidays),
        cmocka_unit_test(test_year_edges),
        cmocka_unit_test(test_weekdays),
        cmocka_unit_test(test_national_holidays_in_year),
        cmocka_unit_test(test_exceptions),
        cmocka_unit_test(test_month),
        cmocka_unit_test(test_count_and_next),
        cmocka_unit_test(test_check_calendar),
        cmocka_unit_test(test_check_input),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
