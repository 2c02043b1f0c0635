/* Top-ups through pagoPA GPD and their reconciliation; see payment.h. */
#include "services/payment.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/pagopa_notice.h"
#include "services/audit.h"
#include "services/ledger.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"

/* The tassonomia of a school-meal payment to a municipality ("servizi scolastici"). */
#define PAYMENT_CATEGORY "9/0101108TS/"

static struct {
    char gpd_url[1024], api_key[256], checkout_url[1024];
    struct gpd_config gpd;
} payment_cfg;

void payment_configure(const char *gpd_url, const char *api_key, const char *checkout_url,
                       int timeout_seconds, int max_attempts)
{
    snprintf(payment_cfg.gpd_url, sizeof(payment_cfg.gpd_url), "%s", gpd_url ? gpd_url : "");
    snprintf(payment_cfg.api_key, sizeof(payment_cfg.api_key), "%s", api_key ? api_key : "");
    snprintf(payment_cfg.checkout_url, sizeof(payment_cfg.checkout_url), "%s",
             checkout_url ? checkout_url : "");
    payment_cfg.gpd = (struct gpd_config){
        .base_url = payment_cfg.gpd_url,
        .api_key = payment_cfg.api_key,
        .connect_timeout_ms = 3000,
        .timeout_ms = (timeout_seconds > 0 ? timeout_seconds : 10) * 1000L,
        .max_attempts = max_attempts > 0 ? max_attempts : 3,
        .backoff_ms = 200,
    };
}

bool payment_enabled(void)
{
    return payment_cfg.gpd_url[0] != '\0';
}

const struct gpd_config *payment_gpd(void)
{
    return &payment_cfg.gpd;
}

/* ---- reading ------------------------------------------------------------------------------- */

static void payment_read(struct db_stmt *st, struct arena *a, struct payment_position *p)
{
    p->id = db_col_int(st, 0);
    p->guardian_id = db_col_int(st, 1);
    p->pupil_id = db_col_int(st, 2);
    p->amount_cents = db_col_int(st, 3);
    p->ledger_entry_id = db_col_int(st, 4);
    p->attempts = (int)db_col_int(st, 5);
    const char **text[] = {&p->purpose,
                           &p->iupd,
                           &p->iuv,
                           &p->notice_number,
                           &p->description,
                           &p->due_date,
                           &p->status,
                           &p->gpd_status,
                           &p->created_at,
                           &p->created_by,
                           &p->published_at,
                           &p->returned_ok_at,
                           &p->paid_at,
                           &p->receipt_id,
                           &p->psp,
                           &p->payment_method,
                           &p->last_checked_at,
                           &p->last_error,
                           &p->guardian_name,
                           &p->guardian_fiscal_code,
                           &p->guardian_user_code,
                           &p->pupil_name};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        *text[i] = arena_strdup(a, db_col_text(st, (int)i + 6));
}

int payment_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id, int64_t guardian_id,
                 struct payment_position *p)
{
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_FIND);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_int(st, 3, guardian_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        payment_read(st, a, p);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

static int payment_find_iupd(struct db *db, struct arena *a, int64_t tenant_id, const char *iupd,
                             struct payment_position *p)
{
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_BY_IUPD);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, iupd);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        payment_read(st, a, p);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

static void payment_bind_filter(struct db_stmt *st, struct arena *a, int64_t tenant_id,
                                const struct payment_filter *f, const char *from, const char *to)
{
    char *search = arena_strdup(a, f->search ? f->search : "");
    for (char *p = search; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, f->guardian_id);
    db_bind_text(st, 3, f->status ? f->status : "");
    db_bind_text(st, 4, from);
    db_bind_text(st, 5, to);
    db_bind_text(st, 6, search);
}

