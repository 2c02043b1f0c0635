/*
 * The enrollment pages families use (/<tenant>/iscrizioni/...): the open campaigns, the start
 * of a new pupil's application by codice fiscale, the e-mail verification of an anonymous
 * family, the six steps of the form, the summary, the submission, the status page with the
 * documents, the withdrawal, and the renewal from the account. Shared between enroll.c (the
 * flow around the form) and enroll_steps.c (the six steps).
 */
#ifndef REFETTORIO_APP_FAMILY_ENROLL_H
#define REFETTORIO_APP_FAMILY_ENROLL_H

#include "services/campaign.h"
#include "services/enrollment.h"
#include "web/http.h"
#include "web/tmpl.h"

void enroll_campaigns(struct req *r, struct resp *w);
void enroll_start_form(struct req *r, struct resp *w);
void enroll_start_submit(struct req *r, struct resp *w);
void enroll_email_form(struct req *r, struct resp *w);
void enroll_email_send(struct req *r, struct resp *w);
void enroll_email_verify(struct req *r, struct resp *w);
void enroll_step_form(struct req *r, struct resp *w);
void enroll_step_submit(struct req *r, struct resp *w);
void enroll_summary(struct req *r, struct resp *w);
void enroll_submit_post(struct req *r, struct resp *w);
void enroll_status(struct req *r, struct resp *w);
void enroll_withdraw_post(struct req *r, struct resp *w);
void enroll_renew(struct req *r, struct resp *w);
void enroll_summary_pdf(struct req *r, struct resp *w);
void enroll_letter_pdf(struct req *r, struct resp *w);

/* The application of the URL's {id} with its campaign, if the request may see it; otherwise
   an error page has been answered and false is returned. */
bool enroll_load(struct req *r, struct resp *w, struct enrollment *e, struct campaign *c);
/* "/<tenant>/iscrizioni" + path. */
const char *enroll_href(struct req *r, const char *path);
/* "/<tenant>/iscrizioni/domanda/<id>" + path. */
const char *enroll_app_href(struct req *r, int64_t id, const char *path);
/* The actor of this request for history and audit. */
struct enrollment_actor enroll_actor(struct req *r);
/* A UTC instant as "dd/mm/yyyy hh:mm" in Europe/Rome ("" for ""). */
const char *enroll_local_time(struct req *r, const char *iso);
/* A "YYYY-MM-DD" date as "dd/mm/yyyy". */
const char *enroll_local_date(struct req *r, const char *date);
/* The layout data of a page of the flow for application e (breadcrumb, steps). */
struct tv *enroll_page(struct req *r, const char *title, const struct enrollment *e,
                       const struct campaign *c, int current_step);
/* Every field of e as the summary lists it (data.summary: sections of {label, value}). */
void enroll_summary_data(struct req *r, struct tv *d, const struct enrollment *e,
                         const struct campaign *c);
/* The same, as headings and label/value rows of a PDF document. */
struct doc;
void enroll_summary_doc(struct req *r, struct doc *d, const struct enrollment *e,
                        const struct campaign *c);
/* Render the summary (letter false) or the credentials letter as PDF into out. 0 or -1. */
int enroll_render(struct req *r, const struct enrollment *e, const struct campaign *c, bool letter,
                  struct buf *out);
/* Queue the credentials letter (PDF attached) to the family's e-mail; failures are logged. */
void enroll_send_letter(struct req *r, const struct enrollment *e, const struct campaign *c);

#endif
