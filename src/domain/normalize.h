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

#endif
