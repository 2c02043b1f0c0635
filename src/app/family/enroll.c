/* The enrollment flow around the form: campaigns, start, e-mail verification, summary,
   submission, status, withdrawal and renewal (the steps are in enroll_steps.c). */
#include "app/family/enroll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/family/family.h"
#include "app/field_messages.h"
#include "app/handlers.h"
#include "domain/codice_fiscale.h"
#include "docs/doc.h"
#include "domain/money.h"
#include "domain/places.h"
#include "services/email_verify.h"
#include "services/enroll.h"
#include "services/guardian.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"
#include "web/session.h"

const char *enroll_href(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "/%s/iscrizioni%s", r->tenant.slug, path);
}

const char *enroll_app_href(struct req *r, int64_t id, const char *path)
{
    return arena_printf(&r->arena, "/%s/iscrizioni/domanda/%lld%s", r->tenant.slug, (long long)id,
                        path);
}

struct enrollment_actor enroll_actor(struct req *r)
{
    struct enrollment_actor a = {.kind = AUDIT_FAMILY, .client_addr = r->client_addr};
    if (r->family_signed_in) {
        a.id = r->family.id;
        a.label = r->family.user_code;
    } else {
        a.label = "anonymous";
    }
    return a;
}

const char *enroll_local_time(struct req *r, const char *iso)
{
    return time_rome_display(&r->arena, iso);
}

const char *enroll_local_date(struct req *r, const char *date)
{
    return time_date_display(&r->arena, date);
}

static int64_t enroll_guardian_id(struct req *r)
{
    return r->family_signed_in ? r->family.id : 0;
}

bool enroll_load(struct req *r, struct resp *w, struct enrollment *e, struct campaign *c)
{
    const char *id_s = req_param(r, 0);
    char *end;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return false;
    }
    memset(e, 0, sizeof(*e));
    if (id <= 0 || *end || enrollment_find(db, &r->arena, r->tenant.id, id, e) != 1 ||
        !enroll_owned(e, r->has_session ? r->session_hash : NULL, enroll_guardian_id(r))) {
        /* A saved application needs its family signed in: send them to sign in. */
        if (!r->family_signed_in && e->id == id && e->guardian_id) {
            resp_redirect(w, 303, family_href(r, "/accedi"));
            return false;
        }
        page_error(r, w, 404);
        return false;
    }
    if (campaign_find(db, &r->arena, r->tenant.id, e->campaign_id, c) != 1) {
        page_error(r, w, 500);
        return false;
    }
    return true;
}

static const char *const enroll_step_titles[] = {
    N_("Pupil"),   N_("Parent and privacy"), N_("School and days"), N_("Diet"),
    N_("Payment"), N_("Declarations"),
};

struct tv *enroll_page(struct req *r, const char *title, const struct enrollment *e,
                       const struct campaign *c, int current_step)
{
    struct tv *d = page_new(r, title);
    page_crumb(r, d, N_("Enrollments"), enroll_href(r, ""));
    page_crumb(r, d, title, NULL);
    if (!e)
        return d;
    tv_set_str(d, "campaign_title", c->title);
    tv_set_str(d, "pupil_fiscal_code", e->pupil_fiscal_code);
    tv_set_str(d, "pupil_name",
               e->pupil_name[0] ? arena_printf(&r->arena, "%s %s", e->pupil_name, e->pupil_surname)
                                : "");
    tv_set_bool(d, "submitted", e->status == ENROLLMENT_SUBMITTED);
    struct tv *steps = tv_set_list(d, "steps");
    for (int i = 1; i <= ENROLLMENT_STEPS + 1; i++) {
        struct tv *s = tv_push_dict(steps);
        tv_set_int(s, "n", i);
        tv_set_str(s, "label",
                   tr(r->lang, i <= ENROLLMENT_STEPS ? enroll_step_titles[i - 1] : N_("Summary")));
        tv_set_bool(s, "done", i <= e->step);
        tv_set_bool(s, "current", i == current_step);
        bool reachable = i <= e->step + 1 && (i <= ENROLLMENT_STEPS || e->step >= STEP_PAYMENT);
        if (reachable && i != current_step)
            tv_set_str(s, "href",
                       i <= ENROLLMENT_STEPS
                           ? enroll_app_href(r, e->id, arena_printf(&r->arena, "/passo/%d", i))
                           : enroll_app_href(r, e->id, "/riepilogo"));
    }
    return d;
}

