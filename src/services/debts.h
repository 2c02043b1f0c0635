/*
 * The office's handling of family debts: the list of debtors (wallets below zero, with the age
 * of the debt, the last reminder and the suspension), reminders by e-mail in bulk, suspending a
 * family's service after a written notice and lifting it, manual ledger entries (adjustment,
 * refund, fee), and the import of opening balances from the previous platform.
 *
 * Every change is one transaction with its audit entry (actions "debt.reminder",
 * "debt.suspend", "debt.lift", "debt.manual_entry", "debt.opening_import") and, where the family
 * is told, its e-mail (templates mail/debt_reminder and mail/debt_suspension) and its
 * balance_notice row (kind 'reminder' or 'suspension'). Ledger entries go through ledger_append,
 * so the cached wallet, the balance alerts and the ledger's own audit entry move with them.
 *
 * Days are judged in Europe/Rome: the age of a debt is the number of Rome calendar days from
 * the day the wallet went below zero (wallet.debt_since) to today; a notice date is a Rome date
 * not after today.
 *
 * Owns the suspension columns of wallet and the office's balance_notice rows; the balance and
 * entries are ledger.h's.
 */
#ifndef REFETTORIO_SERVICES_DEBTS_H
#define REFETTORIO_SERVICES_DEBTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/ledger.h"
#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"

#define DEBTS_PAGE_ROWS         50
#define DEBTS_QUERY_MAX         64
#define DEBTS_REASON_MIN        5 /* characters of a suspension, lifting or entry reason */
#define DEBTS_REASON_MAX        500
#define DEBTS_BULK_MAX          100       /* families in one bulk reminder */
#define DEBTS_CSV_ROWS_MAX      10000     /* rows in one export; more is DEBTS_ERR_TOO_MANY */
#define DEBTS_AMOUNT_MAX        100000000 /* 1.000.000,00 euro: the largest amount typed */
#define DEBTS_DAYS_MAX          36500     /* the largest age filter, in days */
#define DEBTS_IMPORT_BYTES_MAX  (2 * 1024 * 1024) /* an opening-balance file */
#define DEBTS_IMPORT_LINES_MAX  50000             /* data lines of one file */
#define DEBTS_IMPORT_SHOWN_MAX  200               /* bytes of a rejected line shown in the report */
#define DEBTS_IMPORT_DIGEST_LEN 64                /* hex SHA-256 of the file */

enum debts_err {
    DEBTS_OK = 0,
    DEBTS_ERR_NOT_FOUND, /* no such family (or pupil of the family) in the tenant */
    DEBTS_ERR_REASON,    /* reason missing or not DEBTS_REASON_MIN..MAX characters */
    DEBTS_ERR_DATE,      /* notice date malformed or after today (Rome) */
    DEBTS_ERR_AMOUNT,    /* see debts_amount_parse */
    DEBTS_ERR_KIND,      /* not adjustment, refund or fee */
    DEBTS_ERR_REFUND,    /* a refund larger than the family's credit */
    DEBTS_ERR_STATE,     /* suspend: already suspended or not in debt; lift: not suspended */
    DEBTS_ERR_TOO_MANY,  /* past DEBTS_BULK_MAX or DEBTS_CSV_ROWS_MAX */
    DEBTS_ERR_MAIL,      /* an e-mail could not be queued; nothing was changed */
    DEBTS_ERR_DB,
};

/* Who acts: a staff member (audit-logged as AUDIT_STAFF). */
struct debts_actor {
    int64_t staff_id;
    const char *label; /* the staff member's e-mail */
    const char *client_addr;
};

/* The office's filter over the debtors. 0 / NULL / "" mean "any". q is a case-insensitive
   (ASCII) substring of the parent's or a pupil's "name surname", "surname name" or codice
   fiscale, or the user code. */
enum debts_sort { DEBTS_SORT_AMOUNT, DEBTS_SORT_AGE };
struct debts_filter {
    int64_t min_cents; /* owed at least this much */
    int min_days;      /* in debt for at least this many Rome days */
    int suspended;     /* -1 any, 0 not suspended, 1 suspended */
    const char *q;
    enum debts_sort sort; /* largest debt first, or oldest debt first */
};

