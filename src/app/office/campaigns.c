/*
 * The office's enrollment campaigns (administrators and the school services office): the list,
 * with each campaign's window and whether it is open; the form that creates or changes one
 * (school year, kind, opening and closing as Italian local date and time, the service days
 * families may choose, the classes by school with a box for all the classes of a school that
 * works without JavaScript, the declarations one per line, the privacy notice, the fee, diets
 * and direct debit, the debt threshold, the regulations PDF); the campaign's page; and the
 * municipality's ISEE bands. Also the public download of a campaign's regulations. Owns
 * campaign_routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/money.h"
#include "services/attachment.h"
#include "services/campaign.h"
#include "store/store.h"
#include "templates.h"
#include "util/text.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/download.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define CAMPAIGN_ROLES (ROLE_ADMIN | ROLE_UFFICIO)
/* The declarations textarea: CAMPAIGN_DECLARATIONS_MAX lines of CAMPAIGN_DECLARATION_MAX
   characters, their line breaks (CR LF) and a little room for blank lines. */
#define CAMPAIGN_DECLARATIONS_CHARS                                                                \
    (CAMPAIGN_DECLARATIONS_MAX * (CAMPAIGN_DECLARATION_MAX + 2) + 64)
#define CAMPAIGN_TZ "Europe/Rome"

/* ---- fields ------------------------------------------------------------------------------- */

static const char *field_campaign_kind(struct arena *a, const char *in, const char **out)
{
    enum campaign_kind k;
    if (!campaign_kind_parse(in, &k))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

/* "9:00", "09.00", "09:00:00"; normalised to "09:00". */
static const char *field_clock(struct arena *a, const char *in, const char **out)
{
    int h, m;
    if (!time_parse_hhmm(in, &h, &m))
        return N_("Enter a time like 09:00.");
    *out = arena_printf(a, "%02d:%02d", h, m);
    return NULL;
}

static const char *field_weekday(struct arena *a, const char *in, const char **out)
{
    if (in[0] < '1' || in[0] > '5' || in[1])
        return N_("Choose among the days listed.");
    *out = in;
    return NULL;
}

/* A school's "all its classes" box: "<school year id>-<school id>". */
static const char *field_school_pick(struct arena *a, const char *in, const char **out)
{
    const char *dash = strchr(in, '-');
    if (!dash || !str_digits(dash + 1, 1, FIELD_ROW_ID_CHARS) ||
        !str_digits(arena_strndup(a, in, (size_t)(dash - in)), 1, FIELD_ROW_ID_CHARS))
        return N_("Choose among the classes listed.");
    *out = in;
    return NULL;
}

static const char *field_flag(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "1"))
        return N_("This value is not valid.");
    *out = in;
    return NULL;
}

static const struct field_spec campaign_form_fields[] = {
    {"school_year", field_row_id, FIELD_ROW_ID_CHARS, true},
    {"title", field_text, CAMPAIGN_TITLE_MAX, true},
    {"kind", field_campaign_kind, 16, true},
    {"opens_date", field_day, 10, true},
    {"opens_time", field_clock, 8, true},
    {"closes_date", field_day, 10, true},
    {"closes_time", field_clock, 8, true},
    {"weekday[]", field_weekday, 1, false},
    {"class[]", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"school[]", field_school_pick, 40, false},
    {"declarations", field_multiline, CAMPAIGN_DECLARATIONS_CHARS, false},
    {"privacy_notice", field_multiline, CAMPAIGN_PRIVACY_MAX, true},
    {"fee", field_euro, MONEY_MAX_INPUT, false},
    {"diets", field_flag, 1, false},
    {"direct_debit", field_flag, 1, false},
    {"debt_threshold", field_euro, MONEY_MAX_INPUT, false},
};

static const struct field_spec isee_band_fields[] = {
    {"code", field_text, ISEE_BAND_CODE_MAX, true},
    {"label", field_text, ISEE_BAND_LABEL_MAX, true},
    {"max_isee", field_euro, MONEY_MAX_INPUT, false},
};

static void office_campaign_list(struct req *r, struct resp *w);
static void office_campaign_new_form(struct req *r, struct resp *w);
static void office_campaign_new_submit(struct req *r, struct resp *w);
static void office_campaign_detail(struct req *r, struct resp *w);
static void office_campaign_edit_form(struct req *r, struct resp *w);
static void office_campaign_edit_submit(struct req *r, struct resp *w);
static void office_isee_bands(struct req *r, struct resp *w);
static void office_isee_band_add(struct req *r, struct resp *w);
static void campaign_regulations_download(struct req *r, struct resp *w);

