/*
 * The office's money pages for families in debt: the list of debtors (/ufficio/debitori) with
 * its filters, pages, CSV export and reminders by e-mail to the families ticked; a family's
 * account (/ufficio/famiglie/{id}/conto): every ledger entry with the running balance, the
 * wallet's state and the office's forms (a manual entry, suspending the service after a written
 * notice, lifting it); and the import of opening balances from the previous platform
 * (/ufficio/saldi-iniziali), checked first (dry run) and applied only when the office confirms
 * the same file. Administrators and the office may do all of it; the catering operator may
 * read the list and the accounts; the kitchen may not. Owns debts_routes; the rules are
 * services/debts.h's.
 */
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "domain/money.h"
#include "services/debts.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/review.h"
#include "store/store.h"
#include "templates.h"
#include "util/text.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/fields.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define DEBTS_READ_ROLES  (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE)
#define DEBTS_WRITE_ROLES (ROLE_ADMIN | ROLE_UFFICIO)
#define DEBTS_PAGES_MAX   100000

/* ---- fields -------------------------------------------------------------------------------- */

/* The minimum amount owed: an amount in euro, zero or more. */
static const char *debts_field_min(struct arena *a, const char *in, const char **out)
{
    static const struct euro_rules min = {
        .bounded = true,
        .min = 0,
        .max = INT64_MAX,
        .not_amount = N_("Enter an amount in euro, like 50 or 12,50."),
    };
    return field_euro_check(&min, a, in, out);
}

static const char *debts_field_days(struct arena *a, const char *in, const char **out)
{
    if (!str_digits(in, 1, 5) || atol(in) > DEBTS_DAYS_MAX)
        return N_("Enter a number of days, like 30.");
    *out = in;
    return NULL;
}

static const char *debts_field_yes_no(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "si") != 0 && strcmp(in, "no") != 0)
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *debts_field_sort(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "importo") != 0 && strcmp(in, "anzianita") != 0)
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *debts_field_page(struct arena *a, const char *in, const char **out)
{
    if (!str_digits(in, 1, 6) || atol(in) < 1 || atol(in) > DEBTS_PAGES_MAX)
        return N_("This value is not valid.");
    *out = in;
    return NULL;
}

static const char *debts_field_ledger_kind(struct arena *a, const char *in, const char **out)
{
    enum ledger_kind k;
    if (!ledger_kind_parse(in, &k))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *debts_field_entry_kind(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "adjustment") != 0 && strcmp(in, "refund") != 0 && strcmp(in, "fee") != 0)
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

/* A reason for the record: DEBTS_REASON_MIN..MAX characters, several lines allowed. */
static const char *debts_field_reason(struct arena *a, const char *in, const char **out)
{
    const char *err = field_multiline(a, in, out);
    if (err)
        return err;
    if (!debts_reason_valid(*out))
        return N_("Write the reason: at least 5 characters.");
    return NULL;
}

/* The date of the written notice: a day (field_day), not after today (Rome). */
static const char *debts_field_notice_date(struct arena *a, const char *in, const char **out)
{
    const char *err = field_day(a, in, out);
    if (err)
        return err;
    if (!debts_notice_date_valid(*out))
        return N_("The date of the notice cannot be in the future.");
    return NULL;
}

