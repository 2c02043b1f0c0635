/*
 * SEPA Creditor Identifier (EPC AT-02), the id a municipality puts on its direct-debit mandates.
 * This module owns its structure (country, two check digits, a three-character business code
 * that the check skips, the national id), the Italian form (IT + check + business code, "ZZZ"
 * when unused, + the 16-character codice fiscale or partita IVA left-padded with zeros) and
 * computing the check digits (ISO 7064 MOD 97-10).
 */
#ifndef REFETTORIO_DOMAIN_CREDITOR_ID_H
#define REFETTORIO_DOMAIN_CREDITOR_ID_H

#include <stddef.h>

#define CREDITOR_ID_MIN_LEN     8  /* country + check + business code + at least one character */
#define CREDITOR_ID_MAX_LEN     35 /* EPC maximum */
#define CREDITOR_ID_IT_LEN      23
#define CREDITOR_ID_IT_NATIONAL 16

enum creditor_id_err {
    CREDITOR_ID_OK = 0,
    CREDITOR_ID_EMPTY,
    CREDITOR_ID_NON_ASCII,        /* err_pos */
    CREDITOR_ID_BAD_CHARACTER,    /* err_pos */
    CREDITOR_ID_BAD_COUNTRY,      /* the first two characters are not letters */
    CREDITOR_ID_BAD_CHECK_FORMAT, /* characters 3-4 are not digits */
    CREDITOR_ID_WRONG_LENGTH,     /* length; 23 for Italy */
    CREDITOR_ID_BAD_CHECK,        /* expected_check */
};

struct creditor_id {
    char normalized[CREDITOR_ID_MAX_LEN + 1];
    char country[3];
    char check[3];
    char business_code[4];
    char national_id[CREDITOR_ID_MAX_LEN - 7 + 1];
    char expected_check[3];
    size_t err_pos;
    size_t length;
};

enum creditor_id_err creditor_id_parse(const char *in, struct creditor_id *out);

/*
 * Builds an identifier; business_code NULL means "ZZZ". For IT a national id shorter than 16
 * characters (an 11-digit codice fiscale or partita IVA) is left-padded with zeros. out must
 * hold CREDITOR_ID_MAX_LEN + 1 bytes.
 */
enum creditor_id_err creditor_id_make(const char *country, const char *business_code,
                                      const char *national_id, char *out);

const char *creditor_id_strerror(enum creditor_id_err err);
void creditor_id_describe(enum creditor_id_err err, const struct creditor_id *v, char *out,
                          size_t out_size);

#endif
