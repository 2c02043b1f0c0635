/*
 * Staff accounts (office, caterer, kitchen, tenant admins, platform super-admins): roles,
 * creation with an Argon2id password, sign-in by e-mail + password, and what the office and each
 * staff member manage: the list, disabling and enabling, temporary passwords (new accounts and
 * resets, mailed through the outbox in the same transaction), password changes under the
 * password policy, and the TOTP second factor (enrolment, confirmation, verification with replay
 * protection, removal). Each change is one transaction with its audit entry (who, what,
 * from -> to). Owns the staff_user table; temporary passwords and TOTP secrets are wiped from
 * its own buffers after use.
 */
#ifndef REFETTORIO_SERVICES_STAFF_H
#define REFETTORIO_SERVICES_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/password_policy.h"
#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"

/* Roles are bits so a route can allow several. */
enum role {
    ROLE_SUPERADMIN = 1u << 0,
    ROLE_ADMIN = 1u << 1,
    ROLE_UFFICIO = 1u << 2,
    ROLE_GESTORE = 1u << 3,
    ROLE_CUCINA = 1u << 4,
    /* Not a staff role: a signed-in family (guardian); routes name it like the others. */
    ROLE_FAMILY = 1u << 5,
};
#define ROLE_ANY_STAFF (ROLE_ADMIN | ROLE_UFFICIO | ROLE_GESTORE | ROLE_CUCINA)

#define STAFF_EMAIL_MAX    254
#define STAFF_NAME_MAX     120
#define STAFF_PASSWORD_MIN 10
#define STAFF_LIST_MAX     500 /* rows the office list shows; more is reported, not listed */
#define STAFF_TEMP_GROUPS  4   /* temporary passwords: 4 groups of 4 characters, "-" between */
#define STAFF_TEMP_CHARS   (STAFF_TEMP_GROUPS * 5)

struct staff_user {
    int64_t id;
    const char *email;
    const char *name;
    enum role role;
    bool disabled;
};

bool staff_role_parse(const char *s, enum role *out);
const char *staff_role_name(enum role r);
/* English msgid of the role's label, for tr(). */
const char *staff_role_label(enum role r);

enum staff_err {
    STAFF_OK = 0,
    STAFF_ERR_EMAIL,     /* not a valid e-mail address */
    STAFF_ERR_NAME,      /* empty or too long */
    STAFF_ERR_PASSWORD,  /* shorter than STAFF_PASSWORD_MIN or too long */
    STAFF_ERR_DUPLICATE, /* e-mail already used in this tenant */
    STAFF_ERR_DB,
    STAFF_ERR_NOT_FOUND,  /* no such staff member in this tenant */
    STAFF_ERR_SELF,       /* an administrator cannot disable themself */
    STAFF_ERR_LAST_ADMIN, /* the tenant's last enabled administrator */
    STAFF_ERR_CURRENT,    /* the current password given is wrong */
    STAFF_ERR_POLICY,     /* the new password breaks the policy (see *why) */
    STAFF_ERR_SAME,       /* the new password is the current one */
    STAFF_ERR_CODE,       /* wrong, malformed or already used one-time code */
    STAFF_ERR_STATE,      /* not possible now (second factor already on, nothing to confirm) */
    STAFF_ERR_MAIL,       /* the message could not be queued; nothing was changed */
};

/* tenant_id 0 only with ROLE_SUPERADMIN. The e-mail is stored lower-cased. */
enum staff_err staff_create(struct db *db, int64_t tenant_id, const char *email, const char *name,
                            enum role role, const char *password, int64_t *id);

enum staff_auth { STAFF_AUTH_OK, STAFF_AUTH_BAD, STAFF_AUTH_DISABLED, STAFF_AUTH_ERROR };
/* Verify e-mail + password; audit-logs success and failure. */
enum staff_auth staff_authenticate(struct db *db, struct arena *a, int64_t tenant_id,
                                   const char *email, const char *password, const char *client_addr,
                                   struct staff_user *out);
/* 1 found, 0 not, -1 error. */
int staff_find_by_id(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                     struct staff_user *out);
/* Lower-case ASCII copy of an e-mail address into the arena. */
char *staff_email_normalize(struct arena *a, const char *email);

