/* pagoPA notice numbers, IUV, QR and Poste DataMatrix payloads (src/domain/pagopa_notice.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/pagopa_notice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x94d049bb133111ebu;

static uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void test_public_vectors(void **state)
{
    struct pagopa_notice n;
    assert_int_equal(pagopa_notice_parse("302032002700000251", &n), PAGOPA_NOTICE_OK);
    assert_int_equal(n.aux, 3);
    assert_string_equal(n.segregation, "02");
    assert_string_equal(n.iuv, "02032002700000251");
    assert_string_equal(n.check, "51");
    assert_string_equal(n.formatted, "3020 3200 2700 0002 51");
    assert_int_equal(strlen(n.formatted), 22);
    assert_int_equal(n.deprecated, 0);

    assert_int_equal(pagopa_notice_parse("001721265093769322", &n), PAGOPA_NOTICE_OK);
    assert_int_equal(n.aux, 0);
    assert_string_equal(n.application_code, "01");
    assert_string_equal(n.iuv, "721265093769322");
    assert_int_equal(strlen(n.iuv), 15);
    assert_string_equal(n.check, "22");
    assert_int_equal(n.deprecated, 1);

    assert_int_equal(pagopa_notice_parse("300715700000000032", &n), PAGOPA_NOTICE_OK);
    assert_int_equal(pagopa_notice_parse("3020 0000 0000 0001 84", &n), PAGOPA_NOTICE_OK);

    char made[PAGOPA_NOTICE_LEN + 1];
    assert_int_equal(pagopa_notice_make(2, "0000000000001", made), PAGOPA_NOTICE_OK);
    assert_string_equal(made, "302000000000000184");
    assert_int_equal(pagopa_notice_make(2, "0320027000002", made), PAGOPA_NOTICE_OK);
    assert_string_equal(made, "302032002700000251");
}

static void test_synthetic_vectors_bad_check(void **state)
{
    /* io-pagopa-commons format examples whose check digits are not valid mod 93. */
    struct pagopa_notice n;
    char text[128];
    assert_int_equal(pagopa_notice_parse("344012345678901233", &n), PAGOPA_NOTICE_BAD_CHECK);
    assert_string_equal(n.expected_check, "86");
    pagopa_notice_describe(PAGOPA_NOTICE_BAD_CHECK, &n, text, sizeof(text));
    assert_string_equal(text, "wrong check digits: 33 where 86 was expected");
    assert_int_equal(pagopa_notice_parse("201234567890123422", &n), PAGOPA_NOTICE_BAD_CHECK);
    assert_int_equal(pagopa_notice_parse("011012345678901222", &n), PAGOPA_NOTICE_BAD_CHECK);
}

static void test_aux_forms(void **state)
{
    struct pagopa_notice n;
    /* aux 2: check over "2" + 15-digit base. */
    char nav[PAGOPA_NOTICE_LEN + 1] = "2123456789012345";
    unsigned long long v = 2123456789012345ULL % 93;
    snprintf(nav + 16, 3, "%02llu", v);
    assert_int_equal(pagopa_notice_parse(nav, &n), PAGOPA_NOTICE_OK);
    assert_int_equal(n.aux, 2);
    assert_string_equal(n.iuv, nav + 1);
    assert_int_equal(n.deprecated, 1);
    nav[16] = nav[16] == '0' ? '1' : '0';
    assert_int_equal(pagopa_notice_parse(nav, &n), PAGOPA_NOTICE_BAD_CHECK);

    /* aux 1: no check digits, deprecated. */
    assert_int_equal(pagopa_notice_parse("112345678901234567", &n), PAGOPA_NOTICE_OK);
    assert_int_equal(n.aux, 1);
    assert_string_equal(n.check, "");
    assert_string_equal(n.iuv, "12345678901234567");

    /* aux 4-9 do not exist. */
    assert_int_equal(pagopa_notice_parse("402032002700000251", &n), PAGOPA_NOTICE_BAD_AUX);
    assert_int_equal(pagopa_notice_parse("902032002700000251", &n), PAGOPA_NOTICE_BAD_AUX);
}

