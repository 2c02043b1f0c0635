/*
 * Staff accounts (office, caterer, kitchen, tenant admins, platform super-admins): roles,
 * creation with an Argon2id password, and sign-in by e-mail + password with audit entries.
 */
#ifndef REFETTORIO_SERVICES_STAFF_H
#define REFETTORIO_SERVICES_STAFF_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
