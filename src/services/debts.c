/* The office's handling of debts; see debts.h. */
#include "services/debts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/codice_fiscale.h"
#include "domain/money.h"
#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "services/guardian.h"
#include "services/review.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/tmpl.h"

#define DEBTS_TZ "Europe/Rome"

/* ---- days ---------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a "YYYY-MM-DD" date; false when malformed. */
static bool debts_day_number(const char *ymd, long *out)
{
    int y, m, d;
    if (!time_parse_date(ymd, &y, &m, &d))
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    *out = (long)(timegm(&tm) / 86400);
    return true;
}

int debts_age_days(const char *iso)
{
    char date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX], today[TIME_LOCAL_DATE_MAX];
    long from, to;
    if (!iso || !time_utc_to_rome(iso, date, hhmm))
        return 0;
    time_today(DEBTS_TZ, today);
    if (!debts_day_number(date, &from) || !debts_day_number(today, &to) || to < from)
        return 0;
    return (int)(to - from);
}

bool debts_notice_date_valid(const char *notice_on)
{
    char today[TIME_LOCAL_DATE_MAX];
    long day, now;
    if (!notice_on || strlen(notice_on) != 10 || !debts_day_number(notice_on, &day))
        return false;
    time_today(DEBTS_TZ, today);
    return debts_day_number(today, &now) && day <= now;
}

bool debts_reason_valid(const char *reason)
{
    return review_text_valid(reason, DEBTS_REASON_MIN, DEBTS_REASON_MAX);
}

/* reason without the spaces and line breaks around it, in the arena. */
static const char *debts_trim(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

static int debts_audit(struct db *db, int64_t tenant_id, const struct debts_actor *by,
                       const char *action, int64_t guardian_id, const char *from, const char *to,
                       const char *detail)
{
    struct audit_entry e = {.tenant_id = tenant_id,
                            .actor = AUDIT_STAFF,
                            .actor_id = by->staff_id,
                            .actor_label = by->label,
                            .action = action,
                            .entity = "guardian",
                            .entity_id = guardian_id,
                            .from_state = from,
                            .to_state = to,
                            .detail = detail,
                            .client_addr = by->client_addr};
    return audit_record(db, &e);
}

/* Commit when e is DEBTS_OK, else roll back; e, or DEBTS_ERR_DB when the commit fails. */
static enum debts_err debts_finish(struct db *db, enum debts_err e)
{
    if (e != DEBTS_OK) {
        db_rollback(db);
        return e;
    }
    if (db_commit(db) != DB_OK) {
        db_rollback(db);
        return DEBTS_ERR_DB;
    }
    return DEBTS_OK;
}

/* ---- the list ------------------------------------------------------------------------------ */

static const char *debts_lower(struct arena *a, const char *s)
{
    char *out = arena_strdup(a, s ? s : "");
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static void debts_bind_filter(struct db_stmt *st, struct arena *a, int64_t tenant_id,
                              const struct debts_filter *f)
{
    char before[TIME_ISO_MAX] = "";
    if (f->min_days > 0) {
        /* In debt since a Rome day at least min_days ago: before the start of the day after. */
        char today[TIME_LOCAL_DATE_MAX];
        time_today(DEBTS_TZ, today);
        if (!time_rome_day_start(today, -(long)f->min_days + 1, before))
            before[0] = '\0';
    }
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, f->min_cents > 0 ? f->min_cents : 0);
    db_bind_text(st, 3, before);
    db_bind_int(st, 4, f->suspended < 0 ? -1 : f->suspended ? 1 : 0);
    db_bind_text(st, 5, debts_lower(a, f->q));
}

static void debts_read_row(struct db_stmt *st, struct arena *a, struct debtor *d)
{
    d->guardian_id = db_col_int(st, 0);
    d->user_code = arena_strdup(a, db_col_text(st, 1));
    d->fiscal_code = arena_strdup(a, db_col_text(st, 2));
    d->name = arena_strdup(a, db_col_text(st, 3));
    d->surname = arena_strdup(a, db_col_text(st, 4));
    d->email = arena_strdup(a, db_col_text(st, 5));
    d->pupils = arena_strdup(a, db_col_text(st, 6));
    d->owed_cents = db_col_int(st, 7);
    d->debt_since = arena_strdup(a, db_col_text(st, 8));
    d->age_days = debts_age_days(d->debt_since);
    d->last_reminder = arena_strdup(a, db_col_text(st, 9));
    d->suspended = *db_col_text(st, 10) != '\0';
    d->suspended_notice_on = arena_strdup(a, db_col_text(st, 11));
}

static int debts_count(struct db *db, struct arena *a, int64_t tenant_id,
                       const struct debts_filter *f, int64_t *total)
{
    struct db_stmt *st = db_stmt(db, STMT_DEBTS_COUNT);
    if (!st)
        return -1;
    debts_bind_filter(st, a, tenant_id, f);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        *total = db_col_int(st, 0);
    db_reset(st);
    return e == DB_ROW ? 0 : -1;
}

int debts_search(struct db *db, struct arena *a, int64_t tenant_id, const struct debts_filter *f,
                 size_t limit, size_t offset, struct debtor **out, size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (debts_count(db, a, tenant_id, f, total) != 0)
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_DEBTS_SEARCH);
    if (!st)
        return -1;
    debts_bind_filter(st, a, tenant_id, f);
    db_bind_text(st, 6, f->sort == DEBTS_SORT_AGE ? "age" : "amount");
    db_bind_int(st, 7, (int64_t)limit);
    db_bind_int(st, 8, (int64_t)offset);
    struct debtor *rows = arena_calloc(a, limit ? limit : 1, sizeof(*rows));
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < limit)
        debts_read_row(st, a, &rows[(*n)++]);
    db_reset(st);
    if (e != DB_DONE && e != DB_ROW)
        return -1;
    *out = rows;
    return 0;
}

