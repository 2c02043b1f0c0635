/* Practical e-mail address syntax (see email.h). */
#include "domain/email.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext. */
static bool is_atext(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static enum email_err email_check_local(const char *s, size_t n)
{
    if (n == 0 || n > EMAIL_MAX_LOCAL_LEN || s[0] == '.' || s[n - 1] == '.') {
        return EMAIL_BAD_LOCAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.') {
                return EMAIL_BAD_LOCAL;
            }
        } else if (!is_atext(s[i])) {
            return EMAIL_BAD_LOCAL;
        }
    }
    return EMAIL_OK;
}

static enum email_err email_check_domain(const char *s, size_t n)
{
    size_t labels = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            if (!is_alnum(s[i]) && s[i] != '-') {
                return EMAIL_BAD_DOMAIN;
            }
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > EMAIL_MAX_LABEL_LEN || s[start] == '-' || s[i - 1] == '-') {
            return EMAIL_BAD_DOMAIN;
        }
        labels++;
        if (i == n) {
            if (labels < 2) {
                return EMAIL_NO_DOT_DOMAIN;
            }
            if (len < 2) {
                return EMAIL_BAD_TLD;
            }
            for (size_t k = start; k < i; k++) {
                if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z'))) {
                    return EMAIL_BAD_TLD;
                }
            }
        }
        start = i + 1;
    }
    return EMAIL_OK;
}

enum email_err email_parse(const char *in, struct email *out)
{
    memset(out, 0, sizeof(*out));
    if (in == NULL) {
        return EMAIL_EMPTY;
    }
    /* Surrounding spaces come from copy and paste; inner ones are a mistake. */
    size_t begin = 0;
    size_t end = strlen(in);
    while (begin < end && (in[begin] == ' ' || in[begin] == '\t')) {
        begin++;
    }
    while (end > begin && (in[end - 1] == ' ' || in[end - 1] == '\t')) {
        end--;
    }
    size_t n = end - begin;
    if (n == 0) {
        return EMAIL_EMPTY;
    }
    if (n > EMAIL_MAX_LEN) {
        return EMAIL_TOO_LONG;
    }
    const char *s = in + begin;
    const char *at = NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            out->err_pos = begin + i + 1;
            return EMAIL_NON_ASCII;
        }
        if (c <= 0x20 || c == 0x7f) {
            out->err_pos = begin + i + 1;
            return EMAIL_SPACE;
        }
        if (c == '@') {
            if (at != NULL) {
                return EMAIL_MANY_AT;
            }
            at = s + i;
        }
    }
    if (at == NULL) {
        return EMAIL_NO_AT;
    }
    size_t local_len = (size_t)(at - s);
    enum email_err err = email_check_local(s, local_len);
    if (err == EMAIL_OK) {
        err = email_check_domain(at + 1, n - local_len - 1);
    }
    if (err != EMAIL_OK) {
        return err;
    }
    memcpy(out->normalized, s, n);
    out->normalized[n] = '\0';
    for (size_t i = local_len + 1; i < n; i++) {
        char c = out->normalized[i];
        if (c >= 'A' && c <= 'Z') {
            out->normalized[i] = (char)(c - 'A' + 'a');
        }
    }
    return EMAIL_OK;
}

const char *email_strerror(enum email_err err)
{
    switch (err) {
    case EMAIL_OK:
        return "ok";
    case EMAIL_EMPTY:
        return "the e-mail address is empty";
    case EMAIL_TOO_LONG:
        return "the e-mail address is longer than 254 characters";
    case EMAIL_NON_ASCII:
        return "the e-mail address contains a non-ASCII character";
    case EMAIL_SPACE:
        return "the e-mail address contains a space";
    case EMAIL_NO_AT:
        return "the e-mail address has no @";
    case EMAIL_MANY_AT:
        return "the e-mail address has more than one @";
    case EMAIL_BAD_LOCAL:
        return "the part before the @ is not valid";
    case EMAIL_BAD_DOMAIN:
        return "the domain after the @ is not valid";
    case EMAIL_NO_DOT_DOMAIN:
        return "the domain after the @ must contain a dot";
    case EMAIL_BAD_TLD:
        return "the domain must end with a top-level domain of letters, like .it";
    }
    return "unknown error";
}

void email_describe(enum email_err err, const struct email *v, char *out, size_t out_size)
{
    if (err == EMAIL_NON_ASCII || err == EMAIL_SPACE) {
        snprintf(out, out_size, "%s (position %zu)", email_strerror(err), v->err_pos);
    } else {
        snprintf(out, out_size, "%s", email_strerror(err));
    }
}
