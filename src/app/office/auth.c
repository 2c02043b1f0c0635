/*
 * Staff sign-in and sign-out for the back office: e-mail + password with throttling (per login
 * name and per client address, services/throttle.h), then, when the account has one, the TOTP
 * second step (/ufficio/accedi/codice), and the forced change of a temporary password
 * (/ufficio/password). Between the password and those steps the session is "pending"
 * (session_start_staff with mfa_pending): it opens no staff page, only these two steps.
 */
#include "app/office/staff.h"

#include <string.h>

#include "app/handlers.h"
#include "app/staff_signin.h"
#include "services/audit.h"
#include "services/throttle.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"

static const char *office_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio%s", r->tenant.slug, path);
}

#define OFFICE_LOCKED_MSG                                                                          \
    N_("This account is locked after too many failed attempts. Ask an administrator of the "       \
       "office to unlock it.")

static void office_code_page(struct req *r, struct resp *w, int status, const char *form_error);
static struct signin_area office_signin_area(struct req *r);

static void office_login_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct tv *d = page_new(r, N_("Staff sign-in"));
    page_crumb(r, d, N_("Staff sign-in"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "form_action", office_href(r, "/accedi"));
    page_render(r, w, status, tmpl_office_login, d);
}

void office_login_form(struct req *r, struct resp *w)
{
    if (r->signed_in) {
        resp_redirect(w, 303, office_href(r, "/"));
        return;
    }
    office_login_page(r, w, 200, NULL);
}

void office_login_submit(struct req *r, struct resp *w)
{
    struct signin_area a = office_signin_area(r);
    signin_password_submit(r, w, &a);
}

/* ---- second step: the TOTP code ------------------------------------------------------- */

static void office_code_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct tv *d = page_new(r, N_("Verification code"));
    page_crumb(r, d, N_("Staff sign-in"), office_href(r, "/accedi"));
    page_crumb(r, d, N_("Verification code"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "form_action", office_href(r, "/accedi/codice"));
    tv_set_str(d, "restart_href", office_href(r, "/accedi"));
    page_render(r, w, status, tmpl_office_login_code, d);
}

/* The back office as a sign-in area (app/staff_signin.h). */
static struct signin_area office_signin_area(struct req *r)
{
    struct signin_area a = {
        .tenant_id = r->tenant.id,
        .key_prefix = "staff",
        .roles = ROLE_ANY_STAFF,
        .locked_msgid = OFFICE_LOCKED_MSG,
        .disabled_msgid = N_("This account is disabled. Ask your administrator to enable it."),
        .signin_href = office_href(r, "/accedi"),
        .code_href = office_href(r, "/accedi/codice"),
        .home_href = office_href(r, "/"),
        .password_href = office_href(r, "/password"),
        .login_page = office_login_page,
        .code_page = office_code_page,
    };
    return a;
}

/* The pending staff member, with their security state; false (and a redirect to the sign-in)
   when there is none. */
static bool office_pending(struct req *r, struct resp *w, struct staff_user *u,
                           struct staff_security *sec)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return false;
    }
    if (r->mfa_staff_id && staff_find_by_id(db, &r->arena, r->tenant.id, r->mfa_staff_id, u) == 1 &&
        !u->disabled && staff_security_get(db, &r->arena, r->tenant.id, u->id, sec) == 1)
        return true;
    resp_redirect(w, 303, office_href(r, "/accedi"));
    return false;
}

void office_code_form(struct req *r, struct resp *w)
{
    struct signin_area a = office_signin_area(r);
    signin_code_form(r, w, &a);
}

void office_code_submit(struct req *r, struct resp *w)
{
    struct signin_area a = office_signin_area(r);
    signin_code_submit(r, w, &a);
}

/* ---- password change (forced after a temporary password, or from the profile) ---------- */