/* Fixed paths ("nuova", "fasce-isee") come before "{id}", which they would otherwise match. */
const struct route campaign_routes[] = {
    {HTTP_GET, "/ufficio/campagne", CAMPAIGN_ROLES, NULL, 0, office_campaign_list, 0},
    {HTTP_GET, "/ufficio/campagne/nuova", CAMPAIGN_ROLES, ROUTE_FIELDS(campaign_form_fields),
     office_campaign_new_form, 0},
    {HTTP_POST, "/ufficio/campagne/nuova", CAMPAIGN_ROLES, ROUTE_FIELDS(campaign_form_fields),
     office_campaign_new_submit, ROUTE_UPLOAD},
    {HTTP_GET, "/ufficio/campagne/fasce-isee", CAMPAIGN_ROLES, ROUTE_FIELDS(isee_band_fields),
     office_isee_bands, 0},
    {HTTP_POST, "/ufficio/campagne/fasce-isee", CAMPAIGN_ROLES, ROUTE_FIELDS(isee_band_fields),
     office_isee_band_add, 0},
    {HTTP_GET, "/ufficio/campagne/{id}", CAMPAIGN_ROLES, NULL, 0, office_campaign_detail, 0},
    {HTTP_GET, "/ufficio/campagne/{id}/modifica", CAMPAIGN_ROLES,
     ROUTE_FIELDS(campaign_form_fields), office_campaign_edit_form, 0},
    {HTTP_POST, "/ufficio/campagne/{id}/modifica", CAMPAIGN_ROLES,
     ROUTE_FIELDS(campaign_form_fields), office_campaign_edit_submit, ROUTE_UPLOAD},
    /* Public: the regulations families receive, linked from the enrollment form. */
    {HTTP_GET, "/iscrizioni/{id}/regolamento", 0, NULL, 0, campaign_regulations_download, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *campaign_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio/campagne%s", r->tenant.slug, path);
}

static const char *campaign_public_regulations_href(struct req *r, int64_t id)
{
    return arena_printf(&r->arena, "/%s/iscrizioni/%lld/regolamento", r->tenant.slug,
                        (long long)id);
}

static void campaign_crumbs(struct req *r, struct tv *d, const char *last_msgid,
                            const char *campaign_title, const char *campaign_href_)
{
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Enrollment campaigns"),
               last_msgid || campaign_title ? campaign_href(r, "") : NULL);
    if (campaign_title) {
        /* A title is not a msgid: page_crumb translates, and a title has no translation. */
        page_crumb(r, d, campaign_title, last_msgid ? campaign_href_ : NULL);
    }
    if (last_msgid)
        page_crumb(r, d, last_msgid, NULL);
    office_nav(r, d, "campaigns");
}

/* "15/01/2027 09:00" in Italian local time. */
static const char *campaign_local_text(struct req *r, const char *utc)
{
    char date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX];
    if (!time_utc_to_rome(utc, date, hhmm))
        return utc;
    return arena_printf(&r->arena, "%.2s/%.2s/%.4s %s", date + 8, date + 5, date, hhmm);
}

static const char *campaign_kind_label(enum campaign_kind k)
{
    switch (k) {
    case CAMPAIGN_NEW:
        return N_("New enrollments");
    case CAMPAIGN_RENEWAL:
        return N_("Renewals");
    case CAMPAIGN_BOTH:
        break;
    }
    return N_("New enrollments and renewals");
}

static const char *const campaign_weekday_names[] = {
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
};

/* The window's state now, as a badge: label and Bootstrap Italia colour class. */
static void campaign_window_badge(struct req *r, struct tv *item, const struct campaign *c)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    enum campaign_window win = campaign_window_at(c, now);
    static const struct {
        const char *label, *badge;
    } states[] = {
        [CAMPAIGN_NOT_YET_OPEN] = {N_("Not open yet"), "bg-primary"},
        [CAMPAIGN_OPEN] = {N_("Open now"), "bg-success"},
        [CAMPAIGN_CLOSED] = {N_("Closed"), "bg-secondary"},
    };
    tv_set_str(item, "status_label", tr(r->lang, states[win].label));
    tv_set_str(item, "status_badge", states[win].badge);
    tv_set_str(item, "opens", campaign_local_text(r, c->opens_at));
    tv_set_str(item, "closes", campaign_local_text(r, c->closes_at));
}

/* "1.234,50 €" */
static const char *campaign_money_text(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    return arena_strdup(&r->arena, text);
}

/* The outcome shown after a redirect (?esito=...): a fixed table, so nothing typed is echoed. */
static void campaign_outcome(struct req *r, struct tv *d)
{
    static const struct {
        const char *token, *msgid;
    } outcomes[] = {
        {"creata", N_("The campaign was created.")},
        {"modificata", N_("The changes to the campaign were saved.")},
        {"fascia", N_("The ISEE band was added.")},
    };
    const char *t = req_query(r, "esito");
    for (size_t i = 0; t && i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
        if (!strcmp(t, outcomes[i].token))
            tv_set_str(tv_set_dict(d, "outcome"), "message", tr(r->lang, outcomes[i].msgid));
}

/* A form shown for the first time has no errors: its fields are declared (for their limits in
   the markup) but nothing was submitted yet. */
static void campaign_forget_errors(struct req *r)
{
    for (size_t i = 0; r->errors && i < r->route->nfields; i++)
        r->errors[i] = NULL;
    r->has_errors = false;
}

/* Set errors.<key> to text already translated, unless the key has an error already. */
static void campaign_error_text(struct tv *d, const char *key, const char *text)
{
    struct tv *errors = (struct tv *)tv_get(d, "errors");
    if (!errors)
        errors = tv_set_dict(d, "errors");
    if (!tv_get_str(errors, key))
        tv_set_str(errors, key, text);
}

/* ---- list --------------------------------------------------------------------------------- */

static void office_campaign_list(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct campaign *list;
    size_t n;
    if (!db || campaign_list(db, &r->arena, r->tenant.id, &list, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Enrollment campaigns"));
    campaign_crumbs(r, d, NULL, NULL, NULL);
    campaign_outcome(r, d);
    tv_set_str(d, "new_href", campaign_href(r, "/nuova"));
    tv_set_str(d, "bands_href", campaign_href(r, "/fasce-isee"));
    tv_set_bool(d, "more", n == CAMPAIGN_LIST_MAX);
    tv_set_int(d, "max", CAMPAIGN_LIST_MAX);
    struct tv *items = tv_set_list(d, "campaigns");
    for (size_t i = 0; i < n; i++) {
        const struct campaign *c = &list[i];
        struct tv *it = tv_push_dict(items);
        tv_set_str(it, "title", c->title);
        tv_set_str(it, "href",
                   campaign_href(r, arena_printf(&r->arena, "/%lld", (long long)c->id)));
        tv_set_str(it, "year", c->school_year_label);
        tv_set_str(it, "kind_label", tr(r->lang, campaign_kind_label(c->kind)));
        tv_set_int(it, "classes", c->class_count);
        campaign_window_badge(r, it, c);
    }
    page_render(r, w, 200, tmpl_office_campaign_list, d);
}

/* ---- the form ----------------------------------------------------------------------------- */

/* What the form shows: from the campaign being edited, from the defaults of a new one, or from
   what was sent (a form with errors). */
struct campaign_form {
    int64_t id; /* 0: a new campaign */
    int64_t year_id;
    const char *title, *kind;
    const char *opens_date, *opens_time, *closes_date, *closes_time;
    const char *weekdays; /* ISO digits ticked */
    const char **classes; /* ids ticked, as text */
    size_t nclasses;
    const char **schools; /* "<year>-<school>" ticked */
    size_t nschools;
    const char *declarations, *privacy_notice, *fee, *debt_threshold;
    bool diets, direct_debit;
    const char *regulations_name; /* the document attached now, or NULL */
    int64_t regulations_id;
};

static bool campaign_listed(const char *const *list, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], v))
            return true;
    return false;
}

