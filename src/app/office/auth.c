/* Staff sign-in and sign-out for the back office. */
#include "app/handlers.h"
#include "services/audit.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"

static void office_login_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct tv *d = page_new(r, N_("Staff sign-in"));
    page_crumb(r, d, N_("Staff sign-in"), NULL);
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    page_form_state(r, d);
    if (form_error)
        tv_set_str((struct tv *)tv_get(d, "errors"), "form", tr(r->lang, form_error));
    tv_set_str(d, "form_action", arena_printf(&r->arena, "/%s/ufficio/accedi", r->tenant.slug));
    page_render(r, w, status, tmpl_office_login, d);
}

void office_login_form(struct req *r, struct resp *w)
{
    if (r->signed_in) {
        resp_redirect(w, 303, arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
        return;
    }
    office_login_page(r, w, 200, NULL);
}

void office_login_submit(struct req *r, struct resp *w)
{
    if (r->has_errors) {
        office_login_page(r, w, 422, N_("Check the fields marked below."));
        return;
    }
    struct db *db = store_db();
    struct staff_user user;
    enum staff_auth a = db ? staff_authenticate(db, &r->arena, r->tenant.id, req_field(r, "email"),
                                                req_field(r, "password"), r->client_addr, &user)
                           : STAFF_AUTH_ERROR;
    switch (a) {
    case STAFF_AUTH_OK:
        if (session_start_staff(r, w, user.id, false) != 0) {
            page_error(r, w, 500);
            return;
        }
        resp_redirect(w, 303, arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
        return;
    case STAFF_AUTH_BAD:
        office_login_page(r, w, 422, N_("Wrong e-mail address or password."));
        return;
    case STAFF_AUTH_DISABLED:
        office_login_page(r, w, 422,
                          N_("This account is disabled. Ask your administrator to enable it."));
        return;
    case STAFF_AUTH_ERROR:
        break;
    }
    page_error(r, w, 500);
}

void office_logout(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (db) {
        struct audit_entry e = {.tenant_id = r->tenant.id,
                                .actor = AUDIT_STAFF,
                                .actor_id = r->user.id,
                                .actor_label = r->user.email,
                                .action = "staff.logout",
                                .entity = "staff_user",
                                .entity_id = r->user.id,
                                .client_addr = r->client_addr};
        audit_record(db, &e);
    }
    session_end(r, w);
    resp_redirect(w, 303, arena_printf(&r->arena, "/%s/", r->tenant.slug));
}
