/* Cut-off: the window in which a family may change a day's booking, judged in Europe/Rome to
   the second, on ordinary days and on the summer-time change days of 2026 and 2027 (including a
   rule time inside the skipped and the repeated hour), with the job's instants and the values a
   page needs to explain a refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "util/time.h"
#include "util/time_local.h"

static long day_of(const char *ymd)
{
    long d = -1;
    assert_true(school_calendar_parse_day(ymd, &d));
    return d;
}

static time_t at(const char *iso)
{
    time_t t = 0;
    assert_true(time_parse_iso(iso, &t));
    return t;
}

static struct cutoff_rule rule(const char *latest, const char *earliest)
{
    struct cutoff_rule r = {-2, -2};
    assert_int_equal(cutoff_rule_parse(latest, earliest, &r), CUTOFF_OK);
    assert_true(cutoff_rule_valid(&r));
    return r;
}

static void expect_verdict(const struct cutoff_rule *r, const char *day, const char *now,
                           enum cutoff_verdict want)
{
    struct cutoff_decision d;
    assert_int_equal(cutoff_check(r, day_of(day), at(now), &d), want);
    assert_int_equal(d.verdict, want);
    assert_int_equal(cutoff_check(r, day_of(day), at(now), NULL), want);
}

static void expect_instant(time_t got, const char *want)
{
    char iso[TIME_ISO_MAX];
    time_iso(got, iso);
    assert_string_equal(iso, want);
}

static void test_parse(void **state)
{
    struct cutoff_rule r = rule("09:30", "18:00");
    assert_int_equal(r.latest_minute, 570);
    assert_int_equal(r.earliest_minute, 1080);
    r = rule("9.30", "");
    assert_int_equal(r.latest_minute, 570);
    assert_int_equal(r.earliest_minute, CUTOFF_NO_EARLIEST);
    r = rule("00:00", NULL);
    assert_int_equal(r.latest_minute, 0);
    assert_int_equal(r.earliest_minute, CUTOFF_NO_EARLIEST);
    r = rule("23:59", "0:00");
    assert_int_equal(r.latest_minute, 1439);
    assert_int_equal(r.earliest_minute, 0);

    struct cutoff_rule untouched = {1, 2};
    static const char *const bad[] = {"", "24:00", "9:3", "09:60", "nine", "09:30:15", "-1:00"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cutoff_rule_parse(bad[i], "18:00", &untouched), CUTOFF_BAD_LATEST);
        assert_int_equal(cutoff_rule_parse("09:30", bad[i][0] ? bad[i] : "x", &untouched),
                         CUTOFF_BAD_EARLIEST);
    }
    assert_int_equal(cutoff_rule_parse(NULL, NULL, &untouched), CUTOFF_BAD_LATEST);
    assert_int_equal(untouched.latest_minute, 1);
    assert_int_equal(untouched.earliest_minute, 2);

    assert_false(cutoff_rule_valid(&(struct cutoff_rule){1440, CUTOFF_NO_EARLIEST}));
    assert_false(cutoff_rule_valid(&(struct cutoff_rule){-1, CUTOFF_NO_EARLIEST}));
    assert_false(cutoff_rule_valid(&(struct cutoff_rule){570, 1440}));
    assert_false(cutoff_rule_valid(&(struct cutoff_rule){570, -2}));
    assert_true(cutoff_rule_valid(&(struct cutoff_rule){570, 1080}));

    char hhmm[CUTOFF_HHMM_SIZE];
    cutoff_format_minute(570, hhmm);
    assert_string_equal(hhmm, "09:30");
    cutoff_format_minute(0, hhmm);
    assert_string_equal(hhmm, "00:00");
    cutoff_format_minute(1439, hhmm);
    assert_string_equal(hhmm, "23:59");
    cutoff_format_minute(CUTOFF_NO_EARLIEST, hhmm);
    assert_string_equal(hhmm, "");
    cutoff_format_minute(1440, hhmm);
    assert_string_equal(hhmm, "");

    assert_string_equal(cutoff_strerror(CUTOFF_OK), "");
    assert_true(cutoff_strerror(CUTOFF_BAD_LATEST)[0] != '\0');
    assert_true(cutoff_strerror(CUTOFF_BAD_EARLIEST)[0] != '\0');
}

static void test_rome_day(void **state)
{
    /* Winter: midnight in Rome is 23:00 UTC; summer: 22:00 UTC. */
    assert_int_equal(cutoff_rome_day(at("2026-11-24T22:59:59Z")), day_of("2026-11-24"));
    assert_int_equal(cutoff_rome_day(at("2026-11-24T23:00:00Z")), day_of("2026-11-25"));
    assert_int_equal(cutoff_rome_day(at("2026-06-10T21:59:59Z")), day_of("2026-06-10"));
    assert_int_equal(cutoff_rome_day(at("2026-06-10T22:00:00Z")), day_of("2026-06-11"));
    assert_int_equal(cutoff_rome_day(at("2026-12-31T23:00:00Z")), day_of("2027-01-01"));
    assert_int_equal(cutoff_rome_day(at("2026-11-24T00:00:00Z")), day_of("2026-11-24"));
}

