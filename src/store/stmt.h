/*
 * The statement table: every SQL statement the program runs, indexed by this enum. SQL text
 * lives only in stmt.c (one place to review, bound parameters $1..$N only). A unit test prepares
 * every entry against a freshly migrated database.
 */
#ifndef REFETTORIO_STORE_STMT_H
#define REFETTORIO_STORE_STMT_H

enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,

    STMT_MIGRATION_IS_APPLIED,
    STMT_MIGRATION_RECORD,

    STMT_TENANT_BY_SLUG,
    STMT_TENANT_LIST,
    STMT_TENANT_INSERT,

    STMT_SCHOOL_INSERT,
    STMT_SCHOOL_BY_NAME,
    STMT_SCHOOL_LIST,

    STMT_SCHOOL_YEAR_INSERT,
    STMT_SCHOOL_YEAR_BY_LABEL,
    STMT_SCHOOL_YEAR_CURRENT,

    STMT_CLASS_INSERT,
    STMT_CLASS_COUNT_BY_SCHOOL_YEAR,

    STMT_STAFF_INSERT,
    STMT_STAFF_BY_EMAIL,
    STMT_STAFF_BY_ID,
    STMT_STAFF_SET_PASSWORD,

    STMT_SESSION_INSERT,
    STMT_SESSION_BY_HASH,
    STMT_SESSION_TOUCH,
    STMT_SESSION_DELETE,
    STMT_SESSION_PURGE_EXPIRED,

    STMT_AUDIT_INSERT,
    STMT_AUDIT_COUNT_ACTION,

    STMT__COUNT
};

const char *stmt_sql(enum stmt_id id);
const char *stmt_name(enum stmt_id id);

#endif