int payment_list(struct db *db, struct arena *a, int64_t tenant_id, const struct payment_filter *f,
                 struct payment_position **rows, size_t *n, int64_t *total)
{
    *rows = NULL;
    *n = 0;
    *total = 0;
    char from[TIME_ISO_MAX] = "", to[TIME_ISO_MAX] = "";
    if (f->from && *f->from && !time_rome_day_start(f->from, 0, from))
        return -1;
    if (f->to && *f->to && !time_rome_day_start(f->to, 1, to))
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_COUNT);
    if (!st)
        return -1;
    payment_bind_filter(st, a, tenant_id, f, from, to);
    if (db_step(st) == DB_ROW)
        *total = db_col_int(st, 0);
    db_reset(st);
    int per = f->per_page > 0 && f->per_page <= PAYMENT_LIST_MAX ? f->per_page : 50;
    int page = f->page > 0 ? f->page : 1;
    st = db_stmt(db, STMT_PAYMENT_LIST);
    if (!st)
        return -1;
    payment_bind_filter(st, a, tenant_id, f, from, to);
    db_bind_int(st, 7, per);
    db_bind_int(st, 8, (int64_t)(page - 1) * per);
    *rows = arena_calloc(a, (size_t)per, sizeof(**rows));
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < (size_t)per)
        payment_read(st, a, &(*rows)[(*n)++]);
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

int payment_pending_total(struct db *db, int64_t tenant_id, int64_t guardian_id, int64_t *cents)
{
    *cents = 0;
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_PENDING_TOTAL);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        *cents = db_col_int(st, 0);
    db_reset(st);
    return e == DB_ROW ? 0 : -1;
}

bool payment_awaiting_confirmation(const struct payment_position *p)
{
    return !strcmp(p->status, "open") && p->returned_ok_at && *p->returned_ok_at;
}

const char *payment_status_label(const struct payment_position *p)
{
    if (payment_awaiting_confirmation(p))
        return N_("Awaiting confirmation");
    if (!strcmp(p->status, "open"))
        return N_("To be paid");
    if (!strcmp(p->status, "paid"))
        return N_("Paid");
    if (!strcmp(p->status, "expired"))
        return N_("Expired");
    if (!strcmp(p->status, "cancelled"))
        return N_("Cancelled");
    if (!strcmp(p->status, "failed"))
        return N_("Not created");
    return N_("Being created");
}

const char *payment_status_badge(const struct payment_position *p)
{
    if (payment_awaiting_confirmation(p))
        return "bg-warning text-dark";
    if (!strcmp(p->status, "paid"))
        return "bg-success";
    if (!strcmp(p->status, "open"))
        return "bg-primary";
    if (!strcmp(p->status, "failed"))
        return "bg-danger";
    return "bg-secondary";
}

/* ---- top-up -------------------------------------------------------------------------------- */

const char *payment_amount_problem(const struct payment_settings *s, int64_t cents)
{
    if (cents <= 0)
        return N_("Enter an amount greater than zero.");
    if (cents < s->topup_min_cents)
        return N_("The amount is below the minimum top-up.");
    if (cents > s->topup_max_cents)
        return N_("The amount is above the maximum top-up.");
    return NULL;
}

static void payment_audit(struct db *db, int64_t tenant_id, int64_t id, const char *actor,
                          const char *action, const char *from, const char *to, const char *detail)
{
    struct audit_entry a = {.tenant_id = tenant_id,
                            .actor = strncmp(actor ? actor : "", "staff:", 6) == 0 ? AUDIT_STAFF
                                     : strncmp(actor ? actor : "", "family:", 7) == 0
                                         ? AUDIT_FAMILY
                                         : AUDIT_SYSTEM,
                            .actor_label = actor ? actor : "",
                            .action = action,
                            .entity = "payment_position",
                            .entity_id = id,
                            .from_state = from,
                            .to_state = to,
                            .detail = detail};
    audit_record(db, &a);
}

