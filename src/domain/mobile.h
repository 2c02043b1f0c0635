/*
 * Italian mobile phone numbers, for SMS notices to families. This module owns what is accepted
 * (spaces, dots, dashes, slashes and parentheses as separators; an optional +39 or 0039 prefix;
 * a national number of 9 or 10 digits starting with 3, the Italian mobile range) and the E.164
 * form the platform stores ("+393471234567"). Landlines (national numbers starting with 0) and
 * foreign numbers are refused with their own reason.
 */
#ifndef REFETTORIO_DOMAIN_MOBILE_H
#define REFETTORIO_DOMAIN_MOBILE_H

#include <stddef.h>

#define MOBILE_MIN_DIGITS 9
#define MOBILE_MAX_DIGITS 10
#define MOBILE_E164_SIZE  (3 + MOBILE_MAX_DIGITS + 1)
#define MOBILE_MAX_INPUT  40 /* characters typed, separators included */

enum mobile_err {
    MOBILE_OK = 0,
    MOBILE_EMPTY,
    MOBILE_TOO_LONG,
    MOBILE_BAD_CHARACTER, /* err_pos */
    MOBILE_MISPLACED_PLUS,
    MOBILE_FOREIGN,      /* an international prefix other than 39 */
    MOBILE_LANDLINE,     /* the national number starts with 0 */
    MOBILE_NOT_MOBILE,   /* the national number does not start with 3 */
    MOBILE_WRONG_LENGTH, /* digits */
};

struct mobile {
    char e164[MOBILE_E164_SIZE]; /* "+393471234567" */
    char national[MOBILE_MAX_DIGITS + 1];
    size_t err_pos;
    size_t digits;
};

enum mobile_err mobile_parse(const char *in, struct mobile *out);
const char *mobile_strerror(enum mobile_err err);
void mobile_describe(enum mobile_err err, const struct mobile *v, char *out, size_t out_size);

#endif
