/* refettorio check (src/cli/check.c): JSON on stdout, exit 0/1/2, usage on stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLI_OUT_MAX 4096

struct run {
    int status;
    char out[CLI_OUT_MAX];
    char err[CLI_OUT_MAX];
};

static void slurp(FILE *f, char *buf)
{
    rewind(f);
    size_t n = fread(buf, 1, CLI_OUT_MAX - 1, f);
    buf[n] = '\0';
}

/* Runs cli_check with stdout and stderr redirected to temporary files. */
static void run_check(struct run *r, int argc, const char **argv)
{
    FILE *out = tmpfile();
    FILE *err = tmpfile();
    assert_non_null(out);
    assert_non_null(err);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(STDOUT_FILENO);
    int saved_err = dup(STDERR_FILENO);
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    r->status = cli_check(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    slurp(out, r->out);
    slurp(err, r->err);
    fclose(out);
    fclose(err);
}

#define RUN(r, ...)                                                                                \
    do {                                                                                           \
        const char *argv_[] = {"check", __VA_ARGS__};                                              \
        run_check((r), (int)(sizeof(argv_) / sizeof(argv_[0])), argv_);                            \
    } while (0)

/* Parses the single JSON object on stdout (exactly one line). */
static json_t *output_json(const struct run *r)
{
    json_error_t e;
    const char *nl = strchr(r->out, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
    json_t *j = json_loads(r->out, 0, &e);
    if (j == NULL) {
        fail_msg("not JSON: %s", r->out);
    }
    assert_true(json_is_object(j));
    return j;
}

static const char *str_field(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_string(v)) {
        fail_msg("no string field %s", key);
    }
    return json_string_value(v);
}

static void expect_valid(struct run *r, const char *normalized)
{
    assert_int_equal(r->status, 0);
    json_t *j = output_json(r);
    assert_true(json_is_true(json_object_get(j, "valid")));
    if (normalized != NULL) {
        assert_string_equal(str_field(j, "normalized"), normalized);
    }
    json_decref(j);
}

static void expect_invalid(struct run *r, const char *error)
{
    assert_int_equal(r->status, 1);
    json_t *j = output_json(r);
    assert_true(json_is_false(json_object_get(j, "valid")));
    assert_string_equal(str_field(j, "error"), error);
    json_decref(j);
}

static void expect_usage(struct run *r)
{
    assert_int_equal(r->status, 2);
    assert_string_equal(r->out, "");
    assert_non_null(strstr(r->err, "usage: refettorio check"));
}

static void test_cf(void **state)
{
    struct run r;
    RUN(&r, "cf", "rssmra75c22h50ma");
    expect_valid(&r, "RSSMRA75C22H50MA");
    json_t *j = output_json(&r);
    assert_string_equal(str_field(j, "canonical"), "RSSMRA75C22H501I");
    assert_string_equal(str_field(j, "birth_date"), "1975-03-22");
    assert_string_equal(str_field(j, "sex"), "M");
    assert_string_equal(str_field(j, "place"), "ROMA");
    assert_string_equal(str_field(j, "province"), "RM");
    assert_true(json_is_true(json_object_get(j, "omocodic")));
    json_decref(j);

    RUN(&r, "cf", "RSSMRA75B31H501X");
    expect_invalid(&r, "31 February does not exist");
    RUN(&r, "cf", "");
    expect_invalid(&r, "the codice fiscale is empty");

    /* Well formed, unknown place: valid, with a warning. */
    RUN(&r, "cf", "--surname", "Rossi", "--name", "Mario", "--birth", "1975-03-22", "--sex", "M",
        "--place", "Z999");
    expect_valid(&r, NULL);
    j = output_json(&r);
    assert_true(json_is_false(json_object_get(j, "place_known")));
    assert_string_equal(str_field(j, "warning"), "unknown place");
    json_decref(j);
}

static void test_cf_compute_and_consistency(void **state)
{
    struct run r;
    RUN(&r, "cf", "--surname", "Rossi", "--name", "Mario", "--birth", "1975-03-22", "--sex", "M",
        "--place", "H501");
    expect_valid(&r, "RSSMRA75C22H501I");

    RUN(&r, "cf", "--surname=Rossi", "--name=Mario", "--birth=1975-02-30", "--sex=M",
        "--place=H501");
    expect_invalid(&r, "the birth date is not a valid date");

    RUN(&r, "cf", "RSSMRA75C22H5LML", "--surname", "Rossi", "--name", "Mario", "--birth",
        "1975-03-22", "--sex", "M", "--place", "H501");
    expect_valid(&r, "RSSMRA75C22H5LML");

    RUN(&r, "cf", "RSSMRA75C22H501I", "--surname", "Rossi", "--name", "Marco", "--birth",
        "1975-03-22", "--sex", "M", "--place", "H501");
    expect_invalid(&r, "the name does not match the codice fiscale");
    json_t *j = output_json(&r);
    json_t *m = json_object_get(j, "mismatch");
    assert_int_equal(json_array_size(m), 1);
    assert_string_equal(json_string_value(json_array_get(m, 0)), "name");
    json_decref(j);

    RUN(&r, "cf", "--surname", "Rossi", "--name", "Mario");
    expect_usage(&r);
}

static void test_other_kinds(void **state)
{
    struct run r;
    RUN(&r, "cf11", "00743110157");
    expect_valid(&r, "00743110157");
    RUN(&r, "cf11", "00743110158");
    expect_invalid(&r, "wrong check digit: '7' was expected as the last digit");

    RUN(&r, "iban", "it60 x054 2811 1010 0000 0123 456");
    expect_valid(&r, "IT60X0542811101000000123456");
    json_t *j = output_json(&r);
    assert_string_equal(str_field(j, "formatted"), "IT60 X054 2811 1010 0000 0123 456");
    assert_string_equal(str_field(j, "abi"), "05428");
    json_decref(j);
    RUN(&r, "iban", "IT60X0542811101000000123457");
    expect_invalid(&r, "the IBAN check digits do not match: a character is probably mistyped");

    RUN(&r, "creditor-id", "IT66ZZZA1B2C3D4E5F6G7H8");
    expect_valid(&r, "IT66ZZZA1B2C3D4E5F6G7H8");
    RUN(&r, "creditor-id", "--id", "00743110157");
    expect_valid(&r, NULL);
    RUN(&r, "creditor-id", "IT67ZZZA1B2C3D4E5F6G7H8");
    expect_invalid(&r, "wrong check digits: 67 where 66 was expected");

    RUN(&r, "email", " Mario.Rossi@Example.IT ");
    expect_valid(&r, "Mario.Rossi@example.it");
    RUN(&r, "email", "mario@localhost");
    expect_invalid(&r, "the domain after the @ must contain a dot");

    RUN(&r, "mobile", "347 123 4567");
    expect_valid(&r, "+393471234567");
    RUN(&r, "mobile", "06 1234567");
    expect_invalid(&r, "this is a landline number: a mobile number starts with 3");

    RUN(&r, "money", "1.234,50 \xe2\x82\xac");
    expect_valid(&r, "1.234,50");
    RUN(&r, "place", "H501");
    expect_valid(&r, "H501");
}

static void test_notice_qr_vat(void **state)
{
    struct run r;
    RUN(&r, "notice", "302032002700000251");
    expect_valid(&r, "302032002700000251");
    json_t *j = output_json(&r);
    assert_string_equal(str_field(j, "formatted"), "3020 3200 2700 0002 51");
    assert_string_equal(str_field(j, "segregation_code"), "02");
    assert_int_equal(json_integer_value(json_object_get(j, "aux_digit")), 3);
    json_decref(j);
    RUN(&r, "notice", "344012345678901233");
    expect_invalid(&r, "wrong check digits: 33 where 86 was expected");

    RUN(&r, "notice", "--segregation", "02", "--base", "0000000000001");
    expect_valid(&r, "302000000000000184");
    RUN(&r, "notice", "--segregation", "2", "--base", "0000000000001");
    expect_invalid(&r, "the segregation code must be two digits, 00 to 99");
    RUN(&r, "notice", "--segregation", "02");
    expect_usage(&r);

    RUN(&r, "qr", "--notice", "302032002700000251", "--ente", "03334231200", "--cents", "11");
    assert_int_equal(r.status, 0);
    j = output_json(&r);
    assert_string_equal(str_field(j, "payload"), "PAGOPA|002|302032002700000251|03334231200|11");
    json_decref(j);
    RUN(&r, "qr", "--notice", "302032002700000251", "--ente", "03334231200", "--cents", "x");
    expect_invalid(&r, "the amount must be a whole number of cents");

    RUN(&r, "vat", "--gross", "618", "--rate", "4");
    assert_int_equal(r.status, 0);
    j = output_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "net")), 594);
    assert_int_equal(json_integer_value(json_object_get(j, "vat")), 24);
    assert_string_equal(str_field(j, "gross_text"), "6,18 \xe2\x82\xac");
    json_decref(j);
    RUN(&r, "vat", "--net", "9223372036854775807", "--rate", "4");
    expect_invalid(&r, "the amount is too large");
    RUN(&r, "vat", "--gross", "100", "--rate", "101");
    expect_invalid(&r, "the VAT rate must be between 0 and 100 percent");

    RUN(&r, "datamatrix", "--notice", "300715700000000032", "--account", "16302093", "--cents", "1",
        "--ente", "00085240950", "--debtor", "BSCMTT83A12L719R", "--name", "Name Surname",
        "--subject", "test");
    assert_int_equal(r.status, 0);
    j = output_json(&r);
    assert_int_equal(strlen(str_field(j, "payload")), 256);
    json_decref(j);
}

static void test_usage(void **state)
{
    struct run r;
    const char *only[] = {"check"};
    run_check(&r, 1, only);
    expect_usage(&r);
    RUN(&r, "bogus", "x");
    expect_usage(&r);
    RUN(&r, "cf");
    expect_usage(&r);
    RUN(&r, "iban", "IT60", "X054");
    expect_usage(&r);
    RUN(&r, "email", "--surname", "x");
    expect_usage(&r);
    RUN(&r, "qr", "--notice");
    expect_usage(&r);
    RUN(&r, "vat", "--gross", "1", "--net", "1", "--rate", "4");
    expect_usage(&r);
    RUN(&r, "cf", "--surname", "A", "--surname", "B");
    expect_usage(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cf),          cmocka_unit_test(test_cf_compute_and_consistency),
        cmocka_unit_test(test_other_kinds), cmocka_unit_test(test_notice_qr_vat),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
