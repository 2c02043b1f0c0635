/* The family's account: pupils, contacts, password change, e-mail change with a code. */
#include <string.h>

#include "app/family/enroll.h"
#include "app/family/family.h"
#include "domain/money.h"
#include "services/ledger.h"
#include "services/payment.h"
#include "domain/password_policy.h"
#include "services/email_verify.h"
#include "services/guardian.h"
#include "store/store.h"
#include "util/time.h"
#include "util/time_local.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

/* Every family page but the password change waits until a temporary password is replaced. */
static bool family_must_change_password(struct req *r, struct resp *w)
{
    if (!r->family.password_temporary)
        return false;
    resp_redirect(w, 303, family_href(r, "/password"));
    return true;
}

struct tv *family_page(struct req *r, const char *title)
{
    struct tv *d = page_new(r, title);
    page_crumb(r, d, N_("Your account"), family_href(r, "/"));
    page_nav(r, d, N_("Your account"), family_href(r, "/"), !strcmp(title, N_("Your account")));
    return d;
}

/* The family's enrollments, and what it can do in the open campaigns: renew each pupil, enroll
   another child. */
static int family_home_enrollments(struct req *r, struct tv *d, struct db *db,
                                   const struct pupil_summary *pupils, size_t npupils)
{
    struct enrollment *list;
    size_t n;
    struct campaign *camps;
    size_t nc;
    if (enrollment_list_for_guardian(db, &r->arena, r->tenant.id, r->family.id, &list, &n) != 0 ||
        campaign_list(db, &r->arena, r->tenant.id, &camps, &nc) != 0)
        return -1;
    int64_t balance = 0;
    if (ledger_balance(db, r->tenant.id, r->family.id, &balance) != 0)
        return -1;
    char bal[32];
    money_format(balance, bal);
    tv_set_str(d, "balance", bal);
    tv_set_bool(d, "in_debt", balance < 0);
    int64_t pending = 0;
    if (payment_pending_total(db, r->tenant.id, r->family.id, &pending) != 0)
        return -1;
    if (pending > 0) {
        money_format(pending, bal);
        tv_set_str(d, "pending", bal);
    }
    struct wallet wallet;
    if (ledger_wallet(db, r->tenant.id, r->family.id, &wallet) != 0)
        return -1;
    if (wallet.suspended) {
        tv_set_str(d, "suspended_on", time_date_display(&r->arena, wallet.suspended_notice_on));
        tv_set_str(d, "suspended_reason", wallet.suspended_reason);
    }
    struct tv *rows = tv_set_list(d, "enrollments");
    for (size_t i = 0; i < n; i++) {
        if (list[i].status == ENROLLMENT_WITHDRAWN)
            continue;
        struct tv *row = tv_push_dict(rows);
        tv_set_str(row, "pupil",
                   arena_printf(&r->arena, "%s %s", list[i].pupil_name, list[i].pupil_surname));
        tv_set_str(row, "year", list[i].school_year_label);
        tv_set_str(row, "school", list[i].school_name);
        tv_set_str(row, "class", list[i].class_name);
        tv_set_str(row, "status", enrollment_status_name(list[i].status));
        tv_set_str(row, "status_label", tr(r->lang, enrollment_status_label(list[i].status)));
        tv_set_str(row, "href", enroll_app_href(r, list[i].id, ""));
    }
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct tv *open = tv_set_list(d, "open_campaigns");
    for (size_t c = 0; c < nc; c++) {
        if (campaign_window_at(&camps[c], now) != CAMPAIGN_OPEN)
            continue;
        struct tv *oc = tv_push_dict(open);
        tv_set_str(oc, "title", camps[c].title);
        tv_set_str(oc, "id", arena_printf(&r->arena, "%lld", (long long)camps[c].id));
        if (campaign_accepts(&camps[c], "new"))
            tv_set_str(
                oc, "new_href",
                enroll_href(r, arena_printf(&r->arena, "/%lld/nuova", (long long)camps[c].id)));
        if (!campaign_accepts(&camps[c], "renewal"))
            continue;
        struct tv *ren = tv_set_list(oc, "renewals");
        for (size_t p = 0; p < npupils; p++) {
            bool has = false;
            for (size_t i = 0; i < n; i++)
                if (list[i].campaign_id == camps[c].id && list[i].pupil_id == pupils[p].id &&
                    list[i].status != ENROLLMENT_WITHDRAWN)
                    has = true;
            if (has)
                continue;
            struct tv *x = tv_push_dict(ren);
            tv_set_str(x, "pupil",
                       arena_printf(&r->arena, "%s %s", pupils[p].name, pupils[p].surname));
            tv_set_str(x, "pupil_id", arena_printf(&r->arena, "%lld", (long long)pupils[p].id));
        }
    }
    tv_set_str(d, "renew_action", family_href(r, "/rinnova"));
    return 0;
}

