/* Tariffs: every pricing rule of domain/tariff.h, the sibling discount's rounding and the VAT
   split of the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/money.h"
#include "domain/tariff.h"

enum { INFANZIA, PRIMARIA, SECONDARIA };
#define BAND_A 11
#define BAND_B 12
#define BAND_C 13 /* the list has no price for it in secondaria */

static const struct tariff_item items[] = {
    {INFANZIA, TARIFF_FULL, 0, 460},         {PRIMARIA, TARIFF_FULL, 0, 510},
    {SECONDARIA, TARIFF_FULL, 0, 530},       {INFANZIA, TARIFF_ISEE, BAND_A, 220},
    {PRIMARIA, TARIFF_ISEE, BAND_A, 250},    {SECONDARIA, TARIFF_ISEE, BAND_A, 260},
    {INFANZIA, TARIFF_ISEE, BAND_B, 340},    {PRIMARIA, TARIFF_ISEE, BAND_B, 390},
    {SECONDARIA, TARIFF_ISEE, BAND_B, 390},  {INFANZIA, TARIFF_ISEE, BAND_C, 410},
    {PRIMARIA, TARIFF_ISEE, BAND_C, 450},    {INFANZIA, TARIFF_NON_RESIDENT, 0, 620},
    {PRIMARIA, TARIFF_NON_RESIDENT, 0, 650},
};

static struct tariff_rules rules(int sibling2, int sibling3)
{
    return (struct tariff_rules){.items = items,
                                 .nitems = sizeof(items) / sizeof(items[0]),
                                 .vat_rate_bp = 400,
                                 .sibling2_bp = sibling2,
                                 .sibling3_bp = sibling3};
}

static struct tariff_price price_of(const struct tariff_rules *r, int kind, int64_t band,
                                    bool resident, int rank)
{
    struct tariff_pupil p = {kind, band, resident, rank};
    struct tariff_price out;
    assert_int_equal(tariff_compute(r, &p, &out), TARIFF_OK);
    assert_int_equal(out.net_cents + out.vat_cents, out.price_cents);
    int64_t net, vat;
    assert_int_equal(money_vat_split(out.price_cents, r->vat_rate_bp, &net, &vat), MONEY_OK);
    assert_int_equal(out.net_cents, net);
    assert_int_equal(out.vat_cents, vat);
    assert_int_equal(out.vat_rate_bp, r->vat_rate_bp);
    return out;
}

static void test_full_price(void **state)
{
    struct tariff_rules r = rules(2000, 3000);
    struct tariff_price p = price_of(&r, PRIMARIA, 0, true, 1);
    assert_int_equal(p.price_cents, 510);
    /* 510 / 1.04 = 490.38... */
    assert_int_equal(p.net_cents, 490);
    assert_int_equal(p.vat_cents, 20);
    assert_int_equal(p.nreasons, 1);
    assert_int_equal(p.reasons[0].kind, TARIFF_REASON_FULL);
    assert_int_equal(p.reasons[0].amount_cents, 510);
    assert_int_equal(price_of(&r, INFANZIA, 0, true, 1).price_cents, 460);
    assert_int_equal(price_of(&r, SECONDARIA, 0, true, 1).price_cents, 530);
}

static void test_isee(void **state)
{
    struct tariff_rules r = rules(0, 0);
    struct tariff_price p = price_of(&r, PRIMARIA, BAND_B, true, 1);
    assert_int_equal(p.price_cents, 390);
    assert_int_equal(p.nreasons, 2);
    assert_int_equal(p.reasons[0].kind, TARIFF_REASON_FULL);
    assert_int_equal(p.reasons[0].amount_cents, 510);
    assert_int_equal(p.reasons[1].kind, TARIFF_REASON_ISEE);
    assert_int_equal(p.reasons[1].amount_cents, 390);
    assert_int_equal(p.reasons[1].isee_band_id, BAND_B);
    assert_int_equal(price_of(&r, INFANZIA, BAND_A, true, 1).price_cents, 220);
    /* A band the list has no price for in this kind: the full price, and no ISEE reason. */
    p = price_of(&r, SECONDARIA, BAND_C, true, 1);
    assert_int_equal(p.price_cents, 530);
    assert_int_equal(p.nreasons, 1);
    /* A band the list does not know at all. */
    assert_int_equal(price_of(&r, PRIMARIA, 99, true, 1).price_cents, 510);
}

