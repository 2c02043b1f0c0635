/*
 * Back-office staff administration and the TOTP second factor: the office's list of staff
 * accounts (role, status, second factor), creating an account (a temporary password goes out by
 * e-mail), disabling, enabling and password resets; and each staff member's profile, where they
 * change their password and turn the second factor on (QR code served as SVG from our own URL,
 * never cached, plus the secret as text for manual entry) or off. Owns staff_routes, which also
 * carries the sign-in's second step and the forced password change (handlers in auth.c).
 */
#include "app/office/staff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/totp.h"
#include "services/staff.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/qr_svg.h"
#include "web/route.h"

/* ---- fields ------------------------------------------------------------------------------- */

const char *field_totp_code(struct arena *a, const char *in, const char **out)
{
    char *c = arena_alloc(a, strlen(in) + 1);
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9')
            return N_("Type the 6 digits shown in the authenticator app.");
        c[n++] = *p;
    }
    c[n] = '\0';
    if (n != TOTP_DIGITS)
        return N_("Type the 6 digits shown in the authenticator app.");
    *out = c;
    return NULL;
}

static const char *field_staff_role(struct arena *a, const char *in, const char **out)
{
    enum role role;
    if (!staff_role_parse(in, &role) || role == ROLE_SUPERADMIN)
        return N_("Choose one of the roles listed.");
    *out = in;
    return NULL;
}

static const struct field_spec code_fields[] = {
    {"code", field_totp_code, STAFF_CODE_CHARS, true},
};

static const struct field_spec password_fields[] = {
    {"current_password", field_secret, 1024, false},
    {"new_password", field_secret, 1024, true},
    {"confirm_password", field_secret, 1024, true},
};

static const struct field_spec staff_new_fields[] = {
    {"name", field_text, STAFF_NAME_MAX, true},
    {"email", field_email, STAFF_EMAIL_MAX, true},
    {"role", field_staff_role, 16, true},
};

