/*
 * The office's payments (/ufficio/pagamenti): the pagoPA positions with filters, a refresh of one
 * position or a whole reconciliation on demand, the receipts parked for checking, and the
 * municipality's payment settings. Administrators and office write; the catering operator reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/money.h"
#include "domain/pagopa_notice.h"
#include "services/payment.h"
#include "services/payment_settings.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define PAYMENTS_PER_PAGE      50
#define PAYMENTS_ANOMALIES_MAX 100
#define PAYMENTS_WRITE         (ROLE_ADMIN | ROLE_UFFICIO)

static const char *payments_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio/pagamenti%s", r->tenant.slug, path);
}

static const char *payments_money(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    return arena_strdup(&r->arena, text);
}

static const char *const payments_statuses[] = {"open",   "pending", "paid",     "creating",
                                                "failed", "expired", "cancelled"};

static const char *payments_status_filter_label(const char *s)
{
    if (!strcmp(s, "open"))
        return N_("To be paid");
    if (!strcmp(s, "pending"))
        return N_("Awaiting confirmation");
    if (!strcmp(s, "paid"))
        return N_("Paid");
    if (!strcmp(s, "creating"))
        return N_("Being created");
    if (!strcmp(s, "failed"))
        return N_("Not created");
    if (!strcmp(s, "expired"))
        return N_("Expired");
    return N_("Cancelled");
}

static bool payments_status_valid(const char *s)
{
    for (size_t i = 0; i < sizeof(payments_statuses) / sizeof(payments_statuses[0]); i++)
        if (!strcmp(s, payments_statuses[i]))
            return true;
    return false;
}

static void payments_page(struct req *r, struct resp *w, int status, const char *notice,
                          const char *notice_kind)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *st_f = req_field(r, "stato"), *from = req_field(r, "dal"), *to = req_field(r, "al"),
               *q = req_field(r, "q"), *page_s = req_field(r, "pagina");
    if (st_f && *st_f && !payments_status_valid(st_f))
        req_set_field_error(r, "stato", N_("Choose a status from the list."));
    int page = 1;
    if (page_s && *page_s) {
        char *end;
        long v = strtol(page_s, &end, 10);
        page = *end || v < 1 || v > 100000 ? 1 : (int)v;
    }
    bool bad = r->has_errors;
    if (bad && status == 200)
        status = 422; /* the filters were refused: the page says which, and lists everything */
    struct payment_filter f = {.status = bad ? "" : st_f,
                               .from = bad ? "" : from,
                               .to = bad ? "" : to,
                               .search = bad ? "" : q,
                               .page = page,
                               .per_page = PAYMENTS_PER_PAGE};
    struct payment_position *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (payment_list(db, &r->arena, r->tenant.id, &f, &rows, &n, &total) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Payments"));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Payments"), NULL);
    office_nav(r, d, "payments");
    if (!page_form_begin(r, w, d, bad ? N_("Check the highlighted filters.") : NULL))
        return;
    bool can_write = (r->user.role & PAYMENTS_WRITE) != 0;
    tv_set_bool(d, "can_write", can_write);
    tv_set_bool(d, "enabled", payment_enabled());
    tv_set_str(d, "notice", notice);
    tv_set_str(d, "notice_kind", notice_kind ? notice_kind : "success");
    tv_set_str(d, "form_action", payments_href(r, ""));
    tv_set_str(d, "reconcile_action", payments_href(r, "/riconcilia"));
    tv_set_str(d, "settings_href", payments_href(r, "/impostazioni"));
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SYNC_INFO);
    if (st) {
        db_bind_int(st, 1, r->tenant.id);
        if (db_step(st) == DB_ROW) {
            const char *last = db_col_text(st, 0);
            if (*last)
                tv_set_str(d, "last_run", time_rome_display(&r->arena, last));
            tv_set_str(d, "last_run_error", db_col_text(st, 1));
        }
        db_reset(st);
    }
    struct tv *selects = tv_set_list(d, "selects");
    struct tv *sel = tv_push_dict(selects);
    tv_set_str(sel, "name", "stato");
    tv_set_str(sel, "label", tr(r->lang, N_("Status")));
    tv_set_str(sel, "any", tr(r->lang, N_("Any status")));
    tv_set_str(sel, "error",
               req_field_error(r, "stato") ? tr(r->lang, req_field_error(r, "stato")) : NULL);
    struct tv *opts = tv_set_list(sel, "options");
    for (size_t i = 0; i < sizeof(payments_statuses) / sizeof(payments_statuses[0]); i++) {
        struct tv *o = tv_push_dict(opts);
        tv_set_str(o, "value", payments_statuses[i]);
        tv_set_str(o, "label", tr(r->lang, payments_status_filter_label(payments_statuses[i])));
        tv_set_bool(o, "selected", st_f && !strcmp(st_f, payments_statuses[i]));
    }
    tv_set_int(d, "total", total);
    struct tv *list = tv_set_list(d, "rows");
    for (size_t i = 0; i < n; i++) {
        const struct payment_position *p = &rows[i];
        struct tv *row = tv_push_dict(list);
        tv_set_str(row, "family",
                   arena_printf(&r->arena, "%s (%s)", p->guardian_name, p->guardian_user_code));
        tv_set_str(row, "family_href",
                   arena_printf(&r->arena, "/%s/ufficio/famiglie/%lld/conto", r->tenant.slug,
                                (long long)p->guardian_id));
        char notice_text[PAGOPA_NOTICE_FORMATTED_SIZE];
        pagopa_notice_format(p->notice_number, notice_text);
        tv_set_str(row, "notice", notice_text);
        tv_set_str(row, "iuv", p->iuv);
        tv_set_str(row, "amount", payments_money(r, p->amount_cents));
        tv_set_str(row, "created", time_rome_display(&r->arena, p->created_at));
        tv_set_str(row, "status_label", tr(r->lang, payment_status_label(p)));
        tv_set_str(row, "badge", payment_status_badge(p));
        if (*p->paid_at)
            tv_set_str(row, "paid_at", time_rome_display(&r->arena, p->paid_at));
        tv_set_str(row, "last_error", p->last_error);
        tv_set_str(row, "csrf", tv_get_str(d, "csrf"));
        if (can_write && (!strcmp(p->status, "open") || !strcmp(p->status, "creating")))
            tv_set_str(
                row, "refresh_action",
                payments_href(r, arena_printf(&r->arena, "/%lld/aggiorna", (long long)p->id)));
    }
    int64_t pages = (total + PAYMENTS_PER_PAGE - 1) / PAYMENTS_PER_PAGE;
    if (pages > 1) {
        struct tv *pager = tv_set_dict(d, "pager");
        tv_set_int(pager, "page", page);
        tv_set_int(pager, "pages", pages);
        const char *query = arena_printf(&r->arena, "?stato=%s&dal=%s&al=%s&q=%s", st_f ? st_f : "",
                                         from ? from : "", to ? to : "", q ? q : "");
        if (page > 1)
            tv_set_str(
                pager, "prev_href",
                arena_printf(&r->arena, "%s%s&pagina=%d", payments_href(r, ""), query, page - 1));
        if (page < pages)
            tv_set_str(
                pager, "next_href",
                arena_printf(&r->arena, "%s%s&pagina=%d", payments_href(r, ""), query, page + 1));
    }
    struct payment_anomaly *an;
    size_t nan;
    if (payment_anomaly_list(db, &r->arena, r->tenant.id, PAYMENTS_ANOMALIES_MAX, &an, &nan) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *al = tv_set_list(d, "anomalies");
    for (size_t i = 0; i < nan; i++) {
        struct tv *a = tv_push_dict(al);
        tv_set_str(a, "kind_label",
                   tr(r->lang, !strcmp(an[i].kind, "unknown_position")
                                   ? N_("Receipt for a position unknown here")
                                   : N_("Receipt with a different amount")));
        tv_set_str(a, "iupd", an[i].iupd);
        tv_set_str(a, "iuv", an[i].iuv);
        if (an[i].has_expected)
            tv_set_str(a, "expected", payments_money(r, an[i].expected_cents));
        if (an[i].has_reported)
            tv_set_str(a, "reported", payments_money(r, an[i].reported_cents));
        tv_set_str(a, "receipt_id", an[i].receipt_id);
        tv_set_str(a, "created", time_rome_display(&r->arena, an[i].created_at));
        if (*an[i].resolved_at) {
            tv_set_str(a, "resolved", time_rome_display(&r->arena, an[i].resolved_at));
            tv_set_str(a, "resolved_by", an[i].resolved_by);
            tv_set_str(a, "resolution", an[i].resolution);
        } else if (can_write) {
            tv_set_str(a, "resolve_action",
                       payments_href(r, arena_printf(&r->arena, "/anomalie/%lld/chiudi",
                                                     (long long)an[i].id)));
            tv_set_strf(a, "field_id", "resolution-%lld", (long long)an[i].id);
        }
        tv_set_str(a, "csrf", tv_get_str(d, "csrf"));
    }
    page_render(r, w, status, tmpl_office_payments, d);
}

