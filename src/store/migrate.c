#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"
#include "util/log.h"
#include "util/time.h"

static int migrate_version_of(const char *name)
{
    int v = 0, digits = 0;
    for (const char *p = name; *p >= '0' && *p <= '9'; p++, digits++)
        v = v * 10 + (*p - '0');
    return (digits == 4 && name[4] == '_') ? v : -1;
}

int migrate_latest_version(void)
{
    int latest = 0;
    for (size_t i = 0; i < embedded_migrations_count; i++) {
        int v = migrate_version_of(embedded_migrations[i].name);
        if (v > latest)
            latest = v;
    }
    return latest;
}

int migrate_apply(struct db *db, int *applied, char *err, size_t errsz)
{
    *applied = 0;
    if (db_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_migration ("
                           " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                           " applied_at TEXT NOT NULL)") != DB_OK) {
        snprintf(err, errsz, "cannot create schema_migration: %s", db_errmsg(db));
        return -1;
    }
    for (size_t i = 0; i < embedded_migrations_count; i++) {
        const struct embedded_file *m = &embedded_migrations[i];
        int version = migrate_version_of(m->name);
        if (version < 0) {
            snprintf(err, errsz, "migration %s: name must be NNNN_description.sql", m->name);
            return -1;
        }
        if (db_begin(db) != DB_OK) {
            snprintf(err, errsz, "cannot begin: %s", db_errmsg(db));
            return -1;
        }
        struct db_stmt *st = db_stmt(db, STMT_MIGRATION_IS_APPLIED);
        db_bind_int(st, 1, version);
        enum db_err e = db_step(st);
        db_reset(st);
        if (e == DB_ROW) {
            db_rollback(db);
            continue;
        }
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        if (e != DB_DONE || db_exec_script(db, m->data) != DB_OK) {
            snprintf(err, errsz, "migration %s failed: %s", m->name, db_errmsg(db));
            db_rollback(db);
            return -1;
        }
        st = db_stmt(db, STMT_MIGRATION_RECORD);
        db_bind_int(st, 1, version);
        db_bind_text(st, 2, m->name);
        db_bind_text(st, 3, now);
        if (db_exec_stmt(st) != DB_OK || db_commit(db) != DB_OK) {
            snprintf(err, errsz, "migration %s: cannot record: %s", m->name, db_errmsg(db));
            db_rollback(db);
            return -1;
        }
        log_info("migration applied", "name", m->name);
        (*applied)++;
    }
    return 0;
}
