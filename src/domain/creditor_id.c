/* SEPA Creditor Identifier (see creditor_id.h). */
#include "domain/creditor_id.h"

#include "domain/checksum.h"
#include "domain/normalize.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* Check digits over national id + country + "00"; the business code is deliberately skipped. */
static int creditor_id_check(const char *country, const char *national_id)
{
    int r = checksum_mod97(0, national_id, strlen(national_id));
    if (r >= 0) {
        r = checksum_mod97(r, country, 2);
    }
    if (r >= 0) {
        r = checksum_mod97(r, "00", 2);
    }
    return r < 0 ? -1 : 98 - r;
}

enum creditor_id_err creditor_id_parse(const char *in, struct creditor_id *out)
{
    char buf[NORMALIZE_MAX_IDENT + 1];
    size_t len = 0;

    memset(out, 0, sizeof(*out));
    static const enum creditor_id_err from_head[] = {
        [NORMALIZE_ISO_OK] = CREDITOR_ID_OK,
        [NORMALIZE_ISO_EMPTY] = CREDITOR_ID_EMPTY,
        [NORMALIZE_ISO_NON_ASCII] = CREDITOR_ID_NON_ASCII,
        [NORMALIZE_ISO_BAD_CHARACTER] = CREDITOR_ID_BAD_CHARACTER,
        [NORMALIZE_ISO_TOO_LONG] = CREDITOR_ID_WRONG_LENGTH,
        [NORMALIZE_ISO_BAD_COUNTRY] = CREDITOR_ID_BAD_COUNTRY,
        [NORMALIZE_ISO_BAD_CHECK_FORMAT] = CREDITOR_ID_BAD_CHECK_FORMAT,
    };
    enum normalize_iso_err head =
        normalize_iso_head(in, buf, sizeof(buf), &len, &out->err_pos, out->country);
    out->length = head == NORMALIZE_ISO_TOO_LONG ? sizeof(buf) : len;
    if (head != NORMALIZE_ISO_OK) {
        return from_head[head];
    }
    if (strcmp(out->country, "IT") == 0
            ? len != CREDITOR_ID_IT_LEN
            : (len < CREDITOR_ID_MIN_LEN || len > CREDITOR_ID_MAX_LEN)) {
        return CREDITOR_ID_WRONG_LENGTH;
    }
    memcpy(out->check, buf + 2, 2);
    memcpy(out->business_code, buf + 4, 3);
    memcpy(out->national_id, buf + 7, len - 7);
    int check = creditor_id_check(out->country, out->national_id);
    snprintf(out->expected_check, sizeof(out->expected_check), "%02d", check);
    if (strcmp(out->expected_check, out->check) != 0) {
        return CREDITOR_ID_BAD_CHECK;
    }
    memcpy(out->normalized, buf, len + 1);
    return CREDITOR_ID_OK;
}

enum creditor_id_err creditor_id_make(const char *country, const char *business_code,
                                      const char *national_id, char *out)
{
    char id[CREDITOR_ID_MAX_LEN + 1];
    char bc[4];
    size_t len;

    out[0] = '\0';
    if (country == NULL || strlen(country) != 2 || !is_upper(country[0]) || !is_upper(country[1])) {
        return CREDITOR_ID_BAD_COUNTRY;
    }
    if (business_code == NULL) {
        business_code = "ZZZ";
    }
    if (normalize_compact(business_code, bc, sizeof(bc), &len, NULL) != NORMALIZE_OK || len != 3) {
        return CREDITOR_ID_BAD_CHARACTER;
    }
    if (normalize_compact(national_id, id, sizeof(id), &len, NULL) != NORMALIZE_OK) {
        return CREDITOR_ID_WRONG_LENGTH;
    }
    bool italian = strcmp(country, "IT") == 0;
    if (italian && len > CREDITOR_ID_IT_NATIONAL) {
        return CREDITOR_ID_WRONG_LENGTH;
    }
    if (italian && len < CREDITOR_ID_IT_NATIONAL) {
        size_t pad = CREDITOR_ID_IT_NATIONAL - len;
        memmove(id + pad, id, len + 1);
        memset(id, '0', pad);
        len = CREDITOR_ID_IT_NATIONAL;
    }
    if (len + 7 > CREDITOR_ID_MAX_LEN) {
        return CREDITOR_ID_WRONG_LENGTH;
    }
    int check = creditor_id_check(country, id);
    if (check < 0 || checksum_mod97(0, bc, 3) < 0) {
        return CREDITOR_ID_BAD_CHARACTER;
    }
    /* Lengths were checked above: 2 + 2 + 3 + len <= CREDITOR_ID_MAX_LEN. */
    out[0] = country[0];
    out[1] = country[1];
    out[2] = (char)('0' + check / 10);
    out[3] = (char)('0' + check % 10);
    memcpy(out + 4, bc, 3);
    memcpy(out + 7, id, len + 1);
    return CREDITOR_ID_OK;
}

const char *creditor_id_strerror(enum creditor_id_err err)
{
    switch (err) {
    case CREDITOR_ID_OK:
        return "ok";
    case CREDITOR_ID_EMPTY:
        return "the creditor identifier is empty";
    case CREDITOR_ID_NON_ASCII:
        return "the creditor identifier contains a non-ASCII character";
    case CREDITOR_ID_BAD_CHARACTER:
        return "the creditor identifier contains a character that is neither a letter nor a digit";
    case CREDITOR_ID_BAD_COUNTRY:
        return "a creditor identifier starts with a two-letter country code";
    case CREDITOR_ID_BAD_CHECK_FORMAT:
        return "characters 3 and 4 of a creditor identifier are its check digits";
    case CREDITOR_ID_WRONG_LENGTH:
        return "the creditor identifier has the wrong length";
    case CREDITOR_ID_BAD_CHECK:
        return "the check digits are wrong";
    }
    return "unknown error";
}

void creditor_id_describe(enum creditor_id_err err, const struct creditor_id *v, char *out,
                          size_t out_size)
{
    switch (err) {
    case CREDITOR_ID_NON_ASCII:
    case CREDITOR_ID_BAD_CHARACTER:
        snprintf(out, out_size, "%s (position %zu)", creditor_id_strerror(err), v->err_pos);
        break;
    case CREDITOR_ID_WRONG_LENGTH:
        if (strcmp(v->country, "IT") == 0 && v->length <= NORMALIZE_MAX_IDENT) {
            snprintf(out, out_size,
                     "wrong length: %zu characters, an Italian creditor "
                     "identifier has %d",
                     v->length, CREDITOR_ID_IT_LEN);
        } else {
            snprintf(out, out_size, "wrong length: a creditor identifier has %d to %d characters",
                     CREDITOR_ID_MIN_LEN, CREDITOR_ID_MAX_LEN);
        }
        break;
    case CREDITOR_ID_BAD_CHECK:
        snprintf(out, out_size, "wrong check digits: %s where %s was expected", v->check,
                 v->expected_check);
        break;
    default:
        snprintf(out, out_size, "%s", creditor_id_strerror(err));
        break;
    }
}