static void office_payments(struct req *r, struct resp *w)
{
    payments_page(r, w, 200, NULL, NULL);
}

static const char *payments_actor(struct req *r)
{
    return arena_printf(&r->arena, "staff:%s", r->user.email);
}

static void office_payment_refresh(struct req *r, struct resp *w)
{
    const char *id_s = req_param(r, 0);
    char *end;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    struct db *db = store_db();
    struct payment_position p;
    if (!db || id <= 0 || *end || payment_find(db, &r->arena, r->tenant.id, id, 0, &p) != 1) {
        page_error(r, w, db ? 404 : 500);
        return;
    }
    struct payment_report rep = {0};
    int rc = payment_refresh(db, &r->tenant, id, payments_actor(r), &rep);
    if (rc != 0) {
        payments_page(r, w, 200,
                      page_tr(r,
                              N_("pagoPA could not be asked about notice {notice}: the "
                                 "position keeps its status and will be checked again."),
                              "notice", p.notice_number, NULL),
                      "warning");
        return;
    }
    payments_page(r, w, 200,
                  page_tr(r,
                          rep.credited ? N_("Notice {notice}: paid, the family's credit has "
                                            "been topped up.")
                          : rep.parked ? N_("Notice {notice}: the receipt does not match and "
                                            "has been parked for checking.")
                                       : N_("Notice {notice}: status brought up to date."),
                          "notice", p.notice_number, NULL),
                  rep.parked ? "warning" : "success");
}

