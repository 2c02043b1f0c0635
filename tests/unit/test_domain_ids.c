/* 11-digit CF / partita IVA, IBAN, SEPA creditor id, e-mail, mobile numbers (src/domain/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/cf11.h"
#include "domain/checksum.h"
#include "domain/creditor_id.h"
#include "domain/email.h"
#include "domain/iban.h"
#include "domain/mobile.h"

#include <stdio.h>
#include <string.h>

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void test_cf11(void **state)
{
    static const char *const valid[] = {"00743110157", "03334231200", "00085240950", "01199250158",
                                        "00087640256"};
    struct cf11 v;
    char text[128];
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        assert_int_equal(cf11_parse(valid[i], &v), CF11_OK);
        assert_string_equal(v.normalized, valid[i]);
    }
    assert_int_equal(cf11_parse("IT 007 431 101 57", &v), CF11_OK);
    assert_string_equal(v.normalized, "00743110157");

    assert_int_equal(cf11_parse("00743110158", &v), CF11_BAD_CHECK);
    assert_int_equal(v.expected_check, '7');
    cf11_describe(CF11_BAD_CHECK, &v, text, sizeof(text));
    assert_string_equal(text, "wrong check digit: '7' was expected as the last digit");
    /* The pagoPA test creditor: not a valid number. */
    assert_int_equal(cf11_parse("77777777777", &v), CF11_BAD_CHECK);
    assert_int_equal(cf11_parse("00000000000", &v), CF11_ALL_ZERO);
    assert_int_equal(cf11_parse("", &v), CF11_EMPTY);
    assert_int_equal(cf11_parse("0074311015", &v), CF11_WRONG_LENGTH);
    cf11_describe(CF11_WRONG_LENGTH, &v, text, sizeof(text));
    assert_string_equal(text, "wrong length: 10 digits, the number must have 11");
    assert_int_equal(cf11_parse("0074311O157", &v), CF11_NOT_DIGIT);
    assert_int_equal(v.err_pos, 8);
    assert_int_equal(cf11_parse("0074311\xc3\xa9"
                                "157",
                                &v),
                     CF11_NON_ASCII);

    /* Computed then verified always agree; one changed digit is always caught. */
    for (int n = 0; n < 2000; n++) {
        char num[CF11_LEN + 1];
        for (size_t i = 0; i < 10; i++) {
            num[i] = (char)('0' + rng_next() % 10);
        }
        num[0] = '1';
        num[10] = cf11_check_digit(num);
        num[11] = '\0';
        assert_int_equal(cf11_parse(num, &v), CF11_OK);
        size_t pos = rng_next() % CF11_LEN;
        num[pos] = (char)('0' + (num[pos] - '0' + 1 + rng_next() % 9) % 10);
        assert_int_not_equal(cf11_parse(num, &v), CF11_OK);
    }
}

static void test_iban_vectors(void **state)
{
    static const char *const valid[] = {
        "IT60X0542811101000000123456", "DE89370400440532013000", "FR1420041010050500013M02606",
        "ES9121000418450200051332",    "NL91ABNA0417164300",     "BE68539007547034",
        "AT611904300234573201",        "GB29NWBK60161331926819", "NO9386011117947",
        "CH9300762011623852957",
    };
    struct iban v;
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        enum iban_err err = iban_parse(valid[i], &v);
        if (err != IBAN_OK) {
            fail_msg("%s: %s", valid[i], iban_strerror(err));
        }
        assert_string_equal(v.normalized, valid[i]);
    }
    assert_int_equal(iban_parse("it60 x054 2811 1010 0000 0123 456", &v), IBAN_OK);
    assert_string_equal(v.normalized, "IT60X0542811101000000123456");
    assert_string_equal(v.formatted, "IT60 X054 2811 1010 0000 0123 456");
    assert_string_equal(v.country, "IT");
    assert_string_equal(v.check, "60");
    assert_int_equal(v.cin, 'X');
    assert_string_equal(v.abi, "05428");
    assert_string_equal(v.cab, "11101");
    assert_string_equal(v.account, "000000123456");
    assert_int_equal(iban_italian_cin("0542811101000000123456"), 'X');

    assert_int_equal(iban_parse("DE89 3704 0044 0532 0130 00", &v), IBAN_OK);
    assert_string_equal(v.formatted, "DE89 3704 0044 0532 0130 00");
    assert_int_equal(v.cin, '\0');
}