static const char *debts_field_import_action(struct arena *a, const char *in, const char **out)
{
    if (strcmp(in, "verifica") != 0 && strcmp(in, "applica") != 0)
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const char *debts_field_digest(struct arena *a, const char *in, const char **out)
{
    if (strlen(in) != DEBTS_IMPORT_DIGEST_LEN || strspn(in, "0123456789abcdef") != strlen(in))
        return N_("This value is not valid.");
    *out = in;
    return NULL;
}

static const struct field_spec debts_list_fields[] = {
    {"minimo", debts_field_min, 20, false},    {"giorni", debts_field_days, 5, false},
    {"sospese", debts_field_yes_no, 2, false}, {"q", field_text, DEBTS_QUERY_MAX, false},
    {"ordine", debts_field_sort, 10, false},   {"pagina", debts_field_page, 6, false},
};

static const struct field_spec debts_remind_fields[] = {
    {"ritorno", field_local_path, 1024, false},
    {"famiglia[]", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static const struct field_spec debts_account_fields[] = {
    {"mese", field_month, 7, false},
    {"alunno", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"tipo", debts_field_ledger_kind, 16, false},
};

static const struct field_spec debts_entry_fields[] = {
    {"tipo_movimento", debts_field_entry_kind, 16, true},
    {"importo", field_text, MONEY_MAX_INPUT, false},
    {"alunno_movimento", field_row_id, FIELD_ROW_ID_CHARS, false},
    {"motivo_movimento", debts_field_reason, DEBTS_REASON_MAX, true},
};

static const struct field_spec debts_suspend_fields[] = {
    {"data_avviso", debts_field_notice_date, 10, true},
    {"motivo_sospensione", debts_field_reason, DEBTS_REASON_MAX, true},
};

static const struct field_spec debts_lift_fields[] = {
    {"motivo_riattivazione", debts_field_reason, DEBTS_REASON_MAX, true},
};

static const struct field_spec debts_import_fields[] = {
    {"azione", debts_field_import_action, 10, false},
    {"impronta", debts_field_digest, DEBTS_IMPORT_DIGEST_LEN, false},
};

static void office_debts_list(struct req *r, struct resp *w);
static void office_debts_csv(struct req *r, struct resp *w);
static void office_debts_remind(struct req *r, struct resp *w);
static void office_debts_account(struct req *r, struct resp *w);
static void office_debts_entry(struct req *r, struct resp *w);
static void office_debts_suspend(struct req *r, struct resp *w);
static void office_debts_lift(struct req *r, struct resp *w);
static void office_debts_import_form(struct req *r, struct resp *w);
static void office_debts_import(struct req *r, struct resp *w);
static void office_debts_enrollment_account(struct req *r, struct resp *w);

const struct route debts_routes[] = {
    {HTTP_GET, "/ufficio/debitori", DEBTS_READ_ROLES, ROUTE_FIELDS(debts_list_fields),
     office_debts_list, 0},
    {HTTP_GET, "/ufficio/debitori.csv", DEBTS_READ_ROLES, ROUTE_FIELDS(debts_list_fields),
     office_debts_csv, 0},
    {HTTP_POST, "/ufficio/debitori/solleciti", DEBTS_WRITE_ROLES, ROUTE_FIELDS(debts_remind_fields),
     office_debts_remind, 0},
    {HTTP_GET, "/ufficio/famiglie/{id}/conto", DEBTS_READ_ROLES, ROUTE_FIELDS(debts_account_fields),
     office_debts_account, 0},
    {HTTP_POST, "/ufficio/famiglie/{id}/movimenti", DEBTS_WRITE_ROLES,
     ROUTE_FIELDS(debts_entry_fields), office_debts_entry, 0},
    {HTTP_POST, "/ufficio/famiglie/{id}/sospensione", DEBTS_WRITE_ROLES,
     ROUTE_FIELDS(debts_suspend_fields), office_debts_suspend, 0},
    {HTTP_POST, "/ufficio/famiglie/{id}/riattivazione", DEBTS_WRITE_ROLES,
     ROUTE_FIELDS(debts_lift_fields), office_debts_lift, 0},
    {HTTP_GET, "/ufficio/saldi-iniziali", DEBTS_WRITE_ROLES, NULL, 0, office_debts_import_form, 0},
    {HTTP_POST, "/ufficio/saldi-iniziali", DEBTS_WRITE_ROLES, ROUTE_FIELDS(debts_import_fields),
     office_debts_import, ROUTE_UPLOAD},
    {HTTP_GET, "/ufficio/iscrizioni/{id}/conto", DEBTS_READ_ROLES, NULL, 0,
     office_debts_enrollment_account, 0},
    {0},
};

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *debts_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/ufficio%s", r->tenant.slug, path);
}

static const char *debts_account_href(struct req *r, int64_t guardian_id, const char *suffix)
{
    return debts_href(r, arena_printf(&r->arena, "/famiglie/%lld/%s", (long long)guardian_id,
                                      suffix ? suffix : "conto"));
}

static const char *debts_euro(struct req *r, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    money_format(cents, text);
    return arena_strdup(&r->arena, text);
}

static struct debts_actor debts_actor_for(struct req *r)
{
    return (struct debts_actor){r->user.id, r->user.email, r->client_addr};
}

static void debts_option(struct tv *list, const char *value, const char *label, bool selected)
{
    struct tv *o = tv_push_dict(list);
    tv_set_str(o, "value", value);
    tv_set_str(o, "label", label);
    tv_set_bool(o, "selected", selected);
}

static void debts_query_add(struct buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    buf_putc(b, b->len ? '&' : '?');
    buf_puts(b, name);
    buf_putc(b, '=');
    html_url_component(b, value, strlen(value));
}

/* ---- the list ------------------------------------------------------------------------------ */

struct debts_list_state {
    struct debts_filter f;
    long page;
    const char *min_text, *days_text, *suspended_text, *sort_text; /* as in the address */
};

static void debts_list_state(struct req *r, struct debts_list_state *s)
{
    memset(s, 0, sizeof(*s));
    s->min_text = req_field(r, "minimo");
    s->days_text = req_field(r, "giorni");
    s->suspended_text = req_field(r, "sospese");
    s->sort_text = req_field(r, "ordine");
    s->f.min_cents = s->min_text ? strtoll(s->min_text, NULL, 10) : 0;
    s->f.min_days = s->days_text ? atoi(s->days_text) : 0;
    s->f.suspended = !s->suspended_text ? -1 : !strcmp(s->suspended_text, "si") ? 1 : 0;
    s->f.q = req_field(r, "q");
    s->f.sort =
        s->sort_text && !strcmp(s->sort_text, "anzianita") ? DEBTS_SORT_AGE : DEBTS_SORT_AMOUNT;
    const char *page = req_field(r, "pagina");
    s->page = page ? atol(page) : 1;
}

/* path + the filter as a query string (+ the page when > 1). The minimum goes back as typed. */
static const char *debts_list_url(struct req *r, const char *path, const struct debts_list_state *s,
                                  long page)
{
    struct buf b;
    buf_init(&b, 4096);
    debts_query_add(&b, "minimo", req_field_raw(r, "minimo"));
    debts_query_add(&b, "giorni", s->days_text);
    debts_query_add(&b, "sospese", s->suspended_text);
    debts_query_add(&b, "q", s->f.q);
    debts_query_add(&b, "ordine", s->sort_text);
    if (page > 1)
        debts_query_add(&b, "pagina", arena_printf(&r->arena, "%ld", page));
    const char *url = arena_printf(&r->arena, "%s%s", path, buf_str(&b));
    buf_free(&b);
    return url;
}

static void debts_list_filters(struct req *r, struct tv *d, const struct debts_list_state *s)
{
    struct tv *list = tv_set_list(d, "suspended_options");
    debts_option(list, "", tr(r->lang, N_("All")), s->f.suspended < 0);
    debts_option(list, "si", tr(r->lang, N_("Suspended only")), s->f.suspended == 1);
    debts_option(list, "no", tr(r->lang, N_("Not suspended only")), s->f.suspended == 0);
    list = tv_set_list(d, "sort_options");
    debts_option(list, "importo", tr(r->lang, N_("Largest debt first")),
                 s->f.sort == DEBTS_SORT_AMOUNT);
    debts_option(list, "anzianita", tr(r->lang, N_("Oldest debt first")),
                 s->f.sort == DEBTS_SORT_AGE);
}

static void debts_list_row(struct req *r, struct tv *list, const struct debtor *x)
{
    struct tv *it = tv_push_dict(list);
    tv_set_int(it, "id", x->guardian_id);
    tv_set_str(it, "href", debts_account_href(r, x->guardian_id, NULL));
    tv_set_str(it, "guardian", arena_printf(&r->arena, "%s %s", x->surname, x->name));
    tv_set_str(it, "fiscal_code", x->fiscal_code);
    tv_set_str(it, "user_code", x->user_code);
    tv_set_str(it, "email", x->email);
    tv_set_str(it, "pupils", x->pupils);
    tv_set_str(it, "owed", debts_euro(r, x->owed_cents));
    tv_set_str(it, "since", time_rome_display(&r->arena, x->debt_since));
    tv_set_int(it, "days", x->age_days);
    tv_set_str(it, "last_reminder", time_rome_display(&r->arena, x->last_reminder));
    tv_set_bool(it, "suspended", x->suspended);
    tv_set_str(it, "notice_on", time_date_display(&r->arena, x->suspended_notice_on));
}

static void debts_list_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    struct debts_list_state s;
    debts_list_state(r, &s);
    struct debtor *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    size_t offset = (size_t)(s.page - 1) * DEBTS_PAGE_ROWS;
    if (debts_search(db, &r->arena, r->tenant.id, &s.f, DEBTS_PAGE_ROWS, offset, &rows, &n,
                     &total) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("Debtors"));
    page_crumb(r, d, N_("Back office"), debts_href(r, "/"));
    page_crumb(r, d, N_("Debtors"), NULL);
    office_nav(r, d, "debts");
    if (!page_form_begin(r, w, d, form_error))
        return;
    const char *list_path = debts_href(r, "/debitori");
    tv_set_str(d, "form_action", list_path);
    tv_set_str(d, "csv_href", debts_list_url(r, debts_href(r, "/debitori.csv"), &s, 1));
    bool may_write = (r->user.role & DEBTS_WRITE_ROLES) != 0;
    tv_set_bool(d, "may_write", may_write);
    tv_set_str(d, "remind_action", debts_href(r, "/debitori/solleciti"));
    if (may_write)
        tv_set_str(d, "import_href", debts_href(r, "/saldi-iniziali"));
    tv_set_str(d, "return_path", debts_list_url(r, list_path, &s, s.page));
    tv_set_int(d, "total", total);
    debts_list_filters(r, d, &s);
    struct tv *list = tv_set_list(d, "rows");
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        debts_list_row(r, list, &rows[i]);
        sum += rows[i].owed_cents;
    }
    tv_set_str(d, "page_sum", debts_euro(r, sum));
    long pages = (long)((total + DEBTS_PAGE_ROWS - 1) / DEBTS_PAGE_ROWS);
    if (pages > 1) {
        struct tv *p = tv_set_dict(d, "pager");
        tv_set_int(p, "page", s.page);
        tv_set_int(p, "pages", pages);
        if (s.page > 1)
            tv_set_str(p, "prev_href",
                       debts_list_url(r, list_path, &s, s.page > pages ? pages : s.page - 1));
        if (s.page < pages)
            tv_set_str(p, "next_href", debts_list_url(r, list_path, &s, s.page + 1));
    }
    page_render(r, w, status, tmpl_office_debtors, d);
}

