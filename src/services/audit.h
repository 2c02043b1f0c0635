/*
 * Audit log: every state change, with who, when, what and from -> to. Written inside the same
 * transaction as the change it records. The table is append-only (triggers refuse UPDATE/DELETE).
 */
#ifndef REFETTORIO_SERVICES_AUDIT_H
#define REFETTORIO_SERVICES_AUDIT_H

#include <stdint.h>

#include "store/db.h"

enum audit_actor { AUDIT_STAFF, AUDIT_FAMILY, AUDIT_SYSTEM, AUDIT_CLI };

struct audit_entry {
    int64_t tenant_id; /* 0 for platform-level events */
    enum audit_actor actor;
    int64_t actor_id; /* 0 when none */
    const char *actor_label;
    const char *action; /* e.g. "staff.login", "tenant.create" */
    const char *entity; /* e.g. "staff_user" */
    int64_t entity_id;
    const char *from_state;
    const char *to_state;
    const char *detail;
    const char *client_addr;
};

/* 0 on success, -1 on a database error (logged). */
int audit_record(struct db *db, const struct audit_entry *e);
/* Number of entries with this action in the tenant (0 = platform); -1 on error. For tests/reports.
 */
int64_t audit_count(struct db *db, int64_t tenant_id, const char *action);

#endif
