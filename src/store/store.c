#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/migrate.h"
#include "util/log.h"

static char store_path[1024];
static pthread_key_t store_key;
static pthread_once_t store_once = PTHREAD_ONCE_INIT;

static void store_close_conn(void *p)
{
    db_close(p);
}

static void store_make_key(void)
{
    pthread_key_create(&store_key, store_close_conn);
}

int store_init(const char *path, char *err, size_t errsz)
{
    pthread_once(&store_once, store_make_key);
    if (strlen(path) >= sizeof(store_path)) {
        snprintf(err, errsz, "database path too long");
        return -1;
    }
    store_thread_done();
    snprintf(store_path, sizeof(store_path), "%s", path);
    struct db *db = store_db();
    if (!db) {
        snprintf(err, errsz, "cannot open database %s", path);
        return -1;
    }
    int applied = 0;
    if (migrate_apply(db, &applied, err, errsz) != 0)
        return -1;
    return 0;
}

struct db *store_db(void)
{
    pthread_once(&store_once, store_make_key);
    struct db *db = pthread_getspecific(store_key);
    if (db)
        return db;
    char err[512];
    db = db_open(store_path, NULL, err, sizeof(err));
    if (!db) {
        log_error("cannot open database", "error", err);
        return NULL;
    }
    pthread_setspecific(store_key, db);
    return db;
}

void store_thread_done(void)
{
    pthread_once(&store_once, store_make_key);
    struct db *db = pthread_getspecific(store_key);
    if (db) {
        pthread_setspecific(store_key, NULL);
        db_close(db);
    }
}

int store_tx(struct db *db, int (*fn)(struct db *db, void *arg), void *arg)
{
    if (db_begin(db) != DB_OK)
        return -1;
    if (fn(db, arg) != 0) {
        db_rollback(db);
        return -1;
    }
    if (db_commit(db) != DB_OK) {
        db_rollback(db);
        return -1;
    }
    return 0;
}