const struct route staff_routes[] = {
    {HTTP_GET, "/ufficio/accedi/codice", 0, NULL, 0, office_code_form, 0},
    {HTTP_POST, "/ufficio/accedi/codice", 0, ROUTE_FIELDS(code_fields), office_code_submit, 0},
    {HTTP_GET, "/ufficio/password", 0, ROUTE_FIELDS(password_fields), office_password_form, 0},
    {HTTP_POST, "/ufficio/password", 0, ROUTE_FIELDS(password_fields), office_password_submit, 0},

    {HTTP_GET, "/ufficio/personale", ROLE_ADMIN, NULL, 0, office_staff_list, 0},
    {HTTP_GET, "/ufficio/personale/nuovo", ROLE_ADMIN, ROUTE_FIELDS(staff_new_fields),
     office_staff_new_form, 0},
    {HTTP_POST, "/ufficio/personale/nuovo", ROLE_ADMIN, ROUTE_FIELDS(staff_new_fields),
     office_staff_new_submit, 0},
    {HTTP_POST, "/ufficio/personale/{id}/disattiva", ROLE_ADMIN, NULL, 0, office_staff_disable, 0},
    {HTTP_POST, "/ufficio/personale/{id}/riattiva", ROLE_ADMIN, NULL, 0, office_staff_enable, 0},
    {HTTP_POST, "/ufficio/personale/{id}/reimposta-password", ROLE_ADMIN, NULL, 0,
     office_staff_reset_password, 0},

    {HTTP_GET, "/ufficio/profilo", ROLE_ANY_STAFF, NULL, 0, office_profile, 0},
    {HTTP_GET, "/ufficio/profilo/2fa.svg", ROLE_ANY_STAFF, NULL, 0, office_profile_totp_qr, 0},
    {HTTP_POST, "/ufficio/profilo/2fa", ROLE_ANY_STAFF, NULL, 0, office_profile_totp_begin, 0},
    {HTTP_POST, "/ufficio/profilo/2fa/conferma", ROLE_ANY_STAFF, ROUTE_FIELDS(code_fields),
     office_profile_totp_confirm, 0},
    {HTTP_POST, "/ufficio/profilo/2fa/disattiva", ROLE_ANY_STAFF, ROUTE_FIELDS(code_fields),
     office_profile_totp_disable, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *staff_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio%s", r->tenant.slug, path);
}

static struct staff_actor staff_me(const struct req *r)
{
    return (struct staff_actor){r->user.id, r->user.email, r->client_addr};
}

static struct staff_mail staff_mail_for(struct req *r)
{
    /* Staff accounts have no language of their own yet: the municipality's default. */
    return (struct staff_mail){&r->tenant, I18N_DEFAULT_LANG,
                               page_absolute_url(r, staff_href(r, "/accedi"))};
}

/* The outcome shown after a redirect (?esito=...): a fixed table, so nothing typed is echoed. */
static const struct {
    const char *token;
    const char *msgid;
    bool error;
} staff_outcomes[] = {
    {"creato", N_("The account was created and the temporary password was sent by e-mail."), false},
    {"disattivato", N_("The account was disabled."), false},
    {"riattivato", N_("The account was enabled again."), false},
    {"reimpostato",
     N_("A new temporary password was sent by e-mail. The second factor of the account was "
        "removed."),
     false},
    {"se-stesso", N_("You cannot disable your own account."), true},
    {"ultimo-admin", N_("This is the last active administrator: it cannot be disabled."), true},
    {"non-trovato", N_("This account does not exist."), true},
    {"password", N_("Your password was changed."), false},
    {"2fa-attiva", N_("Two-step verification is on."), false},
    {"2fa-disattivata", N_("Two-step verification is off."), false},
};

static void staff_outcome(struct req *r, struct tv *d)
{
    const char *t = req_query(r, "esito");
    if (!t)
        return;
    for (size_t i = 0; i < sizeof(staff_outcomes) / sizeof(staff_outcomes[0]); i++)
        if (!strcmp(t, staff_outcomes[i].token)) {
            struct tv *o = tv_set_dict(d, "outcome");
            tv_set_str(o, "message", tr(r->lang, staff_outcomes[i].msgid));
            tv_set_bool(o, "error", staff_outcomes[i].error);
        }
}

/* The {id} path parameter as a positive integer, or 0. */
static int64_t staff_param_id(const struct req *r)
{
    const char *s = req_param(r, 0);
    if (!s || !*s || strlen(s) > 18)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0 || s[0] == '+' || s[0] == '-')
        return 0;
    return (int64_t)v;
}

/* ---- staff administration ---------------------------------------------------------------- */

