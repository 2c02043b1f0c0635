/* Unit tests: strict form/query/cookie parsing, route patterns, field validators (route.h and the
   shared ones of fields.h, with util/text.h's str_digits), catalogues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "web/fields.h"
#include "web/form.h"
#include "web/i18n.h"
#include "web/route.h"

static struct arena test_arena;

static int setup(void **state)
{
    arena_init(&test_arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    arena_free(&test_arena);
    return 0;
}

static enum form_err decode(const char *in, bool plus, char **out)
{
    return form_decode(&test_arena, in, strlen(in), plus, out);
}

static void test_percent_decoding_is_strict(void **state)
{
    char *out;
    assert_int_equal(decode("caff%C3%A8+latte", true, &out), FORM_OK);
    assert_string_equal(out, "caffè latte");
    assert_int_equal(decode("a+b", false, &out), FORM_OK);
    assert_string_equal(out, "a+b");
    assert_int_equal(decode("%zz", true, &out), FORM_ERR_ENCODING);
    assert_int_equal(decode("abc%4", true, &out), FORM_ERR_ENCODING);
    assert_int_equal(decode("abc%", true, &out), FORM_ERR_ENCODING);
    assert_int_equal(decode("%00", true, &out), FORM_ERR_ENCODING);
    assert_int_equal(decode("%ff%fe", true, &out), FORM_ERR_UTF8);
    assert_int_equal(decode("%C0%AF", true, &out), FORM_ERR_UTF8);    /* overlong "/" */
    assert_int_equal(decode("%ED%A0%80", true, &out), FORM_ERR_UTF8); /* surrogate */
    char *big = malloc(HTTP_MAX_FIELD_BYTES + 2);
    memset(big, 'a', HTTP_MAX_FIELD_BYTES + 1);
    big[HTTP_MAX_FIELD_BYTES + 1] = '\0';
    assert_int_equal(decode(big, true, &out), FORM_ERR_TOO_LONG);
    big[HTTP_MAX_FIELD_BYTES] = '\0';
    assert_int_equal(decode(big, true, &out), FORM_OK);
    free(big);
}

static void test_urlencoded_pairs_and_limits(void **state)
{
    struct kv *kv;
    size_t n;
    const char *body = "email=ufficio%40comune.it&password=a%26b%3Dc&&flag&empty=";
    assert_int_equal(form_parse_urlencoded(&test_arena, body, strlen(body), &kv, &n), FORM_OK);
    assert_int_equal(n, 4);
    assert_string_equal(kv[0].name, "email");
    assert_string_equal(kv[0].value, "ufficio@comune.it");
    assert_string_equal(kv[1].value, "a&b=c");
    assert_string_equal(kv[2].name, "flag");
    assert_string_equal(kv[2].value, "");
    assert_string_equal(kv[3].name, "empty");

    char many[8 * (HTTP_MAX_FIELDS + 2)];
    size_t len = 0;
    for (int i = 0; i < HTTP_MAX_FIELDS + 1; i++)
        len += (size_t)snprintf(many + len, sizeof(many) - len, "f%d=1&", i);
    assert_int_equal(form_parse_urlencoded(&test_arena, many, len, &kv, &n), FORM_ERR_TOO_MANY);
    len = 0;
    for (int i = 0; i < HTTP_MAX_FIELDS; i++)
        len += (size_t)snprintf(many + len, sizeof(many) - len, "f%d=1&", i);
    assert_int_equal(form_parse_urlencoded(&test_arena, many, len, &kv, &n), FORM_OK);
    assert_int_equal(n, HTTP_MAX_FIELDS);
    assert_int_equal(form_parse_urlencoded(&test_arena, "a=%G0", 5, &kv, &n), FORM_ERR_ENCODING);
}

