/* Money: Italian text form, VAT rates and the VAT split rounding rule (src/domain/money.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/money.h"

#include <stdio.h>
#include <string.h>

static uint64_t rng_state = 0xd1b54a32d192ed03u;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void parse_expect(const char *in, enum money_err want, int64_t cents)
{
    int64_t got = -1;
    enum money_err err = money_parse(in, &got, NULL);
    if (err != want) {
        fail_msg("'%s': got '%s'", in != NULL ? in : "(null)", money_strerror(err));
    }
    if (want == MONEY_OK && got != cents) {
        fail_msg("'%s': %lld cents, expected %lld", in, (long long)got, (long long)cents);
    }
}

static void test_parse(void **state)
{
    parse_expect("6,18", MONEY_OK, 618);
    parse_expect("6,18 \xe2\x82\xac", MONEY_OK, 618);
    parse_expect("6,18\xe2\x82\xac", MONEY_OK, 618);
    parse_expect("\xe2\x82\xac 6,18", MONEY_OK, 618);
    parse_expect(" 6,18 EUR ", MONEY_OK, 618);
    parse_expect("1.234,50 \xe2\x82\xac", MONEY_OK, 123450);
    parse_expect("1234,50", MONEY_OK, 123450);
    parse_expect("1.234.567", MONEY_OK, 123456700);
    parse_expect("0", MONEY_OK, 0);
    parse_expect("0,00", MONEY_OK, 0);
    parse_expect("-0,00", MONEY_OK, 0);
    parse_expect("0,5", MONEY_OK, 50);
    parse_expect(",05", MONEY_OK, 5);
    parse_expect("12", MONEY_OK, 1200);
    parse_expect("-6,18 \xe2\x82\xac", MONEY_OK, -618);
    parse_expect("+6,18", MONEY_OK, 618);
    parse_expect("-1.000,01", MONEY_OK, -100001);
    /* INT64 limits exactly, and one cent past them. */
    parse_expect("92.233.720.368.547.758,07", MONEY_OK, INT64_MAX);
    parse_expect("92233720368547758,07", MONEY_OK, INT64_MAX);
    parse_expect("-92.233.720.368.547.758,08", MONEY_OK, INT64_MIN);
    parse_expect("92.233.720.368.547.758,08", MONEY_OVERFLOW, 0);
    parse_expect("-92.233.720.368.547.758,09", MONEY_OVERFLOW, 0);
    parse_expect("92.233.720.368.547.759", MONEY_OVERFLOW, 0);
    parse_expect("999999999999999999999999", MONEY_OVERFLOW, 0);

    parse_expect("", MONEY_EMPTY, 0);
    parse_expect("   ", MONEY_EMPTY, 0);
    parse_expect("\xe2\x82\xac", MONEY_EMPTY, 0);
    parse_expect(NULL, MONEY_EMPTY, 0);
    parse_expect("-", MONEY_NO_DIGITS, 0);
    parse_expect("6,", MONEY_NO_DIGITS, 0);
    parse_expect("6.18", MONEY_BAD_GROUPING, 0);
    parse_expect("1.23,00", MONEY_BAD_GROUPING, 0);
    parse_expect("1234.567", MONEY_BAD_GROUPING, 0);
    parse_expect(".123", MONEY_BAD_GROUPING, 0);
    parse_expect("1..234", MONEY_BAD_GROUPING, 0);
    parse_expect("6,185", MONEY_TOO_MANY_DECIMALS, 0);
    parse_expect("6,1a", MONEY_BAD_CHARACTER, 0);
    parse_expect("6 18", MONEY_BAD_CHARACTER, 0);
    parse_expect("sei", MONEY_BAD_CHARACTER, 0);
    parse_expect("--6", MONEY_BAD_CHARACTER, 0);
    parse_expect("6,18 $", MONEY_BAD_CHARACTER, 0);
    parse_expect("1111111111111111111111111111111111111111111111111111111111111111111",
                 MONEY_TOO_LONG, 0);

    size_t pos = 0;
    int64_t c;
    assert_int_equal(money_parse("12x", &c, &pos), MONEY_BAD_CHARACTER);
    assert_int_equal(pos, 3);
}

static void format_expect(int64_t cents, const char *want)
{
    char out[MONEY_TEXT_SIZE];
    money_format(cents, out);
    assert_string_equal(out, want);
}

