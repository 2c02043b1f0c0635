#include "services/guardian.h"

#include <string.h>

/* Reads the GUARDIAN_COLUMNS of store/sql/accounts.def; *hash (may be NULL) gets the password
   hash ("" when none). */
static void guardian_read_row(struct db_stmt *st, struct arena *a, struct guardian *g,
                              const char **hash)
{
    g->id = db_col_int(st, 0);
    g->user_code = arena_strdup(a, db_col_text(st, 1));
    g->fiscal_code = arena_strdup(a, db_col_text(st, 2));
    g->name = arena_strdup(a, db_col_text(st, 3));
    g->surname = arena_strdup(a, db_col_text(st, 4));
    g->email = arena_strdup(a, db_col_text(st, 5));
    g->email_verified = db_col_int(st, 6) != 0;
    g->mobile = arena_strdup(a, db_col_text(st, 7));
    g->address = arena_strdup(a, db_col_text(st, 8));
    g->lang = arena_strdup(a, db_col_text(st, 9));
    g->has_password = db_col_int(st, 10) != 0;
    g->password_temporary = db_col_int(st, 11) != 0;
    g->disabled = db_col_int(st, 12) != 0;
    if (hash)
        *hash = arena_strdup(a, db_col_text(st, 13));
}

int guardian_find_by_id(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                        struct guardian *out)
{
    struct db_stmt *st = db_stmt(db, STMT_GUARDIAN_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        guardian_read_row(st, a, out, NULL);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}
