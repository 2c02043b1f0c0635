/*
 * The family ledger: one wallet per guardian, shared by siblings, as an append-only list of
 * entries in cents (opening balance, top-up, meal, refund, adjustment, fee), each attributed to
 * a pupil where it concerns one. The balance is the sum of the entries; entries are never
 * changed or deleted (the table refuses it), corrections are new entries. A negative balance is
 * a debt, which the enrollment debt gate reads.
 */
#ifndef REFETTORIO_SERVICES_LEDGER_H
#define REFETTORIO_SERVICES_LEDGER_H

#include <stdint.h>

#include "store/db.h"

enum ledger_kind {
    LEDGER_OPENING,
    LEDGER_TOPUP,
    LEDGER_MEAL,
    LEDGER_REFUND,
    LEDGER_ADJUSTMENT,
    LEDGER_FEE,
};

struct ledger_new {
    int64_t guardian_id;
    int64_t pupil_id; /* 0 when the entry concerns the whole family */
    enum ledger_kind kind;
    int64_t amount_cents; /* signed, never 0 */
    const char *description;
    const char *reason;     /* required for adjustments */
    const char *ref;        /* idempotency key, unique per tenant; NULL for none */
    const char *created_by; /* who, for the record */
};

const char *ledger_kind_name(enum ledger_kind k);
/* The balance in cents. 0 or -1. */
int ledger_balance(struct db *db, int64_t tenant_id, int64_t guardian_id, int64_t *cents);
/* Append one entry inside the caller's transaction; audit-logged. 0, 1 when ref was already
   used (nothing appended), -1 on error or invalid input. */
int ledger_append(struct db *db, int64_t tenant_id, const struct ledger_new *e, int64_t *id);

#endif