/* Stores the new position as 'creating' in its own transaction. 0, or -1. */
static int payment_store_new(struct db *db, const struct tenant *t,
                             const struct payment_settings *s, int64_t guardian_id,
                             int64_t pupil_id, int64_t cents, const char *description,
                             const char *actor, int64_t *id)
{
    if (db_begin(db) != DB_OK)
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_COUNTER_NEXT);
    if (!st)
        goto fail;
    db_bind_int(st, 1, t->id);
    int64_t counter = 0;
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        counter = db_col_int(st, 0);
    db_reset(st);
    if (e != DB_ROW || counter <= 0 || counter > INT64_C(99999999999))
        goto fail;
    /* 13-digit base: the year's last two digits, then an 11-digit counter of the municipality. */
    char base[32], notice[PAGOPA_NOTICE_LEN + 1];
    snprintf(base, sizeof(base), "%02d%011lld", time_year_rome() % 100, (long long)counter);
    if (pagopa_notice_make(s->segregation_code, base, notice) != PAGOPA_NOTICE_OK)
        goto fail;
    struct pagopa_notice parsed;
    if (pagopa_notice_parse(notice, &parsed) != PAGOPA_NOTICE_OK)
        goto fail;
    char iupd[64], today[16], due[32], now[TIME_ISO_MAX];
    snprintf(iupd, sizeof(iupd), "RFT-%s-%s", t->fiscal_code, parsed.iuv);
    time_today(t->timezone, today);
    if (!time_date_add_days(today, s->due_days, due))
        goto fail;
    time_now_iso(now);
    st = db_stmt(db, STMT_PAYMENT_INSERT);
    if (!st)
        goto fail;
    db_bind_int(st, 1, t->id);
    db_bind_int(st, 2, guardian_id);
    db_bind_int(st, 3, pupil_id);
    db_bind_text(st, 4, iupd);
    db_bind_text(st, 5, parsed.iuv);
    db_bind_text(st, 6, notice);
    db_bind_int(st, 7, cents);
    db_bind_text(st, 8, description);
    db_bind_text(st, 9, due);
    db_bind_text(st, 10, now);
    db_bind_text(st, 11, actor ? actor : "");
    if (db_exec_stmt(st) != DB_OK)
        goto fail;
    *id = db_last_id(db);
    char detail[128];
    snprintf(detail, sizeof(detail), "IUV %s, %lld cents", parsed.iuv, (long long)cents);
    payment_audit(db, t->id, *id, actor, "payment.create", NULL, "creating", detail);
    if (db_commit(db) != DB_OK)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return -1;
}

static void payment_set_status(struct db *db, int64_t tenant_id, int64_t id, const char *status,
                               const char *gpd_status, const char *error, int attempt)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SET_STATUS);
    if (!st)
        return;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, status);
    db_bind_text(st, 4, gpd_status ? gpd_status : "");
    db_bind_text(st, 5, error ? error : "");
    db_bind_text(st, 6, now);
    db_bind_int(st, 7, attempt);
    db_exec_stmt(st);
}

/* Due date at the end of the Rome day, as GPD wants a date-time. */
static void payment_due_instant(const char *due, char out[TIME_ISO_MAX])
{
    if (time_rome_to_utc(due, "23:59", out) != TIME_LOCAL_OK)
        snprintf(out, TIME_ISO_MAX, "%sT22:59:00Z", due);
}

