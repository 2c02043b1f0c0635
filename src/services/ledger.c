#include "services/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "services/audit.h"
#include "services/balance_alert.h"
#include "services/payment_settings.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"

const char *ledger_kind_name(enum ledger_kind k)
{
    static const char *const names[] = {
        [LEDGER_OPENING] = "opening", [LEDGER_TOPUP] = "topup",           [LEDGER_MEAL] = "meal",
        [LEDGER_REFUND] = "refund",   [LEDGER_ADJUSTMENT] = "adjustment", [LEDGER_FEE] = "fee",
    };
    return k <= LEDGER_FEE ? names[k] : "adjustment";
}

bool ledger_kind_parse(const char *name, enum ledger_kind *out)
{
    for (int k = LEDGER_OPENING; name && k <= LEDGER_FEE; k++)
        if (!strcmp(name, ledger_kind_name((enum ledger_kind)k))) {
            *out = (enum ledger_kind)k;
            return true;
        }
    return false;
}

const char *ledger_kind_label(const char *name)
{
    enum ledger_kind k = LEDGER_ADJUSTMENT;
    ledger_kind_parse(name, &k);
    switch (k) {
    case LEDGER_OPENING:
        return N_("Opening balance");
    case LEDGER_TOPUP:
        return N_("Top-up");
    case LEDGER_MEAL:
        return N_("Meal");
    case LEDGER_REFUND:
        return N_("Refund");
    case LEDGER_FEE:
        return N_("Fee");
    case LEDGER_ADJUSTMENT:
        break;
    }
    return N_("Adjustment");
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
    /* The cached wallet moves in the same transaction. */
    st = db_stmt(db, STMT_WALLET_ADD);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, n->guardian_id);
    db_bind_int(st, 3, n->amount_cents);
    db_bind_text(st, 4, now);
    e = db_step(st);
    int64_t after = 0, level = 0;
    char debt_since[TIME_ISO_MAX] = "";
    if (e == DB_ROW) {
        after = db_col_int(st, 0);
        level = db_col_int(st, 1);
        snprintf(debt_since, sizeof(debt_since), "%s", db_col_text(st, 2));
    }
    db_reset(st);
    if (e != DB_ROW)
        return -1;
    if (balance_alert_after_change(db, tenant_id, n->guardian_id, after - n->amount_cents, after,
                                   (int)level, debt_since) != 0)
        return -1;
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

static bool ledger_new_valid(const struct ledger_new *n)
{
    return n->amount_cents != 0 && n->guardian_id > 0 && n->kind <= LEDGER_FEE &&
           (n->kind != LEDGER_ADJUSTMENT || (n->reason && *n->reason));
}

/* One family's share of a batch: the sum of its new entries. */
struct ledger_move {
    int64_t guardian_id, amount_cents;
};

static int ledger_move_cmp(const void *x, const void *y)
{
    const struct ledger_move *a = x, *b = y;
    return (a->guardian_id > b->guardian_id) - (a->guardian_id < b->guardian_id);
}

/* The families' wallets, each moved once by the batch's entries (ids from first_id on, one
   statement for all of them), and each family's balance alert judged once from the balance
   before the batch to the balance after it. moves: the families' sums, by guardian. The alert
   settings were read by the caller; the alert service is called only for a wallet whose level
   or debt state changes (for the others it would do nothing), so a batch over tens of thousands
   of families does not read the settings again for each. 0 or -1. */
static int ledger_batch_wallets(struct db *db, int64_t tenant_id, int64_t first_id, const char *now,
                                const struct ledger_move *moves, size_t nmoves,
                                const struct payment_settings *ps)
{
    struct db_stmt *st = db_stmt(db, STMT_WALLET_ADD_BATCH);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, now);
    db_bind_int(st, 3, first_id);
    /* The alerts change other rows of the wallet table: collect the changes first. */
    struct ledger_alert {
        int64_t guardian_id, before, after;
        int level;
        char debt_since[TIME_ISO_MAX];
    } *alerts = NULL;
    size_t nalerts = 0, nfamilies = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        nfamilies++;
        struct ledger_move key = {.guardian_id = db_col_int(st, 0)};
        const struct ledger_move *m = bsearch(&key, moves, nmoves, sizeof(*moves), ledger_move_cmp);
        int64_t after = db_col_int(st, 1);
        int level = (int)db_col_int(st, 2);
        const char *debt_since = db_col_text(st, 3);
        if (!m) {
            e = DB_ERR; /* a family the batch did not move: the id range is not the batch's */
            break;
        }
        int new_level = balance_alert_level(ps->thresholds, ps->nthresholds, after);
        if (new_level == level && (after < 0) == (debt_since[0] != '\0'))
            continue;
        if (!alerts && !(alerts = calloc(nmoves, sizeof(*alerts)))) {
            e = DB_ERR;
            break;
        }
        struct ledger_alert *al = &alerts[nalerts++];
        al->guardian_id = key.guardian_id;
        al->before = after - m->amount_cents;
        al->after = after;
        al->level = level;
        snprintf(al->debt_since, sizeof(al->debt_since), "%s", debt_since);
    }
    db_reset(st);
    int rc = e == DB_DONE && nfamilies == nmoves ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < nalerts; i++)
        rc = balance_alert_after_change(db, tenant_id, alerts[i].guardian_id, alerts[i].before,
                                        alerts[i].after, alerts[i].level, alerts[i].debt_since);
    free(alerts);
    return rc;
}