static const char debts_csv_header[] =
    "Cognome;Nome;Codice fiscale;Codice utente;E-mail;Alunni;Debito;In debito dal;Giorni;"
    "Ultimo sollecito;Sospeso;Data avviso\r\n";

enum debts_err debts_csv(struct db *db, struct arena *a, int64_t tenant_id,
                         const struct debts_filter *f, struct buf *out, size_t *rows)
{
    if (rows)
        *rows = 0;
    int64_t total = 0;
    if (debts_count(db, a, tenant_id, f, &total) != 0)
        return DEBTS_ERR_DB;
    if (total > DEBTS_CSV_ROWS_MAX)
        return DEBTS_ERR_TOO_MANY;
    struct db_stmt *st = db_stmt(db, STMT_DEBTS_SEARCH);
    if (!st)
        return DEBTS_ERR_DB;
    debts_bind_filter(st, a, tenant_id, f);
    db_bind_text(st, 6, f->sort == DEBTS_SORT_AGE ? "age" : "amount");
    db_bind_int(st, 7, DEBTS_CSV_ROWS_MAX);
    db_bind_int(st, 8, 0);
    struct csv_mark start = csv_mark(out);
    csv_begin(out);
    buf_puts(out, debts_csv_header);
    struct arena scratch;
    arena_init(&scratch, 8192);
    size_t count = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        struct debtor d;
        debts_read_row(st, &scratch, &d);
        const char *cells[] = {
            d.surname,
            d.name,
            d.fiscal_code,
            d.user_code,
            d.email,
            d.pupils,
            NULL, /* the amount owed, as a number */
            time_rome_display(&scratch, d.debt_since),
            arena_printf(&scratch, "%d", d.age_days),
            time_rome_display(&scratch, d.last_reminder),
            d.suspended ? "sì" : "no",
            time_date_display(&scratch, d.suspended_notice_on),
        };
        size_t nc = sizeof(cells) / sizeof(cells[0]);
        for (size_t i = 0; i < nc; i++)
            if (i == 6)
                csv_amount(out, d.owed_cents, false);
            else
                csv_cell(out, cells[i], i + 1 == nc);
        if (++count % 256 == 0) {
            arena_free(&scratch);
            arena_init(&scratch, 8192);
        }
        if (out->err != BUF_OK)
            break;
    }
    arena_free(&scratch);
    db_reset(st);
    enum debts_err result = out->err != BUF_OK ? DEBTS_ERR_TOO_MANY
                            : e == DB_DONE     ? DEBTS_OK
                                               : DEBTS_ERR_DB;
    if (result != DEBTS_OK) {
        csv_rollback(out, start); /* no half file */
        return result;
    }
    if (rows)
        *rows = count;
    return DEBTS_OK;
}

/* ---- one family ----------------------------------------------------------------------------- */

