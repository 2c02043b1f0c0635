/*
 * Staff sign-in, shared by every area where staff sign in with e-mail and password: a
 * municipality's back office and the platform. It owns the steps: the password (with the
 * throttle), then the TOTP code when the account has one, then the forced change of a temporary
 * password where the area has that page; between the password and those steps the session is
 * "pending" (session_start_staff with mfa_pending) and opens nothing else. An area says where it
 * lives and how its pages look; the rules are the same everywhere.
 */
#ifndef REFETTORIO_APP_STAFF_SIGNIN_H
#define REFETTORIO_APP_STAFF_SIGNIN_H

#include <stdint.h>

#include "web/http.h"

typedef void (*signin_page_fn)(struct req *r, struct resp *w, int status, const char *form_error);

struct signin_area {
    int64_t tenant_id;        /* 0 for the platform */
    const char *key_prefix;   /* throttle key prefix: "staff", "superadmin" */
    unsigned roles;           /* roles that may sign in here (enum role bits) */
    const char *locked_msgid; /* shown when the login is locked: who can unlock it */
    const char *disabled_msgid;
    const char *signin_href, *code_href, *home_href;
    const char *password_href; /* forced change of a temporary password; NULL: none here */
    signin_page_fn login_page; /* the password form, with a form-level error */
    signin_page_fn code_page;  /* the code form */
};

/* POST of the password form (fields "email", "password"). */
void signin_password_submit(struct req *r, struct resp *w, const struct signin_area *a);
/* GET and POST (field "code") of the TOTP step. */
void signin_code_form(struct req *r, struct resp *w, const struct signin_area *a);
void signin_code_submit(struct req *r, struct resp *w, const struct signin_area *a);
/* The throttle key of an e-mail address in the area ("staff:<lower-cased address>"). */
const char *signin_login_key(struct req *r, const struct signin_area *a, const char *email);

#endif