/* One family in debt. Times are UTC ISO ("" when none). */
struct debtor {
    int64_t guardian_id;
    const char *user_code, *fiscal_code, *name, *surname, *email;
    const char *pupils; /* "Name Surname, Name Surname" */
    int64_t owed_cents; /* > 0 */
    const char *debt_since;
    int age_days; /* Rome days since debt_since (0 the same day) */
    const char *last_reminder;
    bool suspended;
    const char *suspended_notice_on; /* "YYYY-MM-DD" */
};

/* Rome days from the instant iso to today (0 the same day; 0 for a malformed value). */
int debts_age_days(const char *iso);

/* Debtors matching f: at most limit rows from offset, and *total. 0 or -1. */
int debts_search(struct db *db, struct arena *a, int64_t tenant_id, const struct debts_filter *f,
                 size_t limit, size_t offset, struct debtor **out, size_t *n, int64_t *total);
/* The matching debtors as CSV (UTF-8 BOM, ';', CRLF, Italian header, csv_cell) appended to out;
   DEBTS_ERR_TOO_MANY past DEBTS_CSV_ROWS_MAX rows or out's limit (out is left as it was). */
enum debts_err debts_csv(struct db *db, struct arena *a, int64_t tenant_id,
                         const struct debts_filter *f, struct buf *out, size_t *rows);

/* ---- reminders ------------------------------------------------------------------------------ */

enum debts_reminder_result {
    DEBTS_REMINDER_SENT,
    DEBTS_REMINDER_NOT_FOUND,   /* no such family */
    DEBTS_REMINDER_NOT_IN_DEBT, /* the balance is not below zero (any more) */
    DEBTS_REMINDER_NO_EMAIL,    /* the family has no e-mail address */
};
struct debts_reminder_item {
    int64_t guardian_id;
    enum debts_reminder_result result;
    const char *name;   /* "Name Surname", "" when not found */
    int64_t owed_cents; /* when sent */
};
/* One e-mail (debt_reminder) and one balance_notice 'reminder' per family of ids still in debt
   with an address, in one transaction, each audit-logged ("debt.reminder"). *items gets one per
   distinct id in the order given; *sent and *skipped count them. topup_href is the absolute
   address of the family's top-up page, put in the e-mail. A mail or database failure rolls
   everything back and is returned. */
enum debts_err debts_remind(struct db *db, struct arena *a, const struct tenant *t,
                            const struct debts_actor *by, const int64_t *ids, size_t n,
                            const char *topup_href, struct debts_reminder_item **items,
                            size_t *sent, size_t *skipped);

/* One family's reminder inside the caller's transaction (it->guardian_id set; the rest is
   filled). DEBTS_OK also when skipped (it->result says why). */
enum debts_err debts_remind_tx(struct db *db, struct arena *a, const struct tenant *t,
                               const struct debts_actor *by, const char *topup_href,
                               struct debts_reminder_item *it);

/* ---- suspension ----------------------------------------------------------------------------- */

/* Whether reason has DEBTS_REASON_MIN..MAX characters after trimming. */
bool debts_reason_valid(const char *reason);
/* Whether notice_on is a real "YYYY-MM-DD" date not after today in Rome. */
bool debts_notice_date_valid(const char *notice_on);

/* Suspend a family in debt after the written notice of notice_on: the wallet's suspension
   columns, a balance_notice 'suspension', the debt_suspension e-mail (when the family has an
   address) and the audit entry ("debt.suspend", active -> suspended), in one transaction. */
enum debts_err debts_suspend(struct db *db, struct arena *a, const struct tenant *t,
                             const struct debts_actor *by, int64_t guardian_id,
                             const char *notice_on, const char *reason);
/* The same inside the caller's transaction, with reason already checked and trimmed. */
enum debts_err debts_suspend_tx(struct db *db, struct arena *a, const struct tenant *t,
                                const struct debts_actor *by, int64_t guardian_id,
                                const char *notice_on, const char *reason);
/* Lift a suspension, with a reason (audit "debt.lift", suspended -> active, the reason in the
   detail). */
