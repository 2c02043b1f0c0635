/*
 * Unit tests: the ledger's invariants (random operations never create or lose a cent, the
 * cached wallet always agrees with the entries, entries cannot be changed or deleted), balance
 * alerts once per crossing, and pagoPA top-ups against the stand-in in this process: created,
 * paid, reconciled and credited exactly once however often the receipt is seen; GPD down, slow,
 * malformed or refusing; a receipt with another amount or for an unknown position parked with
 * no money moved; amounts and pupils refused with nothing stored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "services/balance_alert.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/password.h"
#include "services/payment.h"
#include "services/payment_settings.h"
#include "services/tenant.h"
#include "standins/pagopa.h"
#include "store/store.h"
#include "util/log.h"
#include "web/i18n.h"

#define ENTE_CF "80012345676"

static char db_path[128];

struct fixture {
    char dir[64];
    struct db *db;
    struct tenant t;
    struct arena a;
    int64_t g1, g2, g3, pupil1, pupil3;
    struct pagopa_standin *pagopa;
};

static const struct guardian_new guardians[] = {
    {"RSSMRA82C14H501K", "Mario", "Rossi", "mario.rossi@example.it", "", "", "it", true},
    {"SPSNNA87S70F839K", "Anna", "Esposito", "anna.esposito@example.it", "", "", "it", true},
    {"BNCCHR90L48F205V", "Chiara", "Bianchi", "", "", "", "en", false},
};
static const struct pupil_new pupil_a = {"RSSGLI18E62H501A", "Giulia", "Rossi", "2018-05-22", "F"};
static const struct pupil_new pupil_c = {"FRRSFO19T41F205D", "Sofia", "Ferri", "2019-12-01", "F"};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-payment-XXXXXX");
    char path[128], err[256];
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.sqlite", f->dir);
    snprintf(db_path, sizeof(db_path), "%s", path);
    if (password_init() != 0 || i18n_init() != 0 || store_init(path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    arena_init(&f->a, 4096);
    struct tenant_new tn = {
        .slug = "prova", .name = "Comune di Prova", .fiscal_code = ENTE_CF, .email = "u@prova.it"};
    if (tenant_create(f->db, &tn, NULL) != TENANT_OK ||
        tenant_find(f->db, &f->a, "prova", &f->t) != 1)
        return -1;
    int64_t *ids[] = {&f->g1, &f->g2, &f->g3};
    for (int i = 0; i < 3; i++)
        if (guardian_create(f->db, f->t.id, &guardians[i], "Pranzo-Sereno-2026", ids[i], NULL) !=
            GUARDIAN_OK)
            return -1;
    if (pupil_create(f->db, f->t.id, f->g1, &pupil_a, &f->pupil1) != GUARDIAN_OK ||
        pupil_create(f->db, f->t.id, f->g3, &pupil_c, &f->pupil3) != GUARDIAN_OK)
        return -1;
    struct pagopa_standin_opts o = {.dir = NULL, .port = 0};
    f->pagopa = pagopa_standin_start(&o, err, sizeof(err));
    if (!f->pagopa)
        return -1;
    char url[64], checkout[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", pagopa_standin_port(f->pagopa));
    snprintf(checkout, sizeof(checkout), "%s/checkout/ec/v1", url);
    payment_configure(url, "", checkout, 1, 2);
    struct payment_settings ps;
    const char *field, *msg;
    if (payment_settings_get(f->db, f->t.id, &ps) != 0)
        return -1;
    snprintf(ps.creditor_iban, sizeof(ps.creditor_iban), "IT60X0542811101000000123456");
    if (db_begin(f->db) != DB_OK ||
        payment_settings_save(f->db, f->t.id, &ps, "test", &field, &msg) != 0 ||
        db_commit(f->db) != DB_OK)
        return -1;
    log_set_quiet(getenv("TEST_VERBOSE") == NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pagopa_standin_stop(f->pagopa);
    store_thread_done();
    arena_free(&f->a);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

/* One number from the database, through a separate read connection (committed data only). */
static long long sql_int(struct db *db, const char *sql)
{
    (void)db;
    sqlite3 *h;
    long long v = -1;
    if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return v;
}