/* Creates a stored 'creating' position in GPD and records the outcome. */
static enum gpd_result payment_create_remote(struct db *db, const struct tenant *t,
                                             const struct payment_position *p, const char *actor)
{
    struct payment_settings s;
    if (payment_settings_get(db, t->id, &s) != 0)
        return GPD_UNAVAILABLE;
    char due[TIME_ISO_MAX];
    payment_due_instant(p->due_date, due);
    struct gpd_position_new n = {
        .org_fiscal_code = t->fiscal_code,
        .company_name = t->name,
        .iupd = p->iupd,
        .iuv = p->iuv,
        .debtor_fiscal_code = p->guardian_fiscal_code,
        .debtor_name = p->guardian_name,
        .amount_cents = p->amount_cents,
        .description = p->description,
        .due_date = due,
        .iban = s.creditor_iban,
        .postal_iban = s.postal_iban,
        .category = PAYMENT_CATEGORY,
    };
    struct gpd_position got;
    char err[512] = "";
    enum gpd_result r = gpd_create(&payment_cfg.gpd, &n, &got, err, sizeof(err));
    if (db_begin(db) != DB_OK)
        return GPD_UNAVAILABLE;
    if (r == GPD_OK) {
        payment_set_status(db, t->id, p->id, "open", got.status, "", 1);
        payment_audit(db, t->id, p->id, actor, "payment.publish", "creating", "open", p->iupd);
    } else if (r == GPD_UNAVAILABLE || r == GPD_MALFORMED) {
        /* The outcome is unknown (GPD may hold the position): stay 'creating', and the retry
           with the same IUPD settles it either way. */
        payment_set_status(db, t->id, p->id, "creating", "", err, 1);
    } else {
        payment_set_status(db, t->id, p->id, "failed", "", err, 1);
        payment_audit(db, t->id, p->id, actor, "payment.refused", "creating", "failed", err);
        log_warn("pagoPA refused a position", "iupd", p->iupd, "result", gpd_result_name(r),
                 "error", err);
    }
    db_commit(db);
    return r;
}

enum payment_err payment_topup(struct db *db, struct arena *a, const struct tenant *t,
                               int64_t guardian_id, int64_t pupil_id, int64_t amount_cents,
                               const char *actor, int64_t *id, const char **msg)
{
    const char *dummy;
    if (!msg)
        msg = &dummy;
    *msg = NULL;
    *id = 0;
    if (!payment_enabled()) {
        *msg = N_("Online payments are not available at the moment: contact the office.");
        return PAYMENT_DISABLED;
    }
    if (!t->fiscal_code || strlen(t->fiscal_code) != 11) {
        *msg = N_("Online payments are not available at the moment: contact the office.");
        return PAYMENT_ERROR;
    }
    struct payment_settings s;
    if (payment_settings_get(db, t->id, &s) != 0)
        return PAYMENT_ERROR;
    if ((*msg = payment_amount_problem(&s, amount_cents)) != NULL)
        return PAYMENT_INVALID;
    if (!s.creditor_iban[0]) {
        *msg = N_("Online payments are not set up yet: contact the office.");
        return PAYMENT_DISABLED;
    }
    const char *pupil_name = "";
    if (pupil_id) {
        struct db_stmt *st = db_stmt(db, STMT_PAYMENT_PUPIL_OF);
        if (!st)
            return PAYMENT_ERROR;
        db_bind_int(st, 1, t->id);
        db_bind_int(st, 2, pupil_id);
        db_bind_int(st, 3, guardian_id);
        enum db_err e = db_step(st);
        if (e == DB_ROW)
            pupil_name = arena_strdup(a, db_col_text(st, 0));
        db_reset(st);
        if (e != DB_ROW) {
            *msg = N_("Choose one of your children, or the whole family.");
            return PAYMENT_INVALID;
        }
    }
    /* The causale is printed on the notice and shown by every pagoPA channel: Italian, as the
       notice itself. */
    const char *description =
        *pupil_name ? arena_printf(a, "%s - %s", tr("it", N_("School meals top-up")), pupil_name)
                    : tr("it", N_("School meals top-up"));
    if (strlen(description) > 140)
        description = tr("it", N_("School meals top-up"));
    if (payment_store_new(db, t, &s, guardian_id, pupil_id, amount_cents, description, actor, id) !=
        0)
        return PAYMENT_ERROR;
    struct payment_position p;
    if (payment_find(db, a, t->id, *id, 0, &p) != 1)
        return PAYMENT_ERROR;
    enum gpd_result r = payment_create_remote(db, t, &p, actor);
    if (r == GPD_OK)
        return PAYMENT_OK;
    if (r == GPD_UNAVAILABLE || r == GPD_MALFORMED) {
        *msg = N_("The pagoPA system is not answering right now: your top-up has been saved and "
                  "will be sent as soon as it answers. Try again in a few minutes.");
        return PAYMENT_DEFERRED;
    }
    *msg = N_("The pagoPA system refused this top-up. The office has been told; you can try "
              "again or contact the office.");
    return PAYMENT_REFUSED;
}

