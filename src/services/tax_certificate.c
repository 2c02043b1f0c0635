/* The yearly certificate of school-meal expenses; the rule is in tax_certificate.h. */
#include "services/tax_certificate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"

int tax_certificate_split(int64_t total, const int64_t *weights, size_t n, int64_t *shares)
{
    if (n == 0 || total > TAX_CERT_SPLIT_MAX || total < -TAX_CERT_SPLIT_MAX)
        return -1;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] < 0 || weights[i] > TAX_CERT_SPLIT_MAX)
            return -1;
        sum += weights[i];
        if (sum > TAX_CERT_SPLIT_MAX)
            return -1;
    }
    /* Work on the magnitude, so a negative total splits into the negated shares of the positive
       one. With both factors at most 1e9 every product fits in int64_t. */
    int64_t mag = total < 0 ? -total : total, given = 0;
    bool equal = sum == 0;
    int64_t *rem = malloc(n * sizeof(*rem));
    if (!rem)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int64_t w = equal ? 1 : weights[i], d = equal ? (int64_t)n : sum;
        shares[i] = mag * w / d;
        rem[i] = mag * w % d;
        given += shares[i];
    }
    /* The cents left over go one each to the largest remainders. */
    for (int64_t left = mag - given; left > 0; left--) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (rem[i] > rem[best])
                best = i;
        shares[best]++;
        rem[best] = -1;
    }
    free(rem);
    if (total < 0)
        for (size_t i = 0; i < n; i++)
            shares[i] = -shares[i];
    return 0;
}

/* UTC bounds of the Rome calendar year: [from, to). */
static bool tax_year_bounds(int year, char from[TIME_ISO_MAX], char to[TIME_ISO_MAX])
{
    if (year < TAX_CERT_YEAR_MIN || year > TAX_CERT_YEAR_MAX)
        return false;
    char d1[32], d2[32];
    snprintf(d1, sizeof(d1), "%04d-01-01", year);
    snprintf(d2, sizeof(d2), "%04d-01-01", year + 1);
    return time_rome_to_utc(d1, "00:00", from) == TIME_LOCAL_OK &&
           time_rome_to_utc(d2, "00:00", to) == TIME_LOCAL_OK;
}

static void tax_bind_range(struct db_stmt *st, int64_t tenant_id, int64_t guardian_id,
                           const char *from, const char *to)
{
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
}