static void office_debts_list(struct req *r, struct resp *w)
{
    debts_list_page(r, w, r->has_errors ? 422 : 200, NULL);
}

static void office_debts_csv(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (r->has_errors) {
        debts_list_page(r, w, 422, NULL);
        return;
    }
    struct debts_list_state s;
    debts_list_state(r, &s);
    buf_reset(&w->body);
    size_t rows = 0;
    enum debts_err e = debts_csv(db, &r->arena, r->tenant.id, &s.f, &w->body, &rows);
    if (e == DEBTS_ERR_TOO_MANY) {
        buf_reset(&w->body);
        debts_list_page(r, w, 422,
                        tr(r->lang, N_("Too many families match these filters to export them: "
                                       "narrow the filters.")));
        return;
    }
    if (e != DEBTS_OK) {
        page_error(r, w, 500);
        return;
    }
    w->status = 200;
    w->content_type = "text/csv; charset=utf-8";
    resp_header(w, "Content-Disposition", "attachment; filename=\"debitori.csv\"");
    resp_header(w, "Cache-Control", "no-store");
}

/* ---- reminders ------------------------------------------------------------------------------ */

static void office_debts_remind(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *back = req_field(r, "ritorno");
    const char *list_path = debts_href(r, "/debitori");
    if (!back || strncmp(back, list_path, strlen(list_path)) != 0)
        back = list_path;
    const char **values = NULL;
    size_t nvalues = req_field_list(r, "famiglia[]", false, &values);
    const char *problem = NULL;
    if (req_field_error(r, "famiglia[]"))
        problem = N_("The selection is not valid: go back to the list and select again.");
    else if (nvalues == 0)
        problem = N_("Select at least one family in the list.");
    else if (nvalues > DEBTS_BULK_MAX)
        problem = N_("Select at most 100 families at a time.");

    struct tv *d = page_new(r, N_("Reminders"));
    page_crumb(r, d, N_("Back office"), debts_href(r, "/"));
    page_crumb(r, d, N_("Debtors"), back);
    page_crumb(r, d, N_("Reminders"), NULL);
    office_nav(r, d, "debts");
    if (page_csrf(r, w, d) != 0) {
        page_error(r, w, 500);
        return;
    }
    tv_set_str(d, "back_href", back);
    if (problem) {
        tv_set_str(d, "problem", tr(r->lang, problem));
        page_render(r, w, 422, tmpl_office_debtors_reminders, d);
        return;
    }
    int64_t ids[DEBTS_BULK_MAX];
    for (size_t i = 0; i < nvalues; i++)
        ids[i] = field_row_id_parse(values[i]);
    struct debts_actor by = debts_actor_for(r);
    struct debts_reminder_item *items = NULL;
    size_t sent = 0, skipped = 0;
    const char *topup =
        page_absolute_url(r, arena_printf(&r->arena, "/%s/ricariche", r->tenant.slug));
    enum debts_err e =
        debts_remind(db, &r->arena, &r->tenant, &by, ids, nvalues, topup, &items, &sent, &skipped);
    if (e == DEBTS_ERR_MAIL) {
        tv_set_str(d, "problem",
                   tr(r->lang, N_("An e-mail to a family could not be prepared, so no reminder "
                                  "was sent. Try again.")));
        page_render(r, w, 500, tmpl_office_debtors_reminders, d);
        return;
    }
    if (e != DEBTS_OK) {
        page_error(r, w, 500);
        return;
    }
    tv_set_int(d, "sent", (long long)sent);
    tv_set_int(d, "skipped", (long long)skipped);
    struct tv *list = tv_set_list(d, "items");
    for (size_t i = 0; i < sent + skipped; i++) {
        const struct debts_reminder_item *it = &items[i];
        struct tv *o = tv_push_dict(list);
        tv_set_str(o, "name",
                   *it->name ? it->name
                             : arena_printf(&r->arena, "%s %lld", tr(r->lang, N_("Family")),
                                            (long long)it->guardian_id));
        if (it->result != DEBTS_REMINDER_NOT_FOUND)
            tv_set_str(o, "href", debts_account_href(r, it->guardian_id, NULL));
        const char *why = N_("Skipped: this family does not exist.");
        switch (it->result) {
        case DEBTS_REMINDER_SENT:
            why = N_("Reminder sent");
            tv_set_str(o, "owed", debts_euro(r, it->owed_cents));
            break;
        case DEBTS_REMINDER_NOT_IN_DEBT:
            why = N_("Skipped: the family is no longer in debt.");
            break;
        case DEBTS_REMINDER_NO_EMAIL:
            why = N_("Skipped: the family has no e-mail address.");
            break;
        case DEBTS_REMINDER_NOT_FOUND:
            break;
        }
        tv_set_bool(o, "sent", it->result == DEBTS_REMINDER_SENT);
        tv_set_str(o, "outcome", tr(r->lang, why));
    }
    page_render(r, w, 200, tmpl_office_debtors_reminders, d);
}

