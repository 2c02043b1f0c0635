/*
 * Money: amounts are int64_t euro cents everywhere. This module owns the Italian text form
 * ("1.234,50 €": dot for thousands, comma for decimals) both ways, VAT rates, and the one rounding
 * rule used to split a VAT-inclusive price. Overflow is an error, never a wrap.
 *
 * The VAT rule (tariffs are stored gross, with their rate; school meals take 4%):
 *
 *     net = round_half_away_from_zero(gross * 10000 / (10000 + rate_bp))   in cents
 *     vat = gross - net
 *
 * so net + vat == gross always, and a refund (negative gross) splits into exactly the negated
 * parts of the matching charge. Going the other way (a quote given net of VAT):
 *
 *     vat   = round_half_away_from_zero(net * rate_bp / 10000)
 *     gross = net + vat
 *
 * and for any rate > 0 splitting that gross gives the same net back (the error of the second
 * rounding is below half a cent once divided by 1 + rate). Arithmetic is exact integer long
 * division, with no floating point and no intermediate that can overflow.
 */
#ifndef REFETTORIO_DOMAIN_MONEY_H
#define REFETTORIO_DOMAIN_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define MONEY_MAX_INPUT   64    /* characters of a typed amount */
#define MONEY_TEXT_SIZE   40    /* "-92.233.720.368.547.758,08 €" fits with room to spare */
#define MONEY_RATE_MAX_BP 10000 /* VAT rates in basis points: 400 = 4%, at most 100% */

enum money_err {
    MONEY_OK = 0,
    MONEY_EMPTY,
    MONEY_TOO_LONG,
    MONEY_BAD_CHARACTER,     /* err_pos */
    MONEY_BAD_GROUPING,      /* thousands separated by dots must come in groups of three */
    MONEY_TOO_MANY_DECIMALS, /* more than two digits after the comma */
    MONEY_NO_DIGITS,
    MONEY_OVERFLOW, /* outside the int64_t range of cents */
    MONEY_BAD_RATE, /* rate not in 0..MONEY_RATE_MAX_BP */
};

/*
 * Parses "1.234,50", "-6,18 €", "€ 12", "0,5" (fifty cents), "1234,5 EUR". The dot only ever
 * separates thousands, so "6.18" is refused with MONEY_BAD_GROUPING rather than read as 618
 * euros or 6.18 euros by guesswork. err_pos (may be NULL) gets a 1-based position.
 */
enum money_err money_parse(const char *in, int64_t *cents, size_t *err_pos);

/* Writes the Italian form with the euro sign; out must hold MONEY_TEXT_SIZE bytes. */
void money_format(int64_t cents, char *out);
/* Same without the euro sign ("1.234,50"). */
void money_format_plain(int64_t cents, char *out);

/* Parses a VAT rate in percent, "4", "22", "5,5", "7.3 %", into basis points. */
enum money_err money_parse_rate(const char *in, int *rate_bp);
/* "4", "5,5", "7,35": the shortest Italian form of a rate; out must hold 16 bytes. */
void money_format_rate(int rate_bp, char *out);

/* Splits a VAT-inclusive amount by the rule above. */
enum money_err money_vat_split(int64_t gross, int rate_bp, int64_t *net, int64_t *vat);
/* Adds VAT to a net amount by the rule above; MONEY_OVERFLOW when the gross does not fit. */
enum money_err money_vat_gross(int64_t net, int rate_bp, int64_t *gross, int64_t *vat);

const char *money_strerror(enum money_err err);

#endif