void office_staff_list(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct staff_row *rows;
    size_t n;
    bool more;
    if (!db || staff_list(db, &r->arena, r->tenant.id, &rows, &n, &more) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Staff"));
    page_crumb(r, d, N_("Back office"), staff_href(r, "/"));
    page_crumb(r, d, N_("Staff"), NULL);
    office_nav(r, d, "staff");
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    staff_outcome(r, d);
    tv_set_str(d, "new_href", staff_href(r, "/personale/nuovo"));
    tv_set_bool(d, "more", more);
    tv_set_int(d, "max", STAFF_LIST_MAX);
    struct tv *list = tv_set_list(d, "staff");
    for (size_t i = 0; i < n; i++) {
        const struct staff_row *s = &rows[i];
        struct tv *it = tv_push_dict(list);
        tv_set_str(it, "name", s->user.name);
        tv_set_str(it, "email", s->user.email);
        tv_set_str(it, "role_label", tr(r->lang, staff_role_label(s->user.role)));
        tv_set_bool(it, "disabled", s->user.disabled);
        tv_set_bool(it, "totp", s->totp_enabled);
        tv_set_bool(it, "temporary", s->password_temporary);
        tv_set_bool(it, "self", s->user.id == r->user.id);
        const char *base = arena_printf(&r->arena, "/personale/%lld", (long long)s->user.id);
        tv_set_str(it, "disable_href",
                   staff_href(r, arena_printf(&r->arena, "%s/disattiva", base)));
        tv_set_str(it, "enable_href", staff_href(r, arena_printf(&r->arena, "%s/riattiva", base)));
        tv_set_str(it, "reset_href",
                   staff_href(r, arena_printf(&r->arena, "%s/reimposta-password", base)));
    }
    page_render(r, w, 200, tmpl_office_staff_list, d);
}

/* err_field/err_msgid: a problem the service found in one field (NULL when none). */
static void staff_new_page(struct req *r, struct resp *w, int status, const char *form_error,
                           const char *err_field, const char *err_msgid)
{
    struct tv *d = page_new(r, N_("New staff account"));
    page_crumb(r, d, N_("Back office"), staff_href(r, "/"));
    page_crumb(r, d, N_("Staff"), staff_href(r, "/personale"));
    page_crumb(r, d, N_("New staff account"), NULL);
    office_nav(r, d, "staff");
    if (!page_form_begin(r, w, d, form_error))
        return;
    if (err_field)
        page_field_error(r, d, err_field, err_msgid);
    tv_set_str(d, "form_action", staff_href(r, "/personale/nuovo"));
    tv_set_str(d, "cancel_href", staff_href(r, "/personale"));
    page_field(r, d, "fields", "name", N_("Name and surname"), "text", "off", NULL);
    page_field(r, d, "fields", "email", N_("E-mail"), "email", "off",
               N_("The temporary password is sent to this address."));
    const char *chosen = req_field_raw(r, "role");
    struct tv *roles = tv_set_list(d, "roles");
    static const enum role choices[] = {ROLE_UFFICIO, ROLE_GESTORE, ROLE_CUCINA, ROLE_ADMIN};
    for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
        struct tv *o = tv_push_dict(roles);
        const char *name = staff_role_name(choices[i]);
        tv_set_str(o, "value", name);
        tv_set_str(o, "label", tr(r->lang, staff_role_label(choices[i])));
        tv_set_bool(o, "selected", chosen ? !strcmp(chosen, name) : i == 0);
    }
    page_render(r, w, status, tmpl_office_staff_new, d);
}

/* A form shown for the first time has no errors: its fields are declared (for their limits in
   the markup) but nothing was submitted yet. */
static void staff_forget_errors(struct req *r)
{
    for (size_t i = 0; r->errors && i < r->route->nfields; i++)
        r->errors[i] = NULL;
    r->has_errors = false;
}

void office_staff_new_form(struct req *r, struct resp *w)
{
    staff_forget_errors(r);
    staff_new_page(r, w, 200, NULL, NULL, NULL);
}

void office_staff_new_submit(struct req *r, struct resp *w)
{
    const char *check = tr(r->lang, N_("Check the fields marked below."));
    if (r->has_errors) {
        staff_new_page(r, w, 422, check, NULL, NULL);
        return;
    }
    struct db *db = store_db();
    enum role role = ROLE_CUCINA;
    staff_role_parse(req_field(r, "role"), &role);
    struct staff_actor me = staff_me(r);
    struct staff_mail m = staff_mail_for(r);
    int64_t id = 0;
    enum staff_err e = db ? staff_create_invited(db, &r->arena, &me, &m, req_field(r, "email"),
                                                 req_field(r, "name"), role, &id)
                          : STAFF_ERR_DB;
    switch (e) {
    case STAFF_OK:
        resp_redirect(w, 303, staff_href(r, "/personale?esito=creato"));
        return;
    case STAFF_ERR_DUPLICATE:
        staff_new_page(r, w, 422, check, "email",
                       N_("An account with this e-mail address already exists."));
        return;
    case STAFF_ERR_EMAIL:
        staff_new_page(r, w, 422, check, "email",
                       N_("Enter an e-mail address like name@example.it."));
        return;
    case STAFF_ERR_NAME:
        staff_new_page(r, w, 422, check, "name", N_("This is too long: please shorten it."));
        return;
    case STAFF_ERR_MAIL:
        staff_new_page(r, w, 422,
                       tr(r->lang, N_("The e-mail with the temporary password could not be "
                                      "prepared, so the account was not created. Try again.")),
                       NULL, NULL);
        return;
    default:
        break;
    }
    page_error(r, w, 500);
}

