/* 11-digit codice fiscale / partita IVA (see cf11.h). */
#include "domain/cf11.h"

#include "domain/normalize.h"

#include <stdio.h>
#include <string.h>

char cf11_check_digit(const char *s)
{
    unsigned sum = 0;
    for (size_t i = 0; i < CF11_LEN - 1; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9) {
                d -= 9;
            }
        }
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

enum cf11_err cf11_parse(const char *in, struct cf11 *out)
{
    char buf[NORMALIZE_MAX_IDENT + 1];
    size_t len;
    size_t bad;

    memset(out, 0, sizeof(*out));
    switch (normalize_compact(in, buf, sizeof(buf), &len, &bad)) {
    case NORMALIZE_OK:
        break;
    case NORMALIZE_EMPTY:
        return CF11_EMPTY;
    case NORMALIZE_NON_ASCII:
    case NORMALIZE_CONTROL:
        out->err_pos = bad;
        return CF11_NON_ASCII;
    case NORMALIZE_TOO_LONG:
        out->length = sizeof(buf);
        return CF11_WRONG_LENGTH;
    }
    const char *s = buf;
    if (len > 2 && s[0] == 'I' && s[1] == 'T') {
        s += 2;
        len -= 2;
    }
    out->length = len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            out->err_pos = i + 1;
            return CF11_NOT_DIGIT;
        }
    }
    if (len != CF11_LEN) {
        return CF11_WRONG_LENGTH;
    }
    if (strspn(s, "0") == CF11_LEN) {
        return CF11_ALL_ZERO;
    }
    char check = cf11_check_digit(s);
    if (check != s[10]) {
        out->expected_check = check;
        return CF11_BAD_CHECK;
    }
    memcpy(out->normalized, s, CF11_LEN + 1);
    return CF11_OK;
}

const char *cf11_strerror(enum cf11_err err)
{
    switch (err) {
    case CF11_OK:
        return "ok";
    case CF11_EMPTY:
        return "the number is empty";
    case CF11_NON_ASCII:
        return "the number contains a character that is not a digit";
    case CF11_NOT_DIGIT:
        return "the number must contain digits only";
    case CF11_WRONG_LENGTH:
        return "the number must have 11 digits";
    case CF11_ALL_ZERO:
        return "the number cannot be all zeros";
    case CF11_BAD_CHECK:
        return "the check digit is wrong";
    }
    return "unknown error";
}

void cf11_describe(enum cf11_err err, const struct cf11 *v, char *out, size_t out_size)
{
    switch (err) {
    case CF11_NON_ASCII:
    case CF11_NOT_DIGIT:
        snprintf(out, out_size, "character %zu is not a digit", v->err_pos);
        break;
    case CF11_WRONG_LENGTH:
        if (v->length > NORMALIZE_MAX_IDENT) {
            snprintf(out, out_size, "too long: the number must have 11 digits");
        } else {
            snprintf(out, out_size, "wrong length: %zu digits, the number must have 11", v->length);
        }
        break;
    case CF11_BAD_CHECK:
        snprintf(out, out_size, "wrong check digit: '%c' was expected as the last digit",
                 v->expected_check);
        break;
    default:
        snprintf(out, out_size, "%s", cf11_strerror(err));
        break;
    }
}
