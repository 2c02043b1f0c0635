/* Unit tests for the pagoPA payment notice PDF (src/docs/notice.c) and the document panels with
   2D symbols it is built from (src/docs/symbol.c, doc_panel): rendered through the real child
   process ($REFETTORIO_BIN render-pdf, default build/refettorio), the text read back with
   pdftotext, the page rasterised at 300 dpi with pdftoppm and the symbols decoded with zbarimg
   (QR code) and dmtxread (DataMatrix), which must return exactly the payloads of
   domain/pagopa_notice.h. Invalid input is refused before anything is rendered, and the child
   refuses malformed symbols. */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <cmocka.h>

#include "docs/doc.h"
#include "docs/doc_internal.h"
#include "docs/notice.h"
#include "domain/cf11.h"
#include "domain/pagopa_notice.h"
#include "web/i18n.h"

#define CREDITOR     "Comune di Esempio"
#define DEBTOR       "Maria Rossi"
#define DEBTOR_CF    "RSSMRA80A41H501Y"
#define SUBJECT      "Refezione scolastica, saldo a.s. 2026/27"
#define AMOUNT       123450
#define AMOUNT_TEXT  "1.234,50 €"
#define DUE          "2027-01-31"
#define DUE_TEXT     "31/01/2027"
#define POSTAL       "123456789012"
#define CBILL        "A1B2C"
#define DMTX_TIMEOUT "5000" /* ms per page: a symbol on the page is read in well under 1 s */

static const char *real_renderer[3];
static char creditor_cf[CF11_LEN + 1];
static char nav[PAGOPA_NOTICE_LEN + 1];

static int setup(void **state)
{
    const char *bin = getenv("REFETTORIO_BIN");
    real_renderer[0] = bin && *bin ? bin : "build/refettorio";
    real_renderer[1] = "render-pdf";
    real_renderer[2] = NULL;
    doc_set_renderer(real_renderer, 0);
    assert_int_equal(i18n_init(), 0);
    /* A valid 11-digit codice fiscale and an aux-3 notice number. */
    memcpy(creditor_cf, "0012345678", 10);
    creditor_cf[10] = cf11_check_digit(creditor_cf);
    creditor_cf[11] = '\0';
    assert_int_equal(pagopa_notice_make(1, "2026000012345", nav), PAGOPA_NOTICE_OK);
    return 0;
}

/* ---- Tools ---- */

/* Run a tool (found on PATH) and return its stdout and exit status (in *status, or the test
   fails unless it exits with 0 when status is NULL). */
static char *run_tool(const char *const *argv, int *status)
{
    char *out = NULL, *err = NULL;
    int st = 0;
    GError *e = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &st,
                      &e))
        fail_msg("cannot run %s: %s", argv[0], e->message);
    bool ok = g_spawn_check_wait_status(st, NULL);
    if (!status && !ok)
        fail_msg("%s failed: %s", argv[0], err);
    if (status)
        *status = ok ? 0 : 1;
    g_free(err);
    return out;
}

static void write_temp(const struct buf *b, char path[64])
{
    snprintf(path, 64, "/tmp/refettorio-notice-XXXXXX.pdf");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
    close(fd);
}

static char *pdf_text(const char *path)
{
    return run_tool((const char *[]){"pdftotext", "-enc", "UTF-8", path, "-", NULL}, NULL);
}

/* Rasterise every page at 300 dpi into <prefix>-<n>.png; returns how many pages there are. */
static int rasterise(const char *path, char prefix[80])
{
    snprintf(prefix, 80, "%.*s-page", (int)(strlen(path) - 4), path);
    g_free(run_tool((const char *[]){"pdftoppm", "-r", "300", "-png", path, prefix, NULL}, NULL));
    int pages = 0;
    for (int p = 1; p < 10; p++) {
        char png[112];
        snprintf(png, sizeof(png), "%s-%d.png", prefix, p);
        if (access(png, R_OK) == 0)
            pages = p;
    }
    return pages;
}

static void page_png(const char *prefix, int page, char png[112])
{
    snprintf(png, 112, "%s-%d.png", prefix, page);
}

static void remove_pages(const char *prefix, int pages)
{
    for (int p = 1; p <= pages; p++) {
        char png[112];
        page_png(prefix, p, png);
        unlink(png);
    }
}

