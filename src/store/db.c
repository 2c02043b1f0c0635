/* Dispatch from the public driver interface to the connection's driver. */
#include "store/db_impl.h"

#include <pthread.h>
#include <time.h>

struct db *db_open(const char *path, const struct db_open_opts *opts, char *err, size_t errsz)
{
    /* One engine today; the choice by URL scheme (postgresql://) comes with the second driver. */
    return db_sqlite_driver.open(path, opts, err, errsz);
}

/* The writers of this process, one at a time (struct db_driver.one_writer). */
#define DB_WRITER_WAIT_MS 5000
static pthread_mutex_t db_writer = PTHREAD_MUTEX_INITIALIZER;

static void db_writer_release(struct db *db)
{
    if (db->holds_writer) {
        db->holds_writer = false;
        pthread_mutex_unlock(&db_writer);
    }
}

void db_close(struct db *db)
{
    if (db) {
        db_writer_release(db);
        db->driver->close(db);
    }
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
    if (db->driver->one_writer && !db->holds_writer) {
        /* A writer that never ends its transaction must not stall the others forever: after
           DB_WRITER_WAIT_MS they go ahead and meet the database's own lock and busy timeout, as
           they would without the mutex. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += DB_WRITER_WAIT_MS / 1000;
        if (pthread_mutex_timedlock(&db_writer, &until) == 0)
            db->holds_writer = true;
    }
    enum db_err e = db_exec_stmt(db_stmt(db, STMT_BEGIN));
    if (e != DB_OK)
        db_writer_release(db);
    return e;
}

enum db_err db_commit(struct db *db)
{
    enum db_err e = db_exec_stmt(db_stmt(db, STMT_COMMIT));
    if (e == DB_OK)
        db_writer_release(db); /* a failed commit is still open: the caller rolls back */
    return e;
}

enum db_err db_rollback(struct db *db)
{
    enum db_err e = db_exec_stmt(db_stmt(db, STMT_ROLLBACK));
    db_writer_release(db);
    return e;
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
