/*
 * SQLite driver: WAL journal, foreign keys on, a busy timeout, synchronous=FULL: the ledger and
 * the payments share the one database file, and a commit that a family was shown as a receipt
 * must survive a power cut, so every commit is synced. Statements are prepared on first use and
 * cached per connection in an array indexed by enum stmt_id. SQL uses $1, $2, ... placeholders;
 * SQLite numbers parameters by first appearance, so the driver maps $N to SQLite's index at prepare
 * time.
 */
#include "store/db_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define SQLITE_MAX_PARAMS 32

struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    struct sqlite_db *db;
    int pos_to_index[SQLITE_MAX_PARAMS + 1];
};

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    struct sqlite_stmt *stmts[STMT__COUNT];
};

static struct sqlite_db *sqlite_of(struct db *db)
{
    return (struct sqlite_db *)db;
}

static struct sqlite_stmt *sqlite_stmt_of(struct db_stmt *st)
{
    return (struct sqlite_stmt *)st;
}

static enum db_err sqlite_map(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return DB_OK;
    case SQLITE_ROW:
        return DB_ROW;
    case SQLITE_DONE:
        return DB_DONE;
    case SQLITE_CONSTRAINT:
        return DB_ERR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_ERR_BUSY;
    default:
        return DB_ERR;
    }
}

static void sqlite_close(struct db *db)
{
    struct sqlite_db *s = sqlite_of(db);
    for (int i = 0; i < STMT__COUNT; i++) {
        if (s->stmts[i]) {
            sqlite3_finalize(s->stmts[i]->st);
            free(s->stmts[i]);
        }
    }
    sqlite3_close_v2(s->h);
    free(s);
}

static struct db *sqlite_open(const char *path, const struct db_open_opts *opts, char *err,
                              size_t errsz)
{
    struct sqlite_db *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    s->base.driver = &db_sqlite_driver;
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    flags |= (opts && opts->read_only) ? SQLITE_OPEN_READONLY
                                       : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &s->h, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errsz, "%s: %s", path, s->h ? sqlite3_errmsg(s->h) : sqlite3_errstr(rc));
        sqlite3_close_v2(s->h);
        free(s);
        return NULL;
    }
    sqlite3_extended_result_codes(s->h, 1);
    int busy = (opts && opts->busy_timeout_ms) ? opts->busy_timeout_ms : 5000;
    sqlite3_busy_timeout(s->h, busy);
    static const char *const pragmas = "PRAGMA journal_mode=WAL;"
                                       "PRAGMA foreign_keys=ON;"
                                       "PRAGMA synchronous=FULL;"
                                       "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    rc = sqlite3_exec(s->h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, errsz, "%s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite_close(&s->base);
        return NULL;
    }
    return &s->base;
}

static const char *sqlite_errmsg(struct db *db)
{
    return sqlite3_errmsg(sqlite_of(db)->h);
}

static struct db_stmt *sqlite_stmt(struct db *db, enum stmt_id id)
{
    struct sqlite_db *s = sqlite_of(db);
    if ((int)id < 0 || id >= STMT__COUNT)
        return NULL;
    struct sqlite_stmt *st = s->stmts[id];
    if (st) {
        sqlite3_reset(st->st);
        sqlite3_clear_bindings(st->st);
        return &st->base;
    }
    st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    const char *sql = stmt_sql(id);
    int rc = sqlite3_prepare_v3(s->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->st, NULL);
    if (rc != SQLITE_OK) {
        log_error("prepare failed", "stmt", stmt_name(id), "error", sqlite3_errmsg(s->h));
        free(st);
        return NULL;
    }
    for (int pos = 1; pos <= SQLITE_MAX_PARAMS; pos++) {
        char name[16];
        snprintf(name, sizeof(name), "$%d", pos);
        st->pos_to_index[pos] = sqlite3_bind_parameter_index(st->st, name);
    }
    st->base.driver = &db_sqlite_driver;
    st->db = s;
    s->stmts[id] = st;
    return &st->base;
}

static int sqlite_index(struct sqlite_stmt *st, int pos)
{
    if (pos < 1 || pos > SQLITE_MAX_PARAMS)
        return 0;
    return st->pos_to_index[pos];
}

static void sqlite_bind_text(struct db_stmt *base, int pos, const char *v)
{
    struct sqlite_stmt *st = sqlite_stmt_of(base);
    int i = sqlite_index(st, pos);
    if (!i)
        return;
    if (v)
        sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->st, i);
}

static void sqlite_bind_int(struct db_stmt *base, int pos, int64_t v)
{
    struct sqlite_stmt *st = sqlite_stmt_of(base);
    int i = sqlite_index(st, pos);
    if (i)
        sqlite3_bind_int64(st->st, i, v);
}

static void sqlite_bind_null(struct db_stmt *base, int pos)
{
    struct sqlite_stmt *st = sqlite_stmt_of(base);
    int i = sqlite_index(st, pos);
    if (i)
        sqlite3_bind_null(st->st, i);
}

static void sqlite_bind_blob(struct db_stmt *base, int pos, const void *data, size_t len)
{
    struct sqlite_stmt *st = sqlite_stmt_of(base);
    int i = sqlite_index(st, pos);
    if (i)
        sqlite3_bind_blob64(st->st, i, data, len, SQLITE_TRANSIENT);
}

static enum db_err sqlite_step(struct db_stmt *base)
{
    struct sqlite_stmt *st = sqlite_stmt_of(base);
    int rc = sqlite3_step(st->st);
    enum db_err e = sqlite_map(rc);
    if (e != DB_ROW && e != DB_DONE && e != DB_ERR_CONSTRAINT)
        log_error("statement failed", "error", sqlite3_errmsg(st->db->h), "sql",
                  sqlite3_sql(st->st));
    return e;
}

static const char *sqlite_col_text(struct db_stmt *base, int col)
{
    const unsigned char *t = sqlite3_column_text(sqlite_stmt_of(base)->st, col);
    return t ? (const char *)t : "";
}

static bool sqlite_col_null(struct db_stmt *base, int col)
{
    return sqlite3_column_type(sqlite_stmt_of(base)->st, col) == SQLITE_NULL;
}

static int64_t sqlite_col_int(struct db_stmt *base, int col)
{
    return sqlite3_column_int64(sqlite_stmt_of(base)->st, col);
}

static void sqlite_reset(struct db_stmt *base)
{
    sqlite3_reset(sqlite_stmt_of(base)->st);
}

static enum db_err sqlite_exec_script(struct db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(sqlite_of(db)->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("script failed", "error", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return sqlite_map(rc);
}

static int64_t sqlite_last_id(struct db *db)
{
    return sqlite3_last_insert_rowid(sqlite_of(db)->h);
}

static int sqlite_changes(struct db *db)
{
    return sqlite3_changes(sqlite_of(db)->h);
}

const struct db_driver db_sqlite_driver = {
    .name = "sqlite",
    .one_writer = true,
    .open = sqlite_open,
    .close = sqlite_close,
    .errmsg = sqlite_errmsg,
    .stmt = sqlite_stmt,
    .bind_text = sqlite_bind_text,
    .bind_int = sqlite_bind_int,
    .bind_null = sqlite_bind_null,
    .bind_blob = sqlite_bind_blob,
    .step = sqlite_step,
    .col_text = sqlite_col_text,
    .col_null = sqlite_col_null,
    .col_int = sqlite_col_int,
    .reset = sqlite_reset,
    .exec_script = sqlite_exec_script,
    .last_id = sqlite_last_id,
    .changes = sqlite_changes,
};