/* What zbarimg reads on every page, concatenated ("" when nothing). */
static char *qr_codes(const char *prefix, int pages)
{
    GString *all = g_string_new("");
    for (int p = 1; p <= pages; p++) {
        char png[112];
        page_png(prefix, p, png);
        int st;
        char *got = run_tool((const char *[]){"zbarimg", "--raw", "-q", png, NULL}, &st);
        g_string_append(all, got);
        g_free(got);
    }
    return g_string_free(all, FALSE);
}

/* What dmtxread reads on every page ("" when nothing). */
static char *datamatrix_codes(const char *prefix, int pages)
{
    GString *all = g_string_new("");
    for (int p = 1; p <= pages; p++) {
        char png[112];
        page_png(prefix, p, png);
        int st;
        char *got = run_tool(
            (const char *[]){"dmtxread", "-N1", "-m", DMTX_TIMEOUT, "-s", "s", png, NULL}, &st);
        g_string_append(all, got);
        g_free(got);
    }
    return g_string_free(all, FALSE);
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* ---- The notice ---- */

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int length)
{
    return buf_append(closure, data, length) == BUF_OK ? CAIRO_STATUS_SUCCESS
                                                       : CAIRO_STATUS_WRITE_ERROR;
}

/* A small red square as PNG, for the creditor's logo. */
static void logo_png(struct buf *png)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 40);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_paint(cr);
    cairo_destroy(cr);
    buf_init(png, DOC_LOGO_MAX);
    assert_int_equal(cairo_surface_write_to_png_stream(s, png_write, png), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
}

/* Lines of pdfimages -list after its two header lines: how many images the PDF holds. */
static int pdf_images(const char *path)
{
    char *list = run_tool((const char *[]){"pdfimages", "-list", path, NULL}, NULL);
    int lines = 0;
    for (const char *p = list; *p; p++)
        lines += *p == '\n';
    g_free(list);
    return lines - 2;
}

static struct notice_doc sample(void)
{
    return (struct notice_doc){
        .lang = "it",
        .creditor_name = CREDITOR,
        .creditor_fiscal_code = creditor_cf,
        .creditor_sector = "Servizi scolastici",
        .creditor_info = "Piazza del Municipio 1, 00100 Esempio · www.comune.esempio.it",
        .debtor_name = DEBTOR,
        .debtor_fiscal_code = DEBTOR_CF,
        .debtor_address = "Via Roma 10, 00100 Esempio",
        .subject = SUBJECT,
        .amount_cents = AMOUNT,
        .due_date = DUE,
        .notice_number = nav,
        .cbill_code = CBILL,
        .postal_account = "",
    };
}

static void render_notice(const struct notice_doc *n, char path[64])
{
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    char err[DOC_ERR_MAX] = "";
    if (notice_render_pdf(n, &out, err, sizeof(err)) != 0)
        fail_msg("notice_render_pdf: %s", err);
    assert_memory_equal(out.data, "%PDF-", 5);
    write_temp(&out, path);
    buf_free(&out);
}

static void assert_has(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("\"%s\" is not in the PDF text:\n%s", want, text);
}

static void assert_lacks(const char *text, const char *unwanted)
{
    if (strstr(text, unwanted))
        fail_msg("\"%s\" is in the PDF text", unwanted);
}

static void test_notice_text_and_qr_code(void **state)
{
    struct notice_doc n = sample();
    struct buf png;
    logo_png(&png);
    n.logo_png = png.data;
    n.logo_len = png.len;
    char path[64];
    render_notice(&n, path);
    buf_free(&png);
    assert_int_equal(pdf_images(path), 1); /* the logo; the symbols are vector squares */

    char *t = pdf_text(path);
    char formatted[PAGOPA_NOTICE_FORMATTED_SIZE];
    pagopa_notice_format(nav, formatted);
    assert_has(t, formatted);
    assert_has(t, AMOUNT_TEXT);
    assert_has(t, DUE_TEXT);
    assert_has(t, CREDITOR);
    assert_has(t, creditor_cf);
    assert_has(t, DEBTOR);
    assert_has(t, DEBTOR_CF);
    assert_has(t, CBILL);
    assert_has(t, tr("it", "PAYMENT NOTICE"));
    assert_has(t, tr("it", "BANKS AND OTHER CHANNELS"));
    /* No postal account: no postal slip. */
    assert_lacks(t, tr("it", "PA POSTAL PAYMENT SLIP"));
    assert_lacks(t, tr("it", "Postal account no."));
    g_free(t);

    char prefix[80];
    int pages = rasterise(path, prefix);
    assert_true(pages >= 1);
    char want[PAGOPA_QR_SIZE];
    assert_int_equal(pagopa_notice_qr(nav, creditor_cf, AMOUNT, want), PAGOPA_NOTICE_OK);
    char *qr = qr_codes(prefix, pages);
    chomp(qr);
    assert_string_equal(qr, want);
    g_free(qr);
    char *dm = datamatrix_codes(prefix, pages);
    assert_string_equal(dm, "");
    g_free(dm);
    remove_pages(prefix, pages);
    unlink(path);
}