struct debts_family {
    const char *name, *surname, *email, *lang;
    int64_t balance;
    const char *debt_since, *suspended_at;
};

/* 1 found, 0 not, -1 error. */
static int debts_family(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                        struct debts_family *f)
{
    struct db_stmt *st = db_stmt(db, STMT_DEBTS_FAMILY);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        f->name = arena_strdup(a, db_col_text(st, 0));
        f->surname = arena_strdup(a, db_col_text(st, 1));
        f->email = arena_strdup(a, db_col_text(st, 2));
        const char *l = i18n_lang(db_col_text(st, 3));
        f->lang = l ? l : I18N_DEFAULT_LANG;
        f->balance = db_col_int(st, 4);
        f->debt_since = arena_strdup(a, db_col_text(st, 5));
        f->suspended_at = arena_strdup(a, db_col_text(st, 6));
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

static int debts_notice(struct db *db, int64_t tenant_id, int64_t guardian_id, const char *kind,
                        int64_t balance, int64_t outbox_id, const char *by)
{
    struct db_stmt *st = db_stmt(db, STMT_BALANCE_NOTICE_INSERT);
    if (!st)
        return -1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, kind);
    db_bind_null(st, 4);
    db_bind_int(st, 5, balance);
    db_bind_int(st, 6, outbox_id);
    db_bind_text(st, 7, now);
    db_bind_text(st, 8, by);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

/* The data both debt e-mails share. */
static struct tv *debts_mail_data(struct arena *a, const struct debts_family *f,
                                  const char *topup_href)
{
    char debt[MONEY_TEXT_SIZE];
    money_format(f->balance < 0 ? -f->balance : 0, debt);
    struct tv *data = tv_dict(a);
    tv_set_str(data, "name", arena_printf(a, "%s %s", f->name, f->surname));
    tv_set_str(data, "debt", debt);
    tv_set_str(data, "since", time_rome_display(a, f->debt_since));
    tv_set_str(data, "since_date", time_date_display(a, arena_strndup(a, f->debt_since, 10)));
    tv_set_int(data, "days", debts_age_days(f->debt_since));
    if (topup_href)
        tv_set_str(data, "topup_href", topup_href);
    return data;
}

/* ---- reminders ------------------------------------------------------------------------------ */

enum debts_err debts_remind_tx(struct db *db, struct arena *a, const struct tenant *t,
                               const struct debts_actor *by, const char *topup_href,
                               struct debts_reminder_item *it)
{
    struct debts_family f;
    int found = it->guardian_id > 0 ? debts_family(db, a, t->id, it->guardian_id, &f) : 0;
    if (found < 0)
        return DEBTS_ERR_DB;
    if (found == 0) {
        it->result = DEBTS_REMINDER_NOT_FOUND;
        it->name = "";
        return DEBTS_OK;
    }
    it->name = arena_printf(a, "%s %s", f.name, f.surname);
    if (f.balance >= 0) {
        it->result = DEBTS_REMINDER_NOT_IN_DEBT;
        return DEBTS_OK;
    }
    if (!*f.email) {
        it->result = DEBTS_REMINDER_NO_EMAIL;
        return DEBTS_OK;
    }
    it->owed_cents = -f.balance;
    struct tv *data = debts_mail_data(a, &f, topup_href);
    int64_t outbox_id = 0;
    if (mail_queue(db, a, t, f.email, f.lang, "debt_reminder", data, &outbox_id) != 0)
        return DEBTS_ERR_MAIL;
    if (debts_notice(db, t->id, it->guardian_id, "reminder", f.balance, outbox_id, by->label) != 0)
        return DEBTS_ERR_DB;
    char detail[64];
    snprintf(detail, sizeof(detail), "owed %lld", (long long)it->owed_cents);
    if (debts_audit(db, t->id, by, "debt.reminder", it->guardian_id, "in_debt", "reminded",
                    detail) != 0)
        return DEBTS_ERR_DB;
    it->result = DEBTS_REMINDER_SENT;
    return DEBTS_OK;
}

enum debts_err debts_remind(struct db *db, struct arena *a, const struct tenant *t,
                            const struct debts_actor *by, const int64_t *ids, size_t n,
                            const char *topup_href, struct debts_reminder_item **items,
                            size_t *sent, size_t *skipped)
{
    *items = NULL;
    *sent = *skipped = 0;
    if (n > DEBTS_BULK_MAX)
        return DEBTS_ERR_TOO_MANY;
    struct debts_reminder_item *out = arena_calloc(a, n ? n : 1, sizeof(*out));
    size_t count = 0;
    if (db_begin(db) != DB_OK)
        return DEBTS_ERR_DB;
    enum debts_err result = DEBTS_OK;
    for (size_t i = 0; i < n && result == DEBTS_OK; i++) {
        bool seen = false;
        for (size_t k = 0; k < count; k++)
            seen |= out[k].guardian_id == ids[i];
        if (seen)
            continue;
        struct debts_reminder_item *it = &out[count++];
        it->guardian_id = ids[i];
        result = debts_remind_tx(db, a, t, by, topup_href, it);
    }
    result = debts_finish(db, result);
    if (result != DEBTS_OK)
        return result;
    for (size_t i = 0; i < count; i++)
        if (out[i].result == DEBTS_REMINDER_SENT)
            (*sent)++;
        else
            (*skipped)++;
    *items = out;
    return DEBTS_OK;
}

/* ---- suspension ----------------------------------------------------------------------------- */

enum debts_err debts_suspend_tx(struct db *db, struct arena *a, const struct tenant *t,
                                const struct debts_actor *by, int64_t guardian_id,
                                const char *notice_on, const char *reason)
{
    struct debts_family f;
    int found = debts_family(db, a, t->id, guardian_id, &f);
    if (found != 1)
        return found == 0 ? DEBTS_ERR_NOT_FOUND : DEBTS_ERR_DB;
    if (*f.suspended_at || f.balance >= 0)
        return DEBTS_ERR_STATE;
    struct db_stmt *st = db_stmt(db, STMT_DEBTS_SUSPEND);
    if (!st)
        return DEBTS_ERR_DB;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, t->id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, now);
    db_bind_text(st, 4, notice_on);
    db_bind_text(st, 5, reason);
    db_bind_text(st, 6, by->label);
    if (db_exec_stmt(st) != DB_OK)
        return DEBTS_ERR_DB;
    if (db_changes(db) != 1)
        return DEBTS_ERR_STATE;
    int64_t outbox_id = 0;
    if (*f.email) {
        struct tv *data = debts_mail_data(a, &f, NULL);
        tv_set_str(data, "notice_on", time_date_display(a, notice_on));
        tv_set_str(data, "reason", reason);
        if (mail_queue(db, a, t, f.email, f.lang, "debt_suspension", data, &outbox_id) != 0)
            return DEBTS_ERR_MAIL;
    }
    if (debts_notice(db, t->id, guardian_id, "suspension", f.balance, outbox_id, by->label) != 0)
        return DEBTS_ERR_DB;
    const char *detail = arena_printf(a, "notice %s: %s", notice_on, reason);
    if (debts_audit(db, t->id, by, "debt.suspend", guardian_id, "active", "suspended", detail) != 0)
        return DEBTS_ERR_DB;
    return DEBTS_OK;
}