static void staff_set_disabled_page(struct req *r, struct resp *w, bool disabled)
{
    struct db *db = store_db();
    int64_t id = staff_param_id(r);
    struct staff_actor me = staff_me(r);
    enum staff_err e = !db   ? STAFF_ERR_DB
                       : !id ? STAFF_ERR_NOT_FOUND
                             : staff_set_disabled(db, r->tenant.id, &me, id, disabled);
    const char *outcome = NULL;
    switch (e) {
    case STAFF_OK:
        outcome = disabled ? "disattivato" : "riattivato";
        break;
    case STAFF_ERR_SELF:
        outcome = "se-stesso";
        break;
    case STAFF_ERR_LAST_ADMIN:
        outcome = "ultimo-admin";
        break;
    case STAFF_ERR_NOT_FOUND:
        outcome = "non-trovato";
        break;
    default:
        page_error(r, w, 500);
        return;
    }
    resp_redirect(w, 303, staff_href(r, arena_printf(&r->arena, "/personale?esito=%s", outcome)));
}

void office_staff_disable(struct req *r, struct resp *w)
{
    staff_set_disabled_page(r, w, true);
}

void office_staff_enable(struct req *r, struct resp *w)
{
    staff_set_disabled_page(r, w, false);
}

void office_staff_reset_password(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    int64_t id = staff_param_id(r);
    struct staff_actor me = staff_me(r);
    struct staff_mail m = staff_mail_for(r);
    enum staff_err e = !db   ? STAFF_ERR_DB
                       : !id ? STAFF_ERR_NOT_FOUND
                             : staff_reset_password(db, &r->arena, &me, &m, id);
    if (e == STAFF_OK || e == STAFF_ERR_NOT_FOUND) {
        resp_redirect(w, 303,
                      staff_href(r, e == STAFF_OK ? "/personale?esito=reimpostato"
                                                  : "/personale?esito=non-trovato"));
        return;
    }
    page_error(r, w, 500);
}

/* ---- own profile and the second factor --------------------------------------------------- */

/* "ABCDEFGH..." -> "ABCD EFGH ...", easier to copy by hand. */
static const char *staff_secret_groups(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + n / 4 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && i % 4 == 0)
            out[k++] = ' ';
        out[k++] = s[i];
    }
    out[k] = '\0';
    return out;
}

static void staff_profile_page(struct req *r, struct resp *w, int status, const char *code_error)
{
    struct db *db = store_db();
    struct staff_security sec;
    if (!db || staff_security_get(db, &r->arena, r->tenant.id, r->user.id, &sec) != 1) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("My profile"));
    page_crumb(r, d, N_("Back office"), staff_href(r, "/"));
    page_crumb(r, d, N_("My profile"), NULL);
    office_nav(r, d, "profile");
    if (!page_form_begin(r, w, d, NULL))
        return;
    if (code_error)
        page_field_error(r, d, "code", code_error);
    staff_outcome(r, d);
    struct tv *me = tv_set_dict(d, "me");
    tv_set_str(me, "name", r->user.name);
    tv_set_str(me, "email", r->user.email);
    tv_set_str(me, "role_label", tr(r->lang, staff_role_label(r->user.role)));
    tv_set_str(d, "password_href", staff_href(r, "/password"));
    tv_set_bool(d, "totp_on", sec.totp_enabled);
    tv_set_bool(d, "totp_pending", sec.totp_pending != NULL);
    if (sec.totp_pending)
        tv_set_str(d, "totp_secret", staff_secret_groups(&r->arena, sec.totp_pending));
    tv_set_str(d, "qr_src", staff_href(r, "/profilo/2fa.svg"));
    tv_set_str(d, "begin_action", staff_href(r, "/profilo/2fa"));
    tv_set_str(d, "confirm_action", staff_href(r, "/profilo/2fa/conferma"));
    tv_set_str(d, "disable_action", staff_href(r, "/profilo/2fa/disattiva"));
    page_render(r, w, status, tmpl_office_profile, d);
}

