/*
 * The process's database: one path, migrated at start-up, and one connection per thread opened
 * on first use (SQLite connections are not shared between threads; prepared statements are
 * cached per connection). Threads that exit close their connection.
 */
#ifndef REFETTORIO_STORE_STORE_H
#define REFETTORIO_STORE_STORE_H

#include <stddef.h>

#include "store/db.h"

/* Remember path, create the folder's file if needed and apply pending migrations. 0 or -1. */
int store_init(const char *path, char *err, size_t errsz);
/* This thread's connection; NULL (logged) when it cannot be opened. */
struct db *store_db(void);
/* Close this thread's connection now (the main thread before exit). */
void store_thread_done(void);

/* Run fn inside a write transaction on db: commit when it returns 0, roll back otherwise. */
int store_tx(struct db *db, int (*fn)(struct db *db, void *arg), void *arg);

#endif