/* 09:30 on the day, from 18:00 of the day before: Tuesday 24 November 2026, winter time. */
static void test_ordinary_day(void **state)
{
    struct cutoff_rule r = rule("09:30", "18:00");
    const char *day = "2026-11-24";
    expect_verdict(&r, day, "2026-11-24T08:29:59Z", CUTOFF_ALLOWED);  /* 09:29:59 */
    expect_verdict(&r, day, "2026-11-24T08:30:00Z", CUTOFF_TOO_LATE); /* 09:30:00 */
    expect_verdict(&r, day, "2026-11-24T08:30:01Z", CUTOFF_TOO_LATE);
    expect_verdict(&r, day, "2026-11-24T22:59:59Z", CUTOFF_TOO_LATE); /* 23:59:59 */
    expect_verdict(&r, day, "2026-11-24T23:00:00Z", CUTOFF_PAST);     /* the next day */
    expect_verdict(&r, day, "2027-03-01T10:00:00Z", CUTOFF_PAST);
    expect_verdict(&r, day, "2026-11-23T16:59:59Z", CUTOFF_TOO_EARLY); /* 17:59:59 */
    expect_verdict(&r, day, "2026-11-23T17:00:00Z", CUTOFF_ALLOWED);   /* 18:00:00 */
    expect_verdict(&r, day, "2026-11-23T23:00:00Z", CUTOFF_ALLOWED);   /* midnight */
    expect_verdict(&r, day, "2026-11-10T09:00:00Z", CUTOFF_TOO_EARLY);

    struct cutoff_decision d;
    assert_int_equal(cutoff_check(&r, day_of(day), at("2026-11-24T08:30:00Z"), &d),
                     CUTOFF_TOO_LATE);
    expect_instant(d.closes_at, "2026-11-24T08:30:00Z");
    expect_instant(d.opens_at, "2026-11-23T17:00:00Z");
    assert_int_equal(d.today, day_of(day));
    assert_int_equal(cutoff_check(&r, day_of(day), at("2026-11-23T16:59:59Z"), &d),
                     CUTOFF_TOO_EARLY);
    expect_instant(d.opens_at, "2026-11-23T17:00:00Z");
    assert_int_equal(d.today, day_of("2026-11-23"));
    assert_int_equal(cutoff_check(&r, day_of(day), at("2026-11-25T07:00:00Z"), &d), CUTOFF_PAST);
    assert_int_equal(d.today, day_of("2026-11-25"));

    /* With no earliest time, any time before the cut-off. */
    struct cutoff_rule open = rule("09:30", "");
    expect_verdict(&open, day, "2026-11-10T09:00:00Z", CUTOFF_ALLOWED);
    expect_verdict(&open, day, "2026-11-23T16:59:59Z", CUTOFF_ALLOWED);
    expect_verdict(&open, day, "2026-11-24T08:29:59Z", CUTOFF_ALLOWED);
    expect_verdict(&open, day, "2026-11-24T08:30:00Z", CUTOFF_TOO_LATE);
    assert_int_equal(cutoff_check(&open, day_of(day), at("2026-11-24T08:00:00Z"), &d),
                     CUTOFF_ALLOWED);
    assert_int_equal(d.opens_at, 0);
    time_t t = 42;
    assert_false(cutoff_opens_at(&open, day_of(day), &t));
    assert_int_equal(t, 42);

    /* Summer time: 09:30 is 07:30 UTC, 18:00 is 16:00 UTC. */
    expect_verdict(&r, "2026-06-10", "2026-06-10T07:29:59Z", CUTOFF_ALLOWED);
    expect_verdict(&r, "2026-06-10", "2026-06-10T07:30:00Z", CUTOFF_TOO_LATE);
    expect_verdict(&r, "2026-06-10", "2026-06-09T15:59:59Z", CUTOFF_TOO_EARLY);
    expect_verdict(&r, "2026-06-10", "2026-06-09T16:00:00Z", CUTOFF_ALLOWED);

    /* Across the new year: the window opens on 31 December. */
    expect_verdict(&r, "2027-01-01", "2026-12-31T16:59:59Z", CUTOFF_TOO_EARLY);
    expect_verdict(&r, "2027-01-01", "2026-12-31T17:00:00Z", CUTOFF_ALLOWED);
}

