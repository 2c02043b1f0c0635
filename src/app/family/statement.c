/*
 * The family's money pages: the statement of the account ("estratto conto": balance, every
 * movement with the running balance, filters by month and pupil, as a page, a CSV file and a
 * PDF with the same filters) and the yearly certificates of school-meal expenses for the 730
 * tax return (a list per pupil and year, and the PDF; the rule is in services/tax_certificate.h).
 * Every page is the signed-in family's own: a pupil of another family is a 404.
 */
#include <stdlib.h>
#include <string.h>

#include "app/family/family.h"
#include "app/handlers.h"
#include "docs/doc.h"
#include "domain/money.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/tax_certificate.h"
#include "store/store.h"
#include "templates.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/download.h"
#include "web/html.h"
#include "web/fields.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define STATEMENT_PDF_ROWS_MAX 5000 /* movements in one PDF (a year of meals is a few hundred) */
#define STATEMENT_MONTHS_MAX   600  /* months offered in the filter */

/* ---- fields -------------------------------------------------------------------------------- */

/* A row id: 1 to 18 digits, no sign, no leading zero. */
static const struct field_spec statement_fields[] = {
    {"mese", field_month, 7, false},
    {"alunno", field_row_id, FIELD_ROW_ID_CHARS, false},
};

static void statement_page(struct req *r, struct resp *w);
static void statement_csv(struct req *r, struct resp *w);
static void statement_pdf(struct req *r, struct resp *w);
static void certificates_page(struct req *r, struct resp *w);
static void certificate_pdf(struct req *r, struct resp *w);

const struct route statement_routes[] = {
    {HTTP_GET, "/famiglie/conto", ROLE_FAMILY, ROUTE_FIELDS(statement_fields), statement_page, 0},
    {HTTP_GET, "/famiglie/conto.csv", ROLE_FAMILY, ROUTE_FIELDS(statement_fields), statement_csv,
     0},
    {HTTP_GET, "/famiglie/conto.pdf", ROLE_FAMILY, ROUTE_FIELDS(statement_fields), statement_pdf,
     0},
    {HTTP_GET, "/famiglie/attestazioni", ROLE_FAMILY, NULL, 0, certificates_page, 0},
    {HTTP_GET, "/famiglie/attestazioni/{pupil}/{file}", ROLE_FAMILY, NULL, 0, certificate_pdf, 0},
    {0},
};

/* ---- shared -------------------------------------------------------------------------------- */

/* Like every family page but the password change, these wait until a temporary password is
   replaced. */
static bool statement_must_change_password(struct req *r, struct resp *w)
{
    if (!r->family.password_temporary)
        return false;
    resp_redirect(w, 303, family_href(r, "/password"));
    return true;
}

static struct tv *statement_page_new(struct req *r, const char *title)
{
    struct tv *d = page_new(r, title);
    page_crumb(r, d, N_("Your account"), family_href(r, "/"));
    page_crumb(r, d, title, NULL);
    page_nav(r, d, N_("Your account"), family_href(r, "/"), false);
    return d;
}

static const char *statement_money(struct req *r, int64_t cents)
{
    char *s = arena_alloc(&r->arena, MONEY_TEXT_SIZE);
    money_format(cents, s);
    return s;
}

/* An amount with its sign always shown: "+20,00 €", "-4,50 €". */
static const char *statement_signed(struct req *r, int64_t cents)
{
    const char *s = statement_money(r, cents);
    return cents > 0 ? arena_printf(&r->arena, "+%s", s) : s;
}

/* A stored instant as its Rome date, "dd/mm/yyyy". */
static const char *statement_date(struct req *r, const char *iso)
{
    char date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX];
    if (!time_utc_to_rome(iso, date, hhmm))
        return "";
    return time_date_display(&r->arena, date);
}

static const char *statement_pupil_name(struct req *r, const struct pupil_summary *p)
{
    return arena_printf(&r->arena, "%s %s", p->name, p->surname);
}

