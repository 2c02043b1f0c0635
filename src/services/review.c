/* The office's review of enrollments; see review.h. */
#include "services/review.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "services/campaign.h"
#include "services/ledger.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"
#include "web/tmpl.h"

/* ---- values -------------------------------------------------------------------------------- */

bool review_diet_filter_valid(const char *diet)
{
    static const char *const ok[] = {"none", "medical", "ethical", "pending"};
    for (size_t i = 0; diet && i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(diet, ok[i]))
            return true;
    return false;
}

bool review_kind_valid(const char *kind)
{
    return kind && (!strcmp(kind, "new") || !strcmp(kind, "renewal"));
}

bool review_diet_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n > REVIEW_DIET_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9') ||
              code[i] == '-'))
            return false;
    return true;
}

bool review_text_valid(const char *s, size_t min, size_t max)
{
    if (!s)
        return min == 0;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t end = strlen(s);
    while (end &&
           (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n'))
        end--;
    size_t chars = 0;
    for (size_t i = 0; i < end; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            chars++;
    return chars >= min && chars <= max;
}

const char *review_kind_label(const char *kind)
{
    return kind && !strcmp(kind, "renewal") ? N_("Renewal") : N_("New enrollment");
}

const char *review_diet_status_label(const char *diet_status)
{
    if (diet_status && !strcmp(diet_status, "pending"))
        return N_("Awaiting decision");
    if (diet_status && !strcmp(diet_status, "approved"))
        return N_("Approved");
    if (diet_status && !strcmp(diet_status, "rejected"))
        return N_("Rejected");
    return N_("Not requested");
}

const char *review_payment_label(const char *payment_method)
{
    return payment_method && !strcmp(payment_method, "direct_debit") ? N_("SEPA direct debit")
                                                                     : N_("Prepaid credit");
}

const char *review_time_rome(struct arena *a, const char *iso)
{
    return time_rome_display(a, iso);
}

const char *review_date_it(struct arena *a, const char *ymd)
{
    return time_date_display(a, ymd);
}

const char *review_iban_masked(struct arena *a, const char *iban)
{
    size_t n = iban ? strlen(iban) : 0;
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = i + 4 < n ? '*' : iban[i];
    out[n] = '\0';
    return out;
}

/* ---- search -------------------------------------------------------------------------------- */

static char *review_lower(struct arena *a, const char *s)
{
    char *out = arena_strdup(a, s ? s : "");
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

/* Bind $1..$10 of REVIEW_WHERE. False when a date is malformed. */
static bool review_bind_filter(struct db_stmt *st, struct arena *a, int64_t tenant_id,
                               const struct review_filter *f)
{
    char from[TIME_ISO_MAX] = "", to[TIME_ISO_MAX] = "";
    if (f->submitted_from && *f->submitted_from && !time_rome_day_start(f->submitted_from, 0, from))
        return false;
    if (f->submitted_to && *f->submitted_to && !time_rome_day_start(f->submitted_to, 1, to))
        return false;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, f->campaign_id);
    db_bind_text(st, 3, f->status ? f->status : "");
    db_bind_int(st, 4, f->school_id);
    db_bind_int(st, 5, f->class_id);
    db_bind_text(st, 6, f->kind ? f->kind : "");
    db_bind_text(st, 7, f->diet ? f->diet : "");
    db_bind_text(st, 8, from);
    db_bind_text(st, 9, to);
    db_bind_text(st, 10, review_lower(a, f->q));
    return true;
}

static int review_count(struct db *db, struct arena *a, int64_t tenant_id,
                        const struct review_filter *f, int64_t *total)
{
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_COUNT);
    if (!st)
        return -1;
    if (!review_bind_filter(st, a, tenant_id, f)) {
        db_reset(st);
        return -1;
    }
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        *total = db_col_int(st, 0);
    db_reset(st);
    return e == DB_ROW ? 0 : -1;
}

int review_search(struct db *db, struct arena *a, int64_t tenant_id, const struct review_filter *f,
                  size_t limit, size_t offset, struct enrollment **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (review_count(db, a, tenant_id, f, total) != 0)
        return -1;
    if (limit == 0 || offset >= (size_t)*total)
        return 0;
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_SEARCH);
    if (!st)
        return -1;
    if (!review_bind_filter(st, a, tenant_id, f)) {
        db_reset(st);
        return -1;
    }
    db_bind_int(st, 11, (int64_t)limit);
    db_bind_int(st, 12, (int64_t)offset);
    struct enrollment *rows = arena_calloc(a, limit, sizeof(*rows));
    enum db_err e = DB_DONE;
    while (*n < limit && (e = db_step(st)) == DB_ROW)
        enrollment_read_row(st, a, &rows[(*n)++]);
    if (*n == limit)
        e = DB_DONE;
    db_reset(st);
    *out = rows;
    return e == DB_DONE ? 0 : -1;
}

int review_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                struct enrollment *out)
{
    int found = enrollment_find(db, a, tenant_id, id, out);
    if (found == 1 && out->guardian_id == 0) {
        memset(out, 0, sizeof(*out)); /* an anonymous form in progress is not an application */
        return 0;
    }
    return found;
}

