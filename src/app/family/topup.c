/*
 * The family's top-ups (/famiglie/ricariche): the form (a fixed amount or another one, for the
 * family or one child; pay online now or a notice to pay later), the list of payment positions,
 * one position with its notice PDF, the hand-over to pagoPA Checkout and the return from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/family/family.h"
#include "app/handlers.h"
#include "docs/doc.h"
#include "docs/notice.h"
#include "domain/money.h"
#include "domain/pagopa_notice.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/payment.h"
#include "services/payment_settings.h"
#include "store/store.h"
#include "templates.h"
#include "util/log.h"
#include "util/time_local.h"
#include "web/download.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"

static const struct field_spec topup_fields[] = {
    {"amount", field_token, 20, false},
    {"other_amount", field_text, 20, false},
    {"pupil", field_token, 20, false},
    {"action", field_token, 10, false},
};

static struct tv *topup_money(struct req *r, struct tv *d, const char *key, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    tv_set_str(d, key, text);
    return d;
}

static void topup_position_data(struct req *r, struct tv *p, const struct payment_position *pos)
{
    char notice[PAGOPA_NOTICE_FORMATTED_SIZE];
    pagopa_notice_format(pos->notice_number, notice);
    tv_set_str(p, "notice", notice);
    tv_set_str(p, "iuv", pos->iuv);
    topup_money(r, p, "amount", pos->amount_cents);
    tv_set_str(p, "description", pos->description);
    tv_set_str(p, "pupil", pos->pupil_name);
    tv_set_str(p, "created", time_rome_display(&r->arena, pos->created_at));
    tv_set_str(p, "due", time_date_display(&r->arena, pos->due_date));
    tv_set_str(p, "status_label", tr(r->lang, payment_status_label(pos)));
    tv_set_str(p, "badge", payment_status_badge(pos));
    tv_set_bool(p, "awaiting", payment_awaiting_confirmation(pos));
    tv_set_bool(p, "open", !strcmp(pos->status, "open"));
    tv_set_bool(p, "paid", !strcmp(pos->status, "paid"));
    tv_set_bool(p, "failed", !strcmp(pos->status, "failed"));
    tv_set_bool(p, "creating", !strcmp(pos->status, "creating"));
    if (*pos->paid_at)
        tv_set_str(p, "paid_at", time_rome_display(&r->arena, pos->paid_at));
    tv_set_str(p, "receipt_id", pos->receipt_id);
    tv_set_str(p, "psp", pos->psp);
    tv_set_str(p, "href",
               family_href(r, arena_printf(&r->arena, "/ricariche/%lld", (long long)pos->id)));
}

static void topup_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    struct payment_settings s;
    struct pupil_summary *pupils = NULL;
    size_t npupils = 0;
    struct wallet wallet;
    int64_t pending = 0;
    if (!db || payment_settings_get(db, r->tenant.id, &s) != 0 ||
        guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &pupils, &npupils) != 0 ||
        ledger_wallet(db, r->tenant.id, r->family.id, &wallet) != 0 ||
        payment_pending_total(db, r->tenant.id, r->family.id, &pending) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = family_page(r, N_("Top up your credit"));
    page_crumb(r, d, N_("Top up your credit"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    topup_money(r, d, "balance", wallet.balance_cents);
    tv_set_bool(d, "in_debt", wallet.balance_cents < 0);
    if (pending > 0)
        topup_money(r, d, "pending", pending);
    tv_set_bool(d, "enabled", payment_enabled());
    tv_set_bool(d, "online", payment_enabled());
    tv_set_str(d, "form_action", family_href(r, "/ricariche"));
    tv_set_str(d, "statement_href", family_href(r, "/conto"));
    const char *chosen = req_field(r, "amount");
    struct tv *amounts = tv_set_list(d, "amounts");
    for (size_t i = 0; i < s.ntopup_amounts; i++) {
        struct tv *a = tv_push_dict(amounts);
        char value[32];
        snprintf(value, sizeof(value), "%lld", (long long)s.topup_amounts[i]);
        tv_set_str(a, "value", value);
        topup_money(r, a, "label", s.topup_amounts[i]);
        tv_set_bool(a, "checked", chosen ? !strcmp(chosen, value) : i == 0);
    }
    tv_set_bool(d, "other_checked", chosen && !strcmp(chosen, "other"));
    topup_money(r, d, "min", s.topup_min_cents);
    topup_money(r, d, "max", s.topup_max_cents);
    const char *pupil_sel = req_field(r, "pupil");
    struct tv *pl = tv_set_list(d, "pupils");
    for (size_t i = 0; i < npupils; i++) {
        struct tv *p = tv_push_dict(pl);
        char id[32];
        snprintf(id, sizeof(id), "%lld", (long long)pupils[i].id);
        tv_set_str(p, "id", id);
        tv_set_str(p, "name", arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname));
        tv_set_bool(p, "selected", pupil_sel && !strcmp(pupil_sel, id));
    }
    struct payment_filter f = {.guardian_id = r->family.id, .page = 1, .per_page = 50};
    struct payment_position *rows;
    size_t n;
    int64_t total;
    if (payment_list(db, &r->arena, r->tenant.id, &f, &rows, &n, &total) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *list = tv_set_list(d, "positions");
    for (size_t i = 0; i < n; i++)
        topup_position_data(r, tv_push_dict(list), &rows[i]);
    page_render(r, w, status, tmpl_family_topup, d);
}

static void topup_form(struct req *r, struct resp *w)
{
    topup_page(r, w, 200, NULL);
}

/* The amount chosen or typed, or 0 with a field error set. */
static int64_t topup_amount(struct req *r, const struct payment_settings *s)
{
    const char *choice = req_field(r, "amount");
    const char *other = req_field(r, "other_amount");
    int64_t cents = 0;
    bool typed = other && *other;
    if (choice && strcmp(choice, "other") != 0 && !typed) {
        char *end;
        long long v = strtoll(choice, &end, 10);
        for (size_t i = 0; !*end && i < s->ntopup_amounts; i++)
            if (s->topup_amounts[i] == v)
                cents = v;
        if (!cents)
            req_set_field_error(r, "amount", N_("Choose one of the amounts."));
        return cents;
    }
    if (!typed) {
        req_set_field_error(r, choice ? "other_amount" : "amount",
                            choice ? N_("Type the amount, for example 35,00.")
                                   : N_("Choose an amount or type another one."));
        return 0;
    }
    static const struct euro_rules euro = {
        .not_amount = N_("This is not an amount in euro: type it like 35,00."),
    };
    const char *bad = field_euro_parse(&euro, other, &cents);
    if (bad) {
        req_set_field_error(r, "other_amount", bad);
        return 0;
    }
    const char *problem = payment_amount_problem(s, cents);
    if (problem) {
        req_set_field_error(r, "other_amount", problem);
        return 0;
    }
    return cents;
}