/* The weekdays ticked, as increasing ISO digits ("135"): the valid ones, or with raw every one
   sent that is a weekday. */
static const char *campaign_weekdays_ticked(struct req *r, bool raw)
{
    const char **days;
    size_t n = req_field_list(r, "weekday[]", raw, &days);
    char *wd = arena_alloc(&r->arena, 6);
    size_t k = 0;
    for (char c = '1'; c <= '5'; c++)
        if (campaign_listed(days, n, (char[]){c, '\0'}))
            wd[k++] = c;
    return wd;
}

/* The valid (normalised) value of a field, else what was typed. */
static const char *campaign_typed(struct req *r, const char *name)
{
    const char *v = req_field(r, name);
    return v ? v : req_field_raw(r, name);
}

static void campaign_form_from_request(struct req *r, struct campaign_form *f)
{
    f->year_id = field_row_id_parse(req_field_raw(r, "school_year"));
    f->title = req_field_raw(r, "title");
    f->kind = req_field_raw(r, "kind");
    f->opens_date = campaign_typed(r, "opens_date");
    f->opens_time = campaign_typed(r, "opens_time");
    f->closes_date = campaign_typed(r, "closes_date");
    f->closes_time = campaign_typed(r, "closes_time");
    f->weekdays = campaign_weekdays_ticked(r, true);
    f->nclasses = req_field_list(r, "class[]", true, &f->classes);
    f->nschools = req_field_list(r, "school[]", true, &f->schools);
    f->declarations = req_field_raw(r, "declarations");
    f->privacy_notice = req_field_raw(r, "privacy_notice");
    f->fee = req_field_raw(r, "fee");
    f->debt_threshold = req_field_raw(r, "debt_threshold");
    f->diets = req_field_raw(r, "diets") != NULL;
    f->direct_debit = req_field_raw(r, "direct_debit") != NULL;
}

/* The document attached to campaign c (name and id), if any. */
static void campaign_form_regulations(struct req *r, struct db *db, const struct campaign *c,
                                      struct campaign_form *f)
{
    struct attachment att;
    if (c && c->regulations_attachment_id &&
        attachment_info(db, &r->arena, r->tenant.id, c->regulations_attachment_id, &att) == 1) {
        f->regulations_name = att.filename;
        f->regulations_id = c->regulations_attachment_id;
    }
}

static bool campaign_form_from_campaign(struct req *r, struct db *db, const struct campaign *c,
                                        struct campaign_form *f)
{
    struct campaign_class *classes;
    struct campaign_declaration *decl;
    size_t nc, nd;
    if (campaign_classes(db, &r->arena, c->id, &classes, &nc) != 0 ||
        campaign_declarations(db, &r->arena, c->id, &decl, &nd) != 0)
        return false;
    f->id = c->id;
    f->year_id = c->school_year_id;
    f->title = c->title;
    f->kind = campaign_kind_name(c->kind);
    for (int end = 0; end < 2; end++) {
        char *d = arena_alloc(&r->arena, TIME_LOCAL_DATE_MAX);
        char *t = arena_alloc(&r->arena, TIME_LOCAL_HHMM_MAX);
        if (!time_utc_to_rome(end ? c->closes_at : c->opens_at, d, t))
            continue;
        *(end ? &f->closes_date : &f->opens_date) = d;
        *(end ? &f->closes_time : &f->opens_time) = t;
    }
    f->weekdays = c->weekdays;
    f->classes = arena_calloc(&r->arena, nc + 1, sizeof(*f->classes));
    for (size_t i = 0; i < nc; i++)
        f->classes[i] = arena_printf(&r->arena, "%lld", (long long)classes[i].class_id);
    f->nclasses = nc;
    const char *text = "";
    for (size_t i = 0; i < nd; i++)
        text = arena_printf(&r->arena, "%s%s%s", text, i ? "\n" : "", decl[i].text);
    f->declarations = text;
    f->privacy_notice = c->privacy_notice;
    char money[MONEY_TEXT_SIZE];
    money_format_plain(c->fee_cents, money);
    f->fee = arena_strdup(&r->arena, money);
    if (c->has_debt_threshold) {
        money_format_plain(c->debt_threshold_cents, money);
        f->debt_threshold = arena_strdup(&r->arena, money);
    }
    f->diets = c->diets_offered;
    f->direct_debit = c->direct_debit_offered;
    campaign_form_regulations(r, db, c, f);
    return true;
}

/* A new campaign: the next school year (the first that has not started), Monday to Friday, new
   enrollments and renewals, diets offered. */