void office_profile(struct req *r, struct resp *w)
{
    staff_profile_page(r, w, 200, NULL);
}

void office_profile_totp_begin(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct staff_actor me = staff_me(r);
    const char *secret = NULL;
    enum staff_err e =
        db ? staff_totp_begin(db, &r->arena, r->tenant.id, &me, &secret) : STAFF_ERR_DB;
    if (e == STAFF_OK || e == STAFF_ERR_STATE) {
        resp_redirect(w, 303, staff_href(r, "/profilo#two-factor"));
        return;
    }
    page_error(r, w, 500);
}

static void staff_totp_outcome(struct req *r, struct resp *w, enum staff_err e, const char *outcome)
{
    switch (e) {
    case STAFF_OK:
        resp_redirect(w, 303, staff_href(r, arena_printf(&r->arena, "/profilo?esito=%s", outcome)));
        return;
    case STAFF_ERR_CODE:
        staff_profile_page(r, w, 422,
                           N_("This code is not valid or has already been used. Wait for the "
                              "next code in the app and type it in."));
        return;
    case STAFF_ERR_STATE:
        resp_redirect(w, 303, staff_href(r, "/profilo"));
        return;
    default:
        page_error(r, w, 500);
    }
}

void office_profile_totp_confirm(struct req *r, struct resp *w)
{
    if (r->has_errors) {
        staff_profile_page(r, w, 422, NULL);
        return;
    }
    struct db *db = store_db();
    struct staff_actor me = staff_me(r);
    enum staff_err e =
        db ? staff_totp_confirm(db, &r->arena, r->tenant.id, &me, req_field(r, "code"))
           : STAFF_ERR_DB;
    staff_totp_outcome(r, w, e, "2fa-attiva");
}

void office_profile_totp_disable(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct staff_security sec;
    if (!db || staff_security_get(db, &r->arena, r->tenant.id, r->user.id, &sec) != 1) {
        page_error(r, w, 500);
        return;
    }
    /* A pending enrolment is dropped without a code; an active factor needs one. */
    if (sec.totp_enabled && r->has_errors) {
        staff_profile_page(r, w, 422, NULL);
        return;
    }
    struct staff_actor me = staff_me(r);
    enum staff_err e = staff_totp_disable(db, &r->arena, r->tenant.id, &me, req_field(r, "code"));
    staff_totp_outcome(r, w, e, "2fa-disattivata");
}

void office_profile_totp_qr(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct staff_security sec;
    if (!db || staff_security_get(db, &r->arena, r->tenant.id, r->user.id, &sec) != 1) {
        page_error(r, w, 500);
        return;
    }
    /* Only during an enrolment: once confirmed, the secret is never shown again. */
    if (!sec.totp_pending) {
        page_error(r, w, 404);
        return;
    }
    char uri[TOTP_URI_MAX];
    const char *secret = sec.totp_pending;
    if (totp_uri(r->tenant.name, r->user.email, secret, uri, sizeof(uri)) < 0) {
        page_error(r, w, 500);
        return;
    }
    buf_reset(&w->body);
    int width = qr_svg_render(
        uri, tr(r->lang, N_("QR code to add this account to an authenticator app")), &w->body);
    explicit_bzero(uri, sizeof(uri));
    if (width < 0) {
        buf_reset(&w->body);
        page_error(r, w, 500);
        return;
    }
    w->status = 200;
    w->content_type = "image/svg+xml";
    resp_header(w, "Cache-Control", "no-store");
}
