/* pagoPA notice numbers, IUV, QR and Poste DataMatrix payloads (see pagopa_notice.h). */
#include "domain/pagopa_notice.h"

#include "domain/cf11.h"
#include "domain/normalize.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Check digits: the first 16 digits of the notice as a number, mod 93 (fits in uint64_t). */
static unsigned pagopa_notice_check_of(const char *digits16)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 16; i++) {
        v = v * 10 + (uint64_t)(digits16[i] - '0');
    }
    return (unsigned)(v % 93);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

void pagopa_notice_format(const char *notice, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < PAGOPA_NOTICE_LEN && notice[i] != '\0'; i++) {
        if (i > 0 && i % 4 == 0) {
            out[n++] = ' ';
        }
        out[n++] = notice[i];
    }
    out[n] = '\0';
}

enum pagopa_notice_err pagopa_notice_parse(const char *in, struct pagopa_notice *out)
{
    char buf[NORMALIZE_MAX_IDENT + 1];
    size_t len;
    size_t bad;

    memset(out, 0, sizeof(*out));
    switch (normalize_compact(in, buf, sizeof(buf), &len, &bad)) {
    case NORMALIZE_OK:
        break;
    case NORMALIZE_EMPTY:
        return PAGOPA_NOTICE_EMPTY;
    case NORMALIZE_NON_ASCII:
    case NORMALIZE_CONTROL:
        out->err_pos = bad;
        return PAGOPA_NOTICE_NOT_DIGIT;
    case NORMALIZE_TOO_LONG:
        out->length = sizeof(buf);
        return PAGOPA_NOTICE_WRONG_LENGTH;
    }
    out->length = len;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] < '0' || buf[i] > '9') {
            out->err_pos = i + 1;
            return PAGOPA_NOTICE_NOT_DIGIT;
        }
    }
    if (len != PAGOPA_NOTICE_LEN) {
        return PAGOPA_NOTICE_WRONG_LENGTH;
    }
    out->aux = buf[0] - '0';
    switch (out->aux) {
    case 0:
        memcpy(out->application_code, buf + 1, 2);
        memcpy(out->iuv, buf + 3, 15);
        break;
    case 1:
    case 2:
        memcpy(out->iuv, buf + 1, 17);
        break;
    case 3:
        memcpy(out->segregation, buf + 1, 2);
        memcpy(out->iuv, buf + 1, 17);
        break;
    default:
        out->err_pos = 1;
        return PAGOPA_NOTICE_BAD_AUX;
    }
    out->deprecated = out->aux != 3;
    if (out->aux != 1) {
        unsigned check = pagopa_notice_check_of(buf);
        snprintf(out->expected_check, sizeof(out->expected_check), "%02u", check);
        memcpy(out->check, buf + 16, 2);
        if (strcmp(out->check, out->expected_check) != 0) {
            out->err_pos = 17;
            return PAGOPA_NOTICE_BAD_CHECK;
        }
    }
    memcpy(out->normalized, buf, PAGOPA_NOTICE_LEN + 1);
    pagopa_notice_format(out->normalized, out->formatted);
    return PAGOPA_NOTICE_OK;
}

enum pagopa_notice_err pagopa_notice_make(int segregation, const char *base, char *out)
{
    char nav[PAGOPA_NOTICE_LEN + 1];

    out[0] = '\0';
    if (segregation < 0 || segregation > 99) {
        return PAGOPA_NOTICE_BAD_SEGREGATION;
    }
    if (base == NULL || strlen(base) != PAGOPA_NOTICE_BASE_LEN ||
        !all_digits(base, PAGOPA_NOTICE_BASE_LEN)) {
        return PAGOPA_NOTICE_BAD_BASE;
    }
    nav[0] = '3';
    nav[1] = (char)('0' + segregation / 10);
    nav[2] = (char)('0' + segregation % 10);
    memcpy(nav + 3, base, PAGOPA_NOTICE_BASE_LEN);
    unsigned check = pagopa_notice_check_of(nav);
    nav[16] = (char)('0' + check / 10);
    nav[17] = (char)('0' + check % 10);
    nav[18] = '\0';
    memcpy(out, nav, sizeof(nav));
    return PAGOPA_NOTICE_OK;
}

