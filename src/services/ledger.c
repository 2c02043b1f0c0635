#include "services/ledger.h"

#include <stdio.h>

#include "services/audit.h"
#include "util/time.h"

const char *ledger_kind_name(enum ledger_kind k)
{
    static const char *const names[] = {
        [LEDGER_OPENING] = "opening", [LEDGER_TOPUP] = "topup",           [LEDGER_MEAL] = "meal",
        [LEDGER_REFUND] = "refund",   [LEDGER_ADJUSTMENT] = "adjustment", [LEDGER_FEE] = "fee",
    };
    return k <= LEDGER_FEE ? names[k] : "adjustment";
}

int ledger_balance(struct db *db, int64_t tenant_id, int64_t guardian_id, int64_t *cents)
{
    struct db_stmt *st = db_stmt(db, STMT_LEDGER_BALANCE);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        *cents = db_col_int(st, 0);
    db_reset(st);
    return e == DB_ROW ? 0 : -1;
}

int ledger_append(struct db *db, int64_t tenant_id, const struct ledger_new *n, int64_t *id)
{
    if (n->amount_cents == 0 || n->guardian_id <= 0 || n->kind > LEDGER_FEE ||
        (n->kind == LEDGER_ADJUSTMENT && (!n->reason || !*n->reason)))
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_LEDGER_INSERT);
    if (!st)
        return -1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, n->guardian_id);
    db_bind_int(st, 3, n->pupil_id);
    db_bind_text(st, 4, ledger_kind_name(n->kind));
    db_bind_int(st, 5, n->amount_cents);
    db_bind_text(st, 6, n->description ? n->description : "");
    db_bind_text(st, 7, n->reason ? n->reason : "");
    db_bind_text(st, 8, n->ref);
    db_bind_text(st, 9, now);
    db_bind_text(st, 10, n->created_by ? n->created_by : "");
    enum db_err e = db_exec_stmt(st);
    if (e == DB_ERR_CONSTRAINT && n->ref)
        return 1;
    if (e != DB_OK)
        return -1;
    int64_t new_id = db_last_id(db);
    if (id)
        *id = new_id;
    char detail[64];
    snprintf(detail, sizeof(detail), "%s %lld", ledger_kind_name(n->kind),
             (long long)n->amount_cents);
    struct audit_entry a = {.tenant_id = tenant_id,
                            .actor = AUDIT_SYSTEM,
                            .actor_label = n->created_by ? n->created_by : "",
                            .action = "ledger.append",
                            .entity = "ledger_entry",
                            .entity_id = new_id,
                            .to_state = "recorded",
                            .detail = detail};
    return audit_record(db, &a);
}
