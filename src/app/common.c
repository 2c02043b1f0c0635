/* Data shared by handlers of several audiences. */
#include "app/handlers.h"
#include "docs/doc.h"
#include "services/attachment.h"
#include "services/audit.h"
#include "services/throttle.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"

void app_schools_data(struct req *r, struct tv *data, const struct school_summary *schools,
                      size_t n)
{
    struct tv *list = tv_set_list(data, "schools");
    for (size_t i = 0; i < n; i++) {
        struct tv *s = tv_push_dict(list);
        tv_set_str(s, "name", schools[i].name);
        tv_set_str(s, "kind_label", tr(r->lang, school_kind_label(schools[i].kind)));
        tv_set_str(s, "address", schools[i].address);
        tv_set_int(s, "classes_count", schools[i].classes);
    }
}

bool app_throttle_allows(struct req *r, struct resp *w, struct db *db, const char *key,
                         void (*page)(struct req *, struct resp *, int, const char *),
                         const char *locked_msgid)
{
    long wait = 0;
    switch (throttle_check(db, r->tenant.id, key, r->client_addr, &wait)) {
    case THROTTLE_OK:
        return true;
    case THROTTLE_WAIT:
        page(r, w, 429,
             page_tr(r, N_("Too many attempts: try again in {seconds} seconds."), "seconds",
                     arena_printf(&r->arena, "%ld", wait), NULL));
        return false;
    case THROTTLE_LOCKED:
        page(r, w, 423, tr(r->lang, locked_msgid));
        return false;
    case THROTTLE_ERROR:
        break;
    }
    page_error(r, w, 500);
    return false;
}

void app_sign_out(struct req *r, struct resp *w, const char *home_href)
{
    struct db *db = store_db();
    bool family = r->family_signed_in;
    int64_t id = family ? r->family.id : r->user.id;
    struct audit_entry e = {.tenant_id = r->has_tenant ? r->tenant.id : 0,
                            .actor = family ? AUDIT_FAMILY : AUDIT_STAFF,
                            .actor_id = id,
                            .actor_label = family ? r->family.user_code : r->user.email,
                            .action = family ? "family.logout" : "staff.logout",
                            .entity = family ? "guardian" : "staff_user",
                            .entity_id = id,
                            .client_addr = r->client_addr};
    if (db)
        audit_record(db, &e);
    session_end(r, w);
    resp_redirect(w, 303, home_href);
}

int app_tenant_logo(struct req *r, const void **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    struct db *db = store_db();
    struct db_stmt *st = db ? db_stmt(db, STMT_TENANT_LOGO) : NULL;
    if (!st)
        return 0;
    db_bind_int(st, 1, r->tenant.id);
    int64_t id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    struct attachment logo = {0};
    if (!id || attachment_get(db, &r->arena, r->tenant.id, id, &logo) != 1 || !logo.data)
        return 0;
    *data = logo.data;
    *len = logo.size;
    return 1;
}

struct doc *app_doc_new(struct req *r, const char *lang, const char *title)
{
    struct doc *d = doc_new(&r->arena, lang, tr(lang, title));
    const void *logo;
    size_t logo_len;
    app_tenant_logo(r, &logo, &logo_len);
    doc_set_issuer(d, r->tenant.name, tr(lang, N_("School meal service")), logo, logo_len);
    doc_set_footer(d, arena_printf(&r->arena, "%s · %s · %s", r->tenant.name, r->tenant.address,
                                   r->tenant.email));
    doc_set_page_label(d, tr(lang, N_("Page {n} of {total}")));
    return d;
}
