/* Unit tests: Europe/Rome wall-clock time to UTC and back, including both summer-time changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/arena.h"
#include "util/time.h"
#include "util/time_local.h"

static void expect_utc(const char *date, const char *hhmm, const char *want)
{
    char out[TIME_ISO_MAX];
    assert_int_equal(time_rome_to_utc(date, hhmm, out), TIME_LOCAL_OK);
    assert_string_equal(out, want);
}

static void expect_rome(const char *iso, const char *date, const char *hhmm)
{
    char d[TIME_LOCAL_DATE_MAX], t[TIME_LOCAL_HHMM_MAX];
    assert_true(time_utc_to_rome(iso, d, t));
    assert_string_equal(d, date);
    assert_string_equal(t, hhmm);
}

static void test_winter_and_summer(void **state)
{
    expect_utc("2027-01-15", "09:00", "2027-01-15T08:00:00Z");
    expect_utc("2027-07-01", "09:00", "2027-07-01T07:00:00Z");
    expect_utc("2027-01-01", "00:30", "2026-12-31T23:30:00Z"); /* the day before in UTC */
    expect_utc("2028-02-29", "23:59", "2028-02-29T22:59:00Z");
    expect_rome("2027-01-15T08:00:00Z", "2027-01-15", "09:00");
    expect_rome("2027-07-01T07:00:00Z", "2027-07-01", "09:00");
    expect_rome("2026-12-31T23:30:00Z", "2027-01-01", "00:30");
}

/* 2027: summer time starts on Sunday 28 March, ends on Sunday 31 October (01:00 UTC). */
static void test_summer_time_changes(void **state)
{
    char out[TIME_ISO_MAX];
    expect_utc("2027-03-28", "01:59", "2027-03-28T00:59:00Z");
    assert_int_equal(time_rome_to_utc("2027-03-28", "02:00", out), TIME_LOCAL_NO_SUCH);
    assert_int_equal(time_rome_to_utc("2027-03-28", "02:59", out), TIME_LOCAL_NO_SUCH);
    expect_utc("2027-03-28", "03:00", "2027-03-28T01:00:00Z");
    /* The repeated hour in October: the first one, still summer time. */
    expect_utc("2027-10-31", "01:59", "2027-10-30T23:59:00Z");
    expect_utc("2027-10-31", "02:30", "2027-10-31T00:30:00Z");
    expect_utc("2027-10-31", "03:00", "2027-10-31T02:00:00Z");
    expect_rome("2027-10-31T00:30:00Z", "2027-10-31", "02:30");
    expect_rome("2027-10-31T01:30:00Z", "2027-10-31", "02:30");
    expect_rome("2027-03-28T01:00:00Z", "2027-03-28", "03:00");
}

static void test_input_forms(void **state)
{
    int h, m;
    assert_true(time_parse_hhmm("9:05", &h, &m));
    assert_int_equal(h, 9);
    assert_int_equal(m, 5);
    assert_true(time_parse_hhmm("12.30", &h, &m));
    assert_int_equal(h, 12);
    assert_int_equal(m, 30);
    assert_true(time_parse_hhmm("23:59:00", &h, &m));
    assert_false(time_parse_hhmm("23:59:30", &h, &m));
    assert_false(time_parse_hhmm("24:00", &h, &m));
    assert_false(time_parse_hhmm("12:60", &h, &m));
    assert_false(time_parse_hhmm("12:5", &h, &m));
    assert_false(time_parse_hhmm("123:00", &h, &m));
    assert_false(time_parse_hhmm(":30", &h, &m));
    assert_false(time_parse_hhmm("12", &h, &m));
    assert_false(time_parse_hhmm("12:30 ", &h, &m));
    assert_false(time_parse_hhmm("", &h, &m));

    char out[TIME_ISO_MAX];
    assert_int_equal(time_rome_to_utc("2027-02-29", "09:00", out), TIME_LOCAL_BAD_DATE);
    assert_int_equal(time_rome_to_utc("15/01/2027", "09:00", out), TIME_LOCAL_BAD_DATE);
    assert_int_equal(time_rome_to_utc("2027-01-15", "9", out), TIME_LOCAL_BAD_TIME);

    time_t t;
    assert_true(time_parse_iso("2027-01-15T08:00:00Z", &t));
    assert_int_equal((long long)t, 1800000000LL);
    char back[TIME_ISO_MAX];
    time_iso(t, back);
    assert_string_equal(back, "2027-01-15T08:00:00Z");
    assert_false(time_parse_iso("2027-01-15T08:00:00", &t));
    assert_false(time_parse_iso("2027-01-15 08:00:00Z", &t));
    assert_false(time_parse_iso("2027-13-15T08:00:00Z", &t));
    assert_false(time_parse_iso("2027-01-15T24:00:00Z", &t));
    assert_false(time_parse_iso("2027-01-15T08:00:0xZ", &t));
    char d[TIME_LOCAL_DATE_MAX], hm[TIME_LOCAL_HHMM_MAX];
    assert_false(time_utc_to_rome("domani", d, hm));
}

/* What people read: the office, the family and the mail pages share this one format. */
static void test_display(void **state)
{
    struct arena a;
    arena_init(&a, 256);
    assert_string_equal(time_rome_display(&a, "2026-03-29T08:05:00Z"), "29/03/2026 10:05");
    assert_string_equal(time_rome_display(&a, "2026-01-05T23:30:00Z"), "06/01/2026 00:30");
    assert_string_equal(time_rome_display(&a, ""), "");
    assert_string_equal(time_rome_display(&a, "2026-01-05 23:30"), "");
    assert_string_equal(time_date_display(&a, "2018-05-22"), "22/05/2018");
    assert_string_equal(time_date_display(&a, "2018-02-30"), "");
    arena_free(&a);
}

static void test_day_arithmetic(void **state)
{
    (void)state;
    char day[TIME_LOCAL_DATE_MAX], iso[TIME_ISO_MAX];
    assert_true(time_date_add_days("2026-12-22", 30, day));
    assert_string_equal(day, "2027-01-21");
    assert_true(time_date_add_days("2028-03-01", -1, day)); /* a leap year */
    assert_string_equal(day, "2028-02-29");
    assert_true(time_date_add_days("2026-03-29", 0, day));
    assert_string_equal(day, "2026-03-29");
    assert_false(time_date_add_days("2026-02-30", 1, day));
    assert_false(time_date_add_days("", 1, day));
    /* Rome's midnight: 23:00 UTC the day before in winter, 22:00 in summer, on both sides of
       the changes. */
    assert_true(time_rome_day_start("2026-03-28", 1, iso));
    assert_string_equal(iso, "2026-03-28T23:00:00Z");
    assert_true(time_rome_day_start("2026-03-29", 1, iso));
    assert_string_equal(iso, "2026-03-29T22:00:00Z");
    assert_true(time_rome_day_start("2026-10-25", 0, iso));
    assert_string_equal(iso, "2026-10-24T22:00:00Z");
    assert_true(time_rome_day_start("2026-10-25", 1, iso));
    assert_string_equal(iso, "2026-10-25T23:00:00Z");
    assert_false(time_rome_day_start("25/10/2026", 0, iso));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_winter_and_summer), cmocka_unit_test(test_summer_time_changes),
        cmocka_unit_test(test_input_forms),       cmocka_unit_test(test_display),
        cmocka_unit_test(test_day_arithmetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
