/*
 * pagoPA payment notices (SACI). This module owns the 18-digit notice number ("numero avviso",
 * NAV) and the IUV it carries: generating numbers with aux digit 3 (segregation code + 13-digit
 * base + two check digits, mod 93 of the first 16 digits), reading and validating every form (aux
 * 0 and 2 with their check digits, aux 1 without, all three deprecated), printing in groups of
 * four, and the two machine-readable payloads printed on a notice: the QR code string
 * "PAGOPA|002|<notice>|<creditor CF>|<cents>" and the 256-character Poste DataMatrix string for
 * municipalities with a postal account.
 */
#ifndef REFETTORIO_DOMAIN_PAGOPA_NOTICE_H
#define REFETTORIO_DOMAIN_PAGOPA_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#define PAGOPA_NOTICE_LEN            18
#define PAGOPA_NOTICE_FORMATTED_SIZE 23 /* 18 digits + 4 spaces + NUL */
#define PAGOPA_NOTICE_BASE_LEN       13 /* IUV base for aux digit 3 */
#define PAGOPA_IUV_MAX_LEN           17
#define PAGOPA_QR_SIZE               55 /* longest payload, 54 characters, + NUL */
#define PAGOPA_QR_MAX_CENTS          INT64_C(999999999999) /* 12 digits */
#define PAGOPA_DATAMATRIX_LEN        256
#define PAGOPA_DATAMATRIX_MAX_CENTS  INT64_C(9999999999) /* 10 digits */
#define PAGOPA_POSTAL_ACCOUNT_MAX    12
#define PAGOPA_DEBTOR_ID_MAX         16
#define PAGOPA_DEBTOR_NAME_MAX       40
#define PAGOPA_SUBJECT_MAX           110

enum pagopa_notice_err {
    PAGOPA_NOTICE_OK = 0,
    PAGOPA_NOTICE_EMPTY,
    PAGOPA_NOTICE_NOT_DIGIT,       /* err_pos */
    PAGOPA_NOTICE_WRONG_LENGTH,    /* length */
    PAGOPA_NOTICE_BAD_AUX,         /* aux digit 4-9 */
    PAGOPA_NOTICE_BAD_CHECK,       /* expected_check */
    PAGOPA_NOTICE_BAD_SEGREGATION, /* not 00-99 */
    PAGOPA_NOTICE_BAD_BASE,        /* not 13 digits */
    PAGOPA_NOTICE_BAD_ENTE,        /* creditor CF is not a valid 11-digit codice fiscale */
    PAGOPA_NOTICE_BAD_AMOUNT,      /* not positive, or too many digits for the payload */
    PAGOPA_NOTICE_BAD_POSTAL_ACCOUNT,
    PAGOPA_NOTICE_BAD_DEBTOR, /* debtor id missing, too long or not letters and digits */
};

struct pagopa_notice {
    char normalized[PAGOPA_NOTICE_LEN + 1];
    char formatted[PAGOPA_NOTICE_FORMATTED_SIZE]; /* "3020 3200 2700 0002 51" */
    int aux;                                      /* 0-3 */
    char segregation[3];                          /* aux 3 */
    char application_code[3];                     /* aux 0 */
    char iuv[PAGOPA_IUV_MAX_LEN + 1];
    char check[3]; /* "" for aux 1, which has none */
    char expected_check[3];
    int deprecated; /* aux 0, 1, 2 */
    size_t err_pos;
    size_t length;
};

/* Validates any notice number; spaces are dropped. */
enum pagopa_notice_err pagopa_notice_parse(const char *in, struct pagopa_notice *out);

/*
 * A new aux-3 notice number: "3" + segregation (00-99) + base (13 digits) + check digits.
 * out must hold PAGOPA_NOTICE_LEN + 1 bytes.
 */
enum pagopa_notice_err pagopa_notice_make(int segregation, const char *base, char *out);

/* Groups of four digits; out must hold PAGOPA_NOTICE_FORMATTED_SIZE bytes. */
void pagopa_notice_format(const char *notice, char *out);

/* QR payload for a notice, the creditor's 11-digit CF and a positive amount in cents. */
enum pagopa_notice_err pagopa_notice_qr(const char *notice, const char *ente_cf, int64_t cents,
                                        char out[PAGOPA_QR_SIZE]);

/* Data for the Poste "Bollettino Postale PA" DataMatrix. */
struct pagopa_datamatrix {
    const char *notice;         /* 18-digit notice number */
    const char *postal_account; /* conto corrente postale, up to 12 digits */
    int64_t cents;              /* 1 .. PAGOPA_DATAMATRIX_MAX_CENTS */
    const char *ente_cf;        /* creditor's 11-digit CF */
    const char *debtor_id;      /* debtor's codice fiscale or partita IVA */
    const char *debtor_name;    /* UTF-8; folded to ASCII, cut at 40 characters */
    const char *subject;        /* causale; UTF-8; folded to ASCII, cut at 110 characters */
};

/* Exactly PAGOPA_DATAMATRIX_LEN characters, NUL-terminated. */
enum pagopa_notice_err pagopa_notice_datamatrix(const struct pagopa_datamatrix *dm,
                                                char out[PAGOPA_DATAMATRIX_LEN + 1]);

const char *pagopa_notice_strerror(enum pagopa_notice_err err);
void pagopa_notice_describe(enum pagopa_notice_err err, const struct pagopa_notice *v, char *out,
                            size_t out_size);

#endif