static bool statement_render(struct req *r, struct resp *w, const struct doc *d,
                             const char *filename)
{
    struct buf pdf;
    buf_init(&pdf, DOC_PDF_MAX);
    char err[DOC_ERR_MAX];
    if (doc_render_pdf(d, &pdf, err, sizeof(err)) != 0) {
        log_error("statement PDF failed", "error", err, "file", filename);
        buf_free(&pdf);
        return false;
    }
    resp_download(r, w, "application/pdf", filename, pdf.data, pdf.len, false);
    buf_free(&pdf);
    return true;
}

/* ---- the statement ------------------------------------------------------------------------- */

struct statement {
    struct ledger_filter f;
    const char *month;                 /* NULL: every month */
    const struct pupil_summary *pupil; /* NULL: every pupil */
    struct pupil_summary *pupils;
    size_t npupils;
    struct ledger_row *rows;
    size_t n;
    int64_t opening, closing, balance;
    const char **months; /* with movements, newest first */
    size_t nmonths;
};

/* Load what the filters ask for. False when an answer has been given (404 for a pupil not of
   this family, 500); an invalid month was already refused by the validator and is ignored. */
static bool statement_load(struct req *r, struct resp *w, struct db *db, struct statement *s)
{
    memset(s, 0, sizeof(*s));
    if (guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &s->pupils, &s->npupils) != 0) {
        page_error(r, w, 500);
        return false;
    }
    const char *pupil = req_field(r, "alunno");
    if (pupil) {
        int64_t id = field_row_id_parse(pupil);
        for (size_t i = 0; i < s->npupils; i++)
            if (s->pupils[i].id == id)
                s->pupil = &s->pupils[i];
        if (!s->pupil) {
            page_error(r, w, 404);
            return false;
        }
        s->f.pupil_id = id;
    }
    s->month = req_field(r, "mese");
    s->f.month = s->month;
    /* Every movement once, for the months offered and the current balance. */
    struct ledger_row *all = NULL;
    size_t nall = 0;
    if (ledger_list(db, &r->arena, r->tenant.id, r->family.id, NULL, &all, &nall, NULL) != 0 ||
        ledger_list(db, &r->arena, r->tenant.id, r->family.id, &s->f, &s->rows, &s->n,
                    &s->opening) != 0) {
        page_error(r, w, 500);
        return false;
    }
    s->balance = nall ? all[nall - 1].balance_after : 0;
    s->closing = s->n ? s->rows[s->n - 1].balance_after : s->opening;
    s->months = arena_calloc(&r->arena, STATEMENT_MONTHS_MAX, sizeof(*s->months));
    for (size_t i = nall; i-- > 0 && s->nmonths < STATEMENT_MONTHS_MAX;) {
        char date[TIME_LOCAL_DATE_MAX], hhmm[TIME_LOCAL_HHMM_MAX];
        if (!time_utc_to_rome(all[i].at, date, hhmm))
            continue;
        const char *month = arena_strndup(&r->arena, date, 7);
        if (!s->nmonths || strcmp(s->months[s->nmonths - 1], month) != 0)
            s->months[s->nmonths++] = month;
    }
    return true;
}

static bool statement_filtered(const struct statement *s)
{
    return s->month || s->pupil;
}

/* The query string of the filters, for the download links. */
static const char *statement_query(struct req *r, const struct statement *s)
{
    struct buf b;
    buf_init(&b, 256);
    if (s->month) {
        buf_puts(&b, "?mese=");
        html_url_component(&b, s->month, strlen(s->month));
    }
    if (s->pupil)
        buf_printf(&b, "%calunno=%lld", b.len ? '&' : '?', (long long)s->pupil->id);
    const char *q = arena_strdup(&r->arena, buf_str(&b));
    buf_free(&b);
    return q;
}

/* "novembre 2026", "Every month", with the pupil when chosen. */
static const char *statement_period(struct req *r, const struct statement *s)
{
    const char *period = s->month ? field_month_label_ym(&r->arena, r->lang, s->month)
                                  : tr(r->lang, N_("Every month"));
    if (s->pupil)
        period = arena_printf(&r->arena, "%s, %s", period, statement_pupil_name(r, s->pupil));
    return period;
}