static int append(struct db *db, int64_t tenant, int64_t guardian, enum ledger_kind kind,
                  int64_t cents, const char *ref)
{
    if (db_begin(db) != DB_OK)
        return -1;
    struct ledger_new e = {.guardian_id = guardian,
                           .kind = kind,
                           .amount_cents = cents,
                           .description = "test",
                           .reason = kind == LEDGER_ADJUSTMENT ? "correzione di prova" : NULL,
                           .ref = ref,
                           .created_by = "test"};
    int rc = ledger_append(db, tenant, &e, NULL);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db) == DB_OK ? rc : -1;
}

static int64_t balance_of(struct db *db, int64_t tenant, int64_t guardian)
{
    int64_t cents = -999999;
    assert_int_equal(ledger_balance(db, tenant, guardian, &cents), 0);
    return cents;
}

/* ---- ledger -------------------------------------------------------------------------------- */

static void test_ledger_random_operations_keep_every_cent(void **state)
{
    struct fixture *f = *state;
    int64_t gs[3] = {f->g1, f->g2, f->g3};
    int64_t expected[3] = {0, 0, 0};
    bool written[400] = {false};
    srand(20261122);
    static const enum ledger_kind kinds[] = {LEDGER_OPENING, LEDGER_TOPUP,      LEDGER_MEAL,
                                             LEDGER_REFUND,  LEDGER_ADJUSTMENT, LEDGER_FEE};
    for (int i = 0; i < 400; i++) {
        int who = rand() % 3;
        enum ledger_kind k = kinds[rand() % 6];
        int64_t cents = (int64_t)(rand() % 20001) - 10000;
        char ref[32];
        /* Every fifth operation reuses an earlier idempotency key: it must add nothing. */
        bool replay = i > 10 && i % 5 == 0;
        int key = replay ? i - 3 : i;
        snprintf(ref, sizeof(ref), "op-%d", key);
        int rc = append(f->db, f->t.id, gs[who], k, cents, ref);
        if (cents == 0) {
            assert_int_equal(rc, -1); /* zero is refused, nothing written */
        } else if (replay && written[key]) {
            assert_int_equal(rc, 1);
        } else {
            assert_int_equal(rc, 0);
            written[key] = true;
            expected[who] += cents;
        }
        for (int g = 0; g < 3; g++) {
            assert_int_equal(balance_of(f->db, f->t.id, gs[g]), expected[g]);
            struct wallet w;
            assert_int_equal(ledger_wallet(f->db, f->t.id, gs[g], &w), 0);
            assert_int_equal(w.balance_cents, expected[g]);
        }
    }
    size_t checked, mismatches;
    char first[256];
    assert_int_equal(ledger_check(f->db, f->t.id, &checked, &mismatches, first, sizeof(first)), 0);
    assert_int_equal(checked, 3);
    assert_int_equal(mismatches, 0);
    /* The running balance of the statement ends at the balance. */
    struct ledger_row *rows;
    size_t n;
    int64_t opening;
    assert_int_equal(ledger_list(f->db, &f->a, f->t.id, f->g1, NULL, &rows, &n, &opening), 0);
    assert_true(n > 0);
    assert_int_equal(opening, 0);
    assert_int_equal(rows[n - 1].balance_after, expected[0]);
    int64_t running = 0;
    for (size_t i = 0; i < n; i++) {
        running += rows[i].amount_cents;
        assert_int_equal(rows[i].balance_after, running);
    }
}

