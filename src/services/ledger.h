/*
 * The family ledger: one wallet per guardian, shared by siblings, as an append-only list of
 * entries in cents (opening balance, top-up, meal, refund, adjustment, fee), each attributed to
 * a pupil where it concerns one. The balance is the sum of the entries; entries are never
 * changed or deleted (the table refuses it), corrections are new entries. A negative balance is
 * a debt, which the enrollment debt gate reads.
 *
 * The wallet row caches the balance and the number of entries; ledger_append updates it in the
 * same transaction as the entry, and ledger_check recomputes every wallet from the entries and
 * reports any difference (`refettorio check ledger`). Each append also moves the wallet's alert
 * level and queues the balance e-mail when a threshold is crossed downwards (balance_alert.h).
 */
#ifndef REFETTORIO_SERVICES_LEDGER_H
#define REFETTORIO_SERVICES_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"
#include "util/time.h"

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
/* Parses a kind name; false when unknown. */
bool ledger_kind_parse(const char *name, enum ledger_kind *out);
/* What a family reads for the kind ("Ricarica", "Pasto", ...): an N_() msgid. */
const char *ledger_kind_label(const char *name);
/* The balance in cents. 0 or -1. */
int ledger_balance(struct db *db, int64_t tenant_id, int64_t guardian_id, int64_t *cents);
/* Append one entry inside the caller's transaction; audit-logged. 0, 1 when ref was already
   used (nothing appended), -1 on error or invalid input. */
int ledger_append(struct db *db, int64_t tenant_id, const struct ledger_new *e, int64_t *id);
/* Append n entries inside the caller's transaction, as ledger_append would one by one, for a
   batch such as a day's meals: an entry whose ref is already used is skipped (ids[i] 0, counted
   in *skipped); each family's wallet moves once by the sum of its new entries, with its balance
   alert judged once from the balance before the batch to the balance after it (the alert
   settings read once); one audit row for the whole batch ("ledger.append_many", with the count
   and the total). Every entry is checked before anything is written. ids (may be NULL) gets
   each entry's id; skipped may be NULL. 0, or -1 on error or invalid input (roll back). */
int ledger_append_many(struct db *db, int64_t tenant_id, const struct ledger_new *e, size_t n,
                       int64_t *ids, size_t *skipped);

/* A family's wallet as cached, with its suspension. */
struct wallet {
    int64_t balance_cents;
    int64_t entries;
    int alert_level;
    char debt_since[TIME_ISO_MAX]; /* "" when not in debt */
    bool suspended;
    char suspended_at[TIME_ISO_MAX];
    char suspended_notice_on[16];
    char suspended_reason[512];
    char suspended_by[128];
};
/* The wallet (zeros when the guardian has none yet). 0 or -1. */
int ledger_wallet(struct db *db, int64_t tenant_id, int64_t guardian_id, struct wallet *w);

/* One entry as a statement shows it; balance_after is the wallet balance right after it (over
   every entry of the family, whatever the filter). Strings live in the arena. */
struct ledger_row {
    int64_t id, pupil_id, amount_cents, balance_after;
    const char *kind, *description, *reason, *ref, *at, *created_by;
    const char *pupil_name; /* "Name Surname", "" for family entries */
};
struct ledger_filter {
    const char *month; /* "YYYY-MM" in Europe/Rome, or NULL/"" for all */
    int64_t pupil_id;  /* 0 for all */
    const char *kind;  /* a kind name, or NULL/"" for all */
};
/* The entries of a family, oldest first. *opening (may be NULL) gets the balance before the
   first row returned. 0, or -1 (also for a malformed month). */
int ledger_list(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                const struct ledger_filter *f, struct ledger_row **rows, size_t *n,
                int64_t *opening);

/* Recompute every wallet of the tenant (0: of every tenant) from the entries. *checked gets the
   wallets looked at, *mismatches those whose cache differs (and guardians with entries but no
   wallet); first (may be NULL) describes the first difference. 0, or -1 on a database error. */
int ledger_check(struct db *db, int64_t tenant_id, size_t *checked, size_t *mismatches, char *first,
                 size_t firstsz);

#endif