static void office_payments_reconcile(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    struct payment_report rep = {0};
    int rc = payment_reconcile(db, &r->tenant, &rep);
    char counts[160];
    snprintf(counts, sizeof(counts), "%zu", rep.checked);
    char credited[32], parked[32];
    snprintf(credited, sizeof(credited), "%zu", rep.credited);
    snprintf(parked, sizeof(parked), "%zu", rep.parked);
    payments_page(r, w, 200,
                  page_tr(r,
                          rc == 0 ? N_("Reconciliation done: {checked} positions checked, "
                                       "{credited} credited, {parked} parked for checking.")
                                  : N_("Reconciliation incomplete: pagoPA did not answer every "
                                       "request ({checked} positions checked, {credited} "
                                       "credited, {parked} parked). It will be tried again."),
                          "checked", counts, "credited", credited, "parked", parked, NULL),
                  rc == 0 ? "success" : "warning");
}

static void office_anomaly_resolve(struct req *r, struct resp *w)
{
    const char *id_s = req_param(r, 0);
    char *end;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    const char *resolution = req_field(r, "resolution");
    struct db *db = store_db();
    if (!db || id <= 0 || *end) {
        page_error(r, w, db ? 404 : 500);
        return;
    }
    size_t len = resolution ? strlen(resolution) : 0;
    if (len < 5 || len > 500) {
        payments_page(r, w, 422,
                      tr(r->lang, N_("Write what was done to close the case (5 to 500 "
                                     "characters).")),
                      "danger");
        return;
    }
    if (db_begin(db) != DB_OK) {
        page_error(r, w, 500);
        return;
    }
    int rc = payment_anomaly_resolve(db, r->tenant.id, id, resolution, r->user.email);
    if (rc != 0 || db_commit(db) != DB_OK) {
        db_rollback(db);
        if (rc == 1) {
            page_error(r, w, 404);
            return;
        }
        page_error(r, w, 500);
        return;
    }
    payments_page(r, w, 200, tr(r->lang, N_("The case is closed.")), "success");
}

/* ---- settings ------------------------------------------------------------------------------ */

/* "20,00; 50,00" to cents; false with a message. */
static bool payments_euro_list(const char *text, int64_t *out, size_t max, size_t *n,
                               bool allow_negative)
{
    *n = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", text ? text : "");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        while (*tok == ' ')
            tok++;
        if (!*tok)
            continue;
        int64_t cents;
        if (money_parse(tok, &cents, NULL) != MONEY_OK || *n == max ||
            (!allow_negative && cents <= 0))
            return false;
        out[(*n)++] = cents;
    }
    return *n > 0;
}

