/*
 * The office's review of enrollments: searching the applications (filters, search box, pages),
 * the decisions (confirm, or reject with a reason; one at a time or many in one transaction),
 * the separate decision on a special-diet request (approved with the code the kitchen uses, or
 * rejected with a note), the override of the debt gate with a reason, and the export of a
 * filtered list as CSV for Italian spreadsheets. Only rows with a guardian are applications:
 * an anonymous family's form in progress is never shown to the office.
 *
 * Every decision is one transaction with its history row (enrollment_history_add), its audit
 * entry (from -> to) and, for confirm and reject, the family's e-mail (enrollment_confirmed,
 * enrollment_rejected) in the guardian's language; if the message cannot be queued nothing is
 * changed. A guardian without an e-mail address is decided on all the same, without a message.
 *
 * The badge code belongs to the pupil (assigned when the application is submitted, the same
 * for the pupil's whole school career); this module calls it active when the application is
 * confirmed.
 *
 * Owns the office-side columns of enrollment (decided_at, decided_by, reject_reason,
 * diet_status/diet_code/diet_decision_note, debt_override_reason); the rest is enrollment.h's.
 */
#ifndef REFETTORIO_SERVICES_REVIEW_H
#define REFETTORIO_SERVICES_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/enrollment.h"
#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"

#define REVIEW_PAGE_ROWS     50 /* rows per page of the office list */
#define REVIEW_QUERY_MAX     64 /* characters of the search box */
#define REVIEW_REASON_MIN    3  /* characters of a rejection or override reason */
#define REVIEW_REASON_MAX    500
#define REVIEW_NOTE_MAX      500   /* characters of a diet decision note */
#define REVIEW_DIET_CODE_MAX 12    /* diet codes: 1..12 of [A-Z0-9-] */
#define REVIEW_BULK_MAX      100   /* applications in one bulk decision */
#define REVIEW_CSV_ROWS_MAX  10000 /* rows in one export; more is refused (REVIEW_ERR_TOO_MANY) */

/* The office's filter. NULL or "" and 0 mean "any". Dates are "YYYY-MM-DD", both inclusive,
   judged as calendar days in Europe/Rome (converted to UTC bounds with time_rome_offset).
   diet is "none", "medical", "ethical", or "pending" (a diet request awaiting a decision).
   q is a case-insensitive substring (ASCII case folding) of the pupil's or the guardian's
   name, surname, "name surname", "surname name" or codice fiscale. */
struct review_filter {
    int64_t campaign_id;
    const char *status; /* enrollment_status_name() */
    int64_t school_id, class_id;
    const char *kind; /* "new", "renewal" */
    const char *diet;
    const char *submitted_from, *submitted_to;
    const char *q;
};

enum review_err {
    REVIEW_OK = 0,
    REVIEW_ERR_NOT_FOUND, /* no application with this id in the tenant */
    REVIEW_ERR_STATE,     /* not possible in the application's status (e.g. not submitted) */
    REVIEW_ERR_REASON,    /* reason or note missing, shorter than 3 or past the maximum */
    REVIEW_ERR_CODE,      /* diet code not 1..12 of [A-Z0-9-] */
    REVIEW_ERR_NO_DIET,   /* the application asks for no special diet */
    REVIEW_ERR_TOO_MANY, /* more ids (REVIEW_BULK_MAX) or rows (REVIEW_CSV_ROWS_MAX) than allowed */
    REVIEW_ERR_MAIL,     /* the family's e-mail could not be queued; nothing was changed */
    REVIEW_ERR_DB,
};

/* Who decides, and what the family's e-mails need. */
struct review_ctx {
    const struct tenant *tenant;
    const struct enrollment_actor *by; /* a staff member (AUDIT_STAFF), or the CLI */
    const char *family_href;           /* absolute URL of the family area, put in the e-mails */
};

/* Whether a filter value is one the search understands (for the form's validators). */
bool review_diet_filter_valid(const char *diet);
bool review_kind_valid(const char *kind);
/* A diet code as the kitchen uses it: 1..REVIEW_DIET_CODE_MAX of [A-Z0-9-]. */
bool review_diet_code_valid(const char *code);
/* A reason or note of min..max characters (UTF-8 code points) after trimming spaces. */
bool review_text_valid(const char *s, size_t min, size_t max);

/* English msgids for tr(): the kind ("New enrollment", "Renewal"), the diet decision
   ("Not requested", "Awaiting decision", "Approved", "Rejected"), the payment method
   ("Prepaid credit", "SEPA direct debit"). */
const char *review_kind_label(const char *kind);
const char *review_diet_status_label(const char *diet_status);
const char *review_payment_label(const char *payment_method);

