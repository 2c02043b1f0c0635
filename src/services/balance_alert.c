/* Balance alerts by e-mail, once per crossing; see balance_alert.h. */
#include "services/balance_alert.h"

#include <stdio.h>
#include <string.h>

#include "domain/money.h"
#include "integrations/mail/outbox.h"
#include "services/payment_settings.h"
#include "services/tenant.h"
#include "util/arena.h"
#include "util/time.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/tmpl.h"

int balance_alert_level(const int64_t *thresholds, size_t n, int64_t balance)
{
    int level = 0;
    for (size_t i = 0; i < n; i++)
        if (balance <= thresholds[i])
            level++;
    return level;
}

static int balance_alert_mail(struct db *db, int64_t tenant_id, int64_t guardian_id,
                              int64_t threshold, int64_t after)
{
    struct arena a;
    arena_init(&a, 8192);
    int rc = -1;
    struct tenant t;
    struct db_stmt *st = NULL;
    if (tenant_find_id(db, &a, tenant_id, &t) != 1)
        goto out;
    st = db_stmt(db, STMT_BALANCE_RECIPIENT);
    if (!st)
        goto out;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        goto out;
    }
    const char *to = arena_strdup(&a, db_col_text(st, 0));
    const char *l = i18n_lang(db_col_text(st, 1));
    const char *lang = l ? l : I18N_DEFAULT_LANG;
    const char *name = arena_strdup(&a, db_col_text(st, 2));
    db_reset(st);
    int64_t outbox_id = 0;
    if (*to) {
        char balance[MONEY_TEXT_SIZE], thr[MONEY_TEXT_SIZE], debt[MONEY_TEXT_SIZE];
        money_format(after, balance);
        money_format(threshold, thr);
        money_format(after < 0 ? -after : 0, debt);
        struct tv *data = tv_dict(&a);
        tv_set_str(data, "name", name);
        tv_set_str(data, "balance", balance);
        tv_set_str(data, "threshold", thr);
        tv_set_str(data, "debt", debt);
        tv_set_bool(data, "low", after > 0);
        tv_set_bool(data, "zero", after == 0);
        tv_set_bool(data, "in_debt", after < 0);
        tv_set_strf(data, "topup_href", "%s/%s/ricariche", page_public_base(), t.slug);
        if (mail_queue(db, &a, &t, to, lang, "balance_alert", data, &outbox_id) != 0)
            goto out;
    }
    st = db_stmt(db, STMT_BALANCE_NOTICE_INSERT);
    if (!st)
        goto out;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, "alert");
    db_bind_int(st, 4, threshold);
    db_bind_int(st, 5, after);
    db_bind_int(st, 6, outbox_id);
    db_bind_text(st, 7, now);
    db_bind_text(st, 8, "");
    rc = db_exec_stmt(st) == DB_OK ? 0 : -1;
out:
    arena_free(&a);
    return rc;
}

int balance_alert_after_change(struct db *db, int64_t tenant_id, int64_t guardian_id,
                               int64_t before, int64_t after, int level, const char *debt_since)
{
    struct payment_settings s;
    if (payment_settings_get(db, tenant_id, &s) != 0)
        return -1;
    int new_level = balance_alert_level(s.thresholds, s.nthresholds, after);
    char since[TIME_ISO_MAX] = "";
    if (after < 0) {
        if (debt_since && *debt_since)
            snprintf(since, sizeof(since), "%s", debt_since);
        else
            time_now_iso(since);
    }
    if (new_level != level || strcmp(since, debt_since ? debt_since : "") != 0) {
        struct db_stmt *st = db_stmt(db, STMT_WALLET_SET_STATE);
        if (!st)
            return -1;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, guardian_id);
        db_bind_int(st, 3, new_level);
        db_bind_text(st, 4, since);
        if (db_exec_stmt(st) != DB_OK)
            return -1;
    }
    (void)before;
    if (new_level <= level)
        return 0;
    /* The deepest threshold now crossed: thresholds are descending, the level counts from the
       top. */
    int64_t threshold = s.thresholds[new_level - 1];
    return balance_alert_mail(db, tenant_id, guardian_id, threshold, after);
}