static const char *payments_euro_list_text(struct req *r, const int64_t *v, size_t n)
{
    char out[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char m[MONEY_TEXT_SIZE];
        money_format_plain(v[i], m);
        used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? "; " : "", m);
        if (used >= sizeof(out))
            break;
    }
    return arena_strdup(&r->arena, out);
}

static const struct field_spec settings_fields[] = {
    {"segregation_code", field_text, 2, true}, {"creditor_iban", field_text, 40, false},
    {"postal_account", field_text, 12, false}, {"postal_iban", field_text, 40, false},
    {"cbill_code", field_text, 5, false},      {"topup_amounts", field_text, 120, true},
    {"topup_min", field_text, 20, true},       {"topup_max", field_text, 20, true},
    {"due_days", field_text, 3, true},         {"thresholds", field_text, 120, false},
};

static void payments_settings_page(struct req *r, struct resp *w, int status, bool done,
                                   const struct payment_settings *s)
{
    struct tv *d = page_new(r, N_("Payment settings"));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Payments"), payments_href(r, ""));
    page_crumb(r, d, N_("Payment settings"), NULL);
    office_nav(r, d, "payments");
    if (!page_form_begin(r, w, d, status == 422 ? N_("Check the highlighted fields.") : NULL))
        return;
    tv_set_bool(d, "done", done);
    tv_set_str(d, "form_action", payments_href(r, "/impostazioni"));
    tv_set_str(d, "back_href", payments_href(r, ""));
    struct {
        const char *name, *label, *help, *value;
    } f[] = {
        {"segregation_code", N_("Segregation code"),
         N_("Two digits given by pagoPA; every notice number of the municipality starts with 3 "
            "and this code."),
         NULL},
        {"creditor_iban", N_("IBAN of the municipality's account"), NULL, NULL},
        {"postal_account", N_("Postal account number"),
         N_("When given, notices carry the Poste slip with its DataMatrix code."), NULL},
        {"postal_iban", N_("IBAN of the postal account"), NULL, NULL},
        {"cbill_code", N_("CBILL code"), N_("Up to 5 capital letters or digits; may be empty."),
         NULL},
        {"topup_amounts", N_("Top-up amounts offered"),
         N_("In euro, separated by semicolons, e.g. 20,00; 50,00; 100,00."), NULL},
        {"topup_min", N_("Minimum top-up"), N_("In euro, e.g. 10,00."), NULL},
        {"topup_max", N_("Maximum top-up"), N_("In euro, e.g. 500,00."), NULL},
        {"due_days", N_("Days to pay a notice"), N_("From 1 to 365."), NULL},
        {"thresholds", N_("Balance alert thresholds"),
         N_("In euro, separated by semicolons: the family gets an e-mail each time its balance "
            "falls to or below one, e.g. 15,00; 0,00; -15,00 (a debt of 15 euro)."),
         NULL},
    };
    if (s) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%d", s->segregation_code);
        f[0].value = arena_strdup(&r->arena, buf);
        f[1].value = s->creditor_iban;
        f[2].value = s->postal_account;
        f[3].value = s->postal_iban;
        f[4].value = s->cbill_code;
        f[5].value = payments_euro_list_text(r, s->topup_amounts, s->ntopup_amounts);
        money_format_plain(s->topup_min_cents, buf);
        f[6].value = arena_strdup(&r->arena, buf);
        money_format_plain(s->topup_max_cents, buf);
        f[7].value = arena_strdup(&r->arena, buf);
        snprintf(buf, sizeof(buf), "%d", s->due_days);
        f[8].value = arena_strdup(&r->arena, buf);
        f[9].value = payments_euro_list_text(r, s->thresholds, s->nthresholds);
    }
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        struct tv *fld =
            page_field(r, d, "fields", f[i].name, f[i].label, "text", "off", f[i].help);
        if (f[i].value)
            tv_set_str(fld, "value", f[i].value);
    }
    page_render(r, w, status, tmpl_office_payment_settings, d);
}

static void office_payment_settings(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct payment_settings s;
    if (!db || payment_settings_get(db, r->tenant.id, &s) != 0) {
        page_error(r, w, 500);
        return;
    }
    payments_settings_page(r, w, 200, false, &s);
}

static int64_t payments_euro(struct req *r, const char *name)
{
    static const struct euro_rules euro = {
        .not_amount = N_("This is not an amount in euro: type it like 35,00."),
    };
    int64_t cents = 0;
    const char *err = field_euro_parse(&euro, req_field(r, name), &cents);
    if (err) {
        req_set_field_error(r, name, err);
        return 0;
    }
    return cents;
}