static void test_cookie_header(void **state)
{
    const char *h = "lang=en; sid=abc123;theme=\"dark\"";
    assert_string_equal(form_cookie(&test_arena, h, "sid"), "abc123");
    assert_string_equal(form_cookie(&test_arena, h, "lang"), "en");
    assert_string_equal(form_cookie(&test_arena, h, "theme"), "dark");
    assert_null(form_cookie(&test_arena, h, "si"));
    assert_null(form_cookie(&test_arena, NULL, "sid"));
    assert_null(form_cookie(&test_arena, "xsid=1", "sid"));
}

static void test_route_patterns(void **state)
{
    const char *p[ROUTE_MAX_PARAMS] = {0};
    assert_true(route_match("/ufficio/accedi", "/ufficio/accedi", &test_arena, p));
    assert_false(route_match("/ufficio/accedi", "/ufficio/accedi/", &test_arena, p));
    assert_false(route_match("/ufficio/", "/ufficio", &test_arena, p));
    assert_true(route_match("/ufficio/scuole/{id}/classi/{cls}", "/ufficio/scuole/12/classi/3A",
                            &test_arena, p));
    assert_string_equal(p[0], "12");
    assert_string_equal(p[1], "3A");
    assert_false(route_match("/ufficio/scuole/{id}", "/ufficio/scuole/", &test_arena, p));
    assert_false(route_match("/ufficio/scuole/{id}", "/ufficio/scuole/1/x", &test_arena, p));
}

static void test_validators(void **state)
{
    const char *out;
    assert_null(field_text(&test_arena, "  Mario Rossi \t", &out));
    assert_string_equal(out, "Mario Rossi");
    assert_non_null(field_text(&test_arena, "riga\nseconda", &out));
    assert_null(field_multiline(&test_arena, "riga\nseconda", &out));
    assert_non_null(field_multiline(&test_arena, "bell\x07", &out));
    assert_null(field_email(&test_arena, " Ufficio@Comune.Esempio.IT ", &out));
    assert_string_equal(out, "Ufficio@comune.esempio.it");
    assert_non_null(field_email(&test_arena, "ufficio@", &out));
    assert_null(field_token(&test_arena, "abc-DEF_123", &out));
    assert_non_null(field_token(&test_arena, "abc def", &out));
    assert_null(field_local_path(&test_arena, "/esempio/ufficio/", &out));
    assert_non_null(field_local_path(&test_arena, "//evil.example/", &out));
    assert_non_null(field_local_path(&test_arena, "https://evil.example/", &out));
    assert_non_null(field_local_path(&test_arena, "/\\evil.example", &out));
}

/* The router's field step over a parsed body: repeated fields ("name[]") collect every
   occurrence, each held to the limit and the validator; the others take the first one. */
static void run_fields(const struct route *rt, const char *body, struct req *r)
{
    memset(r, 0, sizeof(*r));
    arena_init(&r->arena, 1024);
    r->method = HTTP_POST;
    r->route = rt;
    assert_int_equal(form_parse_urlencoded(&r->arena, body, strlen(body), &r->form, &r->nform),
                     FORM_OK);
    router_validate_fields(r);
}

