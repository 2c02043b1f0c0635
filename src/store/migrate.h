/*
 * Numbered schema migrations (schema/sqlite/NNNN_name.sql, embedded in the binary), each applied
 * once inside its own transaction and recorded in schema_migration.
 */
#ifndef REFETTORIO_STORE_MIGRATE_H
#define REFETTORIO_STORE_MIGRATE_H

#include <stddef.h>

#include "store/db.h"

/* Apply every pending migration in order. *applied receives how many ran now. 0 or -1. */
int migrate_apply(struct db *db, int *applied, char *err, size_t errsz);
/* Highest version in the binary. */
int migrate_latest_version(void);

#endif
