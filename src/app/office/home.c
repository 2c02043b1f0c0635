/* The back-office home: who is signed in, the school year, the schools and their classes. */
#include "app/handlers.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"

void office_home(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    int64_t year_id = 0;
    const char *year_label = NULL;
    struct school_summary *schools = NULL;
    size_t n = 0;
    if (!db || school_year_current(db, &r->arena, r->tenant.id, &year_id, &year_label) < 0 ||
        school_list(db, &r->arena, r->tenant.id, year_id, &schools, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Back office"));
    page_crumb(r, d, N_("Back office"), NULL);
    office_nav(r, d, "home");
    if (year_label) {
        struct tv *y = tv_set_dict(d, "school_year");
        tv_set_str(y, "label", year_label);
    }
    app_schools_data(r, d, schools, n);
    page_render(r, w, 200, tmpl_office_home, d);
}
