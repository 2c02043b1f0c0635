/*
 * Pages about e-mail delivery: the office's outbox (what was sent, what is retrying, what
 * failed, and a button to try a failed message again; attachments by name and size only) and,
 * in demo mode only, the messages the SMTP stand-in received for the municipality, so people
 * trying the demo can read their codes and download what was attached.
 */
#ifndef REFETTORIO_APP_OFFICE_MAIL_H
#define REFETTORIO_APP_OFFICE_MAIL_H

#include "web/http.h"

#define MAIL_PAGE_ROWS      50 /* messages on the office page */
#define MAIL_DEMO_PAGE_ROWS 30 /* messages on the demo page */

/* GET /ufficio/posta[?stato=...] */
void office_mail_list(struct req *r, struct resp *w);
/* POST /ufficio/posta/{id}/riprova */
void office_mail_retry(struct req *r, struct resp *w);
/* GET /demo/posta (ROUTE_DEMO) */
void demo_mail_list(struct req *r, struct resp *w);
/* GET /demo/posta/{seq}/allegati/{n} (ROUTE_DEMO): the n-th attachment (from 1) of the message
   the stand-in stored as seq, if it is this municipality's, as a download. */
void demo_mail_attachment(struct req *r, struct resp *w);

/* Where the demo's SMTP stand-in stores messages; set once by `refettorio demo` before the
   server starts. Without it the demo page says that no stand-in runs. */
void mail_demo_set_dir(const char *dir);

#endif