static int tax_load_pupils(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                           struct tax_certificate *c)
{
    struct db_stmt *st = db_stmt(db, STMT_TAX_PUPILS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_int(st, 3, TAX_CERT_PUPILS_MAX);
    c->pupils = arena_calloc(a, TAX_CERT_PUPILS_MAX, sizeof(*c->pupils));
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && c->npupils < TAX_CERT_PUPILS_MAX) {
        struct tax_pupil *p = &c->pupils[c->npupils++];
        p->id = db_col_int(st, 0);
        p->name = arena_strdup(a, db_col_text(st, 1));
        p->surname = arena_strdup(a, db_col_text(st, 2));
        p->fiscal_code = arena_strdup(a, db_col_text(st, 3));
        p->school = arena_strdup(a, db_col_text(st, 4));
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

static struct tax_pupil *tax_find(struct tax_certificate *c, int64_t pupil_id)
{
    for (size_t i = 0; pupil_id && i < c->npupils; i++)
        if (c->pupils[i].id == pupil_id)
            return &c->pupils[i];
    return NULL;
}

static int tax_load_receipts(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                             const char *from, const char *to, struct tax_certificate *c)
{
    struct db_stmt *st = db_stmt(db, STMT_TAX_PAYMENTS);
    if (!st)
        return -1;
    tax_bind_range(st, tenant_id, guardian_id, from, to);
    db_bind_int(st, 5, TAX_CERT_RECEIPTS_MAX + 1);
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (c->nreceipts == TAX_CERT_RECEIPTS_MAX) {
            /* A certificate that leaves receipts out would state a wrong total. */
            log_error("tax certificate: too many receipts", "guardian",
                      arena_printf(a, "%lld", (long long)guardian_id));
            e = DB_ERR;
            break;
        }
        if (c->nreceipts == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct tax_receipt *bigger = arena_alloc(a, ncap * sizeof(*bigger));
            if (c->nreceipts)
                memcpy(bigger, c->receipts, c->nreceipts * sizeof(*bigger));
            c->receipts = bigger;
            cap = ncap;
        }
        struct tax_receipt *r = &c->receipts[c->nreceipts++];
        r->position_id = db_col_int(st, 0);
        r->pupil_id = db_col_int(st, 1);
        r->paid_at = arena_strdup(a, db_col_text(st, 2));
        r->iuv = arena_strdup(a, db_col_text(st, 3));
        r->notice_number = arena_strdup(a, db_col_text(st, 4));
        r->receipt_id = arena_strdup(a, db_col_text(st, 5));
        r->psp = arena_strdup(a, db_col_text(st, 6));
        r->amount_cents = db_col_int(st, 7);
        c->paid_cents += r->amount_cents;
        struct tax_pupil *p = tax_find(c, r->pupil_id);
        if (p)
            p->targeted_cents += r->amount_cents;
        else
            r->pupil_id = 0; /* not (or no longer) the family's pupil: a family payment */
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

static int tax_load_refunds_meals(struct db *db, int64_t tenant_id, int64_t guardian_id,
                                  const char *from, const char *to, struct tax_certificate *c)
{
    struct db_stmt *st = db_stmt(db, STMT_TAX_REFUNDS);
    if (!st)
        return -1;
    tax_bind_range(st, tenant_id, guardian_id, from, to);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        c->refunds_cents = db_col_int(st, 0);
    db_reset(st);
    if (e != DB_ROW)
        return -1;
    st = db_stmt(db, STMT_TAX_MEALS);
    if (!st)
        return -1;
    tax_bind_range(st, tenant_id, guardian_id, from, to);
    while ((e = db_step(st)) == DB_ROW) {
        struct tax_pupil *p = tax_find(c, db_col_int(st, 0));
        int64_t cents = db_col_int(st, 1);
        /* Corrections could make a pupil's meals net positive: it then weighs nothing. */
        if (p && cents > 0)
            p->meals_cents = cents;
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

int tax_certificate_compute(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                            int year, struct tax_certificate *out)
{
    memset(out, 0, sizeof(*out));
    out->year = year;
    char from[TIME_ISO_MAX], to[TIME_ISO_MAX];
    if (!tax_year_bounds(year, from, to))
        return -1;
    if (tax_load_pupils(db, a, tenant_id, guardian_id, out) != 0 ||
        tax_load_receipts(db, a, tenant_id, guardian_id, from, to, out) != 0 ||
        tax_load_refunds_meals(db, tenant_id, guardian_id, from, to, out) != 0)
        return -1;
    out->total_cents = out->paid_cents + out->refunds_cents;
    int64_t targeted = 0;
    for (size_t i = 0; i < out->npupils; i++)
        targeted += out->pupils[i].targeted_cents;
    out->pooled_cents = out->total_cents - targeted;
    if (out->npupils == 0)
        return 0;
    int64_t *weights = arena_calloc(a, out->npupils, sizeof(*weights));
    int64_t *shares = arena_calloc(a, out->npupils, sizeof(*shares));
    bool any_meal = false;
    for (size_t i = 0; i < out->npupils; i++) {
        weights[i] = out->pupils[i].meals_cents;
        any_meal |= weights[i] > 0;
    }
    out->equal_shares = !any_meal;
    if (tax_certificate_split(out->pooled_cents, weights, out->npupils, shares) != 0)
        return -1;
    for (size_t i = 0; i < out->npupils; i++) {
        out->pupils[i].share_cents = shares[i];
        out->pupils[i].total_cents = out->pupils[i].targeted_cents + shares[i];
    }
    return 0;
}

const struct tax_pupil *tax_certificate_pupil(const struct tax_certificate *c, int64_t pupil_id)
{
    return tax_find((struct tax_certificate *)c, pupil_id);
}

bool tax_receipt_concerns(const struct tax_receipt *r, int64_t pupil_id)
{
    return r->pupil_id == 0 || r->pupil_id == pupil_id;
}

static int tax_year_desc(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a < b) - (a > b);
}

int tax_certificate_years(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                          int **years, size_t *n)
{
    *n = 0;
    *years = arena_calloc(a, TAX_CERT_YEARS_MAX, sizeof(**years));
    struct db_stmt *st = db_stmt(db, STMT_TAX_PAID_TIMES);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    db_bind_int(st, 3, TAX_CERT_RECEIPTS_MAX * TAX_CERT_YEARS_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        char date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX];
        if (!time_utc_to_rome(db_col_text(st, 0), date, hhmm))
            continue;
        int y = atoi(date);
        bool seen = false;
        for (size_t i = 0; i < *n; i++)
            seen |= (*years)[i] == y;
        if (!seen && *n < TAX_CERT_YEARS_MAX && y >= TAX_CERT_YEAR_MIN && y <= TAX_CERT_YEAR_MAX)
            (*years)[(*n)++] = y;
    }
    db_reset(st);
    qsort(*years, *n, sizeof(**years), tax_year_desc);
    return e == DB_DONE ? 0 : -1;
}