/* ---- receipts ------------------------------------------------------------------------------ */

static int payment_park(struct db *db, int64_t tenant_id, const char *kind,
                        const struct gpd_position *g, int64_t position_id, int64_t expected,
                        bool has_expected, const char *detail)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_ANOMALY_INSERT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, g->iupd);
    db_bind_text(st, 4, g->iuv);
    db_bind_int(st, 5, position_id);
    if (has_expected)
        db_bind_int(st, 6, expected);
    else
        db_bind_null(st, 6);
    db_bind_int(st, 7, g->amount_cents);
    db_bind_text(st, 8, g->receipt_id);
    db_bind_text(st, 9, detail);
    db_bind_text(st, 10, now);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    if (db_changes(db) > 0) {
        struct audit_entry a = {.tenant_id = tenant_id,
                                .actor = AUDIT_SYSTEM,
                                .actor_label = "reconciliation",
                                .action = "payment.parked",
                                .entity = "payment_anomaly",
                                .entity_id = db_last_id(db),
                                .to_state = kind,
                                .detail = detail};
        if (audit_record(db, &a) != 0)
            return -1;
        log_warn("pagoPA receipt parked", "kind", kind, "iupd", g->iupd);
    }
    return 0;
}

int payment_apply_receipt(struct db *db, const struct tenant *t, const struct gpd_position *g,
                          const char *actor)
{
    if (!g->paid)
        return -1;
    struct arena a;
    arena_init(&a, 4096);
    int rc = -1;
    if (db_begin(db) != DB_OK)
        goto out;
    struct payment_position p;
    int found = payment_find_iupd(db, &a, t->id, g->iupd, &p);
    if (found < 0)
        goto rollback;
    if (found == 0) {
        char detail[256];
        snprintf(detail, sizeof(detail),
                 "GPD reports position %.64s paid (%lld cents), unknown "
                 "here",
                 g->iupd, (long long)g->amount_cents);
        if (payment_park(db, t->id, "unknown_position", g, 0, 0, false, detail) != 0)
            goto rollback;
        rc = 2;
        goto commit;
    }
    if (!strcmp(p.status, "paid")) {
        rc = 1;
        goto rollback;
    }
    if (g->amount_cents != p.amount_cents || (g->iuv[0] && strcmp(g->iuv, p.iuv) != 0)) {
        char detail[256];
        snprintf(detail, sizeof(detail),
                 "receipt %.64s for %lld cents, position %.64s expects "
                 "%lld cents",
                 g->receipt_id, (long long)g->amount_cents, p.iupd, (long long)p.amount_cents);
        if (payment_park(db, t->id, "amount_mismatch", g, p.id, p.amount_cents, true, detail) != 0)
            goto rollback;
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SET_ERROR);
        if (!st)
            goto rollback;
        db_bind_int(st, 1, t->id);
        db_bind_int(st, 2, p.id);
        db_bind_text(st, 3, detail);
        db_bind_text(st, 4, now);
        if (db_exec_stmt(st) != DB_OK)
            goto rollback;
        rc = 2;
        goto commit;
    }
    char ref[96], description[256];
    snprintf(ref, sizeof(ref), "pagopa:%s", p.iuv);
    char formatted[PAGOPA_NOTICE_FORMATTED_SIZE];
    pagopa_notice_format(p.notice_number, formatted);
    snprintf(description, sizeof(description), "%s %s", tr("it", N_("pagoPA top-up, notice")),
             formatted);
    struct ledger_new e = {.guardian_id = p.guardian_id,
                           .pupil_id = p.pupil_id,
                           .kind = LEDGER_TOPUP,
                           .amount_cents = p.amount_cents,
                           .description = description,
                           .ref = ref,
                           .created_by = "pagoPA"};
    int64_t entry_id = 0;
    int le = ledger_append(db, t->id, &e, &entry_id);
    if (le < 0)
        goto rollback;
    if (le == 1) {
        /* Credited before (by another node, or before a crash between the two writes): link the
           entry that exists. */
        struct db_stmt *st = db_stmt(db, STMT_LEDGER_ID_BY_REF);
        if (!st)
            goto rollback;
        db_bind_int(st, 1, t->id);
        db_bind_text(st, 2, ref);
        if (db_step(st) == DB_ROW)
            entry_id = db_col_int(st, 0);
        db_reset(st);
    }
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SET_PAID);
    if (!st)
        goto rollback;
    db_bind_int(st, 1, t->id);
    db_bind_int(st, 2, p.id);
    db_bind_text(st, 3, g->status);
    db_bind_text(st, 4, g->payment_date[0] ? g->payment_date : now);
    db_bind_text(st, 5, g->receipt_id);
    db_bind_text(st, 6, g->psp_company);
    db_bind_text(st, 7, g->payment_method);
    db_bind_int(st, 8, entry_id);
    db_bind_text(st, 9, now);
    if (db_exec_stmt(st) != DB_OK)
        goto rollback;
    payment_audit(db, t->id, p.id, actor, "payment.paid", p.status, "paid", g->receipt_id);
    rc = le == 1 ? 1 : 0;