/* The change days and the days after them: each instant on its side of the switch. */
static void expect_window(const char *day, const char *opens, const char *closes)
{
    struct cutoff_rule r = rule("09:30", "18:00");
    long d = day_of(day);
    time_t o, c = cutoff_closes_at(&r, d);
    assert_true(cutoff_opens_at(&r, d, &o));
    expect_instant(o, opens);
    expect_instant(c, closes);
    assert_int_equal(cutoff_check(&r, d, o - 1, NULL), CUTOFF_TOO_EARLY);
    assert_int_equal(cutoff_check(&r, d, o, NULL), CUTOFF_ALLOWED);
    assert_int_equal(cutoff_check(&r, d, c - 1, NULL), CUTOFF_ALLOWED);
    assert_int_equal(cutoff_check(&r, d, c, NULL), CUTOFF_TOO_LATE);
}

static void test_dst_days(void **state)
{
    /* 2026: summer time from Sunday 29 March, back on Sunday 25 October. */
    expect_window("2026-03-29", "2026-03-28T17:00:00Z", "2026-03-29T07:30:00Z");
    expect_window("2026-03-30", "2026-03-29T16:00:00Z", "2026-03-30T07:30:00Z");
    expect_window("2026-03-28", "2026-03-27T17:00:00Z", "2026-03-28T08:30:00Z");
    expect_window("2026-10-25", "2026-10-24T16:00:00Z", "2026-10-25T08:30:00Z");
    expect_window("2026-10-26", "2026-10-25T17:00:00Z", "2026-10-26T08:30:00Z");
    expect_window("2026-10-24", "2026-10-23T16:00:00Z", "2026-10-24T07:30:00Z");
    /* 2027: 28 March and 31 October. */
    expect_window("2027-03-28", "2027-03-27T17:00:00Z", "2027-03-28T07:30:00Z");
    expect_window("2027-03-29", "2027-03-28T16:00:00Z", "2027-03-29T07:30:00Z");
    expect_window("2027-10-31", "2027-10-30T16:00:00Z", "2027-10-31T08:30:00Z");
    expect_window("2027-11-01", "2027-10-31T17:00:00Z", "2027-11-01T08:30:00Z");

    /* The monday after the spring change, at 09:29:59 and 09:30:00 summer time. */
    struct cutoff_rule r = rule("09:30", "18:00");
    expect_verdict(&r, "2026-03-30", "2026-03-30T07:29:59Z", CUTOFF_ALLOWED);
    expect_verdict(&r, "2026-03-30", "2026-03-30T07:30:00Z", CUTOFF_TOO_LATE);
    /* 08:30 UTC would be right in winter and is too late here. */
    expect_verdict(&r, "2026-03-30", "2026-03-30T08:29:59Z", CUTOFF_TOO_LATE);
    /* After the autumn change 07:30 UTC is 08:30 in Rome: still in time. */
    expect_verdict(&r, "2026-10-26", "2026-10-26T07:30:00Z", CUTOFF_ALLOWED);
    expect_verdict(&r, "2026-10-26", "2026-10-26T08:29:59Z", CUTOFF_ALLOWED);
    expect_verdict(&r, "2026-10-26", "2026-10-26T08:30:00Z", CUTOFF_TOO_LATE);
    /* 17:59:59 and 18:00:00 on the Sunday of the change, winter time again. */
    expect_verdict(&r, "2027-11-01", "2027-10-31T16:59:59Z", CUTOFF_TOO_EARLY);
    expect_verdict(&r, "2027-11-01", "2027-10-31T17:00:00Z", CUTOFF_ALLOWED);
    expect_verdict(&r, "2027-03-29", "2027-03-28T15:59:59Z", CUTOFF_TOO_EARLY);
    expect_verdict(&r, "2027-03-29", "2027-03-28T16:00:00Z", CUTOFF_ALLOWED);
}