void family_home(struct req *r, struct resp *w)
{
    if (family_must_change_password(r, w))
        return;
    struct db *db = store_db();
    struct pupil_summary *pupils = NULL;
    size_t n = 0;
    if (!db || guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &pupils, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Your account"));
    page_crumb(r, d, N_("Your account"), NULL);
    page_nav(r, d, N_("Your account"), family_href(r, "/"), true);
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *g = tv_set_dict(d, "family");
    tv_set_str(g, "name", arena_printf(&r->arena, "%s %s", r->family.name, r->family.surname));
    tv_set_str(g, "user_code", r->family.user_code);
    tv_set_str(g, "fiscal_code", r->family.fiscal_code);
    tv_set_str(g, "email", r->family.email);
    tv_set_bool(g, "email_verified", r->family.email_verified);
    tv_set_str(g, "mobile", r->family.mobile);
    tv_set_str(g, "address", r->family.address);
    struct tv *list = tv_set_list(d, "pupils");
    for (size_t i = 0; i < n; i++) {
        struct tv *p = tv_push_dict(list);
        tv_set_str(p, "name", arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname));
        tv_set_str(p, "fiscal_code", pupils[i].fiscal_code);
        tv_set_str(p, "badge_code", pupils[i].badge_code);
        int y, m, dd;
        if (time_parse_date(pupils[i].birth_date, &y, &m, &dd))
            tv_set_strf(p, "birth_date", "%02d/%02d/%04d", dd, m, y);
    }
    tv_set_str(d, "email_href", family_href(r, "/email"));
    tv_set_str(d, "password_href", family_href(r, "/password"));
    if (family_home_enrollments(r, d, db, pupils, n) != 0) {
        page_error(r, w, 500);
        return;
    }
    page_render(r, w, 200, tmpl_family_home, d);
}

static void family_password_page(struct req *r, struct resp *w, int status, bool done)
{
    struct tv *d = family_page(r, N_("Change password"));
    page_crumb(r, d, N_("Change password"), NULL);
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_bool(d, "temporary", r->family.password_temporary);
    tv_set_bool(d, "done", done);
    if (!r->family.password_temporary)
        page_field(r, d, "fields", "current", N_("Current password"), "password",
                   "current-password", NULL);
    page_field(r, d, "fields", "password", N_("New password"), "password", "new-password",
               N_("At least 10 characters; not your codice fiscale nor a common password."));
    page_field(r, d, "fields", "confirm", N_("Repeat the new password"), "password", "new-password",
               NULL);
    tv_set_str(d, "form_action", family_href(r, "/password"));
    tv_set_str(d, "home_href", family_href(r, "/"));
    page_render(r, w, status, tmpl_family_password, d);
}

void family_password_form(struct req *r, struct resp *w)
{
    family_password_page(r, w, 200, false);
}

void family_password_submit(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *pw = req_field(r, "password"), *confirm = req_field(r, "confirm");
    if (!r->family.password_temporary) {
        const char *current = req_field(r, "current");
        if (!current || !*current)
            req_set_field_error(r, "current", N_("This field is required."));
        else if (!guardian_verify_password(db, &r->arena, r->tenant.id, r->family.id, current))
            req_set_field_error(r, "current", N_("The current password is not right."));
    }
    if (pw && confirm && strcmp(pw, confirm) != 0)
        req_set_field_error(r, "confirm", N_("The two passwords are different."));
    enum password_policy_err pe =
        pw ? password_policy_check(pw, r->family.fiscal_code, r->family.email) : PASSWORD_POLICY_OK;
    if (pe != PASSWORD_POLICY_OK)
        req_set_field_error(r, "password", password_policy_message(pe));
    if (r->has_errors) {
        family_password_page(r, w, 422, false);
        return;
    }
    enum guardian_err e = guardian_set_password(db, &r->arena, r->tenant.id, r->family.id, pw,
                                                false, r->family.user_code);
    if (e != GUARDIAN_OK) {
        page_error(r, w, 500);
        return;
    }
    r->family.password_temporary = false;
    family_password_page(r, w, 200, true);
}