static void test_non_resident(void **state)
{
    struct tariff_rules r = rules(0, 0);
    struct tariff_price p = price_of(&r, PRIMARIA, 0, false, 1);
    assert_int_equal(p.price_cents, 650);
    assert_int_equal(p.nreasons, 2);
    assert_int_equal(p.reasons[1].kind, TARIFF_REASON_NON_RESIDENT);
    assert_int_equal(p.reasons[1].amount_cents, 650);
    /* No ISEE reduction for non-residents, and the page says so. */
    p = price_of(&r, PRIMARIA, BAND_A, false, 1);
    assert_int_equal(p.price_cents, 650);
    assert_int_equal(p.nreasons, 3);
    assert_int_equal(p.reasons[2].kind, TARIFF_REASON_ISEE_NOT_APPLIED);
    assert_int_equal(p.reasons[2].isee_band_id, BAND_A);
    /* No non-resident price for secondaria: the full price, still without the band's. */
    p = price_of(&r, SECONDARIA, BAND_B, false, 1);
    assert_int_equal(p.price_cents, 530);
    assert_int_equal(p.reasons[0].kind, TARIFF_REASON_FULL);
    assert_int_equal(p.reasons[1].kind, TARIFF_REASON_ISEE_NOT_APPLIED);
}

static void test_siblings(void **state)
{
    struct tariff_rules r = rules(2000, 3000);
    /* The eldest pays in full. */
    assert_int_equal(price_of(&r, PRIMARIA, 0, true, 1).price_cents, 510);
    /* Second child: 20% of 4,60 is 0,92. */
    struct tariff_price p = price_of(&r, INFANZIA, 0, true, 2);
    assert_int_equal(p.price_cents, 368);
    assert_int_equal(p.nreasons, 2);
    assert_int_equal(p.reasons[1].kind, TARIFF_REASON_SIBLING);
    assert_int_equal(p.reasons[1].amount_cents, -92);
    assert_int_equal(p.reasons[1].discount_bp, 2000);
    assert_int_equal(p.reasons[1].sibling_rank, 2);
    /* Third and later: 30% off, on top of the ISEE price (3,90 -> -1,17 -> 2,73). */
    p = price_of(&r, PRIMARIA, BAND_B, true, 3);
    assert_int_equal(p.price_cents, 273);
    assert_int_equal(p.nreasons, 3);
    assert_int_equal(p.reasons[1].kind, TARIFF_REASON_ISEE);
    assert_int_equal(p.reasons[2].kind, TARIFF_REASON_SIBLING);
    assert_int_equal(p.reasons[2].amount_cents, -117);
    assert_int_equal(p.reasons[2].discount_bp, 3000);
    assert_int_equal(price_of(&r, PRIMARIA, BAND_B, true, 5).price_cents, 273);
    /* On the non-resident price too (6,50 - 20% = 5,20). */
    assert_int_equal(price_of(&r, PRIMARIA, 0, false, 2).price_cents, 520);
    /* No discount set: no reason. */
    struct tariff_rules none = rules(0, 0);
    p = price_of(&none, PRIMARIA, 0, true, 2);
    assert_int_equal(p.price_cents, 510);
    assert_int_equal(p.nreasons, 1);
}

static void test_rounding(void **state)
{
    /* Half a cent rounds away from zero: 5,10 * 15% = 0,765 -> 0,77; 0,05 * 50% = 0,025 -> 0,03. */
    assert_int_equal(tariff_discount(510, 1500), 77);
    assert_int_equal(tariff_discount(5, 5000), 3);
    /* Below half a cent rounds down: 5,10 * 12,34% = 0,629... -> 0,63; 3,33 * 10% -> 0,33. */
    assert_int_equal(tariff_discount(510, 1234), 63);
    assert_int_equal(tariff_discount(333, 1000), 33);
    assert_int_equal(tariff_discount(1, 4999), 0);
    assert_int_equal(tariff_discount(1, 5000), 1);
    assert_int_equal(tariff_discount(0, 3000), 0);
    assert_int_equal(tariff_discount(510, 0), 0);
    assert_int_equal(tariff_discount(510, 10000), 510);
    assert_int_equal(tariff_discount(TARIFF_PRICE_MAX, 10000), TARIFF_PRICE_MAX);
    /* Exhaustively: the discount is within half a cent of the exact value (a half rounds up). */
    for (int64_t price = 0; price <= 2000; price += 7)
        for (int bp = 0; bp <= 10000; bp += 125) {
            int64_t off = tariff_discount(price, bp);
            int64_t exact2 = price * bp * 2; /* twice the exact value, in 1/10000 cents */
            assert_true(off * 20000 > exact2 - 10000 && off * 20000 <= exact2 + 10000);
        }
    /* A price of 0 (a free meal for a band) stays 0, with its VAT split 0 + 0. */
    static const struct tariff_item free_items[] = {{PRIMARIA, TARIFF_FULL, 0, 510},
                                                    {PRIMARIA, TARIFF_ISEE, BAND_A, 0}};
    struct tariff_rules r = {free_items, 2, 400, 2000, 3000};
    struct tariff_price p = price_of(&r, PRIMARIA, BAND_A, true, 2);
    assert_int_equal(p.price_cents, 0);
    assert_int_equal(p.net_cents, 0);
    assert_int_equal(p.vat_cents, 0);
    /* VAT 0%: all net. */
    r.vat_rate_bp = 0;
    p = price_of(&r, PRIMARIA, 0, true, 1);
    assert_int_equal(p.net_cents, 510);
    assert_int_equal(p.vat_cents, 0);
}

