/*
 * Codice fiscale of natural persons (16 characters, DM 23 December 1976). This module owns the
 * whole rule set: normalisation of what was typed, structure, the check character, omocodia (the
 * Agenzia's letter substitutes for digits, 2^7 = 128 variants of one code, all accepted and mapped
 * back to the plain form), decoding of birth date, sex and place code, computing a code from a
 * person's data, and the consistency check of a code against entered data.
 *
 * Place codes are checked for shape only here; whether a code names a known municipality or state
 * is the business of places.h, and an unknown place is never a reason to reject a code.
 */
#ifndef REFETTORIO_DOMAIN_CODICE_FISCALE_H
#define REFETTORIO_DOMAIN_CODICE_FISCALE_H

#include <stddef.h>

#define CODICE_FISCALE_LEN          16
#define CODICE_FISCALE_OMOCODIA_POS 7   /* digit positions that may carry a letter */
#define CODICE_FISCALE_VARIANTS     128 /* 2^CODICE_FISCALE_OMOCODIA_POS */
#define CODICE_FISCALE_NAME_MAX     256 /* bytes of surname or name considered when computing */
#define CODICE_FISCALE_MIN_YEAR     1800
#define CODICE_FISCALE_MAX_YEAR     2999

enum codice_fiscale_err {
    CODICE_FISCALE_OK = 0,
    CODICE_FISCALE_EMPTY,
    CODICE_FISCALE_NON_ASCII,     /* err_pos: position in the input as typed */
    CODICE_FISCALE_BAD_CHARACTER, /* neither letter nor digit, at err_pos */
    CODICE_FISCALE_WRONG_LENGTH, /* length holds the count (a value past the limit is "too long") */
    CODICE_FISCALE_EXPECTED_LETTER, /* at err_pos */
    CODICE_FISCALE_EXPECTED_DIGIT,  /* at err_pos (a digit or an omocodia letter L-V) */
    CODICE_FISCALE_BAD_MONTH,       /* the month letter is not one of ABCDEHLMPRST */
    CODICE_FISCALE_BAD_DAY,         /* day not in 01-31 (men) or 41-71 (women) */
    CODICE_FISCALE_BAD_DATE,        /* the day does not exist in that month */
    CODICE_FISCALE_BAD_CHECK,       /* expected_check holds the right letter */
    /* computing from personal data */
    CODICE_FISCALE_NO_SURNAME,     /* the surname has no letters */
    CODICE_FISCALE_NO_NAME,        /* the name has no letters */
    CODICE_FISCALE_BAD_BIRTH_DATE, /* not a real date, or outside MIN_YEAR..MAX_YEAR */
    CODICE_FISCALE_BAD_SEX,        /* not 'M' or 'F' */
    CODICE_FISCALE_BAD_PLACE,      /* not a letter followed by three digits */
};

/* A parsed code. Error details are filled in on failure as described in the enum. */
struct codice_fiscale {
    char normalized[CODICE_FISCALE_LEN +
                    1]; /* upper case, spaces removed, as the Agenzia issued it */
    char canonical[CODICE_FISCALE_LEN + 1]; /* omocodia letters turned back into digits */
    unsigned omocodia_mask; /* bit i set: the i-th digit from the right was a letter */
    int year2;              /* 00-99: the century is not in the code */
    int month;              /* 1-12 */
    int day;                /* 1-31 */
    char sex;               /* 'M' or 'F' */
    char place[5];          /* Belfiore code, digits restored */
    size_t err_pos;         /* 1-based */
    size_t length;
    char expected_check;
};

/* Personal data to compute a code from, or to check a code against. */
struct codice_fiscale_person {
    const char *surname; /* UTF-8; accents, apostrophes and spaces are fine */
    const char *name;
    int year;          /* full year */
    int month;         /* 1-12 */
    int day;           /* 1-31 */
    char sex;          /* 'M' or 'F' */
    const char *place; /* Belfiore code, e.g. "H501" */
};

/* Fields that can disagree between a code and personal data (bit mask). */
enum codice_fiscale_field {
    CODICE_FISCALE_FIELD_SURNAME = 1u << 0,
    CODICE_FISCALE_FIELD_NAME = 1u << 1,
    CODICE_FISCALE_FIELD_BIRTH_DATE = 1u << 2,
    CODICE_FISCALE_FIELD_SEX = 1u << 3,
    CODICE_FISCALE_FIELD_PLACE = 1u << 4,
};

/* Validates and decodes a typed code (spaces and lower case accepted). */
enum codice_fiscale_err codice_fiscale_parse(const char *in, struct codice_fiscale *out);

/* Computes the plain (non-omocodic) code. out must hold CODICE_FISCALE_LEN + 1 bytes. */
enum codice_fiscale_err codice_fiscale_compute(const struct codice_fiscale_person *p, char *out);

/*
 * Checks code against p. Returns a parse or compute error when either side is invalid; otherwise
 * CODICE_FISCALE_OK with *mismatch set to the fields that disagree (0 when the code fits the
 * person). Omocodic variants of the right code fit.
 */
enum codice_fiscale_err codice_fiscale_check_person(const char *code,
                                                    const struct codice_fiscale_person *p,
                                                    unsigned *mismatch);

/*
 * Writes the omocodic variant of a canonical 16-character code selected by mask (bit i replaces
 * the i-th digit from the right by its letter), with the check character recomputed. Mask 0
 * gives the canonical code back. out must hold CODICE_FISCALE_LEN + 1 bytes.
 */
void codice_fiscale_variant(const char *canonical, unsigned mask, char *out);

/* Full birth year: 20yy when that is not after current_year, else 19yy. */
int codice_fiscale_birth_year(int year2, int current_year);

/* Human-readable field name ("surname", "birth date", ...) for one bit, "" otherwise. */
const char *codice_fiscale_field_name(unsigned field);
/* Short reason for an error. */
const char *codice_fiscale_strerror(enum codice_fiscale_err err);
/* Precise reason using the details in cf (may be NULL): "character 7 should be a digit". */
void codice_fiscale_describe(enum codice_fiscale_err err, const struct codice_fiscale *cf,
                             char *out, size_t out_size);

#endif