static void test_repeated_fields(void **state)
{
    static const struct field_spec fields[] = {
        {"day[]", field_token, 3, true},
        {"title", field_text, 20, false},
        {"extra[]", field_token, 8, false},
    };
    static const struct route rt = {HTTP_POST, "/x", 0, ROUTE_FIELDS(fields), NULL, 0};
    struct req r;
    const char **v;

    run_fields(&rt, "day%5B%5D=1&title=Uno&day%5B%5D=&day%5B%5D=3&title=Due&day=9", &r);
    assert_false(r.has_errors);
    assert_string_equal(req_field(&r, "title"), "Uno");
    assert_string_equal(req_field(&r, "day[]"), "1\n3");
    assert_int_equal(req_field_list(&r, "day[]", false, &v), 2);
    assert_string_equal(v[0], "1");
    assert_string_equal(v[1], "3");
    assert_null(v[2]);
    assert_int_equal(req_field_list(&r, "extra[]", false, &v), 0); /* optional, absent */
    assert_null(v[0]);
    assert_int_equal(req_field_list(&r, "nothing[]", true, &v), 0); /* undeclared */
    arena_free(&r.arena);

    /* One bad occurrence: the field's error, no valid values, but everything sent is kept. */
    run_fields(&rt, "day%5B%5D=1&day%5B%5D=a+b&day%5B%5D=1234&extra%5B%5D=ok", &r);
    assert_true(r.has_errors);
    assert_string_equal(req_field_error(&r, "day[]"), "This value is not valid.");
    assert_null(req_field(&r, "day[]"));
    assert_int_equal(req_field_list(&r, "day[]", false, &v), 0);
    assert_int_equal(req_field_list(&r, "day[]", true, &v), 3);
    assert_string_equal(v[1], "a b");
    assert_string_equal(v[2], "1234");
    assert_string_equal(req_field(&r, "extra[]"), "ok");
    arena_free(&r.arena);

    /* Past the limit; a newline (the separator); required with only empty occurrences. */
    run_fields(&rt, "day%5B%5D=1234", &r);
    assert_string_equal(req_field_error(&r, "day[]"), "This is too long: please shorten it.");
    arena_free(&r.arena);
    run_fields(&rt, "day%5B%5D=1%0A2", &r);
    assert_string_equal(req_field_error(&r, "day[]"), "This value is not valid.");
    arena_free(&r.arena);
    run_fields(&rt, "day%5B%5D=&title=x", &r);
    assert_string_equal(req_field_error(&r, "day[]"), "This field is required.");
    assert_null(req_field_raw(&r, "day[]"));
    arena_free(&r.arena);
}

/* A .mo file in the GNU format, little-endian, built by hand: 2 strings sorted. */
static size_t make_mo(unsigned char *buf, const char *const *ids, const char *const *strs, int n)
{
    size_t off = 28 + (size_t)n * 16;
    uint32_t header[7] = {0x950412de, 0, (uint32_t)n, 28, 28 + (uint32_t)n * 8, 0, 0};
    memcpy(buf, header, sizeof(header));
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const char *s = pass ? strs[i] : ids[i];
            uint32_t ent[2] = {(uint32_t)strlen(s), (uint32_t)off};
            memcpy(buf + 28 + (size_t)pass * n * 8 + (size_t)i * 8, ent, 8);
            memcpy(buf + off, s, strlen(s) + 1);
            off += strlen(s) + 1;
        }
    return off;
}

static void test_catalog_parse_and_lookup(void **state)
{
    unsigned char mo[512];
    const char *ids[] = {"Home", "Page not found", "Zebra"};
    const char *strs[] = {"Home", "Pagina non trovata", ""};
    size_t len = make_mo(mo, ids, strs, 3);
    struct i18n_catalog *c = i18n_catalog_parse((const char *)mo, len);
    assert_non_null(c);
    assert_int_equal(i18n_catalog_size(c), 2); /* the untranslated one is skipped */
    assert_string_equal(i18n_catalog_lookup(c, "Page not found"), "Pagina non trovata");
    assert_null(i18n_catalog_lookup(c, "Zebra"));
    assert_null(i18n_catalog_lookup(c, "Missing"));
    i18n_catalog_free(c);

    /* Truncated, bad magic, out-of-bounds offsets and unsorted ids are refused. */
    assert_null(i18n_catalog_parse((const char *)mo, 20));
    mo[0] ^= 0xff;
    assert_null(i18n_catalog_parse((const char *)mo, len));
    mo[0] ^= 0xff;
    assert_null(i18n_catalog_parse((const char *)mo, len - 5));
    const char *unsorted[] = {"b", "a"};
    len = make_mo(mo, unsorted, unsorted, 2);
    assert_null(i18n_catalog_parse((const char *)mo, len));
}

