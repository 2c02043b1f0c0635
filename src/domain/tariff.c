#include "domain/tariff.h"

#include <string.h>

#include "domain/money.h"

static const char *const tariff_category_names[] = {
    [TARIFF_FULL] = "full",
    [TARIFF_ISEE] = "isee",
    [TARIFF_NON_RESIDENT] = "non_resident",
};

const char *tariff_category_name(enum tariff_category c)
{
    return (unsigned)c <= TARIFF_NON_RESIDENT ? tariff_category_names[c] : "";
}

bool tariff_category_parse(const char *s, enum tariff_category *out)
{
    for (unsigned c = 0; s && c <= TARIFF_NON_RESIDENT; c++)
        if (!strcmp(s, tariff_category_names[c])) {
            *out = (enum tariff_category)c;
            return true;
        }
    return false;
}

/* Both operands are bounded (price by TARIFF_PRICE_MAX, bp by 10000), so the product fits;
   prices are never negative, so half away from zero is half up. */
int64_t tariff_discount(int64_t price_cents, int bp)
{
    if (price_cents <= 0 || bp <= 0)
        return 0;
    return (price_cents * bp + 5000) / 10000;
}

bool tariff_lookup(const struct tariff_rules *rules, int kind, enum tariff_category category,
                   int64_t isee_band_id, int64_t *cents)
{
    for (size_t i = 0; i < rules->nitems; i++) {
        const struct tariff_item *it = &rules->items[i];
        if (it->kind == kind && it->category == category &&
            (category != TARIFF_ISEE || it->isee_band_id == isee_band_id)) {
            *cents = it->price_cents;
            return true;
        }
    }
    return false;
}

static bool tariff_rules_valid(const struct tariff_rules *rules)
{
    if (rules->vat_rate_bp < 0 || rules->vat_rate_bp > MONEY_RATE_MAX_BP ||
        rules->sibling2_bp < 0 || rules->sibling2_bp > 10000 || rules->sibling3_bp < 0 ||
        rules->sibling3_bp > 10000 || (rules->nitems && !rules->items))
        return false;
    for (size_t i = 0; i < rules->nitems; i++)
        if (rules->items[i].price_cents < 0 || rules->items[i].price_cents > TARIFF_PRICE_MAX)
            return false;
    return true;
}

static void tariff_reason_add(struct tariff_price *p, enum tariff_reason_kind kind, int64_t amount,
                              int64_t band)
{
    if (p->nreasons < TARIFF_REASONS_MAX)
        p->reasons[p->nreasons++] =
            (struct tariff_reason){.kind = kind, .amount_cents = amount, .isee_band_id = band};
}

enum tariff_err tariff_compute(const struct tariff_rules *rules, const struct tariff_pupil *pupil,
                               struct tariff_price *out)
{
    if (!rules || !pupil || !out || pupil->kind < 0 || pupil->kind >= TARIFF_KINDS ||
        pupil->sibling_rank < 1 || pupil->isee_band_id < 0 || !tariff_rules_valid(rules))
        return TARIFF_INVALID;
    int64_t full;
    if (!tariff_lookup(rules, pupil->kind, TARIFF_FULL, 0, &full))
        return TARIFF_NO_PRICE;
    struct tariff_price p = {.vat_rate_bp = rules->vat_rate_bp};
    tariff_reason_add(&p, TARIFF_REASON_FULL, full, 0);
    int64_t price = full, special;
    if (!pupil->resident) {
        if (tariff_lookup(rules, pupil->kind, TARIFF_NON_RESIDENT, 0, &special)) {
            price = special;
            tariff_reason_add(&p, TARIFF_REASON_NON_RESIDENT, special, 0);
        }
        if (pupil->isee_band_id)
            tariff_reason_add(&p, TARIFF_REASON_ISEE_NOT_APPLIED, 0, pupil->isee_band_id);
    } else if (pupil->isee_band_id &&
               tariff_lookup(rules, pupil->kind, TARIFF_ISEE, pupil->isee_band_id, &special)) {
        price = special;
        tariff_reason_add(&p, TARIFF_REASON_ISEE, special, pupil->isee_band_id);
    }
    int bp = pupil->sibling_rank == 1   ? 0
             : pupil->sibling_rank == 2 ? rules->sibling2_bp
                                        : rules->sibling3_bp;
    if (bp > 0) {
        int64_t off = tariff_discount(price, bp);
        price -= off;
        tariff_reason_add(&p, TARIFF_REASON_SIBLING, -off, 0);
        p.reasons[p.nreasons - 1].discount_bp = bp;
        p.reasons[p.nreasons - 1].sibling_rank = pupil->sibling_rank;
    }
    p.price_cents = price;
    if (money_vat_split(price, rules->vat_rate_bp, &p.net_cents, &p.vat_cents) != MONEY_OK)
        return TARIFF_INVALID;
    *out = p;
    return TARIFF_OK;
}
