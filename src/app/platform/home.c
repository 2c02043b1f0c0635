/* The installation's own pages: the list of municipalities and the health check. */
#include "app/handlers.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"

#define PLATFORM_TENANTS_MAX 1000

void platform_home(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct db_stmt *st = db ? db_stmt(db, STMT_TENANT_LIST) : NULL;
    if (!st) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("School meal service"));
    struct tv *list = tv_set_list(d, "tenants");
    enum db_err e;
    int n = 0;
    while ((e = db_step(st)) == DB_ROW && n++ < PLATFORM_TENANTS_MAX) {
        struct tv *t = tv_push_dict(list);
        tv_set_str(t, "name", db_col_text(st, 2));
        tv_set_str(t, "href", arena_printf(&r->arena, "/%s/", db_col_text(st, 1)));
    }
    db_reset(st);
    if (e != DB_DONE && e != DB_ROW) {
        page_error(r, w, 500);
        return;
    }
    page_render(r, w, 200, tmpl_platform_home, d);
}

void platform_health(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct db_stmt *st = db ? db_stmt(db, STMT_TENANT_LIST) : NULL;
    bool ok = st && db_step(st) != DB_ERR;
    if (st)
        db_reset(st);
    resp_text(w, ok ? 200 : 503, ok ? "ok\n" : "database unavailable\n");
    resp_header(w, "Cache-Control", "no-store");
}
