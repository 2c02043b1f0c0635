/*
 * libFuzzer target for every domain parser: the first byte picks the parser, the rest is the
 * input as a NUL-terminated string. Built once as fuzz_domain (all parsers) and once per main
 * parser with -DFUZZ_ONLY=<selector> (fuzz_cf, fuzz_iban, fuzz_money, fuzz_notice), where the
 * whole input goes to that one parser. Besides crashes and sanitizer reports it checks the
 * invariants a caller relies on: accepted values re-parse to themselves, omocodic codes map back
 * to a valid canonical code, formatted money parses back to the same cents, and payloads have
 * their fixed lengths.
 */
#include "domain/cf11.h"
#include "domain/codice_fiscale.h"
#include "domain/creditor_id.h"
#include "domain/email.h"
#include "domain/iban.h"
#include "domain/mobile.h"
#include "domain/money.h"
#include "domain/pagopa_notice.h"
#include "domain/places.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_INPUT 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require(int ok)
{
    if (!ok) {
        abort();
    }
}

static void fuzz_cf(const char *s)
{
    struct codice_fiscale cf;
    struct codice_fiscale again;
    char text[256];
    enum codice_fiscale_err err = codice_fiscale_parse(s, &cf);
    codice_fiscale_describe(err, &cf, text, sizeof(text));
    if (err == CODICE_FISCALE_OK) {
        fuzz_require(codice_fiscale_parse(cf.canonical, &again) == CODICE_FISCALE_OK);
        fuzz_require(again.omocodia_mask == 0);
        fuzz_require(codice_fiscale_parse(cf.normalized, &again) == CODICE_FISCALE_OK);
        (void)places_find(cf.place);
    }
    struct codice_fiscale_person p = {s, s, 1990, 5, 17, 'F', "H501"};
    char code[CODICE_FISCALE_LEN + 1];
    if (codice_fiscale_compute(&p, code) == CODICE_FISCALE_OK) {
        unsigned mismatch;
        fuzz_require(codice_fiscale_parse(code, &again) == CODICE_FISCALE_OK);
        fuzz_require(codice_fiscale_check_person(code, &p, &mismatch) == CODICE_FISCALE_OK);
        fuzz_require(mismatch == 0);
    }
}

static void fuzz_money(const char *s)
{
    int64_t cents;
    int64_t back;
    int64_t net;
    int64_t vat;
    int rate;
    char text[MONEY_TEXT_SIZE];
    if (money_parse(s, &cents, NULL) == MONEY_OK) {
        money_format(cents, text);
        fuzz_require(money_parse(text, &back, NULL) == MONEY_OK && back == cents);
        fuzz_require(money_vat_split(cents, 400, &net, &vat) == MONEY_OK);
        fuzz_require(net + vat == cents);
        (void)money_vat_gross(cents, 2200, &net, &vat);
    }
    if (money_parse_rate(s, &rate) == MONEY_OK) {
        fuzz_require(rate >= 0 && rate <= MONEY_RATE_MAX_BP);
    }
}

static void fuzz_notice(const char *s)
{
    struct pagopa_notice n;
    char text[256];
    char qr[PAGOPA_QR_SIZE];
    char dm[PAGOPA_DATAMATRIX_LEN + 1];
    enum pagopa_notice_err err = pagopa_notice_parse(s, &n);
    pagopa_notice_describe(err, &n, text, sizeof(text));
    if (err == PAGOPA_NOTICE_OK) {
        fuzz_require(pagopa_notice_qr(s, "00743110157", 1234, qr) == PAGOPA_NOTICE_OK);
    }
    struct pagopa_datamatrix d = {"302032002700000251", "16302093", 1, "00085240950",
                                  "BSCMTT83A12L719R",   s,          s};
    if (pagopa_notice_datamatrix(&d, dm) == PAGOPA_NOTICE_OK) {
        fuzz_require(strlen(dm) == PAGOPA_DATAMATRIX_LEN);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[FUZZ_MAX_INPUT + 1];
    char text[256];
    if (size < 1 || size > FUZZ_MAX_INPUT) {
        return 0;
    }
#ifdef FUZZ_ONLY
    unsigned selector = FUZZ_ONLY;
    memcpy(s, data, size);
    s[size] = '\0';
#else
    unsigned selector = data[0];
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
#endif

    switch (selector % 8) {
    case 0:
        fuzz_cf(s);
        break;
    case 1: {
        struct cf11 v;
        cf11_describe(cf11_parse(s, &v), &v, text, sizeof(text));
        break;
    }
    case 2: {
        struct iban v;
        struct iban again;
        enum iban_err err = iban_parse(s, &v);
        iban_describe(err, &v, text, sizeof(text));
        if (err == IBAN_OK) {
            fuzz_require(iban_parse(v.formatted, &again) == IBAN_OK);
        }
        break;
    }
    case 3: {
        struct creditor_id v;
        creditor_id_describe(creditor_id_parse(s, &v), &v, text, sizeof(text));
        break;
    }
    case 4: {
        struct email v;
        struct email again;
        enum email_err err = email_parse(s, &v);
        email_describe(err, &v, text, sizeof(text));
        if (err == EMAIL_OK) {
            fuzz_require(email_parse(v.normalized, &again) == EMAIL_OK);
        }
        break;
    }
    case 5: {
        struct mobile v;
        struct mobile again;
        enum mobile_err err = mobile_parse(s, &v);
        mobile_describe(err, &v, text, sizeof(text));
        if (err == MOBILE_OK) {
            fuzz_require(mobile_parse(v.e164, &again) == MOBILE_OK);
        }
        break;
    }
    case 6:
        fuzz_money(s);
        break;
    default:
        fuzz_notice(s);
        break;
    }
    return 0;
}
