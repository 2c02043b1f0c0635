/*
 * The office's review of enrollments (/ufficio/iscrizioni): the list with its filters, search
 * and pages, where several applications can be confirmed or rejected at once; the detail of one
 * application with its history and the decisions (confirm, reject with a reason, the diet
 * decision with the kitchen's code, the debt-gate override); the medical certificate (health
 * data: only the roles attachment_role_may_read allows, every read audit-logged); and the CSV
 * export of the filtered list. Administrators, the office and the catering operator (to whom
 * the municipality may delegate the review) may do all of it; the kitchen may not. Owns
 * review_routes; the rules are services/review.h's.
 */
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/places.h"
#include "services/attachment.h"
#include "services/campaign.h"
#include "services/review.h"
#include "store/store.h"
#include "templates.h"
#include "util/text.h"
#include "util/time.h"
#include "web/html.h"
#include "web/download.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define REVIEW_ROLES     (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)
#define REVIEW_PAGES_MAX 100000 /* the highest page number accepted */

/* ---- fields -------------------------------------------------------------------------------- */

/* The campaign filter: an id, or 0 for every campaign. */
static const char *review_field_campaign(struct arena *a, const char *in, const char **out)
{
    if (!str_digits(in, 1, FIELD_ROW_ID_CHARS))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *review_field_status(struct arena *a, const char *in, const char **out)
{
    enum enrollment_status s;
    if (!enrollment_status_parse(in, &s))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *review_field_kind(struct arena *a, const char *in, const char **out)
{
    if (!review_kind_valid(in))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *review_field_diet(struct arena *a, const char *in, const char **out)
{
    if (!review_diet_filter_valid(in))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *review_field_page(struct arena *a, const char *in, const char **out)
{
    if (!str_digits(in, 1, 6) || atol(in) < 1 || atol(in) > REVIEW_PAGES_MAX)
        return N_("This value is not valid.");
    *out = in;
    return NULL;
}

/* A reason the family or the record will read: several lines allowed, REVIEW_REASON_MIN
   characters at least (the maximum is the field's). */
static const char *review_field_reason(struct arena *a, const char *in, const char **out)
{
    const char *err = field_multiline(a, in, out);
    if (err)
        return err;
    if (!review_text_valid(*out, REVIEW_REASON_MIN, REVIEW_REASON_MAX))
        return N_("Write the reason: at least 3 characters.");
    return NULL;
}

/* The kitchen's diet code, upper-cased. */
static const char *review_field_diet_code(struct arena *a, const char *in, const char **out)
{
    const char *t;
    if (field_text(a, in, &t))
        return N_("Use 1 to 12 capital letters, digits or hyphens, like CEL-01.");
    char *code = arena_strdup(a, t);
    for (char *p = code; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (!review_diet_code_valid(code))
        return N_("Use 1 to 12 capital letters, digits or hyphens, like CEL-01.");
    *out = code;
    return NULL;
}

static const char *review_field_bulk_action(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "conferma") != 0 && strcmp(in, "rifiuta") != 0)
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

/* GET filters: Italian names, as they appear in the address. */
static const struct field_spec review_list_fields[] = {
    {"campagna", review_field_campaign, FIELD_ROW_ID_CHARS, false},
    {"stato", review_field_status, 16, false},
    {"scuola", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"classe", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"tipo", review_field_kind, 16, false},
    {"dieta", review_field_diet, 16, false},
    {"dal", field_day, 10, false},
    {"al", field_day, 10, false},
    {"q", field_text, REVIEW_QUERY_MAX, false},
    {"pagina", review_field_page, 6, false},
};

static const struct field_spec review_reject_fields[] = {
    {"motivo", review_field_reason, REVIEW_REASON_MAX, true},
};

static const struct field_spec review_diet_approve_fields[] = {
    {"codice_dieta", review_field_diet_code, REVIEW_DIET_CODE_MAX, true},
    {"nota_dieta", field_multiline, REVIEW_NOTE_MAX, false},
};

static const struct field_spec review_diet_reject_fields[] = {
    {"nota_rifiuto_dieta", review_field_reason, REVIEW_NOTE_MAX, true},
};

static const struct field_spec review_debt_fields[] = {
    {"motivo_deroga", review_field_reason, REVIEW_REASON_MAX, true},
};

/* The bulk form: the action (the button pressed), the reason for a rejection, where to go
   back, and the ticked applications (checkboxes "iscrizione[]"). */
static const struct field_spec review_bulk_fields[] = {
    {"azione", review_field_bulk_action, 16, true},
    {"motivo_gruppo", field_multiline, REVIEW_REASON_MAX, false},
    {"ritorno", field_local_path, 1024, false},
    {"iscrizione[]", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static void office_review_list(struct req *r, struct resp *w);
static void office_review_csv(struct req *r, struct resp *w);
static void office_review_bulk(struct req *r, struct resp *w);
static void office_review_detail(struct req *r, struct resp *w);
static void office_review_confirm(struct req *r, struct resp *w);
static void office_review_reject(struct req *r, struct resp *w);
static void office_review_diet_approve(struct req *r, struct resp *w);
static void office_review_diet_reject(struct req *r, struct resp *w);
static void office_review_debt_override(struct req *r, struct resp *w);
static void office_review_certificate(struct req *r, struct resp *w);

const struct route review_routes[] = {
    {HTTP_GET, "/ufficio/iscrizioni", REVIEW_ROLES, ROUTE_FIELDS(review_list_fields),
     office_review_list, 0},
    {HTTP_GET, "/ufficio/iscrizioni.csv", REVIEW_ROLES, ROUTE_FIELDS(review_list_fields),
     office_review_csv, 0},
    {HTTP_POST, "/ufficio/iscrizioni/decisioni", REVIEW_ROLES, ROUTE_FIELDS(review_bulk_fields),
     office_review_bulk, 0},
    {HTTP_GET, "/ufficio/iscrizioni/{id}", REVIEW_ROLES, NULL, 0, office_review_detail, 0},
    {HTTP_POST, "/ufficio/iscrizioni/{id}/conferma", REVIEW_ROLES, NULL, 0, office_review_confirm,
     0},
    {HTTP_POST, "/ufficio/iscrizioni/{id}/rifiuta", REVIEW_ROLES,
     ROUTE_FIELDS(review_reject_fields), office_review_reject, 0},
    {HTTP_POST, "/ufficio/iscrizioni/{id}/dieta/approva", REVIEW_ROLES,
     ROUTE_FIELDS(review_diet_approve_fields), office_review_diet_approve, 0},
    {HTTP_POST, "/ufficio/iscrizioni/{id}/dieta/rifiuta", REVIEW_ROLES,
     ROUTE_FIELDS(review_diet_reject_fields), office_review_diet_reject, 0},
    {HTTP_POST, "/ufficio/iscrizioni/{id}/deroga-debito", REVIEW_ROLES,
     ROUTE_FIELDS(review_debt_fields), office_review_debt_override, 0},
    {HTTP_GET, "/ufficio/iscrizioni/{id}/certificato", REVIEW_ROLES, NULL, 0,
     office_review_certificate, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *review_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio/iscrizioni%s", r->tenant.slug, path);
}

static struct review_ctx review_ctx_for(struct req *r, struct enrollment_actor *by)
{
    *by = (struct enrollment_actor){AUDIT_STAFF, r->user.id, r->user.email, r->client_addr};
    return (struct review_ctx){
        &r->tenant, by,
        page_absolute_url(r, arena_printf(&r->arena, "/%s/famiglie/", r->tenant.slug))};
}

/* The option lists of a select: {value, label, selected}. */
static void review_option(struct tv *list, const char *value, const char *label, bool selected)
{
    struct tv *o = tv_push_dict(list);
    tv_set_str(o, "value", value);
    tv_set_str(o, "label", label);
    tv_set_bool(o, "selected", selected);
}

static const char *review_id_text(struct req *r, int64_t id)
{
    return arena_printf(&r->arena, "%lld", (long long)id);
}

/* The status as the office reads it. */
static const char *review_status_label(struct req *r, enum enrollment_status s)
{
    return tr(r->lang, enrollment_status_label(s));
}

/* ---- the list ------------------------------------------------------------------------------ */

/* The filter the request asks for; the campaign defaults to the most recent one. */
struct review_list_state {
    struct review_filter f;
    long page;
    struct campaign *campaigns; /* newest first */
    size_t ncampaigns;
    bool campaign_known; /* f.campaign_id is one of campaigns */
};

static int review_list_state(struct req *r, struct db *db, struct review_list_state *s)
{
    memset(s, 0, sizeof(*s));
    if (campaign_list(db, &r->arena, r->tenant.id, &s->campaigns, &s->ncampaigns) != 0)
        return -1;
    const char *campaign = req_field(r, "campagna");
    if (campaign)
        s->f.campaign_id = field_row_id_parse(campaign); /* "0": every campaign */
    else if (!req_field_raw(r, "campagna") && s->ncampaigns)
        s->f.campaign_id = s->campaigns[0].id;
    s->f.status = req_field(r, "stato");
    s->f.school_id = field_row_id_parse(req_field(r, "scuola"));
    s->f.class_id = field_row_id_parse(req_field(r, "classe"));
    s->f.kind = req_field(r, "tipo");
    s->f.diet = req_field(r, "dieta");
    s->f.submitted_from = req_field(r, "dal");
    s->f.submitted_to = req_field(r, "al");
    s->f.q = req_field(r, "q");
    const char *page = req_field(r, "pagina");
    s->page = page ? atol(page) : 1;
    for (size_t i = 0; i < s->ncampaigns; i++)
        s->campaign_known |= s->campaigns[i].id == s->f.campaign_id;
    return 0;
}

static void review_query_add(struct buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    buf_putc(b, b->len ? '&' : '?');
    buf_puts(b, name);
    buf_putc(b, '=');
    html_url_component(b, value, strlen(value));
}

/* path + the filter as a query string (+ the page when > 1). */
static const char *review_list_url(struct req *r, const char *path, const struct review_filter *f,
                                   long page)
{
    struct buf b;
    buf_init(&b, 4096);
    review_query_add(&b, "campagna", review_id_text(r, f->campaign_id));
    review_query_add(&b, "stato", f->status);
    if (f->school_id)
        review_query_add(&b, "scuola", review_id_text(r, f->school_id));
    if (f->class_id)
        review_query_add(&b, "classe", review_id_text(r, f->class_id));
    review_query_add(&b, "tipo", f->kind);
    review_query_add(&b, "dieta", f->diet);
    review_query_add(&b, "dal", f->submitted_from);
    review_query_add(&b, "al", f->submitted_to);
    review_query_add(&b, "q", f->q);
    if (page > 1)
        review_query_add(&b, "pagina", arena_printf(&r->arena, "%ld", page));
    const char *url = arena_printf(&r->arena, "%s%s", path, buf_str(&b));
    buf_free(&b);
    return url;
}

/* One select of the filter form, for templates/office/enrollment_select.html: its options
   list is returned. any_msgid (may be NULL) is the first option, value "", meaning "any". */
static struct tv *review_select(struct req *r, struct tv *selects, const char *name,
                                const char *label_msgid, const char *any_msgid)
{
    struct tv *s = tv_push_dict(selects);
    tv_set_str(s, "name", name);
    tv_set_str(s, "label", tr(r->lang, label_msgid));
    if (any_msgid)
        tv_set_str(s, "any", tr(r->lang, any_msgid));
    const char *err = req_field_error(r, name);
    if (err)
        tv_set_str(s, "error", tr(r->lang, err));
    return tv_set_list(s, "options");
}

static void review_list_filters(struct req *r, struct db *db, struct tv *d,
                                const struct review_list_state *s)
{
    struct tv *selects = tv_set_list(d, "selects");
    struct tv *list = review_select(r, selects, "campagna", N_("Campaign"), NULL);
    for (size_t i = 0; i < s->ncampaigns; i++)
        review_option(list, review_id_text(r, s->campaigns[i].id),
                      arena_printf(&r->arena, "%s (%s)", s->campaigns[i].title,
                                   s->campaigns[i].school_year_label),
                      s->f.campaign_id == s->campaigns[i].id);
    review_option(list, "0", tr(r->lang, N_("All campaigns")), s->f.campaign_id == 0);

    static const enum enrollment_status statuses[] = {
        ENROLLMENT_SUBMITTED, ENROLLMENT_CONFIRMED, ENROLLMENT_REJECTED,
        ENROLLMENT_WITHDRAWN, ENROLLMENT_DRAFT,
    };
    list = review_select(r, selects, "stato", N_("Status"), N_("All"));
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        const char *name = enrollment_status_name(statuses[i]);
        review_option(list, name, review_status_label(r, statuses[i]),
                      s->f.status && !strcmp(s->f.status, name));
    }

    struct school_summary *schools = NULL;
    size_t nschools = 0;
    list = review_select(r, selects, "scuola", N_("School"), N_("All"));
    if (school_list(db, &r->arena, r->tenant.id, 0, &schools, &nschools) == 0)
        for (size_t i = 0; i < nschools; i++)
            review_option(list, review_id_text(r, schools[i].id), schools[i].name,
                          s->f.school_id == schools[i].id);

    /* Classes belong to one school year: offered once a campaign is chosen. */
    struct campaign_class *classes = NULL;
    size_t nclasses = 0;
    list = review_select(r, selects, "classe", N_("Class"), N_("All"));
    if (s->campaign_known &&
        campaign_classes(db, &r->arena, s->f.campaign_id, &classes, &nclasses) == 0)
        for (size_t i = 0; i < nclasses; i++)
            review_option(
                list, review_id_text(r, classes[i].class_id),
                arena_printf(&r->arena, "%s - %s", classes[i].school_name, classes[i].class_name),
                s->f.class_id == classes[i].class_id);

    static const char *const kinds[] = {"new", "renewal"};
    list = review_select(r, selects, "tipo", N_("Type"), N_("All"));
    for (size_t i = 0; i < 2; i++)
        review_option(list, kinds[i], tr(r->lang, review_kind_label(kinds[i])),
                      s->f.kind && !strcmp(s->f.kind, kinds[i]));

    static const struct {
        const char *value, *label;
    } diets[] = {
        {"none", N_("No special diet")},
        {"medical", N_("Medical diet")},
        {"ethical", N_("Ethical or religious diet")},
        {"pending", N_("Diet awaiting decision")},
    };
    list = review_select(r, selects, "dieta", N_("Special diet"), N_("All"));
    for (size_t i = 0; i < sizeof(diets) / sizeof(diets[0]); i++)
        review_option(list, diets[i].value, tr(r->lang, diets[i].label),
                      s->f.diet && !strcmp(s->f.diet, diets[i].value));
}

static void review_list_row(struct req *r, struct tv *list, const struct enrollment *e)
{
    struct tv *it = tv_push_dict(list);
    tv_set_int(it, "id", e->id);
    tv_set_str(it, "href", review_href(r, arena_printf(&r->arena, "/%lld", (long long)e->id)));
    tv_set_str(it, "pupil", arena_printf(&r->arena, "%s %s", e->pupil_surname, e->pupil_name));
    tv_set_str(it, "fiscal_code", e->pupil_fiscal_code);
    tv_set_str(it, "guardian",
               arena_printf(&r->arena, "%s %s", e->guardian_surname, e->guardian_name));
    tv_set_str(it, "school", e->school_name);
    tv_set_str(it, "class", e->class_name);
    tv_set_str(it, "kind_label", tr(r->lang, review_kind_label(e->kind)));
    tv_set_str(it, "status", enrollment_status_name(e->status));
    tv_set_str(it, "status_label", review_status_label(r, e->status));
    tv_set_bool(it, "selectable", e->status == ENROLLMENT_SUBMITTED);
    if (strcmp(e->diet_kind, "none") != 0) {
        tv_set_str(it, "diet_label", tr(r->lang, enrollment_diet_label(e->diet_kind)));
        tv_set_str(it, "diet_status_label", tr(r->lang, review_diet_status_label(e->diet_status)));
    }
    tv_set_str(it, "submitted", review_time_rome(&r->arena, e->submitted_at));
}

/* The list; form_error (translated, may be NULL) is shown above it. */
static void review_list_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    struct review_list_state s;
    if (!db || review_list_state(r, db, &s) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct enrollment *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    size_t offset = (size_t)(s.page - 1) * REVIEW_PAGE_ROWS;
    if (review_search(db, &r->arena, r->tenant.id, &s.f, REVIEW_PAGE_ROWS, offset, &rows, &n,
                      &total) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Enrollments"));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Enrollments"), NULL);
    office_nav(r, d, "enrollments");
    if (!page_form_begin(r, w, d, form_error))
        return;
    const char *list_path = review_href(r, "");
    tv_set_str(d, "form_action", list_path);
    tv_set_str(d, "csv_href", review_list_url(r, review_href(r, ".csv"), &s.f, 1));
    tv_set_str(d, "bulk_action", review_href(r, "/decisioni"));
    tv_set_str(d, "return_path", review_list_url(r, list_path, &s.f, s.page));
    tv_set_int(d, "total", total);
    review_list_filters(r, db, d, &s);
    struct tv *list = tv_set_list(d, "rows");
    bool selectable = false;
    for (size_t i = 0; i < n; i++) {
        review_list_row(r, list, &rows[i]);
        selectable |= rows[i].status == ENROLLMENT_SUBMITTED;
    }
    tv_set_bool(d, "selectable", selectable);
    long pages = (long)((total + REVIEW_PAGE_ROWS - 1) / REVIEW_PAGE_ROWS);
    if (pages > 1) {
        struct tv *p = tv_set_dict(d, "pager");
        tv_set_int(p, "page", s.page);
        tv_set_int(p, "pages", pages);
        if (s.page > 1)
            tv_set_str(p, "prev_href",
                       review_list_url(r, list_path, &s.f, s.page > pages ? pages : s.page - 1));
        if (s.page < pages)
            tv_set_str(p, "next_href", review_list_url(r, list_path, &s.f, s.page + 1));
    }
    page_render(r, w, status, tmpl_office_enrollment_list, d);
}

static void office_review_list(struct req *r, struct resp *w)
{
    review_list_page(r, w, r->has_errors ? 422 : 200, NULL);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static void office_review_csv(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct review_list_state s;
    if (!db || review_list_state(r, db, &s) != 0) {
        page_error(r, w, 500);
        return;
    }
    if (r->has_errors) {
        /* The list shows what is wrong with the filter. */
        review_list_page(r, w, 422, NULL);
        return;
    }
    buf_reset(&w->body);
    size_t rows = 0;
    enum review_err e =
        review_csv(db, &r->arena, r->tenant.id, &s.f, I18N_DEFAULT_LANG, &w->body, &rows);
    if (e == REVIEW_ERR_TOO_MANY) {
        buf_reset(&w->body);
        review_list_page(r, w, 422,
                         page_tr(r,
                                 N_("More than {max} enrollments match these filters: narrow "
                                    "them (for example by school) to export them."),
                                 "max", review_id_text(r, REVIEW_CSV_ROWS_MAX), NULL));
        return;
    }
    if (e != REVIEW_OK) {
        page_error(r, w, 500);
        return;
    }
    w->status = 200;
    w->content_type = "text/csv; charset=utf-8";
    resp_header(w, "Content-Disposition", "attachment; filename=\"iscrizioni.csv\"");
    resp_header(w, "Cache-Control", "no-store");
}

/* ---- bulk decisions ------------------------------------------------------------------------ */

static void office_review_bulk(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *action = req_field(r, "azione");
    bool reject = action && !strcmp(action, "rifiuta");
    const char *back = req_field(r, "ritorno");
    const char *list_path = review_href(r, "");
    if (!back || strncmp(back, list_path, strlen(list_path)) != 0)
        back = list_path;

    const char **values = NULL;
    size_t nvalues = req_field_list(r, "iscrizione[]", false, &values);
    const char *problem = NULL;
    if (!action)
        problem = N_("Choose whether to confirm or to reject the selected enrollments.");
    else if (req_field_error(r, "iscrizione[]"))
        problem = N_("The selection is not valid: go back to the list and select again.");
    else if (nvalues == 0)
        problem = N_("Select at least one enrollment in the list.");
    else if (nvalues > REVIEW_BULK_MAX)
        problem = N_("Select at most 100 enrollments at a time.");
    else if (reject && !review_text_valid(req_field(r, "motivo_gruppo"), REVIEW_REASON_MIN,
                                          REVIEW_REASON_MAX))
        problem = N_("To reject, write the reason (at least 3 characters): the families "
                     "receive it by e-mail.");

    struct tv *d = page_new(r, N_("Decision on several enrollments"));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Enrollments"), back);
    page_crumb(r, d, N_("Decision on several enrollments"), NULL);
    office_nav(r, d, "enrollments");
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    tv_set_str(d, "back_href", back);
    if (problem) {
        tv_set_str(d, "problem", tr(r->lang, problem));
        page_render(r, w, 422, tmpl_office_enrollment_bulk, d);
        return;
    }
    int64_t ids[REVIEW_BULK_MAX];
    for (size_t i = 0; i < nvalues; i++)
        ids[i] = field_row_id_parse(values[i]);
    struct enrollment_actor by;
    struct review_ctx c = review_ctx_for(r, &by);
    struct review_bulk_item *items = NULL;
    size_t done = 0, skipped = 0;
    enum review_err e =
        review_bulk(db, &r->arena, &c, ids, nvalues, reject ? req_field(r, "motivo_gruppo") : NULL,
                    &items, &done, &skipped);
    if (e == REVIEW_ERR_MAIL) {
        tv_set_str(d, "problem",
                   tr(r->lang, N_("An e-mail to a family could not be prepared, so nothing was "
                                  "changed. Try again, or decide the enrollments one at a time.")));
        page_render(r, w, 500, tmpl_office_enrollment_bulk, d);
        return;
    }
    if (e != REVIEW_OK) {
        page_error(r, w, 500);
        return;
    }
    tv_set_bool(d, "rejected", reject);
    tv_set_int(d, "done", (long long)done);
    tv_set_int(d, "skipped", (long long)skipped);
    struct tv *list = tv_set_list(d, "items");
    for (size_t i = 0; i < done + skipped; i++) {
        const struct review_bulk_item *it = &items[i];
        struct tv *o = tv_push_dict(list);
        tv_set_str(o, "pupil",
                   *it->pupil ? it->pupil
                              : arena_printf(&r->arena, "%s %lld", tr(r->lang, N_("Enrollment")),
                                             (long long)it->id));
        if (it->result != REVIEW_ERR_NOT_FOUND)
            tv_set_str(o, "href",
                       review_href(r, arena_printf(&r->arena, "/%lld", (long long)it->id)));
        tv_set_bool(o, "done", it->result == REVIEW_OK);
        const char *why = it->result == REVIEW_OK ? (reject ? N_("Rejected") : N_("Confirmed"))
                          : it->result == REVIEW_ERR_NOT_FOUND
                              ? N_("Skipped: this enrollment does not exist.")
                              : N_("Skipped: it was not awaiting a decision.");
        tv_set_str(o, "outcome", tr(r->lang, why));
        if (it->result == REVIEW_ERR_STATE)
            tv_set_str(o, "status_label", review_status_label(r, it->status));
    }
    page_render(r, w, 200, tmpl_office_enrollment_bulk, d);
}

/* ---- the detail ----------------------------------------------------------------------------- */

/* The outcome shown after a redirect (?esito=...): a fixed table, so nothing typed is echoed. */
static const struct {
    const char *token;
    const char *msgid;
} review_outcomes[] = {
    {"confermata", N_("The enrollment was confirmed. The family receives an e-mail with the "
                      "badge code.")},
    {"rifiutata", N_("The enrollment was rejected. The family receives an e-mail with the "
                     "reason.")},
    {"dieta-approvata", N_("The special diet was approved.")},
    {"dieta-rifiutata", N_("The special diet request was rejected.")},
    {"deroga", N_("The debt gate was overridden: the family can submit this enrollment.")},
};

static const char *review_action_label(const char *action)
{
    static const struct {
        const char *action, *msgid;
    } labels[] = {
        {"start.renewal", N_("Renewal started")},
        {"save.draft", N_("Draft saved")},
        {"save.pupil", N_("Pupil details saved")},
        {"save.guardian", N_("Parent details saved")},
        {"save.school", N_("School and class saved")},
        {"save.diet", N_("Special diet saved")},
        {"save.payment", N_("Payment details saved")},
        {"save.declarations", N_("Declarations accepted")},
        {"submit", N_("Submitted")},
        {"resubmit", N_("Submitted again")},
        {"withdraw", N_("Withdrawn")},
        {"confirm", N_("Confirmed")},
        {"reject", N_("Rejected")},
        {"diet_approve", N_("Special diet approved")},
        {"diet_reject", N_("Special diet rejected")},
        {"debt_override", N_("Debt gate overridden")},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(action, labels[i].action))
            return labels[i].msgid;
    return NULL;
}

static const char *review_actor_label(const char *kind)
{
    if (!strcmp(kind, "staff"))
        return N_("Office");
    if (!strcmp(kind, "family"))
        return N_("Family");
    if (!strcmp(kind, "cli"))
        return N_("Command line");
    return N_("System");
}

static const char *review_yes_no(struct req *r, bool yes)
{
    return tr(r->lang, yes ? N_("Yes") : N_("No"));
}

/* Lines of a text, for a template that puts <br> between them. */
static void review_lines(struct tv *d, const char *key, struct arena *a, const char *text)
{
    struct tv *list = tv_set_list(d, key);
    const char *p = text;
    while (p && *p) {
        size_t n = strcspn(p, "\n");
        size_t k = n && p[n - 1] == '\r' ? n - 1 : n;
        if (k)
            tv_push_str(list, arena_strndup(a, p, k));
        p += n + (p[n] == '\n');
    }
}

static const char *review_euro(struct req *r, int64_t cents)
{
    int64_t v = cents < 0 ? -cents : cents;
    return arena_printf(&r->arena, "%s%lld,%02lld", cents < 0 ? "-" : "", (long long)(v / 100),
                        (long long)(v % 100));
}

static void review_detail_data(struct req *r, struct db *db, struct tv *d,
                               const struct enrollment *e)
{
    struct arena *a = &r->arena;
    const char *base = review_href(r, arena_printf(a, "/%lld", (long long)e->id));
    struct tv *x = tv_set_dict(d, "e");
    tv_set_int(x, "id", e->id);
    tv_set_str(x, "status", enrollment_status_name(e->status));
    tv_set_str(x, "status_label", review_status_label(r, e->status));
    tv_set_bool(x, "submitted", e->status == ENROLLMENT_SUBMITTED);
    tv_set_bool(x, "rejected", e->status == ENROLLMENT_REJECTED);
    tv_set_str(x, "reject_reason", e->reject_reason);
    tv_set_str(x, "decided_at", review_time_rome(a, e->decided_at));
    tv_set_str(x, "decided_by", e->decided_by);
    tv_set_str(x, "kind_label", tr(r->lang, review_kind_label(e->kind)));
    tv_set_str(x, "campaign", e->campaign_title);
    tv_set_str(x, "school_year", e->school_year_label);
    tv_set_str(x, "badge_code", e->badge_code);
    tv_set_bool(x, "badge_active", e->status == ENROLLMENT_CONFIRMED);
    /* pupil */
    tv_set_str(x, "pupil_name", e->pupil_name);
    tv_set_str(x, "pupil_surname", e->pupil_surname);
    tv_set_str(x, "pupil_fiscal_code", e->pupil_fiscal_code);
    tv_set_str(x, "pupil_birth_date", review_date_it(a, e->pupil_birth_date));
    tv_set_str(x, "pupil_sex",
               !strcmp(e->pupil_sex, "F")   ? tr(r->lang, N_("Female"))
               : !strcmp(e->pupil_sex, "M") ? tr(r->lang, N_("Male"))
                                            : "");
    const struct place *born = places_find(e->pupil_birth_place);
    tv_set_str(x, "pupil_birth_place",
               born ? arena_printf(a, "%s (%s) - %s", born->name, born->province, born->code)
                    : e->pupil_birth_place);
    /* guardian */
    tv_set_str(x, "guardian_name", e->guardian_name);
    tv_set_str(x, "guardian_surname", e->guardian_surname);
    tv_set_str(x, "guardian_fiscal_code", e->guardian_fiscal_code);
    tv_set_str(x, "guardian_email", e->guardian_email);
    tv_set_str(x, "guardian_mobile", e->guardian_mobile);
    tv_set_str(x, "guardian_address", e->guardian_address);
    tv_set_str(x, "guardian_resident", review_yes_no(r, e->guardian_resident));
    tv_set_str(x, "user_code", e->user_code);
    tv_set_str(x, "privacy_accepted", review_yes_no(r, e->privacy_accepted));
    /* school */
    tv_set_str(x, "school", e->school_name);
    tv_set_str(x, "class", e->class_name);
    struct tv *days = tv_set_list(x, "weekdays");
    for (const char *p = e->weekdays; *p; p++)
        if (*p >= '1' && *p <= '7')
            tv_push_str(days, tr(r->lang, enrollment_weekday_label(*p - '0')));
    /* diet */
    bool diet = strcmp(e->diet_kind, "none") != 0;
    tv_set_bool(x, "diet", diet);
    tv_set_str(x, "diet_label", tr(r->lang, enrollment_diet_label(e->diet_kind)));
    review_lines(x, "diet_notes", a, e->diet_notes);
    tv_set_str(x, "diet_status_label", tr(r->lang, review_diet_status_label(e->diet_status)));
    tv_set_str(x, "diet_code", e->diet_code);
    tv_set_str(x, "diet_decision_note", e->diet_decision_note);
    tv_set_bool(x, "diet_decidable",
                diet && (e->status == ENROLLMENT_SUBMITTED || e->status == ENROLLMENT_CONFIRMED));
    if (e->certificate_id) {
        struct attachment att;
        tv_set_str(x, "certificate_href", arena_printf(a, "%s/certificato", base));
        if (attachment_info(db, a, r->tenant.id, e->certificate_id, &att) == 1)
            tv_set_str(x, "certificate_name", att.filename);
    }
    /* payment */
    tv_set_str(x, "payment_label", tr(r->lang, review_payment_label(e->payment_method)));
    bool debit = !strcmp(e->payment_method, "direct_debit");
    tv_set_bool(x, "direct_debit", debit);
    if (debit) {
        tv_set_str(x, "iban", review_iban_masked(a, e->iban));
        tv_set_str(x, "iban_holder", e->iban_holder);
        tv_set_str(x, "mandate_accepted", review_yes_no(r, e->mandate_accepted));
    }
    tv_set_str(x, "isee_band", e->isee_band_label);
    tv_set_str(x, "declarations_accepted", review_yes_no(r, e->declarations_accepted));
    /* times */
    tv_set_str(x, "created_at", review_time_rome(a, e->created_at));
    tv_set_str(x, "updated_at", review_time_rome(a, e->updated_at));
    tv_set_str(x, "submitted_at", review_time_rome(a, e->submitted_at));
    /* debt gate */
    struct review_debt debt;
    if (review_debt(db, a, e, &debt) == 0 && debt.has_threshold) {
        struct tv *g = tv_set_dict(x, "debt");
        tv_set_str(g, "threshold", review_euro(r, debt.threshold_cents));
        tv_set_str(g, "balance", review_euro(r, debt.balance_cents));
        tv_set_bool(g, "blocked", debt.blocked);
    }
    tv_set_str(x, "debt_override_reason", e->debt_override_reason);
    tv_set_bool(x, "debt_overridable",
                e->status == ENROLLMENT_DRAFT || e->status == ENROLLMENT_SUBMITTED);
    /* forms */
    tv_set_str(d, "confirm_action", arena_printf(a, "%s/conferma", base));
    tv_set_str(d, "reject_action", arena_printf(a, "%s/rifiuta", base));
    tv_set_str(d, "diet_approve_action", arena_printf(a, "%s/dieta/approva", base));
    tv_set_str(d, "diet_reject_action", arena_printf(a, "%s/dieta/rifiuta", base));
    tv_set_str(d, "debt_action", arena_printf(a, "%s/deroga-debito", base));
    tv_set_int(d, "reason_max", REVIEW_REASON_MAX);
    tv_set_int(d, "note_max", REVIEW_NOTE_MAX);
    tv_set_int(d, "code_max", REVIEW_DIET_CODE_MAX);
    /* The values typed in a form that failed, and the diet code already given. */
    struct tv *values = (struct tv *)tv_get(d, "values");
    if (values && !tv_get_str(values, "codice_dieta") && *e->diet_code)
        tv_set_str(values, "codice_dieta", e->diet_code);
}

static int review_history_data(struct req *r, struct db *db, struct tv *d, int64_t id)
{
    struct enrollment_event *ev = NULL;
    size_t n = 0;
    if (enrollment_history(db, &r->arena, r->tenant.id, id, &ev, &n) != 0)
        return -1;
    struct tv *list = tv_set_list(d, "history");
    for (size_t i = 0; i < n; i++) {
        struct tv *h = tv_push_dict(list);
        tv_set_str(h, "at", review_time_rome(&r->arena, ev[i].at));
        tv_set_str(h, "actor_kind", tr(r->lang, review_actor_label(ev[i].actor_kind)));
        tv_set_str(h, "actor", ev[i].actor_label);
        const char *label = review_action_label(ev[i].action);
        tv_set_str(h, "action", label ? tr(r->lang, label) : ev[i].action);
        enum enrollment_status s;
        tv_set_str(h, "status",
                   enrollment_status_parse(ev[i].status, &s) ? review_status_label(r, s)
                                                             : ev[i].status);
        review_lines(h, "detail", &r->arena, ev[i].detail);
    }
    return 0;
}

/* The detail page; form_error (translated) above the forms, status 200, 409 or 422. */
static void review_detail_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    int64_t id = field_row_id_parse(req_param(r, 0));
    struct enrollment e;
    int found = db && id ? review_find(db, &r->arena, r->tenant.id, id, &e) : db ? 0 : -1;
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    const char *title = arena_printf(&r->arena, "%s %s", e.pupil_name, e.pupil_surname);
    struct tv *d = page_new(r, N_("Enrollment"));
    tv_set_str(d, "page_title",
               arena_printf(&r->arena, "%s: %s", tr(r->lang, N_("Enrollment")), title));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Enrollments"), review_href(r, ""));
    struct tv *crumbs = (struct tv *)tv_get(d, "breadcrumb");
    struct tv *last = tv_push_dict(crumbs);
    tv_set_str(last, "label", title);
    office_nav(r, d, "enrollments");
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "title", title);
    const char *t = req_query(r, "esito");
    for (size_t i = 0; t && i < sizeof(review_outcomes) / sizeof(review_outcomes[0]); i++)
        if (!strcmp(t, review_outcomes[i].token))
            tv_set_str(d, "outcome", tr(r->lang, review_outcomes[i].msgid));
    review_detail_data(r, db, d, &e);
    if (review_history_data(r, db, d, id) != 0) {
        page_error(r, w, 500);
        return;
    }
    page_render(r, w, status, tmpl_office_enrollment_detail, d);
}

static void office_review_detail(struct req *r, struct resp *w)
{
    review_detail_page(r, w, 200, NULL);
}

/* After a decision: back to the detail with the outcome, or the detail with the problem. */
static void review_decided(struct req *r, struct resp *w, enum review_err e, const char *outcome)
{
    switch (e) {
    case REVIEW_OK:
        resp_redirect(
            w, 303,
            review_href(r, arena_printf(&r->arena, "/%s?esito=%s", req_param(r, 0), outcome)));
        return;
    case REVIEW_ERR_NOT_FOUND:
        page_error(r, w, 404);
        return;
    case REVIEW_ERR_STATE:
        review_detail_page(
            r, w, 409,
            tr(r->lang, N_("This is not possible in the enrollment's current status: only a "
                           "submitted enrollment can be confirmed or rejected, and its diet "
                           "decided; the debt gate can be overridden only before the decision.")));
        return;
    case REVIEW_ERR_NO_DIET:
        review_detail_page(r, w, 409,
                           tr(r->lang, N_("This enrollment does not ask for a special diet.")));
        return;
    case REVIEW_ERR_REASON:
    case REVIEW_ERR_CODE:
        review_detail_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    case REVIEW_ERR_MAIL:
        review_detail_page(r, w, 500,
                           tr(r->lang, N_("The e-mail to the family could not be prepared, so "
                                          "nothing was changed. Try again.")));
        return;
    default:
        page_error(r, w, 500);
    }
}

/* The common start of every decision: the id, the database, the context. False when answered. */
static bool review_begin(struct req *r, struct resp *w, struct db **db, int64_t *id)
{
    *db = store_db();
    *id = field_row_id_parse(req_param(r, 0));
    if (!*db) {
        page_error(r, w, 500);
        return false;
    }
    if (!*id) {
        page_error(r, w, 404);
        return false;
    }
    if (r->has_errors) {
        review_detail_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return false;
    }
    return true;
}

static void office_review_confirm(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t id;
    if (!review_begin(r, w, &db, &id))
        return;
    struct enrollment_actor by;
    struct review_ctx c = review_ctx_for(r, &by);
    review_decided(r, w, review_confirm(db, &r->arena, &c, id), "confermata");
}

static void office_review_reject(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t id;
    if (!review_begin(r, w, &db, &id))
        return;
    struct enrollment_actor by;
    struct review_ctx c = review_ctx_for(r, &by);
    review_decided(r, w, review_reject(db, &r->arena, &c, id, req_field(r, "motivo")), "rifiutata");
}

static void office_review_diet_approve(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t id;
    if (!review_begin(r, w, &db, &id))
        return;
    struct enrollment_actor by;
    struct review_ctx c = review_ctx_for(r, &by);
    review_decided(r, w,
                   review_diet_approve(db, &r->arena, &c, id, req_field(r, "codice_dieta"),
                                       req_field(r, "nota_dieta")),
                   "dieta-approvata");
}

static void office_review_diet_reject(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t id;
    if (!review_begin(r, w, &db, &id))
        return;
    struct enrollment_actor by;
    struct review_ctx c = review_ctx_for(r, &by);
    review_decided(r, w,
                   review_diet_reject(db, &r->arena, &c, id, req_field(r, "nota_rifiuto_dieta")),
                   "dieta-rifiutata");
}

static void office_review_debt_override(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t id;
    if (!review_begin(r, w, &db, &id))
        return;
    struct enrollment_actor by;
    struct review_ctx c = review_ctx_for(r, &by);
    review_decided(r, w, review_debt_override(db, &r->arena, &c, id, req_field(r, "motivo_deroga")),
                   "deroga");
}

/* ---- the medical certificate ---------------------------------------------------------------- */

/* Health data: the role must be one attachment_role_may_read allows for the file's kind, and
   the read is in the audit log before a byte is sent (no record, no file). Shown in the
   browser rather than saved, so no copy lands in the office computer's downloads. */
static void office_review_certificate(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    int64_t id = field_row_id_parse(req_param(r, 0));
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (!attachment_role_may_read(ATTACHMENT_MEDICAL_CERTIFICATE, r->user.role)) {
        page_error(r, w, 403);
        return;
    }
    struct enrollment e;
    int found = id ? review_find(db, &r->arena, r->tenant.id, id, &e) : 0;
    if (found == 1 && !e.certificate_id)
        found = 0;
    struct attachment att;
    if (found == 1)
        found = attachment_get(db, &r->arena, r->tenant.id, e.certificate_id, &att);
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    enum attachment_kind kind;
    if (!attachment_kind_parse(att.kind, &kind) || !attachment_role_may_read(kind, r->user.role)) {
        page_error(r, w, 403);
        return;
    }
    if (attachment_record_read(db, r->tenant.id, att.id, "staff", r->user.id, r->user.email,
                               r->client_addr) != 0) {
        page_error(r, w, 500);
        return;
    }
    resp_download(r, w, att.content_type, att.filename, att.data, att.size, true);
}