/* step: "ask" (enter the address), "code" (enter the code sent), "done". */
static void family_email_page(struct req *r, struct resp *w, int status, const char *step,
                              const char *email, const char *notice)
{
    struct tv *d = family_page(r, N_("Change e-mail address"));
    page_crumb(r, d, N_("Change e-mail address"), NULL);
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_bool(d, "step_ask", !strcmp(step, "ask"));
    tv_set_bool(d, "step_code", !strcmp(step, "code"));
    tv_set_bool(d, "step_done", !strcmp(step, "done"));
    tv_set_str(d, "notice", notice);
    tv_set_str(d, "email", email);
    tv_set_str(d, "current_email", r->family.email);
    if (!strcmp(step, "ask"))
        page_field(r, d, "fields", "email", N_("New e-mail address"), "email", "email", NULL);
    else if (!strcmp(step, "code"))
        tv_set_str(page_field(r, d, "fields", "code", N_("Code received by e-mail"), "text",
                              "one-time-code", N_("Six digits. The code is valid for 15 minutes.")),
                   "inputmode", "numeric");
    tv_set_str(d, "send_action", family_href(r, "/email"));
    tv_set_str(d, "verify_action", family_href(r, "/email/codice"));
    tv_set_str(d, "home_href", family_href(r, "/"));
    page_render(r, w, status, tmpl_family_email, d);
}

void family_email_form(struct req *r, struct resp *w)
{
    if (family_must_change_password(r, w))
        return;
    family_email_page(r, w, 200, "ask", NULL, NULL);
}

struct family_email_ctx {
    struct req *r;
    enum email_verify_result result;
    long wait;
};

static int family_email_send_tx(struct db *db, void *arg)
{
    struct family_email_ctx *c = arg;
    c->result = email_verify_send(db, &c->r->arena, &c->r->tenant, c->r->session_hash,
                                  req_field(c->r, "email"), c->r->lang, &c->wait);
    return c->result == EMAIL_VERIFY_ERROR ? -1 : 0;
}

void family_email_send(struct req *r, struct resp *w)
{
    if (family_must_change_password(r, w))
        return;
    if (r->has_errors) {
        family_email_page(r, w, 422, "ask", NULL, NULL);
        return;
    }
    const char *email = req_field(r, "email");
    struct db *db = store_db();
    struct family_email_ctx c = {.r = r};
    if (!db || store_tx(db, family_email_send_tx, &c) != 0) {
        page_error(r, w, 500);
        return;
    }
    const char *masked = email_verify_mask(&r->arena, email);
    const char *notice =
        c.result == EMAIL_VERIFY_TOO_SOON
            ? page_tr(r,
                      N_("A code was sent to {email} less than a minute ago. You can ask for a "
                         "new one in {seconds} seconds."),
                      "email", masked, "seconds", arena_printf(&r->arena, "%ld", c.wait), NULL)
            : page_tr(r, N_("Code sent to {email}."), "email", masked, NULL);
    family_email_page(r, w, 200, "code", email, notice);
}

void family_email_verify(struct req *r, struct resp *w)
{
    if (family_must_change_password(r, w))
        return;
    const char *email = req_field(r, "email");
    if (!email) {
        family_email_page(r, w, 422, "ask", NULL, NULL);
        return;
    }
    if (!req_field(r, "code")) {
        family_email_page(r, w, 422, "code", email, NULL);
        return;
    }
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    int left = 0;
    enum email_verify_result res =
        email_verify_check(db, r->tenant.id, r->session_hash, email, req_field(r, "code"), &left);
    switch (res) {
    case EMAIL_VERIFY_OK:
        if (guardian_set_email(db, r->tenant.id, r->family.id, email) != GUARDIAN_OK)
            break;
        r->family.email = email;
        family_email_page(r, w, 200, "done", email, NULL);
        return;
    case EMAIL_VERIFY_WRONG:
        req_set_field_error(r, "code",
                            page_tr(r, N_("Wrong code: {left} attempts left."), "left",
                                    arena_printf(&r->arena, "%d", left), NULL));
        family_email_page(r, w, 422, "code", email, NULL);
        return;
    case EMAIL_VERIFY_EXPIRED:
        req_set_field_error(r, "code", N_("Code expired: ask for a new one."));
        family_email_page(r, w, 422, "code", email, NULL);
        return;
    case EMAIL_VERIFY_EXHAUSTED:
        req_set_field_error(r, "code", N_("Too many wrong attempts: ask for a new code."));
        family_email_page(r, w, 422, "code", email, NULL);
        return;
    case EMAIL_VERIFY_NO_CODE:
        family_email_page(r, w, 422, "ask", NULL,
                          tr(r->lang, N_("No code was sent to this address: ask for one.")));
        return;
    case EMAIL_VERIFY_SENT:
    case EMAIL_VERIFY_TOO_SOON:
    case EMAIL_VERIFY_ERROR:
        break;
    }
    page_error(r, w, 500);
}