/* ---- campaigns ------------------------------------------------------------------------- */

static void enroll_window_text(struct req *r, struct tv *row, const struct campaign *c,
                               const char *now)
{
    enum campaign_window win = campaign_window_at(c, now);
    tv_set_bool(row, "open", win == CAMPAIGN_OPEN);
    tv_set_str(row, "opens_at", enroll_local_time(r, c->opens_at));
    tv_set_str(row, "closes_at", enroll_local_time(r, c->closes_at));
    if (win == CAMPAIGN_NOT_YET_OPEN)
        tv_set_str(
            row, "window",
            page_tr(r, N_("Opens on {when}."), "when", enroll_local_time(r, c->opens_at), NULL));
    else if (win == CAMPAIGN_CLOSED)
        tv_set_str(
            row, "window",
            page_tr(r, N_("Closed on {when}."), "when", enroll_local_time(r, c->closes_at), NULL));
    else
        tv_set_str(
            row, "window",
            page_tr(r, N_("Open until {when}."), "when", enroll_local_time(r, c->closes_at), NULL));
}

void enroll_campaigns(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct campaign *list = NULL;
    size_t n = 0;
    if (!db || campaign_list(db, &r->arena, r->tenant.id, &list, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct tv *d = page_new(r, N_("Enrollments"));
    page_crumb(r, d, N_("Enrollments"), NULL);
    struct tv *rows = tv_set_list(d, "campaigns");
    for (size_t i = 0; i < n; i++) {
        struct tv *row = tv_push_dict(rows);
        tv_set_str(row, "title", list[i].title);
        tv_set_int(row, "id", list[i].id);
        tv_set_str(row, "year", list[i].school_year_label);
        enroll_window_text(r, row, &list[i], now);
        tv_set_bool(row, "accepts_new", campaign_accepts(&list[i], "new"));
        tv_set_bool(row, "accepts_renewal", campaign_accepts(&list[i], "renewal"));
        tv_set_str(row, "new_href",
                   enroll_href(r, arena_printf(&r->arena, "/%lld/nuova", (long long)list[i].id)));
        if (list[i].regulations_attachment_id)
            tv_set_str(row, "regulations_href",
                       enroll_href(
                           r, arena_printf(&r->arena, "/%lld/regolamento", (long long)list[i].id)));
    }
    tv_set_str(d, "signin_href", family_href(r, "/accedi"));
    tv_set_str(d, "account_href", family_href(r, "/"));
    tv_set_bool(d, "signed_in", r->family_signed_in);
    page_render(r, w, 200, tmpl_enroll_campaigns, d);
}

/* ---- start ------------------------------------------------------------------------------ */

static bool enroll_campaign_param(struct req *r, struct resp *w, struct campaign *c)
{
    const char *id_s = req_param(r, 0);
    char *end;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return false;
    }
    if (id <= 0 || *end || campaign_find(db, &r->arena, r->tenant.id, id, c) != 1) {
        page_error(r, w, 404);
        return false;
    }
    return true;
}

static void enroll_start_page(struct req *r, struct resp *w, int status, const struct campaign *c,
                              const char *notice, const char *notice_href)
{
    struct tv *d = enroll_page(r, N_("New enrollment"), NULL, c, 0);
    if (!page_form_begin(r, w, d, NULL))
        return;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct tv *camp = tv_set_dict(d, "campaign");
    tv_set_str(camp, "title", c->title);
    tv_set_str(camp, "year", c->school_year_label);
    enroll_window_text(r, camp, c, now);
    bool open = campaign_window_at(c, now) == CAMPAIGN_OPEN && campaign_accepts(c, "new");
    tv_set_bool(d, "open", open);
    tv_set_bool(d, "signed_in", r->family_signed_in);
    tv_set_str(d, "notice", notice);
    tv_set_str(d, "notice_href", notice_href);
    tv_set_str(d, "signin_href", family_href(r, "/accedi"));
    tv_set_str(d, "campaigns_href", enroll_href(r, ""));
    page_field(r, d, "fields", "fiscal_code", N_("The pupil's codice fiscale"), "text", "off",
               N_("16 characters, as on the health card (tessera sanitaria)."));
    tv_set_str(d, "form_action",
               enroll_href(r, arena_printf(&r->arena, "/%lld/nuova", (long long)c->id)));
    page_render(r, w, status, tmpl_enroll_start, d);
}

void enroll_start_form(struct req *r, struct resp *w)
{
    struct campaign c;
    if (enroll_campaign_param(r, w, &c))
        enroll_start_page(r, w, 200, &c, NULL, NULL);
}

void enroll_start_submit(struct req *r, struct resp *w)
{
    struct campaign c;
    if (!enroll_campaign_param(r, w, &c))
        return;
    if (r->has_errors) {
        enroll_start_page(r, w, 422, &c, NULL, NULL);
        return;
    }
    struct codice_fiscale cf;
    enum codice_fiscale_err ce = codice_fiscale_parse(req_field(r, "fiscal_code"), &cf);
    if (ce != CODICE_FISCALE_OK) {
        req_set_field_error(r, "fiscal_code", app_codice_fiscale_msgid(ce));
        enroll_start_page(r, w, 422, &c, NULL, NULL);
        return;
    }
    if (!r->has_session && session_ensure(r, w) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct db *db = store_db();
    int64_t id = 0;
    enum enroll_start s = ENROLL_START_ERROR;
    if (db && db_begin(db) == DB_OK) {
        s = enroll_start_new(db, &c, r->tenant.id, cf.canonical, r->session_hash,
                             enroll_guardian_id(r), &id);
        if (s == ENROLL_START_OK && db_commit(db) != DB_OK)
            s = ENROLL_START_ERROR;
        if (s != ENROLL_START_OK)
            db_rollback(db);
    }
    switch (s) {
    case ENROLL_START_OK:
        resp_redirect(w, 303, enroll_app_href(r, id, r->family_signed_in ? "/passo/1" : "/email"));
        return;
    case ENROLL_START_EXISTS:
        req_set_field_error(r, "fiscal_code",
                            N_("An enrollment for this pupil already exists in this campaign: "
                               "sign in with the codice fiscale and your password to modify it."));
        enroll_start_page(r, w, 409, &c, NULL, family_href(r, "/accedi"));
        return;
    case ENROLL_START_KNOWN_PUPIL:
        req_set_field_error(r, "fiscal_code",
                            N_("This pupil is already registered with the service: sign in to "
                               "your account and choose \"Renew enrollment\"."));
        enroll_start_page(r, w, 409, &c, NULL, family_href(r, "/accedi"));
        return;
    case ENROLL_START_NOT_ACCEPTED:
        enroll_start_page(r, w, 409, &c, NULL, NULL);
        return;
    case ENROLL_START_ERROR:
        break;
    }
    page_error(r, w, 500);
}

/* ---- e-mail verification (anonymous families) ------------------------------------------ */

static void enroll_email_page(struct req *r, struct resp *w, int status, const struct enrollment *e,
                              const struct campaign *c, bool code_step, const char *email,
                              const char *notice)
{
    struct tv *d = enroll_page(r, N_("Verify your e-mail address"), e, c, 0);
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_bool(d, "step_code", code_step);
    tv_set_str(d, "notice", notice);
    tv_set_str(d, "email", email);
    if (!code_step)
        page_field(r, d, "fields", "email", N_("Your e-mail address"), "email", "email",
                   N_("We write there about this enrollment and send your credentials."));
    else
        tv_set_str(page_field(r, d, "fields", "code", N_("Code received by e-mail"), "text",
                              "one-time-code", N_("Six digits. The code is valid for 15 minutes.")),
                   "inputmode", "numeric");
    tv_set_str(d, "send_action", enroll_app_href(r, e->id, "/email"));
    tv_set_str(d, "verify_action", enroll_app_href(r, e->id, "/email/codice"));
    page_render(r, w, status, tmpl_enroll_email, d);
}

void enroll_email_form(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    if (e.guardian_id) {
        resp_redirect(w, 303, enroll_app_href(r, e.id, "/passo/1"));
        return;
    }
    enroll_email_page(r, w, 200, &e, &c, false, NULL, NULL);
}

struct enroll_email_ctx {
    struct req *r;
    enum email_verify_result result;
    long wait;
};

static int enroll_email_send_tx(struct db *db, void *arg)
{
    struct enroll_email_ctx *x = arg;
    x->result = email_verify_send(db, &x->r->arena, &x->r->tenant, x->r->session_hash,
                                  req_field(x->r, "email"), x->r->lang, &x->wait);
    return x->result == EMAIL_VERIFY_ERROR ? -1 : 0;
}

void enroll_email_send(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    if (r->has_errors) {
        enroll_email_page(r, w, 422, &e, &c, false, NULL, NULL);
        return;
    }
    struct enroll_email_ctx x = {.r = r};
    struct db *db = store_db();
    if (!db || store_tx(db, enroll_email_send_tx, &x) != 0) {
        page_error(r, w, 500);
        return;
    }
    const char *email = req_field(r, "email");
    const char *masked = email_verify_mask(&r->arena, email);
    const char *notice =
        x.result == EMAIL_VERIFY_TOO_SOON
            ? page_tr(r,
                      N_("A code was sent to {email} less than a minute ago. You can ask for a "
                         "new one in {seconds} seconds."),
                      "email", masked, "seconds", arena_printf(&r->arena, "%ld", x.wait), NULL)
            : page_tr(r, N_("Code sent to {email}."), "email", masked, NULL);
    enroll_email_page(r, w, 200, &e, &c, true, email, notice);
}

void enroll_email_verify(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    const char *email = req_field(r, "email");
    if (!email) {
        enroll_email_page(r, w, 422, &e, &c, false, NULL, NULL);
        return;
    }
    if (!req_field(r, "code")) {
        enroll_email_page(r, w, 422, &e, &c, true, email, NULL);
        return;
    }
    struct db *db = store_db();
    int left = 0;
    enum email_verify_result res = db ? email_verify_check(db, r->tenant.id, r->session_hash, email,
                                                           req_field(r, "code"), &left)
                                      : EMAIL_VERIFY_ERROR;
    switch (res) {
    case EMAIL_VERIFY_OK:
        if (enroll_set_email(db, r->tenant.id, e.id, email) != 0)
            break;
        resp_redirect(w, 303, enroll_app_href(r, e.id, "/passo/1"));
        return;
    case EMAIL_VERIFY_WRONG:
        req_set_field_error(r, "code",
                            page_tr(r, N_("Wrong code: {left} attempts left."), "left",
                                    arena_printf(&r->arena, "%d", left), NULL));
        enroll_email_page(r, w, 422, &e, &c, true, email, NULL);
        return;
    case EMAIL_VERIFY_EXPIRED:
        req_set_field_error(r, "code", N_("Code expired: ask for a new one."));
        enroll_email_page(r, w, 422, &e, &c, true, email, NULL);
        return;
    case EMAIL_VERIFY_EXHAUSTED:
        req_set_field_error(r, "code", N_("Too many wrong attempts: ask for a new code."));
        enroll_email_page(r, w, 422, &e, &c, true, email, NULL);
        return;
    case EMAIL_VERIFY_NO_CODE:
        enroll_email_page(r, w, 422, &e, &c, false, NULL,
                          tr(r->lang, N_("No code was sent to this address: ask for one.")));
        return;
    case EMAIL_VERIFY_SENT:
    case EMAIL_VERIFY_TOO_SOON:
    case EMAIL_VERIFY_ERROR:
        break;
    }
    page_error(r, w, 500);
}

/* ---- summary ---------------------------------------------------------------------------- */

/* The summary is walked once for the page and once for the PDF. */
struct enroll_walk {
    struct req *r;
    void (*section)(struct enroll_walk *w, const char *title, const char *edit_href);
    void (*row)(struct enroll_walk *w, const char *label, const char *value);
    struct tv *list, *rows; /* the page: data.summary and the current section's rows */
    struct doc *doc;        /* the PDF */
};

static void enroll_section(struct enroll_walk *w, const char *title, int step,
                           const struct enrollment *e, bool editable)
{
    w->section(w, tr(w->r->lang, title),
               editable
                   ? enroll_app_href(w->r, e->id, arena_printf(&w->r->arena, "/passo/%d", step))
                   : NULL);
}

static void enroll_row(struct enroll_walk *w, const char *label, const char *value)
{
    w->row(w, tr(w->r->lang, label), value && *value ? value : tr(w->r->lang, N_("not given")));
}

static const char *enroll_weekdays_text(struct req *r, const char *weekdays)
{
    struct buf b;
    buf_init(&b, 256);
    for (const char *p = weekdays; p && *p; p++) {
        if (b.len)
            buf_puts(&b, ", ");
        buf_puts(&b, tr(r->lang, enrollment_weekday_label(*p - '0')));
    }
    const char *out = arena_strdup(&r->arena, buf_str(&b));
    buf_free(&b);
    return out;
}

static const char *enroll_place_text(struct req *r, const char *code)
{
    const struct place *p = code && *code ? places_find(code) : NULL;
    if (!p)
        return code;
    return p->province[0] && strcmp(p->province, "EE")
               ? arena_printf(&r->arena, "%s (%s)", p->name, p->province)
               : p->name;
}

static void enroll_summary_walk(struct enroll_walk *s, const struct enrollment *e,
                                const struct campaign *c)
{
    struct req *r = s->r;
    bool editable = enroll_editable(e);
    enroll_section(s, N_("Pupil"), STEP_PUPIL, e, editable);
    enroll_row(s, N_("Codice fiscale"), e->pupil_fiscal_code);
    enroll_row(s, N_("Name"), e->pupil_name);
    enroll_row(s, N_("Surname"), e->pupil_surname);
    enroll_row(s, N_("Date of birth"), enroll_local_date(r, e->pupil_birth_date));
    enroll_row(s, N_("Sex"),
               !strcmp(e->pupil_sex, "F")   ? tr(r->lang, N_("Female"))
               : !strcmp(e->pupil_sex, "M") ? tr(r->lang, N_("Male"))
                                            : "");
    enroll_row(s, N_("Place of birth"), enroll_place_text(r, e->pupil_birth_place));
    enroll_section(s, N_("Parent and privacy"), STEP_GUARDIAN, e, editable);
    enroll_row(s, N_("Codice fiscale"), e->guardian_fiscal_code);
    enroll_row(s, N_("Name"), e->guardian_name);
    enroll_row(s, N_("Surname"), e->guardian_surname);
    enroll_row(s, N_("E-mail"), e->guardian_email);
    enroll_row(s, N_("Mobile phone"), e->guardian_mobile);
    enroll_row(s, N_("Address"), e->guardian_address);
    enroll_row(s, N_("Resident in the municipality"),
               tr(r->lang, e->guardian_resident ? N_("Yes") : N_("No")));
    enroll_row(s, N_("Privacy notice"),
               e->privacy_accepted ? tr(r->lang, N_("Read and accepted")) : "");
    enroll_section(s, N_("School and days"), STEP_SCHOOL, e, editable);
    enroll_row(s, N_("School year"), e->school_year_label);
    enroll_row(s, N_("School"), e->school_name);
    enroll_row(s, N_("Class"), e->class_name);
    enroll_row(s, N_("Service days"), enroll_weekdays_text(r, e->weekdays));
    enroll_section(s, N_("Diet"), STEP_DIET, e, editable);
    enroll_row(s, N_("Special diet"), tr(r->lang, enrollment_diet_label(e->diet_kind)));
    if (strcmp(e->diet_kind, "none") != 0) {
        enroll_row(s, N_("Details"), e->diet_notes);
        if (!strcmp(e->diet_kind, "medical"))
            enroll_row(s, N_("Medical certificate"),
                       e->certificate_id ? tr(r->lang, N_("Uploaded")) : "");
    }
    enroll_section(s, N_("Payment"), STEP_PAYMENT, e, editable);
    bool sdd = !strcmp(e->payment_method, "direct_debit");
    enroll_row(s, N_("Payment method"),
               tr(r->lang, sdd ? N_("SEPA direct debit") : N_("Prepaid credit")));
    if (sdd) {
        enroll_row(s, N_("IBAN"), e->iban);
        enroll_row(s, N_("Account holder"), e->iban_holder);
        enroll_row(s, N_("Direct debit mandate"),
                   e->mandate_accepted ? tr(r->lang, N_("Accepted")) : "");
    }
    enroll_row(s, N_("ISEE band"),
               e->isee_band_id ? e->isee_band_label : tr(r->lang, N_("None: full tariff")));
    if (c->fee_cents > 0) {
        char fee[32];
        money_format(c->fee_cents, fee);
        enroll_row(s, N_("Enrollment fee"), fee);
    }
    enroll_section(s, N_("Declarations"), STEP_DECLARATIONS, e, editable);
    enroll_row(s, N_("Declarations"),
               e->declarations_accepted ? tr(r->lang, N_("All accepted")) : "");
}

static void enroll_tv_section(struct enroll_walk *w, const char *title, const char *edit_href)
{
    struct tv *s = tv_push_dict(w->list);
    tv_set_str(s, "title", title);
    tv_set_str(s, "edit_href", edit_href);
    w->rows = tv_set_list(s, "rows");
}

static void enroll_tv_row(struct enroll_walk *w, const char *label, const char *value)
{
    struct tv *row = tv_push_dict(w->rows);
    tv_set_str(row, "label", label);
    tv_set_str(row, "value", value);
}

void enroll_summary_data(struct req *r, struct tv *d, const struct enrollment *e,
                         const struct campaign *c)
{
    struct enroll_walk w = {.r = r,
                            .section = enroll_tv_section,
                            .row = enroll_tv_row,
                            .list = tv_set_list(d, "summary")};
    enroll_summary_walk(&w, e, c);
}

static void enroll_doc_section(struct enroll_walk *w, const char *title, const char *edit_href)
{
    doc_heading(w->doc, title);
}

static void enroll_doc_row(struct enroll_walk *w, const char *label, const char *value)
{
    doc_field(w->doc, label, value);
}

void enroll_summary_doc(struct req *r, struct doc *d, const struct enrollment *e,
                        const struct campaign *c)
{
    struct enroll_walk w = {.r = r, .section = enroll_doc_section, .row = enroll_doc_row, .doc = d};
    enroll_summary_walk(&w, e, c);
}

static void enroll_blocker(struct req *r, struct tv *d, enum enroll_submit s, int missing,
                           int64_t balance, const struct enrollment *e, const struct campaign *c)
{
    char bal[32], thr[32];
    switch (s) {
    case ENROLL_SUBMIT_OK:
        return;
    case ENROLL_SUBMIT_INCOMPLETE:
        tv_set_str(d, "blocker",
                   page_tr(r, N_("Complete the step \"{step}\" before submitting."), "step",
                           tr(r->lang, enroll_step_titles[missing > 0 ? missing - 1 : 0]), NULL));
        tv_set_str(d, "blocker_href",
                   enroll_app_href(r, e->id, arena_printf(&r->arena, "/passo/%d", missing)));
        return;
    case ENROLL_SUBMIT_DECLARATIONS:
        tv_set_str(d, "blocker",
                   tr(r->lang, N_("Accept the required declarations before "
                                  "submitting.")));
        tv_set_str(d, "blocker_href", enroll_app_href(r, e->id, "/passo/6"));
        return;
    case ENROLL_SUBMIT_CLOSED:
        tv_set_str(d, "blocker",
                   page_tr(r,
                           N_("The campaign is not open: applications are accepted from "
                              "{opens} to {closes}."),
                           "opens", enroll_local_time(r, c->opens_at), "closes",
                           enroll_local_time(r, c->closes_at), NULL));
        return;
    case ENROLL_SUBMIT_DEBT:
        money_format(balance, bal);
        money_format(c->debt_threshold_cents, thr);
        tv_set_str(d, "blocker",
                   page_tr(r,
                           N_("Your balance is {balance}, below the {threshold} the "
                              "municipality allows for a new enrollment. Top up your credit or "
                              "settle the debt, then submit; if you cannot, contact the school "
                              "meals office, which can allow the submission."),
                           "balance", bal, "threshold", thr, NULL));
        return;
    case ENROLL_SUBMIT_STATE:
        tv_set_str(d, "blocker", tr(r->lang, N_("This enrollment can no longer be changed.")));
        return;
    case ENROLL_SUBMIT_ERROR:
        break;
    }
}

static void enroll_summary_page(struct req *r, struct resp *w, int status,
                                const struct enrollment *e, const struct campaign *c,
                                const char *form_error)
{
    struct db *db = store_db();
    struct tv *d = enroll_page(r, N_("Summary of the enrollment"), e, c, ENROLLMENT_STEPS + 1);
    if (!page_form_begin(r, w, d, form_error))
        return;
    enroll_summary_data(r, d, e, c);
    int missing;
    int64_t balance;
    enum enroll_submit s = enroll_submit_check(db, c, e, &missing, &balance);
    enroll_blocker(r, d, s, missing, balance, e, c);
    tv_set_bool(d, "can_submit", s == ENROLL_SUBMIT_OK);
    tv_set_bool(d, "resubmit", e->status == ENROLLMENT_SUBMITTED);
    tv_set_str(d, "edit_href", enroll_app_href(r, e->id, "/passo/1"));
    tv_set_str(d, "submit_action", enroll_app_href(r, e->id, "/invia"));
    page_render(r, w, status, tmpl_enroll_summary, d);
}

void enroll_summary(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (enroll_load(r, w, &e, &c))
        enroll_summary_page(r, w, 200, &e, &c, NULL);
}

void enroll_submit_post(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    struct db *db = store_db();
    struct enrollment_actor who = enroll_actor(r);
    if (!enroll_editable(&e)) {
        resp_redirect(w, 303, enroll_app_href(r, e.id, ""));
        return;
    }
    int missing;
    int64_t balance;
    enum enroll_submit s = enroll_submit_check(db, &c, &e, &missing, &balance);
    if (s != ENROLL_SUBMIT_OK) {
        enroll_summary_page(r, w, 422, &e, &c, NULL);
        return;
    }
    /* First the account (a new family's draft), then the submission. */
    int64_t gid = e.guardian_id;
    bool created = false;
    if (!e.guardian_id) {
        if (db_begin(db) != DB_OK) {
            page_error(r, w, 500);
            return;
        }
        enum enroll_account a = enroll_save_draft(db, &r->arena, &r->tenant, &e,
                                                  page_absolute_url(r, family_href(r, "/accedi")),
                                                  &who, &gid, &created);
        if (a != ENROLL_ACCOUNT_OK || db_commit(db) != DB_OK) {
            db_rollback(db);
            if (a == ENROLL_ACCOUNT_TAKEN || a == ENROLL_ACCOUNT_PUPIL_TAKEN) {
                enroll_summary_page(
                    r, w, 409, &e, &c,
                    tr(r->lang, a == ENROLL_ACCOUNT_TAKEN
                                    ? N_("The parent's codice fiscale already has an account with "
                                         "another e-mail address: sign in to that account to "
                                         "enroll another child.")
                                    : N_("This pupil is in another family's account: contact "
                                         "the school meals office.")));
                return;
            }
            page_error(r, w, 500);
            return;
        }
        if (session_start_family(r, w, gid) != 0) {
            page_error(r, w, 500);
            return;
        }
        if (enrollment_find(db, &r->arena, r->tenant.id, e.id, &e) != 1) {
            page_error(r, w, 500);
            return;
        }
        who = enroll_actor(r);
    }
    bool was_draft = e.status == ENROLLMENT_DRAFT;
    if (db_begin(db) != DB_OK) {
        page_error(r, w, 500);
        return;
    }
    s = enroll_submit(db, &c, &e, &who, &missing, &balance);
    if (s != ENROLL_SUBMIT_OK || db_commit(db) != DB_OK) {
        db_rollback(db);
        if (s == ENROLL_SUBMIT_ERROR || s == ENROLL_SUBMIT_OK) {
            page_error(r, w, 500);
            return;
        }
        enroll_summary_page(r, w, 422, &e, &c, NULL);
        return;
    }
    if (was_draft && enrollment_find(db, &r->arena, r->tenant.id, e.id, &e) == 1)
        enroll_send_letter(r, &e, &c);
    resp_redirect(w, 303, enroll_app_href(r, e.id, was_draft ? "?inviata=1" : "?modificata=1"));
}

/* ---- status ----------------------------------------------------------------------------- */

void enroll_status(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    struct db *db = store_db();
    struct enrollment_event *ev;
    size_t n;
    if (enrollment_history(db, &r->arena, r->tenant.id, e.id, &ev, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = enroll_page(r, N_("Your enrollment"), &e, &c, 0);
    if (!page_form_begin(r, w, d, NULL))
        return;
    tv_set_str(d, "status_label", tr(r->lang, enrollment_status_label(e.status)));
    tv_set_str(d, "status", enrollment_status_name(e.status));
    tv_set_bool(d, "is_draft", e.status == ENROLLMENT_DRAFT);
    tv_set_bool(d, "is_confirmed", e.status == ENROLLMENT_CONFIRMED);
    tv_set_bool(d, "is_rejected", e.status == ENROLLMENT_REJECTED);
    tv_set_bool(d, "is_sent", e.status != ENROLLMENT_DRAFT && e.status != ENROLLMENT_WITHDRAWN);
    tv_set_bool(d, "editable", enroll_editable(&e));
    tv_set_str(d, "reject_reason", e.reject_reason);
    tv_set_str(d, "first_saved_at",
               enroll_local_time(r, e.first_saved_at[0] ? e.first_saved_at : e.created_at));
    tv_set_str(d, "updated_at", enroll_local_time(r, e.updated_at));
    tv_set_str(d, "submitted_at", enroll_local_time(r, e.submitted_at));
    tv_set_str(d, "decided_at", enroll_local_time(r, e.decided_at));
    tv_set_bool(d, "just_submitted", req_query(r, "inviata") != NULL);
    tv_set_bool(d, "just_modified", req_query(r, "modificata") != NULL);
    tv_set_bool(d, "just_saved", req_query(r, "salvata") != NULL);
    tv_set_bool(d, "account_created", req_query(r, "account") != NULL);
    if (e.status != ENROLLMENT_DRAFT && e.badge_code[0]) {
        tv_set_str(d, "badge_code", e.badge_code);
        tv_set_bool(d, "badge_active", e.status == ENROLLMENT_CONFIRMED);
    }
    tv_set_str(d, "user_code", e.user_code);
    tv_set_str(d, "continue_href",
               enroll_app_href(r, e.id,
                               e.step >= ENROLLMENT_STEPS
                                   ? "/riepilogo"
                                   : arena_printf(&r->arena, "/passo/%d", e.step + 1)));
    tv_set_str(d, "edit_href", enroll_app_href(r, e.id, "/passo/1"));
    tv_set_str(d, "withdraw_action", enroll_app_href(r, e.id, "/ritira"));
    if (e.status != ENROLLMENT_DRAFT) {
        tv_set_str(d, "summary_pdf_href", enroll_app_href(r, e.id, "/riepilogo.pdf"));
        tv_set_str(d, "letter_pdf_href", enroll_app_href(r, e.id, "/lettera-credenziali.pdf"));
    }
    if (c.regulations_attachment_id)
        tv_set_str(d, "regulations_href",
                   enroll_href(r, arena_printf(&r->arena, "/%lld/regolamento", (long long)c.id)));
    tv_set_str(d, "account_href", family_href(r, "/"));
    struct tv *hist = tv_set_list(d, "history");
    for (size_t i = 0; i < n; i++) {
        struct tv *h = tv_push_dict(hist);
        tv_set_str(h, "at", enroll_local_time(r, ev[i].at));
        tv_set_str(h, "who",
                   !strcmp(ev[i].actor_kind, "staff") ? tr(r->lang, N_("Office"))
                                                      : tr(r->lang, N_("Family")));
        enum enrollment_status st;
        tv_set_str(h, "status",
                   enrollment_status_parse(ev[i].status, &st)
                       ? tr(r->lang, enrollment_status_label(st))
                       : ev[i].status);
        tv_set_str(h, "action", ev[i].action);
    }
    enroll_summary_data(r, d, &e, &c);
    page_render(r, w, 200, tmpl_enroll_status, d);
}

void enroll_withdraw_post(struct req *r, struct resp *w)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    struct db *db = store_db();
    struct enrollment_actor who = enroll_actor(r);
    if (db_begin(db) != DB_OK) {
        page_error(r, w, 500);
        return;
    }
    int rc = enroll_withdraw(db, &e, &who);
    if (rc != 0 || db_commit(db) != DB_OK) {
        db_rollback(db);
        if (rc < 0) {
            page_error(r, w, 500);
            return;
        }
    }
    resp_redirect(w, 303, enroll_app_href(r, e.id, ""));
}

/* ---- renewal ---------------------------------------------------------------------------- */

void enroll_renew(struct req *r, struct resp *w)
{
    const char *cid = req_field(r, "campaign"), *pid = req_field(r, "pupil");
    char *end1 = NULL, *end2 = NULL;
    long long campaign_id = cid ? strtoll(cid, &end1, 10) : 0;
    long long pupil_id = pid ? strtoll(pid, &end2, 10) : 0;
    struct db *db = store_db();
    struct campaign c;
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (campaign_id <= 0 || *end1 || pupil_id <= 0 || *end2 ||
        campaign_find(db, &r->arena, r->tenant.id, campaign_id, &c) != 1) {
        page_error(r, w, 404);
        return;
    }
    int64_t id = 0;
    enum enroll_start s = ENROLL_START_ERROR;
    if (db_begin(db) == DB_OK) {
        s = enroll_start_renewal(db, &r->arena, &c, r->tenant.id, r->family.id, pupil_id, &id);
        if (s != ENROLL_START_OK || db_commit(db) != DB_OK) {
            db_rollback(db);
            if (s == ENROLL_START_OK)
                s = ENROLL_START_ERROR;
        }
    }
    if (s == ENROLL_START_OK) {
        resp_redirect(w, 303, enroll_app_href(r, id, "/passo/1"));
        return;
    }
    page_error(r, w, s == ENROLL_START_ERROR ? 404 : 409);
}