static void test_iban_errors(void **state)
{
    struct iban v;
    char text[160];
    assert_int_equal(iban_parse("", &v), IBAN_EMPTY);
    assert_int_equal(iban_parse("IT60X054281110100000012345", &v), IBAN_WRONG_LENGTH);
    iban_describe(IBAN_WRONG_LENGTH, &v, text, sizeof(text));
    assert_string_equal(text, "wrong length: 26 characters, an IBAN from IT has 27");
    assert_int_equal(iban_parse("DE8937040044", &v), IBAN_WRONG_LENGTH);
    assert_int_equal(iban_parse("1T60X0542811101000000123456", &v), IBAN_BAD_COUNTRY);
    assert_int_equal(iban_parse("ITX0X0542811101000000123456", &v), IBAN_BAD_CHECK_FORMAT);
    assert_int_equal(iban_parse("IT60X05428-1101000000123456", &v), IBAN_BAD_CHARACTER);
    assert_int_equal(v.err_pos, 11);
    assert_int_equal(iban_parse("IT60X0542811101000000123\xc3\xa9", &v), IBAN_NON_ASCII);
    /* One changed character in the account: MOD 97 catches it. */
    assert_int_equal(iban_parse("IT60X0542811101000000123457", &v), IBAN_BAD_CHECKSUM);
    /* Swapped neighbours. */
    assert_int_equal(iban_parse("IT60X0542811101000000124356", &v), IBAN_BAD_CHECKSUM);
    /* Letters where ABI/CAB digits go. */
    assert_int_equal(iban_parse("IT60X05A2811101000000123456", &v), IBAN_BAD_BBAN);
    assert_int_equal(v.err_pos, 8);
    assert_int_equal(iban_parse("IT6090542811101000000123456", &v), IBAN_BAD_BBAN);
    assert_int_equal(v.err_pos, 5);

    /* Right MOD 97 but a wrong CIN: built with the wrong letter and fresh check digits. */
    char made[IBAN_MAX_LEN + 1];
    assert_int_equal(iban_make("IT", "Y0542811101000000123456", made), IBAN_OK);
    assert_int_equal(iban_parse(made, &v), IBAN_BAD_CIN);
    assert_int_equal(v.expected_cin, 'X');
    iban_describe(IBAN_BAD_CIN, &v, text, sizeof(text));
    assert_string_equal(text, "wrong CIN: 'Y' where 'X' was expected");
}

static void test_iban_registry(void **state)
{
    struct iban v;
    char made[IBAN_MAX_LEN + 1];
    /* Lengths come from the ISO 13616 registry: Germany 22, Norway 15, Malta 31, France 27. */
    assert_int_equal(iban_parse("DE89 3704 0044 0532 0130 00", &v), IBAN_OK);
    assert_int_equal(v.sepa, 1);
    assert_int_equal(iban_parse("DE89 3704 0044 0532 0130 0", &v), IBAN_WRONG_LENGTH);
    assert_int_equal(v.expected_length, 22);
    assert_int_equal(iban_parse("NO9386011117947", &v), IBAN_OK);
    assert_int_equal(iban_parse("MT84MALT011000012345MTLCAST001S", &v), IBAN_OK);
    assert_int_equal(iban_parse("FR1420041010050500013M02606", &v), IBAN_OK);
    /* A country code without IBAN, and one outside SEPA. */
    assert_int_equal(iban_parse("US12 3456 7890 1234 5678 90", &v), IBAN_BAD_COUNTRY);
    assert_int_equal(iban_make("US", "1234567890123456", made), IBAN_BAD_COUNTRY);
    assert_int_equal(iban_make("DE", "37040044053201300", made), IBAN_WRONG_LENGTH);
    assert_int_equal(iban_make("DE", "370400440532013000", made), IBAN_OK);
    assert_string_equal(made, "DE89370400440532013000");
    const struct iban_country *c = iban_country_find("IT");
    assert_non_null(c);
    assert_int_equal(c->length, 27);
    c = iban_country_find("SA");
    assert_non_null(c);
    assert_int_equal(c->sepa, 0);
    assert_null(iban_country_find("ZZ"));
    assert_true(iban_countries_count > 60);
}

