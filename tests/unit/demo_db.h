/*
 * For unit tests over the demo municipality in process: a temporary database seeded by
 * demo_seed at a fixed instant (the clock stays faked there), the tenant, an arena, and raw SQL
 * through a second connection for what the services do not expose (committed data only).
 * Header-only, so each test stays one source file.
 */
#ifndef REFETTORIO_TESTS_UNIT_DEMO_DB_H
#define REFETTORIO_TESTS_UNIT_DEMO_DB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "services/demo.h"
#include "services/password.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/time.h"
#include "web/i18n.h"

struct fixture {
    char dir[64];
    struct db *db;
    struct tenant t;
    struct arena a;
};

/* The database file, for sql_int / sql_exec. */
static char db_path[160];

/* A new demo database in a temporary folder named after name, seeded at seed (the fake clock
   is left there). 0 or -1, as a cmocka group setup wants. */
static inline int demo_db_setup(void **state, const char *name, time_t seed)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-%s-XXXXXX", name);
    char err[256];
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/t.sqlite", f->dir);
    log_set_quiet(getenv("TEST_VERBOSE") == NULL);
    if (password_init() != 0 || i18n_init() != 0 || store_init(db_path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    arena_init(&f->a, 8192);
    time_set_fake(seed);
    bool created;
    if (demo_seed(f->db, "http://127.0.0.1:8080", &created) != 0 || !created ||
        tenant_find(f->db, &f->a, DEMO_TENANT_SLUG, &f->t) != 1)
        return -1;
    *state = f;
    return 0;
}

static inline int demo_db_teardown(void **state)
{
    struct fixture *f = *state;
    time_set_fake(0);
    store_thread_done();
    arena_free(&f->a);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

/* The first column of the first row of a query (printf-style, sqlite3's %Q and %q), or -1. */
static inline long long sql_int(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3 *h;
    long long v = -1;
    if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 5000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(h);
    sqlite3_free(sql);
    return v;
}

/* Runs statements (printf-style) with foreign keys on; fails the test on an error. */
static inline void sql_exec(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    char *err = NULL;
    int rc = sqlite3_exec(h, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "# %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(h);
    sqlite3_free(sql);
    assert_int_equal(rc, SQLITE_OK);
}

#endif
