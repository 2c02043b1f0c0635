#include "app/staff_signin.h"

#include "app/handlers.h"
#include "services/staff.h"
#include "services/throttle.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"

const char *signin_login_key(struct req *r, const struct signin_area *a, const char *email)
{
    return arena_printf(&r->arena, "%s:%s", a->key_prefix, staff_email_normalize(&r->arena, email));
}

void signin_password_submit(struct req *r, struct resp *w, const struct signin_area *a)
{
    if (r->has_errors) {
        a->login_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    }
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *key = signin_login_key(r, a, req_field(r, "email"));
    if (!app_throttle_allows(r, w, db, key, a->login_page, a->locked_msgid))
        return;
    struct staff_user user;
    enum staff_auth auth = staff_authenticate(db, &r->arena, a->tenant_id, req_field(r, "email"),
                                              req_field(r, "password"), r->client_addr, &user);
    struct staff_security sec;
    switch (auth) {
    case STAFF_AUTH_OK: {
        /* The role is checked even where the tenant already implies it. */
        if (!(user.role & a->roles) ||
            staff_security_get(db, &r->arena, a->tenant_id, user.id, &sec) != 1 ||
            throttle_success(db, a->tenant_id, key) != 0)
            break;
        bool change = sec.password_temporary && a->password_href;
        if (session_start_staff(r, w, user.id, sec.totp_enabled || change) != 0)
            break;
        resp_redirect(w, 303,
                      sec.totp_enabled ? a->code_href
                      : change         ? a->password_href
                                       : a->home_href);
        return;
    }
    case STAFF_AUTH_BAD:
        if (throttle_failure(db, a->tenant_id, key, r->client_addr) != 0)
            break;
        a->login_page(r, w, 422, tr(r->lang, N_("Wrong e-mail address or password.")));
        return;
    case STAFF_AUTH_DISABLED:
        a->login_page(r, w, 422, tr(r->lang, a->disabled_msgid));
        return;
    case STAFF_AUTH_ERROR:
        break;
    }
    page_error(r, w, 500);
}

/* The pending staff member with their security state; false (and a redirect) when there is
   none, or when the pending step is not the code. */
static bool signin_pending(struct req *r, struct resp *w, const struct signin_area *a,
                           struct staff_user *u, struct staff_security *sec)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return false;
    }
    if (!r->mfa_staff_id ||
        staff_find_by_id(db, &r->arena, a->tenant_id, r->mfa_staff_id, u) != 1 || u->disabled ||
        !(u->role & a->roles) || staff_security_get(db, &r->arena, a->tenant_id, u->id, sec) != 1) {
        resp_redirect(w, 303, a->signin_href);
        return false;
    }
    if (!sec->totp_enabled) {
        resp_redirect(w, 303, a->password_href ? a->password_href : a->signin_href);
        return false;
    }
    return true;
}

void signin_code_form(struct req *r, struct resp *w, const struct signin_area *a)
{
    struct staff_user u;
    struct staff_security sec;
    if (signin_pending(r, w, a, &u, &sec))
        a->code_page(r, w, 200, NULL);
}

void signin_code_submit(struct req *r, struct resp *w, const struct signin_area *a)
{
    struct staff_user u;
    struct staff_security sec;
    if (!signin_pending(r, w, a, &u, &sec))
        return;
    if (r->has_errors) {
        a->code_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    }
    struct db *db = store_db();
    const char *key = signin_login_key(r, a, u.email);
    if (!app_throttle_allows(r, w, db, key, a->code_page, a->locked_msgid))
        return;
    struct staff_actor who = {u.id, u.email, r->client_addr};
    enum staff_err e = staff_totp_check(db, &r->arena, a->tenant_id, &who, req_field(r, "code"));
    if (e == STAFF_ERR_CODE) {
        if (throttle_failure(db, a->tenant_id, key, r->client_addr) != 0) {
            page_error(r, w, 500);
            return;
        }
        a->code_page(r, w, 422,
                     tr(r->lang, N_("This code is not valid or has already been used. Wait for "
                                    "the next code in the app and type it in.")));
        return;
    }
    /* A temporary password (a reset removes the second factor, so both at once is rare) is
       changed right after, in the full session. */
    if (e != STAFF_OK || throttle_success(db, a->tenant_id, key) != 0 ||
        session_mfa_complete(r, w) != 0) {
        page_error(r, w, 500);
        return;
    }
    resp_redirect(w, 303,
                  sec.password_temporary && a->password_href ? a->password_href : a->home_href);
}
