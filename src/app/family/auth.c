/* Family sign-in and sign-out, and the forgotten-password link. */
#include <string.h>

#include "app/family/family.h"
#include "app/handlers.h"
#include "domain/password_policy.h"
#include "services/audit.h"
#include "services/guardian.h"
#include "services/password_reset.h"
#include "services/throttle.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"
#include "web/session.h"

const char *family_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/famiglie%s", r->tenant.slug, path);
}

static void family_login_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct tv *d = page_new(r, N_("Family sign-in"));
    page_crumb(r, d, N_("Family sign-in"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    page_field(r, d, "fields", "login", N_("User code or your child's codice fiscale"), "text",
               "username", N_("The user code is on the credentials letter you received."));
    page_field(r, d, "fields", "password", N_("Password"), "password", "current-password", NULL);
    tv_set_str(d, "form_action", family_href(r, "/accedi"));
    tv_set_str(d, "forgot_href", family_href(r, "/password-dimenticata"));
    page_render(r, w, status, tmpl_family_login, d);
}

void family_login_form(struct req *r, struct resp *w)
{
    if (r->family_signed_in) {
        resp_redirect(w, 303, family_href(r, "/"));
        return;
    }
    family_login_page(r, w, 200, NULL);
}

void family_login_submit(struct req *r, struct resp *w)
{
    if (r->has_errors) {
        family_login_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    }
    struct db *db = store_db();
    const char *login = req_field(r, "login");
    const char *key = guardian_login_key(&r->arena, login);
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (!key) {
        family_login_page(r, w, 422,
                          tr(r->lang, N_("Wrong user code, codice fiscale or password.")));
        return;
    }
    if (!app_throttle_allows(r, w, db, key, family_login_page,
                             N_("This account is locked after too many failed attempts. Call or "
                                "write to the office to unlock it.")))
        return;
    struct guardian g;
    enum guardian_auth a = guardian_authenticate(db, &r->arena, r->tenant.id, login,
                                                 req_field(r, "password"), r->client_addr, &g);
    if (a == GUARDIAN_AUTH_ERROR) {
        page_error(r, w, 500);
        return;
    }
    if (a != GUARDIAN_AUTH_OK) {
        if (throttle_failure(db, r->tenant.id, key, r->client_addr) != 0) {
            page_error(r, w, 500);
            return;
        }
        family_login_page(r, w, 422,
                          tr(r->lang, a == GUARDIAN_AUTH_DISABLED
                                          ? N_("This account is disabled. Contact the office.")
                                          : N_("Wrong user code, codice fiscale or password.")));
        return;
    }
    if (throttle_success(db, r->tenant.id, key) != 0 || session_start_family(r, w, g.id) != 0) {
        page_error(r, w, 500);
        return;
    }
    /* A temporary password must be changed before anything else. */
    resp_redirect(w, 303, family_href(r, g.password_temporary ? "/password" : "/"));
}

void family_logout(struct req *r, struct resp *w)
{
    app_sign_out(r, w, arena_printf(&r->arena, "/%s/", r->tenant.slug));
}

static void family_forgot_page(struct req *r, struct resp *w, int status, bool sent)
{
    struct tv *d = page_new(r, N_("Forgotten password"));
    page_crumb(r, d, N_("Family sign-in"), family_href(r, "/accedi"));
    page_crumb(r, d, N_("Forgotten password"), NULL);
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_bool(d, "sent", sent);
    tv_set_int(d, "minutes", PASSWORD_RESET_MINUTES);
    page_field(r, d, "fields", "login", N_("User code or your child's codice fiscale"), "text",
               "username", NULL);
    tv_set_str(d, "form_action", family_href(r, "/password-dimenticata"));
    tv_set_str(d, "signin_href", family_href(r, "/accedi"));
    page_render(r, w, status, tmpl_family_forgot, d);
}

void family_forgot_form(struct req *r, struct resp *w)
{
    family_forgot_page(r, w, 200, false);
}

static int family_forgot_tx(struct db *db, void *arg)
{
    struct req *r = arg;
    return password_reset_request(db, &r->arena, &r->tenant, req_field(r, "login"),
                                  page_absolute_url(r, family_href(r, "/reimposta")), r->lang);
}

void family_forgot_submit(struct req *r, struct resp *w)
{
    if (r->has_errors) {
        family_forgot_page(r, w, 422, false);
        return;
    }
    struct db *db = store_db();
    if (!db || store_tx(db, family_forgot_tx, r) != 0) {
        page_error(r, w, 500);
        return;
    }
    /* The same answer whether or not the account exists. */
    family_forgot_page(r, w, 200, true);
}

static void family_reset_page(struct req *r, struct resp *w, int status, const char *token,
                              bool valid, bool done)
{
    struct tv *d = page_new(r, N_("Choose a new password"));
    page_crumb(r, d, N_("Choose a new password"), NULL);
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_bool(d, "valid", valid);
    tv_set_bool(d, "done", done);
    tv_set_str(d, "token", token);
    page_field(r, d, "fields", "password", N_("New password"), "password", "new-password",
               N_("At least 10 characters; not your codice fiscale nor a common password."));
    page_field(r, d, "fields", "confirm", N_("Repeat the new password"), "password", "new-password",
               NULL);
    tv_set_str(d, "form_action", family_href(r, "/reimposta"));
    tv_set_str(d, "forgot_href", family_href(r, "/password-dimenticata"));
    tv_set_str(d, "signin_href", family_href(r, "/accedi"));
    page_render(r, w, status, tmpl_family_reset, d);
}

void family_reset_form(struct req *r, struct resp *w)
{
    const char *token = req_field(r, "token");
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    enum password_reset_result res =
        token ? password_reset_peek(db, r->tenant.id, token) : PASSWORD_RESET_INVALID;
    if (res == PASSWORD_RESET_ERROR) {
        page_error(r, w, 500);
        return;
    }
    family_reset_page(r, w, res == PASSWORD_RESET_OK ? 200 : 410, token, res == PASSWORD_RESET_OK,
                      false);
}

struct family_reset_ctx {
    struct req *r;
    enum password_reset_result result;
    int64_t guardian_id;
};

static int family_reset_tx(struct db *db, void *arg)
{
    struct family_reset_ctx *c = arg;
    c->result = password_reset_use(db, &c->r->arena, c->r->tenant.id, req_field(c->r, "token"),
                                   req_field(c->r, "password"), &c->guardian_id);
    return c->result == PASSWORD_RESET_OK ? 0 : -1;
}

void family_reset_submit(struct req *r, struct resp *w)
{
    const char *token = req_field(r, "token");
    if (r->has_errors || strcmp(req_field(r, "password") ? req_field(r, "password") : "",
                                req_field(r, "confirm") ? req_field(r, "confirm") : "")) {
        if (!r->has_errors)
            req_set_field_error(r, "confirm", N_("The two passwords are different."));
        family_reset_page(r, w, 422, token, token != NULL, false);
        return;
    }
    struct db *db = store_db();
    struct family_reset_ctx c = {.r = r};
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    store_tx(db, family_reset_tx, &c);
    switch (c.result) {
    case PASSWORD_RESET_OK:
        family_reset_page(r, w, 200, NULL, false, true);
        return;
    case PASSWORD_RESET_POLICY: {
        struct guardian g;
        const char *msg = N_("Choose a different password.");
        if (guardian_find_by_id(db, &r->arena, r->tenant.id, c.guardian_id, &g) == 1)
            msg = password_policy_message(
                password_policy_check(req_field(r, "password"), g.fiscal_code, g.email));
        req_set_field_error(r, "password", msg);
        family_reset_page(r, w, 422, token, true, false);
        return;
    }
    case PASSWORD_RESET_INVALID:
        family_reset_page(r, w, 410, NULL, false, false);
        return;
    case PASSWORD_RESET_ERROR:
        break;
    }
    page_error(r, w, 500);
}