/* 02:30 does not exist on the spring day: the first instant after it, 03:00 summer time. */
static void test_skipped_hour(void **state)
{
    static const char *const days[] = {"2026-03-29", "2027-03-28"};
    static const char *const switches[] = {"2026-03-29T01:00:00Z", "2027-03-28T01:00:00Z"};
    for (int i = 0; i < 2; i++) {
        long d = day_of(days[i]);
        time_t sw = at(switches[i]);
        struct cutoff_rule r = rule("02:30", "02:30");
        assert_int_equal(cutoff_closes_at(&r, d), sw);
        assert_int_equal(cutoff_check(&r, d, sw - 1, NULL), CUTOFF_ALLOWED); /* 01:59:59 CET */
        assert_int_equal(cutoff_check(&r, d, sw, NULL), CUTOFF_TOO_LATE);    /* 03:00:00 CEST */
        /* The window for the next day opens at the same instant. */
        time_t o;
        assert_true(cutoff_opens_at(&r, d + 1, &o));
        assert_int_equal(o, sw);
        assert_int_equal(cutoff_check(&r, d + 1, sw - 1, NULL), CUTOFF_TOO_EARLY);
        assert_int_equal(cutoff_check(&r, d + 1, sw, NULL), CUTOFF_ALLOWED);
        /* The page says when it really was. */
        struct cutoff_explain e;
        cutoff_explain(&r, d, &e);
        assert_string_equal(e.closes_time, "03:00");
        /* Every minute of the gap maps there; the minutes around it are ordinary. */
        assert_int_equal(cutoff_rome_instant(d, 120), sw);
        assert_int_equal(cutoff_rome_instant(d, 179), sw);
        assert_int_equal(cutoff_rome_instant(d, 180), sw);
        assert_int_equal(cutoff_rome_instant(d, 119), sw - 60);
        assert_int_equal(cutoff_rome_instant(d, 181), sw + 60);
    }
}

/* 02:30 happens twice on the autumn day: the first time, still summer time. */
static void test_repeated_hour(void **state)
{
    static const char *const days[] = {"2026-10-25", "2027-10-31"};
    static const char *const first[] = {"2026-10-25T00:30:00Z", "2027-10-31T00:30:00Z"};
    for (int i = 0; i < 2; i++) {
        long d = day_of(days[i]);
        time_t c = at(first[i]);
        struct cutoff_rule r = rule("02:30", "02:30");
        assert_int_equal(cutoff_closes_at(&r, d), c);
        assert_int_equal(cutoff_check(&r, d, c - 1, NULL), CUTOFF_ALLOWED);
        assert_int_equal(cutoff_check(&r, d, c, NULL), CUTOFF_TOO_LATE);
        /* The second 02:30 (winter time) is an hour later: still too late. */
        assert_int_equal(cutoff_check(&r, d, c + 3600, NULL), CUTOFF_TOO_LATE);
        time_t o;
        assert_true(cutoff_opens_at(&r, d + 1, &o));
        assert_int_equal(o, c);
        assert_int_equal(cutoff_check(&r, d + 1, c - 1, NULL), CUTOFF_TOO_EARLY);
        assert_int_equal(cutoff_check(&r, d + 1, c, NULL), CUTOFF_ALLOWED);
        struct cutoff_explain e;
        cutoff_explain(&r, d, &e);
        assert_string_equal(e.closes_time, "02:30");
        /* The hour before and after: 01:59 summer, 03:00 winter time. */
        assert_int_equal(cutoff_rome_instant(d, 119), c - 31 * 60);
        assert_int_equal(cutoff_rome_instant(d, 180), c + 30 * 60 + 3600);
    }
}

/* Every day of 2026 and 2027: the cut-off is 09:30 on that day's wall clock. */
static void test_every_day(void **state)
{
    struct cutoff_rule r = rule("09:30", "18:00");
    long summer = 0;
    for (long d = day_of("2026-01-01"); d <= day_of("2027-12-31"); d++) {
        time_t c = cutoff_closes_at(&r, d), o;
        assert_true(cutoff_opens_at(&r, d, &o));
        time_t midnight_utc = (time_t)d * 86400;
        assert_true(c - midnight_utc == 8 * 3600 + 1800 || c - midnight_utc == 7 * 3600 + 1800);
        summer += c - midnight_utc == 7 * 3600 + 1800;
        assert_int_equal(cutoff_rome_day(c), d);
        assert_int_equal(cutoff_rome_day(o), d - 1);
        char iso[TIME_ISO_MAX], date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX];
        time_iso(c, iso);
        assert_true(time_utc_to_rome(iso, date, hhmm));
        assert_string_equal(hhmm, "09:30");
        time_iso(o, iso);
        assert_true(time_utc_to_rome(iso, date, hhmm));
        assert_string_equal(hhmm, "18:00");
        /* The window is open exactly from o to c. */
        assert_int_equal(cutoff_check(&r, d, o - 1, NULL), CUTOFF_TOO_EARLY);
        assert_int_equal(cutoff_check(&r, d, o, NULL), CUTOFF_ALLOWED);
        assert_int_equal(cutoff_check(&r, d, c - 1, NULL), CUTOFF_ALLOWED);
        assert_int_equal(cutoff_check(&r, d, c, NULL), CUTOFF_TOO_LATE);
    }
    /* 29 March..24 October 2026 and 28 March..30 October 2027. */
    assert_int_equal(summer, 210 + 217);
}