static void test_iban_property(void **state)
{
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int n = 0; n < 2000; n++) {
        char bban[24];
        char iban[IBAN_MAX_LEN + 1];
        struct iban v;
        for (size_t i = 1; i < 11; i++) {
            bban[i] = (char)('0' + rng_next() % 10);
        }
        for (size_t i = 11; i < 23; i++) {
            bban[i] = alnum[rng_next() % 36];
        }
        bban[23] = '\0';
        bban[0] = iban_italian_cin(bban + 1);
        assert_int_equal(iban_make("IT", bban, iban), IBAN_OK);
        assert_int_equal(iban_parse(iban, &v), IBAN_OK);
        /* One changed character anywhere after the country is caught. */
        /* Same-class changes (digit for digit, letter for letter), which ISO 7064 guarantees. */
        size_t pos = 2 + rng_next() % (IBAN_IT_LEN - 2);
        if (iban[pos] >= '0' && iban[pos] <= '9') {
            iban[pos] = (char)('0' + (iban[pos] - '0' + 1 + rng_next() % 9) % 10);
        } else {
            iban[pos] = (char)('A' + (iban[pos] - 'A' + 1 + rng_next() % 25) % 26);
        }
        assert_int_not_equal(iban_parse(iban, &v), IBAN_OK);
    }
    char iban[IBAN_MAX_LEN + 1];
    assert_int_equal(iban_make("DE", "370400440532013000", iban), IBAN_OK);
    assert_string_equal(iban, "DE89370400440532013000");
    assert_int_equal(iban_make("IT", "X0542811101000000123456", iban), IBAN_OK);
    assert_string_equal(iban, "IT60X0542811101000000123456");
    assert_int_equal(iban_make("I1", "X0542811101000000123456", iban), IBAN_BAD_COUNTRY);
    assert_int_equal(iban_make("IT", "X05-2811101000000123456", iban), IBAN_BAD_CHARACTER);
}

static void test_creditor_id(void **state)
{
    static const char *const valid[] = {"IT66ZZZA1B2C3D4E5F6G7H8", "ES23ZZZ47690558N",
                                        "DE98ZZZ09999999999", "SM31001000000000SM30756"};
    struct creditor_id v;
    char text[160];
    char made[CREDITOR_ID_MAX_LEN + 1];
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        enum creditor_id_err err = creditor_id_parse(valid[i], &v);
        if (err != CREDITOR_ID_OK) {
            fail_msg("%s: %s", valid[i], creditor_id_strerror(err));
        }
    }
    assert_int_equal(creditor_id_parse("it66 zzz a1b2 c3d4 e5f6 g7h8", &v), CREDITOR_ID_OK);
    assert_string_equal(v.normalized, "IT66ZZZA1B2C3D4E5F6G7H8");
    assert_string_equal(v.business_code, "ZZZ");
    assert_string_equal(v.national_id, "A1B2C3D4E5F6G7H8");
    /* The business code is outside the check: changing it keeps the id valid. */
    assert_int_equal(creditor_id_parse("IT66ABCA1B2C3D4E5F6G7H8", &v), CREDITOR_ID_OK);

    assert_int_equal(creditor_id_parse("IT67ZZZA1B2C3D4E5F6G7H8", &v), CREDITOR_ID_BAD_CHECK);
    creditor_id_describe(CREDITOR_ID_BAD_CHECK, &v, text, sizeof(text));
    assert_string_equal(text, "wrong check digits: 67 where 66 was expected");
    assert_int_equal(creditor_id_parse("IT66ZZZA1B2C3D4E5F6G7H9", &v), CREDITOR_ID_BAD_CHECK);
    assert_int_equal(creditor_id_parse("IT66ZZZA1B2C3D4E5F6G7H", &v), CREDITOR_ID_WRONG_LENGTH);
    assert_int_equal(creditor_id_parse("", &v), CREDITOR_ID_EMPTY);
    assert_int_equal(creditor_id_parse("I766ZZZA1B2C3D4E5F6G7H8", &v), CREDITOR_ID_BAD_COUNTRY);
    assert_int_equal(creditor_id_parse("ITA6ZZZA1B2C3D4E5F6G7H8", &v),
                     CREDITOR_ID_BAD_CHECK_FORMAT);
    assert_int_equal(creditor_id_parse("IT66ZZZ_1B2C3D4E5F6G7H8", &v), CREDITOR_ID_BAD_CHARACTER);

    /* Making one: an 11-digit CF is left-padded with five zeros. */
    assert_int_equal(creditor_id_make("IT", NULL, "A1B2C3D4E5F6G7H8", made), CREDITOR_ID_OK);
    assert_string_equal(made, "IT66ZZZA1B2C3D4E5F6G7H8");
    assert_int_equal(creditor_id_make("IT", NULL, "00743110157", made), CREDITOR_ID_OK);
    assert_memory_equal(made + 4, "ZZZ0000000743110157", 19);
    assert_int_equal(creditor_id_parse(made, &v), CREDITOR_ID_OK);
    assert_int_equal(creditor_id_make("DE", NULL, "09999999999", made), CREDITOR_ID_OK);
    assert_string_equal(made, "DE98ZZZ09999999999");
    assert_int_equal(creditor_id_make("SM", "001", "000000SM30756", made), CREDITOR_ID_OK);
    assert_string_equal(made, "SM31001000000SM30756");
    assert_int_equal(creditor_id_make("IT", NULL, "A1B2C3D4E5F6G7H8X", made),
                     CREDITOR_ID_WRONG_LENGTH);
    assert_int_equal(creditor_id_make("it", NULL, "00743110157", made), CREDITOR_ID_BAD_COUNTRY);

    for (int n = 0; n < 1000; n++) {
        char id[17];
        for (size_t i = 0; i < 16; i++) {
            id[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rng_next() % 36];
        }
        id[16] = '\0';
        assert_int_equal(creditor_id_make("IT", NULL, id, made), CREDITOR_ID_OK);
        assert_int_equal(creditor_id_parse(made, &v), CREDITOR_ID_OK);
        /* Same-class changes: a letter turning into a digit changes the length of the MOD 97
           expansion, and ISO 7064 promises nothing for that. */
        size_t pos = 7 + rng_next() % 16;
        if (made[pos] >= '0' && made[pos] <= '9') {
            made[pos] = (char)('0' + (made[pos] - '0' + 1 + rng_next() % 9) % 10);
        } else {
            made[pos] = (char)('A' + (made[pos] - 'A' + 1 + rng_next() % 25) % 26);
        }
        assert_int_equal(creditor_id_parse(made, &v), CREDITOR_ID_BAD_CHECK);
    }
}

