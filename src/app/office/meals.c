/*
 * The office's meal pages (/ufficio/pasti): counts of the frozen meals per day and school for a
 * month and per month over the school year; a day's meal rows with the corrections (remove a
 * meal, toggle the plain meal, add a meal, each with a reason); and a pupil's month, where the
 * office records or undoes a cancellation on the family's behalf after the cut-off: on a frozen
 * day that is a correction (services/meal.h), before it a staff booking change
 * (services/booking.h). Administrators and the office may change; the catering operator reads.
 * Owns meal_office_routes.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/money.h"
#include "domain/school_calendar.h"
#include "services/booking.h"
#include "services/cutoff_job.h"
#include "services/meal.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/fields.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define MEALS_READ_ROLES     (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)
#define MEALS_WRITE_ROLES    (ROLE_ADMIN | ROLE_UFFICIO)
#define MEALS_DAY_ROWS_SHOWN 3000 /* rows of one day on the page; more: choose a school */

/* ---- fields -------------------------------------------------------------------------------- */

/* A day in the years the service can have (field_day's forms). */
static const char *meals_field_day(struct arena *a, const char *in, const char **out)
{
    const char *err = field_day(a, in, out);
    long n;
    if (!err && !school_calendar_parse_day(*out, &n))
        err = N_("Enter a date like 15/01/2027.");
    return err;
}

static const char *meals_field_fix(struct arena *a, const char *in, const char **out)
{
    enum meal_fix f;
    if (!meal_fix_parse(in, &f))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *meals_field_booking(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "cancel") != 0 && strcmp(in, "restore") != 0)
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

