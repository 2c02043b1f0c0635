/*
 * The office's tariffs (administrators and the school services office; the caterer's operator
 * may read them): the price lists with their start day and which one is in force, each with its
 * table of prices by school kind and category (full price, one per ISEE band, non-resident);
 * the form that makes a new list (prefilled from the list in force, or from any list with
 * ?copia=<id>) and the one that changes a list that has not started yet. Amounts are typed the
 * Italian way ("5,10"), rates and discounts in percent. Owns tariff_routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/money.h"
#include "services/campaign.h"
#include "services/tariff.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define TARIFF_WRITE_ROLES (ROLE_ADMIN | ROLE_UFFICIO)
#define TARIFF_READ_ROLES  (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)
/* ISEE bands the form has room for (the first ones of isee_band_list). */
#define TARIFF_FORM_BANDS 10

/* ---- fields ------------------------------------------------------------------------------- */

/* A meal's price in euro, "5,10"; as cents, within 0..TARIFF_PRICE_MAX. */
static const char *field_price(struct arena *a, const char *in, const char **out)
{
    static const struct euro_rules price = {
        .bounded = true,
        .min = 0,
        .max = TARIFF_PRICE_MAX,
        .not_amount = N_("Enter a price in euro, like 5,10."),
        .decimals = N_("Use at most two decimals, like 5,10."),
        .dot = N_("Write the price like 5,10: the comma separates the cents."),
        .out_of_range = N_("Enter a price between 0,00 and 1.000,00 euro."),
    };
    return field_euro_check(&price, a, in, out);
}

/* A percentage, "4", "20", "12,5"; as basis points, 0..10000. */
static const char *field_percent(struct arena *a, const char *in, const char **out)
{
    int bp;
    if (money_parse_rate(in, &bp) != MONEY_OK)
        return N_("Enter a percentage between 0 and 100, like 20 or 12,5.");
    *out = arena_printf(a, "%d", bp);
    return NULL;
}

