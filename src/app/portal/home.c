/* The municipality's school meal service home: what the service is, schools, how to reach the
 * office. */
#include "app/handlers.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"

void portal_home(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct school_summary *schools = NULL;
    size_t n = 0;
    if (!db || school_list(db, &r->arena, r->tenant.id, 0, &schools, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("School meal service"));
    tv_set_list(d, "breadcrumb"); /* the home page has no trail */
    app_schools_data(r, d, schools, n);
    page_render(r, w, 200, tmpl_portal_home, d);
}