enum debts_err debts_suspend(struct db *db, struct arena *a, const struct tenant *t,
                             const struct debts_actor *by, int64_t guardian_id,
                             const char *notice_on, const char *reason)
{
    if (!debts_reason_valid(reason))
        return DEBTS_ERR_REASON;
    if (!debts_notice_date_valid(notice_on))
        return DEBTS_ERR_DATE;
    if (guardian_id <= 0)
        return DEBTS_ERR_NOT_FOUND;
    if (db_begin(db) != DB_OK)
        return DEBTS_ERR_DB;
    return debts_finish(
        db, debts_suspend_tx(db, a, t, by, guardian_id, notice_on, debts_trim(a, reason)));
}

enum debts_err debts_lift(struct db *db, const struct tenant *t, const struct debts_actor *by,
                          int64_t guardian_id, const char *reason)
{
    if (!debts_reason_valid(reason))
        return DEBTS_ERR_REASON;
    if (guardian_id <= 0)
        return DEBTS_ERR_NOT_FOUND;
    struct arena a;
    arena_init(&a, 2048);
    enum debts_err result = DEBTS_ERR_DB;
    if (db_begin(db) != DB_OK)
        goto out;
    struct debts_family f;
    int found = debts_family(db, &a, t->id, guardian_id, &f);
    struct db_stmt *st = found == 1 ? db_stmt(db, STMT_DEBTS_LIFT) : NULL;
    if (found != 1 || !st) {
        result = debts_finish(db, found == 0 ? DEBTS_ERR_NOT_FOUND : DEBTS_ERR_DB);
        goto out;
    }
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, t->id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, now);
    result = db_exec_stmt(st) != DB_OK ? DEBTS_ERR_DB
             : db_changes(db) != 1     ? DEBTS_ERR_STATE
             : debts_audit(db, t->id, by, "debt.lift", guardian_id, "suspended", "active",
                           debts_trim(&a, reason)) != 0
                 ? DEBTS_ERR_DB
                 : DEBTS_OK;
    result = debts_finish(db, result);