static void campaign_form_defaults(const struct campaign_year *years, size_t n, const char *today,
                                   struct campaign_form *f)
{
    f->year_id = n ? years[n - 1].id : 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(years[i].starts_on, today) > 0) {
            f->year_id = years[i].id;
            break;
        }
    f->kind = campaign_kind_name(CAMPAIGN_BOTH);
    f->weekdays = "12345";
    f->diets = true;
}

/* Render the form into d (from campaign_form_data) with what f holds. */
static void campaign_form_page(struct req *r, struct resp *w, int status, struct campaign_form *f,
                               const struct campaign_year *years, size_t nyears,
                               const char *form_error, struct tv *d)
{
    struct db *db = store_db();
    bool edit = f->id != 0;
    const char *self =
        edit ? campaign_href(r, arena_printf(&r->arena, "/%lld", (long long)f->id)) : NULL;
    tv_set_str(d, "heading", tr(r->lang, edit ? N_("Change the campaign") : N_("New campaign")));
    tv_set_bool(d, "edit", edit);
    if (form_error)
        tv_set_str((struct tv *)tv_get(d, "errors"), "form", form_error);
    tv_set_str(d, "form_action",
               edit ? arena_printf(&r->arena, "%s/modifica", self) : campaign_href(r, "/nuova"));
    tv_set_str(d, "cancel_href", edit ? self : campaign_href(r, ""));

    struct tv *ys = tv_set_list(d, "years");
    for (size_t i = 0; i < nyears; i++) {
        struct tv *y = tv_push_dict(ys);
        tv_set_int(y, "id", years[i].id);
        tv_set_str(y, "label", years[i].label);
        tv_set_bool(y, "selected", years[i].id == f->year_id);
    }

    struct tv *f_title = page_field(r, d, "fields_title", "title", N_("Title"), "text", "off",
                                    N_("For example: Enrollments and renewals 2027/2028."));
    tv_set_str(f_title, "value", f->title);

    struct tv *kinds = tv_set_list(d, "kinds");
    for (enum campaign_kind k = CAMPAIGN_NEW; k <= CAMPAIGN_BOTH; k++) {
        struct tv *o = tv_push_dict(kinds);
        tv_set_str(o, "value", campaign_kind_name(k));
        tv_set_str(o, "label", tr(r->lang, campaign_kind_label(k)));
        tv_set_bool(o, "checked", f->kind && !strcmp(f->kind, campaign_kind_name(k)));
    }
    tv_set_str(d, "opens_date", f->opens_date);
    tv_set_str(d, "opens_time", f->opens_time);
    tv_set_str(d, "closes_date", f->closes_date);
    tv_set_str(d, "closes_time", f->closes_time);

    struct tv *days = tv_set_list(d, "weekdays");
    for (int i = 0; i < 5; i++) {
        struct tv *o = tv_push_dict(days);
        tv_set_int(o, "value", i + 1);
        tv_set_str(o, "label", tr(r->lang, campaign_weekday_names[i]));
        tv_set_bool(o, "checked", f->weekdays && strchr(f->weekdays, '1' + i));
    }

    /* The classes of every school year offered, by school. */
    struct tv *cy = tv_set_list(d, "class_years");
    for (size_t i = 0; i < nyears; i++) {
        struct campaign_class *cl;
        size_t nc;
        if (campaign_class_choices(db, &r->arena, r->tenant.id, years[i].id, &cl, &nc) != 0) {
            page_error(r, w, 500);
            return;
        }
        if (!nc)
            continue;
        struct tv *y = tv_push_dict(cy);
        tv_set_str(y, "label", years[i].label);
        struct tv *schools = tv_set_list(y, "schools"), *school = NULL, *classes = NULL;
        for (size_t k = 0; k < nc; k++) {
            if (!k || cl[k].school_id != cl[k - 1].school_id) {
                school = tv_push_dict(schools);
                const char *value = arena_printf(&r->arena, "%lld-%lld", (long long)years[i].id,
                                                 (long long)cl[k].school_id);
                tv_set_str(school, "name", cl[k].school_name);
                tv_set_str(school, "value", value);
                tv_set_bool(school, "checked", campaign_listed(f->schools, f->nschools, value));
                classes = tv_set_list(school, "classes");
            }
            struct tv *c = tv_push_dict(classes);
            const char *id = arena_printf(&r->arena, "%lld", (long long)cl[k].class_id);
            tv_set_str(c, "id", id);
            tv_set_str(c, "name", cl[k].class_name);
            tv_set_bool(c, "checked", campaign_listed(f->classes, f->nclasses, id));
        }
    }

    tv_set_str(d, "declarations", f->declarations);
    tv_set_int(d, "declarations_max", CAMPAIGN_DECLARATIONS_MAX);
    tv_set_int(d, "declarations_maxlength", CAMPAIGN_DECLARATIONS_CHARS);
    tv_set_str(d, "privacy_notice", f->privacy_notice);
    tv_set_int(d, "privacy_maxlength", CAMPAIGN_PRIVACY_MAX);

    struct tv *fee =
        page_field(r, d, "fields_fee", "fee", N_("Enrollment fee (euro)"), "text", "off",
                   N_("For example 25,00. Leave it empty when there is no fee."));
    tv_set_str(fee, "value", f->fee);
    tv_set_str(fee, "inputmode", "decimal");
    tv_set_bool(d, "diets", f->diets);
    tv_set_bool(d, "direct_debit", f->direct_debit);
    struct tv *debt = page_field(
        r, d, "fields_debt", "debt_threshold", N_("Debt threshold (euro)"), "text", "off",
        N_("A family whose balance is below this amount cannot submit the application, and is "
           "told why. For example -30,00. Leave it empty for no threshold."));
    tv_set_str(debt, "value", f->debt_threshold);

    tv_set_str(d, "regulations_name", f->regulations_name);
    if (f->regulations_id)
        tv_set_str(d, "regulations_href", campaign_public_regulations_href(r, f->id));
    /* A file cannot be put back into a form: after an error, say so. */
    tv_set_bool(d, "regulations_again",
                status != 200 && req_file(r, "regulations") &&
                    !tv_get_str(d, "errors.regulations"));
    page_render(r, w, status, tmpl_office_campaign_form, d);
}