/* Applications matching f, ordered by submission time then surname: at most limit rows from
   offset, and *total, the number of matches. 0 or -1. */
int review_search(struct db *db, struct arena *a, int64_t tenant_id, const struct review_filter *f,
                  size_t limit, size_t offset, struct enrollment **out, size_t *n, int64_t *total);

/* One application for the office (1 found, 0 not found or not an application, -1 error). */
int review_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                struct enrollment *out);

/* The debt gate as it applies to an application: whether its campaign sets a threshold, the
   threshold and the guardian's balance (ledger_balance), both in cents, and whether the balance
   is below it. 0 or -1. */
struct review_debt {
    bool has_threshold;
    int64_t threshold_cents;
    int64_t balance_cents;
    bool blocked;
};
int review_debt(struct db *db, struct arena *a, const struct enrollment *e,
                struct review_debt *out);

/* Confirm a submitted application: status confirmed, decided_at/decided_by, history, audit
   ("enrollment.confirm", submitted -> confirmed) and the enrollment_confirmed e-mail. */
enum review_err review_confirm(struct db *db, struct arena *a, const struct review_ctx *c,
                               int64_t id);
/* Reject a submitted application with a reason of REVIEW_REASON_MIN..MAX characters (checked
   before anything else); the enrollment_rejected e-mail carries the reason. */
enum review_err review_reject(struct db *db, struct arena *a, const struct review_ctx *c,
                              int64_t id, const char *reason);

/* Per application of a bulk decision: REVIEW_OK (done), REVIEW_ERR_NOT_FOUND or
   REVIEW_ERR_STATE (skipped), with the pupil's name when found. */
struct review_bulk_item {
    int64_t id;
    enum review_err result;
    const char *pupil;             /* "Name Surname", "" when not found */
    enum enrollment_status status; /* the status before (when found) */
};
/* Confirm (reason NULL) or reject (with reason) every id in one transaction. *items gets
   *done + *skipped entries in the order given (a repeated id once). A failure other than
   "skipped" (database, e-mail) rolls everything back and is returned. */
enum review_err review_bulk(struct db *db, struct arena *a, const struct review_ctx *c,
                            const int64_t *ids, size_t n, const char *reason,
                            struct review_bulk_item **items, size_t *done, size_t *skipped);

/* The diet decision on an application whose diet_kind is not "none" (submitted or confirmed):
   approve with a code (REVIEW_DIET_CODE_MAX) and an optional note, or reject with a note of
   REVIEW_REASON_MIN..REVIEW_NOTE_MAX characters. History and audit ("enrollment.diet_approve",
   "enrollment.diet_reject", old -> new diet_status). */
enum review_err review_diet_approve(struct db *db, struct arena *a, const struct review_ctx *c,
                                    int64_t id, const char *code, const char *note);
enum review_err review_diet_reject(struct db *db, struct arena *a, const struct review_ctx *c,
                                   int64_t id, const char *note);

/* Let a draft or submitted application through the debt gate, with a reason of
   REVIEW_REASON_MIN..MAX characters; history and audit ("enrollment.debt_override"). */
enum review_err review_debt_override(struct db *db, struct arena *a, const struct review_ctx *c,
                                     int64_t id, const char *reason);

/* The applications matching f as CSV for Italian spreadsheets, appended to out: UTF-8 with a
   byte-order mark, ';' between fields, CRLF line ends, fields containing ; " CR or LF quoted
   with quotes doubled, and any cell starting with = + - @ TAB or CR prefixed with an apostrophe
   so no spreadsheet runs it as a formula. The header row is fixed Italian (Cognome;Nome;...;
   Codice badge); dates are dd/mm/yyyy and times dd/mm/yyyy hh:mm in Europe/Rome; labels are
   translated into lang. *rows (may be NULL) gets the number of applications. REVIEW_OK,
   REVIEW_ERR_TOO_MANY (more than REVIEW_CSV_ROWS_MAX; out unchanged), REVIEW_ERR_DB, or
   REVIEW_ERR_TOO_MANY when out reaches its maximum (out unchanged). */
enum review_err review_csv(struct db *db, struct arena *a, int64_t tenant_id,
                           const struct review_filter *f, const char *lang, struct buf *out,
                           size_t *rows);

/* "2026-03-29T08:05:00Z" as "29/03/2026 10:05" in Europe/Rome, and "2018-05-22" as
   "22/05/2018"; "" for an empty or malformed value. */
const char *review_time_rome(struct arena *a, const char *iso);
const char *review_date_it(struct arena *a, const char *ymd);
/* The IBAN with every character but the last 4 replaced by '*'. */
const char *review_iban_masked(struct arena *a, const char *iban);

#endif