/* ---- office administration and self-service -------------------------------------------- */

/* Who acts, for the audit log (a staff member, or the CLI with id 0). */
struct staff_actor {
    int64_t id;
    const char *label; /* e-mail address */
    const char *client_addr;
};

struct staff_row {
    struct staff_user user;
    bool totp_enabled;
    bool password_temporary;
};

/* The tenant's staff by name, at most STAFF_LIST_MAX rows; *more is set when there are more.
   0 or -1. */
int staff_list(struct db *db, struct arena *a, int64_t tenant_id, struct staff_row **rows,
               size_t *n, bool *more);

struct staff_security {
    bool totp_enabled;
    const char *totp_pending; /* base32 secret of an enrolment in progress, else NULL */
    int64_t totp_last_step;   /* last accepted time step */
    bool password_temporary;
};
/* 1 found, 0 not, -1 error. */
int staff_security_get(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                       struct staff_security *out);

/* Temporary password mail (templates/mail/temporary_password) in the person's language, with
   the sign-in address to put in it. */
struct staff_mail {
    const struct tenant *tenant;
    const char *lang;
    const char *signin_href; /* absolute URL of the staff sign-in page */
};

/* Create an account with a random temporary password, mailed to the address. STAFF_OK,
   STAFF_ERR_EMAIL, _NAME, _DUPLICATE, _MAIL or _DB. */
enum staff_err staff_create_invited(struct db *db, struct arena *a, const struct staff_actor *by,
                                    const struct staff_mail *m, const char *email, const char *name,
                                    enum role role, int64_t *id);
/* The same inside the caller's transaction (which it neither begins nor ends), for a use case
   that creates the account together with something else (a municipality and its first
   administrator). On an error the caller rolls back. */
enum staff_err staff_create_invited_tx(struct db *db, struct arena *a, const struct staff_actor *by,
                                       const struct staff_mail *m, const char *email,
                                       const char *name, enum role role, int64_t *id);
/* Disable or enable an account. An administrator cannot disable themself, and the last enabled
   administrator cannot be disabled. Disabling also ends nothing else: sessions of a disabled
   account stop working at their next request (session_load checks the flag). */
enum staff_err staff_set_disabled(struct db *db, int64_t tenant_id, const struct staff_actor *by,
                                  int64_t id, bool disabled);
/* New random temporary password, mailed; also removes the second factor (a reset is for someone
   who lost access, perhaps with the phone), which re-enrols from the profile. */
enum staff_err staff_reset_password(struct db *db, struct arena *a, const struct staff_actor *by,
                                    const struct staff_mail *m, int64_t id);
/* Change one's own password under the policy (*why says which rule failed). current may be NULL
   only when the password is temporary (the forced change right after signing in with it). */
enum staff_err staff_change_password(struct db *db, struct arena *a, int64_t tenant_id,
                                     const struct staff_actor *by, const char *current,
                                     const char *new_password, enum password_policy_err *why);

/* TOTP enrolment: a new random secret, pending until confirmed; *secret_b32 (arena) is it.
   STAFF_ERR_STATE when the second factor is already on. */
enum staff_err staff_totp_begin(struct db *db, struct arena *a, int64_t tenant_id,
                                const struct staff_actor *by, const char **secret_b32);
/* Confirm the pending secret with a code from the app: the second factor is then on. */
enum staff_err staff_totp_confirm(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct staff_actor *by, const char *code);
/* Turn the second factor off (or drop a pending enrolment); needs a valid code when it is on. */
enum staff_err staff_totp_disable(struct db *db, struct arena *a, int64_t tenant_id,
                                  const struct staff_actor *by, const char *code);
/* The sign-in's second step: a valid code for a step later than the last accepted one.
   STAFF_OK, STAFF_ERR_CODE (audit-logged), STAFF_ERR_STATE (not enrolled) or STAFF_ERR_DB. */
enum staff_err staff_totp_check(struct db *db, struct arena *a, int64_t tenant_id,
                                const struct staff_actor *who, const char *code);

#endif
