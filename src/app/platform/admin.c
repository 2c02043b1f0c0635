/*
 * The platform's administration area (/piattaforma/): sign-in of the installation's super-admins,
 * the list of municipalities with their staff counts, and a new municipality with its first
 * administrator. Owns platform_routes.
 *
 * Sign-in throttling uses services/throttle.h under tenant 0, which the tables store as
 * tenant_id NULL (schema/sqlite/0005_platform.sql), with the key "superadmin:<e-mail>": the
 * platform's counters never mix with a municipality's, and a municipality's office cannot see
 * or lift a platform lock; `refettorio admin superadmin-unlock` does.
 */
#include "app/platform/admin.h"

#include <string.h>

#include "app/handlers.h"
#include "app/staff_signin.h"
#include "app/office/staff.h"
#include "domain/cf11.h"
#include "services/audit.h"
#include "services/platform.h"
#include "services/staff.h"
#include "services/throttle.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"
#include "web/session.h"

#define PLATFORM_TEXT_MAX    200 /* address, phone, opening hours */
#define PLATFORM_WEBSITE_MAX 200
#define PLATFORM_CF11_CHARS  16 /* 11 digits, with room for "IT" and spaces people type */

/* ---- fields ------------------------------------------------------------------------------- */

/* A municipality's address on this installation: lower-cased, then the slug rule. */
static const char *field_slug(struct arena *a, const char *in, const char **out)
{
    char *s = staff_email_normalize(a, in);
    if (!tenant_slug_valid(s))
        return N_("Use 2 to 40 lower-case letters, digits and hyphens, not starting with a "
                  "hyphen. Some words are reserved.");
    *out = s;
    return NULL;
}

static const char *field_tenant_name(struct arena *a, const char *in, const char **out)
{
    const char *err = field_text(a, in, out);
    if (!err && strlen(*out) < PLATFORM_NAME_MIN)
        return N_("The name must have at least 2 characters.");
    /* The route counts characters, the tenant table's check bytes: accents take two. */
    if (!err && strlen(*out) > PLATFORM_NAME_MAX)
        return N_("This is too long: please shorten it.");
    return err;
}

static const char *field_cf11(struct arena *a, const char *in, const char **out)
{
    struct cf11 cf;
    switch (cf11_parse(in, &cf)) {
    case CF11_OK:
        *out = arena_strdup(a, cf.normalized);
        return NULL;
    case CF11_BAD_CHECK:
    case CF11_ALL_ZERO:
        return N_("This codice fiscale is not valid: check the digits.");
    default:
        return N_("Enter the 11-digit codice fiscale of the municipality.");
    }
}

