/*
 * The payments part of the demo: the municipality's payment settings (accounts, postal account
 * for the DataMatrix, top-up amounts, alert thresholds) and pagoPA top-ups that went through the
 * real path (payment_topup against the pagoPA stand-in the demo starts): the Rossi family has a
 * paid and credited top-up, a notice still to pay and a payment made online that pagoPA has not
 * confirmed yet; the Bianchi family a paid top-up for Sofia; and a receipt for a position unknown
 * here is parked for the office. Run after demo_seed's transaction, each step in its own.
 */
#include <stdio.h>
#include <string.h>

#include "services/demo.h"
#include "services/payment.h"
#include "services/payment_settings.h"
#include "services/tenant.h"
#include "util/arena.h"
#include "util/log.h"

static int64_t demo_guardian(struct db *db, int64_t tenant_id, const char *fiscal_code)
{
    struct db_stmt *st = db_stmt(db, STMT_DEMO_GUARDIAN_BY_CF);
    if (!st)
        return 0;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, fiscal_code);
    int64_t id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    return id;
}

static int64_t demo_pupil(struct db *db, int64_t tenant_id, const char *fiscal_code)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLL_PUPIL_BY_CF);
    if (!st)
        return 0;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, fiscal_code);
    int64_t id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    return id;
}

int demo_seed_payments(struct db *db, const struct demo_pagopa *pagopa)
{
    struct arena a;
    arena_init(&a, 8192);
    int rc = -1;
    struct tenant t;
    if (tenant_find(db, &a, DEMO_TENANT_SLUG, &t) != 1)
        goto out;
    struct payment_settings s;
    if (payment_settings_get(db, t.id, &s) != 0)
        goto out;
    s.segregation_code = 2;
    snprintf(s.creditor_iban, sizeof(s.creditor_iban), "IT60X0542811101000000123456");
    snprintf(s.postal_account, sizeof(s.postal_account), "12345678");
    snprintf(s.cbill_code, sizeof(s.cbill_code), "AB12C");
    const char *field, *msg;
    if (db_begin(db) != DB_OK)
        goto out;
    if (payment_settings_save(db, t.id, &s, "refettorio demo", &field, &msg) != 0) {
        log_error("demo payment settings refused", "field", field ? field : "-");
        db_rollback(db);
        goto out;
    }
    if (db_commit(db) != DB_OK)
        goto out;
    if (!pagopa || !payment_enabled()) {
        rc = 0; /* no stand-in of ours (another GPD was configured): no demo payments there */
        goto out;
    }
    int64_t rossi = demo_guardian(db, t.id, "RSSMRA82C14H501K");
    int64_t bianchi = demo_guardian(db, t.id, "BNCCHR90L48F205V");
    int64_t sofia = demo_pupil(db, t.id, "FRRSFO19T41F205D");
    if (!rossi || !bianchi || !sofia)
        goto out;
    int64_t id;
    struct payment_position p;
    /* Rossi: 50 euro paid at a tobacconist, credited by the reconciliation. */
    if (payment_topup(db, &a, &t, rossi, 0, 5000, "family:demo", &id, NULL) != PAYMENT_OK ||
        payment_find(db, &a, t.id, id, 0, &p) != 1 ||
        pagopa->pay(pagopa->ctx, t.fiscal_code, p.iupd) != 0)
        goto out;
    /* Rossi: a 20 euro notice still to pay, and 30 euro paid online that pagoPA has not
       confirmed yet. */
    if (payment_topup(db, &a, &t, rossi, 0, 2000, "family:demo", &id, NULL) != PAYMENT_OK)
        goto out;
    if (payment_topup(db, &a, &t, rossi, 0, 3000, "family:demo", &id, NULL) != PAYMENT_OK ||
        payment_mark_returned(db, t.id, id, rossi) != 0)
        goto out;
    /* Bianchi: 100 euro for Sofia, paid online and confirmed. */
    if (payment_topup(db, &a, &t, bianchi, sofia, 10000, "family:demo", &id, NULL) != PAYMENT_OK ||
        payment_find(db, &a, t.id, id, 0, &p) != 1 ||
        pagopa->pay(pagopa->ctx, t.fiscal_code, p.iupd) != 0)
        goto out;
    /* A receipt for a position nobody here created: parked for the office. */
    if (pagopa->add_unknown(pagopa->ctx, t.fiscal_code, "ALTRO-ENTE-0001", "02000000000000199",
                            4500) != 0)
        goto out;
    struct payment_report rep = {0};
    if (payment_reconcile(db, &t, &rep) != 0)
        goto out;
    rc = 0;
out:
    arena_free(&a);
    return rc;
}