commit:
    if (db_commit(db) != DB_OK)
        rc = -1;
    goto out;
rollback:
    db_rollback(db);
out:
    arena_free(&a);
    return rc;
}

static void payment_count(struct payment_report *rep, int applied)
{
    if (!rep)
        return;
    if (applied == 0)
        rep->credited++;
    else if (applied == 1)
        rep->already++;
    else if (applied == 2)
        rep->parked++;
    else
        rep->errors++;
}

int payment_refresh(struct db *db, const struct tenant *t, int64_t position_id, const char *actor,
                    struct payment_report *rep)
{
    if (!payment_enabled())
        return -1;
    struct arena a;
    arena_init(&a, 4096);
    int rc = -1;
    struct payment_position p;
    if (payment_find(db, &a, t->id, position_id, 0, &p) != 1)
        goto out;
    if (rep)
        rep->checked++;
    if (!strcmp(p.status, "creating")) {
        enum gpd_result cr = payment_create_remote(db, t, &p, actor);
        if (cr != GPD_OK) {
            if (rep)
                rep->errors++;
            goto out;
        }
        if (rep)
            rep->created++;
    } else if (strcmp(p.status, "open") != 0) {
        rc = 0; /* paid, expired, cancelled, failed: nothing to ask */
        goto out;
    }
    struct gpd_position g;
    char err[512] = "";
    enum gpd_result r = gpd_get(&payment_cfg.gpd, t->fiscal_code, p.iupd, &g, err, sizeof(err));
    if (r != GPD_OK) {
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SET_ERROR);
        if (st) {
            db_bind_int(st, 1, t->id);
            db_bind_int(st, 2, p.id);
            db_bind_text(st, 3, err);
            db_bind_text(st, 4, now);
            db_exec_stmt(st);
        }
        if (rep)
            rep->errors++;
        goto out;
    }
    if (g.paid) {
        int applied = payment_apply_receipt(db, t, &g, actor);
        payment_count(rep, applied);
        rc = applied < 0 ? -1 : 0;
        goto out;
    }
    bool gone = !strcmp(g.status, "EXPIRED") || !strcmp(g.status, "INVALID");
    if (db_begin(db) == DB_OK) {
        payment_set_status(db, t->id, p.id,
                           gone ? (!strcmp(g.status, "EXPIRED") ? "expired" : "cancelled") : "open",
                           g.status, "", 0);
        if (gone) {
            payment_audit(db, t->id, p.id, actor, "payment.closed", "open",
                          !strcmp(g.status, "EXPIRED") ? "expired" : "cancelled", g.status);
            if (rep)
                rep->expired++;
        }
        db_commit(db);
    }
    rc = 0;
out:
    arena_free(&a);
    return rc;
}