/* The page data with the layout, crumbs and form state; NULL when a 500 was answered. */
static struct tv *campaign_form_data(struct req *r, struct resp *w, const struct campaign_form *f,
                                     const char *title)
{
    struct tv *d = page_new(r, f->id ? N_("Change the campaign") : N_("New campaign"));
    if (f->id)
        campaign_crumbs(r, d, N_("Change the campaign"), title,
                        campaign_href(r, arena_printf(&r->arena, "/%lld", (long long)f->id)));
    else
        campaign_crumbs(r, d, N_("New campaign"), NULL, NULL);
    if (!page_form_begin(r, w, d, NULL))
        return NULL;
    /* Errors of the repeated fields under the names the template uses. */
    static const struct {
        const char *field, *key;
    } group_errors[] = {
        {"weekday[]", "weekdays"},
        {"class[]", "classes"},
        {"school[]", "classes"},
    };
    for (size_t i = 0; i < sizeof(group_errors) / sizeof(group_errors[0]); i++)
        if (req_field_error(r, group_errors[i].field))
            campaign_error_text(d, group_errors[i].key,
                                tr(r->lang, req_field_error(r, group_errors[i].field)));
    return d;
}

static bool campaign_years(struct req *r, int64_t also_id, struct campaign_year **years, size_t *n)
{
    struct db *db = store_db();
    char today[TIME_LOCAL_DATE_MAX];
    time_today(CAMPAIGN_TZ, today);
    return db && campaign_year_choices(db, &r->arena, r->tenant.id, today, also_id, years, n) == 0;
}

static void office_campaign_new_form(struct req *r, struct resp *w)
{
    campaign_forget_errors(r);
    struct campaign_year *years;
    size_t ny;
    if (!campaign_years(r, 0, &years, &ny)) {
        page_error(r, w, 500);
        return;
    }
    char today[TIME_LOCAL_DATE_MAX];
    time_today(CAMPAIGN_TZ, today);
    struct campaign_form f = {0};
    campaign_form_defaults(years, ny, today, &f);
    struct tv *d = campaign_form_data(r, w, &f, NULL);
    if (d)
        campaign_form_page(r, w, 200, &f, years, ny, NULL, d);
}

/* The {id} of the path as a campaign of this tenant: 1 found, 0 not (404 answered), -1 error
   (500 answered). */
static int campaign_from_path(struct req *r, struct resp *w, struct campaign *c)
{
    struct db *db = store_db();
    int64_t id = field_row_id_parse(req_param(r, 0));
    int found = !db ? -1 : id ? campaign_find(db, &r->arena, r->tenant.id, id, c) : 0;
    if (found <= 0)
        page_error(r, w, found == 0 ? 404 : 500);
    return found;
}

static void office_campaign_edit_form(struct req *r, struct resp *w)
{
    campaign_forget_errors(r);
    struct campaign c;
    if (campaign_from_path(r, w, &c) != 1)
        return;
    struct campaign_year *years;
    size_t ny;
    struct campaign_form f = {0};
    if (!campaign_years(r, c.school_year_id, &years, &ny) ||
        !campaign_form_from_campaign(r, store_db(), &c, &f)) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = campaign_form_data(r, w, &f, c.title);
    if (d)
        campaign_form_page(r, w, 200, &f, years, ny, NULL, d);
}

/* ---- saving ------------------------------------------------------------------------------- */

/* The declarations, one per line: trimmed, blank lines dropped. */
static const char **campaign_split_lines(struct arena *a, const char *text, size_t *n)
{
    size_t lines = 1;
    for (const char *p = text; p && *p; p++)
        lines += *p == '\n';
    const char **out = arena_calloc(a, lines + 1, sizeof(*out));
    *n = 0;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "\n");
        const char *s = p, *e = p + len;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (e > s)
            out[(*n)++] = arena_strndup(a, s, (size_t)(e - s));
        p += len + (p[len] == '\n');
    }
    return out;
}

/* Text from a textarea with its line breaks as "\n" (browsers send "\r\n"). */
static const char *campaign_unix_newlines(struct arena *a, const char *text)
{
    if (!text)
        return NULL;
    char *out = arena_strdup(a, text), *o = out;
    for (const char *p = text; *p; p++)
        if (!(*p == '\r' && p[1] == '\n'))
            *o++ = *p;
    *o = '\0';
    return out;
}