out:
    arena_free(&a);
    return result;
}

/* ---- manual entries ------------------------------------------------------------------------- */

/* "12.50", "-3.2": a dot followed by one or two digits at the end, and no comma. */
static bool debts_dot_decimal(const char *s)
{
    if (strchr(s, ','))
        return false;
    const char *dot = strrchr(s, '.');
    if (!dot)
        return false;
    size_t digits = 0;
    const char *p = dot + 1;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    while (*p == ' ')
        p++;
    return (digits == 1 || digits == 2) && (!*p || !strcmp(p, "€") || !strcmp(p, "EUR"));
}

const char *debts_amount_parse(const char *in, bool allow_negative, int64_t *cents)
{
    *cents = 0;
    const char *p = in ? in : "";
    while (*p == ' ')
        p++;
    if (!*p)
        return N_("Enter the amount.");
    if (debts_dot_decimal(p))
        return N_("Write the cents after a comma, as in 12,50 (not 12.50).");
    int64_t v = 0;
    enum money_err e = money_parse(p, &v, NULL);
    if (e == MONEY_OVERFLOW)
        return N_("The amount can be at most 1.000.000,00 euro.");
    if (e != MONEY_OK)
        return N_("Enter an amount in euro, like 12,50 or -3,20.");
    if (v == 0)
        return N_("The amount cannot be zero.");
    if (v > DEBTS_AMOUNT_MAX || v < -DEBTS_AMOUNT_MAX)
        return N_("The amount can be at most 1.000.000,00 euro.");
    if (v < 0 && !allow_negative)
        return N_("Enter the amount without a minus sign: it is taken out of the account.");
    *cents = v;
    return NULL;
}

enum debts_err debts_manual_entry(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct debts_actor *by, const struct debts_entry *e,
                                  int64_t *entry_id, const char **problem)
{
    if (problem)
        *problem = NULL;
    enum ledger_kind kind;
    if (!e->kind || !ledger_kind_parse(e->kind, &kind) ||
        (kind != LEDGER_ADJUSTMENT && kind != LEDGER_REFUND && kind != LEDGER_FEE))
        return DEBTS_ERR_KIND;
    int64_t cents;
    const char *bad = debts_amount_parse(e->amount, kind == LEDGER_ADJUSTMENT, &cents);
    if (bad) {
        if (problem)
            *problem = bad;
        return DEBTS_ERR_AMOUNT;
    }
    if (kind != LEDGER_ADJUSTMENT)
        cents = -cents; /* a refund or a fee leaves the wallet */
    if (!debts_reason_valid(e->reason))
        return DEBTS_ERR_REASON;
    const char *reason = debts_trim(a, e->reason);
    struct guardian g;
    int found = e->guardian_id > 0 ? guardian_find_by_id(db, a, tenant_id, e->guardian_id, &g) : 0;
    if (found != 1)
        return found == 0 ? DEBTS_ERR_NOT_FOUND : DEBTS_ERR_DB;
    if (e->pupil_id) {
        struct pupil_summary *pupils = NULL;
        size_t np = 0;
        if (guardian_pupils(db, a, tenant_id, e->guardian_id, &pupils, &np) != 0)
            return DEBTS_ERR_DB;
        bool ours = false;
        for (size_t i = 0; i < np; i++)
            ours |= pupils[i].id == e->pupil_id;
        if (!ours)
            return DEBTS_ERR_NOT_FOUND;
    }
    if (db_begin(db) != DB_OK)
        return DEBTS_ERR_DB;
    enum debts_err result = DEBTS_OK;
    if (kind == LEDGER_REFUND) {
        /* Money given back: never more than the family's credit. */
        int64_t balance = 0;
        if (ledger_balance(db, tenant_id, e->guardian_id, &balance) != 0)
            result = DEBTS_ERR_DB;
        else if (balance + cents < 0)
            result = DEBTS_ERR_REFUND;
    }
    struct ledger_new n = {.guardian_id = e->guardian_id,
                           .pupil_id = e->pupil_id,
                           .kind = kind,
                           .amount_cents = cents,
                           .description = "",
                           .reason = reason,
                           .created_by = by->label};
    int64_t id = 0;
    if (result == DEBTS_OK && ledger_append(db, tenant_id, &n, &id) != 0)
        result = DEBTS_ERR_DB;
    if (result == DEBTS_OK &&
        debts_audit(db, tenant_id, by, "debt.manual_entry", e->guardian_id, NULL, "recorded",
                    arena_printf(a, "%s %lld entry %lld: %s", e->kind, (long long)cents,
                                 (long long)id, reason)) != 0)
        result = DEBTS_ERR_DB;
    result = debts_finish(db, result);
    if (result == DEBTS_OK && entry_id)
        *entry_id = id;
    return result;
}