/* ---- a family's account --------------------------------------------------------------------- */

static const struct {
    const char *token, *msgid;
} debts_outcomes[] = {
    {"movimento", N_("The entry was recorded.")},
    {"sospesa", N_("The service of the family was suspended. The family receives an e-mail.")},
    {"riattivata", N_("The suspension was lifted.")},
};

static const char *debts_time(struct req *r, const char *iso)
{
    return time_rome_display(&r->arena, iso);
}

/* The account page; form_error (translated) above the forms; status 200, 409 or 422. */
static void debts_account_page(struct req *r, struct resp *w, int status, const char *form_error)
{
    struct db *db = store_db();
    int64_t gid = field_row_id_parse(req_param(r, 0));
    struct guardian g;
    int found = db && gid ? guardian_find_by_id(db, &r->arena, r->tenant.id, gid, &g) : db ? 0 : -1;
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    struct wallet wal;
    struct pupil_summary *pupils = NULL;
    size_t np = 0;
    struct ledger_filter f = {0};
    if (r->route && r->route->handler == office_debts_account) {
        f.month = req_field(r, "mese");
        f.pupil_id = field_row_id_parse(req_field(r, "alunno"));
        f.kind = req_field(r, "tipo");
    }
    struct ledger_row *rows = NULL;
    size_t n = 0;
    int64_t opening = 0;
    if (ledger_wallet(db, r->tenant.id, gid, &wal) != 0 ||
        guardian_pupils(db, &r->arena, r->tenant.id, gid, &pupils, &np) != 0 ||
        ledger_list(db, &r->arena, r->tenant.id, gid, &f, &rows, &n, &opening) != 0) {
        page_error(r, w, 500);
        return;
    }
    const char *title = arena_printf(&r->arena, "%s %s", g.name, g.surname);
    struct tv *d = page_new(r, N_("Family account"));
    tv_set_str(d, "page_title",
               arena_printf(&r->arena, "%s: %s", tr(r->lang, N_("Family account")), title));
    page_crumb(r, d, N_("Back office"), debts_href(r, "/"));
    page_crumb(r, d, N_("Debtors"), debts_href(r, "/debitori"));
    struct tv *crumbs = (struct tv *)tv_get(d, "breadcrumb");
    tv_set_str(tv_push_dict(crumbs), "label", title);
    office_nav(r, d, "debts");
    if (!page_form_begin(r, w, d, form_error))
        return;
    tv_set_str(d, "title", title);
    const char *t = req_query(r, "esito");
    for (size_t i = 0; t && i < sizeof(debts_outcomes) / sizeof(debts_outcomes[0]); i++)
        if (!strcmp(t, debts_outcomes[i].token))
            tv_set_str(d, "outcome", tr(r->lang, debts_outcomes[i].msgid));

    struct tv *x = tv_set_dict(d, "family");
    tv_set_str(x, "fiscal_code", g.fiscal_code);
    tv_set_str(x, "user_code", g.user_code);
    tv_set_str(x, "email", g.email);
    tv_set_str(x, "mobile", g.mobile);
    struct tv *pl = tv_set_list(x, "pupils");
    for (size_t i = 0; i < np; i++)
        tv_push_str(pl, arena_printf(&r->arena, "%s %s (%s)", pupils[i].name, pupils[i].surname,
                                     pupils[i].fiscal_code));

    struct tv *wd = tv_set_dict(d, "wallet");
    tv_set_str(wd, "balance", debts_euro(r, wal.balance_cents));
    tv_set_bool(wd, "in_debt", wal.balance_cents < 0);
    if (wal.balance_cents < 0)
        tv_set_str(wd, "owed", debts_euro(r, -wal.balance_cents));
    if (*wal.debt_since) {
        tv_set_str(wd, "debt_since", debts_time(r, wal.debt_since));
        tv_set_int(wd, "debt_days", debts_age_days(wal.debt_since));
    }
    tv_set_bool(wd, "suspended", wal.suspended);
    if (wal.suspended) {
        tv_set_str(wd, "suspended_at", debts_time(r, wal.suspended_at));
        tv_set_str(wd, "notice_on", time_date_display(&r->arena, wal.suspended_notice_on));
        tv_set_str(wd, "reason", wal.suspended_reason);
        tv_set_str(wd, "by", wal.suspended_by);
    }

    /* The statement with its filters. */
    tv_set_str(d, "filter_action", debts_account_href(r, gid, NULL));
    struct tv *po = tv_set_list(d, "pupil_options");
    debts_option(po, "", tr(r->lang, N_("All")), f.pupil_id == 0);
    for (size_t i = 0; i < np; i++)
        debts_option(po, arena_printf(&r->arena, "%lld", (long long)pupils[i].id),
                     arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname),
                     f.pupil_id == pupils[i].id);
    struct tv *ko = tv_set_list(d, "kind_options");
    debts_option(ko, "", tr(r->lang, N_("All")), !f.kind);
    for (int k = LEDGER_OPENING; k <= LEDGER_FEE; k++) {
        const char *name = ledger_kind_name((enum ledger_kind)k);
        debts_option(ko, name, tr(r->lang, ledger_kind_label(name)),
                     f.kind && !strcmp(f.kind, name));
    }
    bool filtered = (f.month && *f.month) || f.pupil_id || (f.kind && *f.kind);
    tv_set_bool(d, "filtered", filtered);
    tv_set_int(d, "entries", (long long)n);
    if (n)
        tv_set_str(d, "opening", debts_euro(r, opening));
    struct tv *list = tv_set_list(d, "rows");
    for (size_t i = 0; i < n; i++) {
        struct tv *it = tv_push_dict(list);
        tv_set_str(it, "at", debts_time(r, rows[i].at));
        tv_set_str(it, "kind", rows[i].kind);
        tv_set_str(it, "kind_label", tr(r->lang, ledger_kind_label(rows[i].kind)));
        tv_set_str(it, "pupil", rows[i].pupil_name);
        tv_set_str(it, "description", rows[i].description);
        tv_set_str(it, "reason", rows[i].reason);
        tv_set_str(it, "amount", debts_euro(r, rows[i].amount_cents));
        tv_set_bool(it, "negative", rows[i].amount_cents < 0);
        tv_set_str(it, "balance_after", debts_euro(r, rows[i].balance_after));
        tv_set_str(it, "created_by", rows[i].created_by);
    }

    /* The office's forms. */
    bool may_write = (r->user.role & DEBTS_WRITE_ROLES) != 0;
    tv_set_bool(d, "may_write", may_write);
    if (may_write) {
        tv_set_str(d, "entry_action", debts_account_href(r, gid, "movimenti"));
        tv_set_str(d, "suspend_action", debts_account_href(r, gid, "sospensione"));
        tv_set_str(d, "lift_action", debts_account_href(r, gid, "riattivazione"));
        const char *chosen = req_field_raw(r, "tipo_movimento");
        struct tv *eo = tv_set_list(d, "entry_kinds");
        static const char *const kinds[] = {"adjustment", "refund", "fee"};
        for (size_t i = 0; i < 3; i++)
            debts_option(eo, kinds[i], tr(r->lang, ledger_kind_label(kinds[i])),
                         chosen && !strcmp(chosen, kinds[i]));
        const char *pupil_chosen = req_field_raw(r, "alunno_movimento");
        struct tv *ep = tv_set_list(d, "entry_pupils");
        debts_option(ep, "", tr(r->lang, N_("The whole family")), !pupil_chosen);
        for (size_t i = 0; i < np; i++) {
            const char *v = arena_printf(&r->arena, "%lld", (long long)pupils[i].id);
            debts_option(ep, v, arena_printf(&r->arena, "%s %s", pupils[i].name, pupils[i].surname),
                         pupil_chosen && !strcmp(pupil_chosen, v));
        }
        tv_set_bool(d, "may_suspend", !wal.suspended && wal.balance_cents < 0);
        char today[TIME_LOCAL_DATE_MAX];
        time_today("Europe/Rome", today);
        tv_set_str(d, "today", today);
        tv_set_int(d, "reason_max", DEBTS_REASON_MAX);
    }
    page_render(r, w, status, tmpl_office_family_account, d);
}