static void email_expect(const char *in, enum email_err want, const char *normalized)
{
    struct email v;
    enum email_err err = email_parse(in, &v);
    if (err != want) {
        fail_msg("%s: got '%s'", in, email_strerror(err));
    }
    if (normalized != NULL) {
        assert_string_equal(v.normalized, normalized);
    }
}

static void test_email(void **state)
{
    email_expect("mario.rossi@example.it", EMAIL_OK, "mario.rossi@example.it");
    email_expect("  Mario.Rossi@Comune.Esempio.IT ", EMAIL_OK, "Mario.Rossi@comune.esempio.it");
    email_expect("a+tag@sub-domain.example.com", EMAIL_OK, "a+tag@sub-domain.example.com");
    email_expect("o'neil@example.ie", EMAIL_OK, NULL);
    email_expect("", EMAIL_EMPTY, NULL);
    email_expect("   ", EMAIL_EMPTY, NULL);
    email_expect("mario.rossi.example.it", EMAIL_NO_AT, NULL);
    email_expect("a@b@example.it", EMAIL_MANY_AT, NULL);
    email_expect("@example.it", EMAIL_BAD_LOCAL, NULL);
    email_expect(".mario@example.it", EMAIL_BAD_LOCAL, NULL);
    email_expect("mario.@example.it", EMAIL_BAD_LOCAL, NULL);
    email_expect("ma..rio@example.it", EMAIL_BAD_LOCAL, NULL);
    email_expect("ma(rio)@example.it", EMAIL_BAD_LOCAL, NULL);
    email_expect("mario rossi@example.it", EMAIL_SPACE, NULL);
    email_expect("mario@", EMAIL_BAD_DOMAIN, NULL);
    email_expect("mario@localhost", EMAIL_NO_DOT_DOMAIN, NULL);
    email_expect("mario@example..it", EMAIL_BAD_DOMAIN, NULL);
    email_expect("mario@-example.it", EMAIL_BAD_DOMAIN, NULL);
    email_expect("mario@example-.it", EMAIL_BAD_DOMAIN, NULL);
    email_expect("mario@exa_mple.it", EMAIL_BAD_DOMAIN, NULL);
    email_expect("mario@example.i", EMAIL_BAD_TLD, NULL);
    email_expect("mario@example.123", EMAIL_BAD_TLD, NULL);
    email_expect("mario@[127.0.0.1]", EMAIL_BAD_DOMAIN, NULL);
    email_expect("nicol\xc3\xb2@example.it", EMAIL_NON_ASCII, NULL);

    /* Limits: 64 characters of local part, 63 per label, 254 in all. */
    char buf[400];
    memset(buf, 'a', 64);
    strcpy(buf + 64, "@example.it");
    email_expect(buf, EMAIL_OK, NULL);
    memset(buf, 'a', 65);
    strcpy(buf + 65, "@example.it");
    email_expect(buf, EMAIL_BAD_LOCAL, NULL);
    strcpy(buf, "a@");
    memset(buf + 2, 'b', 63);
    strcpy(buf + 65, ".it");
    email_expect(buf, EMAIL_OK, NULL);
    strcpy(buf, "a@");
    memset(buf + 2, 'b', 64);
    strcpy(buf + 66, ".it");
    email_expect(buf, EMAIL_BAD_DOMAIN, NULL);
    /* 254 exactly: "a@" + 4 labels of 61 with their dots + a 4-letter top-level label. */
    size_t n = 0;
    buf[n++] = 'a';
    buf[n++] = '@';
    for (int l = 0; l < 4; l++) {
        memset(buf + n, 'c', 61);
        n += 61;
        buf[n++] = '.';
    }
    memcpy(buf + n, "itxy", 4);
    n += 4;
    buf[n] = '\0';
    assert_int_equal(n, EMAIL_MAX_LEN);
    email_expect(buf, EMAIL_OK, NULL);
    buf[n] = 'x';
    buf[n + 1] = '\0';
    email_expect(buf, EMAIL_TOO_LONG, NULL);
}