/* Send the family to pagoPA Checkout for the open position p: true after the redirect; false
   with *msg set when Checkout could not be asked (nothing answered yet). */
static bool topup_checkout(struct req *r, struct resp *w, const struct payment_position *p,
                           const char **msg)
{
    const char *base = arena_printf(&r->arena, "/ricariche/%lld/esito", (long long)p->id);
    const char *ok =
        page_absolute_url(r, family_href(r, arena_printf(&r->arena, "%s?esito=ok", base)));
    const char *cancel =
        page_absolute_url(r, family_href(r, arena_printf(&r->arena, "%s?esito=annullato", base)));
    const char *error =
        page_absolute_url(r, family_href(r, arena_printf(&r->arena, "%s?esito=errore", base)));
    char location[GPD_URL_MAX];
    if (payment_checkout(&r->tenant, p, r->family.email, ok, cancel, error, location,
                         sizeof(location), msg) != 0)
        return false;
    resp_redirect(w, 303, location);
    return true;
}

static void topup_submit(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct payment_settings s;
    if (!db || payment_settings_get(db, r->tenant.id, &s) != 0) {
        page_error(r, w, 500);
        return;
    }
    int64_t cents = topup_amount(r, &s);
    const char *pupil_s = req_field(r, "pupil");
    int64_t pupil_id = 0;
    if (pupil_s && *pupil_s) {
        char *end;
        pupil_id = strtoll(pupil_s, &end, 10);
        if (*end || pupil_id < 0) {
            req_set_field_error(r, "pupil",
                                N_("Choose one of your children, or the whole family."));
            pupil_id = 0;
        }
    }
    if (r->has_errors) {
        topup_page(r, w, 422, N_("Check the highlighted fields."));
        return;
    }
    int64_t id = 0;
    const char *msg = NULL;
    enum payment_err e =
        payment_topup(db, &r->arena, &r->tenant, r->family.id, pupil_id, cents,
                      arena_printf(&r->arena, "family:%s", r->family.user_code), &id, &msg);
    if (e == PAYMENT_INVALID) {
        req_set_field_error(
            r, pupil_id && msg && strstr(msg, "children") ? "pupil" : "other_amount", msg);
        topup_page(r, w, 422, N_("Check the highlighted fields."));
        return;
    }
    if (e == PAYMENT_DISABLED || (e == PAYMENT_ERROR && !id)) {
        topup_page(r, w, e == PAYMENT_DISABLED ? 503 : 500,
                   msg ? msg : N_("Something went wrong on our side: try again."));
        return;
    }
    const char *action = req_field(r, "action");
    const char *next = arena_printf(&r->arena, "/ricariche/%lld", (long long)id);
    if (e == PAYMENT_OK && action && !strcmp(action, "online")) {
        /* Straight to pagoPA; if Checkout does not answer, the position page offers the button
           again and the notice. */
        struct payment_position p;
        const char *cmsg = NULL;
        if (payment_find(db, &r->arena, r->tenant.id, id, r->family.id, &p) == 1 &&
            topup_checkout(r, w, &p, &cmsg))
            return;
        next = arena_printf(&r->arena, "/ricariche/%lld?vai=paga", (long long)id);
    } else if (e == PAYMENT_DEFERRED)
        next = arena_printf(&r->arena, "/ricariche/%lld?esito=rinviata", (long long)id);
    else if (e == PAYMENT_REFUSED)
        next = arena_printf(&r->arena, "/ricariche/%lld?esito=rifiutata", (long long)id);
    resp_redirect(w, 303, family_href(r, next));
}