static void test_ledger_refuses_changes_and_bad_entries(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_TOPUP, 5000, "x"), 0);
    assert_int_not_equal(db_exec_script(f->db, "UPDATE ledger_entry SET amount_cents = 1"), DB_OK);
    assert_int_not_equal(db_exec_script(f->db, "DELETE FROM ledger_entry"), DB_OK);
    /* An adjustment needs a reason; a 0 amount and an unknown guardian are refused. */
    assert_int_equal(db_begin(f->db), DB_OK);
    struct ledger_new bad = {.guardian_id = f->g1, .kind = LEDGER_ADJUSTMENT, .amount_cents = 100};
    assert_int_equal(ledger_append(f->db, f->t.id, &bad, NULL), -1);
    bad.reason = "";
    assert_int_equal(ledger_append(f->db, f->t.id, &bad, NULL), -1);
    db_rollback(f->db);
    assert_int_equal(append(f->db, f->t.id, 0, LEDGER_TOPUP, 100, NULL), -1);
    assert_int_equal(balance_of(f->db, f->t.id, f->g1), 5000);
    /* A wallet tampered with is found by the check. */
    assert_int_equal(db_exec_script(f->db, "UPDATE wallet SET balance_cents = balance_cents + 1"),
                     DB_OK);
    size_t checked, mismatches;
    char first[256];
    assert_int_equal(ledger_check(f->db, 0, &checked, &mismatches, first, sizeof(first)), 0);
    assert_int_equal(mismatches, 1); /* the only wallet with entries */
    assert_non_null(strstr(first, "wallet says"));
}

/* ---- alerts -------------------------------------------------------------------------------- */

static long long alerts(struct fixture *f)
{
    return sql_int(f->db, "SELECT count(*) FROM mail_outbox WHERE kind = 'balance_alert'");
}

static void test_alerts_once_per_crossing(void **state)
{
    struct fixture *f = *state;
    /* Thresholds 15,00 / 0 / -15,00 (the defaults). */
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_TOPUP, 2000, NULL), 0);
    assert_int_equal(alerts(f), 0);
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_MEAL, -600, NULL), 0); /* 14,00 */
    assert_int_equal(alerts(f), 1);
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_MEAL, -600, NULL), 0); /* 8,00 */
    assert_int_equal(alerts(f), 1);
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_MEAL, -2000, NULL), 0); /* -12,00 */
    assert_int_equal(alerts(f), 2); /* one mail for crossing zero */
    struct wallet w;
    assert_int_equal(ledger_wallet(f->db, f->t.id, f->g1, &w), 0);
    assert_int_equal(w.alert_level, 2);
    assert_true(w.debt_since[0] != '\0');
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM mail_outbox WHERE kind = "
                                    "'balance_alert' AND subject LIKE '%12,00%'"),
                     1);
    /* A top-up re-arms the thresholds; the next crossing is told again. */
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_TOPUP, 5000, NULL), 0); /* 38,00 */
    assert_int_equal(ledger_wallet(f->db, f->t.id, f->g1, &w), 0);
    assert_int_equal(w.alert_level, 0);
    assert_string_equal(w.debt_since, "");
    assert_int_equal(append(f->db, f->t.id, f->g1, LEDGER_MEAL, -2400, NULL), 0); /* 14,00 */
    assert_int_equal(alerts(f), 3);
    /* A family without an address gets no mail, but the crossing is recorded. */
    assert_int_equal(append(f->db, f->t.id, f->g3, LEDGER_MEAL, -500, NULL), 0);
    assert_int_equal(alerts(f), 3);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM balance_notice WHERE kind = 'alert'"), 4);
    int64_t thr[] = {1500, 0, -1500};
    assert_int_equal(balance_alert_level(thr, 3, 1500), 1);
    assert_int_equal(balance_alert_level(thr, 3, 1501), 0);
    assert_int_equal(balance_alert_level(thr, 3, -1500), 3);
}

/* ---- top-ups ------------------------------------------------------------------------------- */

static long long positions(struct fixture *f)
{
    return sql_int(f->db, "SELECT count(*) FROM payment_position");
}