static const char *field_website(struct arena *a, const char *in, const char **out)
{
    const char *err = field_text(a, in, out);
    if (err)
        return err;
    const char *u = *out;
    bool https = !strncmp(u, "https://", 8), http = !strncmp(u, "http://", 7);
    const char *host = u + (https ? 8 : 7);
    if ((!https && !http) || !*host || *host == '/')
        return N_("Enter a web address starting with https://.");
    for (const char *p = u; *p; p++)
        if (*p == ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return N_("Enter a web address starting with https://.");
    return NULL;
}

static const struct field_spec login_fields[] = {
    {"email", field_email, STAFF_EMAIL_MAX, true},
    {"password", field_secret, 1024, true},
};

static const struct field_spec code_fields[] = {
    {"code", field_totp_code, STAFF_CODE_CHARS, true},
};

static const struct field_spec tenant_new_fields[] = {
    {"slug", field_slug, TENANT_SLUG_MAX, true},
    {"name", field_tenant_name, PLATFORM_NAME_MAX, true},
    {"fiscal_code", field_cf11, PLATFORM_CF11_CHARS, true},
    {"address", field_text, PLATFORM_TEXT_MAX, false},
    {"phone", field_text, PLATFORM_TEXT_MAX, false},
    {"email", field_email, STAFF_EMAIL_MAX, false},
    {"pec", field_email, STAFF_EMAIL_MAX, false},
    {"office_hours", field_text, PLATFORM_TEXT_MAX, false},
    {"website", field_website, PLATFORM_WEBSITE_MAX, false},
    {"admin_name", field_text, STAFF_NAME_MAX, true},
    {"admin_email", field_email, STAFF_EMAIL_MAX, true},
};

const struct route platform_routes[] = {
    {HTTP_GET, "/piattaforma/accedi", 0, NULL, 0, platform_login_form, ROUTE_PLATFORM},
    {HTTP_POST, "/piattaforma/accedi", 0, ROUTE_FIELDS(login_fields), platform_login_submit,
     ROUTE_PLATFORM},
    {HTTP_GET, "/piattaforma/accedi/codice", 0, NULL, 0, platform_code_form, ROUTE_PLATFORM},
    {HTTP_POST, "/piattaforma/accedi/codice", 0, ROUTE_FIELDS(code_fields), platform_code_submit,
     ROUTE_PLATFORM},
    {HTTP_POST, "/piattaforma/esci", ROLE_SUPERADMIN, NULL, 0, platform_logout, ROUTE_PLATFORM},
    {HTTP_GET, "/piattaforma/", ROLE_SUPERADMIN, NULL, 0, platform_tenants, ROUTE_PLATFORM},
    {HTTP_GET, "/piattaforma/comuni/nuovo", ROLE_SUPERADMIN, ROUTE_FIELDS(tenant_new_fields),
     platform_tenant_new_form, ROUTE_PLATFORM},
    {HTTP_POST, "/piattaforma/comuni/nuovo", ROLE_SUPERADMIN, ROUTE_FIELDS(tenant_new_fields),
     platform_tenant_new_submit, ROUTE_PLATFORM},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------ */

#define PLATFORM_HREF(path) ROUTE_PLATFORM_AREA path

static void platform_nav(struct req *r, struct tv *d, const char *current)
{
    page_crumb(r, d, N_("Platform administration"),
               !strcmp(current, "home") ? NULL : PLATFORM_HREF(""));
    page_nav(r, d, N_("Municipalities"), PLATFORM_HREF(""), !strcmp(current, "home"));
    page_nav(r, d, N_("New municipality"), PLATFORM_HREF("comuni/nuovo"), !strcmp(current, "new"));
}

/* A form shown for the first time has no errors: its fields are declared (for their limits in
   the markup) but nothing was submitted yet. */
static void platform_forget_errors(struct req *r)
{
    for (size_t i = 0; r->errors && i < r->route->nfields; i++)
        r->errors[i] = NULL;
    r->has_errors = false;
}

/* ---- sign-in ------------------------------------------------------------------------------ */

static void platform_login_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct tv *d = page_new(r, N_("Platform sign-in"));
    page_crumb(r, d, N_("Platform sign-in"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "form_action", PLATFORM_HREF("accedi"));
    page_field(r, d, "fields", "email", N_("E-mail"), "email", "username", NULL);
    page_field(r, d, "fields", "password", N_("Password"), "password", "current-password", NULL);
    page_render(r, w, status, tmpl_platform_login, d);
}

static const char *const platform_locked_msgid =
    N_("This account is locked after too many failed attempts. It can be unlocked on the server "
       "with the command refettorio admin superadmin-unlock.");

static void platform_code_page(struct req *r, struct resp *w, int status, const char *form_error);

/* The platform as a sign-in area (app/staff_signin.h): tenant 0, super-admins only, no forced
   password change page (a super-admin sets the password with the CLI). */
static struct signin_area platform_signin_area(void)
{
    struct signin_area a = {
        .tenant_id = 0,
        .key_prefix = "superadmin",
        .roles = ROLE_SUPERADMIN,
        .locked_msgid = platform_locked_msgid,
        .disabled_msgid = N_("This account is disabled."),
        .signin_href = PLATFORM_HREF("accedi"),
        .code_href = PLATFORM_HREF("accedi/codice"),
        .home_href = PLATFORM_HREF(""),
        .password_href = NULL,
        .login_page = platform_login_page,
        .code_page = platform_code_page,
    };
    return a;
}

void platform_login_form(struct req *r, struct resp *w)
{
    if (r->signed_in) {
        resp_redirect(w, 303, PLATFORM_HREF(""));
        return;
    }
    platform_login_page(r, w, 200, NULL);
}

void platform_login_submit(struct req *r, struct resp *w)
{
    struct signin_area a = platform_signin_area();
    signin_password_submit(r, w, &a);
}

static void platform_code_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct tv *d = page_new(r, N_("Verification code"));
    page_crumb(r, d, N_("Platform sign-in"), PLATFORM_HREF("accedi"));
    page_crumb(r, d, N_("Verification code"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "form_action", PLATFORM_HREF("accedi/codice"));
    tv_set_str(d, "restart_href", PLATFORM_HREF("accedi"));
    page_render(r, w, status, tmpl_office_login_code, d);
}

void platform_code_form(struct req *r, struct resp *w)
{
    struct signin_area a = platform_signin_area();
    signin_code_form(r, w, &a);
}

void platform_code_submit(struct req *r, struct resp *w)
{
    struct signin_area a = platform_signin_area();
    signin_code_submit(r, w, &a);
}

void platform_logout(struct req *r, struct resp *w)
{
    app_sign_out(r, w, "/");
}

/* ---- municipalities ----------------------------------------------------------------------- */

void platform_tenants(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct platform_tenant_row *rows;
    size_t n;
    bool more;
    if (!db || platform_tenant_list(db, &r->arena, &rows, &n, &more) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Platform administration"));
    platform_nav(r, d, "home");
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    const char *outcome = req_query(r, "esito");
    if (outcome && !strcmp(outcome, "creato"))
        tv_set_str(d, "outcome",
                   tr(r->lang, N_("The municipality was created and its administrator received "
                                  "a temporary password by e-mail.")));
    tv_set_str(d, "new_href", PLATFORM_HREF("comuni/nuovo"));
    tv_set_bool(d, "more", more);
    tv_set_int(d, "max", PLATFORM_LIST_MAX);
    struct tv *list = tv_set_list(d, "tenants");
    for (size_t i = 0; i < n; i++) {
        struct tv *t = tv_push_dict(list);
        tv_set_str(t, "name", rows[i].name);
        tv_set_str(t, "slug", rows[i].slug);
        tv_set_str(t, "href", arena_printf(&r->arena, "/%s/", rows[i].slug));
        tv_set_int(t, "staff", rows[i].staff);
        tv_set_int(t, "staff_enabled", rows[i].staff_enabled);
        tv_set_str(t, "created", arena_strndup(&r->arena, rows[i].created_at, 10));
    }
    page_render(r, w, 200, tmpl_platform_home_admin, d);
}

/* err_field/err_msgid: a problem the service found in one field (NULL when none). */
static void platform_tenant_new_page(struct req *r, struct resp *w, int status,
                                     const char *form_error, const char *err_field,
                                     const char *err_msgid)
{
    struct tv *d = page_new(r, N_("New municipality"));
    platform_nav(r, d, "new");
    page_crumb(r, d, N_("New municipality"), NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    if (err_field)
        page_field_error(r, d, err_field, err_msgid);
    tv_set_str(d, "form_action", PLATFORM_HREF("comuni/nuovo"));
    tv_set_str(d, "cancel_href", PLATFORM_HREF(""));
    page_field(r, d, "tenant_fields", "name", N_("Name"), "text", "off",
               N_("As people know it, e.g. Comune di Esempio."));
    page_field(r, d, "tenant_fields", "slug", N_("Web address"), "text", "off",
               N_("The municipality's pages will be at /address/: lower-case letters, digits "
                  "and hyphens."));
    struct tv *cf =
        page_field(r, d, "tenant_fields", "fiscal_code", N_("Codice fiscale of the municipality"),
                   "text", "off", N_("11 digits."));
    tv_set_str(cf, "inputmode", "numeric");
    page_field(r, d, "contact_fields", "address", N_("Address"), "text", "off", NULL);
    page_field(r, d, "contact_fields", "phone", N_("Phone"), "tel", "off", NULL);
    page_field(r, d, "contact_fields", "email", N_("E-mail"), "email", "off", NULL);
    page_field(r, d, "contact_fields", "pec", N_("PEC"), "email", "off", NULL);
    page_field(r, d, "contact_fields", "office_hours", N_("Opening hours"), "text", "off", NULL);
    page_field(r, d, "contact_fields", "website", N_("Website"), "url", "off", NULL);
    page_field(r, d, "admin_fields", "admin_name", N_("Name and surname"), "text", "off", NULL);
    page_field(r, d, "admin_fields", "admin_email", N_("E-mail"), "email", "off",
               N_("The temporary password is sent to this address."));
    page_render(r, w, status, tmpl_platform_tenant_new, d);
}

void platform_tenant_new_form(struct req *r, struct resp *w)
{
    platform_forget_errors(r);
    platform_tenant_new_page(r, w, 200, NULL, NULL, NULL);
}

void platform_tenant_new_submit(struct req *r, struct resp *w)
{
    const char *check = tr(r->lang, N_("Check the fields marked below."));
    if (r->has_errors) {
        platform_tenant_new_page(r, w, 422, check, NULL, NULL);
        return;
    }
    struct db *db = store_db();
    const char *slug = req_field(r, "slug");
    struct platform_new_tenant n = {
        .tenant = {.slug = slug,
                   .name = req_field(r, "name"),
                   .fiscal_code = req_field(r, "fiscal_code"),
                   .address = req_field(r, "address"),
                   .phone = req_field(r, "phone"),
                   .email = req_field(r, "email"),
                   .pec = req_field(r, "pec"),
                   .office_hours = req_field(r, "office_hours"),
                   .website = req_field(r, "website")},
        .admin_name = req_field(r, "admin_name"),
        .admin_email = req_field(r, "admin_email"),
        /* Staff accounts have no language of their own yet: the installation's default. */
        .admin_lang = I18N_DEFAULT_LANG,
        .signin_href = page_absolute_url(r, arena_printf(&r->arena, "/%s/ufficio/accedi", slug)),
    };
    struct staff_actor me = {r->user.id, r->user.email, r->client_addr};
    enum platform_err e =
        db ? platform_tenant_create(db, &r->arena, &me, &n, NULL) : PLATFORM_ERR_DB;
    switch (e) {
    case PLATFORM_OK:
        resp_redirect(w, 303, PLATFORM_HREF("?esito=creato"));
        return;
    case PLATFORM_ERR_SLUG_TAKEN:
        platform_tenant_new_page(r, w, 422, check, "slug",
                                 N_("Another municipality already uses this address."));
        return;
    case PLATFORM_ERR_TENANT: /* the validators above let nothing invalid through */
        platform_tenant_new_page(r, w, 422, check, NULL, NULL);
        return;
    case PLATFORM_ERR_ADMIN_EMAIL:
        platform_tenant_new_page(r, w, 422, check, "admin_email",
                                 N_("Enter an e-mail address like name@example.it."));
        return;
    case PLATFORM_ERR_ADMIN_NAME:
        platform_tenant_new_page(r, w, 422, check, "admin_name",
                                 N_("This is too long: please shorten it."));
        return;
    case PLATFORM_ERR_MAIL:
        platform_tenant_new_page(
            r, w, 422,
            tr(r->lang, N_("The e-mail with the temporary password could not be prepared, so "
                           "the municipality was not created. Try again.")),
            NULL, NULL);
        return;
    case PLATFORM_ERR_DB:
        break;
    }
    page_error(r, w, 500);
}