/* The form key and message of a problem the service found in one of its input's fields. */
static void campaign_service_error(struct req *r, struct tv *d, const char *field,
                                   enum campaign_err e, const struct campaign_input *in,
                                   const char *year_label)
{
    static const struct {
        const char *field, *key, *msgid;
        const char *related; /* another form field whose own error makes this one redundant */
    } map[] = {
        {"school_year_id", "school_year", N_("Choose one of the school years listed."), NULL},
        {"title", "title", N_("Write a title of 3 to 120 characters."), NULL},
        {"kind", "kind", N_("Choose one of the options listed."), NULL},
        {"opens_at", "opens_date", N_("Enter the date and time of the opening."), "opens_time"},
        {"closes_at", "closes_date", N_("The closing must come after the opening."), "closes_time"},
        {"weekdays", "weekdays", N_("Choose at least one day of the week."), NULL},
        {"privacy_notice", "privacy_notice", N_("Write the privacy notice families must read."),
         NULL},
        {"fee_cents", "fee", N_("The fee must be between 0,00 and 1.000,00 euro."), NULL},
        {"debt_threshold_cents", "debt_threshold",
         N_("The threshold must be between -100.000,00 and 100.000,00 euro."), NULL},
        {"declarations", "declarations",
         N_("Each declaration must be between 3 and 1000 characters long."), NULL},
        {"class_ids", "classes", N_("Choose at least one class."), NULL},
        {"regulations_attachment_id", "regulations", N_("The file must be a PDF document."), NULL},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].field, field))
            continue;
        const char *msgid = map[i].msgid;
        if (map[i].related && tv_get_str(d, arena_printf(&r->arena, "errors.%s", map[i].related)))
            return;
        if (!strcmp(field, "opens_at") || !strcmp(field, "closes_at")) {
            /* The date's own error (from the validator) says more than this one. */
            if (tv_get_str(d, arena_printf(&r->arena, "errors.%s", map[i].key)))
                return;
            if (!strcmp(field, "closes_at") && !in->closes_at)
                msgid = N_("Enter the date and time of the closing.");
        }
        if (!strcmp(field, "school_year_id") && e == CAMPAIGN_ERR_INVALID && in->school_year_id)
            msgid = N_("This campaign already has applications: its school year cannot change.");
        if (!strcmp(field, "declarations") && in->ndeclarations > CAMPAIGN_DECLARATIONS_MAX) {
            char max[8];
            snprintf(max, sizeof(max), "%d", CAMPAIGN_DECLARATIONS_MAX);
            campaign_error_text(d, map[i].key,
                                page_tr(r, N_("Write at most {max} declarations, one per line."),
                                        "max", max, NULL));
            return;
        }
        if (!strcmp(field, "class_ids") && in->nclass_ids > 0) {
            if (e == CAMPAIGN_ERR_INVALID && in->nclass_ids <= CAMPAIGN_CLASSES_MAX && year_label)
                campaign_error_text(d, map[i].key,
                                    page_tr(r, N_("Choose only classes of the school year {year}."),
                                            "year", year_label, NULL));
            else
                campaign_error_text(d, map[i].key,
                                    tr(r->lang, N_("Choose among the classes listed.")));
            return;
        }
        campaign_error_text(d, map[i].key, tr(r->lang, msgid));
        return;
    }
}

static const char *campaign_year_label(const struct campaign_year *years, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (years[i].id == id)
            return years[i].label;
    return NULL;
}

/* The classes chosen: each ticked class, and every class of each school ticked whole. A whole
   school of another school year than the campaign's is reported like a class of another year
   (by the id of one of its classes, which the service then refuses). */
static int64_t *campaign_chosen_classes(struct req *r, struct db *db, int64_t year_id, size_t *n,
                                        bool *bad)
{
    const char **ids, **schools;
    size_t ni = req_field_list(r, "class[]", false, &ids);
    size_t ns = req_field_list(r, "school[]", false, &schools);
    struct campaign_class *cl = NULL;
    size_t nc = 0;
    if (ns && year_id && campaign_class_choices(db, &r->arena, r->tenant.id, year_id, &cl, &nc))
        return NULL;
    int64_t *out = arena_calloc(&r->arena, ni + nc * ns + 1, sizeof(*out));
    *n = 0;
    for (size_t i = 0; i < ni; i++)
        out[(*n)++] = field_row_id_parse(ids[i]);
    for (size_t i = 0; i < ns; i++) {
        const char *dash = strchr(schools[i], '-');
        int64_t y =
            field_row_id_parse(arena_strndup(&r->arena, schools[i], (size_t)(dash - schools[i])));
        int64_t s = field_row_id_parse(dash + 1);
        if (y != year_id) {
            *bad = true; /* reported by the caller */
            continue;
        }
        for (size_t k = 0; k < nc; k++)
            if (cl[k].school_id == s)
                out[(*n)++] = cl[k].class_id;
    }
    return out;
}

