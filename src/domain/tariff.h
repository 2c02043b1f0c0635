/*
 * Tariffs: what one meal costs a pupil under one price list, and why. Pure rules, no I/O; the
 * service (services/tariff.h) loads the list in force and the pupil's situation and asks here.
 *
 * A price list holds, per school kind, gross prices (VAT included) in cents: the full price,
 * reduced prices for some ISEE bands, and a price for non-residents; with the list's VAT rate
 * and the sibling discounts (basis points off for the second child, and for the third and later
 * ones). The rules, in order:
 *
 *   1. The base is the full price of the pupil's school kind. A list without a full price for
 *      the kind has no price for the pupil (TARIFF_NO_PRICE).
 *   2. A non-resident pays the non-resident price of the kind, and no ISEE reduction applies to
 *      them (the band is shown as not applied). When the list has no non-resident price for the
 *      kind, the non-resident pays the full price.
 *   3. A resident with an ISEE band that has a price for the kind pays that price; with a band
 *      the list has no price for, or with no band, the full price.
 *   4. The sibling discount applies to the price from 2 or 3: rank 2 takes sibling2_bp off,
 *      rank 3 and later sibling3_bp. The discount is price * bp / 10000 rounded half away from
 *      zero to the cent, and the price becomes price - discount. Rank 1 (the eldest of the
 *      family's pupils confirmed in the school year, by birth date) pays the undiscounted price.
 *   5. The result is split into net and VAT with money_vat_split (domain/money.h).
 *
 * The reasons list every step that decided the price, for the family's page and the office:
 * first always the full price of the kind (the reference), then the ISEE or non-resident price
 * if one applied (or the band that was not applied to a non-resident), then the sibling
 * discount if any.
 */
#ifndef REFETTORIO_DOMAIN_TARIFF_H
#define REFETTORIO_DOMAIN_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* School kinds, in the order of enum school_kind (services/tenant.h). */
#define TARIFF_KINDS       3
#define TARIFF_PRICE_MAX   100000 /* cents: 1.000,00 euro for one meal, the most a list holds */
#define TARIFF_REASONS_MAX 4

enum tariff_category {
    TARIFF_FULL,         /* the full price of the kind */
    TARIFF_ISEE,         /* the price for an ISEE band */
    TARIFF_NON_RESIDENT, /* the price for a non-resident family */
};

/* One price of a list. */
struct tariff_item {
    int kind; /* 0..TARIFF_KINDS-1 */
    enum tariff_category category;
    int64_t isee_band_id; /* TARIFF_ISEE only; 0 otherwise */
    int64_t price_cents;  /* 0..TARIFF_PRICE_MAX */
};

/* A price list's rules. */
struct tariff_rules {
    const struct tariff_item *items;
    size_t nitems;
    int vat_rate_bp;              /* 400 = 4% */
    int sibling2_bp, sibling3_bp; /* 2000 = 20% off */
};

/* Who eats. */
struct tariff_pupil {
    int kind;             /* 0..TARIFF_KINDS-1 */
    int64_t isee_band_id; /* 0: no band declared */
    bool resident;
    int sibling_rank; /* 1 = the eldest (or only) child, 2 the second, ... */
};

enum tariff_reason_kind {
    TARIFF_REASON_FULL,             /* amount: the full price of the kind */
    TARIFF_REASON_ISEE,             /* amount: the band's price (isee_band_id) */
    TARIFF_REASON_ISEE_NOT_APPLIED, /* a non-resident's band (isee_band_id); amount 0 */
    TARIFF_REASON_NON_RESIDENT,     /* amount: the non-resident price */
    TARIFF_REASON_SIBLING,          /* amount: minus the discount; discount_bp, sibling_rank */
};

struct tariff_reason {
    enum tariff_reason_kind kind;
    int64_t amount_cents;
    int64_t isee_band_id;
    int discount_bp;
    int sibling_rank;
};

struct tariff_price {
    int64_t price_cents, net_cents, vat_cents;
    int vat_rate_bp;
    struct tariff_reason reasons[TARIFF_REASONS_MAX];
    size_t nreasons;
};

enum tariff_err {
    TARIFF_OK = 0,
    TARIFF_NO_PRICE, /* the list has no full price for the pupil's kind */
    TARIFF_INVALID,  /* a kind, rank, rate, discount or price out of range */
};

/* The pupil's price under the rules above. out is filled only on TARIFF_OK. */
enum tariff_err tariff_compute(const struct tariff_rules *rules, const struct tariff_pupil *pupil,
                               struct tariff_price *out);

/* The discount off price for bp basis points, rounded half away from zero to the cent
   (price 0..TARIFF_PRICE_MAX, bp 0..10000). */
int64_t tariff_discount(int64_t price_cents, int bp);

/* The price of one kind and category (band for TARIFF_ISEE) in the rules: true and *cents when
   the list has it. */
bool tariff_lookup(const struct tariff_rules *rules, int kind, enum tariff_category category,
                   int64_t isee_band_id, int64_t *cents);

/* "full", "isee", "non_resident" (the schema's words) and back. */
const char *tariff_category_name(enum tariff_category c);
bool tariff_category_parse(const char *s, enum tariff_category *out);

#endif