static void office_debts_account(struct req *r, struct resp *w)
{
    debts_account_page(r, w, r->has_errors ? 422 : 200, NULL);
}

/* The common start of every form of the account page. False when answered. */
static bool debts_begin(struct req *r, struct resp *w, struct db **db, int64_t *gid)
{
    *db = store_db();
    *gid = field_row_id_parse(req_param(r, 0));
    if (!*db) {
        page_error(r, w, 500);
        return false;
    }
    if (!*gid) {
        page_error(r, w, 404);
        return false;
    }
    if (r->has_errors) {
        debts_account_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return false;
    }
    return true;
}

static void debts_done(struct req *r, struct resp *w, int64_t gid, const char *outcome)
{
    resp_redirect(
        w, 303, arena_printf(&r->arena, "%s?esito=%s", debts_account_href(r, gid, NULL), outcome));
}

static void office_debts_entry(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t gid;
    if (!debts_begin(r, w, &db, &gid))
        return;
    struct debts_actor by = debts_actor_for(r);
    struct debts_entry e = {.guardian_id = gid,
                            .pupil_id = field_row_id_parse(req_field(r, "alunno_movimento")),
                            .kind = req_field(r, "tipo_movimento"),
                            .amount = req_field(r, "importo"),
                            .reason = req_field(r, "motivo_movimento")};
    const char *problem = NULL;
    switch (debts_manual_entry(db, &r->arena, r->tenant.id, &by, &e, NULL, &problem)) {
    case DEBTS_OK:
        debts_done(r, w, gid, "movimento");
        return;
    case DEBTS_ERR_AMOUNT:
        req_set_field_error(r, "importo", problem);
        break;
    case DEBTS_ERR_REASON:
        req_set_field_error(r, "motivo_movimento", N_("Write the reason: at least 5 characters."));
        break;
    case DEBTS_ERR_KIND:
        req_set_field_error(r, "tipo_movimento", N_("Choose one of the options listed."));
        break;
    case DEBTS_ERR_REFUND:
        req_set_field_error(r, "importo",
                            N_("A refund cannot be larger than the family's credit."));
        break;
    case DEBTS_ERR_NOT_FOUND:
        if (e.pupil_id) {
            req_set_field_error(r, "alunno_movimento", N_("Choose one of the options listed."));
            break;
        }
        page_error(r, w, 404);
        return;
    default:
        page_error(r, w, 500);
        return;
    }
    debts_account_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
}