static void campaign_submit(struct req *r, struct resp *w, const struct campaign *existing)
{
    struct db *db = store_db();
    struct campaign_year *years;
    size_t ny;
    if (!db || !campaign_years(r, existing ? existing->school_year_id : 0, &years, &ny)) {
        page_error(r, w, 500);
        return;
    }
    struct campaign_input in = {0};
    in.school_year_id = field_row_id_parse(req_field(r, "school_year"));
    in.title = req_field(r, "title");
    in.kind = CAMPAIGN_BOTH; /* a kind the router refused has its message already */
    if (req_field(r, "kind"))
        campaign_kind_parse(req_field(r, "kind"), &in.kind);

    /* Local date and time to UTC; the hour skipped in March does not exist. */
    static const struct {
        const char *date, *time;
        bool closes;
    } ends[] = {{"opens_date", "opens_time", false}, {"closes_date", "closes_time", true}};
    for (size_t i = 0; i < 2; i++) {
        const char *date = req_field(r, ends[i].date), *hhmm = req_field(r, ends[i].time);
        if (!date || !hhmm)
            continue;
        char *utc = arena_alloc(&r->arena, TIME_ISO_MAX);
        if (time_rome_to_utc(date, hhmm, utc) != TIME_LOCAL_OK) {
            req_set_field_error(r, ends[i].time,
                                N_("This time does not exist on that day, when clocks go "
                                   "forward: choose 03:00 or later."));
            continue;
        }
        if (ends[i].closes)
            in.closes_at = utc;
        else
            in.opens_at = utc;
    }

    in.weekdays = campaign_weekdays_ticked(r, false);
    /* Declarations, fee and threshold: only when their field is valid (else the router's
       message stands, and the service need not repeat it). */
    in.declarations =
        campaign_split_lines(&r->arena, req_field(r, "declarations"), &in.ndeclarations);
    in.privacy_notice = campaign_unix_newlines(&r->arena, req_field(r, "privacy_notice"));
    in.fee_cents = req_field(r, "fee") ? strtoll(req_field(r, "fee"), NULL, 10) : 0;
    in.has_debt_threshold = req_field(r, "debt_threshold") != NULL;
    in.debt_threshold_cents =
        in.has_debt_threshold ? strtoll(req_field(r, "debt_threshold"), NULL, 10) : 0;
    in.diets_offered = req_field(r, "diets") != NULL;
    in.direct_debit_offered = req_field(r, "direct_debit") != NULL;
    bool other_year = false;
    in.class_ids = campaign_chosen_classes(r, db, in.school_year_id, &in.nclass_ids, &other_year);
    if (!in.class_ids) {
        page_error(r, w, 500);
        return;
    }
    const struct req_file *file = req_file(r, "regulations");

    struct campaign_form f = {0};
    campaign_form_from_request(r, &f);
    f.id = existing ? existing->id : 0;
    if (existing)
        campaign_form_regulations(r, db, existing, &f);
    const char *year_label = campaign_year_label(years, ny, in.school_year_id);

    /* Every problem the router and the service's rules find, each next to its field. */
    const char *problems[CAMPAIGN_INPUT_FIELDS];
    size_t np = campaign_input_problems(&in, problems);
    if (r->has_errors || np || other_year || (in.school_year_id && !year_label)) {
        struct tv *d = campaign_form_data(r, w, &f, existing ? existing->title : NULL);
        if (!d)
            return;
        if (other_year && year_label)
            campaign_error_text(d, "classes",
                                page_tr(r, N_("Choose only classes of the school year {year}."),
                                        "year", year_label, NULL));
        if (in.school_year_id && !year_label)
            campaign_service_error(r, d, "school_year_id", CAMPAIGN_ERR_NOT_FOUND, &in, NULL);
        for (size_t i = 0; i < np; i++) {
            /* A field the router refused already has its message. */
            if ((!strcmp(problems[i], "title") && !in.title) ||
                (!strcmp(problems[i], "school_year_id") && !in.school_year_id) ||
                (!strcmp(problems[i], "privacy_notice") && !in.privacy_notice) ||
                (!strcmp(problems[i], "opens_at") && !in.opens_at &&
                 (req_field_error(r, "opens_date") || req_field_error(r, "opens_time"))) ||
                (!strcmp(problems[i], "closes_at") && !in.closes_at &&
                 (req_field_error(r, "closes_date") || req_field_error(r, "closes_time"))))
                continue;
            campaign_service_error(r, d, problems[i], CAMPAIGN_ERR_INVALID, &in, year_label);
        }
        campaign_form_page(r, w, 422, &f, years, ny,
                           tr(r->lang, N_("Check the fields marked below.")), d);
        return;
    }

    struct campaign_upload up = {0};
    if (file) {
        up.filename = file->filename;
        up.data = file->data;
        up.len = file->len;
    }
    int64_t id = 0;
    const char *field = NULL;
    enum attachment_err upload_err = ATTACHMENT_OK;
    enum campaign_err e = campaign_save(db, r->tenant.id, existing ? existing->id : 0, &in,
                                        file ? &up : NULL, r->user.email, &id, &field, &upload_err);
    if (e == CAMPAIGN_OK) {
        resp_redirect(w, 303,
                      campaign_href(r, arena_printf(&r->arena, "/%lld?esito=%s", (long long)id,
                                                    existing ? "modificata" : "creata")));
        return;
    }
    if ((e != CAMPAIGN_ERR_INVALID && e != CAMPAIGN_ERR_NOT_FOUND) || !field) {
        page_error(r, w, e == CAMPAIGN_ERR_NOT_FOUND ? 404 : 500);
        return;
    }
    struct tv *d = campaign_form_data(r, w, &f, existing ? existing->title : NULL);
    if (!d)
        return;
    if (upload_err != ATTACHMENT_OK && attachment_err_message(upload_err))
        campaign_error_text(d, "regulations", tr(r->lang, attachment_err_message(upload_err)));
    campaign_service_error(r, d, field, e, &in, year_label);
    campaign_form_page(r, w, 422, &f, years, ny, tr(r->lang, N_("Check the fields marked below.")),
                       d);
}

static void office_campaign_new_submit(struct req *r, struct resp *w)
{
    campaign_submit(r, w, NULL);
}

static void office_campaign_edit_submit(struct req *r, struct resp *w)
{
    struct campaign c;
    if (campaign_from_path(r, w, &c) == 1)
        campaign_submit(r, w, &c);
}

/* ---- detail ------------------------------------------------------------------------------- */