/* The position of the URL, the family's own; false after answering 404/500. */
static bool topup_load(struct req *r, struct resp *w, struct payment_position *p)
{
    const char *id_s = req_param(r, 0);
    char *end;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return false;
    }
    if (id <= 0 || *end || payment_find(db, &r->arena, r->tenant.id, id, r->family.id, p) != 1) {
        page_error(r, w, 404);
        return false;
    }
    return true;
}

static void topup_position_page(struct req *r, struct resp *w, int status,
                                const struct payment_position *pos, const char *message,
                                const char *kind)
{
    struct tv *d = family_page(r, N_("Payment"));
    page_crumb(r, d, N_("Top up your credit"), family_href(r, "/ricariche"));
    page_crumb(r, d, N_("Payment"), NULL);
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *p = tv_set_dict(d, "p");
    topup_position_data(r, p, pos);
    tv_set_str(d, "notice", tv_get_str(p, "notice"));
    tv_set_str(d, "amount", tv_get_str(p, "amount"));
    tv_set_str(d, "paid_at", tv_get_str(p, "paid_at"));
    const char *base = arena_printf(&r->arena, "/ricariche/%lld", (long long)pos->id);
    tv_set_str(d, "notice_href", family_href(r, arena_printf(&r->arena, "%s/avviso.pdf", base)));
    tv_set_str(d, "pay_action", family_href(r, arena_printf(&r->arena, "%s/paga", base)));
    if (!strcmp(pos->status, "open") || !strcmp(pos->status, "creating"))
        tv_set_str(d, "refresh_action",
                   family_href(r, arena_printf(&r->arena, "%s/aggiorna", base)));
    tv_set_bool(d, "online", payment_enabled());
    tv_set_str(d, "back_href", family_href(r, "/ricariche"));
    if (message) {
        tv_set_str(d, "message", tr(r->lang, message));
        tv_set_str(d, "message_kind", kind ? kind : "info");
    }
    page_render(r, w, status, tmpl_family_topup_position, d);
}

static void topup_show(struct req *r, struct resp *w)
{
    struct payment_position p;
    if (!topup_load(r, w, &p))
        return;
    const char *outcome = req_query(r, "esito");
    const char *go = req_query(r, "vai");
    const char *msg = NULL, *kind = "info";
    if (go && !strcmp(go, "paga") && !strcmp(p.status, "open"))
        msg = N_("The pagoPA payment page is not answering right now. Try again in a few "
                 "minutes, or download the payment notice."),
        kind = "warning";
    else if (outcome && !strcmp(outcome, "rinviata"))
        msg = N_("The pagoPA system is not answering right now: your top-up has been saved and "
                 "will be sent as soon as it answers. Try again in a few minutes."),
        kind = "warning";
    else if (outcome && !strcmp(outcome, "rifiutata"))
        msg = N_("The pagoPA system refused this top-up. The office has been told; you can try "
                 "again or contact the office."),
        kind = "danger";
    else if (outcome && !strcmp(outcome, "annullato"))
        msg = N_("You left the payment page without paying. Nothing was charged.");
    else if (outcome && !strcmp(outcome, "errore"))
        msg = N_("The payment did not go through. Nothing was charged: you can try again."),
        kind = "danger";
    topup_position_page(r, w, 200, &p, msg, kind);
}