static void office_payment_settings_save(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct payment_settings s;
    if (!db || payment_settings_get(db, r->tenant.id, &s) != 0) {
        page_error(r, w, 500);
        return;
    }
    char *end;
    const char *seg = req_field(r, "segregation_code");
    long v = seg ? strtol(seg, &end, 10) : -1;
    if (!seg || !*seg || *end)
        req_set_field_error(r, "segregation_code", N_("Enter a segregation code from 0 to 99."));
    s.segregation_code = (int)v;
    snprintf(s.creditor_iban, sizeof(s.creditor_iban), "%s", req_field(r, "creditor_iban") ?: "");
    snprintf(s.postal_account, sizeof(s.postal_account), "%s",
             req_field(r, "postal_account") ?: "");
    snprintf(s.postal_iban, sizeof(s.postal_iban), "%s", req_field(r, "postal_iban") ?: "");
    snprintf(s.cbill_code, sizeof(s.cbill_code), "%s", req_field(r, "cbill_code") ?: "");
    for (char *p = s.creditor_iban; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    for (char *p = s.postal_iban; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (!payments_euro_list(req_field(r, "topup_amounts"), s.topup_amounts, PAYMENT_AMOUNTS_MAX,
                            &s.ntopup_amounts, false))
        req_set_field_error(r, "topup_amounts",
                            N_("Write one to six amounts in euro separated by semicolons, e.g. "
                               "20,00; 50,00."));
    s.topup_min_cents = payments_euro(r, "topup_min");
    s.topup_max_cents = payments_euro(r, "topup_max");
    const char *days = req_field(r, "due_days");
    long dd = days ? strtol(days, &end, 10) : 0;
    if (!days || !*days || *end)
        req_set_field_error(r, "due_days", N_("Enter a number of days from 1 to 365."));
    s.due_days = (int)dd;
    const char *thr = req_field(r, "thresholds");
    if (thr && *thr) {
        if (!payments_euro_list(thr, s.thresholds, PAYMENT_THRESHOLDS_MAX, &s.nthresholds, true))
            req_set_field_error(r, "thresholds",
                                N_("Write up to five amounts in euro separated by semicolons, "
                                   "e.g. 15,00; 0,00; -15,00."));
    } else {
        s.nthresholds = 0;
    }
    if (!r->has_errors) {
        const char *field = NULL, *msg = NULL;
        if (db_begin(db) != DB_OK) {
            page_error(r, w, 500);
            return;
        }
        int rc = payment_settings_save(db, r->tenant.id, &s, r->user.email, &field, &msg);
        if (rc == 0 && db_commit(db) == DB_OK) {
            payments_settings_page(r, w, 200, true, NULL);
            return;
        }
        db_rollback(db);
        if (rc < 0) {
            page_error(r, w, 500);
            return;
        }
        req_set_field_error(r, field, msg);
    }
    payments_settings_page(r, w, 422, false, NULL);
}

static const struct field_spec filter_fields[] = {
    {"stato", field_token, 16, false}, {"dal", field_day, 10, false},
    {"al", field_day, 10, false},      {"q", field_text, 64, false},
    {"pagina", field_token, 6, false},
};
static const struct field_spec resolve_fields[] = {
    {"resolution", field_text, 500, true},
};

const struct route payments_routes[] = {
    {HTTP_GET, "/ufficio/pagamenti", PAYMENTS_WRITE | ROLE_GESTORE, ROUTE_FIELDS(filter_fields),
     office_payments, 0},
    {HTTP_POST, "/ufficio/pagamenti/riconcilia", PAYMENTS_WRITE, NULL, 0, office_payments_reconcile,
     0},
    {HTTP_POST, "/ufficio/pagamenti/{id}/aggiorna", PAYMENTS_WRITE, NULL, 0, office_payment_refresh,
     0},
    {HTTP_POST, "/ufficio/pagamenti/anomalie/{id}/chiudi", PAYMENTS_WRITE,
     ROUTE_FIELDS(resolve_fields), office_anomaly_resolve, 0},
    {HTTP_GET, "/ufficio/pagamenti/impostazioni", PAYMENTS_WRITE, NULL, 0, office_payment_settings,
     0},
    {HTTP_POST, "/ufficio/pagamenti/impostazioni", PAYMENTS_WRITE, ROUTE_FIELDS(settings_fields),
     office_payment_settings_save, 0},
    {0},
};