#define TARIFF_SLOT(n)                                                                             \
    {"band_" #n, field_row_id, FIELD_ROW_ID_CHARS, false},                                         \
        {"isee_infanzia_" #n, field_price, MONEY_MAX_INPUT, false},                                \
        {"isee_primaria_" #n, field_price, MONEY_MAX_INPUT, false},                                \
    {                                                                                              \
        "isee_secondaria_" #n, field_price, MONEY_MAX_INPUT, false                                 \
    }

static const struct field_spec tariff_form_fields[] = {
    {"valid_from", field_day, 10, true},
    {"label", field_text, TARIFF_LABEL_MAX, false},
    {"vat_rate", field_percent, 8, true},
    {"sibling2", field_percent, 8, false},
    {"sibling3", field_percent, 8, false},
    {"full_infanzia", field_price, MONEY_MAX_INPUT, true},
    {"full_primaria", field_price, MONEY_MAX_INPUT, true},
    {"full_secondaria", field_price, MONEY_MAX_INPUT, true},
    {"non_resident_infanzia", field_price, MONEY_MAX_INPUT, false},
    {"non_resident_primaria", field_price, MONEY_MAX_INPUT, false},
    {"non_resident_secondaria", field_price, MONEY_MAX_INPUT, false},
    TARIFF_SLOT(1),
    TARIFF_SLOT(2),
    TARIFF_SLOT(3),
    TARIFF_SLOT(4),
    TARIFF_SLOT(5),
    TARIFF_SLOT(6),
    TARIFF_SLOT(7),
    TARIFF_SLOT(8),
    TARIFF_SLOT(9),
    TARIFF_SLOT(10),
};

static void office_tariff_list(struct req *r, struct resp *w);
static void office_tariff_new_form(struct req *r, struct resp *w);
static void office_tariff_new_submit(struct req *r, struct resp *w);
static void office_tariff_detail(struct req *r, struct resp *w);
static void office_tariff_edit_form(struct req *r, struct resp *w);
static void office_tariff_edit_submit(struct req *r, struct resp *w);

/* "nuova" comes before "{id}", which would otherwise match it. */
const struct route tariff_routes[] = {
    {HTTP_GET, "/ufficio/tariffe", TARIFF_READ_ROLES, NULL, 0, office_tariff_list, 0},
    {HTTP_GET, "/ufficio/tariffe/nuova", TARIFF_WRITE_ROLES, ROUTE_FIELDS(tariff_form_fields),
     office_tariff_new_form, 0},
    {HTTP_POST, "/ufficio/tariffe/nuova", TARIFF_WRITE_ROLES, ROUTE_FIELDS(tariff_form_fields),
     office_tariff_new_submit, 0},
    {HTTP_GET, "/ufficio/tariffe/{id}", TARIFF_READ_ROLES, NULL, 0, office_tariff_detail, 0},
    {HTTP_GET, "/ufficio/tariffe/{id}/modifica", TARIFF_WRITE_ROLES,
     ROUTE_FIELDS(tariff_form_fields), office_tariff_edit_form, 0},
    {HTTP_POST, "/ufficio/tariffe/{id}/modifica", TARIFF_WRITE_ROLES,
     ROUTE_FIELDS(tariff_form_fields), office_tariff_edit_submit, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *tariff_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio/tariffe%s", r->tenant.slug, path);
}

static const char *tariff_list_href(struct req *r, int64_t id, const char *suffix)
{
    return tariff_href(r, arena_printf(&r->arena, "/%lld%s", (long long)id, suffix));
}

static const char *tariff_money(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    return arena_strdup(&r->arena, text);
}

static const char *tariff_money_plain(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format_plain(cents, text);
    return arena_strdup(&r->arena, text);
}

static const char *tariff_rate(struct req *r, int bp)
{
    char text[16];
    money_format_rate(bp, text);
    return arena_strdup(&r->arena, text);
}

static void tariff_today(char today[TIME_LOCAL_DATE_MAX])
{
    time_today(TARIFF_TZ, today);
}

static void tariff_crumbs(struct req *r, struct tv *d, const char *last_msgid,
                          const struct tariff_list *l)
{
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Tariffs"), last_msgid || l ? tariff_href(r, "") : NULL);
    if (l) {
        /* A date is not a msgid: page_crumb would look it up and find nothing, which is fine. */
        page_crumb(r, d, time_date_display(&r->arena, l->valid_from),
                   last_msgid ? tariff_list_href(r, l->id, "") : NULL);
    }
    if (last_msgid)
        page_crumb(r, d, last_msgid, NULL);
    office_nav(r, d, "tariffs");
}

/* The list's state today, as a badge. */
static void tariff_badge(struct req *r, struct tv *item, const struct tariff_list *l,
                         int64_t in_force_id, const char *today)
{
    const char *label, *badge;
    if (l->id == in_force_id) {
        label = N_("In force");
        badge = "bg-success";
    } else if (tariff_list_is_future(l, today)) {
        label = N_("Scheduled");
        badge = "bg-primary";
    } else {
        label = N_("Past");
        badge = "bg-secondary";
    }
    tv_set_str(item, "status_label", tr(r->lang, label));
    tv_set_str(item, "status_badge", badge);
    tv_set_bool(item, "in_force", l->id == in_force_id);
    tv_set_bool(item, "future", tariff_list_is_future(l, today));
}

/* The price table of a list: a row per category (full, each band, non-resident), a cell per
   school kind ("-" where the list has no price). */
static void tariff_table(struct req *r, struct tv *item, const struct tariff_list *l,
                         const struct isee_band *bands, size_t nbands)
{
    struct tariff_rules rules = tariff_list_rules(l);
    struct tv *rows = tv_set_list(item, "rows");
    for (size_t row = 0; row < nbands + 2; row++) {
        enum tariff_category cat = row == 0            ? TARIFF_FULL
                                   : row == nbands + 1 ? TARIFF_NON_RESIDENT
                                                       : TARIFF_ISEE;
        int64_t band = cat == TARIFF_ISEE ? bands[row - 1].id : 0, cents[TARIFF_KINDS];
        bool has[TARIFF_KINDS], any = false;
        for (int k = 0; k < TARIFF_KINDS; k++)
            any |= has[k] = tariff_lookup(&rules, k, cat, band, &cents[k]);
        if (cat == TARIFF_ISEE && !any)
            continue; /* a band this list does not reduce */
        struct tv *rw = tv_push_dict(rows);
        if (cat == TARIFF_FULL)
            tv_set_str(rw, "label", tr(r->lang, N_("Full price")));
        else if (cat == TARIFF_NON_RESIDENT)
            tv_set_str(rw, "label", tr(r->lang, N_("Non-residents")));
        else
            tv_set_str(rw, "label",
                       page_tr(r, N_("ISEE band {code}"), "code", bands[row - 1].code, NULL));
        struct tv *cells = tv_set_list(rw, "cells");
        for (int k = 0; k < TARIFF_KINDS; k++)
            tv_set_str(tv_push_dict(cells), "price", has[k] ? tariff_money(r, cents[k]) : "-");
    }
    tv_set_str(item, "vat_rate", tariff_rate(r, l->vat_rate_bp));
    tv_set_str(item, "sibling2", tariff_rate(r, l->sibling2_bp));
    tv_set_str(item, "sibling3", tariff_rate(r, l->sibling3_bp));
}

/* The outcome shown after a redirect (?esito=...): a fixed table, so nothing typed is echoed. */
static void tariff_outcome(struct req *r, struct tv *d)
{
    static const struct {
        const char *token, *msgid;
    } outcomes[] = {
        {"creato", N_("The price list was created.")},
        {"modificato", N_("The changes to the price list were saved.")},
    };
    const char *t = req_query(r, "esito");
    for (size_t i = 0; t && i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
        if (!strcmp(t, outcomes[i].token))
            tv_set_str(tv_set_dict(d, "outcome"), "message", tr(r->lang, outcomes[i].msgid));
}

static void tariff_item_data(struct req *r, struct tv *it, const struct tariff_list *l,
                             int64_t in_force_id, const char *today, const struct isee_band *bands,
                             size_t nbands)
{
    tv_set_str(it, "href", tariff_list_href(r, l->id, ""));
    tv_set_str(it, "valid_from", time_date_display(&r->arena, l->valid_from));
    tv_set_str(it, "label", l->label);
    tariff_badge(r, it, l, in_force_id, today);
    tariff_table(r, it, l, bands, nbands);
}

/* ---- list and detail ---------------------------------------------------------------------- */

static void office_tariff_list(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct tariff_list *lists;
    size_t n;
    struct isee_band *bands;
    size_t nbands;
    if (!db || tariff_list_all(db, &r->arena, r->tenant.id, &lists, &n) != 0 ||
        isee_band_list(db, &r->arena, r->tenant.id, &bands, &nbands) != 0) {
        page_error(r, w, 500);
        return;
    }
    char today[TIME_LOCAL_DATE_MAX];
    tariff_today(today);
    int64_t in_force_id = 0;
    for (size_t i = 0; i < n && !in_force_id; i++)
        if (!tariff_list_is_future(&lists[i], today))
            in_force_id = lists[i].id;
    struct tv *d = page_new(r, N_("Tariffs"));
    tariff_crumbs(r, d, NULL, NULL);
    tariff_outcome(r, d);
    tv_set_bool(d, "can_write", (r->user.role & TARIFF_WRITE_ROLES) != 0);
    tv_set_str(d, "new_href", tariff_href(r, "/nuova"));
    tv_set_bool(d, "more", n == TARIFF_LIST_MAX);
    tv_set_int(d, "max", TARIFF_LIST_MAX);
    struct tv *items = tv_set_list(d, "lists");
    for (size_t i = 0; i < n; i++)
        tariff_item_data(r, tv_push_dict(items), &lists[i], in_force_id, today, bands, nbands);
    page_render(r, w, 200, tmpl_office_tariff_list, d);
}

/* The {id} of the path as a list of this tenant: 1 found, 0 not (404 answered), -1 error (500
   answered). */
static int tariff_from_path(struct req *r, struct resp *w, struct tariff_list *l)
{
    struct db *db = store_db();
    int64_t id = field_row_id_parse(req_param(r, 0));
    int found = !db ? -1 : id ? tariff_list_find(db, &r->arena, r->tenant.id, id, l) : 0;
    if (found <= 0)
        page_error(r, w, found == 0 ? 404 : 500);
    return found;
}

/* The detail page; refused (a list in force cannot change) shows why with status 409. */
static void tariff_detail_page(struct req *r, struct resp *w, const struct tariff_list *l,
                               bool refused)
{
    struct db *db = store_db();
    struct isee_band *bands;
    size_t nbands;
    struct tariff_list current;
    char today[TIME_LOCAL_DATE_MAX];
    tariff_today(today);
    int found = db ? tariff_list_in_force(db, &r->arena, r->tenant.id, today, &current) : -1;
    if (found < 0 || isee_band_list(db, &r->arena, r->tenant.id, &bands, &nbands) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Price list"));
    tariff_crumbs(r, d, NULL, l);
    tariff_outcome(r, d);
    /* The price table partial runs over "lists": the one list, also as "list". */
    struct tv *it = tv_push_dict(tv_set_list(d, "lists"));
    tv_set(d, "list", it);
    tariff_item_data(r, it, l, found == 1 ? current.id : 0, today, bands, nbands);
    tv_set_str(it, "created_at", time_rome_display(&r->arena, l->created_at));
    tv_set_str(it, "created_by", l->created_by);
    bool writer = (r->user.role & TARIFF_WRITE_ROLES) != 0;
    if (writer && tariff_list_is_future(l, today))
        tv_set_str(d, "edit_href", tariff_list_href(r, l->id, "/modifica"));
    if (writer)
        tv_set_str(d, "copy_href",
                   tariff_href(r, arena_printf(&r->arena, "/nuova?copia=%lld", (long long)l->id)));
    tv_set_bool(d, "refused", refused);
    page_render(r, w, refused ? 409 : 200, tmpl_office_tariff_detail, d);
}

static void office_tariff_detail(struct req *r, struct resp *w)
{
    struct tariff_list l;
    if (tariff_from_path(r, w, &l) == 1)
        tariff_detail_page(r, w, &l, false);
}

/* ---- the form ----------------------------------------------------------------------------- */

static const char *const tariff_kind_keys[TARIFF_KINDS] = {"infanzia", "primaria", "secondaria"};

/* A form shown for the first time has no errors: its fields are declared (for their limits in
   the markup) but nothing was submitted yet. */
static void tariff_forget_errors(struct req *r)
{
    for (size_t i = 0; r->errors && i < r->route->nfields; i++)
        r->errors[i] = NULL;
    r->has_errors = false;
}

/* What the form shows where nothing was typed: the list being changed or copied, or the
   defaults (VAT 4%). Keys are the form's field names; values as typed ("5,10", "20"). */
static struct tv *tariff_prefill(struct req *r, const struct tariff_list *l, bool with_day,
                                 const struct isee_band *bands, size_t nbands)
{
    struct tv *v = tv_dict(&r->arena);
    if (!l) {
        tv_set_str(v, "vat_rate", "4");
        return v;
    }
    if (with_day) {
        tv_set_str(v, "valid_from", l->valid_from);
        tv_set_str(v, "label", l->label);
    }
    tv_set_str(v, "vat_rate", tariff_rate(r, l->vat_rate_bp));
    tv_set_str(v, "sibling2", tariff_rate(r, l->sibling2_bp));
    tv_set_str(v, "sibling3", tariff_rate(r, l->sibling3_bp));
    for (size_t i = 0; i < l->nitems; i++) {
        const struct tariff_item *it = &l->items[i];
        const char *key = NULL;
        if (it->category == TARIFF_FULL)
            key = arena_printf(&r->arena, "full_%s", tariff_kind_keys[it->kind]);
        else if (it->category == TARIFF_NON_RESIDENT)
            key = arena_printf(&r->arena, "non_resident_%s", tariff_kind_keys[it->kind]);
        for (size_t b = 0; !key && b < nbands && b < TARIFF_FORM_BANDS; b++)
            if (bands[b].id == it->isee_band_id)
                key = arena_printf(&r->arena, "isee_%s_%zu", tariff_kind_keys[it->kind], b + 1);
        if (key)
            tv_set_str(v, key, tariff_money_plain(r, it->price_cents));
    }
    return v;
}

/* One price input into list; the typed value wins over the prefill. */
static void tariff_price_field(struct req *r, struct tv *list_owner, const char *name,
                               const char *label, const struct tv *prefill)
{
    struct tv *f = page_field(r, list_owner, "fields", name, N_("Full price"), "text", "off", NULL);
    tv_set_str(f, "label", label);
    tv_set_str(f, "inputmode", "decimal");
    if (!req_field_raw(r, name))
        tv_set_str(f, "value", tv_get_str(prefill, name));
}

static void tariff_form_page(struct req *r, struct resp *w, int status, const struct tariff_list *l,
                             const struct tv *prefill, const struct isee_band *bands, size_t nbands,
                             const char *form_error)
{
    bool edit = l != NULL;
    struct tv *d = page_new(r, edit ? N_("Change the price list") : N_("New price list"));
    tariff_crumbs(r, d, edit ? N_("Change the price list") : N_("New price list"), l);
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "heading",
               tr(r->lang, edit ? N_("Change the price list") : N_("New price list")));
    tv_set_str(d, "form_action",
               edit ? tariff_list_href(r, l->id, "/modifica") : tariff_href(r, "/nuova"));
    tv_set_str(d, "cancel_href", edit ? tariff_list_href(r, l->id, "") : tariff_href(r, ""));
    static const char *const simple[] = {"valid_from", "label", "vat_rate", "sibling2", "sibling3"};
    struct tv *values = (struct tv *)tv_get(d, "values");
    /* A date typed as 01/09/2027 goes back into the date input as the browser wants it. */
    if (req_field(r, "valid_from"))
        tv_set_str(values, "valid_from", req_field(r, "valid_from"));
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
        if (!req_field_raw(r, simple[i]) && tv_get_str(prefill, simple[i]))
            tv_set_str(values, simple[i], tv_get_str(prefill, simple[i]));
    struct tv *f = page_field(r, d, "fields_label", "label", N_("Description"), "text", "off",
                              N_("For example: Tariffs 2027/2028. Optional."));
    if (!req_field_raw(r, "label"))
        tv_set_str(f, "value", tv_get_str(prefill, "label"));
    f = page_field(r, d, "fields_rates", "vat_rate", N_("VAT rate (%)"), "text", "off",
                   N_("School meals take 4%."));
    tv_set_str(f, "inputmode", "decimal");
    if (!req_field_raw(r, "vat_rate"))
        tv_set_str(f, "value", tv_get_str(prefill, "vat_rate"));
    f = page_field(r, d, "fields_rates", "sibling2", N_("Discount for the second child (%)"),
                   "text", "off", N_("Off the price of the second child. Empty: no discount."));
    tv_set_str(f, "inputmode", "decimal");
    if (!req_field_raw(r, "sibling2"))
        tv_set_str(f, "value", tv_get_str(prefill, "sibling2"));
    f = page_field(r, d, "fields_rates", "sibling3",
                   N_("Discount for the third child and later ones (%)"), "text", "off",
                   N_("Siblings are the family's children enrolled in the same school year, "
                      "eldest first."));
    tv_set_str(f, "inputmode", "decimal");
    if (!req_field_raw(r, "sibling3"))
        tv_set_str(f, "value", tv_get_str(prefill, "sibling3"));

    struct tv *kinds = tv_set_list(d, "kinds");
    for (int k = 0; k < TARIFF_KINDS; k++) {
        struct tv *kd = tv_push_dict(kinds);
        tv_set_str(kd, "legend", tr(r->lang, school_kind_label((enum school_kind)k)));
        tariff_price_field(r, kd, arena_printf(&r->arena, "full_%s", tariff_kind_keys[k]),
                           tr(r->lang, N_("Full price (euro)")), prefill);
        for (size_t b = 0; b < nbands && b < TARIFF_FORM_BANDS; b++)
            tariff_price_field(r, kd,
                               arena_printf(&r->arena, "isee_%s_%zu", tariff_kind_keys[k], b + 1),
                               page_tr(r, N_("ISEE band {code}: {label} (euro)"), "code",
                                       bands[b].code, "label", bands[b].label, NULL),
                               prefill);
        tariff_price_field(r, kd, arena_printf(&r->arena, "non_resident_%s", tariff_kind_keys[k]),
                           tr(r->lang, N_("Non-residents (euro)")), prefill);
    }
    struct tv *hidden = tv_set_list(d, "bands");
    for (size_t b = 0; b < nbands && b < TARIFF_FORM_BANDS; b++) {
        struct tv *h = tv_push_dict(hidden);
        tv_set_str(h, "name", arena_printf(&r->arena, "band_%zu", b + 1));
        tv_set_int(h, "value", bands[b].id);
    }
    tv_set_bool(d, "more_bands", nbands > TARIFF_FORM_BANDS);
    page_render(r, w, status, tmpl_office_tariff_form, d);
}

static bool tariff_bands(struct req *r, struct isee_band **bands, size_t *n)
{
    struct db *db = store_db();
    return db && isee_band_list(db, &r->arena, r->tenant.id, bands, n) == 0;
}

static void office_tariff_new_form(struct req *r, struct resp *w)
{
    tariff_forget_errors(r);
    struct db *db = store_db();
    struct isee_band *bands;
    size_t nbands;
    if (!tariff_bands(r, &bands, &nbands)) {
        page_error(r, w, 500);
        return;
    }
    /* Prefilled from ?copia=<id>, else from the list in force today (the office usually
       changes a few prices). */
    struct tariff_list from;
    int64_t copy = field_row_id_parse(req_query(r, "copia"));
    char today[TIME_LOCAL_DATE_MAX];
    tariff_today(today);
    int found = copy ? tariff_list_find(db, &r->arena, r->tenant.id, copy, &from)
                     : tariff_list_in_force(db, &r->arena, r->tenant.id, today, &from);
    if (found < 0) {
        page_error(r, w, 500);
        return;
    }
    tariff_form_page(r, w, 200, NULL,
                     tariff_prefill(r, found == 1 ? &from : NULL, false, bands, nbands), bands,
                     nbands, NULL);
}

static void office_tariff_edit_form(struct req *r, struct resp *w)
{
    tariff_forget_errors(r);
    struct tariff_list l;
    if (tariff_from_path(r, w, &l) != 1)
        return;
    char today[TIME_LOCAL_DATE_MAX];
    tariff_today(today);
    if (!tariff_list_is_future(&l, today)) {
        tariff_detail_page(r, w, &l, true);
        return;
    }
    struct isee_band *bands;
    size_t nbands;
    if (!tariff_bands(r, &bands, &nbands)) {
        page_error(r, w, 500);
        return;
    }
    tariff_form_page(r, w, 200, &l, tariff_prefill(r, &l, true, bands, nbands), bands, nbands,
                     NULL);
}

/* ---- saving ------------------------------------------------------------------------------- */

static int tariff_bp_field(struct req *r, const char *name)
{
    const char *v = req_field(r, name);
    return v ? atoi(v) : 0;
}

/* The input from the valid fields; prices of a band slot count only with the slot's band. */
static void tariff_input_from_request(struct req *r, struct tariff_list_input *in)
{
    struct tariff_item *items = arena_calloc(&r->arena, TARIFF_ITEMS_MAX, sizeof(*items));
    size_t n = 0;
    for (int k = 0; k < TARIFF_KINDS; k++) {
        const char *v = req_field(r, arena_printf(&r->arena, "full_%s", tariff_kind_keys[k]));
        if (v)
            items[n++] = (struct tariff_item){k, TARIFF_FULL, 0, strtoll(v, NULL, 10)};
        v = req_field(r, arena_printf(&r->arena, "non_resident_%s", tariff_kind_keys[k]));
        if (v)
            items[n++] = (struct tariff_item){k, TARIFF_NON_RESIDENT, 0, strtoll(v, NULL, 10)};
        for (int b = 1; b <= TARIFF_FORM_BANDS; b++) {
            int64_t band = field_row_id_parse(req_field(r, arena_printf(&r->arena, "band_%d", b)));
            v = req_field(r, arena_printf(&r->arena, "isee_%s_%d", tariff_kind_keys[k], b));
            if (band && v)
                items[n++] = (struct tariff_item){k, TARIFF_ISEE, band, strtoll(v, NULL, 10)};
        }
    }
    *in = (struct tariff_list_input){.valid_from = req_field(r, "valid_from"),
                                     .label = req_field(r, "label"),
                                     .vat_rate_bp = tariff_bp_field(r, "vat_rate"),
                                     .sibling2_bp = tariff_bp_field(r, "sibling2"),
                                     .sibling3_bp = tariff_bp_field(r, "sibling3"),
                                     .items = items,
                                     .nitems = n};
}

/* A problem the service found, next to its field; false when it has no field of its own (the
   caller shows form_error). */
static bool tariff_service_error(struct req *r, const char *field, enum tariff_list_err e)
{
    static const struct {
        const char *field, *name, *msgid;
    } map[] = {
        {"label", "label", N_("Write at most 120 characters, on one line.")},
        {"vat_rate_bp", "vat_rate", N_("Enter a percentage between 0 and 100, like 4.")},
        {"sibling2_bp", "sibling2", N_("Enter a percentage between 0 and 100, like 20.")},
        {"sibling3_bp", "sibling3", N_("Enter a percentage between 0 and 100, like 30.")},
        {"full_infanzia", "full_infanzia", N_("Enter the full price.")},
        {"full_primaria", "full_primaria", N_("Enter the full price.")},
        {"full_secondaria", "full_secondaria", N_("Enter the full price.")},
    };
    if (!field)
        return false;
    if (!strcmp(field, "valid_from")) {
        req_set_field_error(r, "valid_from",
                            e == TARIFF_LIST_DUPLICATE
                                ? N_("Another price list starts on this day: choose another day "
                                     "or change that list.")
                                : N_("A new price list starts tomorrow at the earliest, so that "
                                     "the meals already served keep their price."));
        return true;
    }
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(field, map[i].field)) {
            req_set_field_error(r, map[i].name, map[i].msgid);
            return true;
        }
    return false;
}

static void tariff_submit(struct req *r, struct resp *w, const struct tariff_list *existing)
{
    struct db *db = store_db();
    struct isee_band *bands;
    size_t nbands;
    if (!db || !tariff_bands(r, &bands, &nbands)) {
        page_error(r, w, 500);
        return;
    }
    const struct tv *none = tv_dict(&r->arena);
    static const char *const check =
        N_("Some values are not valid: check the messages next to the fields.");
    if (r->has_errors) {
        tariff_form_page(r, w, 422, existing, none, bands, nbands, tr(r->lang, check));
        return;
    }
    struct tariff_list_input in;
    tariff_input_from_request(r, &in);
    const char *field = NULL;
    int64_t id = existing ? existing->id : 0;
    enum tariff_list_err e =
        existing ? tariff_list_update(db, r->tenant.id, id, &in, r->user.email, &field)
                 : tariff_list_create(db, r->tenant.id, &in, r->user.email, &id, &field);
    if (e == TARIFF_LIST_OK) {
        resp_redirect(w, 303,
                      tariff_list_href(r, id, existing ? "?esito=modificato" : "?esito=creato"));
        return;
    }
    if (e == TARIFF_LIST_IN_FORCE && existing) {
        tariff_detail_page(r, w, existing, true);
        return;
    }
    if (e == TARIFF_LIST_DB || e == TARIFF_LIST_IN_FORCE ||
        (e == TARIFF_LIST_NOT_FOUND && !field)) {
        page_error(r, w, e == TARIFF_LIST_NOT_FOUND ? 404 : 500);
        return;
    }
    /* Invalid, a taken day, or a band that is no longer the tenant's. */
    const char *form_error =
        tariff_service_error(r, field, e)
            ? tr(r->lang, check)
            : tr(r->lang, N_("The ISEE bands changed while you were typing: check the prices and "
                             "save again."));
    tariff_form_page(r, w, 422, existing, none, bands, nbands, form_error);
}

static void office_tariff_new_submit(struct req *r, struct resp *w)
{
    tariff_submit(r, w, NULL);
}

static void office_tariff_edit_submit(struct req *r, struct resp *w)
{
    struct tariff_list l;
    if (tariff_from_path(r, w, &l) != 1)
        return;
    char today[TIME_LOCAL_DATE_MAX];
    tariff_today(today);
    if (!tariff_list_is_future(&l, today))
        tariff_detail_page(r, w, &l, true);
    else
        tariff_submit(r, w, &l);
}
