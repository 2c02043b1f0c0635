/* Data shared by handlers of several audiences. */
#include "app/handlers.h"
#include "services/throttle.h"
#include "web/i18n.h"
#include "web/page.h"

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
