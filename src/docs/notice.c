/* The pagoPA payment notice (see notice.h): input checks, then the layout as a doc (doc.h). */
#include "docs/notice.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "docs/doc.h"
#include "domain/cf11.h"
#include "domain/money.h"
#include "domain/pagopa_notice.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"

#define NOTICE_TEXT_MAX   1024 /* bytes in one field of the input */
#define NOTICE_CBILL_MAX  16   /* CBILL codes are 5 characters; room for what banks may add */
#define NOTICE_POSTAL_TYP "P1" /* Poste's document type for the Bollettino postale PA */

__attribute__((format(printf, 3, 4))) static int notice_fail(char *err, size_t errsz,
                                                             const char *fmt, ...)
{
    if (err && errsz) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const char *notice_str(const char *s)
{
    return s ? s : "";
}

/* Each optional or required text of the input: no longer than NOTICE_TEXT_MAX. */
static int notice_check_text(const char *what, const char *s, bool required, char *err,
                             size_t errsz)
{
    size_t n = strnlen(notice_str(s), NOTICE_TEXT_MAX + 1);
    if (n > NOTICE_TEXT_MAX)
        return notice_fail(err, errsz, "notice: %s longer than %d bytes", what, NOTICE_TEXT_MAX);
    if (required && n == 0)
        return notice_fail(err, errsz, "notice: %s missing", what);
    return 0;
}

/* msgid translated into lang, with "{key}" replaced by value. */
static const char *notice_tr(struct arena *a, const char *lang, const char *msgid, const char *key,
                             const char *value)
{
    const char *t = tr(lang, msgid);
    const char *at = strstr(t, key);
    if (!at)
        return t;
    return arena_printf(a, "%.*s%s%s", (int)(at - t), t, value, at + strlen(key));
}

static int notice_validate(const struct notice_doc *n, struct pagopa_notice *nav, char *err,
                           size_t errsz)
{
    const struct {
        const char *what, *value;
        bool required;
    } texts[] = {
        {"language", n->lang, true},
        {"creditor name", n->creditor_name, true},
        {"creditor sector", n->creditor_sector, false},
        {"creditor info", n->creditor_info, false},
        {"debtor name", n->debtor_name, true},
        {"debtor fiscal code", n->debtor_fiscal_code, true},
        {"debtor address", n->debtor_address, false},
        {"subject", n->subject, true},
        {"due date", n->due_date, true},
        {"notice number", n->notice_number, true},
        {"creditor fiscal code", n->creditor_fiscal_code, true},
        {"CBILL code", n->cbill_code, false},
        {"postal account", n->postal_account, false},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (notice_check_text(texts[i].what, texts[i].value, texts[i].required, err, errsz) != 0)
            return -1;
    enum pagopa_notice_err e = pagopa_notice_parse(n->notice_number, nav);
    if (e != PAGOPA_NOTICE_OK)
        return notice_fail(err, errsz, "notice: invalid notice number: %s",
                           pagopa_notice_strerror(e));
    struct cf11 cf;
    enum cf11_err ce = cf11_parse(n->creditor_fiscal_code, &cf);
    if (ce != CF11_OK)
        return notice_fail(err, errsz, "notice: invalid creditor fiscal code: %s",
                           cf11_strerror(ce));
    if (n->amount_cents <= 0 || n->amount_cents > PAGOPA_QR_MAX_CENTS)
        return notice_fail(err, errsz, "notice: amount must be positive and at most %lld cents",
                           (long long)PAGOPA_QR_MAX_CENTS);
    int y, m, d;
    if (!time_parse_date(n->due_date, &y, &m, &d))
        return notice_fail(err, errsz, "notice: due date is not a YYYY-MM-DD date");
    if (strlen(notice_str(n->cbill_code)) > NOTICE_CBILL_MAX)
        return notice_fail(err, errsz, "notice: CBILL code longer than %d characters",
                           NOTICE_CBILL_MAX);
    return 0;
}

/* The rows both slips share. */
static void notice_slip_common(struct doc *d, const struct notice_doc *n, const char *lang,
                               const struct pagopa_notice *nav)
{
    doc_panel_field(d, tr(lang, N_("Recipient")), n->debtor_name);
    doc_panel_field(d, tr(lang, N_("Subject of the payment")), n->subject);
    doc_panel_field(d, tr(lang, N_("Notice code")), nav->formatted);
}

int notice_render_pdf(const struct notice_doc *n, struct buf *out, char *err, size_t errsz)
{
    struct pagopa_notice nav;
    if (notice_validate(n, &nav, err, errsz) != 0)
        return -1;
    struct cf11 cf;
    cf11_parse(n->creditor_fiscal_code, &cf);
    const char *cfn = cf.normalized;
    char qr[PAGOPA_QR_SIZE];
    enum pagopa_notice_err e = pagopa_notice_qr(nav.normalized, cfn, n->amount_cents, qr);
    if (e != PAGOPA_NOTICE_OK)
        return notice_fail(err, errsz, "notice: cannot build the QR code: %s",
                           pagopa_notice_strerror(e));
    bool postal = n->postal_account && *n->postal_account;
    char dm[PAGOPA_DATAMATRIX_LEN + 1];
    if (postal) {
        struct pagopa_datamatrix pd = {
            .notice = nav.normalized,
            .postal_account = n->postal_account,
            .cents = n->amount_cents,
            .ente_cf = cfn,
            .debtor_id = n->debtor_fiscal_code,
            .debtor_name = n->debtor_name,
            .subject = n->subject,
        };
        e = pagopa_notice_datamatrix(&pd, dm);
        if (e != PAGOPA_NOTICE_OK)
            return notice_fail(err, errsz, "notice: cannot build the postal DataMatrix: %s",
                               pagopa_notice_strerror(e));
    }

    struct arena a;
    arena_init(&a, 0);
    const char *lang = n->lang;
    char amount[MONEY_TEXT_SIZE];
    money_format(n->amount_cents, amount);
    const char *due = time_date_display(&a, n->due_date);

    struct doc *d = doc_new(&a, lang, tr(lang, N_("PAYMENT NOTICE")));
    if (doc_set_issuer(d, n->creditor_name,
                       n->creditor_sector && *n->creditor_sector ? n->creditor_sector : NULL,
                       n->logo_png, n->logo_png ? n->logo_len : 0) != 0)
        log_warn("notice: creditor logo left out", "reason", "not an acceptable PNG");
    doc_set_footer(d, notice_str(n->creditor_info));
    doc_set_page_label(d, tr(lang, N_("Page {n} of {total}")));
    doc_heading(d, n->subject);

    doc_heading(d, tr(lang, N_("CREDITOR")));
    doc_field(d, tr(lang, N_("Creditor")), n->creditor_name);
    doc_field(d, tr(lang, N_("Tax code")), cfn);
    if (n->creditor_info && *n->creditor_info)
        doc_field(d, tr(lang, N_("Contacts")), n->creditor_info);
    doc_heading(d, tr(lang, N_("NOTICE RECIPIENT")));
    doc_field(d, tr(lang, N_("Recipient")), n->debtor_name);
    doc_field(d, tr(lang, N_("Tax code")), n->debtor_fiscal_code);
    if (n->debtor_address && *n->debtor_address)
        doc_field(d, tr(lang, N_("Address")), n->debtor_address);

    doc_heading(d, tr(lang, N_("HOW MUCH AND WHEN TO PAY?")));
    doc_big_code(d, notice_tr(&a, lang, N_("Amount to pay by {date}"), "{date}", due), amount);
    doc_paragraph(d, tr(lang, N_("The amount is kept up to date by the system and may change "
                                 "because of reductions, credit notes, late-payment charges, "
                                 "penalties or interest: if you pay after the due date, the "
                                 "website, the app or the operator may ask you for an amount "
                                 "different from the one shown here.")));

    doc_heading(d, tr(lang, N_("WHERE TO PAY?")));
    doc_paragraph(d, notice_tr(&a, lang,
                               N_("PAY ONLINE on the website or in the app of {creditor}, with "
                                  "your bank's home banking, with the IO app or with the other "
                                  "pagoPA channels: by card, from your bank account or with "
                                  "CBILL."),
                               "{creditor}", n->creditor_name));
    doc_paragraph(d, tr(lang, N_("PAY IN PERSON at banks and cash machines (ATM), post offices, "
                                 "tobacconists, Lottomatica and SISAL points, supermarkets and "
                                 "the other payment providers that offer pagoPA: in cash, by "
                                 "card or from your bank account. Bring this notice with you. "
                                 "The list of the payment channels is on www.pagopa.gov.it.")));
    doc_note(d, tr(lang, N_("Use the slip for the payment channel you prefer.")));

    doc_panel(d, tr(lang, N_("BANKS AND OTHER CHANNELS")), amount, DOC_SYMBOL_QR, qr);
    notice_slip_common(d, n, lang, &nav);
    doc_panel_field(d, tr(lang, N_("Creditor")), n->creditor_name);
    if (n->cbill_code && *n->cbill_code)
        doc_panel_field(d, tr(lang, N_("CBILL code")), n->cbill_code);
    doc_panel_field(d, tr(lang, N_("Creditor's tax code")), cfn);
    doc_panel_field(d, tr(lang, N_("Amount")), amount);

    if (postal) {
        doc_panel(d, tr(lang, N_("PA POSTAL PAYMENT SLIP")), amount, DOC_SYMBOL_DATAMATRIX, dm);
        doc_panel_field(d, tr(lang, N_("Postal account no.")), n->postal_account);
        doc_panel_field(d, tr(lang, N_("Payee")), n->creditor_name);
        notice_slip_common(d, n, lang, &nav);
        doc_panel_field(d, tr(lang, N_("Type")), NOTICE_POSTAL_TYP);
        doc_panel_field(d, tr(lang, N_("Creditor's tax code")), cfn);
        doc_panel_field(d, tr(lang, N_("Amount")), amount);
    }

    int rc = doc_render_pdf(d, out, err, errsz);
    arena_free(&a);
    return rc;
}
