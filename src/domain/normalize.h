/*
 * Normalisation of typed identifiers and names, shared by every domain parser. This module owns
 * the one answer to "what did the person mean": which characters are dropped (spaces), how case
 * is folded, and how accented Latin letters are transliterated. It never allocates: output goes
 * to caller buffers with a hard size, and an input that does not fit is an error, not a cut.
 */
#ifndef REFETTORIO_DOMAIN_NORMALIZE_H
#define REFETTORIO_DOMAIN_NORMALIZE_H

#include <stddef.h>

/* Longest identifier any parser looks at once spaces are removed (IBAN is 34; margin for errors).
 */
#define NORMALIZE_MAX_IDENT 64

enum normalize_err {
    NORMALIZE_OK = 0,
    NORMALIZE_EMPTY,     /* nothing but spaces */
    NORMALIZE_NON_ASCII, /* a byte >= 0x80 at *bad_pos */
    NORMALIZE_CONTROL,   /* a control character at *bad_pos */
    NORMALIZE_TOO_LONG,  /* more than out_size - 1 characters after compaction */
};

/*
 * Copies in to out without spaces and tabs, upper-casing ASCII letters. *len gets the length;
 * *bad_pos (may be NULL) the 1-based position in the input of an offending byte. in may be NULL
 * (treated as empty).
 */
enum normalize_err normalize_compact(const char *in, char *out, size_t out_size, size_t *len,
                                     size_t *bad_pos);

/*
 * Transliterates UTF-8 text to printable ASCII: accented Latin-1 letters lose their accents
 * ("NICOLÒ" -> "NICOLO"), other non-ASCII code points and control characters become '?'/' '.
 * Case is kept. Always NUL-terminates; returns the number of bytes written (the output is cut at
 * out_size - 1, on a character boundary).
 */
size_t normalize_fold_ascii(const char *in, char *out, size_t out_size);

const char *normalize_strerror(enum normalize_err err);

/* The common head of ISO 13616-style identifiers (IBAN, SEPA creditor identifier). */
enum normalize_iso_err {
    NORMALIZE_ISO_OK = 0,
    NORMALIZE_ISO_EMPTY,
    NORMALIZE_ISO_NON_ASCII,        /* *err_pos */
    NORMALIZE_ISO_BAD_CHARACTER,    /* a control character or anything but A-Z 0-9, *err_pos */
    NORMALIZE_ISO_TOO_LONG,         /* longer than out_size - 1 */
    NORMALIZE_ISO_BAD_COUNTRY,      /* the first two are not letters */
    NORMALIZE_ISO_BAD_CHECK_FORMAT, /* the third and fourth are not digits */
};

/*
 * Compacts in (normalize_compact) into out, requires upper-case letters and digits only, then a
 * two-letter country code (copied to country[3] whenever it is well formed, even when the check
 * digits are not) followed by two check digits. *len gets the compacted length and *err_pos the
 * 1-based position of a refused character.
 */
enum normalize_iso_err normalize_iso_head(const char *in, char *out, size_t out_size, size_t *len,
                                          size_t *err_pos, char country[3]);

#endif