/* ---- opening balances ----------------------------------------------------------------------- */

/* Lower-cased, trimmed header cell, '_' and '-' as spaces. */
static const char *debts_header_name(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *out = arena_strdup(a, s);
    size_t n = strlen(out);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        out[--n] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '_' || *p == '-' ? ' ' : (char)tolower((unsigned char)*p);
    return out;
}

static bool debts_header_is(const char *name, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

static const char *const debts_cf_names[] = {"codice fiscale", "codicefiscale", "cf",
                                             "codice fiscale alunno", NULL};
static const char *const debts_amount_names[] = {"saldo", "importo", "saldo iniziale", NULL};

#define DEBTS_IMPORT_COLUMNS 32 /* columns of a line, at most */

/* The next line of data[*pos..len): its start and length without the line ending. */
static bool debts_next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *start = data + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t k = nl ? (size_t)(nl - start) : len - *pos;
    *pos += k + (nl ? 1 : 0);
    if (k && start[k - 1] == '\r')
        k--;
    *line = start;
    *n = k;
    return true;
}

static bool debts_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != ';' && line[i] != ',')
            return false;
    return true;
}

static const char *debts_cut(struct arena *a, const char *line, size_t n)
{
    if (n <= DEBTS_IMPORT_SHOWN_MAX)
        return arena_strndup(a, line, n);
    size_t k = DEBTS_IMPORT_SHOWN_MAX;
    while (k && ((unsigned char)line[k] & 0xc0) == 0x80)
        k--; /* not inside a UTF-8 sequence */
    return arena_printf(a, "%.*s...", (int)k, line);
}

/* Split line (len bytes, no line ending) on sep into at most max fields, in the arena, with
   RFC 4180 double quotes ("" inside a quoted field is one quote). The number of fields, or -1
   for more than max, a quote not closed, or a closing quote followed by other than sep. */
static int debts_split(struct arena *a, const char *line, size_t len, char sep, const char **fields,
                       int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        if (n == max)
            return -1;
        char *f = arena_alloc(a, len - i + 1);
        size_t k = 0;
        if (i < len && line[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return -1;
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        f[k++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                f[k++] = line[i++];
            }
            if (i < len && line[i] != sep)
                return -1;
        } else {
            while (i < len && line[i] != sep)
                f[k++] = line[i++];
        }
        f[k] = '\0';
        fields[n++] = f;
        if (i >= len)
            return n;
        i++; /* the separator */
    }
}

static void debts_reject(struct debts_import_line *l, const char *msgid)
{
    if (!l->problem)
        l->problem = msgid;
}