static void test_topup_paid_reconciled_credited_once(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0;
    const char *msg = NULL;
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g1, f->pupil1, 5000, "test", &id, &msg),
                     PAYMENT_OK);
    struct payment_position p;
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, f->g1, &p), 1);
    assert_string_equal(p.status, "open");
    assert_int_equal(strlen(p.notice_number), 18);
    assert_int_equal(strncmp(p.notice_number, "302", 3), 0);
    assert_int_equal(pagopa_standin_creates(f->pagopa), 1);
    /* Another family cannot see it. */
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, f->g2, &p), 0);
    /* Unpaid: a refresh changes nothing. */
    assert_int_equal(payment_refresh(f->db, &f->t, id, "test", NULL), 0);
    assert_int_equal(balance_of(f->db, f->t.id, f->g1), 0);
    /* The family says it paid: awaiting confirmation, with the amount. */
    assert_int_equal(payment_mark_returned(f->db, f->t.id, id, f->g1), 0);
    int64_t pending;
    assert_int_equal(payment_pending_total(f->db, f->t.id, f->g1, &pending), 0);
    assert_int_equal(pending, 5000);
    assert_int_equal(pagopa_standin_pay(f->pagopa, ENTE_CF, p.iupd, 0), 0);
    struct payment_report rep = {0};
    assert_int_equal(payment_refresh(f->db, &f->t, id, "test", &rep), 0);
    assert_int_equal(rep.credited, 1);
    assert_int_equal(balance_of(f->db, f->t.id, f->g1), 5000);
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    assert_string_equal(p.status, "paid");
    assert_true(p.receipt_id[0] != '\0');
    assert_true(p.ledger_entry_id > 0);
    assert_int_equal(payment_pending_total(f->db, f->t.id, f->g1, &pending), 0);
    assert_int_equal(pending, 0);
    /* The same receipt again, by every path: nothing moves. */
    struct gpd_position g;
    char err[256];
    assert_int_equal(gpd_get(payment_gpd(), ENTE_CF, p.iupd, &g, err, sizeof(err)), GPD_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(payment_apply_receipt(f->db, &f->t, &g, "test"), 1);
    memset(&rep, 0, sizeof(rep));
    assert_int_equal(payment_reconcile(f->db, &f->t, &rep), 0);
    assert_int_equal(rep.credited, 0);
    assert_int_equal(rep.already, 1);
    assert_int_equal(balance_of(f->db, f->t.id, f->g1), 5000);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM ledger_entry WHERE kind = 'topup'"), 1);
    assert_int_equal(sql_int(f->db,
                             "SELECT count(*) FROM ledger_entry WHERE ref LIKE 'pagopa:%' AND "
                             "pupil_id IS NOT NULL AND amount_cents = 5000"),
                     1);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit_log WHERE action = "
                                    "'payment.paid'"),
                     1);
}

static void test_topup_when_gpd_fails(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0;
    const char *msg = NULL;
    /* Unavailable on every attempt: stored, not created, the family told to wait. */
    pagopa_standin_fail_next(f->pagopa, 503, 2);
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g2, 0, 2000, "test", &id, &msg),
                     PAYMENT_DEFERRED);
    assert_non_null(msg);
    struct payment_position p;
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    assert_string_equal(p.status, "creating");
    assert_int_equal(pagopa_standin_creates(f->pagopa), 0);
    /* The reconciliation creates it later, once. */
    struct payment_report rep = {0};
    assert_int_equal(payment_reconcile(f->db, &f->t, &rep), 0);
    assert_int_equal(rep.created, 1);
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    assert_string_equal(p.status, "open");
    assert_int_equal(pagopa_standin_creates(f->pagopa), 1);
    /* Too slow: the timeout counts as unavailable. */
    pagopa_standin_stall_next(f->pagopa, 2500, 2);
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g2, 0, 2000, "test", &id, &msg),
                     PAYMENT_DEFERRED);
    /* A malformed answer to a create that did happen: the retry finds it (409, same position)
       and makes no second one. */
    sleep(3); /* the stalled requests have been answered */
    unsigned before = pagopa_standin_creates(f->pagopa);
    pagopa_standin_malformed_next(f->pagopa, 1);
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g2, 0, 3000, "test", &id, &msg),
                     PAYMENT_DEFERRED);
    assert_int_equal(payment_refresh(f->db, &f->t, id, "test", NULL), 0);
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    assert_string_equal(p.status, "open");
    /* The stalled create of the second top-up may have been applied too: at most one each. */
    assert_true(pagopa_standin_creates(f->pagopa) <= before + 2);
    /* Refused for good: failed, nothing to pay, no money. */
    pagopa_standin_fail_next(f->pagopa, 400, 1);
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g2, 0, 2500, "test", &id, &msg),
                     PAYMENT_REFUSED);
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    assert_string_equal(p.status, "failed");
    assert_int_equal(balance_of(f->db, f->t.id, f->g2), 0);
}

