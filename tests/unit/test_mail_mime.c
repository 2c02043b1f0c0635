/* Unit tests for the e-mail wire format (src/integrations/mail/mime.c): quoted-printable,
   RFC 2047 encoded words, the whole multipart message (CRLF only, line lengths, boundary),
   header injection refused, and attachments (multipart/mixed around the same
   multipart/alternative, base64 that decodes to the same bytes, RFC 2231 file names, the size
   bounds callers rely on), with the message without attachments unchanged byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "integrations/mail/mime.h"

/* Every line ends with CRLF (no bare CR or LF) and is at most max characters. */
static void assert_lines(const char *s, size_t n, size_t max)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            assert_true(i + 1 < n && s[i + 1] == '\n');
            i++;
            col = 0;
            continue;
        }
        assert_true(s[i] != '\n');
        col++;
        if (col > max)
            fail_msg("line longer than %zu near: %.60s", max, s + i - col + 1);
    }
}

static void qp_roundtrip(const char *in, const char *want_decoded)
{
    struct buf enc, dec;
    buf_init(&enc, 1 << 20);
    buf_init(&dec, 1 << 20);
    mime_qp_encode(&enc, in, strlen(in));
    assert_lines(buf_str(&enc), enc.len, MIME_QP_LINE_MAX);
    mime_qp_decode(&dec, buf_str(&enc), enc.len);
    assert_string_equal(buf_str(&dec), want_decoded);
    buf_free(&enc);
    buf_free(&dec);
}