enum pagopa_notice_err pagopa_notice_qr(const char *notice, const char *ente_cf, int64_t cents,
                                        char out[PAGOPA_QR_SIZE])
{
    struct pagopa_notice n;
    struct cf11 ente;

    out[0] = '\0';
    enum pagopa_notice_err err = pagopa_notice_parse(notice, &n);
    if (err != PAGOPA_NOTICE_OK) {
        return err;
    }
    if (cf11_parse(ente_cf, &ente) != CF11_OK) {
        return PAGOPA_NOTICE_BAD_ENTE;
    }
    if (cents <= 0 || cents > PAGOPA_QR_MAX_CENTS) {
        return PAGOPA_NOTICE_BAD_AMOUNT;
    }
    /* At least two amount digits: older readers follow the first spec, which asked for them. */
    snprintf(out, PAGOPA_QR_SIZE, "PAGOPA|002|%s|%s|%02" PRId64, n.normalized, ente.normalized,
             cents);
    return PAGOPA_NOTICE_OK;
}

/* Appends s, folded to ASCII, cut or right-padded with spaces to exactly width characters. */
static size_t put_field(char *out, size_t at, const char *s, size_t width)
{
    char folded[PAGOPA_SUBJECT_MAX + 1];
    size_t n =
        normalize_fold_ascii(s, folded, width + 1 < sizeof(folded) ? width + 1 : sizeof(folded));
    memcpy(out + at, folded, n);
    memset(out + at + n, ' ', width - n);
    return at + width;
}

/* Appends digits left-padded with zeros to width. */
static size_t put_zero_padded(char *out, size_t at, const char *digits, size_t width)
{
    size_t n = strlen(digits);
    memset(out + at, '0', width - n);
    memcpy(out + at + width - n, digits, n);
    return at + width;
}

enum pagopa_notice_err pagopa_notice_datamatrix(const struct pagopa_datamatrix *dm,
                                                char out[PAGOPA_DATAMATRIX_LEN + 1])
{
    struct pagopa_notice n;
    struct cf11 ente;
    char account[PAGOPA_POSTAL_ACCOUNT_MAX + 1];
    char debtor[NORMALIZE_MAX_IDENT + 1];
    char amount[24];
    size_t len;

    out[0] = '\0';
    enum pagopa_notice_err err = pagopa_notice_parse(dm->notice, &n);
    if (err != PAGOPA_NOTICE_OK) {
        return err;
    }
    if (cf11_parse(dm->ente_cf, &ente) != CF11_OK) {
        return PAGOPA_NOTICE_BAD_ENTE;
    }
    if (normalize_compact(dm->postal_account, account, sizeof(account), &len, NULL) !=
            NORMALIZE_OK ||
        !all_digits(account, len)) {
        return PAGOPA_NOTICE_BAD_POSTAL_ACCOUNT;
    }
    if (normalize_compact(dm->debtor_id, debtor, sizeof(debtor), &len, NULL) != NORMALIZE_OK ||
        len > PAGOPA_DEBTOR_ID_MAX) {
        return PAGOPA_NOTICE_BAD_DEBTOR;
    }
    for (size_t i = 0; i < len; i++) {
        char c = debtor[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return PAGOPA_NOTICE_BAD_DEBTOR;
        }
    }
    if (dm->cents <= 0 || dm->cents > PAGOPA_DATAMATRIX_MAX_CENTS) {
        return PAGOPA_NOTICE_BAD_AMOUNT;
    }
    snprintf(amount, sizeof(amount), "%" PRId64, dm->cents);

    /* Layout of Poste's "stampa in proprio" manual, as pagoPA's notice generator writes it. */
    size_t at = 0;
    memcpy(out, "codfase=NBPA;", 13);
    at = 13;
    memcpy(out + at, "18", 2);
    at = put_zero_padded(out, at + 2, n.normalized, PAGOPA_NOTICE_LEN);
    memcpy(out + at, "12", 2);
    at = put_zero_padded(out, at + 2, account, PAGOPA_POSTAL_ACCOUNT_MAX);
    memcpy(out + at, "10", 2);
    at = put_zero_padded(out, at + 2, amount, 10);
    memcpy(out + at, "3896", 4); /* "3" + document type 896 */
    at += 4;
    memcpy(out + at, "1P1", 3);
    at += 3;
    at = put_field(out, at, ente.normalized, CF11_LEN);
    at = put_field(out, at, debtor, PAGOPA_DEBTOR_ID_MAX);
    at = put_field(out, at, dm->debtor_name, PAGOPA_DEBTOR_NAME_MAX);
    at = put_field(out, at, dm->subject, PAGOPA_SUBJECT_MAX);
    memset(out + at, ' ', 12); /* filler */
    at += 12;
    out[at++] = 'A';
    out[at] = '\0';
    return PAGOPA_NOTICE_OK;
}

