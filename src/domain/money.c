/* Euro cents: Italian text form and VAT arithmetic (see money.h for the rounding rule). */
#include "domain/money.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define EURO_SIGN "\xe2\x82\xac" /* U+20AC in UTF-8 */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Removes a currency marker ("€" or "EUR") at the start or the end of [*b, *e), with its spaces. */
static void money_strip_currency(const char *s, size_t *b, size_t *e)
{
    static const char *const marks[] = {EURO_SIGN, "EUR", "eur", "Eur"};
    for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
        size_t m = strlen(marks[k]);
        if (*e - *b >= m && memcmp(s + *e - m, marks[k], m) == 0) {
            *e -= m;
            break;
        }
        if (*e - *b >= m && memcmp(s + *b, marks[k], m) == 0) {
            *b += m;
            break;
        }
    }
    while (*b < *e && is_space(s[*b])) {
        (*b)++;
    }
    while (*e > *b && is_space(s[*e - 1])) {
        (*e)--;
    }
}

/* mag = mag * 10 + d unless that passes limit. */
static bool money_push_digit(uint64_t *mag, uint64_t limit, char d)
{
    uint64_t v = (uint64_t)(d - '0');
    if (*mag > (limit - v) / 10) {
        return false;
    }
    *mag = *mag * 10 + v;
    return true;
}

enum money_err money_parse(const char *in, int64_t *cents, size_t *err_pos)
{
    size_t pos_dummy;
    size_t *pos = err_pos != NULL ? err_pos : &pos_dummy;

    *cents = 0;
    *pos = 0;
    if (in == NULL) {
        return MONEY_EMPTY;
    }
    size_t end = strnlen(in, MONEY_MAX_INPUT + 1);
    if (end > MONEY_MAX_INPUT) {
        return MONEY_TOO_LONG;
    }
    size_t b = 0;
    while (b < end && is_space(in[b])) {
        b++;
    }
    while (end > b && is_space(in[end - 1])) {
        end--;
    }
    money_strip_currency(in, &b, &end);
    if (b == end) {
        return MONEY_EMPTY;
    }
    bool negative = false;
    if (in[b] == '-' || in[b] == '+') {
        negative = in[b] == '-';
        b++;
    }
    /* The magnitude of INT64_MIN is one more than INT64_MAX. */
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag = 0;
    size_t int_digits = 0;
    size_t group = 0;  /* digits since the last thousands dot */
    bool dots = false; /* a thousands dot was seen */
    size_t i = b;
    for (; i < end && in[i] != ','; i++) {
        char c = in[i];
        if (c == '.') {
            if (int_digits == 0 || (dots ? group != 3 : group > 3)) {
                *pos = i + 1;
                return MONEY_BAD_GROUPING;
            }
            dots = true;
            group = 0;
            continue;
        }
        if (!is_digit(c)) {
            *pos = i + 1;
            return MONEY_BAD_CHARACTER;
        }
        /* Every digit is multiplied by 100 at the end; check that here to report overflow once. */
        if (!money_push_digit(&mag, limit / 100, c)) {
            return MONEY_OVERFLOW;
        }
        int_digits++;
        group++;
    }
    if (dots && group != 3) {
        *pos = i;
        return MONEY_BAD_GROUPING;
    }
    size_t dec_digits = 0;
    uint64_t dec = 0;
    if (i < end) {
        for (i++; i < end; i++) {
            if (!is_digit(in[i])) {
                *pos = i + 1;
                return MONEY_BAD_CHARACTER;
            }
            if (++dec_digits > 2) {
                *pos = i + 1;
                return MONEY_TOO_MANY_DECIMALS;
            }
            dec = dec * 10 + (uint64_t)(in[i] - '0');
        }
        if (dec_digits == 0) {
            *pos = i;
            return MONEY_NO_DIGITS;
        }
    }
    if (int_digits == 0 && dec_digits == 0) {
        return MONEY_NO_DIGITS;
    }
    if (dec_digits == 1) {
        dec *= 10;
    }
    mag *= 100;
    if (mag > limit - dec) {
        return MONEY_OVERFLOW;
    }
    mag += dec;
    *cents = negative ? (int64_t)(0 - mag) : (int64_t)mag;
    return MONEY_OK;
}

static void money_format_impl(int64_t cents, char *out, bool euro)
{
    char rev[MONEY_TEXT_SIZE];
    size_t n = 0;
    /* Magnitude in unsigned arithmetic so that INT64_MIN has one too. */
    uint64_t mag = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    uint64_t euros = mag / 100;
    unsigned c = (unsigned)(mag % 100);

    rev[n++] = (char)('0' + c % 10);
    rev[n++] = (char)('0' + c / 10);
    rev[n++] = ',';
    size_t digits = 0;
    do {
        if (digits > 0 && digits % 3 == 0) {
            rev[n++] = '.';
        }
        rev[n++] = (char)('0' + euros % 10);
        euros /= 10;
        digits++;
    } while (euros > 0);
    if (cents < 0) {
        rev[n++] = '-';
    }
    size_t k = 0;
    while (n > 0) {
        out[k++] = rev[--n];
    }
    if (euro) {
        memcpy(out + k, " " EURO_SIGN, 4);
        k += 4;
    }
    out[k] = '\0';
}

void money_format(int64_t cents, char *out)
{
    money_format_impl(cents, out, true);
}

