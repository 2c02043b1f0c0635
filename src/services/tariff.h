/*
 * Tariffs: the municipality's price lists and what a pupil pays for a meal on a day. A price
 * list is valid from a date until the next one starts, so a meal is always priced by the list
 * in force on its day and past meals keep their price. A list the office makes starts after
 * today (Europe/Rome) and can be changed until that day comes; from then on it is fixed, and a
 * change of prices is a new list. Every creation and change is audit-logged. The pricing rules
 * themselves are domain/tariff.h's.
 */
#ifndef REFETTORIO_SERVICES_TARIFF_H
#define REFETTORIO_SERVICES_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/tariff.h"
#include "services/campaign.h"
#include "store/db.h"
#include "util/arena.h"

#define TARIFF_LIST_MAX  200 /* price lists tariff_list_all returns */
#define TARIFF_LABEL_MAX 120 /* characters of a list's label */
/* Prices of one list: per kind the full and non-resident prices and one per ISEE band. */
#define TARIFF_ITEMS_MAX (TARIFF_KINDS * (2 + ISEE_BAND_LIST_MAX))
#define TARIFF_TZ        "Europe/Rome"

struct tariff_list {
    int64_t id;
    const char *valid_from; /* "YYYY-MM-DD" */
    const char *label;
    int vat_rate_bp, sibling2_bp, sibling3_bp;
    const char *created_at, *created_by;
    struct tariff_item *items; /* kind, then category, then band */
    size_t nitems;
};

/* What the office writes; strings already trimmed. */
struct tariff_list_input {
    const char *valid_from; /* "YYYY-MM-DD" */
    const char *label;      /* may be empty */
    int vat_rate_bp, sibling2_bp, sibling3_bp;
    const struct tariff_item *items;
    size_t nitems;
};

enum tariff_list_err {
    TARIFF_LIST_OK = 0,
    TARIFF_LIST_INVALID,   /* see *field */
    TARIFF_LIST_NOT_FOUND, /* no such list in this tenant (or an ISEE band not the tenant's) */
    TARIFF_LIST_IN_FORCE,  /* tariff_list_update: the list is in force or past */
    TARIFF_LIST_DUPLICATE, /* another list starts on the same day (*field "valid_from") */
    TARIFF_LIST_DB,
};

/* The problems of an input that need no database, as field names (below); returns how many.
   Names: "valid_from" (not a date), "label" (too long or with control characters),
   "vat_rate_bp", "sibling2_bp", "sibling3_bp" (not 0..10000), "full_<kind>" (the full price of
   a kind is missing: every list prices all three kinds), "items" (a price out of
   0..TARIFF_PRICE_MAX, a kind or category out of range, an ISEE price without a band, two
   prices for the same thing, or too many). <kind> is school_kind_name(). */
#define TARIFF_INPUT_FIELDS 12
size_t tariff_list_input_problems(const struct tariff_list_input *in,
                                  const char *fields[TARIFF_INPUT_FIELDS]);

/* A new list starting after today (Europe/Rome; else TARIFF_LIST_INVALID, "valid_from"), with
   all its prices, in one transaction; audit-logged with actor_label. *field as above, also
   "valid_from" for a taken day and "items" for a band not of the tenant. */
enum tariff_list_err tariff_list_create(struct db *db, int64_t tenant_id,
                                        const struct tariff_list_input *in, const char *actor_label,
                                        int64_t *id, const char **field);
/* The same inside the caller's transaction, without the rule on the start day (the demo and
   the CLI record lists already in force); actor_label NULL records the system. */
enum tariff_list_err tariff_list_create_tx(struct db *db, int64_t tenant_id,
                                           const struct tariff_list_input *in,
                                           const char *actor_label, int64_t *id,
                                           const char **field);
/* Replace list id (its start day, label, rates and every price) while it is not in force:
   TARIFF_LIST_IN_FORCE when its valid_from is today or earlier. The new start day must be
   after today as well. One transaction, audit-logged. */
enum tariff_list_err tariff_list_update(struct db *db, int64_t tenant_id, int64_t id,
                                        const struct tariff_list_input *in, const char *actor_label,
                                        const char **field);

/* Every list of the tenant with its prices, newest start first (at most TARIFF_LIST_MAX). */
int tariff_list_all(struct db *db, struct arena *a, int64_t tenant_id, struct tariff_list **out,
                    size_t *n);
/* 1 found, 0 not, -1 error. */
int tariff_list_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                     struct tariff_list *out);
/* The list in force on day ("YYYY-MM-DD"): the latest that starts on or before it. 1, 0, -1. */
int tariff_list_in_force(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                         struct tariff_list *out);
/* Whether the list starts after today (so the office may still change it). */
bool tariff_list_is_future(const struct tariff_list *l, const char *today);
/* The rules of domain/tariff.h for a list (pointing into it). */
struct tariff_rules tariff_list_rules(const struct tariff_list *l);

/* What a pupil pays for one meal on a day, and why. */
struct tariff_quote {
    int64_t price_cents, net_cents, vat_cents;
    int vat_rate_bp;
    int64_t price_list_id;
    char valid_from[11]; /* the list's start day */
    /* The situation that set the price. */
    int64_t enrollment_id, school_year_id;
    int school_kind;      /* enum school_kind */
    int64_t isee_band_id; /* 0: none */
    bool resident;
    int sibling_rank;
    struct tariff_reason reasons[TARIFF_REASONS_MAX];
    size_t nreasons;
};

/* The pupil's price for a meal on day (YYYY-MM-DD, Rome): the list in force that day (latest
   valid_from <= day), the pupil's confirmed enrollment for the school year containing day.
   0 ok, 1 no price (no list in force, or no confirmed enrollment that day, or the list has no
   full price for the pupil's school kind), -1 error. Three indexed queries: the list, its
   prices, the pupil's situation with the sibling rank. */
int tariff_for_pupil(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *day,
                     struct tariff_quote *q);

#endif