static void test_format(void **state)
{
    format_expect(0, "0,00 \xe2\x82\xac");
    format_expect(1, "0,01 \xe2\x82\xac");
    format_expect(-1, "-0,01 \xe2\x82\xac");
    format_expect(618, "6,18 \xe2\x82\xac");
    format_expect(99999, "999,99 \xe2\x82\xac");
    format_expect(100000, "1.000,00 \xe2\x82\xac");
    format_expect(123450, "1.234,50 \xe2\x82\xac");
    format_expect(-123450, "-1.234,50 \xe2\x82\xac");
    format_expect(100000000, "1.000.000,00 \xe2\x82\xac");
    format_expect(INT64_MAX, "92.233.720.368.547.758,07 \xe2\x82\xac");
    format_expect(INT64_MIN, "-92.233.720.368.547.758,08 \xe2\x82\xac");
    char out[MONEY_TEXT_SIZE];
    money_format_plain(-123450, out);
    assert_string_equal(out, "-1.234,50");
    assert_true(strlen("-92.233.720.368.547.758,08 \xe2\x82\xac") < MONEY_TEXT_SIZE);

    /* Format then parse gives the amount back, at the limits and in between. */
    int64_t samples[] = {
        0, 1, -1, 99, 100, 101, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]) + 5000; i++) {
        int64_t v = i < sizeof(samples) / sizeof(samples[0])
                        ? samples[i]
                        : (int64_t)(rng_next() >> (rng_next() % 63));
        if (i % 2 == 1 && v != INT64_MIN) {
            v = -v;
        }
        int64_t back;
        money_format(v, out);
        assert_int_equal(money_parse(out, &back, NULL), MONEY_OK);
        assert_true(back == v);
    }
}

static void test_rate(void **state)
{
    int bp;
    char out[16];
    assert_int_equal(money_parse_rate("4", &bp), MONEY_OK);
    assert_int_equal(bp, 400);
    assert_int_equal(money_parse_rate("22 %", &bp), MONEY_OK);
    assert_int_equal(bp, 2200);
    assert_int_equal(money_parse_rate("5,5", &bp), MONEY_OK);
    assert_int_equal(bp, 550);
    assert_int_equal(money_parse_rate("7.35", &bp), MONEY_OK);
    assert_int_equal(bp, 735);
    assert_int_equal(money_parse_rate("0", &bp), MONEY_OK);
    assert_int_equal(bp, 0);
    assert_int_equal(money_parse_rate("100", &bp), MONEY_OK);
    assert_int_equal(bp, 10000);
    assert_int_equal(money_parse_rate("100,01", &bp), MONEY_BAD_RATE);
    assert_int_equal(money_parse_rate("1000", &bp), MONEY_BAD_RATE);
    assert_int_equal(money_parse_rate("-4", &bp), MONEY_BAD_CHARACTER);
    assert_int_equal(money_parse_rate("4,555", &bp), MONEY_TOO_MANY_DECIMALS);
    assert_int_equal(money_parse_rate("", &bp), MONEY_EMPTY);
    assert_int_equal(money_parse_rate(",5", &bp), MONEY_NO_DIGITS);
    assert_int_equal(money_parse_rate("4,", &bp), MONEY_NO_DIGITS);
    money_format_rate(400, out);
    assert_string_equal(out, "4");
    money_format_rate(550, out);
    assert_string_equal(out, "5,5");
    money_format_rate(735, out);
    assert_string_equal(out, "7,35");
}

static void split_expect(int64_t gross, int bp, int64_t net, int64_t vat)
{
    int64_t n;
    int64_t v;
    assert_int_equal(money_vat_split(gross, bp, &n, &v), MONEY_OK);
    if (n != net || v != vat) {
        fail_msg("split %lld at %d bp: %lld + %lld, expected %lld + %lld", (long long)gross, bp,
                 (long long)n, (long long)v, (long long)net, (long long)vat);
    }
}