static void test_notice_postal_slip_datamatrix(void **state)
{
    struct notice_doc n = sample();
    n.postal_account = POSTAL;
    n.cbill_code = "";
    char path[64];
    render_notice(&n, path);

    char *t = pdf_text(path);
    assert_has(t, tr("it", "PA POSTAL PAYMENT SLIP"));
    assert_has(t, POSTAL);
    assert_has(t, "P1");
    assert_lacks(t, tr("it", "CBILL code"));
    g_free(t);

    char prefix[80];
    int pages = rasterise(path, prefix);
    char want[PAGOPA_DATAMATRIX_LEN + 1];
    struct pagopa_datamatrix pd = {
        .notice = nav,
        .postal_account = POSTAL,
        .cents = AMOUNT,
        .ente_cf = creditor_cf,
        .debtor_id = DEBTOR_CF,
        .debtor_name = DEBTOR,
        .subject = SUBJECT,
    };
    assert_int_equal(pagopa_notice_datamatrix(&pd, want), PAGOPA_NOTICE_OK);
    char *dm = datamatrix_codes(prefix, pages);
    chomp(dm);
    assert_int_equal(strlen(dm), PAGOPA_DATAMATRIX_LEN);
    assert_string_equal(dm, want);
    g_free(dm);
    /* The QR code is still there, alone for zbar. */
    char qr_want[PAGOPA_QR_SIZE];
    assert_int_equal(pagopa_notice_qr(nav, creditor_cf, AMOUNT, qr_want), PAGOPA_NOTICE_OK);
    char *qr = qr_codes(prefix, pages);
    chomp(qr);
    assert_string_equal(qr, qr_want);
    g_free(qr);
    remove_pages(prefix, pages);
    unlink(path);
}

/* Each change to the sample must be refused, with out untouched and err naming the problem. */
static void test_notice_invalid_input_refused(void **state)
{
    char bad_nav[PAGOPA_NOTICE_LEN + 1];
    memcpy(bad_nav, nav, sizeof(bad_nav));
    bad_nav[17] = bad_nav[17] == '9' ? '0' : (char)(bad_nav[17] + 1); /* wrong check digits */
    char bad_cf[CF11_LEN + 1];
    memcpy(bad_cf, creditor_cf, sizeof(bad_cf));
    bad_cf[10] = bad_cf[10] == '9' ? '0' : (char)(bad_cf[10] + 1);
    struct {
        struct notice_doc n;
        const char *err;
    } cases[] = {
        {sample(), "notice number"}, {sample(), "notice number"},   {sample(), "fiscal code"},
        {sample(), "amount"},        {sample(), "amount"},          {sample(), "due date"},
        {sample(), "due date"},      {sample(), "subject missing"}, {sample(), "debtor name"},
        {sample(), "postal"},        {sample(), "language"},
    };
    cases[0].n.notice_number = bad_nav;
    cases[1].n.notice_number = "1234";
    cases[2].n.creditor_fiscal_code = bad_cf;
    cases[3].n.amount_cents = 0;
    cases[4].n.amount_cents = -100;
    cases[5].n.due_date = "2027-02-30";
    cases[6].n.due_date = "31/01/2027";
    cases[7].n.subject = "";
    cases[8].n.debtor_name = NULL;
    cases[9].n.postal_account = "12ab";
    cases[10].n.lang = "a b";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf out;
        buf_init(&out, DOC_PDF_MAX);
        char err[DOC_ERR_MAX] = "";
        if (notice_render_pdf(&cases[i].n, &out, err, sizeof(err)) != -1)
            fail_msg("case %zu accepted", i);
        assert_int_equal(out.len, 0);
        if (!strstr(err, cases[i].err))
            fail_msg("case %zu: \"%s\" does not mention %s", i, err, cases[i].err);
        buf_free(&out);
    }
    /* A notice number written in groups of four is fine. */
    struct notice_doc ok = sample();
    char formatted[PAGOPA_NOTICE_FORMATTED_SIZE];
    pagopa_notice_format(nav, formatted);
    ok.notice_number = formatted;
    char path[64];
    render_notice(&ok, path);
    unlink(path);
}

