/*
 * The office's school calendars (administrators and the school services office change them;
 * the caterer's operator reads them): per school year, the list of schools with their days of
 * service; per school, a month view of the year (service, national holidays, weekdays without
 * service, the office's exceptions for the school or a class, days outside the service), the
 * form for the first and last day of service and the weekdays, the form that adds an exception
 * (local holiday, closure, strike, trip; for the whole school or one class), the exceptions
 * with a button each to delete them, and the form that copies the calendar to other schools.
 * The rules, the frozen days among them, are services/calendar.h's. Owns calendar_routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/school_calendar.h"
#include "services/calendar.h"
#include "store/store.h"
#include "templates.h"
#include "util/text.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define CALENDAR_WRITE_ROLES (ROLE_ADMIN | ROLE_UFFICIO)
#define CALENDAR_READ_ROLES  (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)
#define CALENDAR_TZ          "Europe/Rome"

/* ---- fields ------------------------------------------------------------------------------- */

/* A weekday box of the service form: ISO 1 (Monday) .. 6 (Saturday). */
static const char *field_calendar_weekday(struct arena *a, const char *in, const char **out)
{
    if (in[0] < '1' || in[0] > '6' || in[1])
        return N_("Choose among the days listed.");
    *out = in;
    return NULL;
}