enum debts_err debts_lift(struct db *db, const struct tenant *t, const struct debts_actor *by,
                          int64_t guardian_id, const char *reason);

/* ---- manual entries ------------------------------------------------------------------------- */

/*
 * An amount typed by the office in the Italian form (money_parse: "12,50", "-3,20",
 * "1.234,56 €"). NULL when fine, else the English msgid of the problem: empty, not an amount,
 * "12.50" (a dot before the cents: Italian uses a comma), zero, a sign where none is allowed
 * (allow_negative false), or more than DEBTS_AMOUNT_MAX in absolute value.
 */
const char *debts_amount_parse(const char *in, bool allow_negative, int64_t *cents);

struct debts_entry {
    int64_t guardian_id;
    int64_t pupil_id;   /* 0, or one of the family's pupils */
    const char *kind;   /* "adjustment" (signed), "refund" or "fee" (typed positive, taken out) */
    const char *amount; /* as typed */
    const char *reason; /* DEBTS_REASON_MIN..MAX characters */
};
/* Append the entry (ledger_append) and the audit entry "debt.manual_entry" with the reason, in
   one transaction. *problem (may be NULL) gets the amount's msgid on DEBTS_ERR_AMOUNT. */
enum debts_err debts_manual_entry(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct debts_actor *by, const struct debts_entry *e,
                                  int64_t *entry_id, const char **problem);

/* ---- opening balances ----------------------------------------------------------------------- */

/* One data line of an opening-balance file. */
struct debts_import_line {
    size_t line;             /* 1-based line number in the file (the header is line 1) */
    const char *content;     /* as in the file, cut to DEBTS_IMPORT_SHOWN_MAX bytes */
    const char *fiscal_code; /* normalised, "" when malformed */
    int64_t cents;
    const char *problem; /* English msgid, NULL when the line is valid */
    size_t other_line;   /* for a repeated codice fiscale: the other line */
    int64_t pupil_id, guardian_id;
    const char *pupil_name; /* "Name Surname" once found */
};
struct debts_import {
    const char *file_problem; /* English msgid when the file as a whole is refused */
    size_t header_line;       /* 1, or 2 ... when blank lines precede it */
    struct debts_import_line *lines;
    size_t nlines;
    size_t valid, rejected;
    int64_t total_cents;                      /* of the valid lines */
    size_t applied;                           /* after debts_import_apply */
    char digest[DEBTS_IMPORT_DIGEST_LEN + 1]; /* SHA-256 of the bytes, hex */
};

/*
 * The format checks, without the database: UTF-8 (a BOM is skipped), at most
 * DEBTS_IMPORT_BYTES_MAX bytes and DEBTS_IMPORT_LINES_MAX data lines, a header line naming the
 * codice fiscale column ("codice_fiscale", "codice fiscale", "codicefiscale", "cf") and the
 * amount column ("saldo", "importo", "saldo_iniziale", "saldo iniziale"), in any order and any
 * letter case, other columns ignored; the separator is ';' when the header has one, else ','.
 * Per line: the codice fiscale (codice_fiscale_parse), the amount (debts_amount_parse, signed),
 * and a codice fiscale repeated in the file (every later line is refused; when the amounts
 * differ, the first one too). Blank lines are skipped. 0, or -1 when out of memory.
 */
int debts_import_parse(struct arena *a, const void *data, size_t len, struct debts_import *out);
/* debts_import_parse plus the database: the pupil must exist in the tenant, and its opening
   balance must not have been imported already (ledger ref "opening:<CF>"). Changes nothing. */
enum debts_err debts_import_check(struct db *db, struct arena *a, int64_t tenant_id,
                                  const void *data, size_t len, struct debts_import *out);
/* The same checks again inside one transaction, then every valid line appended as an 'opening'
   entry to the pupil's guardian's wallet, attributed to the pupil, ref "opening:<CF>"; rejected
   lines are skipped and stay in the report. Audit "debt.opening_import" with the count and
   total. Nothing is applied when the file as a whole is refused. */
enum debts_err debts_import_apply(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct debts_actor *by, const void *data, size_t len,
                                  struct debts_import *out);

#endif
