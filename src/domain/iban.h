/*
 * IBAN (ISO 13616). This module owns normalisation (spaces, case), the MOD 97-10 check over any
 * country's IBAN, the Italian (and San Marino) BBAN layout with its length of 27 and its CIN
 * check letter, computing check digits for a BBAN, and printing in groups of four.
 *
 * Every country's length, and whether it is in SEPA, comes from the ISO 13616 registry table
 * that the build generates from the npm package ibantools (tools/gen_iban_countries.mjs); a
 * country code missing from the registry is refused.
 */
#ifndef REFETTORIO_DOMAIN_IBAN_H
#define REFETTORIO_DOMAIN_IBAN_H

#include <stddef.h>

#define IBAN_MIN_LEN        15
#define IBAN_MAX_LEN        34
#define IBAN_IT_LEN         27
#define IBAN_FORMATTED_SIZE (IBAN_MAX_LEN + IBAN_MAX_LEN / 4 + 1)

enum iban_err {
    IBAN_OK = 0,
    IBAN_EMPTY,
    IBAN_NON_ASCII,        /* err_pos, in the input as typed */
    IBAN_BAD_CHARACTER,    /* not a letter or digit, err_pos */
    IBAN_BAD_COUNTRY,      /* not two letters, or a country without IBAN */
    IBAN_BAD_CHECK_FORMAT, /* characters 3-4 are not digits */
    IBAN_WRONG_LENGTH,     /* length; expected_length is the country's (0: past IBAN_MAX_LEN) */
    IBAN_BAD_BBAN,         /* IT/SM layout: err_pos of the character out of place */
    IBAN_BAD_CHECKSUM,     /* MOD 97 does not give 1: some character is mistyped */
    IBAN_BAD_CIN,          /* the Italian CIN letter is wrong, expected_cin */
};

struct iban {
    char normalized[IBAN_MAX_LEN + 1];
    char formatted[IBAN_FORMATTED_SIZE]; /* "IT60 X054 2811 1010 0000 0123 456" */
    char country[3];
    char check[3];
    char bban[IBAN_MAX_LEN - 4 + 1];
    /* Italian and San Marino BBAN parts, empty for other countries. */
    char cin;
    char abi[6];
    char cab[6];
    char account[13];
    size_t err_pos;
    size_t length;
    size_t expected_length;
    char expected_cin;
    int sepa; /* 1 when the country is in the SEPA scheme (direct debits are possible) */
};

/* One row of the ISO 13616 registry (generated table, sorted by code). */
struct iban_country {
    char code[3];
    unsigned char length;
    unsigned char sepa;
};
extern const struct iban_country iban_countries[];
extern const size_t iban_countries_count;
/* The registry row for a two-letter code, NULL when the country has no IBAN. */
const struct iban_country *iban_country_find(const char *code);

enum iban_err iban_parse(const char *in, struct iban *out);

/*
 * Builds an IBAN from a country code and a BBAN (upper-case letters and digits), computing the
 * check digits; out must hold IBAN_MAX_LEN + 1 bytes.
 */
enum iban_err iban_make(const char *country, const char *bban, char *out);

/* CIN letter for the 22 characters ABI + CAB + account, 0 when one is not a letter or digit. */
char iban_italian_cin(const char *abi_cab_account);

/* Groups of four separated by spaces; out must hold IBAN_FORMATTED_SIZE bytes. */
void iban_format(const char *normalized, char *out);

const char *iban_strerror(enum iban_err err);
void iban_describe(enum iban_err err, const struct iban *v, char *out, size_t out_size);

#endif