int debts_import_parse(struct arena *a, const void *bytes, size_t len, struct debts_import *out)
{
    memset(out, 0, sizeof(*out));
    const char *data = bytes;
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, bytes, len);
    sodium_bin2hex(out->digest, sizeof(out->digest), hash, sizeof(hash));
    if (len == 0) {
        out->file_problem = N_("The file is empty.");
        return 0;
    }
    if (len > DEBTS_IMPORT_BYTES_MAX) {
        out->file_problem = N_("The file is larger than 2 MB: split it into smaller files.");
        return 0;
    }
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        len -= 3;
    }
    if (memchr(data, '\0', len) || !html_utf8_valid(data, len)) {
        out->file_problem =
            N_("The file is not a UTF-8 text file: save it from the spreadsheet as \"CSV UTF-8\".");
        return 0;
    }
    /* The header: the first line that is not blank. */
    size_t pos = 0, lineno = 0, n = 0;
    const char *line = NULL;
    while (debts_next_line(data, len, &pos, &line, &n)) {
        lineno++;
        if (!debts_blank(line, n))
            break;
        line = NULL;
    }
    if (!line) {
        out->file_problem = N_("The file is empty.");
        return 0;
    }
    out->header_line = lineno;
    char sep = memchr(line, ';', n) ? ';' : ',';
    const char *cells[DEBTS_IMPORT_COLUMNS];
    int nc = debts_split(a, line, n, sep, cells, DEBTS_IMPORT_COLUMNS);
    int cf_col = -1, amount_col = -1;
    for (int i = 0; i < nc; i++) {
        const char *name = debts_header_name(a, cells[i]);
        if (cf_col < 0 && debts_header_is(name, debts_cf_names))
            cf_col = i;
        else if (amount_col < 0 && debts_header_is(name, debts_amount_names))
            amount_col = i;
    }
    if (cf_col < 0 || amount_col < 0) {
        out->file_problem = N_("The first line must name the columns: codice_fiscale;saldo.");
        return 0;
    }
    /* Count the data lines first, so the array is sized once. */
    size_t count = 0, p2 = pos;
    const char *l2;
    size_t n2;
    while (debts_next_line(data, len, &p2, &l2, &n2))
        if (!debts_blank(l2, n2))
            count++;
    if (count > DEBTS_IMPORT_LINES_MAX) {
        out->file_problem = N_("The file has more than 50.000 lines: split it into smaller files.");
        return 0;
    }
    if (count == 0) {
        out->file_problem = N_("The file has no lines after the header.");
        return 0;
    }
    out->lines = arena_calloc(a, count, sizeof(*out->lines));
    while (debts_next_line(data, len, &pos, &line, &n)) {
        lineno++;
        if (debts_blank(line, n))
            continue;
        struct debts_import_line *l = &out->lines[out->nlines++];
        l->line = lineno;
        l->content = debts_cut(a, line, n);
        l->fiscal_code = "";
        nc = debts_split(a, line, n, sep, cells, DEBTS_IMPORT_COLUMNS);
        if (nc < 0 || nc <= cf_col || nc <= amount_col) {
            debts_reject(l, sep == ','
                                ? N_("The line does not have the columns of the header (with ',' "
                                     "as separator, put amounts like \"12,50\" in quotes).")
                                : N_("The line does not have the columns of the header."));
            continue;
        }
        struct codice_fiscale cf;
        if (codice_fiscale_parse(cells[cf_col], &cf) != CODICE_FISCALE_OK)
            debts_reject(l, N_("The codice fiscale is not valid."));
        else
            l->fiscal_code = arena_strdup(a, cf.normalized);
        const char *bad = debts_amount_parse(cells[amount_col], true, &l->cents);
        if (bad)
            debts_reject(l, bad);
    }
    /* A codice fiscale more than once: later lines refused; the first too when amounts differ. */
    for (size_t i = 0; i < out->nlines; i++) {
        struct debts_import_line *l = &out->lines[i];
        if (!*l->fiscal_code)
            continue;
        for (size_t k = 0; k < i; k++) {
            struct debts_import_line *first = &out->lines[k];
            if (strcmp(first->fiscal_code, l->fiscal_code) != 0)
                continue;
            l->other_line = first->line;
            debts_reject(l, N_("This codice fiscale is already on an earlier line of the file."));
            if (first->cents != l->cents && !first->problem) {
                first->other_line = l->line;
                first->problem =
                    N_("This codice fiscale is repeated later in the file with another amount.");
            }
            break;
        }
    }
    return 0;
}

