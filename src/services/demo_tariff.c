/* The demo's tariffs: the 2026/2027 price list in force since 1 September 2026 and next year's,
   about 3% dearer, from 1 September 2027 (still open to changes), with reduced prices for the
   ISEE bands A, B and C, non-resident prices and sibling discounts; and the situations that
   make the families' prices differ: Matteo Esposito in band B, Sofia Ferri non-resident, the
   Rossi children a first and a second child. */
#include <string.h>

#include "services/demo.h"
#include "services/tariff.h"

struct demo_prices {
    const char *valid_from, *label;
    int64_t full[TARIFF_KINDS], band_a[TARIFF_KINDS], band_b[TARIFF_KINDS], band_c[TARIFF_KINDS],
        non_resident[TARIFF_KINDS];
};

static const struct demo_prices demo_lists[] = {
    {"2026-09-01",
     "Tariffe 2026/2027",
     {460, 510, 530},
     {220, 250, 260},
     {340, 370, 390},
     {410, 450, 470},
     {620, 660, 680}},
    {"2027-09-01",
     "Tariffe 2027/2028",
     {474, 525, 546},
     {227, 258, 268},
     {350, 381, 402},
     {422, 464, 484},
     {639, 680, 700}},
};

static int64_t demo_band(struct db *db, int64_t tenant_id, const char *code)
{
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_DEMO_BAND);
    if (!st)
        return 0;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, code);
    int64_t id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    return id;
}

static int demo_situation(struct db *db, int64_t tenant_id, const char *pupil_cf, int64_t band,
                          bool resident)
{
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_DEMO_SITUATION);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, pupil_cf);
    db_bind_int(st, 3, band);
    db_bind_int(st, 4, resident);
    return db_exec_stmt(st) == DB_OK && db_changes(db) >= 1 ? 0 : -1;
}

int demo_seed_tariffs(struct db *db, int64_t tenant_id)
{
    int64_t bands[3] = {demo_band(db, tenant_id, "A"), demo_band(db, tenant_id, "B"),
                        demo_band(db, tenant_id, "C")};
    if (!bands[0] || !bands[1] || !bands[2])
        return -1;
    for (size_t l = 0; l < sizeof(demo_lists) / sizeof(demo_lists[0]); l++) {
        const struct demo_prices *p = &demo_lists[l];
        struct tariff_item items[TARIFF_KINDS * 5];
        size_t n = 0;
        for (int k = 0; k < TARIFF_KINDS; k++) {
            items[n++] = (struct tariff_item){k, TARIFF_FULL, 0, p->full[k]};
            items[n++] = (struct tariff_item){k, TARIFF_ISEE, bands[0], p->band_a[k]};
            items[n++] = (struct tariff_item){k, TARIFF_ISEE, bands[1], p->band_b[k]};
            items[n++] = (struct tariff_item){k, TARIFF_ISEE, bands[2], p->band_c[k]};
            items[n++] = (struct tariff_item){k, TARIFF_NON_RESIDENT, 0, p->non_resident[k]};
        }
        struct tariff_list_input in = {.valid_from = p->valid_from,
                                       .label = p->label,
                                       .vat_rate_bp = 400,
                                       .sibling2_bp = 2000,
                                       .sibling3_bp = 3000,
                                       .items = items,
                                       .nitems = n};
        int64_t id;
        const char *field = NULL;
        if (tariff_list_create_tx(db, tenant_id, &in, "refettorio demo", &id, &field) !=
            TARIFF_LIST_OK)
            return -1;
    }
    if (demo_situation(db, tenant_id, "SPSMTT17B11F839K", bands[1], true) != 0 ||
        demo_situation(db, tenant_id, "FRRSFO19T41F205D", 0, false) != 0)
        return -1;
    return 0;
}