/* err_field/err_msgid: a problem the handler found in one field (NULL when none). */
static void office_password_page(struct req *r, struct resp *w, int status, const char *form_error,
                                 bool forced, const char *err_field, const char *err_msgid)
{
    struct tv *d = page_new(r, N_("Choose a new password"));
    page_crumb(r, d, N_("Choose a new password"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    if (err_field)
        page_field_error(r, d, err_field, err_msgid);
    tv_set_bool(d, "forced", forced);
    tv_set_str(d, "form_action", office_href(r, "/password"));
    if (!forced)
        page_field(r, d, "fields", "current_password", N_("Current password"), "password",
                   "current-password", NULL);
    page_field(r, d, "fields", "new_password", N_("New password"), "password", "new-password",
               N_("At least 10 characters. Avoid common passwords and your e-mail address."));
    page_field(r, d, "fields", "confirm_password", N_("Repeat the new password"), "password",
               "new-password", NULL);
    page_render(r, w, status, tmpl_office_password_change, d);
}

/* Who may change their password here: a pending session with a temporary password (forced), or
   a signed-in staff member. */
static bool office_password_who(struct req *r, struct resp *w, struct staff_user *u, bool *forced)
{
    if (r->signed_in) {
        *u = r->user;
        struct staff_security sec;
        struct db *db = store_db();
        if (!db || staff_security_get(db, &r->arena, r->tenant.id, u->id, &sec) != 1) {
            page_error(r, w, 500);
            return false;
        }
        *forced = sec.password_temporary;
        return true;
    }
    struct staff_security sec;
    if (!office_pending(r, w, u, &sec))
        return false;
    if (sec.totp_enabled || !sec.password_temporary) {
        /* The code comes first; without a temporary password there is nothing to do here. */
        resp_redirect(w, 303, office_href(r, sec.totp_enabled ? "/accedi/codice" : "/accedi"));
        return false;
    }
    *forced = true;
    return true;
}

void office_password_form(struct req *r, struct resp *w)
{
    struct staff_user u;
    bool forced;
    /* The fields are declared for their limits; nothing was submitted yet. */
    for (size_t i = 0; r->errors && i < r->route->nfields; i++)
        r->errors[i] = NULL;
    if (office_password_who(r, w, &u, &forced))
        office_password_page(r, w, 200, NULL, forced, NULL, NULL);
}

void office_password_submit(struct req *r, struct resp *w)
{
    struct staff_user u;
    bool forced;
    if (!office_password_who(r, w, &u, &forced))
        return;
    const char *new_password = req_field(r, "new_password");
    const char *confirm = req_field(r, "confirm_password");
    const char *current = forced ? NULL : req_field(r, "current_password");
    if (r->has_errors || (!forced && !current)) {
        office_password_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")), forced,
                             NULL, NULL);
        return;
    }
    const char *check = tr(r->lang, N_("Check the fields marked below."));
    if (!confirm || strcmp(new_password, confirm) != 0) {
        office_password_page(r, w, 422, check, forced, "confirm_password",
                             N_("The two passwords are different: type the same one twice."));
        return;
    }
    struct db *db = store_db();
    struct staff_actor who = {u.id, u.email, r->client_addr};
    enum password_policy_err why = PASSWORD_POLICY_OK;
    enum staff_err e =
        db ? staff_change_password(db, &r->arena, r->tenant.id, &who, current, new_password, &why)
           : STAFF_ERR_DB;
    switch (e) {
    case STAFF_OK:
        if (!r->signed_in && session_mfa_complete(r, w) != 0)
            break;
        resp_redirect(w, 303,
                      office_href(r, r->signed_in && !forced ? "/profilo?esito=password" : "/"));
        return;
    case STAFF_ERR_CURRENT:
        office_password_page(r, w, 422, check, forced, "current_password",
                             N_("The current password is wrong."));
        return;
    case STAFF_ERR_POLICY:
        office_password_page(r, w, 422, check, forced, "new_password",
                             password_policy_message(why));
        return;
    case STAFF_ERR_SAME:
        office_password_page(r, w, 422, check, forced, "new_password",
                             N_("Choose a password different from the current one."));
        return;
    default:
        break;
    }
    page_error(r, w, 500);
}

void office_logout(struct req *r, struct resp *w)
{
    app_sign_out(r, w, arena_printf(&r->arena, "/%s/", r->tenant.slug));
}