const char *pagopa_notice_strerror(enum pagopa_notice_err err)
{
    switch (err) {
    case PAGOPA_NOTICE_OK:
        return "ok";
    case PAGOPA_NOTICE_EMPTY:
        return "the notice number is empty";
    case PAGOPA_NOTICE_NOT_DIGIT:
        return "a notice number has digits only";
    case PAGOPA_NOTICE_WRONG_LENGTH:
        return "a notice number has 18 digits";
    case PAGOPA_NOTICE_BAD_AUX:
        return "a notice number starts with 0, 1, 2 or 3";
    case PAGOPA_NOTICE_BAD_CHECK:
        return "the check digits of the notice number are wrong";
    case PAGOPA_NOTICE_BAD_SEGREGATION:
        return "the segregation code must be two digits, 00 to 99";
    case PAGOPA_NOTICE_BAD_BASE:
        return "the IUV base must be 13 digits";
    case PAGOPA_NOTICE_BAD_ENTE:
        return "the creditor's codice fiscale is not a valid 11-digit number";
    case PAGOPA_NOTICE_BAD_AMOUNT:
        return "the amount must be positive and fit the payload";
    case PAGOPA_NOTICE_BAD_POSTAL_ACCOUNT:
        return "the postal account must be 1 to 12 digits";
    case PAGOPA_NOTICE_BAD_DEBTOR:
        return "the debtor's codice fiscale or partita IVA must be 1 to 16 letters and digits";
    }
    return "unknown error";
}

void pagopa_notice_describe(enum pagopa_notice_err err, const struct pagopa_notice *v, char *out,
                            size_t out_size)
{
    switch (err) {
    case PAGOPA_NOTICE_NOT_DIGIT:
        snprintf(out, out_size, "character %zu is not a digit", v->err_pos);
        break;
    case PAGOPA_NOTICE_WRONG_LENGTH:
        if (v->length > NORMALIZE_MAX_IDENT) {
            snprintf(out, out_size, "too long: a notice number has 18 digits");
        } else {
            snprintf(out, out_size, "wrong length: %zu digits, a notice number has 18", v->length);
        }
        break;
    case PAGOPA_NOTICE_BAD_AUX:
        snprintf(out, out_size, "unknown aux digit %d: a notice number starts with 0, 1, 2 or 3",
                 v->aux);
        break;
    case PAGOPA_NOTICE_BAD_CHECK:
        snprintf(out, out_size, "wrong check digits: %s where %s was expected", v->check,
                 v->expected_check);
        break;
    default:
        snprintf(out, out_size, "%s", pagopa_notice_strerror(err));
        break;
    }
}
