#include "services/throttle.h"

#include <string.h>

#include "services/audit.h"
#include "util/time.h"

/* Addresses are shared (a school's or a town hall's network): more failures are allowed before
   delays, and they are never locked. */
#define THROTTLE_ADDRESS_FREE_FAILURES 20

static const char *const throttle_scope_account = "account";
static const char *const throttle_scope_address = "address";

static long throttle_delay(int64_t failures, int64_t free_failures)
{
    if (failures <= free_failures)
        return 0;
    int64_t exp = failures - free_failures - 1;
    if (exp >= 10)
        return THROTTLE_MAX_DELAY;
    long delay = 1L << exp;
    return delay > THROTTLE_MAX_DELAY ? THROTTLE_MAX_DELAY : delay;
}

/* Seconds left to wait for one scope/key (0 when none); *locked set when locked. -1 on error. */
static long throttle_read(struct db *db, int64_t tenant_id, const char *scope, const char *key,
                          bool *locked)
{
    struct db_stmt *st = db_stmt(db, STMT_THROTTLE_GET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, scope);
    db_bind_text(st, 3, key);
    long wait = 0;
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        *locked = db_col_int(st, 2) != 0;
        struct tm tm = {0};
        const char *until = db_col_text(st, 1);
        if (strcmp(until, now) > 0 && strptime(until, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
            wait = (long)(timegm(&tm) - time_now());
            if (wait < 1)
                wait = 1;
        }
    }
    db_reset(st);
    return (e == DB_ROW || e == DB_DONE) ? wait : -1;
}

enum throttle_verdict throttle_check(struct db *db, int64_t tenant_id, const char *login,
                                     const char *client_addr, long *wait_seconds)
{
    bool locked = false, addr_locked = false;
    long w1 = throttle_read(db, tenant_id, throttle_scope_account, login, &locked);
    long w2 = throttle_read(db, tenant_id, throttle_scope_address, client_addr, &addr_locked);
    if (w1 < 0 || w2 < 0)
        return THROTTLE_ERROR;
    *wait_seconds = w1 > w2 ? w1 : w2;
    if (locked)
        return THROTTLE_LOCKED;
    return *wait_seconds > 0 ? THROTTLE_WAIT : THROTTLE_OK;
}

static int throttle_fail_one(struct db *db, int64_t tenant_id, const char *scope, const char *key,
                             int64_t free_failures, bool may_lock, bool *now_locked)
{
    char now[TIME_ISO_MAX], until[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_THROTTLE_FAIL);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, scope);
    db_bind_text(st, 3, key);
    db_bind_text(st, 4, now);
    int64_t failures = 0;
    bool was_locked = false;
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        failures = db_col_int(st, 0);
        was_locked = db_col_int(st, 1) != 0;
    }
    db_reset(st);
    if (e != DB_ROW)
        return -1;
    bool lock = was_locked || (may_lock && failures >= THROTTLE_LOCK_FAILURES);
    *now_locked = lock && !was_locked;
    time_iso(time_now() + throttle_delay(failures, free_failures), until);
    st = db_stmt(db, STMT_THROTTLE_SET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, scope);
    db_bind_text(st, 3, key);
    db_bind_text(st, 4, until);
    db_bind_int(st, 5, lock ? 1 : 0);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

int throttle_failure(struct db *db, int64_t tenant_id, const char *login, const char *client_addr)
{
    bool locked = false, ignored = false;
    if (throttle_fail_one(db, tenant_id, throttle_scope_account, login, THROTTLE_FREE_FAILURES,
                          true, &locked) != 0 ||
        throttle_fail_one(db, tenant_id, throttle_scope_address, client_addr,
                          THROTTLE_ADDRESS_FREE_FAILURES, false, &ignored) != 0)
        return -1;
    if (locked) {
        struct audit_entry e = {.tenant_id = tenant_id,
                                .actor = AUDIT_SYSTEM,
                                .actor_label = "throttle",
                                .action = "signin.locked",
                                .entity = "login",
                                .from_state = "open",
                                .to_state = "locked",
                                .detail = login,
                                .client_addr = client_addr};
        return audit_record(db, &e);
    }
    return 0;
}

int throttle_success(struct db *db, int64_t tenant_id, const char *login)
{
    struct db_stmt *st = db_stmt(db, STMT_THROTTLE_CLEAR);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, login);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

int throttle_unlock(struct db *db, int64_t tenant_id, const char *login, int64_t staff_id,
                    const char *staff_label)
{
    struct db_stmt *st = db_stmt(db, STMT_THROTTLE_UNLOCK);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, login);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    if (db_changes(db) == 0)
        return 0;
    struct audit_entry e = {.tenant_id = tenant_id,
                            .actor = AUDIT_STAFF,
                            .actor_id = staff_id,
                            .actor_label = staff_label,
                            .action = "signin.unlocked",
                            .entity = "login",
                            .from_state = "locked",
                            .to_state = "open",
                            .detail = login};
    return audit_record(db, &e) == 0 ? 1 : -1;
}
