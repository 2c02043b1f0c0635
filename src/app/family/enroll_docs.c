/* The enrollment's documents: the summary of the application and the credentials letter, as
   PDF (rendered in a child process by src/docs), and the letter e-mailed at submission. */
#include <string.h>

#include "app/family/enroll.h"
#include "app/handlers.h"
#include "app/family/family.h"
#include "docs/doc.h"
#include "integrations/mail/outbox.h"
#include "util/log.h"
#include "services/attachment.h"
#include "services/guardian.h"
#include "store/store.h"
#include "web/download.h"
#include "web/i18n.h"
#include "web/page.h"

/* The municipality as the documents' issuer (app_doc_new). */
static struct doc *enroll_doc_new(struct req *r, const char *lang, const char *title)
{
    return app_doc_new(r, lang, title);
}

int enroll_render(struct req *r, const struct enrollment *e, const struct campaign *c, bool letter,
                  struct buf *out)
{
    struct doc *d =
        enroll_doc_new(r, r->lang, letter ? N_("Credentials letter") : N_("Enrollment summary"));
    if (letter) {
        doc_paragraph(
            d,
            page_tr(r, N_("Dear {name},"), "name",
                    arena_printf(&r->arena, "%s %s", e->guardian_name, e->guardian_surname), NULL));
        doc_paragraph(d, page_tr(r,
                                 N_("we have received the enrollment of {pupil} in the school "
                                    "meal service for the school year {year}. Keep this "
                                    "letter: it holds what you need to use the service."),
                                 "pupil",
                                 arena_printf(&r->arena, "%s %s", e->pupil_name, e->pupil_surname),
                                 "year", e->school_year_label, NULL));
        doc_big_code(d, tr(r->lang, N_("User code")), e->user_code);
        doc_big_code(d, tr(r->lang, N_("Badge code")), e->badge_code);
        doc_heading(d, tr(r->lang, N_("How to sign in")));
        doc_paragraph(d, page_tr(r,
                                 N_("Go to {url} and sign in with your user code (or your "
                                    "child's codice fiscale) and your password."),
                                 "url", page_absolute_url(r, family_href(r, "/accedi")), NULL));
        doc_heading(d, tr(r->lang, N_("How to cancel a meal")));
        doc_paragraph(
            d, tr(r->lang, N_("Your child is booked for lunch on every school day of the days "
                              "you chose. If your child will not eat at school, cancel the meal "
                              "on the website or in the app before the daily cut-off time; you "
                              "can also ask for a plain meal (pasto in bianco) there.")));
        doc_field(d, tr(r->lang, N_("Daily cut-off")), r->tenant.cutoff_time);
        doc_note(d, tr(r->lang, N_("The badge code becomes active only when the office confirms "
                                   "the enrollment: you will receive an e-mail then.")));
        doc_heading(d, tr(r->lang, N_("Contacts of the office")));
        doc_paragraph(d, arena_printf(&r->arena, "%s\n%s\n%s\n%s", r->tenant.address,
                                      r->tenant.phone, r->tenant.email, r->tenant.office_hours));
    } else {
        doc_field(d, tr(r->lang, N_("Campaign")), c->title);
        doc_field(d, tr(r->lang, N_("Enrollment status")),
                  tr(r->lang, enrollment_status_label(e->status)));
        doc_field(d, tr(r->lang, N_("Submitted on")), enroll_local_time(r, e->submitted_at));
        enroll_summary_doc(r, d, e, c);
        doc_note(d, tr(r->lang, N_("This summary reproduces the application as submitted. The "
                                   "enrollment is valid once the office confirms it.")));
    }
    char err[DOC_ERR_MAX];
    if (doc_render_pdf(d, out, err, sizeof(err)) != 0) {
        log_error("enrollment PDF failed", "error", err);
        return -1;
    }
    return 0;
}

static void enroll_pdf(struct req *r, struct resp *w, bool letter)
{
    struct enrollment e;
    struct campaign c;
    if (!enroll_load(r, w, &e, &c))
        return;
    if (e.status == ENROLLMENT_DRAFT || e.status == ENROLLMENT_WITHDRAWN) {
        page_error(r, w, 404);
        return;
    }
    struct buf pdf;
    buf_init(&pdf, DOC_PDF_MAX);
    if (enroll_render(r, &e, &c, letter, &pdf) != 0) {
        buf_free(&pdf);
        page_error(r, w, 500);
        return;
    }
    resp_download(r, w, "application/pdf",
                  letter
                      ? "lettera-credenziali.pdf"
                      : arena_printf(&r->arena, "riepilogo-iscrizione-%s.pdf", e.pupil_fiscal_code),
                  pdf.data, pdf.len, false);
    buf_free(&pdf);
}

void enroll_summary_pdf(struct req *r, struct resp *w)
{
    enroll_pdf(r, w, false);
}

void enroll_letter_pdf(struct req *r, struct resp *w)
{
    enroll_pdf(r, w, true);
}

void enroll_send_letter(struct req *r, const struct enrollment *e, const struct campaign *c)
{
    struct db *db = store_db();
    struct buf pdf;
    buf_init(&pdf, DOC_PDF_MAX);
    if (!db || enroll_render(r, e, c, true, &pdf) != 0) {
        buf_free(&pdf);
        return;
    }
    struct tv *data = tv_dict(&r->arena);
    tv_set_str(data, "name",
               arena_printf(&r->arena, "%s %s", e->guardian_name, e->guardian_surname));
    tv_set_str(data, "pupil", arena_printf(&r->arena, "%s %s", e->pupil_name, e->pupil_surname));
    tv_set_str(data, "year", e->school_year_label);
    tv_set_str(data, "user_code", e->user_code);
    tv_set_str(data, "badge_code", e->badge_code);
    tv_set_str(data, "status_href", page_absolute_url(r, enroll_app_href(r, e->id, "")));
    tv_set_str(data, "signin_href", page_absolute_url(r, family_href(r, "/accedi")));
    int64_t mail_id = 0;
    if (db_begin(db) != DB_OK)
        goto out;
    if (mail_queue(db, &r->arena, &r->tenant, e->guardian_email, r->lang, "enrollment_submitted",
                   data, &mail_id) != 0 ||
        mail_attach(db, mail_id, "lettera-credenziali.pdf", "application/pdf", pdf.data, pdf.len) !=
            0 ||
        db_commit(db) != DB_OK) {
        db_rollback(db);
        log_error("credentials letter not queued", "pupil", e->pupil_fiscal_code);
    }
out:
    buf_free(&pdf);
}