static int payment_ids(struct db *db, int64_t tenant_id, int64_t **ids, size_t *n, struct arena *a)
{
    *n = 0;
    size_t cap = 64;
    *ids = arena_alloc(a, cap * sizeof(**ids));
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_OPEN_IDS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            int64_t *bigger = arena_alloc(a, cap * 2 * sizeof(*bigger));
            memcpy(bigger, *ids, cap * sizeof(*bigger));
            *ids = bigger;
            cap *= 2;
        }
        (*ids)[(*n)++] = db_col_int(st, 0);
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

#define PAYMENT_LIST_PAGE GPD_PAGE_LIMIT_MAX

int payment_reconcile(struct db *db, const struct tenant *t, struct payment_report *rep)
{
    if (!payment_enabled() || !t->fiscal_code || strlen(t->fiscal_code) != 11)
        return -1;
    struct arena a;
    arena_init(&a, 8192);
    int rc = 0;
    int64_t *ids;
    size_t n;
    if (payment_ids(db, t->id, &ids, &n, &a) != 0) {
        arena_free(&a);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (payment_refresh(db, t, ids[i], "reconciliation", rep) != 0)
            rc = -1;
    /* Then GPD's list of paid positions since the bookmark's day (the same receipt seen again on
       the next runs of that day changes nothing: payment_apply_receipt is idempotent). */
    char since[TIME_ISO_MAX] = "", started[TIME_ISO_MAX];
    time_now_iso(started);
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SYNC_GET);
    if (st) {
        db_bind_int(st, 1, t->id);
        if (db_step(st) == DB_ROW)
            snprintf(since, sizeof(since), "%s", db_col_text(st, 0));
        db_reset(st);
    }
    /* GPD reads payment_date_from as a day and answers at most 30 days from it: never ask
       further back than 29 days (older positions still open are read one by one above). */
    time_t floor_t = time_now() - 29L * 86400, since_t;
    if (!since[0] || !time_parse_iso(since, &since_t) || since_t < floor_t)
        since_t = floor_t;
    char from[TIME_ISO_MAX];
    time_iso(since_t - 3600, from);
    char err[512] = "";
    int pages = 1;
    struct gpd_position *list = arena_alloc(&a, PAYMENT_LIST_PAGE * sizeof(*list));
    for (int page = 0; page < pages && page < 1000; page++) {
        size_t got = 0;
        enum gpd_result r =
            gpd_list_paid(&payment_cfg.gpd, t->fiscal_code, from, page, PAYMENT_LIST_PAGE, list,
                          PAYMENT_LIST_PAGE, &got, &pages, err, sizeof(err));
        if (r != GPD_OK) {
            log_warn("pagoPA list of paid positions failed", "result", gpd_result_name(r), "error",
                     err);
            rc = -1;
            if (rep)
                rep->errors++;
            break;
        }
        for (size_t i = 0; i < got; i++)
            payment_count(rep, payment_apply_receipt(db, t, &list[i], "reconciliation"));
    }
    st = db_stmt(db, STMT_PAYMENT_SYNC_SET);
    if (st) {
        db_bind_int(st, 1, t->id);
        db_bind_text(st, 2, rc == 0 ? started : since);
        db_bind_text(st, 3, started);
        db_bind_text(st, 4, err);
        db_exec_stmt(st);
    }
    arena_free(&a);
    return rc;
}

int payment_reconcile_all(struct db *db, struct payment_report *rep)
{
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_TENANTS);
    if (!st)
        return -1;
    int64_t ids[256];
    size_t n = 0;
    while (db_step(st) == DB_ROW && n < 256)
        ids[n++] = db_col_int(st, 0);
    db_reset(st);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct arena a;
        arena_init(&a, 2048);
        struct tenant t;
        if (tenant_find_id(db, &a, ids[i], &t) == 1 && payment_reconcile(db, &t, rep) != 0)
            rc = -1;
        arena_free(&a);
    }
    return rc;
}