static const char *field_calendar_kind(struct arena *a, const char *in, const char **out)
{
    enum school_calendar_kind k;
    if (!school_calendar_kind_parse(in, &k))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const struct field_spec calendar_service_fields[] = {
    {"first_day", field_day, 10, true},
    {"last_day", field_day, 10, true},
    {"weekday[]", field_calendar_weekday, 1, false},
};

static const struct field_spec calendar_exception_fields[] = {
    {"from_day", field_day, 10, true},
    {"to_day", field_day, 10, false},
    {"kind", field_calendar_kind, 16, true},
    {"class_id", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"note", field_text, CALENDAR_NOTE_MAX, false},
};

static const struct field_spec calendar_copy_fields[] = {
    {"school[]", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static void office_calendar_list(struct req *r, struct resp *w);
static void office_calendar_school(struct req *r, struct resp *w);
static void office_calendar_service(struct req *r, struct resp *w);
static void office_calendar_exception_add(struct req *r, struct resp *w);
static void office_calendar_exception_delete(struct req *r, struct resp *w);
static void office_calendar_copy(struct req *r, struct resp *w);

const struct route calendar_routes[] = {
    {HTTP_GET, "/ufficio/calendari", CALENDAR_READ_ROLES, NULL, 0, office_calendar_list, 0},
    {HTTP_GET, "/ufficio/calendari/{school}/{year}", CALENDAR_READ_ROLES, NULL, 0,
     office_calendar_school, 0},
    {HTTP_POST, "/ufficio/calendari/{school}/{year}/servizio", CALENDAR_WRITE_ROLES,
     ROUTE_FIELDS(calendar_service_fields), office_calendar_service, 0},
    {HTTP_POST, "/ufficio/calendari/{school}/{year}/eccezioni", CALENDAR_WRITE_ROLES,
     ROUTE_FIELDS(calendar_exception_fields), office_calendar_exception_add, 0},
    {HTTP_POST, "/ufficio/calendari/{school}/{year}/eccezioni/{id}/elimina", CALENDAR_WRITE_ROLES,
     NULL, 0, office_calendar_exception_delete, 0},
    {HTTP_POST, "/ufficio/calendari/{school}/{year}/copia", CALENDAR_WRITE_ROLES,
     ROUTE_FIELDS(calendar_copy_fields), office_calendar_copy, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *const calendar_weekday_names[] = {
    N_("Monday"), N_("Tuesday"),  N_("Wednesday"), N_("Thursday"),
    N_("Friday"), N_("Saturday"), N_("Sunday"),
};

static const char *calendar_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio/calendari%s", r->tenant.slug, path);
}

static const char *calendar_school_href(struct req *r, int64_t school_id, int64_t year_id,
                                        const char *suffix)
{
    return calendar_href(r, arena_printf(&r->arena, "/%lld/%lld%s", (long long)school_id,
                                         (long long)year_id, suffix));
}

static const char *calendar_day_text(struct req *r, const char *ymd)
{
    return time_date_display(&r->arena, ymd);
}

/* The weekdays served as people read them: runs of three days or more as "Monday to Friday",
   the others one by one ("Monday, Wednesday, Friday"). */
static const char *calendar_weekdays_text(struct req *r, const char *weekdays)
{
    const char *out = "";
    size_t n = strlen(weekdays);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && weekdays[j + 1] == weekdays[j] + 1)
            j++;
        const char *first = tr(r->lang, calendar_weekday_names[weekdays[i] - '1']);
        const char *piece;
        if (j - i >= 2) {
            piece = page_tr(r, N_("{first} to {last}"), "first", first, "last",
                            tr(r->lang, calendar_weekday_names[weekdays[j] - '1']), NULL);
            i = j + 1;
        } else {
            piece = first;
            i++;
        }
        out = *out ? arena_printf(&r->arena, "%s, %s", out, piece) : piece;
    }
    return out;
}

static const char *calendar_kind_label(enum school_calendar_kind kind)
{
    return school_calendar_reason_text(
        (enum school_calendar_reason)(SCHOOL_CALENDAR_HOLIDAY + (int)kind));
}

static void calendar_crumbs(struct req *r, struct tv *d, const char *school_name, int64_t year_id)
{
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Calendars"),
               school_name
                   ? calendar_href(r, arena_printf(&r->arena, "?anno=%lld", (long long)year_id))
                   : NULL);
    /* A school's name is not a msgid: page_crumb looks it up and finds nothing, which is fine. */
    if (school_name)
        page_crumb(r, d, school_name, NULL);
    office_nav(r, d, "calendars");
}

/* ---- the list ----------------------------------------------------------------------------- */

static void office_calendar_list(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct calendar_year *years;
    size_t nyears;
    if (!db || calendar_years(db, &r->arena, r->tenant.id, &years, &nyears) != 0) {
        page_error(r, w, 500);
        return;
    }
    /* The year asked for, else the one in progress today, else the next one to start. */
    int64_t year_id = field_row_id_parse(req_query(r, "anno"));
    const struct calendar_year *year = NULL;
    for (size_t i = 0; i < nyears; i++)
        if (years[i].id == year_id)
            year = &years[i];
    if (!year) {
        const char *label;
        int found = school_year_current(db, &r->arena, r->tenant.id, &year_id, &label);
        if (found < 0) {
            page_error(r, w, 500);
            return;
        }
        for (size_t i = 0; found == 1 && i < nyears; i++)
            if (years[i].id == year_id)
                year = &years[i];
        if (!year && nyears)
            year = &years[nyears - 1];
    }
    struct tv *d = page_new(r, N_("Calendars"));
    calendar_crumbs(r, d, NULL, 0);
    tv_set_str(d, "form_action", calendar_href(r, ""));
    struct tv *opts = tv_set_list(d, "years");
    for (size_t i = 0; i < nyears; i++) {
        struct tv *o = tv_push_dict(opts);
        tv_set_int(o, "id", years[i].id);
        tv_set_str(o, "label", years[i].label);
        tv_set_bool(o, "selected", &years[i] == year);
    }
    if (year) {
        struct calendar_summary *sums;
        size_t n;
        if (calendar_summaries(db, &r->arena, r->tenant.id, year->id, &sums, &n) != 0) {
            page_error(r, w, 500);
            return;
        }
        tv_set_str(d, "year_label", year->label);
        tv_set_str(d, "year_starts", calendar_day_text(r, year->starts_on));
        tv_set_str(d, "year_ends", calendar_day_text(r, year->ends_on));
        struct tv *rows = tv_set_list(d, "schools");
        for (size_t i = 0; i < n; i++) {
            struct tv *row = tv_push_dict(rows);
            tv_set_str(row, "name", sums[i].school_name);
            tv_set_str(row, "kind_label",
                       tr(r->lang, school_kind_label((enum school_kind)sums[i].school_kind)));
            tv_set_str(row, "href", calendar_school_href(r, sums[i].school_id, year->id, ""));
            tv_set_str(row, "first_day", calendar_day_text(r, sums[i].first_day));
            tv_set_str(row, "last_day", calendar_day_text(r, sums[i].last_day));
            tv_set_str(row, "weekdays", calendar_weekdays_text(r, sums[i].weekdays));
            tv_set_bool(row, "stored", sums[i].stored);
            tv_set_int(row, "exceptions", (long long)sums[i].nexceptions);
            tv_set_int(row, "service_days", sums[i].service_days);
        }
    }
    page_render(r, w, 200, tmpl_office_calendar_list, d);
}

/* ---- one school --------------------------------------------------------------------------- */

/* What a school's page is about, from the path. */
struct calendar_ctx {
    struct calendar_year year;
    struct calendar cal;
    const char *school_name;
    struct school_summary *schools; /* every school of the tenant, for the copy form */
    size_t nschools;
    struct calendar_class *classes;
    size_t nclasses;
};

/* The {school} and {year} of the path: 1 loaded, 0 not the tenant's (404 answered), -1 error
   (500 answered). */
static int calendar_ctx_load(struct req *r, struct resp *w, struct calendar_ctx *c)
{
    struct db *db = store_db();
    int64_t school_id = field_row_id_parse(req_param(r, 0));
    int64_t year_id = field_row_id_parse(req_param(r, 1));
    memset(c, 0, sizeof(*c));
    int found = !db ? -1 : school_id && year_id ? 1 : 0;
    if (found == 1)
        found = calendar_year_find(db, &r->arena, r->tenant.id, year_id, &c->year);
    if (found == 1)
        found = calendar_load(db, &r->arena, r->tenant.id, school_id, year_id, &c->cal);
    if (found == 1 &&
        (school_list(db, &r->arena, r->tenant.id, year_id, &c->schools, &c->nschools) != 0 ||
         calendar_classes(db, &r->arena, r->tenant.id, school_id, year_id, &c->classes,
                          &c->nclasses) != 0))
        found = -1;
    for (size_t i = 0; found == 1 && i < c->nschools; i++)
        if (c->schools[i].id == school_id)
            c->school_name = c->schools[i].name;
    if (found == 1 && !c->school_name)
        found = 0;
    if (found <= 0)
        page_error(r, w, found == 0 ? 404 : 500);
    return found;
}

/* Which form of the page the request filled in (its typed values and errors are shown). */
enum calendar_form {
    CALENDAR_FORM_NONE,
    CALENDAR_FORM_SERVICE,
    CALENDAR_FORM_EXCEPTION,
    CALENDAR_FORM_COPY
};

/* The months the page may show: from the school year's first month (or the calendar's, if
   earlier) to its last. As year * 12 + month - 1. */
static void calendar_month_span(const struct calendar_ctx *c, int *lo, int *hi)
{
    long first, last;
    if (!school_calendar_parse_day(c->year.starts_on, &first) || c->cal.cal.first_day < first)
        first = c->cal.cal.first_day;
    if (!school_calendar_parse_day(c->year.ends_on, &last) || c->cal.cal.last_day > last)
        last = c->cal.cal.last_day;
    int y, m, d;
    school_calendar_ymd(first, &y, &m, &d);
    *lo = y * 12 + m - 1;
    school_calendar_ymd(last, &y, &m, &d);
    *hi = y * 12 + m - 1;
}

/* The month to show: ?mese=YYYY-MM when it lies in the span, else this month when it does,
   else the span's first. */
static int calendar_month_chosen(struct req *r, int lo, int hi)
{
    const char *q = req_query(r, "mese");
    int y, m, d;
    if (q && strlen(q) == 7 && time_parse_date(arena_printf(&r->arena, "%s-01", q), &y, &m, &d)) {
        int k = y * 12 + m - 1;
        if (k >= lo && k <= hi)
            return k;
    }
    char today[TIME_LOCAL_DATE_MAX];
    time_today(CALENDAR_TZ, today);
    if (time_parse_date(today, &y, &m, &d) && y * 12 + m - 1 >= lo && y * 12 + m - 1 <= hi)
        return y * 12 + m - 1;
    return lo;
}

static const char *calendar_month_href(struct req *r, const struct calendar_ctx *c, int k)
{
    return calendar_school_href(r, c->cal.school_id, c->year.id,
                                arena_printf(&r->arena, "?mese=%04d-%02d", k / 12, k % 12 + 1));
}

static const char *calendar_month_label(struct req *r, int k)
{
    return field_month_label(&r->arena, r->lang, k / 12, k % 12 + 1);
}

/* "Class 4A: School trip (Uscita didattica al museo)". */
static const char *calendar_exception_line(struct req *r, const struct calendar_exception_row *x,
                                           enum school_calendar_kind kind, bool with_class)
{
    const char *what = tr(r->lang, calendar_kind_label(kind));
    if (*x->note)
        what = arena_printf(&r->arena, "%s (%s)", what, x->note);
    if (with_class)
        what = page_tr(r, N_("Class {class}: {what}"), "class", x->class_name, "what", what, NULL);
    return what;
}

/* One cell of the month grid. */
static void calendar_cell(struct req *r, struct tv *cell, const struct calendar *cal, long day)
{
    int y, m, dd;
    school_calendar_ymd(day, &y, &m, &dd);
    tv_set_int(cell, "day", dd);
    enum school_calendar_reason why;
    school_calendar_has_service(&cal->cal, day, 0, NULL, &why);
    const char *css = "rf-cal-day";
    const char *state = tr(r->lang, school_calendar_reason_text(why));
    struct tv *details = tv_set_list(cell, "details");
    switch (why) {
    case SCHOOL_CALENDAR_SERVICE:
        css = "rf-cal-day table-success";
        break;
    case SCHOOL_CALENDAR_NATIONAL_HOLIDAY: {
        const char *name = NULL;
        school_calendar_national_holiday(day, &name);
        css = "rf-cal-day table-danger";
        if (name)
            tv_push_str(details, tr(r->lang, name));
        break;
    }
    case SCHOOL_CALENDAR_SCHOOL_WEEKDAY:
        css = "rf-cal-day table-secondary";
        break;
    case SCHOOL_CALENDAR_HOLIDAY:
    case SCHOOL_CALENDAR_CLOSED:
    case SCHOOL_CALENDAR_STRIKE_DAY:
    case SCHOOL_CALENDAR_TRIP_DAY: {
        /* The whole-school exception that wins (the kind of the reason), with its note. */
        css = "rf-cal-day table-warning";
        enum school_calendar_kind kind = (enum school_calendar_kind)(why - SCHOOL_CALENDAR_HOLIDAY);
        for (size_t i = 0; i < cal->nrows; i++) {
            const struct school_calendar_exception *x = &cal->cal.exceptions[i];
            if (x->class_id == 0 && x->kind == kind && day >= x->from && day <= x->to) {
                if (*cal->rows[i].note)
                    tv_push_str(details, cal->rows[i].note);
                break;
            }
        }
        break;
    }
    default:
        break;
    }
    tv_set_str(cell, "css", css);
    tv_set_str(cell, "state", state);
    if (why != SCHOOL_CALENDAR_SERVICE)
        return;
    /* A day the school serves: the classes that are away or without service. */
    for (size_t i = 0; i < cal->nrows; i++) {
        const struct school_calendar_exception *x = &cal->cal.exceptions[i];
        if (x->class_id != 0 && day >= x->from && day <= x->to)
            tv_push_str(details, calendar_exception_line(r, &cal->rows[i], x->kind, true));
    }
}

static void calendar_month_data(struct req *r, struct tv *d, const struct calendar_ctx *c)
{
    int lo, hi;
    calendar_month_span(c, &lo, &hi);
    int k = calendar_month_chosen(r, lo, hi);
    int y = k / 12, m = k % 12 + 1;
    tv_set_str(d, "month_label", calendar_month_label(r, k));
    if (k > lo) {
        tv_set_str(d, "prev_href", calendar_month_href(r, c, k - 1));
        tv_set_str(d, "prev_label", calendar_month_label(r, k - 1));
    }
    if (k < hi) {
        tv_set_str(d, "next_href", calendar_month_href(r, c, k + 1));
        tv_set_str(d, "next_label", calendar_month_label(r, k + 1));
    }
    struct tv *heads = tv_set_list(d, "weekday_heads");
    for (int i = 0; i < 7; i++)
        tv_push_str(heads, tr(r->lang, calendar_weekday_names[i]));
    long first = school_calendar_day(y, m, 1);
    int ndays = school_calendar_month_length(y, m);
    int lead = school_calendar_weekday(first) - 1;
    struct tv *weeks = tv_set_list(d, "weeks");
    struct tv *cells = NULL;
    for (int slot = 0; slot < lead + ndays || slot % 7; slot++) {
        if (slot % 7 == 0)
            cells = tv_set_list(tv_push_dict(weeks), "cells");
        struct tv *cell = tv_push_dict(cells);
        if (slot < lead || slot >= lead + ndays)
            tv_set_bool(cell, "blank", true);
        else
            calendar_cell(r, cell, &c->cal, first + slot - lead);
    }
    struct tv *legend = tv_set_list(d, "legend");
    static const struct {
        const char *css, *label;
    } items[] = {
        {"table-success", N_("Meal service")},
        {"table-danger", N_("National holiday")},
        {"table-warning",
         N_("No service for the whole school: local holiday, closure, strike or trip")},
        {"table-secondary", N_("No service on this weekday")},
        {"", N_("Outside the days of service")},
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        struct tv *it = tv_push_dict(legend);
        tv_set_str(it, "css", *items[i].css ? items[i].css : "rf-cal-key");
        tv_set_str(it, "label", tr(r->lang, items[i].label));
    }
}

/* The outcome shown after a redirect (?esito=...): a fixed table, so nothing typed is echoed;
   the copy's counts are read as numbers. */
static void calendar_outcome(struct req *r, struct tv *d)
{
    static const struct {
        const char *token, *msgid;
    } outcomes[] = {
        {"servizio", N_("The days of service were saved.")},
        {"aggiunta", N_("The calendar entry was added.")},
        {"eliminata", N_("The calendar entry was deleted.")},
    };
    const char *t = req_query(r, "esito");
    if (!t)
        return;
    for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
        if (!strcmp(t, outcomes[i].token))
            tv_set_str(tv_set_dict(d, "outcome"), "message", tr(r->lang, outcomes[i].msgid));
    if (strcmp(t, "copiato"))
        return;
    const char *schools = req_query(r, "scuole"), *skipped = req_query(r, "saltate");
    if (!str_digits(schools, 1, 4) || !str_digits(skipped, 1, 4))
        return;
    struct tv *o = tv_set_dict(d, "outcome");
    tv_set_str(o, "message",
               page_tr(r, N_("The calendar was copied to {count} schools."), "count",
                       arena_printf(&r->arena, "%d", atoi(schools)), NULL));
    if (atoi(skipped) > 0)
        tv_set_str(o, "detail",
                   page_tr(r,
                           N_("{count} entries for single classes were not copied, because "
                              "classes differ between schools: add them to the other schools "
                              "by hand."),
                           "count", arena_printf(&r->arena, "%d", atoi(skipped)), NULL));
}

/* The value a form input shows: what was typed when this request filled that form in, else
   the stored one. */
static const char *calendar_value(struct req *r, bool typed, const char *name, const char *stored)
{
    if (!typed)
        return stored;
    const char *v = req_field_raw(r, name);
    return v ? v : "";
}

static void calendar_service_form(struct req *r, struct tv *d, const struct calendar_ctx *c,
                                  bool typed)
{
    struct tv *f = tv_set_dict(d, "service");
    tv_set_str(f, "action", calendar_school_href(r, c->cal.school_id, c->year.id, "/servizio"));
    tv_set_str(f, "first_day", calendar_value(r, typed, "first_day", c->cal.first_day));
    tv_set_str(f, "last_day", calendar_value(r, typed, "last_day", c->cal.last_day));
    tv_set_str(f, "year_starts", calendar_day_text(r, c->year.starts_on));
    tv_set_str(f, "year_ends", calendar_day_text(r, c->year.ends_on));
    const char **ticked = NULL;
    size_t nticked = typed ? req_field_list(r, "weekday[]", true, &ticked) : 0;
    struct tv *days = tv_set_list(f, "weekdays");
    for (int i = 0; i < 6; i++) {
        struct tv *o = tv_push_dict(days);
        char digit[2] = {(char)('1' + i), '\0'};
        tv_set_str(o, "value", digit);
        tv_set_str(o, "label", tr(r->lang, calendar_weekday_names[i]));
        bool on = false;
        if (typed) {
            for (size_t k = 0; k < nticked; k++)
                on |= !strcmp(ticked[k], digit);
        } else {
            on = strchr(c->cal.weekdays, digit[0]) != NULL;
        }
        tv_set_bool(o, "checked", on);
    }
}

static void calendar_exception_form(struct req *r, struct tv *d, const struct calendar_ctx *c,
                                    bool typed)
{
    struct tv *f = tv_set_dict(d, "exception");
    tv_set_str(f, "action", calendar_school_href(r, c->cal.school_id, c->year.id, "/eccezioni"));
    tv_set_str(f, "from_day", calendar_value(r, typed, "from_day", ""));
    tv_set_str(f, "to_day", calendar_value(r, typed, "to_day", ""));
    tv_set_str(f, "note", calendar_value(r, typed, "note", ""));
    tv_set_int(f, "note_max", CALENDAR_NOTE_MAX);
    const char *kind = calendar_value(r, typed, "kind", "closure");
    struct tv *kinds = tv_set_list(f, "kinds");
    for (int k = SCHOOL_CALENDAR_LOCAL_HOLIDAY; k <= SCHOOL_CALENDAR_TRIP; k++) {
        struct tv *o = tv_push_dict(kinds);
        const char *name = school_calendar_kind_name((enum school_calendar_kind)k);
        tv_set_str(o, "value", name);
        tv_set_str(o, "label", tr(r->lang, calendar_kind_label((enum school_calendar_kind)k)));
        tv_set_bool(o, "selected", !strcmp(kind, name));
    }
    int64_t class_id = field_row_id_parse(calendar_value(r, typed, "class_id", ""));
    struct tv *classes = tv_set_list(f, "classes");
    for (size_t i = 0; i < c->nclasses; i++) {
        struct tv *o = tv_push_dict(classes);
        tv_set_int(o, "value", c->classes[i].id);
        tv_set_str(o, "label", page_tr(r, N_("Class {class}"), "class", c->classes[i].name, NULL));
        tv_set_bool(o, "selected", c->classes[i].id == class_id);
    }
}

static void calendar_exception_list(struct req *r, struct tv *d, const struct calendar_ctx *c)
{
    struct tv *rows = tv_set_list(d, "exceptions");
    for (size_t i = 0; i < c->cal.nrows; i++) {
        const struct calendar_exception_row *x = &c->cal.rows[i];
        struct tv *row = tv_push_dict(rows);
        const char *from = calendar_day_text(r, x->from_day), *to = calendar_day_text(r, x->to_day);
        tv_set_str(row, "from", from);
        tv_set_str(row, "to", to);
        tv_set_str(row, "kind_label",
                   tr(r->lang, calendar_kind_label(c->cal.cal.exceptions[i].kind)));
        tv_set_str(row, "applies_to",
                   x->class_id ? page_tr(r, N_("Class {class}"), "class", x->class_name, NULL)
                               : tr(r->lang, N_("The whole school")));
        tv_set_str(row, "note", x->note);
        tv_set_str(row, "delete_action",
                   calendar_school_href(
                       r, c->cal.school_id, c->year.id,
                       arena_printf(&r->arena, "/eccezioni/%lld/elimina", (long long)x->id)));
        tv_set_str(row, "delete_label",
                   strcmp(x->from_day, x->to_day)
                       ? page_tr(r, N_("Delete the entry from {from} to {to}"), "from", from, "to",
                                 to, NULL)
                       : page_tr(r, N_("Delete the entry of {from}"), "from", from, NULL));
    }
}

static void calendar_copy_form(struct req *r, struct tv *d, const struct calendar_ctx *c,
                               bool typed)
{
    struct tv *f = tv_set_dict(d, "copy");
    tv_set_str(f, "action", calendar_school_href(r, c->cal.school_id, c->year.id, "/copia"));
    const char **ticked = NULL;
    size_t nticked = typed ? req_field_list(r, "school[]", true, &ticked) : 0;
    struct tv *schools = tv_set_list(f, "schools");
    for (size_t i = 0; i < c->nschools; i++) {
        if (c->schools[i].id == c->cal.school_id)
            continue;
        struct tv *o = tv_push_dict(schools);
        tv_set_int(o, "value", c->schools[i].id);
        tv_set_str(o, "label", c->schools[i].name);
        bool on = false;
        for (size_t k = 0; k < nticked; k++)
            on |= field_row_id_parse(ticked[k]) == c->schools[i].id;
        tv_set_bool(o, "checked", on);
    }
}

/* The school's page; form says whose typed values and errors to show, form_error (may be
   NULL) goes at the top. */
static void calendar_school_page(struct req *r, struct resp *w, int status,
                                 const struct calendar_ctx *c, enum calendar_form form,
                                 const char *form_error)
{
    struct db *db = store_db();
    long changeable;
    if (!db || calendar_first_changeable_day(db, r->tenant.id, &changeable) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("School calendar"));
    tv_set_str(d, "page_title",
               arena_printf(&r->arena, "%s: %s", tr(r->lang, N_("Calendars")), c->school_name));
    calendar_crumbs(r, d, c->school_name, c->year.id);
    if (!page_form_begin(r, w, d, form_error))
        return;
    /* Messages of repeated fields have names without brackets in the templates. */
    if (req_field_error(r, "weekday[]"))
        page_field_error(r, d, "weekdays", req_field_error(r, "weekday[]"));
    if (req_field_error(r, "school[]"))
        page_field_error(r, d, "schools", req_field_error(r, "school[]"));
    if (form == CALENDAR_FORM_NONE)
        calendar_outcome(r, d);
    tv_set_str(d, "school", c->school_name);
    tv_set_str(d, "year", c->year.label);
    tv_set_bool(d, "stored", c->cal.stored);
    tv_set_bool(d, "can_write", (r->user.role & CALENDAR_WRITE_ROLES) != 0);
    tv_set_str(d, "list_href",
               calendar_href(r, arena_printf(&r->arena, "?anno=%lld", (long long)c->year.id)));
    char frozen[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(changeable - 1, frozen);
    tv_set_str(d, "frozen_until", calendar_day_text(r, frozen));
    tv_set_str(d, "first_day", calendar_day_text(r, c->cal.first_day));
    tv_set_str(d, "last_day", calendar_day_text(r, c->cal.last_day));
    tv_set_str(d, "weekdays", calendar_weekdays_text(r, c->cal.weekdays));
    tv_set_int(d, "service_days",
               school_calendar_count_service(&c->cal.cal, c->cal.cal.first_day, c->cal.cal.last_day,
                                             0, NULL));
    calendar_month_data(r, d, c);
    calendar_service_form(r, d, c, form == CALENDAR_FORM_SERVICE);
    calendar_exception_form(r, d, c, form == CALENDAR_FORM_EXCEPTION);
    calendar_exception_list(r, d, c);
    calendar_copy_form(r, d, c, form == CALENDAR_FORM_COPY);
    page_render(r, w, status, tmpl_office_calendar_school, d);
}

static void office_calendar_school(struct req *r, struct resp *w)
{
    struct calendar_ctx c;
    if (calendar_ctx_load(r, w, &c) == 1)
        calendar_school_page(r, w, 200, &c, CALENDAR_FORM_NONE, NULL);
}

/* ---- changes ------------------------------------------------------------------------------ */

static const char *const calendar_check_msg =
    N_("Some values are not valid: check the messages next to the fields.");

/* The service's refusal as a page: the message next to its field (fields maps the service's
   names to the form's), status 422; a frozen deletion has no field and answers 409. */
static void calendar_refused(struct req *r, struct resp *w, struct calendar_ctx *c,
                             enum calendar_form form, enum calendar_err err,
                             const struct calendar_problem *p)
{
    if (err == CALENDAR_NOT_FOUND || err == CALENDAR_DB) {
        page_error(r, w, err == CALENDAR_NOT_FOUND ? 404 : 500);
        return;
    }
    const char *school = "";
    for (size_t i = 0; i < c->nschools; i++)
        if (c->schools[i].id == p->school_id)
            school = c->schools[i].name;
    const char *msg = p->message ? page_tr(r, p->message, "day", calendar_day_text(r, p->day),
                                           "school", school, NULL)
                                 : tr(r->lang, calendar_check_msg);
    static const struct {
        const char *service, *form;
    } names[] = {
        {"first_day", "first_day"}, {"last_day", "last_day"}, {"weekdays", "weekday[]"},
        {"from_day", "from_day"},   {"to_day", "to_day"},     {"kind", "kind"},
        {"class_id", "class_id"},   {"note", "note"},         {"targets", "school[]"},
    };
    const char *field = NULL;
    for (size_t i = 0; p->field && i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(p->field, names[i].service))
            field = names[i].form;
    if (!field) {
        calendar_school_page(r, w, 409, c, form, msg);
        return;
    }
    /* The message is already translated: req_set_field_error wants a msgid, which tr() maps to
       itself when the catalogue has no such entry. */
    req_set_field_error(r, field, msg);
    calendar_school_page(r, w, 422, c, form, tr(r->lang, calendar_check_msg));
}

static void office_calendar_service(struct req *r, struct resp *w)
{
    struct calendar_ctx c;
    if (calendar_ctx_load(r, w, &c) != 1)
        return;
    if (r->has_errors) {
        calendar_school_page(r, w, 422, &c, CALENDAR_FORM_SERVICE, tr(r->lang, calendar_check_msg));
        return;
    }
    const char **days;
    size_t n = req_field_list(r, "weekday[]", false, &days);
    char weekdays[8] = "";
    size_t k = 0;
    for (char d = '1'; d <= '6'; d++)
        for (size_t i = 0; i < n; i++)
            if (days[i][0] == d && k < 6 && (k == 0 || weekdays[k - 1] != d))
                weekdays[k++] = d;
    weekdays[k] = '\0';
    struct calendar_problem p;
    enum calendar_err err = calendar_save_service(
        store_db(), r->tenant.id, c.cal.school_id, c.year.id, req_field(r, "first_day"),
        req_field(r, "last_day"), weekdays, r->user.email, &p);
    if (err == CALENDAR_OK)
        resp_redirect(w, 303,
                      calendar_school_href(r, c.cal.school_id, c.year.id, "?esito=servizio"));
    else
        calendar_refused(r, w, &c, CALENDAR_FORM_SERVICE, err, &p);
}

/* Back to the month of day ("YYYY-MM-DD"), with the outcome. */
static const char *calendar_back(struct req *r, const struct calendar_ctx *c, const char *day,
                                 const char *outcome)
{
    const char *q = day && strlen(day) == 10
                        ? arena_printf(&r->arena, "?mese=%.7s&esito=%s", day, outcome)
                        : arena_printf(&r->arena, "?esito=%s", outcome);
    return calendar_school_href(r, c->cal.school_id, c->year.id, q);
}

static void office_calendar_exception_add(struct req *r, struct resp *w)
{
    struct calendar_ctx c;
    if (calendar_ctx_load(r, w, &c) != 1)
        return;
    if (r->has_errors) {
        calendar_school_page(r, w, 422, &c, CALENDAR_FORM_EXCEPTION,
                             tr(r->lang, calendar_check_msg));
        return;
    }
    struct calendar_exception_input in = {
        .kind = req_field(r, "kind"),
        .from_day = req_field(r, "from_day"),
        .to_day = req_field(r, "to_day"),
        .note = req_field(r, "note") ? req_field(r, "note") : "",
        .class_id = field_row_id_parse(req_field(r, "class_id")),
    };
    struct calendar_problem p;
    enum calendar_err err = calendar_add_exception(store_db(), r->tenant.id, c.cal.school_id,
                                                   c.year.id, &in, r->user.email, NULL, &p);
    if (err == CALENDAR_OK)
        resp_redirect(w, 303, calendar_back(r, &c, in.from_day, "aggiunta"));
    else
        calendar_refused(r, w, &c, CALENDAR_FORM_EXCEPTION, err, &p);
}

static void office_calendar_exception_delete(struct req *r, struct resp *w)
{
    struct calendar_ctx c;
    if (calendar_ctx_load(r, w, &c) != 1)
        return;
    int64_t id = field_row_id_parse(req_param(r, 2));
    const char *day = NULL;
    for (size_t i = 0; i < c.cal.nrows; i++)
        if (c.cal.rows[i].id == id)
            day = c.cal.rows[i].from_day;
    if (!day) {
        page_error(r, w, 404);
        return;
    }
    struct calendar_problem p;
    enum calendar_err err = calendar_delete_exception(store_db(), r->tenant.id, c.cal.school_id,
                                                      c.year.id, id, r->user.email, &p);
    if (err == CALENDAR_OK)
        resp_redirect(w, 303, calendar_back(r, &c, day, "eliminata"));
    else
        calendar_refused(r, w, &c, CALENDAR_FORM_NONE, err, &p);
}

static void office_calendar_copy(struct req *r, struct resp *w)
{
    struct calendar_ctx c;
    if (calendar_ctx_load(r, w, &c) != 1)
        return;
    if (r->has_errors) {
        calendar_school_page(r, w, 422, &c, CALENDAR_FORM_COPY, tr(r->lang, calendar_check_msg));
        return;
    }
    const char **ids;
    size_t n = req_field_list(r, "school[]", false, &ids);
    int64_t *targets = arena_calloc(&r->arena, n ? n : 1, sizeof(*targets));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t id = field_row_id_parse(ids[i]);
        bool seen = false;
        for (size_t j = 0; j < k; j++)
            seen |= targets[j] == id;
        if (!seen)
            targets[k++] = id;
    }
    struct calendar_problem p;
    struct calendar_copy_result res;
    enum calendar_err err = calendar_copy(store_db(), r->tenant.id, c.cal.school_id, c.year.id,
                                          targets, k, r->user.email, &res, &p);
    if (err == CALENDAR_OK)
        resp_redirect(
            w, 303,
            calendar_school_href(r, c.cal.school_id, c.year.id,
                                 arena_printf(&r->arena, "?esito=copiato&scuole=%zu&saltate=%zu",
                                              res.schools, res.skipped_class_only)));
    else
        calendar_refused(r, w, &c, CALENDAR_FORM_COPY, err, &p);
}