static void office_debts_suspend(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t gid;
    if (!debts_begin(r, w, &db, &gid))
        return;
    struct debts_actor by = debts_actor_for(r);
    switch (debts_suspend(db, &r->arena, &r->tenant, &by, gid, req_field(r, "data_avviso"),
                          req_field(r, "motivo_sospensione"))) {
    case DEBTS_OK:
        debts_done(r, w, gid, "sospesa");
        return;
    case DEBTS_ERR_NOT_FOUND:
        page_error(r, w, 404);
        return;
    case DEBTS_ERR_STATE:
        debts_account_page(r, w, 409,
                           tr(r->lang, N_("Only a family in debt whose service is not already "
                                          "suspended can be suspended.")));
        return;
    case DEBTS_ERR_MAIL:
        debts_account_page(r, w, 500,
                           tr(r->lang, N_("The e-mail to the family could not be prepared, so "
                                          "nothing was changed. Try again.")));
        return;
    case DEBTS_ERR_REASON:
    case DEBTS_ERR_DATE:
        debts_account_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    default:
        page_error(r, w, 500);
    }
}

static void office_debts_lift(struct req *r, struct resp *w)
{
    struct db *db;
    int64_t gid;
    if (!debts_begin(r, w, &db, &gid))
        return;
    struct debts_actor by = debts_actor_for(r);
    switch (debts_lift(db, &r->tenant, &by, gid, req_field(r, "motivo_riattivazione"))) {
    case DEBTS_OK:
        debts_done(r, w, gid, "riattivata");
        return;
    case DEBTS_ERR_NOT_FOUND:
        page_error(r, w, 404);
        return;
    case DEBTS_ERR_STATE:
        debts_account_page(r, w, 409,
                           tr(r->lang, N_("The service of this family is not suspended.")));
        return;
    case DEBTS_ERR_REASON:
        debts_account_page(r, w, 422, tr(r->lang, N_("Check the fields marked below.")));
        return;
    default:
        page_error(r, w, 500);
    }
}

