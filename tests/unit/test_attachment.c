/*
 * Unit tests: file kinds by content (PDF, PDF/A claims, PNG), uploaded file names, storing and
 * reading attachments on a migrated database (SHA-256, audit rows, tenant isolation, integrity),
 * who may read medical certificates, and sending a stored file (resp_download).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/pdf_file.h"
#include "services/attachment.h"
#include "services/audit.h"
#include "services/password.h"
#include "services/staff.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "web/download.h"

/* A one-page A4 PDF that pdfinfo (poppler) opens without a warning; its SHA-256 was computed
   with Python's hashlib, independently of libsodium. */
static const char plain_pdf[] = "%PDF-1.7\n"
                                "%\342\343\317\323\n"
                                "1 0 obj\n"
                                "<< /Type /Catalog /Pages 2 0 R >>\n"
                                "endobj\n"
                                "2 0 obj\n"
                                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
                                "endobj\n"
                                "3 0 obj\n"
                                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                                "<< >> >>\n"
                                "endobj\n"
                                "xref\n"
                                "0 4\n"
                                "0000000000 65535 f \n"
                                "0000000015 00000 n \n"
                                "0000000064 00000 n \n"
                                "0000000121 00000 n \n"
                                "trailer\n"
                                "<< /Size 4 /Root 1 0 R >>\n"
                                "startxref\n"
                                "209\n"
                                "%%EOF\n";
#define PLAIN_PDF_SHA256 "540c0f817fa4fd05271a8fab69d4aefea792b3734c56bb19d71017356ba78980"

/* The same page with an XMP metadata stream claiming PDF/A-2B (attribute form). */
static const char pdfa_pdf[] =
    "%PDF-1.7\n"
    "%\342\343\317\323\n"
    "1 0 obj\n"
    "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>\n"
    "endobj\n"
    "2 0 obj\n"
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
    "endobj\n"
    "3 0 obj\n"
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>\n"
    "endobj\n"
    "4 0 obj\n"
    "<< /Type /Metadata /Subtype /XML /Length 313 >>\n"
    "stream\n"
    "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
    "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" "
    "pdfaid:part=\"2\" pdfaid:conformance=\"B\"/>\n"
    "</rdf:RDF></x:xmpmeta>\n"
    "<?xpacket end=\"w\"?>\n"
    "endstream\n"
    "endobj\n"
    "xref\n"
    "0 5\n"
    "0000000000 65535 f \n"
    "0000000015 00000 n \n"
    "0000000080 00000 n \n"
    "0000000137 00000 n \n"
    "0000000225 00000 n \n"
    "trailer\n"
    "<< /Size 5 /Root 1 0 R >>\n"
    "startxref\n"
    "619\n"
    "%%EOF\n";
#define PDFA_PDF_SHA256 "ea0491f12b0cf9c9f9c47a108b3c0ea125fd48ae1b206767acab053ae4882892"

/* A 2x1 RGBA PNG (file(1): "PNG image data, 2 x 1, 8-bit/color RGBA, non-interlaced"). */
static const unsigned char logo_png[] =
    "\211PNG\r\n\032\n"
    "\000\000\000\015IHDR\000\000\000\002\000\000\000\001\010\006\000\000\000\364\"\177\212"
    "\000\000\000\016IDATx\234c\370\317\300\000B\015\000\017z\003~w\351\177\227"
    "\000\000\000\000IEND\256B`\202";
#define LOGO_PNG_SHA256 "5a43ec1305804c9be3f99944cc19630ecb0839f0743c32deffd29357409efe54"

#define PLAIN_LEN (sizeof(plain_pdf) - 1)
#define PDFA_LEN  (sizeof(pdfa_pdf) - 1)
#define LOGO_LEN  (sizeof(logo_png) - 1)