static void office_campaign_detail(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct campaign c;
    if (campaign_from_path(r, w, &c) != 1)
        return;
    struct campaign_class *classes;
    struct campaign_declaration *decl;
    size_t nc, nd;
    if (campaign_classes(db, &r->arena, c.id, &classes, &nc) != 0 ||
        campaign_declarations(db, &r->arena, c.id, &decl, &nd) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Enrollment campaign"));
    tv_set_str(d, "page_title", c.title);
    campaign_crumbs(r, d, NULL, c.title, NULL);
    campaign_outcome(r, d);
    struct tv *cv = tv_set_dict(d, "campaign");
    tv_set_str(cv, "title", c.title);
    tv_set_str(cv, "year", c.school_year_label);
    tv_set_str(cv, "kind_label", tr(r->lang, campaign_kind_label(c.kind)));
    campaign_window_badge(r, cv, &c);
    const char *days = "";
    for (const char *p = c.weekdays; *p; p++)
        if (*p >= '1' && *p <= '5')
            days = arena_printf(&r->arena, "%s%s%s", days, *days ? ", " : "",
                                tr(r->lang, campaign_weekday_names[*p - '1']));
    tv_set_str(cv, "weekdays", days);
    struct tv *schools = tv_set_list(cv, "schools"), *school = NULL;
    for (size_t i = 0; i < nc; i++) {
        if (!i || classes[i].school_id != classes[i - 1].school_id) {
            school = tv_push_dict(schools);
            tv_set_str(school, "name", classes[i].school_name);
            tv_set_str(school, "classes", classes[i].class_name);
        } else {
            tv_set_str(school, "classes",
                       arena_printf(&r->arena, "%s, %s", tv_get_str(school, "classes"),
                                    classes[i].class_name));
        }
    }
    struct tv *dl = tv_set_list(cv, "declarations");
    for (size_t i = 0; i < nd; i++)
        tv_set_str(tv_push_dict(dl), "text", decl[i].text);
    size_t np;
    const char **paragraphs = campaign_split_lines(&r->arena, c.privacy_notice, &np);
    struct tv *pl = tv_set_list(cv, "privacy");
    for (size_t i = 0; i < np; i++)
        tv_set_str(tv_push_dict(pl), "text", paragraphs[i]);
    if (c.fee_cents)
        tv_set_str(cv, "fee", campaign_money_text(r, c.fee_cents));
    tv_set_bool(cv, "diets", c.diets_offered);
    tv_set_bool(cv, "direct_debit", c.direct_debit_offered);
    if (c.has_debt_threshold)
        tv_set_str(cv, "threshold", campaign_money_text(r, c.debt_threshold_cents));
    struct attachment att;
    if (c.regulations_attachment_id &&
        attachment_info(db, &r->arena, r->tenant.id, c.regulations_attachment_id, &att) == 1) {
        tv_set_str(cv, "regulations_name", att.filename);
        tv_set_str(cv, "regulations_href", campaign_public_regulations_href(r, c.id));
    }
    tv_set_str(d, "edit_href",
               campaign_href(r, arena_printf(&r->arena, "/%lld/modifica", (long long)c.id)));
    tv_set_str(d, "list_href", campaign_href(r, ""));
    page_render(r, w, 200, tmpl_office_campaign_detail, d);
}

/* ---- ISEE bands --------------------------------------------------------------------------- */

static void isee_bands_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    struct isee_band *bands;
    size_t n;
    if (!db || isee_band_list(db, &r->arena, r->tenant.id, &bands, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("ISEE bands"));
    campaign_crumbs(r, d, N_("ISEE bands"), NULL, NULL);
    if (!page_form_begin(r, w, d, form_error))
        return;
    campaign_outcome(r, d);
    struct tv *list = tv_set_list(d, "bands");
    for (size_t i = 0; i < n; i++) {
        struct tv *b = tv_push_dict(list);
        tv_set_str(b, "code", bands[i].code);
        tv_set_str(b, "label", bands[i].label);
        if (bands[i].has_max)
            tv_set_str(b, "max", campaign_money_text(r, bands[i].max_isee_cents));
    }
    tv_set_str(d, "form_action", campaign_href(r, "/fasce-isee"));
    page_field(r, d, "fields", "code", N_("Code"), "text", "off",
               N_("Up to 8 letters or digits, for example A."));
    page_field(r, d, "fields", "label", N_("Description"), "text", "off",
               N_("For example: ISEE up to 6.000,00 euro."));
    struct tv *max =
        page_field(r, d, "fields", "max_isee", N_("Maximum ISEE (euro)"), "text", "off",
                   N_("For example 6.000,00. Leave it empty for the band with "
                      "no upper limit."));
    tv_set_str(max, "inputmode", "decimal");
    page_render(r, w, status, tmpl_office_isee_bands, d);
}

static void office_isee_bands(struct req *r, struct resp *w)
{
    campaign_forget_errors(r);
    isee_bands_page(r, w, 200, NULL);
}

static void office_isee_band_add(struct req *r, struct resp *w)
{
    const char *check = tr(r->lang, N_("Check the fields marked below."));
    if (r->has_errors) {
        isee_bands_page(r, w, 422, check);
        return;
    }
    struct db *db = store_db();
    const char *max = req_field(r, "max_isee");
    const char *field = NULL;
    enum campaign_err e =
        db ? isee_band_add(db, r->tenant.id, req_field(r, "code"), req_field(r, "label"),
                           max != NULL, max ? strtoll(max, NULL, 10) : 0, r->user.email, NULL,
                           &field)
           : CAMPAIGN_ERR_DB;
    switch (e) {
    case CAMPAIGN_OK:
        resp_redirect(w, 303, campaign_href(r, "/fasce-isee?esito=fascia"));
        return;
    case CAMPAIGN_ERR_DUPLICATE:
        req_set_field_error(r, "code", N_("A band with this code already exists."));
        break;
    case CAMPAIGN_ERR_INVALID:
        if (field && !strcmp(field, "max_isee_cents"))
            req_set_field_error(r, "max_isee",
                                N_("The maximum must be between 0,00 and 1.000.000,00 euro."));
        else if (field && !strcmp(field, "label"))
            req_set_field_error(r, "label", N_("Write a description of up to 120 characters."));
        else
            req_set_field_error(r, "code", N_("Use up to 8 letters, digits or hyphens."));
        break;
    default:
        page_error(r, w, 500);
        return;
    }
    isee_bands_page(r, w, 422, check);
}

/* ---- the regulations, for everyone ------------------------------------------------------- */

static void campaign_regulations_download(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct campaign c;
    if (campaign_from_path(r, w, &c) != 1)
        return;
    struct attachment att;
    int found = c.regulations_attachment_id
                    ? attachment_get(db, &r->arena, r->tenant.id, c.regulations_attachment_id, &att)
                    : 0;
    if (found == 1 && strcmp(att.kind, attachment_kind_name(ATTACHMENT_REGULATIONS)))
        found = 0;
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    resp_download(r, w, att.content_type, att.filename, att.data, att.size, true);
}