int ledger_append_many(struct db *db, int64_t tenant_id, const struct ledger_new *n, size_t count,
                       int64_t *ids, size_t *skipped)
{
    if (skipped)
        *skipped = 0;
    if (count && !n)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (!ledger_new_valid(&n[i]))
            return -1;
    if (count == 0)
        return 0;
    struct payment_settings ps;
    if (payment_settings_get(db, tenant_id, &ps) != 0)
        return -1;
    struct arena a;
    arena_init(&a, 4096);
    struct ledger_move *moves = arena_calloc(&a, count, sizeof(*moves));
    size_t nmoves = 0, taken = 0, appended = 0;
    int64_t total = 0, first_id = 0;
    int rc = -1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    for (size_t i = 0; i < count; i++) {
        struct db_stmt *st = db_stmt(db, STMT_LEDGER_INSERT);
        if (!st)
            goto out;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, n[i].guardian_id);
        db_bind_int(st, 3, n[i].pupil_id);
        db_bind_text(st, 4, ledger_kind_name(n[i].kind));
        db_bind_int(st, 5, n[i].amount_cents);
        db_bind_text(st, 6, n[i].description ? n[i].description : "");
        db_bind_text(st, 7, n[i].reason ? n[i].reason : "");
        db_bind_text(st, 8, n[i].ref);
        db_bind_text(st, 9, now);
        db_bind_text(st, 10, n[i].created_by ? n[i].created_by : "");
        enum db_err e = db_exec_stmt(st);
        if (e == DB_ERR_CONSTRAINT && n[i].ref) {
            /* The entries were checked above: only the ref's uniqueness is left to fail. */
            taken++;
            if (ids)
                ids[i] = 0;
            continue;
        }
        if (e != DB_OK)
            goto out;
        int64_t id = db_last_id(db);
        if (ids)
            ids[i] = id;
        if (!first_id)
            first_id = id;
        moves[appended++] = (struct ledger_move){n[i].guardian_id, n[i].amount_cents};
        total += n[i].amount_cents;
    }
    /* One sum per family, by guardian. */
    qsort(moves, appended, sizeof(*moves), ledger_move_cmp);
    for (size_t i = 0; i < appended; i++) {
        if (nmoves && moves[nmoves - 1].guardian_id == moves[i].guardian_id)
            moves[nmoves - 1].amount_cents += moves[i].amount_cents;
        else
            moves[nmoves++] = moves[i];
    }
    if (appended && ledger_batch_wallets(db, tenant_id, first_id, now, moves, nmoves, &ps) != 0)
        goto out;
    char detail[128];
    snprintf(detail, sizeof(detail), "%zu entries, total %lld; %zu refs already used", appended,
             (long long)total, taken);
    struct audit_entry ae = {.tenant_id = tenant_id,
                             .actor = AUDIT_SYSTEM,
                             .actor_label = n[0].created_by ? n[0].created_by : "",
                             .action = "ledger.append_many",
                             .entity = "ledger_entry",
                             .entity_id = first_id,
                             .to_state = "recorded",
                             .detail = detail};
    rc = audit_record(db, &ae);
    if (skipped)
        *skipped = taken;
out:
    arena_free(&a);
    return rc;
}