int payment_mark_returned(struct db *db, int64_t tenant_id, int64_t id, int64_t guardian_id)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_RETURNED);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_int(st, 3, guardian_id);
    db_bind_text(st, 4, now);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

int payment_checkout(const struct tenant *t, const struct payment_position *p, const char *email,
                     const char *ok_url, const char *cancel_url, const char *error_url,
                     char *location, size_t locsz, const char **msg)
{
    *msg = NULL;
    if (!payment_cfg.checkout_url[0]) {
        *msg = N_("Paying online is not available: download the payment notice and pay it at a "
                  "bank, tobacconist or post office, or in your bank's app.");
        return -1;
    }
    struct checkout_cart cart = {.checkout_url = payment_cfg.checkout_url,
                                 .api_key = payment_cfg.api_key,
                                 .notice_number = p->notice_number,
                                 .org_fiscal_code = t->fiscal_code,
                                 .amount_cents = p->amount_cents,
                                 .company_name = t->name,
                                 .description = p->description,
                                 .email = email && *email ? email : NULL,
                                 .return_ok_url = ok_url,
                                 .return_cancel_url = cancel_url,
                                 .return_error_url = error_url};
    char err[512] = "";
    enum gpd_result r =
        checkout_cart_create(&payment_cfg.gpd, &cart, location, locsz, err, sizeof(err));
    if (r != GPD_OK) {
        log_warn("pagoPA checkout refused", "iupd", p->iupd, "result", gpd_result_name(r), "error",
                 err);
        *msg = N_("The pagoPA payment page is not answering right now. Try again in a few "
                  "minutes, or download the payment notice.");
        return -1;
    }
    return 0;
}

int payment_summary(struct db *db, int64_t tenant_id, struct payment_summary *s)
{
    memset(s, 0, sizeof(*s));
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SUMMARY);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        int64_t *v[] = {&s->credit_cents,   &s->debt_cents,   &s->families_in_debt, &s->awaiting,
                        &s->awaiting_cents, &s->open_notices, &s->anomalies};
        for (int i = 0; i < 7; i++)
            *v[i] = db_col_int(st, i);
    }
    db_reset(st);
    return e == DB_ROW ? 0 : -1;
}

/* ---- anomalies ----------------------------------------------------------------------------- */

int payment_anomaly_list(struct db *db, struct arena *a, int64_t tenant_id, size_t max,
                         struct payment_anomaly **rows, size_t *n)
{
    *n = 0;
    *rows = arena_calloc(a, max ? max : 1, sizeof(**rows));
    struct db_stmt *st = db_stmt(db, STMT_ANOMALY_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, (int64_t)max);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < max) {
        struct payment_anomaly *x = &(*rows)[(*n)++];
        x->id = db_col_int(st, 0);
        x->position_id = db_col_int(st, 1);
        x->has_expected = !db_col_null(st, 2);
        x->expected_cents = db_col_int(st, 2);
        x->has_reported = !db_col_null(st, 3);
        x->reported_cents = db_col_int(st, 3);
        const char **text[] = {&x->kind,        &x->iupd,        &x->iuv,
                               &x->receipt_id,  &x->detail,      &x->created_at,
                               &x->resolved_at, &x->resolved_by, &x->resolution};
        for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
            *text[i] = arena_strdup(a, db_col_text(st, (int)i + 4));
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

int payment_anomaly_resolve(struct db *db, int64_t tenant_id, int64_t id, const char *resolution,
                            const char *by)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_ANOMALY_RESOLVE);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, now);
    db_bind_text(st, 4, by ? by : "");
    db_bind_text(st, 5, resolution);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    if (db_changes(db) == 0)
        return 1;
    struct audit_entry a = {.tenant_id = tenant_id,
                            .actor = AUDIT_STAFF,
                            .actor_label = by ? by : "",
                            .action = "payment.anomaly_resolved",
                            .entity = "payment_anomaly",
                            .entity_id = id,
                            .from_state = "open",
                            .to_state = "resolved",
                            .detail = resolution};
    return audit_record(db, &a);
}