static void topup_notice_pdf(struct req *r, struct resp *w)
{
    struct payment_position p;
    if (!topup_load(r, w, &p))
        return;
    if (strcmp(p.status, "open") != 0 && strcmp(p.status, "paid") != 0) {
        page_error(r, w, 404);
        return;
    }
    struct db *db = store_db();
    struct payment_settings s;
    if (payment_settings_get(db, r->tenant.id, &s) != 0) {
        page_error(r, w, 500);
        return;
    }
    const void *logo;
    size_t logo_len;
    app_tenant_logo(r, &logo, &logo_len);
    struct notice_doc n = {
        .lang = "it",
        .creditor_name = r->tenant.name,
        .creditor_fiscal_code = r->tenant.fiscal_code,
        .creditor_sector = tr("it", N_("School meal service")),
        .creditor_info = arena_printf(&r->arena, "%s %s %s", r->tenant.address, r->tenant.website,
                                      r->tenant.phone),
        .logo_png = logo,
        .logo_len = logo_len,
        .debtor_name = p.guardian_name,
        .debtor_fiscal_code = p.guardian_fiscal_code,
        .debtor_address = r->family.address,
        .subject = p.description,
        .amount_cents = p.amount_cents,
        .due_date = p.due_date,
        .notice_number = p.notice_number,
        .cbill_code = s.cbill_code,
        .postal_account = s.postal_account,
    };
    struct buf pdf;
    buf_init(&pdf, DOC_PDF_MAX);
    char err[DOC_ERR_MAX];
    if (notice_render_pdf(&n, &pdf, err, sizeof(err)) != 0) {
        log_error("payment notice PDF failed", "iupd", p.iupd, "error", err);
        buf_free(&pdf);
        page_error(r, w, 500);
        return;
    }
    resp_download(r, w, "application/pdf",
                  arena_printf(&r->arena, "avviso-pagopa-%s.pdf", p.notice_number), pdf.data,
                  pdf.len, false);
    buf_free(&pdf);
}

static void topup_pay(struct req *r, struct resp *w)
{
    struct payment_position p;
    if (!topup_load(r, w, &p))
        return;
    if (strcmp(p.status, "open") != 0) {
        topup_position_page(r, w, 409, &p, N_("This payment cannot be paid online now."),
                            "warning");
        return;
    }
    const char *msg = NULL;
    if (!topup_checkout(r, w, &p, &msg))
        topup_position_page(r, w, 503, &p, msg, "warning");
}

/* Back from pagoPA Checkout. "ok" means the family paid: the position is marked so the family
   sees "awaiting confirmation", and GPD is asked at once. */
static void topup_return(struct req *r, struct resp *w)
{
    struct payment_position p;
    if (!topup_load(r, w, &p))
        return;
    const char *outcome = req_query(r, "esito");
    struct db *db = store_db();
    const char *next = arena_printf(&r->arena, "/ricariche/%lld", (long long)p.id);
    if (outcome && !strcmp(outcome, "ok")) {
        payment_mark_returned(db, r->tenant.id, p.id, r->family.id);
        payment_refresh(db, &r->tenant, p.id,
                        arena_printf(&r->arena, "family:%s", r->family.user_code), NULL);
    } else if (outcome && (!strcmp(outcome, "annullato") || !strcmp(outcome, "errore"))) {
        next = arena_printf(&r->arena, "%s?esito=%s", next, outcome);
    }
    resp_redirect(w, 303, family_href(r, next));
}

static void topup_refresh(struct req *r, struct resp *w)
{
    struct payment_position p;
    if (!topup_load(r, w, &p))
        return;
    struct db *db = store_db();
    payment_refresh(db, &r->tenant, p.id, arena_printf(&r->arena, "family:%s", r->family.user_code),
                    NULL);
    resp_redirect(w, 303,
                  family_href(r, arena_printf(&r->arena, "/ricariche/%lld", (long long)p.id)));
}

const struct route topup_routes[] = {
    {HTTP_GET, "/famiglie/ricariche", ROLE_FAMILY, NULL, 0, topup_form, 0},
    {HTTP_POST, "/famiglie/ricariche", ROLE_FAMILY, ROUTE_FIELDS(topup_fields), topup_submit, 0},
    {HTTP_GET, "/famiglie/ricariche/{id}", ROLE_FAMILY, NULL, 0, topup_show, 0},
    {HTTP_GET, "/famiglie/ricariche/{id}/avviso.pdf", ROLE_FAMILY, NULL, 0, topup_notice_pdf, 0},
    {HTTP_POST, "/famiglie/ricariche/{id}/paga", ROLE_FAMILY, NULL, 0, topup_pay, 0},
    {HTTP_GET, "/famiglie/ricariche/{id}/esito", ROLE_FAMILY, NULL, 0, topup_return, 0},
    {HTTP_POST, "/famiglie/ricariche/{id}/aggiorna", ROLE_FAMILY, NULL, 0, topup_refresh, 0},
    {0},
};