int ledger_wallet(struct db *db, int64_t tenant_id, int64_t guardian_id, struct wallet *w)
{
    memset(w, 0, sizeof(*w));
    struct db_stmt *st = db_stmt(db, STMT_WALLET_GET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        w->balance_cents = db_col_int(st, 0);
        w->entries = db_col_int(st, 1);
        w->alert_level = (int)db_col_int(st, 2);
        snprintf(w->debt_since, sizeof(w->debt_since), "%s", db_col_text(st, 3));
        snprintf(w->suspended_at, sizeof(w->suspended_at), "%s", db_col_text(st, 4));
        snprintf(w->suspended_notice_on, sizeof(w->suspended_notice_on), "%s", db_col_text(st, 5));
        snprintf(w->suspended_reason, sizeof(w->suspended_reason), "%s", db_col_text(st, 6));
        snprintf(w->suspended_by, sizeof(w->suspended_by), "%s", db_col_text(st, 7));
        w->suspended = w->suspended_at[0] != '\0';
    }
    db_reset(st);
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

/* UTC bounds of a Rome month "YYYY-MM": [from, to). */
static bool ledger_month_bounds(const char *month, char from[TIME_ISO_MAX], char to[TIME_ISO_MAX])
{
    int y, m;
    char tail;
    if (strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12 ||
        y < 2000 || y > 2999)
        return false;
    char d1[32], d2[32];
    snprintf(d1, sizeof(d1), "%04d-%02d-01", y, m);
    snprintf(d2, sizeof(d2), "%04d-%02d-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    return time_rome_to_utc(d1, "00:00", from) == TIME_LOCAL_OK &&
           time_rome_to_utc(d2, "00:00", to) == TIME_LOCAL_OK;
}

int ledger_list(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                const struct ledger_filter *f, struct ledger_row **rows, size_t *n,
                int64_t *opening)
{
    *rows = NULL;
    *n = 0;
    char from[TIME_ISO_MAX] = "", to[TIME_ISO_MAX] = "";
    if (f && f->month && *f->month && !ledger_month_bounds(f->month, from, to))
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_LEDGER_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    db_bind_int(st, 5, f ? f->pupil_id : 0);
    db_bind_text(st, 6, f && f->kind ? f->kind : "");
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            struct ledger_row *bigger = arena_alloc(a, ncap * sizeof(*bigger));
            if (*n)
                memcpy(bigger, *rows, *n * sizeof(*bigger));
            *rows = bigger;
            cap = ncap;
        }
        struct ledger_row *r = &(*rows)[(*n)++];
        r->id = db_col_int(st, 0);
        r->pupil_id = db_col_int(st, 1);
        r->kind = arena_strdup(a, db_col_text(st, 2));
        r->amount_cents = db_col_int(st, 3);
        r->description = arena_strdup(a, db_col_text(st, 4));
        r->reason = arena_strdup(a, db_col_text(st, 5));
        r->ref = arena_strdup(a, db_col_text(st, 6));
        r->at = arena_strdup(a, db_col_text(st, 7));
        r->created_by = arena_strdup(a, db_col_text(st, 8));
        r->pupil_name = arena_strdup(a, db_col_text(st, 9));
        r->balance_after = db_col_int(st, 10);
    }
    db_reset(st);
    if (e != DB_DONE)
        return -1;
    if (opening)
        *opening = *n ? (*rows)[0].balance_after - (*rows)[0].amount_cents : 0;
    return 0;
}

int ledger_check(struct db *db, int64_t tenant_id, size_t *checked, size_t *mismatches, char *first,
                 size_t firstsz)
{
    *checked = 0;
    *mismatches = 0;
    if (first && firstsz)
        first[0] = '\0';
    struct db_stmt *st = db_stmt(db, STMT_WALLET_COUNT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    if (db_step(st) == DB_ROW)
        *checked = (size_t)db_col_int(st, 0);
    db_reset(st);
    st = db_stmt(db, STMT_LEDGER_CHECK);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*mismatches == 0 && first && firstsz) {
            if (db_col_null(st, 2))
                snprintf(first, firstsz,
                         "tenant %lld guardian %lld: %lld entries summing to %lld cents, no wallet",
                         (long long)db_col_int(st, 0), (long long)db_col_int(st, 1),
                         (long long)db_col_int(st, 5), (long long)db_col_int(st, 3));
            else
                snprintf(first, firstsz,
                         "tenant %lld guardian %lld: wallet says %lld cents in %lld entries, the "
                         "ledger %lld cents in %lld entries",
                         (long long)db_col_int(st, 0), (long long)db_col_int(st, 1),
                         (long long)db_col_int(st, 2), (long long)db_col_int(st, 4),
                         (long long)db_col_int(st, 3), (long long)db_col_int(st, 5));
        }
        (*mismatches)++;
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}
