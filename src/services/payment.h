/*
 * Payments through pagoPA: top-ups of the family wallet as GPD debt positions, and the
 * reconciliation that reads their status back and credits each receipt exactly once.
 *
 * A top-up: the amount is checked against the municipality's limits; a new IUV and 18-digit
 * notice number (aux digit 3, the municipality's segregation code) are allocated and the position
 * is stored locally as 'creating' in one transaction; then it is created in GPD (toPublish) under
 * its IUPD. When GPD cannot be reached the position stays 'creating' and the reconciliation
 * creates it later with the same IUPD (GPD answers 409 to a repeat, which the client verifies),
 * so a retry never makes two positions. A refusal marks it 'failed'.
 *
 * Reconciliation (the serve loop every pagopa.reconcile_seconds, the office's "refresh", the
 * family's return from checkout): open positions are read back one by one, and the list of
 * positions paid since the last run is read page by page. A paid position credits the wallet with
 * a 'topup' ledger entry whose ref is "pagopa:<IUV>", unique per municipality, so the same
 * receipt seen twice (or by two nodes at once) credits once. A receipt whose amount differs from
 * the position's, or for a position this municipality never created, moves no money: it is
 * parked in payment_anomaly for the office. A family that came back from checkout saying it paid
 * sees "awaiting confirmation" with the amount until GPD confirms.
 */
#ifndef REFETTORIO_SERVICES_PAYMENT_H
#define REFETTORIO_SERVICES_PAYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "integrations/pagopa/gpd.h"
#include "services/payment_settings.h"
#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"

#define PAYMENT_LIST_MAX 200

/* Installation settings (from the configuration; gpd_url "" disables online payments). */
void payment_configure(const char *gpd_url, const char *api_key, const char *checkout_url,
                       int timeout_seconds, int max_attempts);
bool payment_enabled(void);
/* The client configuration in force (for the tests and the worker). */
const struct gpd_config *payment_gpd(void);

struct payment_position {
    int64_t id, guardian_id, pupil_id, amount_cents, ledger_entry_id;
    int attempts;
    const char *purpose, *iupd, *iuv, *notice_number, *description, *due_date, *status, *gpd_status,
        *created_at, *created_by, *published_at, *returned_ok_at, *paid_at, *receipt_id, *psp,
        *payment_method, *last_checked_at, *last_error;
    const char *guardian_name, *guardian_fiscal_code, *guardian_user_code, *pupil_name;
};

/* One position of the tenant; guardian_id 0 for any family. 1 found, 0 not, -1 error. */
int payment_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id, int64_t guardian_id,
                 struct payment_position *p);

struct payment_filter {
    int64_t guardian_id;   /* 0: every family */
    const char *status;    /* a status, "pending" (paid online, not yet confirmed) or "" */
    const char *from, *to; /* created on these Rome days (YYYY-MM-DD) or "" */
    const char *search;    /* name, codice fiscale, user code, IUV or notice number */
    int page;              /* from 1 */
    int per_page;
};
/* Newest first. *total counts every match. 0, or -1 (also for a malformed date). */
int payment_list(struct db *db, struct arena *a, int64_t tenant_id, const struct payment_filter *f,
                 struct payment_position **rows, size_t *n, int64_t *total);

/* The msgid saying why an amount cannot be topped up, or NULL when it can. */
const char *payment_amount_problem(const struct payment_settings *s, int64_t cents);

enum payment_err {
    PAYMENT_OK = 0,
    PAYMENT_INVALID,  /* bad amount or pupil; see msg */
    PAYMENT_DISABLED, /* no pagoPA connection configured */
    PAYMENT_DEFERRED, /* stored; GPD unreachable now, the reconciliation will create it */
    PAYMENT_REFUSED,  /* GPD refused it; the position is 'failed' */
    PAYMENT_ERROR,    /* database or configuration error */
};

/* A top-up position for the family (pupil_id 0: for the whole family). *id gets the position
   (also when deferred or refused); *msg (may be NULL) a msgid for the family. */
enum payment_err payment_topup(struct db *db, struct arena *a, const struct tenant *t,
                               int64_t guardian_id, int64_t pupil_id, int64_t amount_cents,
                               const char *actor, int64_t *id, const char **msg);

/* What a reconciliation did. */
struct payment_report {
    size_t checked, created, credited, already, parked, expired, errors;
};

/* Bring one position up to date with GPD (create it if still 'creating', read its status, credit
   a receipt). 0, or -1 when GPD or the database failed (last_error says why). */
int payment_refresh(struct db *db, const struct tenant *t, int64_t position_id, const char *actor,
                    struct payment_report *rep);
/* Every open position of the tenant, then GPD's list of positions paid since the last run. */
int payment_reconcile(struct db *db, const struct tenant *t, struct payment_report *rep);
/* payment_reconcile for every tenant with a fiscal code. */
int payment_reconcile_all(struct db *db, struct payment_report *rep);

/* Apply a receipt as GPD reports it to the local position: 0 credited, 1 already credited
   (nothing changes), 2 parked as an anomaly (no money moves), -1 error. Exposed for tests. */
int payment_apply_receipt(struct db *db, const struct tenant *t, const struct gpd_position *g,
                          const char *actor);

/* The family came back from the checkout page saying it paid. */
int payment_mark_returned(struct db *db, int64_t tenant_id, int64_t id, int64_t guardian_id);

/* The URL of pagoPA Checkout for this position (ok/cancel/error return URLs given). 0, or -1
   with msg a msgid. */
int payment_checkout(const struct tenant *t, const struct payment_position *p, const char *email,
                     const char *ok_url, const char *cancel_url, const char *error_url,
                     char *location, size_t locsz, const char **msg);

/* How the family and the office read a status: a msgid, and the Bootstrap badge class. */
const char *payment_status_label(const struct payment_position *p);
const char *payment_status_badge(const struct payment_position *p);
/* True when the family has paid online and GPD has not confirmed yet. */
bool payment_awaiting_confirmation(const struct payment_position *p);
/* Sum of the amounts awaiting confirmation for a family. 0 or -1. */
int payment_pending_total(struct db *db, int64_t tenant_id, int64_t guardian_id, int64_t *cents);

/* The municipality's money at a glance, for the office's home page. */
struct payment_summary {
    int64_t credit_cents, debt_cents, families_in_debt;
    int64_t awaiting, awaiting_cents, open_notices, anomalies;
};
int payment_summary(struct db *db, int64_t tenant_id, struct payment_summary *s);

struct payment_anomaly {
    int64_t id, position_id, expected_cents, reported_cents;
    bool has_expected, has_reported;
    const char *kind, *iupd, *iuv, *receipt_id, *detail, *created_at, *resolved_at, *resolved_by,
        *resolution;
};
/* Open anomalies first, then resolved ones, newest first, at most max. */
int payment_anomaly_list(struct db *db, struct arena *a, int64_t tenant_id, size_t max,
                         struct payment_anomaly **rows, size_t *n);
/* Close an anomaly with what the office did (5..500 characters). 0, 1 unknown or already
   closed, -1 error. Audit-logged. */
int payment_anomaly_resolve(struct db *db, int64_t tenant_id, int64_t id, const char *resolution,
                            const char *by);

#endif