static void test_bad_input(void **state)
{
    struct pagopa_notice n;
    char text[128];
    assert_int_equal(pagopa_notice_parse("", &n), PAGOPA_NOTICE_EMPTY);
    assert_int_equal(pagopa_notice_parse(NULL, &n), PAGOPA_NOTICE_EMPTY);
    assert_int_equal(pagopa_notice_parse("30203200270000025", &n), PAGOPA_NOTICE_WRONG_LENGTH);
    pagopa_notice_describe(PAGOPA_NOTICE_WRONG_LENGTH, &n, text, sizeof(text));
    assert_string_equal(text, "wrong length: 17 digits, a notice number has 18");
    assert_int_equal(pagopa_notice_parse("3020320027000002511", &n), PAGOPA_NOTICE_WRONG_LENGTH);
    assert_int_equal(pagopa_notice_parse("30203200270000O251", &n), PAGOPA_NOTICE_NOT_DIGIT);
    assert_int_equal(n.err_pos, 15);
    assert_int_equal(pagopa_notice_parse("3020-3200-2700-0002-51", &n), PAGOPA_NOTICE_NOT_DIGIT);

    char made[PAGOPA_NOTICE_LEN + 1];
    assert_int_equal(pagopa_notice_make(100, "0000000000001", made), PAGOPA_NOTICE_BAD_SEGREGATION);
    assert_int_equal(pagopa_notice_make(-1, "0000000000001", made), PAGOPA_NOTICE_BAD_SEGREGATION);
    assert_int_equal(pagopa_notice_make(2, "000000000001", made), PAGOPA_NOTICE_BAD_BASE);
    assert_int_equal(pagopa_notice_make(2, "00000000000011", made), PAGOPA_NOTICE_BAD_BASE);
    assert_int_equal(pagopa_notice_make(2, "00000000000a1", made), PAGOPA_NOTICE_BAD_BASE);
    assert_string_equal(made, "");
}

static void test_property(void **state)
{
    for (int k = 0; k < 5000; k++) {
        char base[PAGOPA_NOTICE_BASE_LEN + 1];
        char nav[PAGOPA_NOTICE_LEN + 1];
        struct pagopa_notice n;
        for (size_t i = 0; i < PAGOPA_NOTICE_BASE_LEN; i++) {
            base[i] = (char)('0' + rng_next() % 10);
        }
        base[PAGOPA_NOTICE_BASE_LEN] = '\0';
        int seg = (int)(rng_next() % 100);
        assert_int_equal(pagopa_notice_make(seg, base, nav), PAGOPA_NOTICE_OK);
        assert_int_equal(pagopa_notice_parse(nav, &n), PAGOPA_NOTICE_OK);
        assert_int_equal(n.aux, 3);
        assert_int_equal(atoi(n.segregation), seg);
        assert_memory_equal(nav + 3, base, PAGOPA_NOTICE_BASE_LEN);
        /* Any single changed digit after the aux digit is caught (aux 3 stays aux 3). */
        size_t pos = 1 + rng_next() % (PAGOPA_NOTICE_LEN - 1);
        nav[pos] = (char)('0' + (nav[pos] - '0' + 1 + rng_next() % 9) % 10);
        assert_int_equal(pagopa_notice_parse(nav, &n), PAGOPA_NOTICE_BAD_CHECK);
    }
}