static void test_qp_encoding(void **state)
{
    struct buf b;
    buf_init(&b, 4096);
    mime_qp_encode(&b, "Città = 3 \nend\t\n.dot", 21);
    assert_string_equal(buf_str(&b), "Citt=C3=A0 =3D 3=20\r\nend=09\r\n=2Edot");
    buf_free(&b);
    qp_roundtrip("Città = 3 \nend\t\n.dot", "Città = 3 \nend\t\n.dot");
    qp_roundtrip("a\r\nb\r\n", "a\nb\n"); /* CRLF and LF input give the same lines */
    /* Long lines are broken with soft breaks and come back whole. */
    char line[1001];
    for (int i = 0; i < 1000; i++)
        line[i] = i % 7 == 0 ? '=' : (i % 11 == 0 ? ' ' : 'x');
    line[1000] = '\0';
    qp_roundtrip(line, line);
    /* Multi-byte characters at the break never exceed the limit either. */
    char accents[3 * 200 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(accents, "è");
    qp_roundtrip(accents, accents);
}

static void test_header_encoded_words(void **state)
{
    struct buf b, d;
    buf_init(&b, 8192);
    buf_init(&d, 8192);
    assert_int_equal(mime_header_text(&b, "Subject", "Plain subject"), 0);
    assert_string_equal(buf_str(&b), "Subject: Plain subject\r\n");
    buf_reset(&b);
    assert_int_equal(mime_header_text(&b, "Subject", "Città"), 0);
    assert_string_equal(buf_str(&b), "Subject: =?UTF-8?B?Q2l0dMOg?=\r\n");
    /* Long non-ASCII text is folded into several words, each line within the limit, and the
       decoder gives back the original (no UTF-8 sequence is split). */
    const char *long_subj = "Il tuo codice di verifica per il Comune di Sant'Agata "
                            "de' Goti — è valido quindici minuti, àèìòù ÀÈÌÒÙ";
    buf_reset(&b);
    assert_int_equal(mime_header_text(&b, "Subject", long_subj), 0);
    assert_lines(buf_str(&b), b.len, MIME_LINE_MAX);
    assert_non_null(strstr(buf_str(&b), "\r\n =?UTF-8?B?"));
    /* Unfold and decode. */
    char *v = strdup(buf_str(&b) + strlen("Subject: "));
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    mime_header_decode(&d, v);
    size_t n = d.len;
    while (n && d.data[n - 1] == ' ')
        d.data[--n] = '\0';
    assert_string_equal(d.data, long_subj);
    free(v);
    /* Q encoding is read too. */
    buf_reset(&d);
    mime_header_decode(&d, "=?utf-8?Q?Citt=C3=A0_di_prova?= ok");
    assert_string_equal(buf_str(&d), "Città di prova ok");
    buf_free(&b);
    buf_free(&d);
}

static struct mime_msg sample(void)
{
    struct mime_msg m = {.from_name = "Comune di Città \"Prova\"",
                         .from_addr = "noreply@comune.prova.it",
                         .to = "anna.rossi@example.it",
                         .subject = "Il tuo codice di verifica",
                         .lang = "it",
                         .message_id = "42.abcdef@comune.prova.it",
                         .tenant = "prova",
                         .text = "Ciao,\nil codice è 123456.\n.\nA presto\n",
                         .html = "<!DOCTYPE html>\n<html lang=\"it\"><body><p>Il codice è "
                                 "<strong>123456</strong></p></body></html>\n",
                         .date = 1767225600}; /* 2026-01-01T00:00:00Z */
    return m;
}

static void test_build_message(void **state)
{
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    struct mime_msg m = sample();
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    const char *s = buf_str(&b);
    assert_lines(s, b.len, MIME_LINE_MAX);
    assert_non_null(strstr(s, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"));
    assert_non_null(strstr(s, "To: anna.rossi@example.it\r\n"));
    assert_non_null(strstr(s, "Subject: Il tuo codice di verifica\r\n"));
    assert_non_null(strstr(s, "Message-ID: <42.abcdef@comune.prova.it>\r\n"));
    assert_non_null(strstr(s, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(s, "Content-Language: it\r\n"));
    assert_non_null(strstr(s, "X-Refettorio-Tenant: prova\r\n"));
    /* A non-ASCII display name is an encoded word, the address stays outside it. */
    assert_non_null(strstr(s, "From: =?UTF-8?B?"));
    assert_non_null(strstr(s, "<noreply@comune.prova.it>\r\n"));
    assert_non_null(strstr(s, "Content-Type: multipart/alternative;\r\n boundary=\"=_rf_"));
    const char *bp = strstr(s, "boundary=\"") + 10;
    char boundary[64];
    size_t bl = strcspn(bp, "\"");
    assert_true(bl < sizeof(boundary));
    memcpy(boundary, bp, bl);
    boundary[bl] = '\0';
    /* Both parts in order, each quoted-printable UTF-8, and the closing delimiter last. */
    char open[80], close[80];
    snprintf(open, sizeof(open), "\r\n--%s\r\n", boundary);
    snprintf(close, sizeof(close), "\r\n--%s--\r\n", boundary);
    const char *p1 = strstr(s, open);
    assert_non_null(p1);
    assert_non_null(strstr(p1, "Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                               "Ciao,\r\nil codice =C3=A8 123456.\r\n=2E\r\nA presto\r\n"));
    const char *p2 = strstr(p1 + 1, open);
    assert_non_null(p2);
    assert_non_null(strstr(p2, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_non_null(strstr(p2, "<strong>123456</strong>"));
    const char *end = strstr(s, close);
    assert_non_null(end);
    assert_int_equal((size_t)(end - s) + strlen(close), b.len);
    /* The boundary occurs only as delimiters: 3 times (two parts and the close) plus the
       header parameter. */
    int count = 0;
    for (const char *q = strstr(s, boundary); q; q = strstr(q + 1, boundary))
        count++;
    assert_int_equal(count, 4);
    buf_free(&b);
}

static void test_plain_from_name_quoted(void **state)
{
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    struct mime_msg m = sample();
    m.from_name = "Comune di \"Prova\"";
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_non_null(strstr(buf_str(&b), "From: \"Comune di \\\"Prova\\\"\" "
                                        "<noreply@comune.prova.it>\r\n"));
    buf_free(&b);
}

static void test_header_injection_refused(void **state)
{
    static const char *const bad[] = {
        "Hello\r\nBcc: victim@example.com",
        "Hello\nBcc: victim@example.com",
        "Hello\rX",
        "Tab\tinside",
        "Bell\a",
    };
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mime_msg m = sample();
        m.subject = bad[i];
        buf_reset(&b);
        assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
        m = sample();
        m.from_name = bad[i];
        buf_reset(&b);
        assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
        buf_reset(&b);
        assert_int_equal(mime_header_text(&b, "Subject", bad[i]), -1);
    }
    static const char *const bad_addr[] = {
        "a@b.it\r\nBcc: c@d.it", "a@b.it>, <c@d.it", "a b@c.it", "no-at-sign", "", "a@b.it\n",
    };
    for (size_t i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
        struct mime_msg m = sample();
        m.to = bad_addr[i];
        buf_reset(&b);
        assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
        m = sample();
        m.from_addr = bad_addr[i];
        buf_reset(&b);
        assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
    }
    /* Text that looks like an encoded word is encoded, so it reads back as typed. */
    buf_reset(&b);
    assert_int_equal(mime_header_text(&b, "Subject", "=?UTF-8?B?SGk=?="), 0);
    assert_null(strstr(buf_str(&b), "Subject: =?UTF-8?B?SGk=?=\r\n"));
    buf_free(&b);
}

static void test_limits_and_utf8(void **state)
{
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    struct mime_msg m = sample();
    char *big = malloc(MIME_BODY_MAX + 2);
    memset(big, 'a', MIME_BODY_MAX + 1);
    big[MIME_BODY_MAX + 1] = '\0';
    m.text = big;
    assert_int_equal(mime_build(&b, &m), MIME_ERR_TOOBIG);
    free(big);
    m = sample();
    m.html = "bad \xff byte";
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_UTF8);
    m = sample();
    m.subject = "bad \xc3 sequence";
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
    char *long_subject = malloc(MIME_HEADER_MAX + 2);
    memset(long_subject, 's', MIME_HEADER_MAX + 1);
    long_subject[MIME_HEADER_MAX + 1] = '\0';
    m = sample();
    m.subject = long_subject;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
    free(long_subject);
    m = sample();
    m.to = NULL;
    assert_int_equal(mime_build(&b, &m), MIME_ERR_FIELD);
    buf_free(&b);
}

/* ---- attachments ------------------------------------------------------------------------- */

/* sample() exactly as mime_build wrote it before attachments existed. */
static const char sample_wire[] =
    "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
    "From: =?UTF-8?B?Q29tdW5lIGRpIENpdHTDoCAiUHJvdmEi?=\r\n"
    " <noreply@comune.prova.it>\r\n"
    "To: anna.rossi@example.it\r\n"
    "Subject: Il tuo codice di verifica\r\n"
    "Message-ID: <42.abcdef@comune.prova.it>\r\n"
    "Content-Language: it\r\n"
    "X-Refettorio-Tenant: prova\r\n"
    "Auto-Submitted: auto-generated\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative;\r\n"
    " boundary=\"=_rf_9c44dc74\"\r\n"
    "\r\n"
    "This is a message in MIME format.\r\n"
    "\r\n"
    "--=_rf_9c44dc74\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Ciao,\r\n"
    "il codice =C3=A8 123456.\r\n"
    "=2E\r\n"
    "A presto\r\n"
    "\r\n"
    "--=_rf_9c44dc74\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<!DOCTYPE html>\r\n"
    "<html lang=3D\"it\"><body><p>Il codice =C3=A8 <strong>123456</strong></p></bo=\r\n"
    "dy></html>\r\n"
    "\r\n"
    "--=_rf_9c44dc74--\r\n";

#define ALT     "=_rf_9c44dc74" /* sample()'s boundaries: from its Message-ID */
#define MIXED   "=_rm_9c44dc74"
#define PDF_LEN 1000

/* A "PDF" with every byte value, NUL, CR and LF in awkward places, and the message's own
   delimiters inside it, which base64 must hide. */
static unsigned char pdf[PDF_LEN];

static void make_pdf(void)
{
    for (size_t i = 0; i < PDF_LEN; i++)
        pdf[i] = (unsigned char)(i * 7 + (i >> 8));
    memcpy(pdf, "%PDF-1.7\n", 9);
    memcpy(pdf + 100, "\0\r\n\n\r\0\r", 7);
    memcpy(pdf + 300, "\r\n--" MIXED "--\r\n--" ALT "\r\n", 38);
    pdf[PDF_LEN - 1] = '\0';
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *q = strstr(s, needle); q; q = strstr(q + 1, needle))
        n++;
    return n;
}

/* The base64 body between p and the next "\r\n--" MIXED: lines of 76 but the last, decoded
   into out. Returns the decoded length. */
static size_t decode_part_body(const char *p, unsigned char *out, size_t cap)
{
    const char *end = strstr(p, "\r\n--" MIXED);
    assert_non_null(end);
    for (const char *l = p; l < end;) {
        const char *eol = strstr(l, "\r\n");
        size_t len = (size_t)((eol && eol < end ? eol : end) - l);
        if (eol && eol < end)
            assert_int_equal(len, MIME_QP_LINE_MAX);
        else
            assert_true(len > 0 && len <= MIME_QP_LINE_MAX);
        l += len + 2;
    }
    size_t n = 0;
    assert_int_equal(sodium_base642bin(out, cap, p, (size_t)(end - p), "\r\n", &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    return n;
}

static void test_without_attachments_unchanged(void **state)
{
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    struct mime_msg m = sample();
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_int_equal(b.len, sizeof(sample_wire) - 1);
    assert_memory_equal(b.data, sample_wire, b.len);
    /* A list with no entries is no attachment either. */
    static const struct mime_attachment none[1] = {{0}};
    m.attachments = none;
    m.nattachments = 0;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_memory_equal(b.data, sample_wire, sizeof(sample_wire) - 1);
    buf_free(&b);
}

static void test_attachments_structure_and_roundtrip(void **state)
{
    make_pdf();
    static const char csv[] = "classe;alunni\n1A;24\n";
    const char *csv_name = "Riepilogo città – 2026.csv";
    struct mime_attachment files[] = {
        {"credenziali.pdf", "application/pdf", pdf, PDF_LEN},
        {csv_name, "text/csv", (const unsigned char *)csv, sizeof(csv) - 1},
    };
    struct mime_msg m = sample();
    m.attachments = files;
    m.nattachments = 2;
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    const char *s = buf_str(&b);
    assert_int_equal(strlen(s), b.len); /* no NUL reaches the wire */
    assert_lines(s, b.len, MIME_LINE_MAX);
    /* multipart/mixed > (multipart/alternative > text/plain + text/html), PDF, CSV. */
    const char *top = strstr(s, "MIME-Version: 1.0\r\n"
                                "Content-Type: multipart/mixed;\r\n boundary=\"" MIXED "\"\r\n"
                                "\r\nThis is a message in MIME format.\r\n\r\n");
    assert_non_null(top);
    const char *alt = strstr(s, "\r\n--" MIXED "\r\n"
                                "Content-Type: multipart/alternative;\r\n boundary=\"" ALT
                                "\"\r\n\r\n--" ALT "\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n");
    assert_non_null(alt);
    const char *html = strstr(alt, "\r\n--" ALT "\r\nContent-Type: text/html; charset=utf-8\r\n");
    assert_non_null(html);
    const char *alt_end = strstr(html, "\r\n--" ALT "--\r\n--" MIXED "\r\n");
    assert_non_null(alt_end);
    const char *pdf_head = "--" MIXED "\r\nContent-Type: application/pdf;\r\n"
                           " name=\"credenziali.pdf\"\r\n"
                           "Content-Disposition: attachment;\r\n"
                           " filename=\"credenziali.pdf\"\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n";
    const char *p1 = strstr(alt_end, pdf_head);
    assert_non_null(p1);
    const char *csv_head = "\r\n--" MIXED "\r\nContent-Type: text/csv;\r\n"
                           " name=\"Riepilogo citta _ 2026.csv\"\r\n"
                           "Content-Disposition: attachment;\r\n"
                           " filename=\"Riepilogo citta _ 2026.csv\";\r\n"
                           " filename*=UTF-8''Riepilogo%20citt%C3%A0%20%E2%80%93%202026.csv\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n";
    const char *p2 = strstr(p1, csv_head);
    assert_non_null(p2);
    assert_true(p2 > p1);
    const char *close = "\r\n--" MIXED "--\r\n";
    assert_int_equal(strlen(s) - strlen(close), (size_t)(strstr(s, close) - s));
    /* The files decode to the same bytes. */
    unsigned char got[PDF_LEN + 16];
    assert_int_equal(decode_part_body(p1 + strlen(pdf_head), got, sizeof(got)), PDF_LEN);
    assert_memory_equal(got, pdf, PDF_LEN);
    assert_int_equal(decode_part_body(p2 + strlen(csv_head), got, sizeof(got)), sizeof(csv) - 1);
    assert_memory_equal(got, csv, sizeof(csv) - 1);
    /* Each boundary only where it belongs, although the PDF holds both: mixed in its header,
       3 delimiters and the close; alternative in its header, 2 delimiters and the close. */
    assert_int_equal(count(s, MIXED), 5);
    assert_int_equal(count(s, ALT), 4);
    assert_int_equal(count(s, "\r\n--" MIXED), 4);
    buf_free(&b);
}

/* The RFC 2231 value of filename* (one line, or segments filename*0*, filename*1* ...), with
   its charset dropped and %XX decoded. */
static void filename_ext(const char *s, struct buf *out)
{
    const char *one = strstr(s, " filename*=");
    struct buf raw;
    buf_init(&raw, 4096);
    if (one) {
        one += strlen(" filename*=");
        buf_append(&raw, one, strcspn(one, ";\r"));
    } else {
        for (int k = 0;; k++) {
            char name[32];
            snprintf(name, sizeof(name), " filename*%d*=", k);
            const char *seg = strstr(s, name);
            if (!seg)
                break;
            seg += strlen(name);
            buf_append(&raw, seg, strcspn(seg, ";\r"));
        }
    }
    const char *v = buf_str(&raw);
    assert_int_equal(strncmp(v, "UTF-8''", 7), 0);
    for (v += 7; *v; v++) {
        if (*v == '%') {
            unsigned x = 0;
            assert_int_equal(sscanf(v + 1, "%2x", &x), 1);
            buf_putc(out, (char)x);
            v += 2;
        } else {
            assert_true(strchr("%\"'; \\*", *v) == NULL);
            buf_putc(out, *v);
        }
    }
    buf_free(&raw);
}

static void test_attachment_names(void **state)
{
    /* The longest name allowed, all non-ASCII: filename* in segments within the line limit,
       none splitting a character, which read back as the name; an ASCII filename= cut to
       MIME_FALLBACK_MAX keeping the extension. */
    char name[MIME_FILENAME_MAX + 8] = "";
    while (strlen(name) + 2 + 4 <= MIME_FILENAME_MAX)
        strcat(name, "è");
    strcat(name, ".pdf");
    assert_int_equal(strlen(name), MIME_FILENAME_MAX);
    static const unsigned char data[] = "%PDF-1.4\n";
    struct mime_attachment f = {name, "application/pdf", data, sizeof(data) - 1};
    struct mime_msg m = sample();
    m.attachments = &f;
    m.nattachments = 1;
    struct buf b, got;
    buf_init(&b, MIME_MESSAGE_MAX);
    buf_init(&got, 4096);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_lines(buf_str(&b), b.len, MIME_LINE_MAX);
    assert_non_null(strstr(buf_str(&b), ";\r\n filename*0*=UTF-8''%C3%A8"));
    assert_non_null(strstr(buf_str(&b), ";\r\n filename*1*=%C3%A8"));
    assert_null(strstr(buf_str(&b), " filename*="));
    filename_ext(buf_str(&b), &got);
    assert_string_equal(buf_str(&got), name);
    char ascii[MIME_FALLBACK_MAX + 1];
    mime_filename_ascii(ascii, name);
    assert_int_equal(strlen(ascii), MIME_FALLBACK_MAX);
    assert_string_equal(ascii + MIME_FALLBACK_MAX - 5, "e.pdf");
    char want[MIME_LINE_MAX];
    snprintf(want, sizeof(want), " filename=\"%s\";\r\n", ascii);
    assert_non_null(strstr(buf_str(&b), want));
    /* A plain short name is sent as it is, with no filename*. */
    f.filename = "lettera-credenziali_2026 (1).pdf";
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_non_null(strstr(buf_str(&b), " filename=\"lettera-credenziali_2026 (1).pdf\"\r\n"));
    assert_null(strstr(buf_str(&b), "filename*"));
    /* Characters a quoted-string or a reader's decoding would misread go to filename* only. */
    f.filename = "a\"b\\c%d*e?f=g.pdf";
    buf_reset(&b);
    buf_reset(&got);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_non_null(strstr(buf_str(&b), " filename=\"a_b_c_d_e_f_g.pdf\";\r\n"));
    filename_ext(buf_str(&b), &got);
    assert_string_equal(buf_str(&got), "a\"b\\c%d*e?f=g.pdf");
    mime_filename_ascii(ascii, "");
    assert_string_equal(ascii, "attachment");
    buf_free(&b);
    buf_free(&got);
}

static void test_attachments_refused(void **state)
{
    static const unsigned char data[] = "%PDF-1.4\n";
    struct mime_attachment f = {"ok.pdf", "application/pdf", data, sizeof(data) - 1};
    struct mime_msg m = sample();
    m.attachments = &f;
    m.nattachments = 1;
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    static const char *const bad_names[] = {"a\r\nContent-Type: text/html.pdf", "tab\t.pdf",
                                            "nul\x7f.pdf", ""};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        f.filename = bad_names[i];
        buf_reset(&b);
        assert_int_not_equal(mime_build(&b, &m), MIME_OK);
    }
    f.filename = "bad \xc3 sequence.pdf";
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_UTF8);
    char long_name[MIME_FILENAME_MAX + 2];
    memset(long_name, 'a', MIME_FILENAME_MAX + 1);
    long_name[MIME_FILENAME_MAX + 1] = '\0';
    f.filename = long_name;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
    f.filename = "ok.pdf";
    static const char *const bad_types[] = {
        "application/pdf; name=x", "pdf", "text/", "/pdf", "a/b/c", "text/html\r\nX: y"};
    for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
        f.content_type = bad_types[i];
        buf_reset(&b);
        assert_int_equal(mime_build(&b, &m), MIME_ERR_HEADER);
    }
    f.content_type = "application/pdf";
    f.data = NULL;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_FIELD);
    f.data = data;
    m.attachments = NULL;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_FIELD);
    struct mime_attachment many[MIME_ATTACHMENTS_MAX + 1];
    for (size_t i = 0; i <= MIME_ATTACHMENTS_MAX; i++)
        many[i] = f;
    m.attachments = many;
    m.nattachments = MIME_ATTACHMENTS_MAX + 1;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_TOOBIG);
    m.nattachments = MIME_ATTACHMENTS_MAX;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    /* Past MIME_MESSAGE_MAX once encoded, though the file alone is smaller. */
    size_t big_len = MIME_MESSAGE_MAX / 4 * 3;
    unsigned char *big = calloc(1, big_len);
    struct mime_attachment large = {"big.pdf", "application/pdf", big, big_len};
    m.attachments = &large;
    m.nattachments = 1;
    buf_free(&b);
    buf_init(&b, 2 * MIME_MESSAGE_MAX);
    assert_int_equal(mime_build(&b, &m), MIME_ERR_TOOBIG);
    free(big);
    buf_free(&b);
}

/* mail_attach keeps a message within MIME_MESSAGE_MAX with these bounds: they must hold for
   the worst text (every byte encoded) and the longest names. */
static void test_size_bounds(void **state)
{
    size_t tn = 20000;
    char *text = malloc(tn + 1), *html = malloc(tn + 1);
    for (size_t i = 0; i < tn; i += 2)
        memcpy(text + i, "è", 2);
    text[tn] = '\0';
    memset(html, '=', tn);
    html[tn] = '\0';
    char subject[MIME_HEADER_MAX + 1] = "", name[MIME_FILENAME_MAX + 1] = "";
    while (strlen(subject) + 2 <= MIME_HEADER_MAX)
        strcat(subject, "à");
    while (strlen(name) + 3 <= MIME_FILENAME_MAX)
        strcat(name, "€");
    unsigned char *data = calloc(1, 100000);
    struct mime_attachment files[3];
    size_t bound = mime_size_max(tn, tn);
    for (size_t i = 0; i < 3; i++) {
        files[i] = (struct mime_attachment){name, "application/pdf", data, 1 + i * 33333};
        bound += mime_attachment_size_max(files[i].len);
    }
    struct mime_msg m = sample();
    m.subject = subject;
    m.from_name = subject;
    m.text = text;
    m.html = html;
    m.attachments = files;
    m.nattachments = 3;
    struct buf b;
    buf_init(&b, MIME_MESSAGE_MAX);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_true(b.len <= bound);
    assert_true(b.len > bound / 2); /* and not uselessly loose */
    m.nattachments = 0;
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &m), MIME_OK);
    assert_true(b.len <= mime_size_max(tn, tn));
    buf_free(&b);
    free(data);
    free(text);
    free(html);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qp_encoding),
        cmocka_unit_test(test_header_encoded_words),
        cmocka_unit_test(test_build_message),
        cmocka_unit_test(test_plain_from_name_quoted),
        cmocka_unit_test(test_header_injection_refused),
        cmocka_unit_test(test_limits_and_utf8),
        cmocka_unit_test(test_without_attachments_unchanged),
        cmocka_unit_test(test_attachments_structure_and_roundtrip),
        cmocka_unit_test(test_attachment_names),
        cmocka_unit_test(test_attachments_refused),
        cmocka_unit_test(test_size_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
