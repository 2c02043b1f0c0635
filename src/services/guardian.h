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

/* 1 found, 0 not, -1 error. Strings in the arena. */
int guardian_find_by_id(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                        struct guardian *out);

#endif
