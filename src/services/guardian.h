/*
 * Family accounts: the guardian (parent or tutor) who enrolls the pupils and pays, the pupils
 * under them, and how a family signs in: user code or a pupil's codice fiscale plus password,
 * or an external identity (SPID/CIE) for a verified codice fiscale. Passwords follow the policy
 * of domain/password_policy.h and are stored as Argon2id.
 */
#ifndef REFETTORIO_SERVICES_GUARDIAN_H
#define REFETTORIO_SERVICES_GUARDIAN_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

#define GUARDIAN_USER_CODE_LEN 8

struct guardian {
    int64_t id;
    const char *user_code;
    const char *fiscal_code;
    const char *name;
    const char *surname;
    const char *email;
    bool email_verified;
    const char *mobile;
    const char *address;
    const char *lang;
    bool has_password;
    bool password_temporary;
    bool disabled;
};

struct pupil_summary {
    int64_t id;
    const char *fiscal_code;
    const char *name;
    const char *surname;
    const char *birth_date;
    const char *badge_code;
};

#define GUARDIAN_PUPILS_MAX        20
#define GUARDIAN_TEMP_PASSWORD_LEN 12

enum guardian_err {
    GUARDIAN_OK = 0,
    GUARDIAN_ERR_INVALID,   /* a value failed validation (codice fiscale, e-mail, name...) */
    GUARDIAN_ERR_DUPLICATE, /* the codice fiscale already has an account / pupil */
    GUARDIAN_ERR_PASSWORD,  /* the password breaks the policy */
    GUARDIAN_ERR_DB,
};

struct guardian_new {
    const char *fiscal_code, *name, *surname, *email, *mobile, *address, *lang;
    bool email_verified;
};

struct pupil_new {
    const char *fiscal_code, *name, *surname, *birth_date, *sex;
};

/* 1 found, 0 not, -1 error. Strings in the arena. */
int guardian_find_by_id(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                        struct guardian *out);
/* Create the account with a new random user code. With password NULL a temporary password is
   generated into temp_password[GUARDIAN_TEMP_PASSWORD_LEN + 1] and must be changed at the first
   sign-in. Audit-logged. */
enum guardian_err guardian_create(struct db *db, int64_t tenant_id, const struct guardian_new *g,
                                  const char *password, int64_t *id, char *temp_password);
/* A pupil under the guardian, with a new random badge code. Audit-logged. */
enum guardian_err pupil_create(struct db *db, int64_t tenant_id, int64_t guardian_id,
                               const struct pupil_new *p, int64_t *id);
int guardian_pupils(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                    struct pupil_summary **out, size_t *n);

enum guardian_auth {
    GUARDIAN_AUTH_OK,
    GUARDIAN_AUTH_BAD,
    GUARDIAN_AUTH_DISABLED,
    GUARDIAN_AUTH_ERROR
};
/* login: the user code, a pupil's codice fiscale or the guardian's own codice fiscale (any case
   and spacing). The answer never tells whether the account exists. Audit-logged. */
enum guardian_auth guardian_authenticate(struct db *db, struct arena *a, int64_t tenant_id,
                                         const char *login, const char *password,
                                         const char *client_addr, struct guardian *out);
/* The normalised login name for throttling ("family:<code>"), or NULL when it cannot be one. */
const char *guardian_login_key(struct arena *a, const char *login);
/* 1 found, 0 not, -1 error: the account a login name designates (for password reset). */
int guardian_find_by_login(struct db *db, struct arena *a, int64_t tenant_id, const char *login,
                           struct guardian *out);
/* New password (policy-checked against the codice fiscale and e-mail); temporary=false clears
   the forced change. Audit-logged with actor. */
enum guardian_err guardian_set_password(struct db *db, struct arena *a, int64_t tenant_id,
                                        int64_t id, const char *password, bool temporary,
                                        const char *actor_label);
bool guardian_verify_password(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                              const char *password);
/* Replace the e-mail address (already verified). Audit-logged. */
enum guardian_err guardian_set_email(struct db *db, int64_t tenant_id, int64_t id,
                                     const char *email);

/* External identities (SPID, CIE): an account reached by a verified codice fiscale without a
   password. provider is "spid" or "cie". */
int guardian_find_by_external(struct db *db, struct arena *a, int64_t tenant_id,
                              const char *provider, const char *fiscal_code, struct guardian *out);
enum guardian_err guardian_link_external(struct db *db, int64_t tenant_id, int64_t guardian_id,
                                         const char *provider, const char *fiscal_code);

#endif