static void test_next(void **state)
{
    struct cutoff_rule r = rule("09:30", "18:00");
    long d = 0;
    expect_instant(cutoff_next(&r, at("2026-11-24T08:29:59Z"), &d), "2026-11-24T08:30:00Z");
    assert_int_equal(d, day_of("2026-11-24"));
    expect_instant(cutoff_next(&r, at("2026-11-24T08:30:00Z"), &d), "2026-11-25T08:30:00Z");
    assert_int_equal(d, day_of("2026-11-25"));
    expect_instant(cutoff_next(&r, at("2026-11-24T23:30:00Z"), &d), "2026-11-25T08:30:00Z");
    assert_int_equal(d, day_of("2026-11-25"));
    expect_instant(cutoff_next(&r, at("2026-11-24T22:59:59Z"), NULL), "2026-11-25T08:30:00Z");
    /* Across the changes. */
    expect_instant(cutoff_next(&r, at("2026-03-28T08:30:00Z"), &d), "2026-03-29T07:30:00Z");
    assert_int_equal(d, day_of("2026-03-29"));
    expect_instant(cutoff_next(&r, at("2026-10-24T07:30:00Z"), &d), "2026-10-25T08:30:00Z");
    expect_instant(cutoff_next(&r, at("2027-12-31T09:00:00Z"), &d), "2028-01-01T08:30:00Z");
    assert_int_equal(d, day_of("2028-01-01"));
    /* Late cut-offs: 23:30 is 22:30 UTC in winter. */
    struct cutoff_rule late = rule("23:30", "");
    expect_instant(cutoff_next(&late, at("2026-11-24T22:29:59Z"), &d), "2026-11-24T22:30:00Z");
    assert_int_equal(d, day_of("2026-11-24"));
    expect_instant(cutoff_next(&late, at("2026-11-24T22:30:00Z"), &d), "2026-11-25T22:30:00Z");
    assert_int_equal(d, day_of("2026-11-25"));
    /* The job's instant is the cut-off. */
    expect_instant(cutoff_closes_at(&r, day_of("2026-11-24")), "2026-11-24T08:30:00Z");
    expect_instant(cutoff_closes_at(&late, day_of("2026-06-10")), "2026-06-10T21:30:00Z");
    struct cutoff_rule midnight = rule("00:00", "");
    expect_instant(cutoff_closes_at(&midnight, day_of("2026-11-24")), "2026-11-23T23:00:00Z");
    expect_verdict(&midnight, "2026-11-24", "2026-11-23T22:59:59Z", CUTOFF_ALLOWED);
    expect_verdict(&midnight, "2026-11-24", "2026-11-23T23:00:00Z", CUTOFF_TOO_LATE);
}

static void test_explain(void **state)
{
    struct cutoff_rule r = rule("09:30", "18:00");
    struct cutoff_explain e;
    cutoff_explain(&r, day_of("2026-11-24"), &e);
    assert_string_equal(e.day, "24/11/2026");
    assert_string_equal(e.closes_time, "09:30");
    assert_string_equal(e.opens_day, "23/11/2026");
    assert_string_equal(e.opens_time, "18:00");
    cutoff_explain(&r, day_of("2027-01-01"), &e);
    assert_string_equal(e.day, "01/01/2027");
    assert_string_equal(e.opens_day, "31/12/2026");
    cutoff_explain(&r, day_of("2026-03-30"), &e);
    assert_string_equal(e.closes_time, "09:30");
    assert_string_equal(e.opens_day, "29/03/2026");
    assert_string_equal(e.opens_time, "18:00");
    struct cutoff_rule open = rule("9.05", NULL);
    cutoff_explain(&open, day_of("2026-11-24"), &e);
    assert_string_equal(e.day, "24/11/2026");
    assert_string_equal(e.closes_time, "09:05");
    assert_string_equal(e.opens_day, "");
    assert_string_equal(e.opens_time, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),        cmocka_unit_test(test_rome_day),
        cmocka_unit_test(test_ordinary_day), cmocka_unit_test(test_dst_days),
        cmocka_unit_test(test_skipped_hour), cmocka_unit_test(test_repeated_hour),
        cmocka_unit_test(test_every_day),    cmocka_unit_test(test_next),
        cmocka_unit_test(test_explain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