/* The reason of a correction: MEAL_REASON_MIN..MAX characters, several lines allowed. */
static const char *meals_field_reason(struct arena *a, const char *in, const char **out)
{
    const char *err = field_multiline(a, in, out);
    if (err)
        return err;
    size_t chars = 0;
    for (const char *p = *out; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            chars++;
    if (chars < MEAL_REASON_MIN || chars > MEAL_REASON_MAX)
        return N_("Write the reason: from 3 to 500 characters.");
    return NULL;
}

/* A codice fiscale as typed: 16 letters and digits, upper-cased. */
static const char *meals_field_fiscal_code(struct arena *a, const char *in, const char **out)
{
    char *cf = arena_strdup(a, in);
    size_t n = 0;
    for (char *p = cf; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return N_("Enter the pupil's codice fiscale: 16 letters and digits.");
        n++;
    }
    if (n != 16)
        return N_("Enter the pupil's codice fiscale: 16 letters and digits.");
    *out = cf;
    return NULL;
}

static const char *meals_field_key(struct arena *a, const char *in, const char **out)
{
    size_t n = strlen(in);
    if (n < BOOKING_KEY_MIN || n > BOOKING_KEY_MAX)
        return N_("This form has expired: reload the page and try again.");
    return field_token(a, in, out);
}

static const struct field_spec meals_list_fields[] = {
    {"mese", field_month, 7, false},
    {"scuola", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static const struct field_spec meals_open_fields[] = {
    {"giorno", meals_field_day, 10, true},
    {"scuola", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static const struct field_spec meals_day_fields[] = {
    {"scuola", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static const struct field_spec meals_fix_fields[] = {
    {"alunno", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"codice_fiscale", meals_field_fiscal_code, 16, false},
    {"azione", meals_field_fix, 10, true},
    {"motivo", meals_field_reason, MEAL_REASON_MAX, true},
    {"scuola", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static const struct field_spec meals_find_fields[] = {
    {"codice_fiscale", meals_field_fiscal_code, 16, true},
};

static const struct field_spec meals_pupil_fields[] = {
    {"mese", field_month, 7, false},
};

static const struct field_spec meals_booking_fields[] = {
    {"giorno", meals_field_day, 10, true},
    {"azione", meals_field_booking, 10, true},
    {"motivo", meals_field_reason, MEAL_REASON_MAX, true},
    {"chiave", meals_field_key, BOOKING_KEY_MAX, true},
};

static void meals_list(struct req *r, struct resp *w);
static void meals_open_day(struct req *r, struct resp *w);
static void meals_day(struct req *r, struct resp *w);
static void meals_fix(struct req *r, struct resp *w);
static void meals_find_pupil(struct req *r, struct resp *w);
static void meals_pupil(struct req *r, struct resp *w);
static void meals_pupil_change(struct req *r, struct resp *w);

const struct route meal_office_routes[] = {
    {HTTP_GET, "/ufficio/pasti", MEALS_READ_ROLES, ROUTE_FIELDS(meals_list_fields), meals_list, 0},
    {HTTP_GET, "/ufficio/pasti/giorno", MEALS_READ_ROLES, ROUTE_FIELDS(meals_open_fields),
     meals_open_day, 0},
    {HTTP_GET, "/ufficio/pasti/giorno/{day}", MEALS_READ_ROLES, ROUTE_FIELDS(meals_day_fields),
     meals_day, 0},
    {HTTP_POST, "/ufficio/pasti/giorno/{day}/correzioni", MEALS_WRITE_ROLES,
     ROUTE_FIELDS(meals_fix_fields), meals_fix, 0},
    {HTTP_GET, "/ufficio/pasti/alunni", MEALS_READ_ROLES, ROUTE_FIELDS(meals_find_fields),
     meals_find_pupil, 0},
    {HTTP_GET, "/ufficio/pasti/alunni/{pupil}", MEALS_READ_ROLES, ROUTE_FIELDS(meals_pupil_fields),
     meals_pupil, 0},
    {HTTP_POST, "/ufficio/pasti/alunni/{pupil}/disdette", MEALS_WRITE_ROLES,
     ROUTE_FIELDS(meals_booking_fields), meals_pupil_change, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *meals_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio%s", r->tenant.slug, path);
}

static const char *meals_euro(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    return arena_strdup(&r->arena, text);
}

static const char *meals_n(struct req *r, long n)
{
    return arena_printf(&r->arena, "%ld", n);
}

/* The month after (delta 1) or before (-1) "YYYY-MM". */
static const char *meals_month_add(struct req *r, const char *month, int delta)
{
    int y = atoi(month), m = atoi(month + 5) + delta;
    if (m < 1) {
        m = 12;
        y--;
    } else if (m > 12) {
        m = 1;
        y++;
    }
    if (y < SCHOOL_CALENDAR_YEAR_MIN || y > SCHOOL_CALENDAR_YEAR_MAX)
        return NULL;
    return arena_printf(&r->arena, "%04d-%02d", y, m);
}

static const char *meals_this_month(struct req *r)
{
    char today[TIME_LOCAL_DATE_MAX];
    time_today("Europe/Rome", today);
    return arena_strndup(&r->arena, today, 7);
}

static void meals_option(struct tv *list, const char *value, const char *label, bool selected)
{
    struct tv *o = tv_push_dict(list);
    tv_set_str(o, "value", value);
    tv_set_str(o, "label", label);
    tv_set_bool(o, "selected", selected);
}

/* The schools as options, "All schools" first. */
static void meals_school_options(struct req *r, struct tv *d, const struct school_summary *schools,
                                 size_t n, int64_t chosen)
{
    struct tv *list = tv_set_list(d, "school_options");
    meals_option(list, "", tr(r->lang, N_("All schools")), chosen == 0);
    for (size_t i = 0; i < n; i++)
        meals_option(list, arena_printf(&r->arena, "%lld", (long long)schools[i].id),
                     schools[i].name, schools[i].id == chosen);
}

/* The school filter: 0 for none; false when answered (404 for a school not of the tenant). */
static bool meals_school(struct req *r, struct resp *w, struct db *db,
                         struct school_summary **schools, size_t *n, int64_t *school_id,
                         const char **school_name)
{
    *school_id = 0;
    *school_name = tr(r->lang, N_("All schools"));
    if (school_list(db, &r->arena, r->tenant.id, 0, schools, n) != 0) {
        page_error(r, w, 500);
        return false;
    }
    const char *s = req_field(r, "scuola");
    if (!s)
        return true;
    *school_id = field_row_id_parse(s);
    for (size_t i = 0; i < *n; i++)
        if ((*schools)[i].id == *school_id) {
            *school_name = (*schools)[i].name;
            return true;
        }
    page_error(r, w, 404);
    return false;
}

static struct tv *meals_page_new(struct req *r, const char *title, const char *parent_label,
                                 const char *parent_href)
{
    struct tv *d = page_new(r, title);
    page_crumb(r, d, N_("Back office"), meals_href(r, "/"));
    if (parent_label) {
        page_crumb(r, d, parent_label, parent_href);
        struct tv *crumbs = (struct tv *)tv_get(d, "breadcrumb");
        tv_set_str(tv_push_dict(crumbs), "label", tr(r->lang, title));
    } else {
        page_crumb(r, d, title, NULL);
    }
    office_nav(r, d, "meals");
    return d;
}

static void meals_count_row(struct req *r, struct tv *list, const struct meal_count *c,
                            const char *label, const char *href)
{
    struct tv *x = tv_push_dict(list);
    tv_set_str(x, "label", label);
    tv_set_str(x, "href", href);
    tv_set_str(x, "school", c->school_name);
    tv_set_str(x, "meals", meals_n(r, c->meals));
    tv_set_str(x, "plain", meals_n(r, c->plain));
    tv_set_str(x, "diets", meals_n(r, c->diets));
    tv_set_str(x, "removed", meals_n(r, c->removed));
    tv_set_str(x, "charged", meals_euro(r, c->charged_cents));
}

static void meals_total(struct req *r, struct tv *d, const char *key, const struct meal_count *rows,
                        size_t n)
{
    struct meal_count t = {0};
    for (size_t i = 0; i < n; i++) {
        t.meals += rows[i].meals;
        t.plain += rows[i].plain;
        t.diets += rows[i].diets;
        t.removed += rows[i].removed;
        t.charged_cents += rows[i].charged_cents;
    }
    struct tv *x = tv_set_dict(d, key);
    tv_set_str(x, "meals", meals_n(r, t.meals));
    tv_set_str(x, "plain", meals_n(r, t.plain));
    tv_set_str(x, "diets", meals_n(r, t.diets));
    tv_set_str(x, "removed", meals_n(r, t.removed));
    tv_set_str(x, "charged", meals_euro(r, t.charged_cents));
}

static const char *meals_school_query(struct req *r, int64_t school_id)
{
    return school_id ? arena_printf(&r->arena, "?scuola=%lld", (long long)school_id) : "";
}

/* ---- the counts ---------------------------------------------------------------------------- */

static void meals_list_show(struct req *r, struct resp *w, int status)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    struct school_summary *schools = NULL;
    size_t nschools = 0;
    int64_t school_id = 0;
    const char *school_name;
    if (!meals_school(r, w, db, &schools, &nschools, &school_id, &school_name))
        return;
    const char *month = req_field(r, "mese");
    if (!month)
        month = meals_this_month(r);
    struct meal_count *days = NULL, *months = NULL;
    size_t ndays = 0, nmonths = 0;
    int64_t year_id = 0;
    const char *year_label = "";
    const char *first = arena_printf(&r->arena, "%s-01", month);
    const char *last = arena_printf(&r->arena, "%s-31", month);
    int year = meal_school_year(db, &r->arena, r->tenant.id, first, last, &year_id, &year_label);
    if (year < 0 ||
        meal_counts_month(db, &r->arena, r->tenant.id, month, school_id, &days, &ndays) != 0 ||
        (year == 1 && meal_counts_year(db, &r->arena, r->tenant.id, year_id, school_id, &months,
                                       &nmonths) != 0)) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = meals_page_new(r, N_("Meals"), NULL, NULL);
    page_form_state(r, d);
    struct tv *values = (struct tv *)tv_get(d, "values");
    if (!r->has_errors)
        tv_set_str(values, "mese", month);
    if (r->has_errors)
        tv_set_str((struct tv *)tv_get(d, "errors"), "form",
                   tr(r->lang, N_("Check the fields marked below.")));
    tv_set_str(d, "form_action", meals_href(r, "/pasti"));
    tv_set_str(d, "open_action", meals_href(r, "/pasti/giorno"));
    tv_set_str(d, "find_action", meals_href(r, "/pasti/alunni"));
    meals_school_options(r, d, schools, nschools, school_id);
    tv_set_str(d, "month_label", field_month_label_ym(&r->arena, r->lang, month));
    tv_set_str(d, "school_name", school_name);
    if (school_id)
        tv_set_int(d, "school_id", school_id);
    const char *sq = school_id ? arena_printf(&r->arena, "&scuola=%lld", (long long)school_id) : "";
    const char *prev = meals_month_add(r, month, -1), *next = meals_month_add(r, month, 1);
    if (prev)
        tv_set_str(d, "prev_href",
                   arena_printf(&r->arena, "%s?mese=%s%s", meals_href(r, "/pasti"), prev, sq));
    if (next)
        tv_set_str(d, "next_href",
                   arena_printf(&r->arena, "%s?mese=%s%s", meals_href(r, "/pasti"), next, sq));
    struct tv *list = tv_set_list(d, "days");
    for (size_t i = 0; i < ndays; i++) {
        const struct meal_count *c = &days[i];
        meals_count_row(
            r, list, c, time_date_display(&r->arena, c->key),
            arena_printf(&r->arena, "%s%s",
                         meals_href(r, arena_printf(&r->arena, "/pasti/giorno/%s", c->key)),
                         meals_school_query(r, c->school_id)));
    }
    meals_total(r, d, "days_total", days, ndays);
    if (year == 1) {
        tv_set_str(d, "year_label", year_label);
        list = tv_set_list(d, "months");
        for (size_t i = 0; i < nmonths; i++) {
            const struct meal_count *c = &months[i];
            meals_count_row(
                r, list, c, field_month_label_ym(&r->arena, r->lang, c->key),
                arena_printf(&r->arena, "%s?mese=%s%s", meals_href(r, "/pasti"), c->key, sq));
        }
        meals_total(r, d, "months_total", months, nmonths);
    }
    tv_set_str(d, "kitchen_href", meals_href(r, "/cucina"));
    if (r->user.role & MEALS_WRITE_ROLES)
        tv_set_str(d, "settings_href", meals_href(r, "/impostazioni-pasti"));
    page_render(r, w, status, tmpl_office_meals, d);
}

static void meals_list(struct req *r, struct resp *w)
{
    meals_list_show(r, w, r->has_errors ? 422 : 200);
}

/* The "open a day" form: to the day's page, or the counts with the message. */
static void meals_open_day(struct req *r, struct resp *w)
{
    if (r->has_errors) {
        meals_list_show(r, w, 422);
        return;
    }
    const char *school = req_field(r, "scuola");
    resp_redirect(w, 303,
                  arena_printf(&r->arena, "%s%s%s",
                               meals_href(r, arena_printf(&r->arena, "/pasti/giorno/%s",
                                                          req_field(r, "giorno"))),
                               school ? "?scuola=" : "", school ? school : ""));
}

/* The "find a pupil" form: to the pupil's page, or the counts with the message. */
static void meals_find_pupil(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    struct meal_pupil p;
    int found = r->has_errors ? 0
                              : meal_pupil_find(db, &r->arena, r->tenant.id, 0,
                                                req_field(r, "codice_fiscale"), &p);
    if (found < 0) {
        page_error(r, w, 500);
        return;
    }
    if (found == 0) {
        if (!r->has_errors)
            req_set_field_error(r, "codice_fiscale",
                                N_("No pupil of the municipality has this codice fiscale."));
        meals_list_show(r, w, 422);
        return;
    }
    resp_redirect(w, 303,
                  meals_href(r, arena_printf(&r->arena, "/pasti/alunni/%lld", (long long)p.id)));
}

/* ---- a day --------------------------------------------------------------------------------- */

/* What a refused correction puts back on the page: the form it came from, its values and the
   messages. */
struct meals_fix_state {
    int64_t pupil_id; /* the row's form; 0 with add for the "add a meal" form */
    bool add;
    const char *form_error;   /* translated, above the form */
    const char *reason_error; /* translated */
    const char *cf_error;     /* translated */
};

static const struct {
    const char *token, *msgid;
} meals_fix_outcomes[] = {
    {"remove", N_("The meal was removed and its price given back to the family.")},
    {"add", N_("The meal was added and charged to the family.")},
    {"plain", N_("The meal is now a plain meal.")},
    {"unplain", N_("The meal is now a normal meal.")},
};

static const char *meals_status_label(const char *status)
{
    return !strcmp(status, "removed") ? N_("Removed") : N_("Served");
}

static void meals_day_row(struct req *r, struct tv *list, const struct meal_row *m, const char *day,
                          bool may_write, const struct meals_fix_state *st)
{
    struct tv *x = tv_push_dict(list);
    tv_set_int(x, "id", m->id);
    tv_set_int(x, "pupil_id", m->pupil_id);
    tv_set_str(x, "pupil", m->pupil_name);
    tv_set_str(x, "pupil_href",
               arena_printf(&r->arena, "%s?mese=%.7s",
                            meals_href(r, arena_printf(&r->arena, "/pasti/alunni/%lld",
                                                       (long long)m->pupil_id)),
                            day));
    tv_set_str(x, "school", m->school_name);
    tv_set_str(x, "class", *m->class_name ? m->class_name : tr(r->lang, N_("No class")));
    tv_set_str(x, "diet", m->diet_code);
    tv_set_bool(x, "plain", m->plain);
    tv_set_str(x, "price", meals_euro(r, m->price_cents));
    bool served = !strcmp(m->status, "served");
    tv_set_bool(x, "served", served);
    tv_set_str(x, "status", tr(r->lang, meals_status_label(m->status)));
    tv_set_str(x, "corrections", meals_n(r, m->corrections));
    if (!may_write)
        return;
    bool mine = st && !st->add && st->pupil_id == m->pupil_id;
    const char *chosen = mine ? req_field_raw(r, "azione") : NULL;
    struct tv *opts = tv_set_list(x, "actions");
    if (served) {
        meals_option(opts, "remove", tr(r->lang, N_("Remove (refund)")),
                     chosen && !strcmp(chosen, "remove"));
        if (m->plain)
            meals_option(opts, "unplain", tr(r->lang, N_("Normal meal")),
                         chosen && !strcmp(chosen, "unplain"));
        else
            meals_option(opts, "plain", tr(r->lang, N_("Plain meal")),
                         chosen && !strcmp(chosen, "plain"));
    } else {
        meals_option(opts, "add", tr(r->lang, N_("Serve again (charge)")), true);
    }
    if (mine) {
        tv_set_str(x, "reason_value", req_field_raw(r, "motivo"));
        tv_set_str(x, "reason_error", st->reason_error);
        tv_set_str(x, "row_error", st->form_error);
    }
}

static void meals_day_show(struct req *r, struct resp *w, int status,
                           const struct meals_fix_state *st)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *day = req_param(r, 0);
    long n;
    if (!day || strlen(day) != 10 || !school_calendar_parse_day(day, &n)) {
        page_error(r, w, 404);
        return;
    }
    struct school_summary *schools = NULL;
    size_t nschools = 0;
    int64_t school_id = 0;
    const char *school_name;
    if (!meals_school(r, w, db, &schools, &nschools, &school_id, &school_name))
        return;
    struct meal_row *rows = NULL;
    size_t nrows = 0;
    int frozen = cutoff_job_frozen(db, r->tenant.id, day);
    if (frozen < 0 ||
        meal_day_rows(db, &r->arena, r->tenant.id, day, school_id, &rows, &nrows) != 0) {
        page_error(r, w, 500);
        return;
    }
    const char *title = arena_printf(&r->arena, "%s %s", tr(r->lang, N_("Meals of")),
                                     time_date_display(&r->arena, day));
    struct tv *d =
        meals_page_new(r, N_("Meals of the day"), N_("Meals"),
                       arena_printf(&r->arena, "%s?mese=%.7s", meals_href(r, "/pasti"), day));
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_str(d, "page_title", title);
    tv_set_str(d, "title", title);
    tv_set_str(d, "day", day);
    tv_set_bool(d, "frozen", frozen == 1);
    tv_set_str(d, "cutoff", r->tenant.cutoff_time);
    tv_set_str(d, "school_name", school_name);
    if (school_id)
        tv_set_int(d, "school_id", school_id);
    tv_set_str(d, "form_action", meals_href(r, arena_printf(&r->arena, "/pasti/giorno/%s", day)));
    meals_school_options(r, d, schools, nschools, school_id);
    tv_set_str(
        d, "kitchen_href",
        arena_printf(&r->arena, "%s?giorno=%s%s%s", meals_href(r, "/cucina"), day,
                     school_id ? "&scuola=" : "",
                     school_id ? arena_printf(&r->arena, "%lld", (long long)school_id) : ""));
    const char *t = req_query(r, "esito");
    for (size_t i = 0; t && i < sizeof(meals_fix_outcomes) / sizeof(meals_fix_outcomes[0]); i++)
        if (!strcmp(t, meals_fix_outcomes[i].token))
            tv_set_str(d, "outcome", tr(r->lang, meals_fix_outcomes[i].msgid));
    bool may_write = (r->user.role & MEALS_WRITE_ROLES) && frozen == 1;
    tv_set_bool(d, "may_write", may_write);
    tv_set_str(d, "fix_action",
               meals_href(r, arena_printf(&r->arena, "/pasti/giorno/%s/correzioni", day)));
    tv_set_int(d, "reason_max", MEAL_REASON_MAX);
    tv_set_int(d, "count", (long long)nrows);
    long served = 0;
    bool matched = false;
    struct tv *list = tv_set_list(d, "rows");
    for (size_t i = 0; i < nrows; i++) {
        if (!strcmp(rows[i].status, "served"))
            served++;
        if (i < MEALS_DAY_ROWS_SHOWN) {
            meals_day_row(r, list, &rows[i], day, may_write, st);
            matched |= st && !st->add && st->pupil_id == rows[i].pupil_id;
        }
    }
    /* A refused correction whose row is not on the page (another school, not frozen): the
       message goes above the table. */
    if (st && !st->add && !matched)
        tv_set_str(d, "form_error", st->form_error);
    tv_set_int(d, "served", served);
    tv_set_bool(d, "cut", nrows > MEALS_DAY_ROWS_SHOWN);
    tv_set_int(d, "shown", MEALS_DAY_ROWS_SHOWN);
    if (st && st->add) {
        struct tv *a = tv_set_dict(d, "add");
        tv_set_str(a, "cf_value", req_field_raw(r, "codice_fiscale"));
        tv_set_str(a, "cf_error", st->cf_error);
        tv_set_str(a, "reason_value", req_field_raw(r, "motivo"));
        tv_set_str(a, "reason_error", st->reason_error);
        tv_set_str(a, "form_error", st->form_error);
    }
    page_render(r, w, status, tmpl_office_meal_day, d);
}

static void meals_day(struct req *r, struct resp *w)
{
    meals_day_show(r, w, r->has_errors ? 422 : 200, NULL);
}

/* The message of a correction that changed nothing, by what was asked. */
static const char *meals_no_change(enum meal_fix f)
{
    switch (f) {
    case MEAL_FIX_REMOVE:
        return N_("This meal was already removed: nothing changed.");
    case MEAL_FIX_ADD:
        return N_("The pupil already has a meal on this day: nothing changed.");
    case MEAL_FIX_PLAIN:
        return N_("This meal is already a plain meal: nothing changed.");
    case MEAL_FIX_UNPLAIN:
        return N_("This meal is already a normal meal: nothing changed.");
    }
    return N_("The meal is already so: nothing changed.");
}

static void meals_fix(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *day = req_param(r, 0);
    long n;
    if (!day || strlen(day) != 10 || !school_calendar_parse_day(day, &n)) {
        page_error(r, w, 404);
        return;
    }
    struct meals_fix_state st = {0};
    st.pupil_id = field_row_id_parse(req_field_raw(r, "alunno"));
    st.add = st.pupil_id == 0;
    if (r->has_errors) {
        const char *e = req_field_error(r, "motivo");
        st.reason_error = e ? tr(r->lang, e) : NULL;
        e = req_field_error(r, "codice_fiscale");
        st.cf_error = e ? tr(r->lang, e) : NULL;
        st.form_error = tr(r->lang, N_("Check the fields marked below."));
        meals_day_show(r, w, 422, &st);
        return;
    }
    enum meal_fix fix = MEAL_FIX_REMOVE;
    meal_fix_parse(req_field(r, "azione"), &fix);
    int64_t pupil_id = st.pupil_id;
    if (st.add) {
        const char *cf = req_field(r, "codice_fiscale");
        struct meal_pupil p;
        int found = cf ? meal_pupil_find(db, &r->arena, r->tenant.id, 0, cf, &p) : 0;
        if (found < 0) {
            page_error(r, w, 500);
            return;
        }
        if (found == 0 || fix != MEAL_FIX_ADD) {
            st.cf_error = tr(r->lang, cf ? N_("No pupil of the municipality has this codice "
                                              "fiscale.")
                                         : N_("Enter the pupil's codice fiscale: 16 letters and "
                                              "digits."));
            st.form_error = tr(r->lang, N_("Check the fields marked below."));
            meals_day_show(r, w, 422, &st);
            return;
        }
        pupil_id = p.id;
    }
    enum meal_err e = meal_correct(db, r->tenant.id, pupil_id, day, fix, req_field(r, "motivo"),
                                   r->user.email, NULL);
    int status = 409;
    switch (e) {
    case MEAL_OK: {
        const char *school = req_field(r, "scuola");
        resp_redirect(w, 303,
                      arena_printf(&r->arena, "%s?esito=%s%s%s",
                                   meals_href(r, arena_printf(&r->arena, "/pasti/giorno/%s", day)),
                                   meal_fix_name(fix), school ? "&scuola=" : "",
                                   school ? school : ""));
        return;
    }
    case MEAL_BAD_REASON:
        st.reason_error = tr(r->lang, meal_strerror(e));
        status = 422;
        break;
    case MEAL_NOT_ENROLLED:
        if (st.add)
            st.cf_error = tr(r->lang, meal_strerror(e));
        status = 422;
        break;
    case MEAL_NO_CHANGE:
        st.form_error = tr(r->lang, meals_no_change(fix));
        break;
    case MEAL_NOT_FOUND:
        if (!st.add && meal_pupil_find(db, &r->arena, r->tenant.id, pupil_id, NULL,
                                       &(struct meal_pupil){0}) == 0) {
            page_error(r, w, 404);
            return;
        }
        st.form_error = tr(r->lang, meal_strerror(e));
        break;
    case MEAL_NOT_FROZEN:
        st.form_error = tr(r->lang, meal_strerror(e));
        break;
    case MEAL_BAD_DATE:
        page_error(r, w, 404);
        return;
    case MEAL_DB:
        page_error(r, w, 500);
        return;
    }
    if (!st.form_error)
        st.form_error = tr(r->lang, N_("Check the fields marked below."));
    meals_day_show(r, w, status, &st);
}

/* ---- a pupil's month ----------------------------------------------------------------------- */

static const struct {
    const char *token, *msgid;
} meals_pupil_outcomes[] = {
    {"disdetta", N_("The cancellation was recorded.")},
    {"ripristino", N_("The cancellation was undone: the pupil is booked again.")},
    {"rimosso", N_("The day was already frozen: the meal was removed and its price given back "
                   "to the family.")},
    {"aggiunto", N_("The day was already frozen: the meal was added and charged to the "
                    "family.")},
};

static const char *meals_day_state(enum booking_day_state s)
{
    switch (s) {
    case BOOKING_DAY_NO_SERVICE:
        return N_("No service");
    case BOOKING_DAY_BOOKED:
        return N_("Booked");
    case BOOKING_DAY_CANCELLED:
        return N_("Cancelled");
    case BOOKING_DAY_PLAIN:
        return N_("Plain meal");
    case BOOKING_DAY_EATEN:
        return N_("Eaten");
    case BOOKING_DAY_NOT_EATEN:
        return N_("Not eaten");
    }
    return N_("No service");
}

/* A receipt number as booking gives them ("2026-0000123"), for the outcome line. */
static bool meals_receipt_valid(const char *s)
{
    return s && strlen(s) == 12 && s[4] == '-' && strspn(s, "0123456789") == 4 &&
           strspn(s + 5, "0123456789") == 7;
}

static void meals_pupil_show(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    int64_t pid = field_row_id_parse(req_param(r, 0));
    struct meal_pupil p;
    int found = pid ? meal_pupil_find(db, &r->arena, r->tenant.id, pid, NULL, &p) : 0;
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    const char *month = r->method == HTTP_GET ? req_field(r, "mese") : NULL;
    if (!month && r->method == HTTP_POST && req_field(r, "giorno"))
        month = arena_strndup(&r->arena, req_field(r, "giorno"), 7);
    if (!month)
        month = meals_this_month(r);
    struct booking_month bm;
    int ok = booking_month(db, &r->arena, r->tenant.id, p.guardian_id, p.id, atoi(month),
                           atoi(month + 5), &bm);
    if (ok != 1) {
        page_error(r, w, ok == 0 ? 404 : 500);
        return;
    }
    const char *name = arena_printf(&r->arena, "%s %s", p.name, p.surname);
    struct tv *d =
        meals_page_new(r, N_("Pupil's meals"), N_("Meals"),
                       arena_printf(&r->arena, "%s?mese=%s", meals_href(r, "/pasti"), month));
    if (!page_form_begin(r, w, d, form_error))
        return;
    const char *title = arena_printf(&r->arena, "%s: %s", tr(r->lang, N_("Meals")), name);
    tv_set_str(d, "page_title", title);
    tv_set_str(d, "title", title);
    tv_set_str(d, "fiscal_code", p.fiscal_code);
    tv_set_str(d, "month_label", field_month_label_ym(&r->arena, r->lang, month));
    tv_set_str(
        d, "account_href",
        meals_href(r, arena_printf(&r->arena, "/famiglie/%lld/conto", (long long)p.guardian_id)));
    const char *base = meals_href(r, arena_printf(&r->arena, "/pasti/alunni/%lld", (long long)pid));
    const char *prev = meals_month_add(r, month, -1), *next = meals_month_add(r, month, 1);
    if (prev)
        tv_set_str(d, "prev_href", arena_printf(&r->arena, "%s?mese=%s", base, prev));
    if (next)
        tv_set_str(d, "next_href", arena_printf(&r->arena, "%s?mese=%s", base, next));
    const char *t = req_query(r, "esito");
    for (size_t i = 0; t && i < sizeof(meals_pupil_outcomes) / sizeof(meals_pupil_outcomes[0]); i++)
        if (!strcmp(t, meals_pupil_outcomes[i].token)) {
            tv_set_str(d, "outcome", tr(r->lang, meals_pupil_outcomes[i].msgid));
            const char *receipt = req_query(r, "ricevuta");
            if (meals_receipt_valid(receipt))
                tv_set_str(d, "receipt", receipt);
        }
    tv_set_bool(d, "enrolled", bm.enrolled);
    tv_set_str(d, "booked", meals_n(r, bm.booked));
    tv_set_str(d, "cancelled", meals_n(r, bm.cancelled));
    tv_set_str(d, "plain", meals_n(r, bm.plain));
    tv_set_str(d, "eaten", meals_n(r, bm.eaten));
    tv_set_str(d, "charged", meals_euro(r, bm.charged_cents));
    struct tv *list = tv_set_list(d, "days");
    for (int i = 0; i < bm.ndays && i < SCHOOL_CALENDAR_MONTH_MAX; i++) {
        const struct booking_day *bd = &bm.days[i];
        struct tv *x = tv_push_dict(list);
        char ymd[SCHOOL_CALENDAR_DAY_SIZE];
        school_calendar_format_day(bd->day, ymd);
        tv_set_str(x, "date", time_date_display(&r->arena, ymd));
        tv_set_str(x, "state", tr(r->lang, meals_day_state(bd->state)));
        tv_set_bool(x, "service", bd->state != BOOKING_DAY_NO_SERVICE);
        tv_set_bool(x, "eaten", bd->state == BOOKING_DAY_EATEN);
        tv_set_bool(x, "plain", bd->state == BOOKING_DAY_EATEN && bd->plain);
        if (bd->state == BOOKING_DAY_EATEN)
            tv_set_str(x, "charged", meals_euro(r, bd->charged_cents));
        tv_set_str(x, "receipt", bd->receipt);
        tv_set_str(x, "day_href", meals_href(r, arena_printf(&r->arena, "/pasti/giorno/%s", ymd)));
    }
    bool may_write = (r->user.role & MEALS_WRITE_ROLES) != 0;
    tv_set_bool(d, "may_write", may_write);
    if (may_write) {
        tv_set_str(d, "change_action", arena_printf(&r->arena, "%s/disdette", base));
        unsigned char raw[16];
        randombytes_buf(raw, sizeof(raw));
        char key[33];
        sodium_bin2hex(key, sizeof(key), raw, sizeof(raw));
        tv_set_str(d, "request_key", key);
        const char *chosen = req_field_raw(r, "azione");
        struct tv *opts = tv_set_list(d, "change_options");
        meals_option(opts, "cancel", tr(r->lang, N_("Record a cancellation")),
                     !chosen || !strcmp(chosen, "cancel"));
        meals_option(opts, "restore", tr(r->lang, N_("Undo a cancellation")),
                     chosen && !strcmp(chosen, "restore"));
        tv_set_int(d, "reason_max", MEAL_REASON_MAX);
    }
    page_render(r, w, status, tmpl_office_meal_pupil, d);
}

static void meals_pupil(struct req *r, struct resp *w)
{
    meals_pupil_show(r, w, r->has_errors ? 422 : 200, NULL);
}

static void meals_pupil_done(struct req *r, struct resp *w, int64_t pid, const char *day,
                             const char *outcome, const char *receipt)
{
    resp_redirect(
        w, 303,
        arena_printf(&r->arena, "%s?mese=%.7s&esito=%s%s%s",
                     meals_href(r, arena_printf(&r->arena, "/pasti/alunni/%lld", (long long)pid)),
                     day, outcome, receipt ? "&ricevuta=" : "", receipt ? receipt : ""));
}

/* The change on a frozen day: a correction. */
static void meals_pupil_correct(struct req *r, struct resp *w, struct db *db,
                                const struct meal_pupil *p, const char *day, bool cancel)
{
    enum meal_fix fix = cancel ? MEAL_FIX_REMOVE : MEAL_FIX_ADD;
    enum meal_err e = meal_correct(db, r->tenant.id, p->id, day, fix, req_field(r, "motivo"),
                                   r->user.email, NULL);
    switch (e) {
    case MEAL_OK:
        meals_pupil_done(r, w, p->id, day, cancel ? "rimosso" : "aggiunto", NULL);
        return;
    case MEAL_BAD_REASON:
        req_set_field_error(r, "motivo", meal_strerror(e));
        meals_pupil_show(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    case MEAL_NOT_ENROLLED:
    case MEAL_BAD_DATE:
        req_set_field_error(r, "giorno", meal_strerror(e));
        meals_pupil_show(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    case MEAL_NO_CHANGE:
        meals_pupil_show(r, w, 409,
                         tr(r->lang, cancel ? N_("The pupil had no meal on this day, or it was "
                                                 "already removed: nothing changed.")
                                            : meals_no_change(MEAL_FIX_ADD)));
        return;
    case MEAL_NOT_FOUND:
    case MEAL_NOT_FROZEN:
        meals_pupil_show(r, w, 409, tr(r->lang, meal_strerror(e)));
        return;
    case MEAL_DB:
        break;
    }
    page_error(r, w, 500);
}

static void meals_pupil_change(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    int64_t pid = field_row_id_parse(req_param(r, 0));
    struct meal_pupil p;
    int found = pid ? meal_pupil_find(db, &r->arena, r->tenant.id, pid, NULL, &p) : 0;
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    if (r->has_errors) {
        meals_pupil_show(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    }
    const char *day = req_field(r, "giorno");
    bool cancel = !strcmp(req_field(r, "azione"), "cancel");
    int frozen = cutoff_job_frozen(db, r->tenant.id, day);
    if (frozen < 0) {
        page_error(r, w, 500);
        return;
    }
    if (frozen == 1) {
        meals_pupil_correct(r, w, db, &p, day, cancel);
        return;
    }
    struct booking_input in = {.tenant_id = r->tenant.id,
                               .guardian_id = p.guardian_id,
                               .pupil_id = p.id,
                               .action = cancel ? BOOKING_CANCEL : BOOKING_RESTORE,
                               .from = day,
                               .to = NULL,
                               .request_key = req_field(r, "chiave"),
                               .staff = true,
                               .actor_label = r->user.email,
                               .reason = req_field(r, "motivo"),
                               .mail_receipt = false};
    struct booking_result res;
    enum booking_err e = booking_apply(db, &in, &res);
    switch (e) {
    case BOOKING_OK:
        meals_pupil_done(r, w, p.id, day, cancel ? "disdetta" : "ripristino", res.receipt);
        return;
    case BOOKING_FROZEN: /* frozen meanwhile */
        meals_pupil_correct(r, w, db, &p, day, cancel);
        return;
    case BOOKING_NOT_FOUND:
        page_error(r, w, 404);
        return;
    case BOOKING_DB:
        page_error(r, w, 500);
        return;
    case BOOKING_REASON_REQUIRED:
        req_set_field_error(r, "motivo", booking_strerror(e));
        break;
    case BOOKING_BAD_KEY:
        meals_pupil_show(r, w, 422, tr(r->lang, booking_strerror(e)));
        return;
    case BOOKING_NOT_ENROLLED:
        req_set_field_error(r, "giorno", meal_strerror(MEAL_NOT_ENROLLED));
        break;
    default:
        req_set_field_error(r, "giorno", booking_strerror(e));
        break;
    }
    meals_pupil_show(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
}