int review_debt(struct db *db, struct arena *a, const struct enrollment *e, struct review_debt *out)
{
    memset(out, 0, sizeof(*out));
    struct campaign c;
    int found = campaign_find(db, a, e->tenant_id, e->campaign_id, &c);
    if (found != 1)
        return -1;
    out->has_threshold = c.has_debt_threshold;
    out->threshold_cents = c.debt_threshold_cents;
    if (e->guardian_id &&
        ledger_balance(db, e->tenant_id, e->guardian_id, &out->balance_cents) != 0)
        return -1;
    out->blocked = out->has_threshold && out->balance_cents < out->threshold_cents;
    return 0;
}

/* ---- decisions ----------------------------------------------------------------------------- */

static enum review_err review_finish(struct db *db, enum review_err result)
{
    if (result == REVIEW_OK)
        return db_commit(db) == DB_OK ? REVIEW_OK : REVIEW_ERR_DB;
    db_rollback(db);
    return result;
}

static int review_audit(struct db *db, const struct review_ctx *c, const char *action, int64_t id,
                        const char *from, const char *to, const char *detail)
{
    struct audit_entry e = {
        .tenant_id = c->tenant->id,
        .actor = c->by->kind,
        .actor_id = c->by->id,
        .actor_label = c->by->label,
        .action = action,
        .entity = "enrollment",
        .entity_id = id,
        .from_state = from,
        .to_state = to,
        .detail = detail ? detail : "",
        .client_addr = c->by->client_addr,
    };
    return audit_record(db, &e);
}

/* The family's e-mail about a decision, in the guardian's language; nothing when the guardian
   has no address. 0 or -1. */
static int review_mail(struct db *db, struct arena *a, const struct review_ctx *c,
                       const struct enrollment *e, const char *template_name, const char *reason)
{
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_RECIPIENT);
    if (!st)
        return -1;
    db_bind_int(st, 1, c->tenant->id);
    db_bind_int(st, 2, e->id);
    enum db_err de = db_step(st);
    const char *to = "", *lang = I18N_DEFAULT_LANG;
    if (de == DB_ROW) {
        to = arena_strdup(a, db_col_text(st, 0));
        const char *l = i18n_lang(db_col_text(st, 1));
        lang = l ? l : I18N_DEFAULT_LANG;
    }
    db_reset(st);
    if (de != DB_ROW)
        return -1;
    if (!*to)
        return 0;
    struct tv *data = tv_dict(a);
    tv_set_str(data, "name", e->guardian_name);
    tv_set_str(data, "pupil_name", e->pupil_name);
    tv_set_str(data, "pupil_surname", e->pupil_surname);
    tv_set_str(data, "school_year", e->school_year_label);
    tv_set_str(data, "school", e->school_name);
    tv_set_str(data, "class", e->class_name);
    tv_set_str(data, "badge_code", e->badge_code);
    tv_set_str(data, "campaign", e->campaign_title);
    tv_set_str(data, "reason", reason);
    tv_set_str(data, "family_href", c->family_href);
    return mail_queue(db, a, c->tenant, to, lang, template_name, data, NULL);
}

/* Confirm (reason NULL) or reject one application inside the caller's transaction. On
   REVIEW_OK or REVIEW_ERR_STATE, *found is the application as it was. */
