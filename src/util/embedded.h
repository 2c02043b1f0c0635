/*
 * Files compiled into the binary at build time by tools/embed.c (database migrations, translation
 * catalogues), so an installation is one executable plus the static assets.
 */
#ifndef REFETTORIO_UTIL_EMBEDDED_H
#define REFETTORIO_UTIL_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* path relative to the embedded folder, e.g. "0001_foundation.sql" */
    const char *data; /* NUL-terminated for convenience; may contain NULs (binary) */
    size_t len;
};

/* The .sql files of schema/sqlite, sorted by name. */
extern const struct embedded_file embedded_migrations[];
extern const size_t embedded_migrations_count;
/* build/locale/<lang>/refettorio.mo, named "<lang>/refettorio.mo". */
extern const struct embedded_file embedded_catalogs[];
extern const size_t embedded_catalogs_count;

#endif
