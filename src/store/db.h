/*
 * Database driver interface. Callers see connections, prepared statements taken from the
 * statement table (store/stmt.h) by enum, positional binds ($1, $2, ...), steps, columns and
 * transactions; never SQL text with values in it. SQLite (db_sqlite.c) is the driver today;
 * PostgreSQL will be a second `struct db_driver` behind the same functions.
 *
 * Error policy: every call returns an enum db_err; the connection also keeps the driver's last
 * message (db_errmsg) for the log. Statements are cached per connection and reset on reuse.
 * A connection is used by one thread at a time: the server keeps one per worker thread.
 */
#ifndef REFETTORIO_STORE_DB_H
#define REFETTORIO_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/stmt.h"

enum db_err {
    DB_OK = 0,
    DB_ROW,            /* db_step: a row is ready */
    DB_DONE,           /* db_step: no (more) rows */
    DB_ERR_CONSTRAINT, /* unique / foreign key / check violation */
    DB_ERR_BUSY,       /* locked past the busy timeout */
    DB_ERR,            /* anything else; see db_errmsg */
};

struct db;
struct db_stmt;

struct db_open_opts {
    int busy_timeout_ms; /* 0 selects 5000 */
    bool read_only;
};

struct db *db_open(const char *path, const struct db_open_opts *opts, char *err, size_t errsz);
void db_close(struct db *db);
const char *db_errmsg(struct db *db);

/* The statement for id, reset and with its bindings cleared. NULL on a prepare error (logged). */
struct db_stmt *db_stmt(struct db *db, enum stmt_id id);
void db_bind_text(struct db_stmt *st, int pos, const char *s); /* NULL binds NULL */
void db_bind_int(struct db_stmt *st, int pos, int64_t v);
void db_bind_null(struct db_stmt *st, int pos);
void db_bind_blob(struct db_stmt *st, int pos, const void *data, size_t len);
enum db_err db_step(struct db_stmt *st);
/* Run a statement that returns no rows; DB_OK on success. */
enum db_err db_exec_stmt(struct db_stmt *st);
/* Columns of the current row, 0-based. Text is valid until the next step/reset. */
const char *db_col_text(struct db_stmt *st, int col); /* "" for NULL */
bool db_col_null(struct db_stmt *st, int col);
int64_t db_col_int(struct db_stmt *st, int col);
void db_reset(struct db_stmt *st);

enum db_err db_begin(struct db *db); /* immediate: takes the write lock up front */
enum db_err db_commit(struct db *db);
enum db_err db_rollback(struct db *db);
int64_t db_last_id(struct db *db);
int db_changes(struct db *db);

/* Run a script of several statements (migrations only; no parameters). */
enum db_err db_exec_script(struct db *db, const char *sql);

/* Driver vtable: one per database engine. */
struct db_driver {
    const char *name;
    /* The engine lets one transaction write at a time (SQLite): db_begin queues this process's
       writers on a mutex, so a writer waits exactly until the one before it commits instead of
       polling the database lock with sleeps (other processes still meet the busy timeout). */
    bool one_writer;
    struct db *(*open)(const char *path, const struct db_open_opts *opts, char *err, size_t errsz);
    void (*close)(struct db *db);
    const char *(*errmsg)(struct db *db);
    struct db_stmt *(*stmt)(struct db *db, enum stmt_id id);
    void (*bind_text)(struct db_stmt *st, int pos, const char *s);
    void (*bind_int)(struct db_stmt *st, int pos, int64_t v);
    void (*bind_null)(struct db_stmt *st, int pos);
    void (*bind_blob)(struct db_stmt *st, int pos, const void *data, size_t len);
    enum db_err (*step)(struct db_stmt *st);
    const char *(*col_text)(struct db_stmt *st, int col);
    bool (*col_null)(struct db_stmt *st, int col);
    int64_t (*col_int)(struct db_stmt *st, int col);
    void (*reset)(struct db_stmt *st);
    enum db_err (*exec_script)(struct db *db, const char *sql);
    int64_t (*last_id)(struct db *db);
    int (*changes)(struct db *db);
};

extern const struct db_driver db_sqlite_driver;

#endif