/* From an enrollment to its family's account. */
static void office_debts_enrollment_account(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    int64_t id = field_row_id_parse(req_param(r, 0));
    struct enrollment e;
    int found = db && id ? review_find(db, &r->arena, r->tenant.id, id, &e) : db ? 0 : -1;
    if (found == 1 && !e.guardian_id)
        found = 0;
    if (found != 1) {
        page_error(r, w, found == 0 ? 404 : 500);
        return;
    }
    resp_redirect(w, 303, debts_account_href(r, e.guardian_id, NULL));
}

/* ---- opening balances ----------------------------------------------------------------------- */

static struct tv *debts_import_data(struct req *r, struct resp *w)
{
    struct tv *d = page_new(r, N_("Opening balances"));
    page_crumb(r, d, N_("Back office"), debts_href(r, "/"));
    page_crumb(r, d, N_("Debtors"), debts_href(r, "/debitori"));
    page_crumb(r, d, N_("Opening balances"), NULL);
    office_nav(r, d, "debts");
    if (!page_form_begin(r, w, d, NULL))
        return NULL;
    tv_set_str(d, "form_action", debts_href(r, "/saldi-iniziali"));
    return d;
}

static void office_debts_import_form(struct req *r, struct resp *w)
{
    struct tv *d = debts_import_data(r, w);
    if (d)
        page_render(r, w, 200, tmpl_office_opening_import, d);
}