static enum review_err review_decide_tx(struct db *db, struct arena *a, const struct review_ctx *c,
                                        int64_t id, const char *reason, struct enrollment *found)
{
    int f = review_find(db, a, c->tenant->id, id, found);
    if (f < 0)
        return REVIEW_ERR_DB;
    if (f == 0)
        return REVIEW_ERR_NOT_FOUND;
    if (found->status != ENROLLMENT_SUBMITTED)
        return REVIEW_ERR_STATE;
    enum enrollment_status to = reason ? ENROLLMENT_REJECTED : ENROLLMENT_CONFIRMED;
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_DECIDE);
    if (!st)
        return REVIEW_ERR_DB;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, c->tenant->id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, enrollment_status_name(to));
    db_bind_text(st, 4, reason ? reason : "");
    db_bind_text(st, 5, now);
    db_bind_text(st, 6, c->by->label ? c->by->label : "");
    if (db_exec_stmt(st) != DB_OK)
        return REVIEW_ERR_DB;
    if (db_changes(db) != 1)
        return REVIEW_ERR_STATE;
    const char *action = reason ? "reject" : "confirm";
    if (enrollment_history_add(db, id, c->by, action, to, reason) != 0 ||
        review_audit(db, c, reason ? "enrollment.reject" : "enrollment.confirm", id,
                     enrollment_status_name(ENROLLMENT_SUBMITTED), enrollment_status_name(to),
                     reason) != 0)
        return REVIEW_ERR_DB;
    if (review_mail(db, a, c, found, reason ? "enrollment_rejected" : "enrollment_confirmed",
                    reason) != 0)
        return REVIEW_ERR_MAIL;
    return REVIEW_OK;
}

static char *review_trim(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

static enum review_err review_decide(struct db *db, struct arena *a, const struct review_ctx *c,
                                     int64_t id, const char *reason)
{
    if (db_begin(db) != DB_OK)
        return REVIEW_ERR_DB;
    struct enrollment e;
    return review_finish(db, review_decide_tx(db, a, c, id, reason, &e));
}

enum review_err review_confirm(struct db *db, struct arena *a, const struct review_ctx *c,
                               int64_t id)
{
    return review_decide(db, a, c, id, NULL);
}

enum review_err review_reject(struct db *db, struct arena *a, const struct review_ctx *c,
                              int64_t id, const char *reason)
{
    if (!review_text_valid(reason, REVIEW_REASON_MIN, REVIEW_REASON_MAX))
        return REVIEW_ERR_REASON;
    return review_decide(db, a, c, id, review_trim(a, reason));
}

enum review_err review_bulk(struct db *db, struct arena *a, const struct review_ctx *c,
                            const int64_t *ids, size_t n, const char *reason,
                            struct review_bulk_item **items, size_t *done, size_t *skipped)
{
    *items = NULL;
    *done = *skipped = 0;
    if (n > REVIEW_BULK_MAX)
        return REVIEW_ERR_TOO_MANY;
    if (reason && !review_text_valid(reason, REVIEW_REASON_MIN, REVIEW_REASON_MAX))
        return REVIEW_ERR_REASON;
    const char *why = reason ? review_trim(a, reason) : NULL;
    struct review_bulk_item *out = arena_calloc(a, n ? n : 1, sizeof(*out));
    size_t count = 0;
    if (db_begin(db) != DB_OK)
        return REVIEW_ERR_DB;
    enum review_err result = REVIEW_OK;
    for (size_t i = 0; i < n && result == REVIEW_OK; i++) {
        bool seen = false;
        for (size_t k = 0; k < count; k++)
            if (out[k].id == ids[i])
                seen = true;
        if (seen)
            continue;
        struct review_bulk_item *it = &out[count++];
        struct enrollment e;
        memset(&e, 0, sizeof(e));
        it->id = ids[i];
        it->result =
            ids[i] > 0 ? review_decide_tx(db, a, c, ids[i], why, &e) : REVIEW_ERR_NOT_FOUND;
        it->pupil = e.id ? arena_printf(a, "%s %s", e.pupil_name, e.pupil_surname) : "";
        it->status = e.status;
        if (it->result == REVIEW_OK)
            (*done)++;
        else if (it->result == REVIEW_ERR_NOT_FOUND || it->result == REVIEW_ERR_STATE)
            (*skipped)++;
        else
            result = it->result;
    }
    result = review_finish(db, result);
    if (result != REVIEW_OK) {
        *done = *skipped = 0;
        return result;
    }
    /* Duplicates were dropped: the list holds count entries, done + skipped of them. */
    *items = out;
    return REVIEW_OK;
}

/* Load an application for a diet or debt decision inside the transaction. */
static enum review_err review_load(struct db *db, struct arena *a, const struct review_ctx *c,
                                   int64_t id, struct enrollment *e)
{
    int f = review_find(db, a, c->tenant->id, id, e);
    return f < 0 ? REVIEW_ERR_DB : f == 0 ? REVIEW_ERR_NOT_FOUND : REVIEW_OK;
}

static enum review_err review_diet_tx(struct db *db, struct arena *a, const struct review_ctx *c,
                                      int64_t id, const char *to, const char *code,
                                      const char *note)
{
    struct enrollment e;
    enum review_err r = review_load(db, a, c, id, &e);
    if (r != REVIEW_OK)
        return r;
    if (!strcmp(e.diet_kind, "none"))
        return REVIEW_ERR_NO_DIET;
    if (e.status != ENROLLMENT_SUBMITTED && e.status != ENROLLMENT_CONFIRMED)
        return REVIEW_ERR_STATE;
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_SET_DIET);
    if (!st)
        return REVIEW_ERR_DB;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, c->tenant->id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, to);
    db_bind_text(st, 4, code);
    db_bind_text(st, 5, note);
    db_bind_text(st, 6, now);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        return REVIEW_ERR_DB;
    bool approve = !strcmp(to, "approved");
    const char *detail = approve ? (*note ? arena_printf(a, "%s: %s", code, note) : code) : note;
    if (enrollment_history_add(db, id, c->by, approve ? "diet_approve" : "diet_reject", e.status,
                               detail) != 0 ||
        review_audit(db, c, approve ? "enrollment.diet_approve" : "enrollment.diet_reject", id,
                     e.diet_status, to, detail) != 0)
        return REVIEW_ERR_DB;
    return REVIEW_OK;
}