/* ---- Panels and symbols in the document layer ---- */

static void test_symbol_encoding(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    struct doc_symbol_matrix m = {0};
    assert_int_equal(doc_symbol_encode(&a, DOC_SYMBOL_QR, "PAGOPA|002|x", &m), 0);
    assert_int_equal(m.quiet, 4);
    assert_true(m.size >= 21 && (m.size - 21) % 4 == 0);
    assert_int_equal(strlen(m.modules), (size_t)(m.size * m.size));
    /* QR finder pattern: the top-left corner module is dark, the one inside its ring light. */
    assert_int_equal(m.modules[0], '1');
    assert_int_equal(m.modules[(size_t)m.size + 1], '0');

    assert_int_equal(doc_symbol_encode(&a, DOC_SYMBOL_DATAMATRIX, "12345678", &m), 0);
    assert_int_equal(m.quiet, 2);
    /* DataMatrix finder: the left column and the bottom row are solid. */
    for (int i = 0; i < m.size; i++) {
        assert_int_equal(m.modules[(size_t)i * (size_t)m.size], '1');
        assert_int_equal(m.modules[(size_t)(m.size - 1) * (size_t)m.size + (size_t)i], '1');
    }

    char *big = arena_alloc(&a, DOC_SYMBOL_TEXT_MAX + 2);
    memset(big, '7', DOC_SYMBOL_TEXT_MAX + 1);
    big[DOC_SYMBOL_TEXT_MAX + 1] = '\0';
    assert_int_equal(doc_symbol_encode(&a, DOC_SYMBOL_QR, big, &m), -1);
    assert_int_equal(doc_symbol_encode(&a, DOC_SYMBOL_QR, "", &m), -1);
    assert_int_equal(doc_symbol_encode(&a, DOC_SYMBOL_NONE, "x", &m), -1);
    arena_free(&a);
}

static void test_panel_misuse(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "it", "T");
    doc_panel_field(d, "a", "b");
    assert_non_null(doc_error(d));

    d = doc_new(&a, "it", "T");
    doc_panel(d, "Slip", NULL, DOC_SYMBOL_NONE, NULL);
    for (int i = 0; i < DOC_PANEL_FIELDS_MAX; i++)
        doc_panel_field(d, "a", "b");
    assert_null(doc_error(d));
    doc_panel_field(d, "a", "b");
    assert_non_null(doc_error(d));

    d = doc_new(&a, "it", "T");
    doc_panel(d, "Slip", NULL, DOC_SYMBOL_QR, "");
    assert_non_null(doc_error(d));
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    char err[DOC_ERR_MAX];
    assert_int_equal(doc_render_pdf(d, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "symbol"));
    buf_free(&out);
    arena_free(&a);
}

/* A panel without a symbol, and one in a right-to-left document, render; the symbol's modules
   come back from the raster unmirrored (zbar reads it). */
