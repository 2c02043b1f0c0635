/* IBAN: MOD 97 for every country, Italian BBAN layout and CIN (see iban.h). */
#include "domain/iban.h"

#include "domain/checksum.h"
#include "domain/normalize.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Countries using the Italian BBAN (CIN + ABI + CAB + 12-character account). */
static bool has_italian_bban(const char *country)
{
    return strcmp(country, "IT") == 0 || strcmp(country, "SM") == 0;
}

char iban_italian_cin(const char *abi_cab_account)
{
    return checksum_odd_even(abi_cab_account, 22);
}

void iban_format(const char *normalized, char *out)
{
    size_t n = 0;
    for (size_t i = 0; normalized[i] != '\0' && i < IBAN_MAX_LEN; i++) {
        if (i > 0 && i % 4 == 0) {
            out[n++] = ' ';
        }
        out[n++] = normalized[i];
    }
    out[n] = '\0';
}

/* MOD 97 of the rearranged IBAN: BBAN, then country and check digits. */
static int iban_remainder(const char *country, const char *check, const char *bban)
{
    int r = checksum_mod97(0, bban, strlen(bban));
    if (r >= 0) {
        r = checksum_mod97(r, country, 2);
    }
    if (r >= 0) {
        r = checksum_mod97(r, check, 2);
    }
    return r;
}

/* Italian layout: CIN letter, ABI and CAB digits, account letters or digits. */
static enum iban_err iban_parse_italian(struct iban *out)
{
    const char *b = out->bban;
    if (!is_upper(b[0])) {
        out->err_pos = 5;
        return IBAN_BAD_BBAN;
    }
    for (size_t i = 1; i < 11; i++) {
        if (!is_digit(b[i])) {
            out->err_pos = i + 5;
            return IBAN_BAD_BBAN;
        }
    }
    out->cin = b[0];
    memcpy(out->abi, b + 1, 5);
    memcpy(out->cab, b + 6, 5);
    memcpy(out->account, b + 11, 12);
    return IBAN_OK;
}