enum review_err review_diet_approve(struct db *db, struct arena *a, const struct review_ctx *c,
                                    int64_t id, const char *code, const char *note)
{
    if (!review_diet_code_valid(code))
        return REVIEW_ERR_CODE;
    if (note && !review_text_valid(note, 0, REVIEW_NOTE_MAX))
        return REVIEW_ERR_REASON;
    if (db_begin(db) != DB_OK)
        return REVIEW_ERR_DB;
    return review_finish(
        db, review_diet_tx(db, a, c, id, "approved", code, review_trim(a, note ? note : "")));
}

enum review_err review_diet_reject(struct db *db, struct arena *a, const struct review_ctx *c,
                                   int64_t id, const char *note)
{
    if (!review_text_valid(note, REVIEW_REASON_MIN, REVIEW_NOTE_MAX))
        return REVIEW_ERR_REASON;
    if (db_begin(db) != DB_OK)
        return REVIEW_ERR_DB;
    return review_finish(db, review_diet_tx(db, a, c, id, "rejected", "", review_trim(a, note)));
}

static enum review_err review_debt_tx(struct db *db, struct arena *a, const struct review_ctx *c,
                                      int64_t id, const char *reason)
{
    struct enrollment e;
    enum review_err r = review_load(db, a, c, id, &e);
    if (r != REVIEW_OK)
        return r;
    if (e.status != ENROLLMENT_DRAFT && e.status != ENROLLMENT_SUBMITTED)
        return REVIEW_ERR_STATE;
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_SET_DEBT_OVERRIDE);
    if (!st)
        return REVIEW_ERR_DB;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, c->tenant->id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, reason);
    db_bind_text(st, 4, now);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        return REVIEW_ERR_DB;
    if (enrollment_history_add(db, id, c->by, "debt_override", e.status, reason) != 0 ||
        review_audit(db, c, "enrollment.debt_override", id,
                     *e.debt_override_reason ? "overridden" : "gated", "overridden", reason) != 0)
        return REVIEW_ERR_DB;
    return REVIEW_OK;
}

enum review_err review_debt_override(struct db *db, struct arena *a, const struct review_ctx *c,
                                     int64_t id, const char *reason)
{
    if (!review_text_valid(reason, REVIEW_REASON_MIN, REVIEW_REASON_MAX))
        return REVIEW_ERR_REASON;
    if (db_begin(db) != DB_OK)
        return REVIEW_ERR_DB;
    return review_finish(db, review_debt_tx(db, a, c, id, review_trim(a, reason)));
}