static void test_refused(void **state)
{
    struct tariff_rules r = rules(2000, 3000);
    struct tariff_price p;
    struct tariff_pupil bad_kind = {3, 0, true, 1}, neg_kind = {-1, 0, true, 1},
                        bad_rank = {PRIMARIA, 0, true, 0}, bad_band = {PRIMARIA, -1, true, 1};
    assert_int_equal(tariff_compute(&r, &bad_kind, &p), TARIFF_INVALID);
    assert_int_equal(tariff_compute(&r, &neg_kind, &p), TARIFF_INVALID);
    assert_int_equal(tariff_compute(&r, &bad_rank, &p), TARIFF_INVALID);
    assert_int_equal(tariff_compute(&r, &bad_band, &p), TARIFF_INVALID);
    struct tariff_pupil ok = {PRIMARIA, 0, true, 1};
    struct tariff_rules bad = r;
    bad.vat_rate_bp = 10001;
    assert_int_equal(tariff_compute(&bad, &ok, &p), TARIFF_INVALID);
    bad = r;
    bad.sibling2_bp = -1;
    assert_int_equal(tariff_compute(&bad, &ok, &p), TARIFF_INVALID);
    bad = r;
    bad.sibling3_bp = 10001;
    assert_int_equal(tariff_compute(&bad, &ok, &p), TARIFF_INVALID);
    static const struct tariff_item too_dear[] = {{PRIMARIA, TARIFF_FULL, 0, TARIFF_PRICE_MAX + 1}};
    struct tariff_rules dear = {too_dear, 1, 400, 0, 0};
    assert_int_equal(tariff_compute(&dear, &ok, &p), TARIFF_INVALID);
    /* No full price for the kind: no price at all, even with a band price. */
    static const struct tariff_item only_band[] = {{PRIMARIA, TARIFF_ISEE, BAND_A, 250}};
    struct tariff_rules partial = {only_band, 1, 400, 0, 0};
    struct tariff_pupil banded = {PRIMARIA, BAND_A, true, 1};
    assert_int_equal(tariff_compute(&partial, &banded, &p), TARIFF_NO_PRICE);
    struct tariff_rules empty = {NULL, 0, 400, 0, 0};
    assert_int_equal(tariff_compute(&empty, &ok, &p), TARIFF_NO_PRICE);
}

static void test_names(void **state)
{
    enum tariff_category c;
    for (enum tariff_category k = TARIFF_FULL; k <= TARIFF_NON_RESIDENT; k++) {
        assert_true(tariff_category_parse(tariff_category_name(k), &c));
        assert_int_equal(c, k);
    }
    assert_string_equal(tariff_category_name(TARIFF_NON_RESIDENT), "non_resident");
    assert_false(tariff_category_parse("reduced", &c));
    assert_false(tariff_category_parse(NULL, &c));
    int64_t cents = 0;
    struct tariff_rules r = rules(0, 0);
    assert_true(tariff_lookup(&r, INFANZIA, TARIFF_ISEE, BAND_C, &cents));
    assert_int_equal(cents, 410);
    assert_false(tariff_lookup(&r, SECONDARIA, TARIFF_ISEE, BAND_C, &cents));
    assert_false(tariff_lookup(&r, SECONDARIA, TARIFF_NON_RESIDENT, 0, &cents));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_price),   cmocka_unit_test(test_isee),
        cmocka_unit_test(test_non_resident), cmocka_unit_test(test_siblings),
        cmocka_unit_test(test_rounding),     cmocka_unit_test(test_refused),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
