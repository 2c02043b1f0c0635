/*
 * Handlers of the family area (/<tenant>/famiglie/...): sign-in by user code or a pupil's codice
 * fiscale, sign-out, forgotten password, the account page with the pupils, password and e-mail
 * changes (the e-mail verified with a code).
 */
#ifndef REFETTORIO_APP_FAMILY_FAMILY_H
#define REFETTORIO_APP_FAMILY_FAMILY_H

#include "web/http.h"

void family_login_form(struct req *r, struct resp *w);
void family_login_submit(struct req *r, struct resp *w);
void family_logout(struct req *r, struct resp *w);
void family_forgot_form(struct req *r, struct resp *w);
void family_forgot_submit(struct req *r, struct resp *w);
void family_reset_form(struct req *r, struct resp *w);
void family_reset_submit(struct req *r, struct resp *w);

void family_home(struct req *r, struct resp *w);
void family_password_form(struct req *r, struct resp *w);
void family_password_submit(struct req *r, struct resp *w);
void family_email_form(struct req *r, struct resp *w);
void family_email_send(struct req *r, struct resp *w);
void family_email_verify(struct req *r, struct resp *w);

/* A family-area page: title, breadcrumb and navigation to the account. */
struct tv *family_page(struct req *r, const char *title);
/* The family area's URL for path ("/famiglie" + path). */
const char *family_href(struct req *r, const char *path);

#endif
