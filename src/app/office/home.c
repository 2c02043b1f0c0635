/* The back-office home: who is signed in, the money at a glance (not for the kitchen), the school
   year, the schools and their classes. */
#include "app/handlers.h"
#include "domain/money.h"
#include "services/payment.h"
#include "services/staff.h"
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
    if (r->user.role & (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)) {
        struct payment_summary m;
        if (payment_summary(db, r->tenant.id, &m) != 0) {
            page_error(r, w, 500);
            return;
        }
        struct tv *money = tv_set_dict(d, "money");
        char text[MONEY_TEXT_SIZE];
        money_format(m.credit_cents, text);
        tv_set_str(money, "credit", text);
        money_format(m.debt_cents, text);
        tv_set_str(money, "debt", text);
        tv_set_int(money, "families_in_debt", m.families_in_debt);
        tv_set_int(money, "awaiting", m.awaiting);
        money_format(m.awaiting_cents, text);
        tv_set_str(money, "awaiting_amount", text);
        tv_set_int(money, "open_notices", m.open_notices);
        tv_set_int(money, "anomalies", m.anomalies);
        tv_set_str(money, "payments_href",
                   arena_printf(&r->arena, "/%s/ufficio/pagamenti", r->tenant.slug));
        tv_set_str(money, "debtors_href",
                   arena_printf(&r->arena, "/%s/ufficio/debitori", r->tenant.slug));
    }
    page_render(r, w, 200, tmpl_office_home, d);
}