/* ---- CSV ----------------------------------------------------------------------------------- */

static const char review_csv_header[] =
    "Cognome;Nome;Codice fiscale;Data di nascita;Scuola;Classe;Giorni;Dieta;Stato dieta;"
    "Codice dieta;Pagamento;Fascia ISEE;Genitore;Codice fiscale genitore;E-mail;Cellulare;Tipo;"
    "Stato;Inviata il;Codice badge\r\n";

static const char *review_weekdays_text(struct arena *a, const char *lang, const char *digits)
{
    struct buf b;
    buf_init(&b, 256);
    for (const char *p = digits; *p; p++) {
        if (*p < '1' || *p > '7')
            continue;
        if (b.len)
            buf_puts(&b, ", ");
        buf_puts(&b, tr(lang, enrollment_weekday_label(*p - '0')));
    }
    const char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

static void review_csv_row(struct buf *out, struct arena *a, const char *lang,
                           const struct enrollment *e)
{
    const char *cells[] = {
        e->pupil_surname,
        e->pupil_name,
        e->pupil_fiscal_code,
        review_date_it(a, e->pupil_birth_date),
        e->school_name,
        e->class_name,
        review_weekdays_text(a, lang, e->weekdays),
        tr(lang, enrollment_diet_label(e->diet_kind)),
        tr(lang, review_diet_status_label(e->diet_status)),
        e->diet_code,
        tr(lang, review_payment_label(e->payment_method)),
        e->isee_band_label,
        arena_printf(a, "%s %s", e->guardian_name, e->guardian_surname),
        e->guardian_fiscal_code,
        e->guardian_email,
        e->guardian_mobile,
        tr(lang, review_kind_label(e->kind)),
        tr(lang, enrollment_status_label(e->status)),
        review_time_rome(a, e->submitted_at),
        e->badge_code,
    };
    size_t n = sizeof(cells) / sizeof(cells[0]);
    for (size_t i = 0; i < n; i++)
        csv_cell(out, cells[i], i + 1 == n);
}

#define REVIEW_CSV_SCRATCH_ROWS 256 /* rows read into one scratch arena before it is freed */

enum review_err review_csv(struct db *db, struct arena *a, int64_t tenant_id,
                           const struct review_filter *f, const char *lang, struct buf *out,
                           size_t *rows)
{
    if (rows)
        *rows = 0;
    int64_t total = 0;
    if (review_count(db, a, tenant_id, f, &total) != 0)
        return REVIEW_ERR_DB;
    if (total > REVIEW_CSV_ROWS_MAX)
        return REVIEW_ERR_TOO_MANY;
    struct db_stmt *st = db_stmt(db, STMT_REVIEW_SEARCH);
    if (!st)
        return REVIEW_ERR_DB;
    if (!review_bind_filter(st, a, tenant_id, f)) {
        db_reset(st);
        return REVIEW_ERR_DB;
    }
    db_bind_int(st, 11, REVIEW_CSV_ROWS_MAX);
    db_bind_int(st, 12, 0);
    struct csv_mark start = csv_mark(out);
    csv_begin(out);
    buf_puts(out, review_csv_header);
    struct arena scratch;
    arena_init(&scratch, 8192);
    size_t count = 0;
    enum db_err e = DB_DONE;
    while ((e = db_step(st)) == DB_ROW) {
        struct enrollment row;
        enrollment_read_row(st, &scratch, &row);
        review_csv_row(out, &scratch, lang, &row);
        if (++count % REVIEW_CSV_SCRATCH_ROWS == 0) {
            arena_free(&scratch);
            arena_init(&scratch, 8192);
        }
        if (out->err != BUF_OK)
            break;
    }
    arena_free(&scratch);
    db_reset(st);
    enum review_err result = out->err != BUF_OK ? REVIEW_ERR_TOO_MANY
                             : e == DB_DONE     ? REVIEW_OK
                                                : REVIEW_ERR_DB;
    if (result != REVIEW_OK) {
        csv_rollback(out, start); /* no half file */
        return result;
    }
    if (rows)
        *rows = count;
    return REVIEW_OK;
}
