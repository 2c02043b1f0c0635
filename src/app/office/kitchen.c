/*
 * The kitchen sheet (/ufficio/cucina): what each school's kitchen cooks on a day, for the
 * `cucina` role and every other staff role, as a page, a PDF and a CSV with the same filters
 * (giorno, scuola). Frozen days come from the meal rows of the cut-off; other days are a forecast
 * from the bookings and say so. The rules are services/kitchen.h's; the sheet never carries the
 * medical notes of a diet, only its code.
 */
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "docs/doc.h"
#include "domain/school_calendar.h"
#include "services/cutoff_job.h"
#include "services/job.h"
#include "services/kitchen.h"
#include "store/store.h"
#include "templates.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/download.h"
#include "web/fields.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define KITCHEN_CSV_MAX (4 * 1024 * 1024)

/* A day as the date input sends it or as people type it, in the years the service can have. */
static const char *kitchen_field_day(struct arena *a, const char *in, const char **out)
{
    const char *err = field_day(a, in, out);
    if (err)
        return err;
    long n;
    if (!school_calendar_parse_day(*out, &n))
        return N_("Enter a date like 15/01/2027.");
    return NULL;
}

static const struct field_spec kitchen_fields[] = {
    {"giorno", kitchen_field_day, 10, false},
    {"scuola", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static void kitchen_page(struct req *r, struct resp *w);
static void kitchen_pdf(struct req *r, struct resp *w);
static void kitchen_csv(struct req *r, struct resp *w);

const struct route kitchen_routes[] = {
    {HTTP_GET, "/ufficio/cucina", ROLE_ANY_STAFF, ROUTE_FIELDS(kitchen_fields), kitchen_page, 0},
    {HTTP_GET, "/ufficio/cucina/foglio.pdf", ROLE_ANY_STAFF, ROUTE_FIELDS(kitchen_fields),
     kitchen_pdf, 0},
    {HTTP_GET, "/ufficio/cucina/foglio.csv", ROLE_ANY_STAFF, ROUTE_FIELDS(kitchen_fields),
     kitchen_csv, 0},
    {0},
};

/* ---- loading ------------------------------------------------------------------------------- */

struct kitchen_view {
    char day[TIME_LOCAL_DATE_MAX];
    int64_t school_id; /* 0: every school */
    const struct school_summary *school;
    struct school_summary *schools;
    size_t nschools;
    struct kitchen_sheet sheet;
    const char *frozen_at; /* "dd/mm/yyyy hh:mm" of the cut-off run, or "" */
};

static const char *kitchen_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio%s", r->tenant.slug, path);
}

/* The day and school asked for (today, every school by default). False when answered: 404 for
   a school not of the municipality, 500. */
static bool kitchen_load(struct req *r, struct resp *w, struct db *db, struct kitchen_view *v)
{
    memset(v, 0, sizeof(*v));
    const char *day = req_field(r, "giorno");
    if (day)
        snprintf(v->day, sizeof(v->day), "%s", day);
    else
        time_today("Europe/Rome", v->day);
    if (school_list(db, &r->arena, r->tenant.id, 0, &v->schools, &v->nschools) != 0) {
        page_error(r, w, 500);
        return false;
    }
    const char *school = req_field(r, "scuola");
    if (school) {
        v->school_id = field_row_id_parse(school);
        for (size_t i = 0; i < v->nschools; i++)
            if (v->schools[i].id == v->school_id)
                v->school = &v->schools[i];
        if (!v->school) {
            page_error(r, w, 404);
            return false;
        }
    }
    if (kitchen_sheet_load(db, &r->arena, r->tenant.id, v->day, v->school_id, &v->sheet) != 0) {
        page_error(r, w, 500);
        return false;
    }
    v->frozen_at = "";
    struct job_run run;
    if (v->sheet.frozen &&
        job_find(db, &r->arena, r->tenant.id, CUTOFF_JOB_KIND, v->day, &run) == 1)
        v->frozen_at = time_rome_display(&r->arena, run.finished_at);
    return true;
}

/* "?giorno=...&scuola=..." for links that keep the filters. */
static const char *kitchen_query(struct req *r, const char *day, int64_t school_id)
{
    struct buf b;
    buf_init(&b, 128);
    buf_puts(&b, "?giorno=");
    html_url_component(&b, day, strlen(day));
    if (school_id)
        buf_printf(&b, "&scuola=%lld", (long long)school_id);
    const char *q = arena_strdup(&r->arena, buf_str(&b));
    buf_free(&b);
    return q;
}

/* "Friday 20/11/2026". */
static const char *kitchen_day_label(struct req *r, const char *day)
{
    static const char *const names[] = {
        N_("Monday"), N_("Tuesday"),  N_("Wednesday"), N_("Thursday"),
        N_("Friday"), N_("Saturday"), N_("Sunday"),
    };
    long n;
    if (!school_calendar_parse_day(day, &n))
        return day;
    return arena_printf(&r->arena, "%s %s", tr(r->lang, names[school_calendar_weekday(n) - 1]),
                        time_date_display(&r->arena, day));
}

static const char *kitchen_n(struct req *r, long n)
{
    return arena_printf(&r->arena, "%ld", n);
}

static const char *kitchen_diet(struct req *r, const char *code)
{
    return code && *code ? code : tr(r->lang, N_("Normal menu"));
}

static const char *kitchen_class(struct req *r, const char *name)
{
    return name && *name ? name : tr(r->lang, N_("No class"));
}

/* The status line: final (frozen at ...) or a forecast until the cut-off. */
static const char *kitchen_status(struct req *r, const struct kitchen_view *v)
{
    if (v->sheet.frozen)
        return *v->frozen_at ? page_tr(r, N_("Final: frozen at the cut-off ({cutoff}), on {at}."),
                                       "cutoff", r->tenant.cutoff_time, "at", v->frozen_at, NULL)
                             : page_tr(r, N_("Final: frozen at the cut-off ({cutoff})."), "cutoff",
                                       r->tenant.cutoff_time, NULL);
    return page_tr(r,
                   N_("Forecast from the bookings: the counts can still change until the cut-off "
                      "at {cutoff}."),
                   "cutoff", r->tenant.cutoff_time, NULL);
}

/* ---- the page ------------------------------------------------------------------------------ */

static void kitchen_school_options(struct req *r, struct tv *d, const struct kitchen_view *v)
{
    struct tv *list = tv_set_list(d, "school_options");
    struct tv *o = tv_push_dict(list);
    tv_set_str(o, "value", "");
    tv_set_str(o, "label", tr(r->lang, N_("All schools")));
    tv_set_bool(o, "selected", v->school_id == 0);
    for (size_t i = 0; i < v->nschools; i++) {
        o = tv_push_dict(list);
        tv_set_str(o, "value", arena_printf(&r->arena, "%lld", (long long)v->schools[i].id));
        tv_set_str(o, "label", v->schools[i].name);
        tv_set_bool(o, "selected", v->school_id == v->schools[i].id);
    }
}

static void kitchen_school_data(struct req *r, struct tv *list, const struct kitchen_school *s)
{
    struct tv *x = tv_push_dict(list);
    tv_set_int(x, "id", s->school_id);
    tv_set_str(x, "name", s->school_name);
    tv_set_str(x, "meals", kitchen_n(r, s->meals));
    tv_set_str(x, "plain", kitchen_n(r, s->plain));
    tv_set_str(x, "diets", kitchen_n(r, s->diets));
    tv_set_bool(x, "has_meals", s->meals > 0);
    struct tv *l = tv_set_list(x, "classes");
    for (size_t i = 0; i < s->nclasses; i++) {
        struct tv *c = tv_push_dict(l);
        tv_set_str(c, "name", kitchen_class(r, s->classes[i].class_name));
        tv_set_str(c, "meals", kitchen_n(r, s->classes[i].meals));
        tv_set_str(c, "plain", kitchen_n(r, s->classes[i].plain));
        tv_set_str(c, "diets", kitchen_n(r, s->classes[i].diets));
    }
    l = tv_set_list(x, "diet_counts");
    for (size_t i = 0; i < s->ndiet_counts; i++) {
        struct tv *c = tv_push_dict(l);
        tv_set_str(c, "diet", kitchen_diet(r, s->diet_counts[i].diet_code));
        tv_set_bool(c, "normal", !*s->diet_counts[i].diet_code);
        tv_set_str(c, "meals", kitchen_n(r, s->diet_counts[i].meals));
        tv_set_str(c, "plain", kitchen_n(r, s->diet_counts[i].plain));
    }
    l = tv_set_list(x, "special");
    for (size_t i = 0; i < s->nspecial; i++) {
        const struct kitchen_pupil *p = &s->special[i];
        struct tv *c = tv_push_dict(l);
        tv_set_str(c, "pupil", arena_printf(&r->arena, "%s %s", p->surname, p->name));
        tv_set_str(c, "class", kitchen_class(r, p->class_name));
        tv_set_str(c, "diet", *p->diet_code ? p->diet_code : "");
        tv_set_bool(c, "plain", p->plain);
    }
}

/* The page; v NULL when the filters are invalid (the form alone, with the messages). */
static void kitchen_show(struct req *r, struct resp *w, int status, const struct kitchen_view *v,
                         const struct school_summary *schools, size_t nschools)
{
    struct tv *d = page_new(r, N_("Kitchen sheet"));
    page_crumb(r, d, N_("Back office"), kitchen_href(r, "/"));
    page_crumb(r, d, N_("Kitchen sheet"), NULL);
    office_nav(r, d, "kitchen");
    page_form_state(r, d);
    if (r->has_errors)
        tv_set_str(tv_set_dict(d, "problem"), "text",
                   tr(r->lang, N_("Check the fields marked below.")));
    tv_set_str(d, "form_action", kitchen_href(r, "/cucina"));
    tv_set_str(d, "cutoff", r->tenant.cutoff_time);
    if (!v) {
        struct kitchen_view empty = {.schools = (struct school_summary *)schools,
                                     .nschools = nschools};
        const char *raw = req_field_raw(r, "scuola");
        empty.school_id = raw ? field_row_id_parse(raw) : 0;
        kitchen_school_options(r, d, &empty);
        page_render(r, w, status, tmpl_office_kitchen, d);
        return;
    }
    struct tv *values = (struct tv *)tv_get(d, "values");
    if (values)
        tv_set_str(values, "giorno", v->day);
    kitchen_school_options(r, d, v);
    struct tv *s = tv_set_dict(d, "sheet");
    tv_set_str(s, "day", kitchen_day_label(r, v->day));
    tv_set_bool(s, "frozen", v->sheet.frozen);
    tv_set_str(s, "status", kitchen_status(r, v));
    tv_set_str(s, "meals", kitchen_n(r, v->sheet.meals));
    tv_set_str(s, "plain", kitchen_n(r, v->sheet.plain));
    tv_set_str(s, "diets", kitchen_n(r, v->sheet.diets));
    tv_set_str(s, "school", v->school ? v->school->name : tr(r->lang, N_("All schools")));
    struct tv *list = tv_set_list(s, "schools");
    for (size_t i = 0; i < v->sheet.nschools; i++)
        if (v->school_id || v->sheet.schools[i].meals > 0)
            kitchen_school_data(r, list, &v->sheet.schools[i]);
    const char *q = kitchen_query(r, v->day, v->school_id);
    tv_set_str(d, "pdf_href",
               arena_printf(&r->arena, "%s%s", kitchen_href(r, "/cucina/foglio.pdf"), q));
    tv_set_str(d, "csv_href",
               arena_printf(&r->arena, "%s%s", kitchen_href(r, "/cucina/foglio.csv"), q));
    char other[TIME_LOCAL_DATE_MAX];
    if (time_date_add_days(v->day, -1, other) && school_calendar_parse_day(other, &(long){0}))
        tv_set_str(d, "prev_href",
                   arena_printf(&r->arena, "%s%s", kitchen_href(r, "/cucina"),
                                kitchen_query(r, other, v->school_id)));
    if (time_date_add_days(v->day, 1, other) && school_calendar_parse_day(other, &(long){0}))
        tv_set_str(d, "next_href",
                   arena_printf(&r->arena, "%s%s", kitchen_href(r, "/cucina"),
                                kitchen_query(r, other, v->school_id)));
    if (r->user.role & (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE))
        tv_set_str(d, "meals_href",
                   arena_printf(&r->arena, "%s?mese=%.7s", kitchen_href(r, "/pasti"), v->day));
    page_render(r, w, status, tmpl_office_kitchen, d);
}

/* The form alone with the validator's messages: 422. */
static void kitchen_invalid(struct req *r, struct resp *w, struct db *db)
{
    struct school_summary *schools = NULL;
    size_t n = 0;
    if (school_list(db, &r->arena, r->tenant.id, 0, &schools, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    kitchen_show(r, w, 422, NULL, schools, n);
}

static void kitchen_page(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (r->has_errors) {
        kitchen_invalid(r, w, db);
        return;
    }
    struct kitchen_view v;
    if (kitchen_load(r, w, db, &v))
        kitchen_show(r, w, 200, &v, NULL, 0);
}

/* ---- downloads ----------------------------------------------------------------------------- */

/* "foglio-cucina-2026-11-20[-3].ext" */
static const char *kitchen_filename(struct req *r, const struct kitchen_view *v, const char *ext)
{
    if (v->school_id)
        return arena_printf(&r->arena, "foglio-cucina-%s-%lld.%s", v->day, (long long)v->school_id,
                            ext);
    return arena_printf(&r->arena, "foglio-cucina-%s.%s", v->day, ext);
}

static bool kitchen_download_begin(struct req *r, struct resp *w, struct kitchen_view *v)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return false;
    }
    if (r->has_errors) {
        kitchen_invalid(r, w, db);
        return false;
    }
    return kitchen_load(r, w, db, v);
}

static void kitchen_csv(struct req *r, struct resp *w)
{
    struct kitchen_view v;
    if (!kitchen_download_begin(r, w, &v))
        return;
    struct buf csv;
    buf_init(&csv, KITCHEN_CSV_MAX);
    if (kitchen_sheet_csv(&v.sheet, &csv) != 0) {
        buf_free(&csv);
        page_error(r, w, 500);
        return;
    }
    resp_download(r, w, "text/csv; charset=utf-8", kitchen_filename(r, &v, "csv"), csv.data,
                  csv.len, false);
    buf_free(&csv);
}

static void kitchen_pdf_school(struct req *r, struct doc *d, const struct kitchen_school *s)
{
    const char *l = r->lang;
    doc_heading(d, s->school_name);
    doc_field(d, tr(l, N_("Meals")), kitchen_n(r, s->meals));
    doc_field(d, tr(l, N_("Plain meals")), kitchen_n(r, s->plain));
    doc_field(d, tr(l, N_("Special diets")), kitchen_n(r, s->diets));
    if (!s->meals) {
        doc_paragraph(d, tr(l, N_("No meals on this day.")));
        return;
    }
    const char *ch[] = {tr(l, N_("Class")), tr(l, N_("Meals")), tr(l, N_("Plain meals")),
                        tr(l, N_("Special diets"))};
    doc_table(d, 4, ch);
    for (size_t i = 0; i < s->nclasses; i++) {
        const char *cells[] = {kitchen_class(r, s->classes[i].class_name),
                               kitchen_n(r, s->classes[i].meals), kitchen_n(r, s->classes[i].plain),
                               kitchen_n(r, s->classes[i].diets)};
        doc_table_row(d, cells);
    }
    const char *dh[] = {tr(l, N_("Diet")), tr(l, N_("Meals")), tr(l, N_("Plain meals"))};
    doc_table(d, 3, dh);
    for (size_t i = 0; i < s->ndiet_counts; i++) {
        const char *cells[] = {kitchen_diet(r, s->diet_counts[i].diet_code),
                               kitchen_n(r, s->diet_counts[i].meals),
                               kitchen_n(r, s->diet_counts[i].plain)};
        doc_table_row(d, cells);
    }
    if (s->nspecial) {
        const char *sh[] = {tr(l, N_("Pupil")), tr(l, N_("Class")), tr(l, N_("Diet")),
                            tr(l, N_("Plain meal"))};
        doc_table(d, 4, sh);
        for (size_t i = 0; i < s->nspecial; i++) {
            const struct kitchen_pupil *p = &s->special[i];
            const char *cells[] = {arena_printf(&r->arena, "%s %s", p->surname, p->name),
                                   kitchen_class(r, p->class_name), p->diet_code,
                                   tr(l, p->plain ? N_("Yes") : N_("No"))};
            doc_table_row(d, cells);
        }
    }
}

static void kitchen_pdf(struct req *r, struct resp *w)
{
    struct kitchen_view v;
    if (!kitchen_download_begin(r, w, &v))
        return;
    /* A document holds at most DOC_ITEMS_MAX blocks and rows: a whole city's day may not fit. */
    size_t items = 16;
    for (size_t i = 0; i < v.sheet.nschools; i++)
        items += 12 + v.sheet.schools[i].nclasses + v.sheet.schools[i].ndiet_counts +
                 v.sheet.schools[i].nspecial;
    if (items > DOC_ITEMS_MAX) {
        req_set_field_error(r, "scuola", N_("Too many rows for one PDF: choose a school."));
        kitchen_show(r, w, 422, &v, NULL, 0);
        return;
    }
    struct doc *d = app_doc_new(r, r->lang, N_("Kitchen sheet"));
    doc_field(d, tr(r->lang, N_("Day")), kitchen_day_label(r, v.day));
    doc_field(d, tr(r->lang, N_("School")),
              v.school ? v.school->name : tr(r->lang, N_("All schools")));
    doc_field(d, tr(r->lang, N_("Meals")), kitchen_n(r, v.sheet.meals));
    doc_field(d, tr(r->lang, N_("Plain meals")), kitchen_n(r, v.sheet.plain));
    doc_field(d, tr(r->lang, N_("Special diets")), kitchen_n(r, v.sheet.diets));
    doc_note(d, kitchen_status(r, &v));
    size_t shown = 0;
    for (size_t i = 0; i < v.sheet.nschools; i++)
        if (v.school_id || v.sheet.schools[i].meals > 0) {
            kitchen_pdf_school(r, d, &v.sheet.schools[i]);
            shown++;
        }
    if (!shown)
        doc_paragraph(d, tr(r->lang, N_("No meals on this day.")));
    struct buf pdf;
    buf_init(&pdf, DOC_PDF_MAX);
    char err[DOC_ERR_MAX];
    if (doc_render_pdf(d, &pdf, err, sizeof(err)) != 0) {
        log_error("kitchen PDF failed", "error", err);
        buf_free(&pdf);
        page_error(r, w, 500);
        return;
    }
    resp_download(r, w, "application/pdf", kitchen_filename(r, &v, "pdf"), pdf.data, pdf.len,
                  false);
    buf_free(&pdf);
}