static void debts_import_report(struct req *r, struct tv *d, const struct debts_import *im)
{
    struct tv *x = tv_set_dict(d, "report");
    tv_set_int(x, "lines", (long long)im->nlines);
    tv_set_int(x, "valid", (long long)im->valid);
    tv_set_int(x, "rejected", (long long)im->rejected);
    tv_set_int(x, "applied", (long long)im->applied);
    tv_set_str(x, "total", debts_euro(r, im->total_cents));
    tv_set_str(x, "digest", im->digest);
    struct tv *bad = tv_set_list(x, "bad");
    struct tv *good = tv_set_list(x, "good");
    for (size_t i = 0; i < im->nlines; i++) {
        const struct debts_import_line *l = &im->lines[i];
        struct tv *o = tv_push_dict(l->problem ? bad : good);
        tv_set_int(o, "line", (long long)l->line);
        tv_set_str(o, "content", l->content);
        if (l->problem) {
            tv_set_str(o, "reason", tr(r->lang, l->problem));
            if (l->other_line)
                tv_set_int(o, "other_line", (long long)l->other_line);
        } else {
            tv_set_str(o, "fiscal_code", l->fiscal_code);
            tv_set_str(o, "pupil", l->pupil_name);
            tv_set_str(o, "amount", debts_euro(r, l->cents));
            tv_set_str(o, "href", debts_account_href(r, l->guardian_id, NULL));
        }
    }
}

static void office_debts_import(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = debts_import_data(r, w);
    if (!d)
        return;
    const struct req_file *file = req_file(r, "file");
    if (!file) {
        page_field_error(r, d, "file", N_("Choose the CSV file to check."));
        tv_set_str((struct tv *)tv_get(d, "errors"), "form",
                   tr(r->lang, N_("Check the fields marked below.")));
        page_render(r, w, 422, tmpl_office_opening_import, d);
        return;
    }
    const char *action = req_field(r, "azione");
    const char *digest = req_field(r, "impronta");
    bool apply = action && !strcmp(action, "applica");
    struct debts_import im;
    enum debts_err e = debts_import_check(db, &r->arena, r->tenant.id, file->data, file->len, &im);
    if (e != DEBTS_OK) {
        page_error(r, w, 500);
        return;
    }
    tv_set_str(d, "filename", file->filename);
    if (im.file_problem) {
        page_field_error(r, d, "file", im.file_problem);
        tv_set_str((struct tv *)tv_get(d, "errors"), "form",
                   tr(r->lang, N_("The file cannot be imported: see the message below.")));
        page_render(r, w, 422, tmpl_office_opening_import, d);
        return;
    }
    if (apply && (!digest || strcmp(digest, im.digest) != 0)) {
        /* Not the file checked: show its dry run instead of applying it. */
        tv_set_str((struct tv *)tv_get(d, "errors"), "form",
                   tr(r->lang, N_("This is not the file that was checked, so nothing was "
                                  "applied. Here is its check: apply it again if it is right.")));
        apply = false;
    }
    if (apply) {
        struct debts_actor by = debts_actor_for(r);
        e = debts_import_apply(db, &r->arena, r->tenant.id, &by, file->data, file->len, &im);
        if (e != DEBTS_OK) {
            page_error(r, w, 500);
            return;
        }
        tv_set_bool(d, "applied", true);
    }
    debts_import_report(r, d, &im);
    page_render(r, w, 200, tmpl_office_opening_import, d);
}
