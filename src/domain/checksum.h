/*
 * Check-character arithmetic shared by several identifiers. This module owns two algorithms:
 * ISO 7064 MOD 97-10 over alphanumeric text (IBAN, SEPA creditor identifier) and the odd/even
 * position table of the codice fiscale, which Italian banks also use for the CIN of a BBAN.
 */
#ifndef REFETTORIO_DOMAIN_CHECKSUM_H
#define REFETTORIO_DOMAIN_CHECKSUM_H

#include <stddef.h>

/*
 * Continues a MOD 97 remainder r (start with 0) over n characters of s, digits as themselves and
 * letters A-Z as 10-35 (two decimal digits). Returns the new remainder, or -1 when s holds a
 * character that is neither a digit nor an upper-case letter.
 */
int checksum_mod97(int r, const char *s, size_t n);

/*
 * Codice fiscale check letter over n characters (digits and upper-case letters), 1-based odd
 * positions through the odd table and even positions by value. Returns 'A'..'Z', or 0 when s
 * holds another character.
 */
char checksum_odd_even(const char *s, size_t n);

#endif