void money_format_plain(int64_t cents, char *out)
{
    money_format_impl(cents, out, false);
}

enum money_err money_parse_rate(const char *in, int *rate_bp)
{
    char buf[MONEY_MAX_INPUT + 1];
    size_t n = 0;

    *rate_bp = 0;
    if (in == NULL) {
        return MONEY_EMPTY;
    }
    if (strnlen(in, MONEY_MAX_INPUT + 1) > MONEY_MAX_INPUT) {
        return MONEY_TOO_LONG;
    }
    for (size_t i = 0; in[i] != '\0'; i++) {
        if (!is_space(in[i])) {
            buf[n++] = in[i];
        }
    }
    if (n > 0 && buf[n - 1] == '%') {
        n--;
    }
    buf[n] = '\0';
    if (n == 0) {
        return MONEY_EMPTY;
    }
    long whole = 0;
    long frac = 0;
    size_t i = 0;
    size_t wd = 0;
    for (; i < n && is_digit(buf[i]); i++, wd++) {
        if (wd >= 3) {
            return MONEY_BAD_RATE;
        }
        whole = whole * 10 + (buf[i] - '0');
    }
    if (i < n && (buf[i] == ',' || buf[i] == '.')) {
        size_t fd = 0;
        for (i++; i < n && is_digit(buf[i]); i++, fd++) {
            if (fd >= 2) {
                return MONEY_TOO_MANY_DECIMALS;
            }
            frac = frac * 10 + (buf[i] - '0');
        }
        if (fd == 1) {
            frac *= 10;
        }
        if (fd == 0) {
            return MONEY_NO_DIGITS;
        }
    }
    if (i != n) {
        return MONEY_BAD_CHARACTER;
    }
    if (wd == 0) {
        return MONEY_NO_DIGITS;
    }
    long bp = whole * 100 + frac;
    if (bp > MONEY_RATE_MAX_BP) {
        return MONEY_BAD_RATE;
    }
    *rate_bp = (int)bp;
    return MONEY_OK;
}

void money_format_rate(int rate_bp, char *out)
{
    if (rate_bp % 100 == 0) {
        snprintf(out, 16, "%d", rate_bp / 100);
    } else if (rate_bp % 10 == 0) {
        snprintf(out, 16, "%d,%d", rate_bp / 100, (rate_bp % 100) / 10);
    } else {
        snprintf(out, 16, "%d,%02d", rate_bp / 100, rate_bp % 100);
    }
}

/*
 * round_half_up(mag * num / den) by long division, for num <= den <= 2 * MONEY_RATE_MAX_BP:
 * q * num <= mag, and r * num * 2 < 2 * den * den stays far below 2^64.
 */
static uint64_t money_mul_div_round(uint64_t mag, uint64_t num, uint64_t den)
{
    uint64_t q = mag / den;
    uint64_t r = mag % den;
    return q * num + (r * num * 2 + den) / (den * 2);
}

enum money_err money_vat_split(int64_t gross, int rate_bp, int64_t *net, int64_t *vat)
{
    *net = 0;
    *vat = 0;
    if (rate_bp < 0 || rate_bp > MONEY_RATE_MAX_BP) {
        return MONEY_BAD_RATE;
    }
    uint64_t mag = gross < 0 ? 0 - (uint64_t)gross : (uint64_t)gross;
    /* num = 10000 <= den, so the result never exceeds mag and converts back safely. */
    uint64_t n = money_mul_div_round(mag, 10000, 10000 + (uint64_t)rate_bp);
    *net = gross < 0 ? (int64_t)(0 - n) : (int64_t)n;
    *vat = gross - *net;
    return MONEY_OK;
}

enum money_err money_vat_gross(int64_t net, int rate_bp, int64_t *gross, int64_t *vat)
{
    *gross = 0;
    *vat = 0;
    if (rate_bp < 0 || rate_bp > MONEY_RATE_MAX_BP) {
        return MONEY_BAD_RATE;
    }
    uint64_t mag = net < 0 ? 0 - (uint64_t)net : (uint64_t)net;
    /* num = rate <= 10000 = den, so the tax never exceeds the net. */
    uint64_t t = money_mul_div_round(mag, (uint64_t)rate_bp, 10000);
    if (t > (uint64_t)INT64_MAX) {
        return MONEY_OVERFLOW;
    }
    int64_t tax = net < 0 ? -(int64_t)t : (int64_t)t;
    int64_t g;
    if (__builtin_add_overflow(net, tax, &g)) {
        return MONEY_OVERFLOW;
    }
    *gross = g;
    *vat = tax;
    return MONEY_OK;
}

const char *money_strerror(enum money_err err)
{
    switch (err) {
    case MONEY_OK:
        return "ok";
    case MONEY_EMPTY:
        return "the amount is empty";
    case MONEY_TOO_LONG:
        return "the amount is too long";
    case MONEY_BAD_CHARACTER:
        return "the amount contains a character that is not a digit";
    case MONEY_BAD_GROUPING:
        return "thousands are separated by a dot in groups of three digits; decimals follow a "
               "comma";
    case MONEY_TOO_MANY_DECIMALS:
        return "at most two digits may follow the decimal comma";
    case MONEY_NO_DIGITS:
        return "the amount has no digits";
    case MONEY_OVERFLOW:
        return "the amount is too large";
    case MONEY_BAD_RATE:
        return "the VAT rate must be between 0 and 100 percent";
    }
    return "unknown error";
}
