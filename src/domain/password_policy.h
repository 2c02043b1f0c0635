/*
 * The password policy for families and staff: at least PASSWORD_POLICY_MIN_CHARS characters, at
 * most PASSWORD_POLICY_MAX_CHARS (checked before any hashing), not one of the common passwords
 * (a list of 10,000 generated at build time from a registry package), not a common password with
 * a few digits or symbols around it ("password2024!"), not the person's codice fiscale or e-mail
 * address, and not one character repeated. Pure: no I/O.
 */
#ifndef REFETTORIO_DOMAIN_PASSWORD_POLICY_H
#define REFETTORIO_DOMAIN_PASSWORD_POLICY_H

#include <stddef.h>

#define PASSWORD_POLICY_MIN_CHARS 10
#define PASSWORD_POLICY_MAX_CHARS 128

enum password_policy_err {
    PASSWORD_POLICY_OK = 0,
    PASSWORD_POLICY_TOO_SHORT,
    PASSWORD_POLICY_TOO_LONG,
    PASSWORD_POLICY_COMMON,
    PASSWORD_POLICY_PERSONAL,   /* contains the codice fiscale or the e-mail address */
    PASSWORD_POLICY_REPETITIVE, /* fewer than 4 different characters */
    PASSWORD_POLICY_INVALID,    /* not valid UTF-8, or control characters */
};

/* fiscal_code and email may be NULL. */
enum password_policy_err password_policy_check(const char *password, const char *fiscal_code,
                                               const char *email);
/* English msgid explaining the rule, for the message next to the field. */
const char *password_policy_message(enum password_policy_err err);
/* Whether s (any case) is in the common list. */
int password_policy_is_common(const char *s);

/* The generated list: lower-case, sorted by strcmp. */
extern const char *const password_common[];
extern const size_t password_common_count;

#endif