static void mobile_expect(const char *in, enum mobile_err want, const char *e164)
{
    struct mobile v;
    enum mobile_err err = mobile_parse(in, &v);
    if (err != want) {
        fail_msg("%s: got '%s'", in, mobile_strerror(err));
    }
    if (e164 != NULL) {
        assert_string_equal(v.e164, e164);
    }
}

static void test_mobile(void **state)
{
    mobile_expect("3471234567", MOBILE_OK, "+393471234567");
    mobile_expect("347 123 4567", MOBILE_OK, "+393471234567");
    mobile_expect("347-123.45/67", MOBILE_OK, "+393471234567");
    mobile_expect("+39 347 1234567", MOBILE_OK, "+393471234567");
    mobile_expect("(+39) 347 1234567", MOBILE_OK, "+393471234567");
    mobile_expect("0039 347 1234567", MOBILE_OK, "+393471234567");
    mobile_expect("393471234567", MOBILE_OK, "+393471234567");
    mobile_expect("335123456", MOBILE_OK, "+39335123456"); /* 9-digit numbers still exist */
    mobile_expect("", MOBILE_EMPTY, NULL);
    mobile_expect("  ", MOBILE_EMPTY, NULL);
    mobile_expect("06 1234567", MOBILE_LANDLINE, NULL);
    mobile_expect("+39 06 1234567", MOBILE_LANDLINE, NULL);
    mobile_expect("+41 79 123 45 67", MOBILE_FOREIGN, NULL);
    mobile_expect("0044 7700 900123", MOBILE_FOREIGN, NULL);
    mobile_expect("800123456", MOBILE_NOT_MOBILE, NULL);
    mobile_expect("34712345", MOBILE_WRONG_LENGTH, NULL);
    mobile_expect("34712345678", MOBILE_WRONG_LENGTH, NULL);
    mobile_expect("347 12E 4567", MOBILE_BAD_CHARACTER, NULL);
    mobile_expect("347+1234567", MOBILE_MISPLACED_PLUS, NULL);
    mobile_expect("+", MOBILE_WRONG_LENGTH, NULL);
    mobile_expect("3471234567                                   ", MOBILE_TOO_LONG, NULL);

    struct mobile v;
    char text[128];
    assert_int_equal(mobile_parse("347 1234", &v), MOBILE_WRONG_LENGTH);
    mobile_describe(MOBILE_WRONG_LENGTH, &v, text, sizeof(text));
    assert_string_equal(text, "wrong length: 7 digits, an Italian mobile number has 9 or 10");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cf11),          cmocka_unit_test(test_iban_vectors),
        cmocka_unit_test(test_iban_errors),   cmocka_unit_test(test_iban_registry),
        cmocka_unit_test(test_iban_property), cmocka_unit_test(test_creditor_id),
        cmocka_unit_test(test_email),         cmocka_unit_test(test_mobile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