struct fixture {
    char dir[64];
    char path[128];
    struct db *db;
    int64_t tenant, other;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-test-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.sqlite", f->dir);
    char err[256];
    if (password_init() != 0 || store_init(f->path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    struct tenant_new a = {.slug = "alfa", .name = "Comune di Alfa"};
    struct tenant_new b = {.slug = "beta", .name = "Comune di Beta"};
    if (tenant_create(f->db, &a, &f->tenant) != TENANT_OK ||
        tenant_create(f->db, &b, &f->other) != TENANT_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_thread_done();
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

/* A malloc'd copy of exactly n bytes, so that ASan sees any read past the end. */
static unsigned char *exact(const void *data, size_t n)
{
    unsigned char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, data, n);
    return p;
}

static bool is_pdf(const char *s)
{
    unsigned char *p = exact(s, strlen(s));
    bool ok = pdf_file_is_pdf(p, strlen(s));
    free(p);
    return ok;
}

/* ---- kinds by content ------------------------------------------------------------------------ */

static void test_pdf_by_content(void **state)
{
    unsigned char *p = exact(plain_pdf, PLAIN_LEN);
    assert_true(pdf_file_is_pdf(p, PLAIN_LEN));
    free(p);
    assert_true(pdf_file_is_pdf(pdfa_pdf, PDFA_LEN));
    assert_true(is_pdf("%PDF-2.0\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    assert_true(is_pdf("%PDF-1.0\r12 3\robj<<>>endobj\r%%EOF\r"));

    /* A PNG renamed .pdf, a text file named x.pdf, nothing at all. */
    assert_false(pdf_file_is_pdf(logo_png, LOGO_LEN));
    assert_false(is_pdf("This is not a certificate, just text in a file called x.pdf\n"));
    assert_false(pdf_file_is_pdf(plain_pdf, 0));
    assert_false(pdf_file_is_pdf(NULL, 10));
    assert_false(is_pdf("%PDF-1.7"));

    /* Header at offset 0 only (no leading junk: polyglots), and a real version. */
    assert_false(is_pdf("<html>\n%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    assert_false(is_pdf(" %PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    assert_false(is_pdf("%PDF-3.0\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    assert_false(is_pdf("%PDF-2.1\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    assert_false(is_pdf("%PDF-1.10\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    assert_false(is_pdf("%PDF-1.x\n1 0 obj\n<<>>\nendobj\n%%EOF"));
    /* An indirect object is needed: "obj" alone, "endobj" or "objx" are not one. */
    assert_false(is_pdf("%PDF-1.4\nendobj\n%%EOF"));
    assert_false(is_pdf("%PDF-1.4\n1 0 objx\n%%EOF"));
    assert_false(is_pdf("%PDF-1.4\nobj\n%%EOF"));
    assert_false(is_pdf("%PDF-1.4\n1 obj\n%%EOF")); /* "4\n1 obj": the 4 is the version's */
    assert_false(is_pdf("%PDF-1.4\nx1 0 obj\n%%EOF"));
    assert_true(is_pdf("%PDF-1.4\n>1 0 obj\n%%EOF"));
    /* No %%EOF at all. */
    assert_false(is_pdf("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"));
}

static void test_pdf_eof_must_be_near_the_end(void **state)
{
    /* The header and an object, then %%EOF, then n bytes of padding. */
    for (size_t pad = PDF_FILE_TAIL_BYTES - 16; pad <= PDF_FILE_TAIL_BYTES + 16; pad++) {
        const char *head = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF";
        size_t hn = strlen(head), n = hn + pad;
        unsigned char *p = malloc(n);
        assert_non_null(p);
        memcpy(p, head, hn);
        memset(p + hn, '\n', pad);
        /* "%%EOF" starts 5 + pad bytes before the end. */
        assert_int_equal(pdf_file_is_pdf(p, n), 5 + pad <= PDF_FILE_TAIL_BYTES);
        free(p);
    }
}

static void test_pdf_truncated_at_every_length(void **state)
{
    /* No prefix of a PDF reads past its end, and only the whole file (or the file less its
       final newline) is a PDF. */
    for (size_t n = 0; n <= PDFA_LEN; n++) {
        unsigned char *p = exact(pdfa_pdf, n);
        bool ok = pdf_file_is_pdf(p, n);
        char claim[8];
        pdf_file_pdfa_claim(p, n, claim);
        assert_int_equal(ok, n >= PDFA_LEN - 1);
        free(p);
    }
}

static const char *claim(const char *s)
{
    static char out[8];
    unsigned char *p = exact(s, strlen(s));
    bool found = pdf_file_pdfa_claim(p, strlen(s), out);
    free(p);
    assert_int_equal(found, out[0] != '\0');
    return out;
}

static void test_pdfa_claims(void **state)
{
    char out[8];
    assert_true(pdf_file_pdfa_claim(pdfa_pdf, PDFA_LEN, out));
    assert_string_equal(out, "2B");
    assert_false(pdf_file_pdfa_claim(plain_pdf, PLAIN_LEN, out));
    assert_string_equal(out, "");

    /* Attribute form, with either quote and white space around "=". */
    assert_string_equal(claim("<rdf:Description pdfaid:part=\"1\" pdfaid:conformance=\"A\"/>"),
                        "1A");
    assert_string_equal(claim("<rdf:Description\n pdfaid:conformance='u'\n pdfaid:part = '3'/>"),
                        "3U");
    /* Element form, with white space inside. */
    assert_string_equal(claim("<rdf:Description><pdfaid:part>2</pdfaid:part>"
                              "<pdfaid:conformance>B</pdfaid:conformance></rdf:Description>"),
                        "2B");
    assert_string_equal(claim("<pdfaid:part>\n  3\n</pdfaid:part>\n<pdfaid:conformance> A "
                              "</pdfaid:conformance>"),
                        "3A");
    /* The part alone (PDF/A-4 has no conformance level). */
    assert_string_equal(claim("<rdf:Description pdfaid:part=\"4\" pdfaid:rev=\"2020\"/>"), "4");
    assert_string_equal(claim("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>Z"
                              "</pdfaid:conformance>"),
                        "2");
    /* No valid part: none, bad values, a closing tag alone, a longer name, a truncated one. */
    assert_string_equal(claim("pdfaid:conformance=\"B\""), "");
    assert_string_equal(claim(" pdfaid:part=\"5\" pdfaid:conformance=\"B\""), "");
    assert_string_equal(claim(" pdfaid:part=\"12\""), "");
    assert_string_equal(claim(" pdfaid:part=\"2"), "");
    assert_string_equal(claim("</pdfaid:part>"), "");
    assert_string_equal(claim("<pdfaid:partX>2</pdfaid:partX>"), "");
    assert_string_equal(claim(" pdfaid:parts=\"2\""), "");
    assert_string_equal(claim("<pdfaid:part>2"), "");
    assert_string_equal(claim("pdfaid:part=\"2\""), ""); /* not an attribute: nothing before */
    /* The first valid claim wins over an invalid one before it. */
    assert_string_equal(claim(" pdfaid:part=\"x\" <pdfaid:part>1</pdfaid:part> "
                              "pdfaid:conformance=\"b\""),
                        "1B");
}

static void test_png_by_content(void **state)
{
    unsigned w = 0, h = 0;
    unsigned char *p = exact(logo_png, LOGO_LEN);
    assert_true(png_file_is_png(p, LOGO_LEN, &w, &h));
    assert_int_equal(w, 2);
    assert_int_equal(h, 1);
    assert_true(png_file_is_png(p, LOGO_LEN, NULL, NULL));
    /* Truncated inside the IHDR chunk: never a PNG, never a read past the end. */
    for (size_t n = 0; n < 33; n++) {
        unsigned char *q = exact(logo_png, n);
        assert_false(png_file_is_png(q, n, &w, &h));
        free(q);
    }
    assert_false(png_file_is_png(plain_pdf, PLAIN_LEN, &w, &h));
    /* A flipped bit in IHDR breaks its CRC; a bad colour type or depth is refused even with a
       correct CRC (computed here by hand would be circular, so only the CRC case is tested). */
    p[20] ^= 1;
    assert_false(png_file_is_png(p, LOGO_LEN, &w, &h));
    p[20] ^= 1;
    p[0] = 0x88;
    assert_false(png_file_is_png(p, LOGO_LEN, &w, &h));
    free(p);
}

/* ---- file names ------------------------------------------------------------------------------ */

static void test_filename_sanitize(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    assert_string_equal(attachment_filename_sanitize(&a, "C:\\Users\\anna\\certificato.pdf", "x"),
                        "certificato.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "../../etc/passwd", "x"), "passwd");
    assert_string_equal(attachment_filename_sanitize(&a, "Nicolò – dieta.pdf", "x"),
                        "Nicolò – dieta.pdf");
    /* Controls, C1 controls, bidirectional overrides and line separators go. */
    assert_string_equal(attachment_filename_sanitize(&a, "a\tb\r\nc\x7f.pdf", "x"), "abc.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "cert\xc2\x85.pdf", "x"), "cert.pdf");
    assert_string_equal(attachment_filename_sanitize(&a,
                                                     "\xe2\x80\xae"
                                                     "fdp.exe",
                                                     "x"),
                        "fdp.exe");
    assert_string_equal(attachment_filename_sanitize(&a, "a\xe2\x80\xa8z.pdf", "x"), "az.pdf");
    /* Invalid UTF-8 (a Latin-1 byte, an overlong slash, a surrogate) becomes '_'. */
    assert_string_equal(attachment_filename_sanitize(&a, "caff\xe8.pdf", "x"), "caff_.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "a\xc0\xaf.pdf", "x"), "a__.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "a\xed\xa0\x80.pdf", "x"), "a___.pdf");
    /* Leading and trailing dots and spaces; nothing left gives the fallback. */
    assert_string_equal(attachment_filename_sanitize(&a, " ..hidden.pdf. ", "x"), "hidden.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "..", "doc.pdf"), "doc.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "dir/", "doc.pdf"), "doc.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, "", "doc.pdf"), "doc.pdf");
    assert_string_equal(attachment_filename_sanitize(&a, NULL, "doc.pdf"), "doc.pdf");

    /* Long names are cut to ATTACHMENT_FILENAME_MAX characters, the extension kept. */
    char longname[600];
    memset(longname, 'a', 300);
    strcpy(longname + 300, ".pdf");
    const char *s = attachment_filename_sanitize(&a, longname, "x");
    assert_int_equal(strlen(s), ATTACHMENT_FILENAME_MAX);
    assert_string_equal(s + ATTACHMENT_FILENAME_MAX - 4, ".pdf");
    /* Counted in characters, not bytes: 250 "è" (2 bytes each) keep 196 of them. */
    longname[0] = '\0';
    for (int i = 0; i < 250; i++)
        strcat(longname, "è");
    strcat(longname, ".pdf");
    s = attachment_filename_sanitize(&a, longname, "x");
    assert_int_equal(strlen(s), 196 * 2 + 4);
    assert_string_equal(s + 196 * 2, ".pdf");
    /* A long "extension" is not kept. */
    memset(longname, 'b', 300);
    longname[10] = '.';
    longname[300] = '\0';
    s = attachment_filename_sanitize(&a, longname, "x");
    assert_int_equal(strlen(s), ATTACHMENT_FILENAME_MAX);
    arena_free(&a);
}

/* ---- storing and reading --------------------------------------------------------------------- */

static enum attachment_err store(struct fixture *f, int64_t tenant, enum attachment_kind kind,
                                 const char *name, const void *data, size_t len, int64_t *id)
{
    assert_int_equal(db_begin(f->db), DB_OK);
    enum attachment_err e =
        attachment_store(f->db, tenant, kind, name, data, len, "ufficio@alfa.it", id);
    if (e == ATTACHMENT_OK)
        assert_int_equal(db_commit(f->db), DB_OK);
    else
        assert_int_equal(db_rollback(f->db), DB_OK);
    return e;
}

static int64_t count_rows(struct fixture *f)
{
    struct arena a;
    arena_init(&a, 256);
    int64_t n = 0;
    struct attachment at;
    for (int64_t id = 1; id < 100; id++)
        n += attachment_info(f->db, &a, f->tenant, id, &at) == 1;
    arena_free(&a);
    return n;
}

static void test_store_refuses_by_content(void **state)
{
    struct fixture *f = *state;
    int64_t before = count_rows(f), uploads = audit_count(f->db, f->tenant, "attachment.upload");
    int64_t id = -7;
    assert_int_equal(
        store(f, f->tenant, ATTACHMENT_MEDICAL_CERTIFICATE, "logo.pdf", logo_png, LOGO_LEN, &id),
        ATTACHMENT_ERR_NOT_PDF);
    const char *text = "Certificato: il bambino è celiaco.\n";
    assert_int_equal(
        store(f, f->tenant, ATTACHMENT_MEDICAL_CERTIFICATE, "x.pdf", text, strlen(text), &id),
        ATTACHMENT_ERR_NOT_PDF);
    assert_int_equal(store(f, f->tenant, ATTACHMENT_REGULATIONS, "x.pdf", plain_pdf, 0, &id),
                     ATTACHMENT_ERR_EMPTY);
    assert_int_equal(store(f, f->tenant, ATTACHMENT_LOGO, "logo.png", NULL, 10, &id),
                     ATTACHMENT_ERR_EMPTY);
    assert_int_equal(store(f, f->tenant, ATTACHMENT_LOGO, "logo.png", plain_pdf, PLAIN_LEN, &id),
                     ATTACHMENT_ERR_NOT_PNG);

    /* Past the limit: a real PDF padded to ATTACHMENT_MAX_BYTES + 1 (the padding goes before
       the end marker, which stays within the last 1024 bytes). */
    size_t big = ATTACHMENT_MAX_BYTES + 1;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, ' ', big);
    memcpy(p, plain_pdf, PLAIN_LEN - 6);
    memcpy(p + big - 6, "%%EOF\n", 6);
    assert_true(pdf_file_is_pdf(p, big));
    assert_int_equal(store(f, f->tenant, ATTACHMENT_REGULATIONS, "big.pdf", p, big, &id),
                     ATTACHMENT_ERR_TOO_LARGE);
    /* Exactly at the limit it is accepted. */
    memcpy(p + big - 7, "%%EOF\n", 6);
    assert_int_equal(store(f, f->tenant, ATTACHMENT_REGULATIONS, "big.pdf", p, big - 1, &id),
                     ATTACHMENT_OK);
    free(p);
    assert_int_equal(count_rows(f), before + 1);
    assert_int_equal(audit_count(f->db, f->tenant, "attachment.upload"), uploads + 1);
    /* Every refusal has a message for the person; success has none. */
    for (int e = ATTACHMENT_ERR_EMPTY; e <= ATTACHMENT_ERR_DB; e++)
        assert_non_null(attachment_err_message((enum attachment_err)e));
    assert_null(attachment_err_message(ATTACHMENT_OK));
    assert_string_equal(attachment_err_message(ATTACHMENT_ERR_NOT_PDF),
                        "The file must be a PDF document.");
    assert_string_equal(attachment_err_message(ATTACHMENT_ERR_TOO_LARGE),
                        "The file is larger than 5 MB.");
}

static void test_store_and_get_round_trip(void **state)
{
    struct fixture *f = *state;
    int64_t uploads = audit_count(f->db, f->tenant, "attachment.upload");
    int64_t id = 0, id2 = 0, id3 = 0;
    assert_int_equal(store(f, f->tenant, ATTACHMENT_MEDICAL_CERTIFICATE,
                           "C:\\Documenti\\Certificato celiachia.pdf", plain_pdf, PLAIN_LEN, &id),
                     ATTACHMENT_OK);
    assert_true(id > 0);
    assert_int_equal(audit_count(f->db, f->tenant, "attachment.upload"), uploads + 1);

    struct arena a;
    arena_init(&a, 4096);
    struct attachment at;
    assert_int_equal(attachment_get(f->db, &a, f->tenant, id, &at), 1);
    assert_int_equal(at.id, id);
    assert_string_equal(at.kind, "medical_certificate");
    assert_string_equal(at.filename, "Certificato celiachia.pdf");
    assert_string_equal(at.content_type, "application/pdf");
    assert_string_equal(at.sha256, PLAIN_PDF_SHA256);
    assert_null(at.pdfa);
    assert_string_equal(at.uploaded_by, "ufficio@alfa.it");
    assert_int_equal(strlen(at.uploaded_at), 20);
    assert_int_equal(at.size, PLAIN_LEN);
    assert_non_null(at.data);
    assert_memory_equal(at.data, plain_pdf, PLAIN_LEN);

    /* Metadata only. */
    assert_int_equal(attachment_info(f->db, &a, f->tenant, id, &at), 1);
    assert_null(at.data);
    assert_string_equal(at.sha256, PLAIN_PDF_SHA256);

    /* Another tenant cannot see it, by either call; an unknown id is not found. */
    assert_int_equal(attachment_get(f->db, &a, f->other, id, &at), 0);
    assert_int_equal(attachment_info(f->db, &a, f->other, id, &at), 0);
    assert_int_equal(attachment_get(f->db, &a, f->tenant, id + 1000, &at), 0);

    /* A PDF/A claim is recorded; a logo is a PNG with no claim. */
    assert_int_equal(store(f, f->tenant, ATTACHMENT_REGULATIONS, "Regolamento 2026.pdf", pdfa_pdf,
                           PDFA_LEN, &id2),
                     ATTACHMENT_OK);
    assert_int_equal(attachment_get(f->db, &a, f->tenant, id2, &at), 1);
    assert_string_equal(at.pdfa, "2B");
    assert_string_equal(at.sha256, PDFA_PDF_SHA256);
    assert_string_equal(at.kind, "regulations");
    assert_int_equal(store(f, f->other, ATTACHMENT_LOGO, "stemma.png", logo_png, LOGO_LEN, &id3),
                     ATTACHMENT_OK);
    assert_int_equal(attachment_get(f->db, &a, f->other, id3, &at), 1);
    assert_string_equal(at.content_type, "image/png");
    assert_string_equal(at.sha256, LOGO_PNG_SHA256);
    assert_null(at.pdfa);
    assert_memory_equal(at.data, logo_png, LOGO_LEN);
    assert_int_equal(attachment_get(f->db, &a, f->tenant, id3, &at), 0);
    assert_int_equal(audit_count(f->db, f->other, "attachment.upload"), 1);

    /* Bytes changed behind the service's back are never served. */
    log_set_quiet(1);
    char sql[160];
    snprintf(sql, sizeof(sql), "UPDATE attachment SET data = x'255044462d' WHERE id = %lld",
             (long long)id);
    assert_int_equal(db_exec_script(f->db, sql), DB_OK);
    assert_int_equal(attachment_get(f->db, &a, f->tenant, id, &at), -1);
    snprintf(sql, sizeof(sql), "UPDATE attachment SET size = 5 WHERE id = %lld", (long long)id);
    assert_int_equal(db_exec_script(f->db, sql), DB_OK);
    assert_int_equal(attachment_get(f->db, &a, f->tenant, id, &at), -1);
    log_set_quiet(0);
    arena_free(&a);
}

static void test_store_rolls_back_with_the_caller(void **state)
{
    struct fixture *f = *state;
    int64_t uploads = audit_count(f->db, f->tenant, "attachment.upload");
    int64_t id = 0;
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(attachment_store(f->db, f->tenant, ATTACHMENT_MEDICAL_CERTIFICATE, "c.pdf",
                                      plain_pdf, PLAIN_LEN, "famiglia", &id),
                     ATTACHMENT_OK);
    /* The caller's use case fails later: the file and its audit row go with it. */
    assert_int_equal(db_rollback(f->db), DB_OK);
    struct arena a;
    arena_init(&a, 1024);
    struct attachment at;
    assert_int_equal(attachment_info(f->db, &a, f->tenant, id, &at), 0);
    assert_int_equal(audit_count(f->db, f->tenant, "attachment.upload"), uploads);
    arena_free(&a);
}

/* ---- health data ----------------------------------------------------------------------------- */

static void test_who_may_read(void **state)
{
    const enum attachment_kind cert = ATTACHMENT_MEDICAL_CERTIFICATE;
    assert_true(attachment_role_may_read(cert, ROLE_ADMIN));
    assert_true(attachment_role_may_read(cert, ROLE_UFFICIO));
    assert_true(attachment_role_may_read(cert, ROLE_GESTORE));
    assert_false(attachment_role_may_read(cert, ROLE_CUCINA));
    assert_false(attachment_role_may_read(cert, ROLE_SUPERADMIN));
    assert_false(attachment_role_may_read(cert, ROLE_FAMILY));
    assert_false(attachment_role_may_read(cert, 0));
    for (enum attachment_kind k = ATTACHMENT_REGULATIONS; k <= ATTACHMENT_LOGO; k++) {
        assert_true(attachment_role_may_read(k, ROLE_CUCINA));
        assert_true(attachment_role_may_read(k, ROLE_FAMILY));
        assert_true(attachment_role_may_read(k, 0));
    }
    enum attachment_kind k;
    assert_true(attachment_kind_parse("medical_certificate", &k));
    assert_int_equal(k, cert);
    assert_true(attachment_kind_parse(attachment_kind_name(ATTACHMENT_LOGO), &k));
    assert_int_equal(k, ATTACHMENT_LOGO);
    assert_false(attachment_kind_parse("certificate", &k));
    assert_false(attachment_kind_parse(NULL, &k));
}

static void test_reads_are_audited(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0;
    assert_int_equal(
        store(f, f->tenant, ATTACHMENT_MEDICAL_CERTIFICATE, "c.pdf", plain_pdf, PLAIN_LEN, &id),
        ATTACHMENT_OK);
    assert_int_equal(audit_count(f->db, f->tenant, "attachment.read"), 0);
    assert_int_equal(
        attachment_record_read(f->db, f->tenant, id, "staff", 3, "ufficio@alfa.it", "192.0.2.7"),
        0);
    assert_int_equal(
        attachment_record_read(f->db, f->tenant, id, "family", 9, "anna@example.it", "192.0.2.8"),
        0);
    log_set_quiet(1);
    assert_int_equal(attachment_record_read(f->db, f->tenant, id, "system", 0, "", ""), -1);
    assert_int_equal(attachment_record_read(f->db, f->tenant, id, NULL, 0, "", ""), -1);
    log_set_quiet(0);
    assert_int_equal(audit_count(f->db, f->tenant, "attachment.read"), 2);
    assert_int_equal(audit_count(f->db, f->other, "attachment.read"), 0);

    /* The rows say who, what and from where: a CHECK constraint counts them for us (the driver
       runs only the statement table's queries). */
    char sql[512];
    snprintf(sql, sizeof(sql),
             "CREATE TEMP TABLE seen (n INTEGER CHECK (n = 2)); "
             "INSERT INTO seen SELECT count(*) FROM audit_log WHERE action = 'attachment.read' "
             "AND entity = 'attachment' AND entity_id = %lld AND tenant_id = %lld AND "
             "((actor_kind = 'staff' AND actor_id = 3 AND actor_label = 'ufficio@alfa.it' AND "
             "client_addr = '192.0.2.7') OR (actor_kind = 'family' AND actor_id = 9 AND "
             "actor_label = 'anna@example.it' AND client_addr = '192.0.2.8')); "
             "DROP TABLE seen",
             (long long)id, (long long)f->tenant);
    assert_int_equal(db_exec_script(f->db, sql), DB_OK);
    /* The upload's row names the kind, the size and the hash, not the file's name. */
    snprintf(sql, sizeof(sql),
             "CREATE TEMP TABLE seen (n INTEGER CHECK (n = 1)); "
             "INSERT INTO seen SELECT count(*) FROM audit_log WHERE action = 'attachment.upload' "
             "AND entity_id = %lld AND detail = 'kind=medical_certificate size=%zu sha256=%s'; "
             "DROP TABLE seen",
             (long long)id, PLAIN_LEN, PLAIN_PDF_SHA256);
    assert_int_equal(db_exec_script(f->db, sql), DB_OK);
    /* The check itself fails when the count is wrong. */
    log_set_quiet(1);
    assert_int_not_equal(db_exec_script(f->db, "CREATE TEMP TABLE seen (n INTEGER CHECK (n = 2)); "
                                               "INSERT INTO seen VALUES (1)"),
                         DB_OK);
    log_set_quiet(0);
    assert_int_equal(db_exec_script(f->db, "DROP TABLE IF EXISTS seen"), DB_OK);
}

/* ---- sending a stored file ------------------------------------------------------------------- */

static const char *header(const struct resp *w, const char *name)
{
    for (size_t i = 0; i < w->nheaders; i++)
        if (!strcmp(w->headers[i].name, name))
            return w->headers[i].value;
    return NULL;
}

static void test_resp_download(void **state)
{
    struct req r;
    memset(&r, 0, sizeof(r));
    arena_init(&r.arena, 4096);
    struct resp w;
    resp_init(&w);
    resp_download(&r, &w, "application/pdf", "C:\\tmp\\Certificato \"Nicolò\" 100%.pdf", plain_pdf,
                  PLAIN_LEN, false);
    assert_int_equal(w.status, 200);
    assert_string_equal(w.content_type, "application/pdf");
    assert_string_equal(header(&w, "Content-Disposition"),
                        "attachment; filename=\"Certificato _Nicolo_ 100_.pdf\"; "
                        "filename*=UTF-8''Certificato%20%22Nicol%C3%B2%22%20100%25.pdf");
    assert_string_equal(header(&w, "Cache-Control"), "private, no-store");
    assert_int_equal(w.body.len, PLAIN_LEN);
    assert_memory_equal(w.body.data, plain_pdf, PLAIN_LEN);
    resp_free(&w);

    /* Inline, a name with nothing usable, and a file larger than any rendered page. */
    size_t big = ATTACHMENT_MAX_BYTES;
    assert_true(big > HTTP_MAX_RESPONSE_BYTES);
    unsigned char *p = calloc(1, big);
    assert_non_null(p);
    p[big - 1] = 0x42;
    resp_init(&w);
    resp_download(&r, &w, "image/png", "\r\n..", p, big, true);
    assert_int_equal(w.status, 200);
    assert_string_equal(header(&w, "Content-Disposition"),
                        "inline; filename=\"download\"; filename*=UTF-8''download");
    assert_int_equal(w.body.len, big);
    assert_int_equal((unsigned char)w.body.data[big - 1], 0x42);
    resp_free(&w);
    free(p);

    /* No room left for its headers: a 500 rather than a file without its disposition. */
    resp_init(&w);
    for (int i = 0; i < RESP_MAX_HEADERS - 1; i++)
        resp_header(&w, "X-Filler", "1");
    log_set_quiet(1);
    resp_download(&r, &w, "application/pdf", "a.pdf", plain_pdf, PLAIN_LEN, false);
    log_set_quiet(0);
    assert_int_equal(w.status, 500);
    assert_null(header(&w, "Content-Disposition"));
    resp_free(&w);
    arena_free(&r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_by_content),
        cmocka_unit_test(test_pdf_eof_must_be_near_the_end),
        cmocka_unit_test(test_pdf_truncated_at_every_length),
        cmocka_unit_test(test_pdfa_claims),
        cmocka_unit_test(test_png_by_content),
        cmocka_unit_test(test_filename_sanitize),
        cmocka_unit_test(test_store_refuses_by_content),
        cmocka_unit_test(test_store_and_get_round_trip),
        cmocka_unit_test(test_store_rolls_back_with_the_caller),
        cmocka_unit_test(test_who_may_read),
        cmocka_unit_test(test_reads_are_audited),
        cmocka_unit_test(test_resp_download),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
