/* A municipality's payment settings; see payment_settings.h. */
#include "services/payment_settings.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/iban.h"
#include "services/audit.h"
#include "util/text.h"
#include "util/time.h"
#include "util/msg.h"

static int payment_cmp_asc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int payment_cmp_desc(const void *a, const void *b)
{
    return payment_cmp_asc(b, a);
}

/* Sorts v (descending or ascending); false when a value is repeated. */
static bool payment_sort_unique(int64_t *v, size_t n, bool descending)
{
    qsort(v, n, sizeof(*v), descending ? payment_cmp_desc : payment_cmp_asc);
    for (size_t i = 1; i < n; i++)
        if (v[i] == v[i - 1])
            return false;
    return true;
}

int payment_cents_list_parse(const char *text, int64_t *out, size_t max, size_t *n, int64_t lo,
                             int64_t hi, int descending)
{
    *n = 0;
    const char *p = text ? text : "";
    if (!*p)
        return 0;
    for (;;) {
        char *end;
        if (!((*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || *n == max || v < lo || v > hi)
            return 0;
        out[(*n)++] = v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return 0;
        p = end + 1;
    }
    return payment_sort_unique(out, *n, descending) ? 1 : 0;
}

void payment_cents_list_format(const int64_t *v, size_t n, char *out, size_t outsz)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < outsz; i++) {
        int k = snprintf(out + used, outsz - used, "%s%lld", i ? "," : "", (long long)v[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

static void payment_settings_defaults(struct payment_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->segregation_code = 2;
    s->topup_amounts[0] = 2000;
    s->topup_amounts[1] = 5000;
    s->topup_amounts[2] = 10000;
    s->ntopup_amounts = 3;
    s->topup_min_cents = 1000;
    s->topup_max_cents = 50000;
    s->due_days = 30;
    s->thresholds[0] = 1500;
    s->thresholds[1] = 0;
    s->thresholds[2] = -1500;
    s->nthresholds = 3;
}

int payment_settings_get(struct db *db, int64_t tenant_id, struct payment_settings *s)
{
    payment_settings_defaults(s);
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SETTINGS_GET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        s->segregation_code = (int)db_col_int(st, 0);
        snprintf(s->creditor_iban, sizeof(s->creditor_iban), "%s", db_col_text(st, 1));
        snprintf(s->postal_account, sizeof(s->postal_account), "%s", db_col_text(st, 2));
        snprintf(s->postal_iban, sizeof(s->postal_iban), "%s", db_col_text(st, 3));
        snprintf(s->cbill_code, sizeof(s->cbill_code), "%s", db_col_text(st, 4));
        payment_cents_list_parse(db_col_text(st, 5), s->topup_amounts, PAYMENT_AMOUNTS_MAX,
                                 &s->ntopup_amounts, 1, PAYMENT_TOPUP_CEILING, 0);
        s->topup_min_cents = db_col_int(st, 6);
        s->topup_max_cents = db_col_int(st, 7);
        s->due_days = (int)db_col_int(st, 8);
        payment_cents_list_parse(db_col_text(st, 9), s->thresholds, PAYMENT_THRESHOLDS_MAX,
                                 &s->nthresholds, -PAYMENT_TOPUP_CEILING, PAYMENT_TOPUP_CEILING, 1);
    }
    db_reset(st);
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

static bool payment_alnum(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

int payment_settings_save(struct db *db, int64_t tenant_id, const struct payment_settings *in,
                          const char *by, const char **field, const char **field_msg)
{
    /* Stored sorted and without repeats, as payment_settings_get reads them back. */
    struct payment_settings copy = *in;
    const struct payment_settings *s = &copy;
#define PAYMENT_REFUSE(f, m)                                                                       \
    do {                                                                                           \
        *field = (f);                                                                              \
        *field_msg = (m);                                                                          \
        return 1;                                                                                  \
    } while (0)
    if (s->segregation_code < 0 || s->segregation_code > 99)
        PAYMENT_REFUSE("segregation_code", N_("Enter a segregation code from 0 to 99."));
    struct iban info;
    if (s->creditor_iban[0] && iban_parse(s->creditor_iban, &info) != IBAN_OK)
        PAYMENT_REFUSE("creditor_iban", N_("This IBAN is not valid: check it on the bank's "
                                           "documents."));
    if (s->postal_account[0] && !str_digits(s->postal_account, 1, 12))
        PAYMENT_REFUSE("postal_account",
                       N_("The postal account number has at most 12 digits and nothing else."));
    if (s->postal_iban[0] && iban_parse(s->postal_iban, &info) != IBAN_OK)
        PAYMENT_REFUSE("postal_iban", N_("This IBAN is not valid: check it on the bank's "
                                         "documents."));
    if (!payment_alnum(s->cbill_code, 5))
        PAYMENT_REFUSE("cbill_code", N_("The CBILL code has up to 5 capital letters or digits."));
    if (s->ntopup_amounts == 0)
        PAYMENT_REFUSE("topup_amounts", N_("Offer at least one top-up amount."));
    if (!payment_sort_unique(copy.topup_amounts, copy.ntopup_amounts, false))
        PAYMENT_REFUSE("topup_amounts", N_("Each amount only once."));
    if (!payment_sort_unique(copy.thresholds, copy.nthresholds, true))
        PAYMENT_REFUSE("thresholds", N_("Each threshold only once."));
    if (s->topup_min_cents < 100 || s->topup_min_cents > s->topup_max_cents ||
        s->topup_max_cents > PAYMENT_TOPUP_CEILING)
        PAYMENT_REFUSE("topup_min", N_("The minimum must be at least 1,00 euro and not above the "
                                       "maximum."));
    for (size_t i = 0; i < s->ntopup_amounts; i++)
        if (s->topup_amounts[i] < s->topup_min_cents || s->topup_amounts[i] > s->topup_max_cents)
            PAYMENT_REFUSE("topup_amounts",
                           N_("Every amount offered must be between the minimum and the maximum."));
    if (s->due_days < 1 || s->due_days > 365)
        PAYMENT_REFUSE("due_days", N_("Enter a number of days from 1 to 365."));
#undef PAYMENT_REFUSE
    char amounts[PAYMENT_AMOUNTS_MAX * 32], thresholds[PAYMENT_THRESHOLDS_MAX * 32];
    payment_cents_list_format(s->topup_amounts, s->ntopup_amounts, amounts, sizeof(amounts));
    payment_cents_list_format(s->thresholds, s->nthresholds, thresholds, sizeof(thresholds));
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_PAYMENT_SETTINGS_SAVE);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, s->segregation_code);
    db_bind_text(st, 3, s->creditor_iban);
    db_bind_text(st, 4, s->postal_account);
    db_bind_text(st, 5, s->postal_iban);
    db_bind_text(st, 6, s->cbill_code);
    db_bind_text(st, 7, amounts);
    db_bind_int(st, 8, s->topup_min_cents);
    db_bind_int(st, 9, s->topup_max_cents);
    db_bind_int(st, 10, s->due_days);
    db_bind_text(st, 11, thresholds);
    db_bind_text(st, 12, now);
    db_bind_text(st, 13, by ? by : "");
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    char detail[512];
    snprintf(detail, sizeof(detail),
             "segregation %d, amounts %s, min %lld, max %lld, due %d days, "
             "thresholds %s",
             s->segregation_code, amounts, (long long)s->topup_min_cents,
             (long long)s->topup_max_cents, s->due_days, thresholds);
    struct audit_entry a = {.tenant_id = tenant_id,
                            .actor = AUDIT_STAFF,
                            .actor_label = by ? by : "",
                            .action = "payment_settings.save",
                            .entity = "payment_settings",
                            .entity_id = tenant_id,
                            .to_state = "saved",
                            .detail = detail};
    return audit_record(db, &a);
}
