#include "services/audit.h"

#include "util/time.h"

static const char *audit_actor_name(enum audit_actor a)
{
    switch (a) {
    case AUDIT_STAFF:
        return "staff";
    case AUDIT_FAMILY:
        return "family";
    case AUDIT_SYSTEM:
        return "system";
    case AUDIT_CLI:
        return "cli";
    }
    return "system";
}

static void audit_bind_id(struct db_stmt *st, int pos, int64_t id)
{
    if (id)
        db_bind_int(st, pos, id);
    else
        db_bind_null(st, pos);
}

int audit_record(struct db *db, const struct audit_entry *e)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_AUDIT_INSERT);
    if (!st)
        return -1;
    audit_bind_id(st, 1, e->tenant_id);
    db_bind_text(st, 2, now);
    db_bind_text(st, 3, audit_actor_name(e->actor));
    audit_bind_id(st, 4, e->actor_id);
    db_bind_text(st, 5, e->actor_label ? e->actor_label : "");
    db_bind_text(st, 6, e->action);
    db_bind_text(st, 7, e->entity);
    audit_bind_id(st, 8, e->entity_id);
    db_bind_text(st, 9, e->from_state);
    db_bind_text(st, 10, e->to_state);
    db_bind_text(st, 11, e->detail ? e->detail : "");
    db_bind_text(st, 12, e->client_addr ? e->client_addr : "");
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

int64_t audit_count(struct db *db, int64_t tenant_id, const char *action)
{
    struct db_stmt *st = db_stmt(db, STMT_AUDIT_COUNT_ACTION);
    if (!st)
        return -1;
    audit_bind_id(st, 1, tenant_id);
    db_bind_text(st, 2, action);
    int64_t n = db_step(st) == DB_ROW ? db_col_int(st, 0) : -1;
    db_reset(st);
    return n;
}
