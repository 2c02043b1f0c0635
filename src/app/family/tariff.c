/*
 * The family's tariff page (/famiglie/tariffa): for each of the family's children the price of
 * one meal today (or on the day asked for with ?giorno=YYYY-MM-DD), net and VAT, and why in
 * plain words (full price, ISEE band, non-resident, sibling discount), with the day the price
 * list started; a child with no confirmed enrollment for that day is said to have none. Owns
 * family_tariff_routes.
 */
#include <stdio.h>
#include <string.h>

#include "app/family/family.h"
#include "app/handlers.h"
#include "domain/money.h"
#include "services/campaign.h"
#include "services/guardian.h"
#include "services/tariff.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

static const char *field_iso_day(struct arena *a, const char *in, const char **out)
{
    int y, m, d;
    if (!time_parse_date(in, &y, &m, &d))
        return N_("Enter a date like 15/01/2027.");
    *out = in;
    return NULL;
}

static const struct field_spec family_tariff_fields[] = {
    {"giorno", field_iso_day, 10, false},
};

static void family_tariff(struct req *r, struct resp *w);

const struct route family_tariff_routes[] = {
    {HTTP_GET, "/famiglie/tariffa", ROLE_FAMILY, ROUTE_FIELDS(family_tariff_fields), family_tariff,
     0},
    {0},
};

static const char *family_tariff_money(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    return arena_strdup(&r->arena, text);
}

static const char *family_tariff_rate(struct req *r, int bp)
{
    char text[16];
    money_format_rate(bp, text);
    return arena_strdup(&r->arena, text);
}

static const char *family_tariff_band(const struct isee_band *bands, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (bands[i].id == id)
            return bands[i].code;
    return "?";
}

/* One reason as a sentence: "Prezzo pieno (Scuola primaria): 5,10 €", "Fascia ISEE B: 3,90 €",
   "Non residente: 6,50 €", "Secondo figlio: sconto 20% (-0,78 €)". */
static const char *family_tariff_reason(struct req *r, const struct tariff_quote *q,
                                        const struct tariff_reason *why,
                                        const struct isee_band *bands, size_t nbands)
{
    const char *amount = family_tariff_money(r, why->amount_cents);
    switch (why->kind) {
    case TARIFF_REASON_FULL:
        return page_tr(r, N_("Full price ({kind}): {amount}"), "kind",
                       tr(r->lang, school_kind_label((enum school_kind)q->school_kind)), "amount",
                       amount, NULL);
    case TARIFF_REASON_ISEE:
        return page_tr(r, N_("ISEE band {code}: {amount}"), "code",
                       family_tariff_band(bands, nbands, why->isee_band_id), "amount", amount,
                       NULL);
    case TARIFF_REASON_ISEE_NOT_APPLIED:
        return page_tr(r, N_("ISEE band {code}: it does not apply to non-residents"), "code",
                       family_tariff_band(bands, nbands, why->isee_band_id), NULL);
    case TARIFF_REASON_NON_RESIDENT:
        return page_tr(r, N_("Non-resident: {amount}"), "amount", amount, NULL);
    case TARIFF_REASON_SIBLING:
        break;
    }
    const char *pct = family_tariff_rate(r, why->discount_bp);
    if (why->sibling_rank == 2)
        return page_tr(r, N_("Second child: {percent}% discount ({amount})"), "percent", pct,
                       "amount", amount, NULL);
    if (why->sibling_rank == 3)
        return page_tr(r, N_("Third child: {percent}% discount ({amount})"), "percent", pct,
                       "amount", amount, NULL);
    char rank[16];
    snprintf(rank, sizeof(rank), "%d", why->sibling_rank);
    return page_tr(r, N_("Child number {rank}: {percent}% discount ({amount})"), "rank", rank,
                   "percent", pct, "amount", amount, NULL);
}

static void family_tariff(struct req *r, struct resp *w)
{
    if (r->family.password_temporary) {
        resp_redirect(w, 303, family_href(r, "/password"));
        return;
    }
    struct db *db = store_db();
    char today[TIME_LOCAL_DATE_MAX];
    time_today(TARIFF_TZ, today);
    const char *day = req_field(r, "giorno") ? req_field(r, "giorno") : today;
    struct pupil_summary *pupils = NULL;
    size_t n = 0;
    struct isee_band *bands = NULL;
    size_t nbands = 0;
    struct tariff_list list;
    int has_list = db ? tariff_list_in_force(db, &r->arena, r->tenant.id, day, &list) : -1;
    if (has_list < 0 ||
        guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &pupils, &n) != 0 ||
        isee_band_list(db, &r->arena, r->tenant.id, &bands, &nbands) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Meal price"));
    page_crumb(r, d, N_("Your account"), family_href(r, "/"));
    page_crumb(r, d, N_("Meal price"), NULL);
    page_nav(r, d, N_("Your account"), family_href(r, "/"), false);
    page_form_state(r, d);
    tv_set_str(d, "form_action", family_href(r, "/tariffa"));
    tv_set_str(d, "home_href", family_href(r, "/"));
    tv_set_str(d, "day", time_date_display(&r->arena, day));
    tv_set_str(d, "day_iso", day);
    tv_set_bool(d, "is_today", !strcmp(day, today));
    tv_set_bool(d, "no_list", has_list == 0);
    struct tv *list_tv = tv_set_list(d, "pupils");
    for (size_t i = 0; i < n; i++) {
        struct tv *p = tv_push_dict(list_tv);
        tv_set_str(p, "name", arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname));
        struct tariff_quote q;
        int rc = has_list == 1 ? tariff_for_pupil(db, r->tenant.id, pupils[i].id, day, &q) : 1;
        if (rc < 0) {
            page_error(r, w, 500);
            return;
        }
        if (rc == 1)
            continue; /* the template says there is no confirmed enrollment */
        tv_set_bool(p, "priced", true);
        tv_set_str(p, "price", family_tariff_money(r, q.price_cents));
        tv_set_str(p, "net", family_tariff_money(r, q.net_cents));
        tv_set_str(p, "vat", family_tariff_money(r, q.vat_cents));
        tv_set_str(p, "vat_rate", family_tariff_rate(r, q.vat_rate_bp));
        tv_set_str(p, "valid_from", time_date_display(&r->arena, q.valid_from));
        struct tv *reasons = tv_set_list(p, "reasons");
        for (size_t k = 0; k < q.nreasons; k++)
            tv_push_str(reasons, family_tariff_reason(r, &q, &q.reasons[k], bands, nbands));
    }
    page_render(r, w, req_field_error(r, "giorno") ? 422 : 200, tmpl_family_tariff, d);
}