const struct iban_country *iban_country_find(const char *code)
{
    size_t lo = 0, hi = iban_countries_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(code, iban_countries[mid].code);
        if (cmp == 0) {
            return &iban_countries[mid];
        }
        if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

enum iban_err iban_parse(const char *in, struct iban *out)
{
    char buf[NORMALIZE_MAX_IDENT + 1];
    size_t len = 0;

    memset(out, 0, sizeof(*out));
    static const enum iban_err from_head[] = {
        [NORMALIZE_ISO_OK] = IBAN_OK,
        [NORMALIZE_ISO_EMPTY] = IBAN_EMPTY,
        [NORMALIZE_ISO_NON_ASCII] = IBAN_NON_ASCII,
        [NORMALIZE_ISO_BAD_CHARACTER] = IBAN_BAD_CHARACTER,
        [NORMALIZE_ISO_TOO_LONG] = IBAN_WRONG_LENGTH,
        [NORMALIZE_ISO_BAD_COUNTRY] = IBAN_BAD_COUNTRY,
        [NORMALIZE_ISO_BAD_CHECK_FORMAT] = IBAN_BAD_CHECK_FORMAT,
    };
    enum normalize_iso_err head =
        normalize_iso_head(in, buf, sizeof(buf), &len, &out->err_pos, out->country);
    out->length = head == NORMALIZE_ISO_TOO_LONG ? sizeof(buf) : len;
    if (head != NORMALIZE_ISO_OK) {
        return from_head[head];
    }
    const struct iban_country *c = iban_country_find(out->country);
    if (!c) {
        return IBAN_BAD_COUNTRY;
    }
    out->sepa = c->sepa;
    out->expected_length = c->length;
    if (len != c->length) {
        return IBAN_WRONG_LENGTH;
    }
    memcpy(out->check, buf + 2, 2);
    memcpy(out->bban, buf + 4, len - 4);
    if (has_italian_bban(out->country)) {
        enum iban_err err = iban_parse_italian(out);
        if (err != IBAN_OK) {
            return err;
        }
    }
    if (iban_remainder(out->country, out->check, out->bban) != 1) {
        return IBAN_BAD_CHECKSUM;
    }
    if (out->cin != '\0') {
        char cin = iban_italian_cin(out->bban + 1);
        if (cin != out->cin) {
            out->expected_cin = cin;
            out->err_pos = 5;
            return IBAN_BAD_CIN;
        }
    }
    memcpy(out->normalized, buf, len + 1);
    iban_format(out->normalized, out->formatted);
    return IBAN_OK;
}

enum iban_err iban_make(const char *country, const char *bban, char *out)
{
    out[0] = '\0';
    if (country == NULL || strlen(country) != 2 || !is_upper(country[0]) || !is_upper(country[1])) {
        return IBAN_BAD_COUNTRY;
    }
    const struct iban_country *c = iban_country_find(country);
    if (c == NULL) {
        return IBAN_BAD_COUNTRY;
    }
    size_t n = bban != NULL ? strlen(bban) : 0;
    if (n + 4 != c->length) {
        return IBAN_WRONG_LENGTH;
    }
    int r = iban_remainder(country, "00", bban);
    if (r < 0) {
        return IBAN_BAD_CHARACTER;
    }
    int check = 98 - r;
    snprintf(out, IBAN_MAX_LEN + 1, "%s%02d%s", country, check, bban);
    return IBAN_OK;
}

const char *iban_strerror(enum iban_err err)
{
    switch (err) {
    case IBAN_OK:
        return "ok";
    case IBAN_EMPTY:
        return "the IBAN is empty";
    case IBAN_NON_ASCII:
        return "the IBAN contains a non-ASCII character";
    case IBAN_BAD_CHARACTER:
        return "the IBAN contains a character that is neither a letter nor a digit";
    case IBAN_BAD_COUNTRY:
        return "an IBAN starts with the two-letter code of a country that uses IBAN";
    case IBAN_BAD_CHECK_FORMAT:
        return "characters 3 and 4 of an IBAN are its check digits";
    case IBAN_WRONG_LENGTH:
        return "the IBAN has the wrong length";
    case IBAN_BAD_BBAN:
        return "the Italian account part is malformed";
    case IBAN_BAD_CHECKSUM:
        return "the IBAN check digits do not match: a character is probably mistyped";
    case IBAN_BAD_CIN:
        return "the Italian CIN letter does not match the account";
    }
    return "unknown error";
}

void iban_describe(enum iban_err err, const struct iban *v, char *out, size_t out_size)
{
    switch (err) {
    case IBAN_NON_ASCII:
    case IBAN_BAD_CHARACTER:
        snprintf(out, out_size, "%s (position %zu)", iban_strerror(err), v->err_pos);
        break;
    case IBAN_WRONG_LENGTH:
        if (v->length > IBAN_MAX_LEN) {
            snprintf(out, out_size, "too long: an IBAN has at most %d characters", IBAN_MAX_LEN);
        } else if (v->expected_length != 0) {
            snprintf(out, out_size, "wrong length: %zu characters, an IBAN from %s has %zu",
                     v->length, v->country, v->expected_length);
        } else {
            snprintf(out, out_size, "wrong length: %zu characters, an IBAN has %d to %d", v->length,
                     IBAN_MIN_LEN, IBAN_MAX_LEN);
        }
        break;
    case IBAN_BAD_BBAN:
        snprintf(out, out_size, "character %zu should be %s", v->err_pos,
                 v->err_pos == 5 ? "the CIN letter" : "a digit of the ABI or CAB bank code");
        break;
    case IBAN_BAD_CIN:
        snprintf(out, out_size, "wrong CIN: '%c' where '%c' was expected", v->cin, v->expected_cin);
        break;
    default:
        snprintf(out, out_size, "%s", iban_strerror(err));
        break;
    }
}