static void test_vat_split_boundaries(void **state)
{
    split_expect(104, 400, 100, 4);
    split_expect(618, 400, 594, 24); /* 594.23 */
    split_expect(0, 400, 0, 0);
    split_expect(1, 400, 1, 0);     /* 0.96 */
    split_expect(12, 400, 12, 0);   /* 11.54 */
    split_expect(13, 400, 13, 0);   /* 12.5 exactly: half rounds up */
    split_expect(39, 400, 38, 1);   /* 37.5 exactly */
    split_expect(38, 400, 37, 1);   /* 36.54 */
    split_expect(26, 400, 25, 1);   /* 25 exactly */
    split_expect(-13, 400, -13, 0); /* half rounds away from zero: refunds mirror charges */
    split_expect(-39, 400, -38, -1);
    split_expect(-618, 400, -594, -24);
    split_expect(122, 2200, 100, 22);
    split_expect(1, 2200, 1, 0); /* 0.82 */
    split_expect(110, 1000, 100, 10);
    split_expect(500, 0, 500, 0);
    split_expect(200, 10000, 100, 100);
    split_expect(1, 10000, 1, 0); /* 0.5 exactly */
    split_expect(3, 10000, 2, 1); /* 1.5 exactly */
    split_expect(INT64_MAX, 0, INT64_MAX, 0);
    split_expect(INT64_MIN, 0, INT64_MIN, 0);
    int64_t n;
    int64_t v;
    assert_int_equal(money_vat_split(INT64_MAX, 400, &n, &v), MONEY_OK);
    assert_true(n + v == INT64_MAX);
    assert_true(n == 8868626958514207507); /* 8868626958514207506.73 */
    assert_int_equal(money_vat_split(INT64_MIN, 2200, &n, &v), MONEY_OK);
    assert_true(n < 0 && v < 0 && n + v == INT64_MIN);
    assert_int_equal(money_vat_split(100, -1, &n, &v), MONEY_BAD_RATE);
    assert_int_equal(money_vat_split(100, 10001, &n, &v), MONEY_BAD_RATE);
}

/* The rule stated directly: net is the multiple nearest to gross / (1 + rate), ties upward. */
static int64_t reference_net(int64_t gross, int bp)
{
    int64_t d = 10000 + bp;
    int64_t num = gross * 10000;
    int64_t n = num / d;
    int64_t rem = num - n * d;
    return 2 * rem >= d ? n + 1 : n;
}

static void test_vat_split_exhaustive(void **state)
{
    static const int rates[] = {0, 400, 500, 1000, 2200, 450, 735, 10000};
    for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        for (int64_t g = 0; g <= 200000; g++) {
            int64_t n;
            int64_t v;
            money_vat_split(g, rates[r], &n, &v);
            int64_t want = reference_net(g, rates[r]);
            if (n != want || n + v != g) {
                fail_msg("gross %lld at %d bp: net %lld, expected %lld", (long long)g, rates[r],
                         (long long)n, (long long)want);
            }
            int64_t nn;
            int64_t vv;
            money_vat_split(-g, rates[r], &nn, &vv);
            assert_true(nn == -n && vv == -v);
        }
    }
}

static void test_vat_gross(void **state)
{
    int64_t g;
    int64_t v;
    assert_int_equal(money_vat_gross(100, 400, &g, &v), MONEY_OK);
    assert_true(g == 104 && v == 4);
    assert_int_equal(money_vat_gross(594, 400, &g, &v), MONEY_OK); /* 23.76 -> 24 */
    assert_true(g == 618 && v == 24);
    assert_int_equal(money_vat_gross(50, 100, &g, &v), MONEY_OK); /* 0.5 -> 1 */
    assert_true(g == 51 && v == 1);
    assert_int_equal(money_vat_gross(-50, 100, &g, &v), MONEY_OK);
    assert_true(g == -51 && v == -1);
    assert_int_equal(money_vat_gross(INT64_MAX, 0, &g, &v), MONEY_OK);
    assert_true(g == INT64_MAX);
    assert_int_equal(money_vat_gross(INT64_MAX, 400, &g, &v), MONEY_OVERFLOW);
    assert_int_equal(money_vat_gross(INT64_MIN, 1, &g, &v), MONEY_OVERFLOW);
    assert_int_equal(money_vat_gross(INT64_MAX / 2, 10000, &g, &v), MONEY_OK);
    assert_int_equal(money_vat_gross(INT64_MAX / 2 + 1, 10000, &g, &v), MONEY_OVERFLOW);
    assert_int_equal(money_vat_gross(1, 10001, &g, &v), MONEY_BAD_RATE);

    /* Net -> gross -> net round-trips for every rate above zero. */
    static const int rates[] = {1, 400, 500, 1000, 2200, 735, 10000};
    for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        for (int64_t net = -50000; net <= 50000; net++) {
            int64_t n;
            int64_t t;
            assert_int_equal(money_vat_gross(net, rates[r], &g, &v), MONEY_OK);
            money_vat_split(g, rates[r], &n, &t);
            if (n != net || t != v) {
                fail_msg("net %lld at %d bp: gross %lld splits to %lld", (long long)net, rates[r],
                         (long long)g, (long long)n);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_vat_split_boundaries),
        cmocka_unit_test(test_vat_split_exhaustive),
        cmocka_unit_test(test_vat_gross),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
