/*
 * The pagoPA payment notice ("avviso di pagamento", layout v3) as PDF: the creditor (ente) with
 * its logo, the recipient, how much and by when to pay, where to pay, and the slips a payment
 * channel reads: "banks and other channels" with the QR code (and the CBILL code when given) and,
 * for a creditor with a postal account, the Poste "Bollettino postale PA" slip with its
 * DataMatrix. Both machine-readable payloads come from domain/pagopa_notice.h; the text is
 * translated with tr() into the notice's language (normally Italian). Rendering goes through
 * docs/doc.h, so it happens in the renderer child.
 */
#ifndef REFETTORIO_DOCS_NOTICE_H
#define REFETTORIO_DOCS_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct notice_doc {
    const char *lang;                 /* "it" */
    const char *creditor_name;        /* the ente, e.g. "Comune di Esempio" */
    const char *creditor_fiscal_code; /* 11 digits */
    const char *creditor_sector;      /* e.g. "Servizi scolastici"; may be "" or NULL */
    const char *creditor_info;        /* address, website, phone: one line; may be "" or NULL */
    const void *logo_png;             /* may be NULL; a logo doc_set_issuer refuses is left out */
    size_t logo_len;
    const char *debtor_name;        /* required */
    const char *debtor_fiscal_code; /* codice fiscale or partita IVA, required */
    const char *debtor_address;     /* may be "" or NULL */
    const char *subject;            /* oggetto del pagamento, required */
    int64_t amount_cents;           /* > 0 */
    const char *due_date;           /* YYYY-MM-DD */
    const char *notice_number;      /* 18 digits (spaces allowed) */
    const char *cbill_code;         /* may be "" or NULL */
    const char *postal_account;     /* "" or NULL: no postal slip */
};

/*
 * Validate n and append the notice's PDF to out. 0, or -1 with a message in err (English, for
 * the log; DOC_ERR_MAX is a good size) when the input is invalid (notice number, creditor's
 * codice fiscale, amount, due date, postal account, a required field missing) or rendering fails;
 * out is unchanged then.
 */
int notice_render_pdf(const struct notice_doc *n, struct buf *out, char *err, size_t errsz);

#endif
