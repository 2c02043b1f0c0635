/*
 * Back-office handlers for staff accounts: the sign-in's second step (TOTP code) and the forced
 * password change (src/app/office/auth.c), the office's staff list, creation, disabling and
 * password resets, and each staff member's profile with the password change and the TOTP
 * enrolment (QR code as SVG) (src/app/office/staff.c). Their routes are in staff_routes.
 */
#ifndef REFETTORIO_APP_OFFICE_STAFF_H
#define REFETTORIO_APP_OFFICE_STAFF_H

#include "web/http.h"

/* Field validator for a one-time code: 6 digits; spaces (as apps show "123 456") are dropped.
   Shared with the platform's sign-in (src/app/platform/admin.c). */
const char *field_totp_code(struct arena *a, const char *in, const char **out);
#define STAFF_CODE_CHARS 16 /* the code field: 6 digits, with room for spaces people type */

/* Sign-in steps after the password (auth.c). */
void office_code_form(struct req *r, struct resp *w);
void office_code_submit(struct req *r, struct resp *w);
void office_password_form(struct req *r, struct resp *w);
void office_password_submit(struct req *r, struct resp *w);

/* Staff administration (administrators). */
void office_staff_list(struct req *r, struct resp *w);
void office_staff_new_form(struct req *r, struct resp *w);
void office_staff_new_submit(struct req *r, struct resp *w);
void office_staff_disable(struct req *r, struct resp *w);
void office_staff_enable(struct req *r, struct resp *w);
void office_staff_reset_password(struct req *r, struct resp *w);

/* Own profile (every staff role). */
void office_profile(struct req *r, struct resp *w);
void office_profile_totp_begin(struct req *r, struct resp *w);
void office_profile_totp_confirm(struct req *r, struct resp *w);
void office_profile_totp_disable(struct req *r, struct resp *w);
void office_profile_totp_qr(struct req *r, struct resp *w);

#endif
