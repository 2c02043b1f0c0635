/* Data shared by handlers of several audiences. */
#include "app/handlers.h"
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