static void statement_option(struct tv *list, const char *value, const char *label, bool selected)
{
    struct tv *o = tv_push_dict(list);
    tv_set_str(o, "value", value);
    tv_set_str(o, "label", label);
    tv_set_bool(o, "selected", selected);
}

static struct tv *statement_select(struct req *r, struct tv *selects, const char *name,
                                   const char *label_msgid, const char *any_msgid)
{
    struct tv *sel = tv_push_dict(selects);
    tv_set_str(sel, "name", name);
    tv_set_str(sel, "label", tr(r->lang, label_msgid));
    tv_set_str(sel, "any", tr(r->lang, any_msgid));
    const char *err = req_field_error(r, name);
    if (err)
        tv_set_str(sel, "error", tr(r->lang, err));
    return tv_set_list(sel, "options");
}

static void statement_show(struct req *r, struct resp *w, int status, struct db *db)
{
    struct statement s;
    if (!statement_load(r, w, db, &s))
        return;
    struct tv *d = statement_page_new(r, N_("Statement"));
    tv_set_str(d, "balance", statement_money(r, s.balance));
    tv_set_bool(d, "in_debt", s.balance < 0);
    tv_set_str(d, "form_action", family_href(r, "/conto"));
    struct tv *selects = tv_set_list(d, "selects");
    struct tv *opts = statement_select(r, selects, "mese", N_("Month"), N_("All"));
    bool listed = false;
    for (size_t i = 0; i < s.nmonths; i++) {
        bool on = s.month && !strcmp(s.month, s.months[i]);
        listed |= on;
        statement_option(opts, s.months[i], field_month_label_ym(&r->arena, r->lang, s.months[i]),
                         on);
    }
    if (s.month && !listed)
        statement_option(opts, s.month, field_month_label_ym(&r->arena, r->lang, s.month), true);
    opts = statement_select(r, selects, "alunno", N_("Pupil"), N_("All"));
    for (size_t i = 0; i < s.npupils; i++)
        statement_option(opts, arena_printf(&r->arena, "%lld", (long long)s.pupils[i].id),
                         statement_pupil_name(r, &s.pupils[i]), s.pupil == &s.pupils[i]);
    tv_set_bool(d, "filtered", statement_filtered(&s));
    tv_set_str(d, "period", statement_period(r, &s));
    tv_set_str(d, "opening", statement_money(r, s.opening));
    tv_set_str(d, "closing", statement_money(r, s.closing));
    struct tv *rows = tv_set_list(d, "rows");
    for (size_t i = 0; i < s.n; i++) {
        const struct ledger_row *e = &s.rows[i];
        struct tv *row = tv_push_dict(rows);
        tv_set_str(row, "date", statement_date(r, e->at));
        tv_set_str(row, "description", e->description);
        tv_set_str(row, "pupil", e->pupil_name);
        tv_set_str(row, "kind_label", tr(r->lang, ledger_kind_label(e->kind)));
        tv_set_str(row, "amount", statement_signed(r, e->amount_cents));
        tv_set_str(row, "balance", statement_money(r, e->balance_after));
    }
    const char *q = statement_query(r, &s);
    tv_set_str(d, "csv_href", arena_printf(&r->arena, "%s%s", family_href(r, "/conto.csv"), q));
    tv_set_str(d, "pdf_href", arena_printf(&r->arena, "%s%s", family_href(r, "/conto.pdf"), q));
    tv_set_str(d, "certificates_href", family_href(r, "/attestazioni"));
    page_render(r, w, status, tmpl_family_statement, d);
}