static void test_receipts_that_do_not_match_are_parked(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0;
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g1, 0, 5000, "test", &id, NULL),
                     PAYMENT_OK);
    struct payment_position p;
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    /* Paid with another amount: parked, no money, the position still open. */
    assert_int_equal(pagopa_standin_pay(f->pagopa, ENTE_CF, p.iupd, 4000), 0);
    struct payment_report rep = {0};
    assert_int_equal(payment_refresh(f->db, &f->t, id, "test", &rep), 0);
    assert_int_equal(rep.parked, 1);
    assert_int_equal(balance_of(f->db, f->t.id, f->g1), 0);
    assert_int_equal(payment_find(f->db, &f->a, f->t.id, id, 0, &p), 1);
    assert_string_equal(p.status, "open");
    assert_non_null(strstr(p.last_error, "4000"));
    /* A receipt for a position nobody here created. */
    assert_int_equal(
        pagopa_standin_add_paid(f->pagopa, ENTE_CF, "ALTRO-0001", "02000000000000199", 4500), 0);
    memset(&rep, 0, sizeof(rep));
    assert_int_equal(payment_reconcile(f->db, &f->t, &rep), 0);
    assert_int_equal(rep.credited, 0);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM payment_anomaly WHERE kind = "
                                    "'amount_mismatch' AND expected_cents = 5000 AND "
                                    "reported_cents = 4000"),
                     1);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM payment_anomaly WHERE kind = "
                                    "'unknown_position' AND iupd = 'ALTRO-0001'"),
                     1);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM ledger_entry"), 0);
    /* Seen again: still one case each. */
    assert_int_equal(payment_reconcile(f->db, &f->t, &rep), 0);
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM payment_anomaly"), 2);
    struct payment_anomaly *an;
    size_t n;
    assert_int_equal(payment_anomaly_list(f->db, &f->a, f->t.id, 10, &an, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(payment_anomaly_resolve(f->db, f->t.id, an[0].id, "Rimborsato", "u"), 0);
    assert_int_equal(payment_anomaly_resolve(f->db, f->t.id, an[0].id, "Di nuovo", "u"), 1);
    assert_int_equal(db_commit(f->db), DB_OK);
}

static void test_topup_refuses_bad_input(void **state)
{
    struct fixture *f = *state;
    int64_t id;
    const char *msg;
    int64_t bad[] = {0, -500, 999, 50001, INT64_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        msg = NULL;
        assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g1, 0, bad[i], "t", &id, &msg),
                         PAYMENT_INVALID);
        assert_non_null(msg);
    }
    /* Another family's child. */
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g1, f->pupil3, 2000, "t", &id, &msg),
                     PAYMENT_INVALID);
    assert_int_equal(positions(f), 0);
    assert_int_equal(pagopa_standin_requests(f->pagopa), 0);
    /* Without a pagoPA connection. */
    payment_configure("", "", "", 1, 1);
    assert_int_equal(payment_topup(f->db, &f->a, &f->t, f->g1, 0, 2000, "t", &id, &msg),
                     PAYMENT_DISABLED);
    assert_int_equal(positions(f), 0);
    struct payment_settings s;
    assert_int_equal(payment_settings_get(f->db, f->t.id, &s), 0);
    assert_null(payment_amount_problem(&s, 2000));
    assert_non_null(payment_amount_problem(&s, 999));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ledger_random_operations_keep_every_cent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ledger_refuses_changes_and_bad_entries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_alerts_once_per_crossing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topup_paid_reconciled_credited_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topup_when_gpd_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipts_that_do_not_match_are_parked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_topup_refuses_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
