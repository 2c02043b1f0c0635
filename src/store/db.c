/* Dispatch from the public driver interface to the connection's driver. */
#include "store/db_impl.h"

struct db *db_open(const char *path, const struct db_open_opts *opts, char *err, size_t errsz)
{
    /* One engine today; the choice by URL scheme (postgresql://) comes with the second driver. */
    return db_sqlite_driver.open(path, opts, err, errsz);
}

void db_close(struct db *db)
{
    if (db)
        db->driver->close(db);
}

const char *db_errmsg(struct db *db)
{
    return db->driver->errmsg(db);
}

struct db_stmt *db_stmt(struct db *db, enum stmt_id id)
{
    return db->driver->stmt(db, id);
}

void db_bind_text(struct db_stmt *st, int pos, const char *s)
{
    st->driver->bind_text(st, pos, s);
}

void db_bind_int(struct db_stmt *st, int pos, int64_t v)
{
    st->driver->bind_int(st, pos, v);
}

void db_bind_null(struct db_stmt *st, int pos)
{
    st->driver->bind_null(st, pos);
}

void db_bind_blob(struct db_stmt *st, int pos, const void *data, size_t len)
{
    st->driver->bind_blob(st, pos, data, len);
}

enum db_err db_step(struct db_stmt *st)
{
    return st->driver->step(st);
}

enum db_err db_exec_stmt(struct db_stmt *st)
{
    enum db_err e = st->driver->step(st);
    st->driver->reset(st);
    return (e == DB_DONE || e == DB_ROW) ? DB_OK : e;
}

const char *db_col_text(struct db_stmt *st, int col)
{
    return st->driver->col_text(st, col);
}

bool db_col_null(struct db_stmt *st, int col)
{
    return st->driver->col_null(st, col);
}

int64_t db_col_int(struct db_stmt *st, int col)
{
    return st->driver->col_int(st, col);
}

void db_reset(struct db_stmt *st)
{
    st->driver->reset(st);
}

enum db_err db_begin(struct db *db)
{
    return db_exec_stmt(db_stmt(db, STMT_BEGIN));
}

enum db_err db_commit(struct db *db)
{
    return db_exec_stmt(db_stmt(db, STMT_COMMIT));
}

enum db_err db_rollback(struct db *db)
{
    return db_exec_stmt(db_stmt(db, STMT_ROLLBACK));
}

int64_t db_last_id(struct db *db)
{
    return db->driver->last_id(db);
}

int db_changes(struct db *db)
{
    return db->driver->changes(db);
}

enum db_err db_exec_script(struct db *db, const char *sql)
{
    return db->driver->exec_script(db, sql);
}
