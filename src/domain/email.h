/*
 * E-mail addresses as people type them into a form. This module owns the practical syntax the
 * platform accepts: local@domain, ASCII only, a dot-atom local part (no quoted strings, comments
 * or IP literals, which no family mailbox uses and most mail servers refuse), a domain of at least
 * two DNS labels with an alphabetic top-level label, RFC 5321 length limits. Normalisation trims
 * surrounding spaces and lower-cases the domain; the local part is kept as typed, because only
 * the receiving server may decide that case does not matter there.
 */
#ifndef REFETTORIO_DOMAIN_EMAIL_H
#define REFETTORIO_DOMAIN_EMAIL_H

#include <stddef.h>

#define EMAIL_MAX_LEN       254
#define EMAIL_MAX_LOCAL_LEN 64
#define EMAIL_MAX_LABEL_LEN 63

enum email_err {
    EMAIL_OK = 0,
    EMAIL_EMPTY,
    EMAIL_TOO_LONG,
    EMAIL_NON_ASCII, /* err_pos */
    EMAIL_SPACE,     /* a space or control character inside, err_pos */
    EMAIL_NO_AT,
    EMAIL_MANY_AT,
    EMAIL_BAD_LOCAL,     /* empty, too long, bad character, or misplaced dot */
    EMAIL_BAD_DOMAIN,    /* empty label, bad character, hyphen at a label edge, label too long */
    EMAIL_NO_DOT_DOMAIN, /* a single-label domain ("user@localhost") */
    EMAIL_BAD_TLD,       /* the last label is not at least two letters */
};

struct email {
    char normalized[EMAIL_MAX_LEN + 1];
    size_t err_pos;
};

enum email_err email_parse(const char *in, struct email *out);
const char *email_strerror(enum email_err err);
void email_describe(enum email_err err, const struct email *v, char *out, size_t out_size);

#endif