static void test_embedded_italian_catalog(void **state)
{
    assert_int_equal(i18n_init(), 0);
    assert_string_equal(tr("it", "Page not found"), "Pagina non trovata");
    assert_string_equal(tr("en", "Page not found"), "Page not found");
    assert_string_equal(tr("it", "A msgid nobody wrote"), "A msgid nobody wrote");
    assert_string_equal(i18n_lang("en"), "en");
    assert_null(i18n_lang("fr"));
    assert_null(i18n_lang(NULL));
}

static void test_str_digits(void **state)
{
    assert_true(str_digits("0", 1, 1));
    assert_true(str_digits("0123456789", 10, 10));
    assert_true(str_digits("", 0, 3));
    assert_false(str_digits("", 1, 3));
    assert_false(str_digits("1234", 1, 3));
    assert_false(str_digits("12", 3, 5));
    assert_false(str_digits("-12", 1, 5));
    assert_false(str_digits("+12", 1, 5));
    assert_false(str_digits(" 12", 1, 5));
    assert_false(str_digits("12a", 1, 5));
    assert_false(str_digits("1.2", 1, 5));
    assert_false(str_digits(NULL, 0, 5));
}

/* One month field and one month label serve the statement, the debts, the meals and the
   calendars: both typed forms normalise to "YYYY-MM", anything else is refused, and the label
   is the translated month name with the year. */
