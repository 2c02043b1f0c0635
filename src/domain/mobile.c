/* Italian mobile numbers to E.164 (see mobile.h). */
#include "domain/mobile.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_separator(char c)
{
    return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')';
}

enum mobile_err mobile_parse(const char *in, struct mobile *out)
{
    char digits[MOBILE_MAX_INPUT + 1];
    size_t n = 0;
    bool plus = false;

    memset(out, 0, sizeof(*out));
    if (in == NULL) {
        return MOBILE_EMPTY;
    }
    if (strnlen(in, MOBILE_MAX_INPUT + 1) > MOBILE_MAX_INPUT) {
        return MOBILE_TOO_LONG;
    }
    for (size_t i = 0; in[i] != '\0'; i++) {
        char c = in[i];
        if (is_separator(c)) {
            continue;
        }
        if (c == '+') {
            if (plus || n > 0) {
                return MOBILE_MISPLACED_PLUS;
            }
            plus = true;
            continue;
        }
        if (c < '0' || c > '9') {
            out->err_pos = i + 1;
            return MOBILE_BAD_CHARACTER;
        }
        digits[n++] = c;
    }
    digits[n] = '\0';
    if (n == 0) {
        return plus ? MOBILE_WRONG_LENGTH : MOBILE_EMPTY;
    }
    const char *national = digits;
    if (plus || strncmp(digits, "00", 2) == 0) {
        const char *cc = plus ? digits : digits + 2;
        if (strncmp(cc, "39", 2) != 0) {
            return MOBILE_FOREIGN;
        }
        national = cc + 2;
    } else if (n == 12 && strncmp(digits, "393", 3) == 0) {
        /* "39 347 1234567": the country code without its plus, common in address books. */
        national = digits + 2;
    }
    size_t len = strlen(national);
    out->digits = len;
    if (len > 0 && national[0] == '0') {
        return MOBILE_LANDLINE;
    }
    if (len > 0 && national[0] != '3') {
        return MOBILE_NOT_MOBILE;
    }
    if (len < MOBILE_MIN_DIGITS || len > MOBILE_MAX_DIGITS) {
        return MOBILE_WRONG_LENGTH;
    }
    memcpy(out->national, national, len + 1);
    memcpy(out->e164, "+39", 3);
    memcpy(out->e164 + 3, national, len + 1);
    return MOBILE_OK;
}

const char *mobile_strerror(enum mobile_err err)
{
    switch (err) {
    case MOBILE_OK:
        return "ok";
    case MOBILE_EMPTY:
        return "the phone number is empty";
    case MOBILE_TOO_LONG:
        return "the phone number is too long";
    case MOBILE_BAD_CHARACTER:
        return "the phone number contains a character that is not a digit";
    case MOBILE_MISPLACED_PLUS:
        return "a + may only come first, before the country code";
    case MOBILE_FOREIGN:
        return "only Italian mobile numbers (+39) are accepted";
    case MOBILE_LANDLINE:
        return "this is a landline number: a mobile number starts with 3";
    case MOBILE_NOT_MOBILE:
        return "an Italian mobile number starts with 3";
    case MOBILE_WRONG_LENGTH:
        return "an Italian mobile number has 9 or 10 digits";
    }
    return "unknown error";
}

void mobile_describe(enum mobile_err err, const struct mobile *v, char *out, size_t out_size)
{
    if (err == MOBILE_BAD_CHARACTER) {
        snprintf(out, out_size, "%s (position %zu)", mobile_strerror(err), v->err_pos);
    } else if (err == MOBILE_WRONG_LENGTH) {
        snprintf(out, out_size, "wrong length: %zu digits, an Italian mobile number has 9 or 10",
                 v->digits);
    } else {
        snprintf(out, out_size, "%s", mobile_strerror(err));
    }
}
