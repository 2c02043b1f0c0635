/*
 * libFuzzer target for the GPD answer parsers (src/integrations/pagopa/gpd.h): the first byte
 * picks the parser (even: one position, odd: a page of positions), the rest is the answer body
 * as received, not NUL-terminated. Besides crashes and sanitizer reports it checks what the
 * reconciliation relies on: an accepted position has an IUPD and an IUV, a positive amount,
 * NUL-terminated fields, and "paid" only with a paid status; a page never holds more positions
 * than asked for.
 */
#include "integrations/pagopa/gpd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_PAGE 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_require(int ok)
{
    if (!ok)
        abort();
}

static void fuzz_check(const struct gpd_position *p)
{
    fuzz_require(p->iupd[0] && p->iuv[0] && p->amount_cents > 0);
    fuzz_require(memchr(p->iupd, '\0', sizeof(p->iupd)) && memchr(p->iuv, '\0', sizeof(p->iuv)) &&
                 memchr(p->receipt_id, '\0', sizeof(p->receipt_id)) &&
                 memchr(p->psp_company, '\0', sizeof(p->psp_company)) &&
                 memchr(p->payment_date, '\0', sizeof(p->payment_date)));
    if (p->paid)
        fuzz_require(!strcmp(p->status, "PAID") || !strcmp(p->status, "REPORTED") ||
                     !strncmp(p->option_status, "PO_", 3));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    char err[256];
    if (data[0] % 2 == 0) {
        struct gpd_position p;
        if (gpd_parse_position(json, len, &p, err, sizeof(err)) == GPD_OK)
            fuzz_check(&p);
        else
            fuzz_require(memchr(err, '\0', sizeof(err)) != NULL);
    } else {
        struct gpd_position page[FUZZ_PAGE];
        size_t n = 99;
        int pages = -1;
        if (gpd_parse_page(json, len, page, FUZZ_PAGE, &n, &pages, err, sizeof(err)) == GPD_OK) {
            fuzz_require(n <= FUZZ_PAGE && pages >= 0);
            for (size_t i = 0; i < n; i++)
                fuzz_check(&page[i]);
        } else {
            fuzz_require(n == 0);
        }
    }
    return 0;
}