static void test_field_month(void **state)
{
    const char *out = NULL;
    assert_null(field_month(&test_arena, "2026-09", &out));
    assert_string_equal(out, "2026-09");
    assert_null(field_month(&test_arena, "11/2026", &out));
    assert_string_equal(out, "2026-11");
    static const char *const bad[] = {"2026-13", "2026-00", "2026-9",  "1999-12", "2101-01",
                                      "26-09",   "2026/09", "abcd-ef", "",        "2026-09-01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_string_equal(field_month(&test_arena, bad[i], &out), "Enter a month like 2026-09.");
    assert_int_equal(i18n_init(), 0);
    assert_string_equal(field_month_label(&test_arena, "it", 2026, 11), "novembre 2026");
    assert_string_equal(field_month_label(&test_arena, "en", 2027, 1), "January 2027");
    assert_string_equal(field_month_label_ym(&test_arena, "en", "2026-09"), "September 2026");
    assert_string_equal(field_month_label_ym(&test_arena, "en", "2026-9"), "2026-9");
}

static void test_field_day(void **state)
{
    static const char *const msg = "Enter a date like 15/01/2027.";
    static const struct {
        const char *in, *iso;
    } good[] = {
        {"2027-01-15", "2027-01-15"}, {"15/01/2027", "2027-01-15"}, {"15.01.2027", "2027-01-15"},
        {"15-01-2027", "2027-01-15"}, {"5/1/2027", "2027-01-05"},   {"29/02/2028", "2028-02-29"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *out = NULL;
        assert_null(field_day(&test_arena, good[i].in, &out));
        assert_string_equal(out, good[i].iso);
    }
    static const char *const bad[] = {
        "31/02/2035",  "29/02/2027", "15/13/2027",  "00/01/2027",  "15/01/27",  "15/01-2027",
        "15 01 2027",  "+1/01/2027", "115/01/2027", "15/01/20270", "2027-1-15", "oggi",
        "15/01/2027 ", "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *out = NULL;
        assert_string_equal(field_day(&test_arena, bad[i], &out), msg);
        assert_null(out);
    }
}

static void test_field_row_id(void **state)
{
    const char *out = NULL;
    assert_null(field_row_id(&test_arena, "42", &out));
    assert_string_equal(out, "42");
    assert_null(field_row_id(&test_arena, "999999999999999999", &out));
    static const char *const bad[] = {"0",  "007", "-3", "+3",
                                      "3a", "",    " 3", "1000000000000000000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        out = NULL;
        assert_string_equal(field_row_id(&test_arena, bad[i], &out),
                            "Choose one of the options listed.");
        assert_null(out);
        assert_int_equal(field_row_id_parse(bad[i]), 0);
    }
    assert_int_equal(field_row_id_parse("42"), 42);
    assert_int_equal(field_row_id_parse("999999999999999999"), 999999999999999999LL);
    assert_int_equal(field_row_id_parse(NULL), 0);
}

static void test_field_euro_defaults(void **state)
{
    const char *out = NULL;
    assert_null(field_euro(&test_arena, "25,00", &out));
    assert_string_equal(out, "2500");
    assert_null(field_euro(&test_arena, "-30", &out));
    assert_string_equal(out, "-3000");
    assert_null(field_euro(&test_arena, "1.250,50 €", &out));
    assert_string_equal(out, "125050");
    out = NULL;
    assert_string_equal(field_euro(&test_arena, "12.50", &out),
                        "Use the comma for the cents, for example 35,50.");
    assert_null(out);
    assert_string_equal(field_euro(&test_arena, "12,345", &out),
                        "Use at most two decimals, like 12,35.");
    assert_string_equal(field_euro(&test_arena, "trenta", &out),
                        "Enter an amount in euro, like 25,00.");
    assert_null(out);

    int64_t cents = 7;
    assert_null(field_euro_parse(NULL, "0,5", &cents));
    assert_int_equal(cents, 50);
    assert_string_equal(field_euro_parse(NULL, NULL, &cents),
                        "Enter an amount in euro, like 25,00.");
    assert_int_equal(cents, 50); /* untouched on a refusal */
}

static void test_field_euro_rules(void **state)
{
    /* A bounded price with its own words: each message where its rule fails. */
    static const struct euro_rules price = {
        .bounded = true,
        .min = 0,
        .max = 100000,
        .not_amount = "price?",
        .decimals = "decimals?",
        .dot = "dot?",
        .out_of_range = "range?",
    };
    const char *out = NULL;
    assert_null(field_euro_check(&price, &test_arena, "0", &out));
    assert_string_equal(out, "0");
    assert_null(field_euro_check(&price, &test_arena, "1.000,00", &out));
    assert_string_equal(out, "100000");
    assert_string_equal(field_euro_check(&price, &test_arena, "1.000,01", &out), "range?");
    assert_string_equal(field_euro_check(&price, &test_arena, "-0,01", &out), "range?");
    assert_string_equal(field_euro_check(&price, &test_arena, "5.10", &out), "dot?");
    assert_string_equal(field_euro_check(&price, &test_arena, "5,101", &out), "decimals?");
    assert_string_equal(field_euro_check(&price, &test_arena, "cinque", &out), "price?");

    /* Only not_amount given: the range falls back to it, the others to the defaults. */
    static const struct euro_rules min = {
        .bounded = true, .min = 0, .max = INT64_MAX, .not_amount = "amount?"};
    int64_t cents;
    assert_string_equal(field_euro_parse(&min, "-1", &cents), "amount?");
    assert_string_equal(field_euro_parse(&min, "x", &cents), "amount?");
    assert_string_equal(field_euro_parse(&min, "1.5", &cents),
                        "Use the comma for the cents, for example 35,50.");
    assert_string_equal(field_euro_parse(&min, "1,555", &cents),
                        "Use at most two decimals, like 12,35.");
    assert_null(field_euro_parse(&min, "50", &cents));
    assert_int_equal(cents, 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_decoding_is_strict),
        cmocka_unit_test(test_urlencoded_pairs_and_limits),
        cmocka_unit_test(test_cookie_header),
        cmocka_unit_test(test_route_patterns),
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_repeated_fields),
        cmocka_unit_test(test_catalog_parse_and_lookup),
        cmocka_unit_test(test_embedded_italian_catalog),
        cmocka_unit_test(test_str_digits),
        cmocka_unit_test(test_field_day),
        cmocka_unit_test(test_field_month),
        cmocka_unit_test(test_field_row_id),
        cmocka_unit_test(test_field_euro_defaults),
        cmocka_unit_test(test_field_euro_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
