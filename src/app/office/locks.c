/* The office lifts sign-in locks (families and staff locked after too many failed attempts). */
#include <string.h>

#include "app/handlers.h"
#include "services/throttle.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define LOCKS_PAGE_MAX 200

static void office_locks_page(struct req *r, struct resp *w, int status, const char *notice)
{
    struct db *db = store_db();
    struct db_stmt *st = db ? db_stmt(db, STMT_THROTTLE_LIST_LOCKED) : NULL;
    if (!st) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Locked sign-ins"));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Locked sign-ins"), NULL);
    office_nav(r, d, "locks");
    if (page_csrf(r, w, d) != 0) {
        db_reset(st);
        page_error(r, w, 500);
        return;
    }
    tv_set_str(d, "notice", notice);
    tv_set_str(d, "unlock_action",
               arena_printf(&r->arena, "/%s/ufficio/blocchi/sblocca", r->tenant.slug));
    struct tv *list = tv_set_list(d, "locks");
    db_bind_int(st, 1, r->tenant.id);
    db_bind_int(st, 2, LOCKS_PAGE_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        struct tv *l = tv_push_dict(list);
        const char *key = db_col_text(st, 0);
        const char *colon = strchr(key, ':');
        bool family = !strncmp(key, "family:", 7);
        tv_set_str(l, "key", key);
        tv_set_str(l, "login", colon ? colon + 1 : key);
        tv_set_str(l, "kind", tr(r->lang, family ? N_("Family") : N_("Staff")));
        tv_set_int(l, "failures", db_col_int(st, 1));
        tv_set_str(l, "since", db_col_text(st, 2));
    }
    db_reset(st);
    if (e != DB_DONE && e != DB_ROW) {
        page_error(r, w, 500);
        return;
    }
    page_render(r, w, status, tmpl_office_locks, d);
}

void office_locks(struct req *r, struct resp *w)
{
    office_locks_page(r, w, 200, NULL);
}

void office_unlock(struct req *r, struct resp *w)
{
    const char *login = req_field(r, "login");
    struct db *db = store_db();
    if (!login || !db) {
        page_error(r, w, login ? 500 : 400);
        return;
    }
    int rc = throttle_unlock(db, r->tenant.id, login, r->user.id, r->user.email);
    if (rc < 0) {
        page_error(r, w, 500);
        return;
    }
    office_locks_page(r, w, 200,
                      tr(r->lang, rc ? N_("The account is unlocked: it can sign in again.")
                                     : N_("That account was not locked.")));
}

static const struct field_spec unlock_fields[] = {
    {"login", field_text, 300, true},
};

const struct route locks_routes[] = {
    {HTTP_GET, "/ufficio/blocchi", ROLE_ADMIN | ROLE_UFFICIO, NULL, 0, office_locks, 0},
    {HTTP_POST, "/ufficio/blocchi/sblocca", ROLE_ADMIN | ROLE_UFFICIO, ROUTE_FIELDS(unlock_fields),
     office_unlock, 0},
    {0},
};
