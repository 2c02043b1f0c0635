/*
 * 11-digit codice fiscale of organisations and partita IVA (the same number for most entities,
 * e.g. the municipality that is the pagoPA creditor). This module owns the structure and the
 * Luhn-style check digit (odd positions as they are, even positions doubled minus 9).
 */
#ifndef REFETTORIO_DOMAIN_CF11_H
#define REFETTORIO_DOMAIN_CF11_H

#include <stddef.h>

#define CF11_LEN 11

enum cf11_err {
    CF11_OK = 0,
    CF11_EMPTY,
    CF11_NON_ASCII,    /* err_pos */
    CF11_NOT_DIGIT,    /* err_pos (in the number without the optional IT prefix) */
    CF11_WRONG_LENGTH, /* length */
    CF11_ALL_ZERO,     /* 00000000000 passes the check digit but is no one's number */
    CF11_BAD_CHECK,    /* expected_check */
};

struct cf11 {
    char normalized[CF11_LEN + 1];
    size_t err_pos;
    size_t length;
    char expected_check;
};

/* Validates a number; spaces and a leading "IT" (as VAT numbers are often written) are dropped. */
enum cf11_err cf11_parse(const char *in, struct cf11 *out);
/* Check digit ('0'-'9') for the first 10 digits of s, 0 when one of them is not a digit. */
char cf11_check_digit(const char *s);

const char *cf11_strerror(enum cf11_err err);
void cf11_describe(enum cf11_err err, const struct cf11 *v, char *out, size_t out_size);

#endif
