/*
 * For drivers only: the common head of every connection and statement, so the dispatching
 * functions in db.c can find the driver.
 */
#ifndef REFETTORIO_STORE_DB_IMPL_H
#define REFETTORIO_STORE_DB_IMPL_H

#include <stdbool.h>

#include "store/db.h"

struct db {
    const struct db_driver *driver;
    bool holds_writer; /* this connection holds the process's writer mutex (one_writer) */
};

struct db_stmt {
    const struct db_driver *driver;
};

#endif
