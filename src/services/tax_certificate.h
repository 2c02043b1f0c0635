/*
 * The yearly certificate of school-meal expenses ("attestazione delle spese per la mensa
 * scolastica") a family attaches to its tax return (730) for each pupil: what the family paid
 * in a calendar year by traceable means, net of refunds, and how much of it concerns each pupil.
 *
 * The rule, for calendar year Y judged in Europe/Rome:
 *   - traceable payments are the family's paid pagoPA positions (status 'paid') whose paid_at
 *     falls in Y; each is a receipt on the certificate;
 *   - refunds are the family's ledger entries of kind 'refund' in Y (negative amounts), netted
 *     against the payments: the family's total is payments + refunds;
 *   - a position with a pupil counts entirely for that pupil; the rest of the total (the
 *     family's own top-ups plus the refunds) is split among the family's pupils in proportion to
 *     the meals charged to each in Y (ledger entries of kind 'meal' attributed to the pupil), or
 *     in equal shares when no meals were charged;
 *   - shares are whole cents by the largest remainder method (ties to the pupil created first),
 *     so the pupils' totals add up exactly to the family's total.
 * A position for a pupil who is no longer the family's is treated as a family payment.
 */
#ifndef REFETTORIO_SERVICES_TAX_CERTIFICATE_H
#define REFETTORIO_SERVICES_TAX_CERTIFICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

#define TAX_CERT_PUPILS_MAX   64                  /* pupils of one family looked at */
#define TAX_CERT_RECEIPTS_MAX 5000                /* paid positions of one family in one year */
#define TAX_CERT_YEARS_MAX    100                 /* years listed */
#define TAX_CERT_SPLIT_MAX    INT64_C(1000000000) /* cents (10 million euro) and weights split */
#define TAX_CERT_YEAR_MIN     2000
#define TAX_CERT_YEAR_MAX     2999

/* One paid pagoPA position. Strings live in the arena. */
struct tax_receipt {
    int64_t position_id;
    int64_t pupil_id; /* 0: a payment for the whole family */
    int64_t amount_cents;
    const char *paid_at; /* UTC ISO */
    const char *iuv, *notice_number, *receipt_id, *psp;
};

/* One pupil of the family and its part of the year's total. */
struct tax_pupil {
    int64_t id;
    const char *name, *surname, *fiscal_code;
    const char *school;     /* of the latest confirmed enrollment, "" when none */
    int64_t meals_cents;    /* meals charged to the pupil in the year (>= 0) */
    int64_t targeted_cents; /* positions paid for this pupil alone */
    int64_t share_cents;    /* its share of the rest of the family's net total */
    int64_t total_cents;    /* targeted + share: what its certificate states */
};

struct tax_certificate {
    int year;
    int64_t paid_cents;       /* every receipt of the year */
    int64_t refunds_cents;    /* the refunds of the year (<= 0) */
    int64_t total_cents;      /* paid + refunds; the pupils' totals add up to it */
    int64_t pooled_cents;     /* the part split among the pupils (total - targeted) */
    bool equal_shares;        /* no meals were charged: split in equal shares */
    struct tax_pupil *pupils; /* in creation order */
    size_t npupils;
    struct tax_receipt *receipts; /* oldest first */
    size_t nreceipts;
};

/* Split total cents (any sign) into n shares in proportion to weights (each >= 0), or equally
   when every weight is 0, in whole cents by the largest remainder method (ties to the earlier
   index); the shares add up exactly to total. 0, or -1 when n is 0, a weight is negative, or
   |total| or the sum of the weights exceeds TAX_CERT_SPLIT_MAX. */
int tax_certificate_split(int64_t total, const int64_t *weights, size_t n, int64_t *shares);

/* The certificate of a family for calendar year (Europe/Rome). 0, or -1 on a database error, a
   year outside TAX_CERT_YEAR_MIN..MAX or amounts past TAX_CERT_SPLIT_MAX. */
int tax_certificate_compute(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                            int year, struct tax_certificate *out);

/* The pupil in c, or NULL when it is not the family's. */
const struct tax_pupil *tax_certificate_pupil(const struct tax_certificate *c, int64_t pupil_id);

/* Whether a receipt belongs on the certificate of pupil_id: a family payment, or one made for
   that pupil. */
bool tax_receipt_concerns(const struct tax_receipt *r, int64_t pupil_id);

/* The calendar years (Europe/Rome) in which the family paid a pagoPA position, newest first,
   in the arena. 0 or -1. */
int tax_certificate_years(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                          int **years, size_t *n);

#endif