static void test_qr(void **state)
{
    char qr[PAGOPA_QR_SIZE];
    assert_int_equal(pagopa_notice_qr("302032002700000251", "03334231200", 11, qr),
                     PAGOPA_NOTICE_OK);
    assert_string_equal(qr, "PAGOPA|002|302032002700000251|03334231200|11");
    assert_int_equal(pagopa_notice_qr("001721265093769322", "00087640256", 10100000002, qr),
                     PAGOPA_NOTICE_OK);
    assert_string_equal(qr, "PAGOPA|002|001721265093769322|00087640256|10100000002");
    /* One cent still has two digits. */
    assert_int_equal(pagopa_notice_qr("302032002700000251", "03334231200", 1, qr),
                     PAGOPA_NOTICE_OK);
    assert_string_equal(qr, "PAGOPA|002|302032002700000251|03334231200|01");
    assert_int_equal(strlen(qr), 44);
    assert_int_equal(pagopa_notice_qr("302032002700000251", "03334231200", PAGOPA_QR_MAX_CENTS, qr),
                     PAGOPA_NOTICE_OK);
    assert_int_equal(strlen(qr), 54);

    assert_int_equal(
        pagopa_notice_qr("302032002700000251", "03334231200", PAGOPA_QR_MAX_CENTS + 1, qr),
        PAGOPA_NOTICE_BAD_AMOUNT);
    assert_int_equal(pagopa_notice_qr("302032002700000251", "03334231200", 0, qr),
                     PAGOPA_NOTICE_BAD_AMOUNT);
    assert_int_equal(pagopa_notice_qr("302032002700000251", "03334231200", -5, qr),
                     PAGOPA_NOTICE_BAD_AMOUNT);
    assert_int_equal(pagopa_notice_qr("302032002700000251", "77777777777", 11, qr),
                     PAGOPA_NOTICE_BAD_ENTE);
    assert_int_equal(pagopa_notice_qr("344012345678901233", "03334231200", 11, qr),
                     PAGOPA_NOTICE_BAD_CHECK);
    assert_string_equal(qr, "");
}

static void test_datamatrix(void **state)
{
    char out[PAGOPA_DATAMATRIX_LEN + 1];
    char want[PAGOPA_DATAMATRIX_LEN + 1];
    struct pagopa_datamatrix dm = {"300715700000000032", "16302093",     1,     "00085240950",
                                   "BSCMTT83A12L719R",   "Name Surname", "test"};
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_OK);
    assert_int_equal(strlen(out), PAGOPA_DATAMATRIX_LEN);

    /* The io-app test vector, padded field by field. */
    snprintf(want, sizeof(want), "%s%-40s%-110s%12sA",
             "codfase=NBPA;183007157000000000321200001630209310000000000138961P100085240950"
             "BSCMTT83A12L719R",
             "Name Surname", "test", "");
    assert_int_equal(strlen(want), PAGOPA_DATAMATRIX_LEN);
    assert_string_equal(out, want);
    /* Offsets io-app's decoder reads. */
    assert_memory_equal(out + 15, "300715700000000032", 18);
    assert_memory_equal(out + 49, "0000000001", 10);
    assert_memory_equal(out + 66, "00085240950", 11);

    /* Long and accented text is folded and cut, never changing the length. */
    char long_subject[400];
    memset(long_subject, 'x', sizeof(long_subject) - 1);
    long_subject[sizeof(long_subject) - 1] = '\0';
    dm.subject = long_subject;
    dm.debtor_name = "Nicol\xc3\xb2 Citt\xc3\xa0 \xe2\x82\xac \x01";
    dm.cents = PAGOPA_DATAMATRIX_MAX_CENTS;
    dm.debtor_id = "00743110157";
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_OK);
    assert_int_equal(strlen(out), PAGOPA_DATAMATRIX_LEN);
    assert_memory_equal(out + 93, "Nicolo Citta ? ", 15);
    assert_memory_equal(out + 49, "9999999999", 10);
    for (size_t i = 0; i < PAGOPA_DATAMATRIX_LEN; i++) {
        assert_true(out[i] >= 0x20 && out[i] < 0x7f);
    }

    dm.cents = PAGOPA_DATAMATRIX_MAX_CENTS + 1;
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_BAD_AMOUNT);
    dm.cents = 100;
    dm.postal_account = "1234567890123";
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_BAD_POSTAL_ACCOUNT);
    dm.postal_account = "12A4";
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_BAD_POSTAL_ACCOUNT);
    dm.postal_account = "16302093";
    dm.debtor_id = "BSCMTT83A12L719R1";
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_BAD_DEBTOR);
    dm.debtor_id = "";
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_BAD_DEBTOR);
    dm.debtor_id = "BSCMTT83A12L719R";
    dm.ente_cf = "00085240951";
    assert_int_equal(pagopa_notice_datamatrix(&dm, out), PAGOPA_NOTICE_BAD_ENTE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_vectors), cmocka_unit_test(test_synthetic_vectors_bad_check),
        cmocka_unit_test(test_aux_forms),      cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_property),       cmocka_unit_test(test_qr),
        cmocka_unit_test(test_datamatrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
