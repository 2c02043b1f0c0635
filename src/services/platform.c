#include "services/platform.h"

#include <string.h>

#include "services/audit.h"

int platform_tenant_list(struct db *db, struct arena *a, struct platform_tenant_row **rows,
                         size_t *n, bool *more)
{
    *rows = arena_calloc(a, PLATFORM_LIST_MAX, sizeof(**rows));
    *n = 0;
    *more = false;
    struct db_stmt *st = db_stmt(db, STMT_PLATFORM_TENANT_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, PLATFORM_LIST_MAX + 1);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == PLATFORM_LIST_MAX) {
            *more = true;
            continue;
        }
        struct platform_tenant_row *t = &(*rows)[(*n)++];
        t->id = db_col_int(st, 0);
        t->slug = arena_strdup(a, db_col_text(st, 1));
        t->name = arena_strdup(a, db_col_text(st, 2));
        t->staff = db_col_int(st, 3);
        t->staff_enabled = db_col_int(st, 4);
        t->created_at = arena_strdup(a, db_col_text(st, 5));
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

static enum platform_err platform_from_staff(enum staff_err e)
{
    switch (e) {
    case STAFF_OK:
        return PLATFORM_OK;
    case STAFF_ERR_EMAIL:
    case STAFF_ERR_DUPLICATE: /* a new municipality has no staff yet: cannot happen */
        return PLATFORM_ERR_ADMIN_EMAIL;
    case STAFF_ERR_NAME:
        return PLATFORM_ERR_ADMIN_NAME;
    case STAFF_ERR_MAIL:
        return PLATFORM_ERR_MAIL;
    default:
        return PLATFORM_ERR_DB;
    }
}

enum platform_err platform_tenant_create(struct db *db, struct arena *a,
                                         const struct staff_actor *by,
                                         const struct platform_new_tenant *n, int64_t *tenant_id)
{
    if (db_begin(db) != DB_OK)
        return PLATFORM_ERR_DB;
    enum platform_err result = PLATFORM_OK;
    int64_t id = 0;
    struct tenant t;
    switch (tenant_create(db, &n->tenant, &id)) {
    case TENANT_OK:
        break;
    case TENANT_ERR_DUPLICATE:
        result = PLATFORM_ERR_SLUG_TAKEN;
        break;
    case TENANT_ERR_INVALID:
        result = PLATFORM_ERR_TENANT;
        break;
    default:
        result = PLATFORM_ERR_DB;
    }
    if (result == PLATFORM_OK && tenant_find(db, a, n->tenant.slug, &t) != 1)
        result = PLATFORM_ERR_DB;
    if (result == PLATFORM_OK) {
        struct audit_entry e = {.tenant_id = id,
                                .actor = AUDIT_STAFF,
                                .actor_id = by->id,
                                .actor_label = by->label,
                                .action = "tenant.create",
                                .entity = "tenant",
                                .entity_id = id,
                                .to_state = "created",
                                .detail = n->tenant.slug,
                                .client_addr = by->client_addr};
        if (audit_record(db, &e) != 0)
            result = PLATFORM_ERR_DB;
    }
    if (result == PLATFORM_OK) {
        struct staff_mail m = {&t, n->admin_lang, n->signin_href};
        result = platform_from_staff(staff_create_invited_tx(db, a, by, &m, n->admin_email,
                                                             n->admin_name, ROLE_ADMIN, NULL));
    }
    if (result == PLATFORM_OK && db_commit(db) != DB_OK)
        result = PLATFORM_ERR_DB;
    if (result != PLATFORM_OK)
        db_rollback(db);
    else if (tenant_id)
        *tenant_id = id;
    return result;
}
