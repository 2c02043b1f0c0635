/*
 * SQLite dialect of the statement table. Column order in SELECTs is part of the contract with
 * the services that read them; each service names the columns it reads next to its call.
 */
#include "store/stmt.h"

#include <stddef.h>

struct stmt_entry {
    const char *name;
    const char *sql;
};

#define S(id, text) [id] = {#id, text}

static const struct stmt_entry stmt_table[STMT__COUNT] = {
    S(STMT_BEGIN, "BEGIN IMMEDIATE"),
    S(STMT_COMMIT, "COMMIT"),
    S(STMT_ROLLBACK, "ROLLBACK"),

    S(STMT_MIGRATION_IS_APPLIED, "SELECT 1 FROM schema_migration WHERE version = $1"),
    S(STMT_MIGRATION_RECORD,
      "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)"),

    /* 0 id, 1 slug, 2 name, 3 fiscal_code, 4 timezone, 5 cutoff_time, 6 address, 7 phone,
       8 email, 9 pec, 10 office_hours, 11 website */
    S(STMT_TENANT_BY_SLUG,
      "SELECT id, slug, name, ifnull(fiscal_code, ''), timezone, cutoff_time, address, phone, "
      "email, pec, office_hours, website FROM tenant WHERE slug = $1"),
    S(STMT_TENANT_LIST, "SELECT id, slug, name FROM tenant ORDER BY name"),
    S(STMT_TENANT_INSERT,
      "INSERT INTO tenant (slug, name, fiscal_code, address, phone, email, pec, office_hours, "
      "website, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),

    S(STMT_SCHOOL_INSERT,
      "INSERT INTO school (tenant_id, name, kind, address, kitchen_email, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)"),
    S(STMT_SCHOOL_BY_NAME, "SELECT id FROM school WHERE tenant_id = $1 AND name = $2"),
    /* 0 id, 1 name, 2 kind, 3 address, 4 classes in the school year $2 */
    S(STMT_SCHOOL_LIST,
      "SELECT s.id, s.name, s.kind, s.address, "
      "(SELECT count(*) FROM class c WHERE c.school_id = s.id AND c.school_year_id = $2) "
      "FROM school s WHERE s.tenant_id = $1 ORDER BY s.kind, s.name"),

    S(STMT_SCHOOL_YEAR_INSERT,
      "INSERT INTO school_year (tenant_id, label, starts_on, ends_on, created_at) "
      "VALUES ($1, $2, $3, $4, $5)"),
    S(STMT_SCHOOL_YEAR_BY_LABEL, "SELECT id FROM school_year WHERE tenant_id = $1 AND label = $2"),
    /* The year in progress on date $2, else the next one to start. 0 id, 1 label */
    S(STMT_SCHOOL_YEAR_CURRENT,
      "SELECT id, label FROM school_year WHERE tenant_id = $1 AND ends_on >= $2 "
      "ORDER BY starts_on LIMIT 1"),

    S(STMT_CLASS_INSERT,
      "INSERT INTO class (tenant_id, school_id, school_year_id, name, created_at) "
      "SELECT $1, s.id, y.id, $4, $5 FROM school s, school_year y "
      "WHERE s.id = $2 AND y.id = $3 AND s.tenant_id = $1 AND y.tenant_id = $1"),
    S(STMT_CLASS_COUNT_BY_SCHOOL_YEAR,
      "SELECT count(*) FROM class WHERE tenant_id = $1 AND school_year_id = $2"),

    S(STMT_STAFF_INSERT,
      "INSERT INTO staff_user (tenant_id, email, name, role, password_hash, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)"),
    /* 0 id, 1 email, 2 name, 3 role, 4 password_hash, 5 disabled */
    S(STMT_STAFF_BY_EMAIL, "SELECT id, email, name, role, password_hash, disabled FROM staff_user "
                           "WHERE tenant_id = $1 AND email = $2"),
    S(STMT_STAFF_BY_ID, "SELECT id, email, name, role, password_hash, disabled FROM staff_user "
                        "WHERE tenant_id = $1 AND id = $2"),
    S(STMT_STAFF_SET_PASSWORD,
      "UPDATE staff_user SET password_hash = $3 WHERE tenant_id = $1 AND id = $2"),

    S(STMT_SESSION_INSERT,
      "INSERT INTO session (id_hash, tenant_id, staff_user_id, csrf_token, created_at, "
      "last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)"),
    /* 0 staff_user_id (NULL when anonymous), 1 csrf_token, 2 last_seen_at */
    S(STMT_SESSION_BY_HASH, "SELECT staff_user_id, csrf_token, last_seen_at FROM session "
                            "WHERE id_hash = $1 AND tenant_id = $2 AND expires_at > $3"),
    S(STMT_SESSION_TOUCH,
      "UPDATE session SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1"),
    S(STMT_SESSION_DELETE, "DELETE FROM session WHERE id_hash = $1"),
    S(STMT_SESSION_PURGE_EXPIRED, "DELETE FROM session WHERE expires_at <= $1"),

    S(STMT_AUDIT_INSERT,
      "INSERT INTO audit_log (tenant_id, at, actor_kind, actor_id, actor_label, action, entity, "
      "entity_id, from_state, to_state, detail, client_addr) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
    S(STMT_AUDIT_COUNT_ACTION,
      "SELECT count(*) FROM audit_log WHERE ifnull(tenant_id, 0) = ifnull($1, 0) AND action = $2"),
};

const char *stmt_sql(enum stmt_id id)
{
    if ((int)id < 0 || id >= STMT__COUNT)
        return NULL;
    return stmt_table[id].sql;
}

const char *stmt_name(enum stmt_id id)
{
    if ((int)id < 0 || id >= STMT__COUNT)
        return "?";
    return stmt_table[id].name;
}