static void statement_page(struct req *r, struct resp *w)
{
    if (statement_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    statement_show(r, w, r->has_errors ? 422 : 200, db);
}

/* The file name of a download: "estratto-conto[-2026-11][-RSSGLI18E62H501A].ext". */
static const char *statement_filename(struct req *r, const struct statement *s, const char *ext)
{
    return arena_printf(&r->arena, "estratto-conto%s%s%s%s.%s", s->month ? "-" : "",
                        s->month ? s->month : "", s->pupil ? "-" : "",
                        s->pupil ? s->pupil->fiscal_code : "", ext);
}

static void statement_csv(struct req *r, struct resp *w)
{
    if (statement_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (r->has_errors) {
        statement_show(r, w, 422, db);
        return;
    }
    struct statement s;
    if (!statement_load(r, w, db, &s))
        return;
    struct buf csv;
    buf_init(&csv, HTTP_MAX_RESPONSE_BYTES);
    csv_begin(&csv);
    const char *const headers[] = {N_("Date"), N_("Description"), N_("Pupil"),
                                   N_("Type"), N_("Amount"),      N_("Balance")};
    size_t nh = sizeof(headers) / sizeof(headers[0]);
    for (size_t i = 0; i < nh; i++)
        csv_cell(&csv, tr(r->lang, headers[i]), i + 1 == nh);
    for (size_t i = 0; i < s.n; i++) {
        const struct ledger_row *e = &s.rows[i];
        csv_cell(&csv, statement_date(r, e->at), false);
        csv_cell(&csv, e->description, false);
        csv_cell(&csv, e->pupil_name, false);
        csv_cell(&csv, tr(r->lang, ledger_kind_label(e->kind)), false);
        csv_amount(&csv, e->amount_cents, false);
        csv_amount(&csv, e->balance_after, true);
    }
    if (csv.err != BUF_OK) {
        buf_free(&csv);
        page_error(r, w, 500);
        return;
    }
    resp_download(r, w, "text/csv; charset=utf-8", statement_filename(r, &s, "csv"), csv.data,
                  csv.len, false);
    buf_free(&csv);
}

static void statement_pdf(struct req *r, struct resp *w)
{
    if (statement_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (r->has_errors) {
        statement_show(r, w, 422, db);
        return;
    }
    struct statement s;
    if (!statement_load(r, w, db, &s))
        return;
    if (s.n > STATEMENT_PDF_ROWS_MAX) {
        req_set_field_error(r, "mese", N_("Too many movements for one PDF: choose a month."));
        statement_show(r, w, 422, db);
        return;
    }
    struct doc *d = app_doc_new(r, r->lang, N_("Account statement"));
    doc_field(d, tr(r->lang, N_("Family")),
              arena_printf(&r->arena, "%s %s", r->family.name, r->family.surname));
    doc_field(d, tr(r->lang, N_("Codice fiscale")), r->family.fiscal_code);
    doc_field(d, tr(r->lang, N_("User code")), r->family.user_code);
    doc_field(d, tr(r->lang, N_("Period")), statement_period(r, &s));
    doc_field(d, tr(r->lang, N_("Balance at the start of the period")),
              statement_money(r, s.opening));
    doc_field(d, tr(r->lang, N_("Closing balance")), statement_money(r, s.closing));
    char today[TIME_LOCAL_DATE_MAX];
    time_today("Europe/Rome", today);
    doc_field(d, tr(r->lang, N_("Issued on")), time_date_display(&r->arena, today));
    if (s.n) {
        const char *headers[] = {
            tr(r->lang, N_("Date")), tr(r->lang, N_("Description")), tr(r->lang, N_("Pupil")),
            tr(r->lang, N_("Type")), tr(r->lang, N_("Amount")),      tr(r->lang, N_("Balance")),
        };
        doc_table(d, 6, headers);
        for (size_t i = 0; i < s.n; i++) {
            const struct ledger_row *e = &s.rows[i];
            const char *cells[] = {statement_date(r, e->at),
                                   e->description,
                                   e->pupil_name,
                                   tr(r->lang, ledger_kind_label(e->kind)),
                                   statement_signed(r, e->amount_cents),
                                   statement_money(r, e->balance_after)};
            doc_table_row(d, cells);
        }
    } else {
        doc_paragraph(d, tr(r->lang, statement_filtered(&s)
                                         ? N_("No movement matches these filters.")
                                         : N_("There are no movements on your account yet.")));
    }
    doc_note(d, tr(r->lang, N_("The balance after each movement is the balance of the whole "
                               "family account, shared by the children.")));
    if (!statement_render(r, w, d, statement_filename(r, &s, "pdf")))
        page_error(r, w, 500);
}

/* ---- certificates for the 730 -------------------------------------------------------------- */

/* The list; none (may be NULL) is the pupil and year asked for with nothing paid. */
static void certificates_show(struct req *r, struct resp *w, int status, struct db *db,
                              const struct tax_pupil *none, int none_year)
{
    int *years = NULL;
    size_t nyears = 0;
    struct pupil_summary *pupils = NULL;
    size_t npupils = 0;
    if (tax_certificate_years(db, &r->arena, r->tenant.id, r->family.id, &years, &nyears) != 0 ||
        guardian_pupils(db, &r->arena, r->tenant.id, r->family.id, &pupils, &npupils) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tax_certificate *certs = arena_calloc(&r->arena, nyears ? nyears : 1, sizeof(*certs));
    for (size_t y = 0; y < nyears; y++)
        if (tax_certificate_compute(db, &r->arena, r->tenant.id, r->family.id, years[y],
                                    &certs[y]) != 0) {
            page_error(r, w, 500);
            return;
        }
    struct tv *d = statement_page_new(r, N_("Certificates for the 730 tax return"));
    struct tv *list = tv_set_list(d, "pupils");
    for (size_t i = 0; i < npupils; i++) {
        struct tv *p = tv_push_dict(list);
        tv_set_str(p, "name", statement_pupil_name(r, &pupils[i]));
        tv_set_str(p, "fiscal_code", pupils[i].fiscal_code);
        struct tv *ylist = tv_set_list(p, "years");
        for (size_t y = 0; y < nyears; y++) {
            const struct tax_pupil *tp = tax_certificate_pupil(&certs[y], pupils[i].id);
            if (!tp || tp->total_cents <= 0)
                continue;
            struct tv *it = tv_push_dict(ylist);
            tv_set_int(it, "year", years[y]);
            tv_set_str(it, "total", statement_money(r, tp->total_cents));
            tv_set_str(it, "href",
                       family_href(r, arena_printf(&r->arena, "/attestazioni/%lld/%d.pdf",
                                                   (long long)pupils[i].id, years[y])));
        }
    }
    if (none) {
        struct tv *n = tv_set_dict(d, "none");
        tv_set_str(n, "pupil", arena_printf(&r->arena, "%s %s", none->name, none->surname));
        tv_set_int(n, "year", none_year);
    }
    tv_set_str(d, "statement_href", family_href(r, "/conto"));
    page_render(r, w, status, tmpl_family_certificates, d);
}

static void certificates_page(struct req *r, struct resp *w)
{
    if (statement_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    certificates_show(r, w, 200, db, NULL, 0);
}

/* "2026.pdf" -> 2026; 0 when it is not a year file. */
static int certificate_parse_year(const char *file)
{
    if (!file || strlen(file) != 8 || strcmp(file + 4, ".pdf") != 0 ||
        strspn(file, "0123456789") != 4)
        return 0;
    int y = atoi(file);
    return y >= TAX_CERT_YEAR_MIN && y <= TAX_CERT_YEAR_MAX ? y : 0;
}

static void certificate_doc(struct req *r, struct doc *d, const struct tax_certificate *c,
                            const struct tax_pupil *p)
{
    const char *payer = arena_printf(&r->arena, "%s %s", r->family.name, r->family.surname);
    const char *pupil = arena_printf(&r->arena, "%s %s", p->name, p->surname);
    const char *year = arena_printf(&r->arena, "%d", c->year);
    doc_heading(d, tr(r->lang, N_("Municipality")));
    doc_field(d, tr(r->lang, N_("Name")), r->tenant.name);
    doc_field(d, tr(r->lang, N_("Codice fiscale")), r->tenant.fiscal_code);
    doc_heading(d, tr(r->lang, N_("Payer")));
    doc_field(d, tr(r->lang, N_("Name")), payer);
    doc_field(d, tr(r->lang, N_("Codice fiscale")), r->family.fiscal_code);
    doc_heading(d, tr(r->lang, N_("Pupil")));
    doc_field(d, tr(r->lang, N_("Name")), pupil);
    doc_field(d, tr(r->lang, N_("Codice fiscale")), p->fiscal_code);
    doc_field(d, tr(r->lang, N_("School attended")), *p->school ? p->school : "-");
    doc_heading(d, tr(r->lang, N_("Expenses")));
    doc_field(d, tr(r->lang, N_("Calendar year")), year);
    doc_field(d, tr(r->lang, N_("Paid by the family with pagoPA, all children")),
              statement_money(r, c->paid_cents));
    doc_field(d, tr(r->lang, N_("Refunds in the year")), statement_money(r, c->refunds_cents));
    doc_field(d, tr(r->lang, N_("Net paid by the family")), statement_money(r, c->total_cents));
    doc_field(d, tr(r->lang, N_("Paid for the pupil, net of refunds")),
              statement_money(r, p->total_cents));
    doc_paragraph(
        d, page_tr(r,
                   N_("The municipality certifies that in {year} {payer} paid {amount} for the "
                      "school meal service of {pupil}, by traceable means and net of refunds."),
                   "year", year, "payer", payer, "amount", statement_money(r, p->total_cents),
                   "pupil", pupil, NULL));
    const char *headers[] = {tr(r->lang, N_("Date")),          tr(r->lang, N_("IUV")),
                             tr(r->lang, N_("Notice number")), tr(r->lang, N_("Receipt")),
                             tr(r->lang, N_("Paid for")),      tr(r->lang, N_("Amount"))};
    doc_heading(d, tr(r->lang, N_("Receipts")));
    doc_table(d, 6, headers);
    for (size_t i = 0; i < c->nreceipts; i++) {
        const struct tax_receipt *rc = &c->receipts[i];
        if (!tax_receipt_concerns(rc, p->id))
            continue;
        const char *cells[] = {statement_date(r, rc->paid_at),
                               rc->iuv,
                               rc->notice_number,
                               rc->receipt_id,
                               rc->pupil_id ? pupil : tr(r->lang, N_("The family")),
                               statement_money(r, rc->amount_cents)};
        doc_table_row(d, cells);
    }
    /* The rule, in one sentence (tax_certificate.h). */
    doc_note(d, tr(r->lang,
                   N_("Counted: the pagoPA payments received in the calendar year (Italian time), "
                      "less the refunds made in that year; a payment made for one child counts "
                      "for that child alone, the others are divided among the children in "
                      "proportion to the meals charged to each in the year (in equal parts when "
                      "no meal was charged), in whole cents.")));
    char today[TIME_LOCAL_DATE_MAX];
    time_today("Europe/Rome", today);
    doc_field(d, tr(r->lang, N_("Issued on")), time_date_display(&r->arena, today));
}

static void certificate_pdf(struct req *r, struct resp *w)
{
    if (statement_must_change_password(r, w))
        return;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    int64_t pupil_id = field_row_id_parse(req_param(r, 0));
    int year = certificate_parse_year(req_param(r, 1));
    if (!pupil_id || !year) {
        page_error(r, w, 404);
        return;
    }
    struct tax_certificate c;
    if (tax_certificate_compute(db, &r->arena, r->tenant.id, r->family.id, year, &c) != 0) {
        page_error(r, w, 500);
        return;
    }
    const struct tax_pupil *p = tax_certificate_pupil(&c, pupil_id);
    if (!p) {
        page_error(r, w, 404);
        return;
    }
    if (p->total_cents <= 0) {
        certificates_show(r, w, 404, db, p, year);
        return;
    }
    struct doc *d =
        app_doc_new(r, r->lang, N_("Certificate of the expenses for the school meal service"));
    certificate_doc(r, d, &c, p);
    if (!statement_render(
            r, w, d, arena_printf(&r->arena, "attestazione-mensa-%d-%s.pdf", year, p->fiscal_code)))
        page_error(r, w, 500);
}
