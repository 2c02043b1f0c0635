/*
 * "Forgot password" for families: a link by e-mail, single use, valid PASSWORD_RESET_MINUTES,
 * whose token is stored only as a hash. Asking never reveals whether an account exists: the
 * same answer is given and the same work done either way. A new request cancels older links.
 */
#ifndef REFETTORIO_SERVICES_PASSWORD_RESET_H
#define REFETTORIO_SERVICES_PASSWORD_RESET_H

#include <stdint.h>

#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"

#define PASSWORD_RESET_MINUTES     30
#define PASSWORD_RESET_TOKEN_CHARS 43 /* base64url of 32 random bytes */

/* For the login name (user code or codice fiscale): when it designates an account with an
   e-mail address, queue the link (base_url + path + "?token=..."). Call inside a transaction.
   0 whether or not an account was found; -1 on a database error. */
int password_reset_request(struct db *db, struct arena *a, const struct tenant *t,
                           const char *login, const char *link_base, const char *lang);

enum password_reset_result {
    PASSWORD_RESET_OK,
    PASSWORD_RESET_INVALID, /* unknown, already used or expired: one answer for all three */
    PASSWORD_RESET_POLICY,  /* the new password breaks the policy; the link stays usable */
    PASSWORD_RESET_ERROR,
};

/* Whether a token can still be used (to show the form or say it expired). */
enum password_reset_result password_reset_peek(struct db *db, int64_t tenant_id, const char *token);
/* Use the token: set the new password (policy checked), mark the link used, cancel the other
   links of the account. Call inside a transaction. *guardian_id receives the account. */
enum password_reset_result password_reset_use(struct db *db, struct arena *a, int64_t tenant_id,
                                              const char *token, const char *new_password,
                                              int64_t *guardian_id);

#endif
