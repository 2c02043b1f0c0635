/*
 * Unit tests: the yearly certificate of school-meal expenses (services/tax_certificate.h). The
 * largest remainder split on its own, then the computation over a real database: payments split
 * in proportion to meals, equal shares when no meal was charged, payments for one pupil, refunds
 * netted, the calendar year judged in Rome time, other families and unpaid positions left out,
 * and the school of the latest confirmed enrollment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/guardian.h"
#include "services/ledger.h"
#include "services/password.h"
#include "services/tax_certificate.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"

struct fixture {
    char dir[64];
    struct db *db;
    struct arena a;
    int tenants; /* one new municipality per test: the same codici fiscali can be reused */
};

/* A family of one municipality: the guardian and two children. */
struct family {
    int64_t tenant_id, guardian_id, anna, marco;
    int positions; /* for unique IUVs */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-taxcert-XXXXXX");
    char path[128], err[256];
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.sqlite", f->dir);
    if (password_init() != 0 || store_init(path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    arena_init(&f->a, 4096);
    log_set_quiet(1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    time_set_fake(0);
    store_thread_done();
    arena_free(&f->a);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

static int64_t add_guardian(struct fixture *f, int64_t tenant_id, const char *cf, const char *name)
{
    struct guardian_new g = {cf, name, "Verdi", "", "", "", "it", false};
    int64_t id = 0;
    assert_int_equal(guardian_create(f->db, tenant_id, &g, "Pranzo-Sereno-2026", &id, NULL),
                     GUARDIAN_OK);
    return id;
}

static int64_t add_pupil(struct fixture *f, int64_t tenant_id, int64_t guardian_id,
                         const struct pupil_new *p)
{
    int64_t id = 0;
    assert_int_equal(pupil_create(f->db, tenant_id, guardian_id, p, &id), GUARDIAN_OK);
    return id;
}

static void family_new(struct fixture *f, struct family *fam)
{
    memset(fam, 0, sizeof(*fam));
    char slug[32];
    snprintf(slug, sizeof(slug), "comune%d", ++f->tenants);
    struct tenant_new tn = {.slug = slug,
                            .name = "Comune di Prova",
                            .fiscal_code = "80012345676",
                            .email = "u@prova.it"};
    assert_int_equal(tenant_create(f->db, &tn, &fam->tenant_id), TENANT_OK);
    fam->guardian_id = add_guardian(f, fam->tenant_id, "VRDPLA80A01F205S", "Paola");
    static const struct pupil_new anna = {"VRDNNA16A41F205X", "Anna", "Verdi", "2016-01-01", "F"};
    static const struct pupil_new marco = {"VRDMRC19B12F205Q", "Marco", "Verdi", "2019-02-12", "M"};
    fam->anna = add_pupil(f, fam->tenant_id, fam->guardian_id, &anna);
    fam->marco = add_pupil(f, fam->tenant_id, fam->guardian_id, &marco);
}

/* A ledger entry recorded at the UTC instant at. */
static void entry(struct fixture *f, const struct family *fam, const char *at,
                  enum ledger_kind kind, int64_t pupil_id, int64_t cents)
{
    time_t t;
    assert_true(time_parse_iso(at, &t));
    time_set_fake(t);
    struct ledger_new e = {.guardian_id = fam->guardian_id,
                           .pupil_id = pupil_id,
                           .kind = kind,
                           .amount_cents = cents,
                           .description = "prova",
                           .reason = "prova",
                           .created_by = "test"};
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(ledger_append(f->db, fam->tenant_id, &e, NULL), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    time_set_fake(0);
}

/* A pagoPA position of the guardian (pupil 0: for the family) with status, paid at paid_at. */
static void position(struct fixture *f, struct family *fam, int64_t guardian_id, int64_t pupil_id,
                     int64_t cents, const char *status, const char *paid_at)
{
    int n = ++fam->positions;
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO payment_position (tenant_id, guardian_id, pupil_id, iupd, iuv, "
             "notice_number, amount_cents, description, due_date, status, created_at, paid_at, "
             "receipt_id) VALUES (%lld, %lld, nullif(%lld, 0), 'IUPD-%d', '0200000000000%02d', "
             "'30200000000000%04d', %lld, 'Ricarica', '2027-12-31', '%s', "
             "'2026-01-01T00:00:00Z', '%s', 'RCPT-%d')",
             (long long)fam->tenant_id, (long long)guardian_id, (long long)pupil_id, n, n, n,
             (long long)cents, status, paid_at, n);
    assert_int_equal(db_exec_script(f->db, sql), DB_OK);
}

static void compute(struct fixture *f, const struct family *fam, int year,
                    struct tax_certificate *c)
{
    assert_int_equal(
        tax_certificate_compute(f->db, &f->a, fam->tenant_id, fam->guardian_id, year, c), 0);
}

static int64_t total_of(const struct tax_certificate *c, int64_t pupil_id)
{
    const struct tax_pupil *p = tax_certificate_pupil(c, pupil_id);
    assert_non_null(p);
    return p->total_cents;
}

/* ---- the split ------------------------------------------------------------------------------ */

static void test_split_largest_remainder(void **state)
{
    (void)state;
    int64_t shares[4];
    const int64_t three[] = {1, 1, 1};
    assert_int_equal(tax_certificate_split(100, three, 3, shares), 0);
    assert_int_equal(shares[0], 34); /* the tie goes to the first */
    assert_int_equal(shares[1], 33);
    assert_int_equal(shares[2], 33);
    /* 1000 in 2:1 is 666.67 / 333.33: the larger remainder takes the cent. */
    const int64_t two_one[] = {2, 1};
    assert_int_equal(tax_certificate_split(1000, two_one, 2, shares), 0);
    assert_int_equal(shares[0], 667);
    assert_int_equal(shares[1], 333);
    /* 10 in 1:2:7 over 3 cents... remainders 0.3, 0.6, 0.1: the cent goes to the middle. */
    const int64_t odd[] = {1, 2, 7};
    assert_int_equal(tax_certificate_split(1, odd, 3, shares), 0);
    assert_int_equal(shares[0], 0);
    assert_int_equal(shares[1], 0);
    assert_int_equal(shares[2], 1);
    assert_int_equal(tax_certificate_split(11, odd, 3, shares), 0);
    assert_int_equal(shares[0], 1); /* 1.1 */
    assert_int_equal(shares[1], 2); /* 2.2 */
    assert_int_equal(shares[2], 8); /* 7.7 takes the left-over cent */
    /* A negative total splits into the negated shares. */
    assert_int_equal(tax_certificate_split(-100, three, 3, shares), 0);
    assert_int_equal(shares[0], -34);
    assert_int_equal(shares[1], -33);
    assert_int_equal(shares[2], -33);
    /* No weight at all: equal shares. */
    const int64_t none[] = {0, 0};
    assert_int_equal(tax_certificate_split(10001, none, 2, shares), 0);
    assert_int_equal(shares[0], 5001);
    assert_int_equal(shares[1], 5000);
    /* A zero weight among others gets nothing. */
    const int64_t zero_five[] = {0, 5};
    assert_int_equal(tax_certificate_split(999, zero_five, 2, shares), 0);
    assert_int_equal(shares[0], 0);
    assert_int_equal(shares[1], 999);
    /* Refused: nothing to split into, a negative weight, past the limit. */
    assert_int_equal(tax_certificate_split(100, three, 0, shares), -1);
    const int64_t negative[] = {1, -1};
    assert_int_equal(tax_certificate_split(100, negative, 2, shares), -1);
    assert_int_equal(tax_certificate_split(TAX_CERT_SPLIT_MAX + 1, three, 3, shares), -1);
    assert_int_equal(tax_certificate_split(TAX_CERT_SPLIT_MAX, three, 3, shares), 0);
}

static void test_split_always_adds_up(void **state)
{
    (void)state;
    int64_t weights[4], shares[4];
    unsigned seed = 12345;
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + round % 4;
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            weights[i] = (seed >> 8) % 5000;
            sum += weights[i];
        }
        seed = seed * 1103515245u + 12345u;
        int64_t total = (int64_t)((seed >> 4) % 2000000) - 500000;
        assert_int_equal(tax_certificate_split(total, weights, n, shares), 0);
        int64_t got = 0;
        for (size_t i = 0; i < n; i++) {
            got += shares[i];
            /* Each share is within a cent of its exact value. */
            double exact =
                sum ? (double)total * (double)weights[i] / (double)sum : (double)total / (double)n;
            assert_true(shares[i] - exact < 1.0 && exact - shares[i] < 1.0);
        }
        assert_int_equal(got, total);
    }
}

/* ---- the certificate ------------------------------------------------------------------------ */

static void test_proportional_to_meals(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    position(f, &fam, fam.guardian_id, 0, 10000, "paid", "2026-03-10T09:00:00Z");
    position(f, &fam, fam.guardian_id, 0, 1, "paid", "2026-09-10T09:00:00Z");
    /* Anna ate three meals, Marco one, at 4,50 each. */
    for (int i = 0; i < 3; i++)
        entry(f, &fam, "2026-03-11T08:00:00Z", LEDGER_MEAL, fam.anna, -450);
    entry(f, &fam, "2026-03-12T08:00:00Z", LEDGER_MEAL, fam.marco, -450);
    /* A top-up credited to the ledger is not a payment: only positions count. */
    entry(f, &fam, "2026-03-12T09:00:00Z", LEDGER_TOPUP, 0, 5000);
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_int_equal(c.paid_cents, 10001);
    assert_int_equal(c.refunds_cents, 0);
    assert_int_equal(c.total_cents, 10001);
    assert_false(c.equal_shares);
    assert_int_equal(c.nreceipts, 2);
    assert_string_equal(c.receipts[0].receipt_id, "RCPT-1");
    assert_string_equal(c.receipts[0].notice_number, "302000000000000001");
    /* 10001 in 3:1 = 7500.75 / 2500.25: the cent goes to Anna. */
    assert_int_equal(total_of(&c, fam.anna), 7501);
    assert_int_equal(total_of(&c, fam.marco), 2500);
    assert_int_equal(tax_certificate_pupil(&c, fam.anna)->meals_cents, 1350);
    assert_string_equal(tax_certificate_pupil(&c, fam.anna)->fiscal_code, "VRDNNA16A41F205X");
}

static void test_equal_shares_without_meals(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    position(f, &fam, fam.guardian_id, 0, 5001, "paid", "2026-05-10T09:00:00Z");
    /* Meals of another year do not weigh on this one. */
    entry(f, &fam, "2025-05-11T08:00:00Z", LEDGER_MEAL, fam.marco, -450);
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_true(c.equal_shares);
    assert_int_equal(total_of(&c, fam.anna), 2501);
    assert_int_equal(total_of(&c, fam.marco), 2500);
    assert_int_equal(total_of(&c, fam.anna) + total_of(&c, fam.marco), c.total_cents);
}

static void test_payment_for_one_pupil(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    position(f, &fam, fam.guardian_id, fam.marco, 6000, "paid", "2026-02-01T09:00:00Z");
    position(f, &fam, fam.guardian_id, 0, 3000, "paid", "2026-02-02T09:00:00Z");
    /* Only Anna ate: the family payment is all hers, Marco keeps his own payment. */
    entry(f, &fam, "2026-02-03T08:00:00Z", LEDGER_MEAL, fam.anna, -450);
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_int_equal(c.total_cents, 9000);
    assert_int_equal(c.pooled_cents, 3000);
    const struct tax_pupil *marco = tax_certificate_pupil(&c, fam.marco);
    assert_int_equal(marco->targeted_cents, 6000);
    assert_int_equal(marco->share_cents, 0);
    assert_int_equal(marco->total_cents, 6000);
    assert_int_equal(total_of(&c, fam.anna), 3000);
    /* Marco's payment is on his certificate only; the family's on both. */
    assert_int_equal(c.nreceipts, 2);
    assert_true(tax_receipt_concerns(&c.receipts[0], fam.marco));
    assert_false(tax_receipt_concerns(&c.receipts[0], fam.anna));
    assert_true(tax_receipt_concerns(&c.receipts[1], fam.anna));
    assert_true(tax_receipt_concerns(&c.receipts[1], fam.marco));
}

static void test_refunds_are_netted(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    position(f, &fam, fam.guardian_id, 0, 10000, "paid", "2026-04-01T09:00:00Z");
    entry(f, &fam, "2026-06-30T10:00:00Z", LEDGER_REFUND, 0, -2001);
    /* A refund of another year is not netted here. */
    entry(f, &fam, "2027-01-15T10:00:00Z", LEDGER_REFUND, 0, -500);
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_int_equal(c.paid_cents, 10000);
    assert_int_equal(c.refunds_cents, -2001);
    assert_int_equal(c.total_cents, 7999);
    assert_int_equal(total_of(&c, fam.anna), 4000);
    assert_int_equal(total_of(&c, fam.marco), 3999);
}

static void test_year_is_judged_in_rome(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    /* 00:30 on 1 January 2027 in Rome. */
    position(f, &fam, fam.guardian_id, 0, 1000, "paid", "2026-12-31T23:30:00Z");
    /* 23:59:59 on 31 December 2025 in Rome. */
    position(f, &fam, fam.guardian_id, 0, 2000, "paid", "2025-12-31T22:59:59Z");
    /* 00:00 on 1 January 2026 in Rome. */
    position(f, &fam, fam.guardian_id, 0, 4000, "paid", "2025-12-31T23:00:00Z");
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_int_equal(c.paid_cents, 4000);
    compute(f, &fam, 2027, &c);
    assert_int_equal(c.paid_cents, 1000);
    assert_int_equal(c.nreceipts, 1);
    assert_string_equal(c.receipts[0].paid_at, "2026-12-31T23:30:00Z");
    compute(f, &fam, 2025, &c);
    assert_int_equal(c.paid_cents, 2000);
    int *years;
    size_t n;
    assert_int_equal(
        tax_certificate_years(f->db, &f->a, fam.tenant_id, fam.guardian_id, &years, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(years[0], 2027);
    assert_int_equal(years[1], 2026);
    assert_int_equal(years[2], 2025);
    /* Outside the years a certificate can be for. */
    assert_int_equal(
        tax_certificate_compute(f->db, &f->a, fam.tenant_id, fam.guardian_id, 1999, &c), -1);
}

static void test_only_this_familys_paid_positions(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    int64_t other = add_guardian(f, fam.tenant_id, "BNCLGU78M10L219R", "Luigi");
    static const struct pupil_new sara = {"BNCSRA17D50L219Y", "Sara", "Bianchi", "2017-04-10", "F"};
    int64_t sara_id = add_pupil(f, fam.tenant_id, other, &sara);
    position(f, &fam, other, sara_id, 7000, "paid", "2026-04-01T09:00:00Z");
    position(f, &fam, fam.guardian_id, 0, 1500, "open", "");
    position(f, &fam, fam.guardian_id, 0, 1200, "expired", "2026-04-01T09:00:00Z");
    position(f, &fam, fam.guardian_id, 0, 800, "paid", "2026-04-02T09:00:00Z");
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_int_equal(c.paid_cents, 800);
    assert_int_equal(c.nreceipts, 1);
    assert_int_equal(c.npupils, 2);
    assert_null(tax_certificate_pupil(&c, sara_id));
    assert_int_equal(total_of(&c, fam.anna) + total_of(&c, fam.marco), 800);
}

static void test_school_of_latest_confirmed_enrollment(void **state)
{
    struct fixture *f = *state;
    struct family fam;
    family_new(f, &fam);
    /* Confirmed for 2025/26 at one school and for 2026/27 at another (decided earlier, created
       later: the school year decides), and submitted for 2027/28 at a third. */
    static const char *const schools[] = {"Scuola Vecchia", "Scuola Giusta", "Scuola Richiesta"};
    static const char *const years[] = {"2025", "2026", "2027"};
    static const char *const statuses[] = {"confirmed", "confirmed", "submitted"};
    static const int order[] = {1, 0, 2};
    long long t = fam.tenant_id;
    char sql[2048];
    for (int k = 0; k < 3; k++) {
        int i = order[k];
        long long id = t * 10 + i;
        snprintf(sql, sizeof(sql),
                 "INSERT INTO school (id, tenant_id, name, kind, created_at) VALUES "
                 "(%lld, %lld, '%s', 'primaria', 'x');"
                 "INSERT INTO school_year (id, tenant_id, label, starts_on, ends_on, created_at) "
                 "VALUES (%lld, %lld, '%s/%d', '%s-09-01', '%d-06-30', 'x');"
                 "INSERT INTO campaign (id, tenant_id, school_year_id, title, kind, opens_at, "
                 "closes_at, weekdays, privacy_notice, created_at, updated_at) VALUES "
                 "(%lld, %lld, %lld, 'Iscrizioni', 'both', 'a', 'b', '12345', 'p', 'x', 'x');"
                 "INSERT INTO enrollment (tenant_id, campaign_id, kind, status, guardian_id, "
                 "pupil_id, pupil_fiscal_code, school_id, decided_at, created_at, updated_at) "
                 "VALUES (%lld, %lld, 'renewal', '%s', %lld, %lld, 'VRDNNA16A41F205X', %lld, "
                 "'2026-0%d-01T00:00:00Z', 'x', 'x');",
                 id, t, schools[i], id, t, years[i], atoi(years[i]) + 1, years[i],
                 atoi(years[i]) + 1, id, t, id, t, id, statuses[i], (long long)fam.guardian_id,
                 (long long)fam.anna, id, 3 - i);
        assert_int_equal(db_exec_script(f->db, sql), DB_OK);
    }
    struct tax_certificate c;
    compute(f, &fam, 2026, &c);
    assert_string_equal(tax_certificate_pupil(&c, fam.anna)->school, "Scuola Giusta");
    assert_string_equal(tax_certificate_pupil(&c, fam.marco)->school, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_largest_remainder),
        cmocka_unit_test(test_split_always_adds_up),
        cmocka_unit_test(test_proportional_to_meals),
        cmocka_unit_test(test_equal_shares_without_meals),
        cmocka_unit_test(test_payment_for_one_pupil),
        cmocka_unit_test(test_refunds_are_netted),
        cmocka_unit_test(test_year_is_judged_in_rome),
        cmocka_unit_test(test_only_this_familys_paid_positions),
        cmocka_unit_test(test_school_of_latest_confirmed_enrollment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