static void test_panel_rtl_symbol_not_mirrored(void **state)
{
    struct arena a;
    arena_init(&a, 0);
    struct doc *d = doc_new(&a, "ar", "T");
    doc_panel(d, "Plain", "12", DOC_SYMBOL_NONE, NULL);
    doc_panel_field(d, "label", "value one");
    doc_panel(d, "Coded", NULL, DOC_SYMBOL_QR, "RTL-QR-42");
    doc_panel_field(d, "label", "value two");
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    char err[DOC_ERR_MAX];
    if (doc_render_pdf(d, &out, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    char path[64];
    write_temp(&out, path);
    buf_free(&out);
    char *t = pdf_text(path);
    assert_has(t, "value one");
    assert_has(t, "value two");
    g_free(t);
    char prefix[80];
    int pages = rasterise(path, prefix);
    char *qr = qr_codes(prefix, pages);
    chomp(qr);
    assert_string_equal(qr, "RTL-QR-42");
    g_free(qr);
    remove_pages(prefix, pages);
    unlink(path);
    arena_free(&a);
}

static int child_main(const char *input, struct buf *out)
{
    FILE *in = fmemopen((void *)input, strlen(input), "r");
    char *data = NULL;
    size_t size = 0;
    FILE *o = open_memstream(&data, &size);
    fflush(stderr);
    int saved = dup(2);
    FILE *null = fopen("/dev/null", "w");
    dup2(fileno(null), 2);
    int rc = doc_render_main(in, o);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(null);
    fclose(in);
    fclose(o);
    buf_reset(out);
    buf_append(out, data, size);
    free(data);
    return rc;
}

static void test_child_checks_panels(void **state)
{
#define HEAD                                                                                       \
    "{\"v\":1,\"lang\":\"it\",\"title\":\"T\",\"footer\":\"\",\"page_label\":\"\",\"issuer\":{"    \
    "\"name\":\"X\"},\"blocks\":[{\"t\":\"panel\",\"title\":\"P\",\"aside\":null,"
    static const char *const bad[] = {
        HEAD "\"symbol\":null}]}",                        /* no fields */
        HEAD "\"symbol\":null,\"fields\":[[\"a\"]]}]}",   /* not a pair */
        HEAD "\"symbol\":null,\"fields\":[[\"a\",1]]}]}", /* not strings */
        HEAD "\"symbol\":{\"size\":2,\"quiet\":1,\"modules\":\"011\"},\"fields\":[]}]}",
        HEAD "\"symbol\":{\"size\":2,\"quiet\":1,\"modules\":\"01x1\"},\"fields\":[]}]}",
        HEAD "\"symbol\":{\"size\":0,\"quiet\":1,\"modules\":\"\"},\"fields\":[]}]}",
        HEAD "\"symbol\":{\"size\":178,\"quiet\":1,\"modules\":\"1\"},\"fields\":[]}]}",
        HEAD "\"symbol\":{\"size\":1,\"quiet\":9,\"modules\":\"1\"},\"fields\":[]}]}",
        HEAD "\"symbol\":{\"size\":1,\"quiet\":-1,\"modules\":\"1\"},\"fields\":[]}]}",
        HEAD "\"symbol\":{\"size\":\"1\",\"quiet\":1,\"modules\":\"1\"},\"fields\":[]}]}",
        HEAD "\"symbol\":[],\"fields\":[]}]}",
        HEAD "\"title\":1,\"symbol\":null,\"fields\":[]}]}",
    };
    struct buf out;
    buf_init(&out, DOC_PDF_MAX);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (child_main(bad[i], &out) != 1)
            fail_msg("accepted: %s", bad[i]);
        assert_int_equal(out.len, 0);
    }
    /* Too many fields. */
    GString *s = g_string_new(HEAD "\"symbol\":null,\"fields\":[");
    for (int i = 0; i <= DOC_PANEL_FIELDS_MAX; i++)
        g_string_append(s, i ? ",[\"a\",\"b\"]" : "[\"a\",\"b\"]");
    g_string_append(s, "]}]}");
    assert_int_equal(child_main(s->str, &out), 1);
    g_string_free(s, TRUE);
    const char *ok = HEAD
        "\"symbol\":{\"size\":2,\"quiet\":1,\"modules\":\"0110\"},\"fields\":[[\"a\",\"b\"]]}]}";
    assert_int_equal(child_main(ok, &out), 0);
    assert_memory_equal(out.data, "%PDF-", 5);
    buf_free(&out);
#undef HEAD
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "render-pdf"))
        return doc_render_main(stdin, stdout);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_text_and_qr_code),
        cmocka_unit_test(test_notice_postal_slip_datamatrix),
        cmocka_unit_test(test_notice_invalid_input_refused),
        cmocka_unit_test(test_symbol_encoding),
        cmocka_unit_test(test_panel_misuse),
        cmocka_unit_test(test_panel_rtl_symbol_not_mirrored),
        cmocka_unit_test(test_child_checks_panels),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