/* The checks that need the database, on every line that passed the format checks. */
static enum debts_err debts_import_lookup(struct db *db, struct arena *a, int64_t tenant_id,
                                          struct debts_import *out)
{
    for (size_t i = 0; i < out->nlines; i++) {
        struct debts_import_line *l = &out->lines[i];
        if (l->problem)
            continue;
        struct db_stmt *st = db_stmt(db, STMT_DEBTS_PUPIL_BY_CF);
        if (!st)
            return DEBTS_ERR_DB;
        db_bind_int(st, 1, tenant_id);
        db_bind_text(st, 2, l->fiscal_code);
        enum db_err e = db_step(st);
        if (e == DB_ROW) {
            l->pupil_id = db_col_int(st, 0);
            l->guardian_id = db_col_int(st, 1);
            l->pupil_name = arena_printf(a, "%s %s", db_col_text(st, 2), db_col_text(st, 3));
        }
        db_reset(st);
        if (e != DB_ROW && e != DB_DONE)
            return DEBTS_ERR_DB;
        if (e == DB_DONE) {
            l->problem = N_("No pupil with this codice fiscale in the municipality.");
            continue;
        }
        st = db_stmt(db, STMT_DEBTS_REF_USED);
        if (!st)
            return DEBTS_ERR_DB;
        db_bind_int(st, 1, tenant_id);
        db_bind_text(st, 2, arena_printf(a, "opening:%s", l->fiscal_code));
        e = db_step(st);
        int64_t used = e == DB_ROW ? db_col_int(st, 0) : 0;
        db_reset(st);
        if (e != DB_ROW)
            return DEBTS_ERR_DB;
        if (used)
            l->problem = N_("The opening balance of this pupil was already imported.");
    }
    out->valid = out->rejected = 0;
    out->total_cents = 0;
    for (size_t i = 0; i < out->nlines; i++)
        if (out->lines[i].problem)
            out->rejected++;
        else {
            out->valid++;
            out->total_cents += out->lines[i].cents;
        }
    return DEBTS_OK;
}

enum debts_err debts_import_check(struct db *db, struct arena *a, int64_t tenant_id,
                                  const void *data, size_t len, struct debts_import *out)
{
    if (debts_import_parse(a, data, len, out) != 0)
        return DEBTS_ERR_DB;
    if (out->file_problem)
        return DEBTS_OK;
    return debts_import_lookup(db, a, tenant_id, out);
}

enum debts_err debts_import_apply(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct debts_actor *by, const void *data, size_t len,
                                  struct debts_import *out)
{
    if (debts_import_parse(a, data, len, out) != 0)
        return DEBTS_ERR_DB;
    if (out->file_problem)
        return DEBTS_OK;
    if (db_begin(db) != DB_OK)
        return DEBTS_ERR_DB;
    enum debts_err result = debts_import_lookup(db, a, tenant_id, out);
    int64_t applied_total = 0;
    for (size_t i = 0; i < out->nlines && result == DEBTS_OK; i++) {
        struct debts_import_line *l = &out->lines[i];
        if (l->problem)
            continue;
        struct ledger_new n = {.guardian_id = l->guardian_id,
                               .pupil_id = l->pupil_id,
                               .kind = LEDGER_OPENING,
                               .amount_cents = l->cents,
                               .description = "Saldo riportato dalla piattaforma precedente",
                               .ref = arena_printf(a, "opening:%s", l->fiscal_code),
                               .created_by = by->label};
        int rc = ledger_append(db, tenant_id, &n, NULL);
        if (rc < 0)
            result = DEBTS_ERR_DB;
        else if (rc == 1) {
            l->problem = N_("The opening balance of this pupil was already imported.");
            out->valid--;
            out->rejected++;
            out->total_cents -= l->cents;
        } else {
            out->applied++;
            applied_total += l->cents;
        }
    }
    if (result == DEBTS_OK) {
        struct audit_entry e = {.tenant_id = tenant_id,
                                .actor = AUDIT_STAFF,
                                .actor_id = by->staff_id,
                                .actor_label = by->label,
                                .action = "debt.opening_import",
                                .entity = "ledger_entry",
                                .to_state = "imported",
                                .detail = arena_printf(a,
                                                       "%zu lines applied, total %lld cents, %zu "
                                                       "rejected, file sha256 %s",
                                                       out->applied, (long long)applied_total,
                                                       out->rejected, out->digest),
                                .client_addr = by->client_addr};
        if (audit_record(db, &e) != 0)
            result = DEBTS_ERR_DB;
    }
    result = debts_finish(db, result);
    if (result != DEBTS_OK) {
        char num[24];
        snprintf(num, sizeof(num), "%lld", (long long)tenant_id);
        log_error("opening balance import failed", "tenant", num);
        out->applied = 0;
    }
    return result;
}
