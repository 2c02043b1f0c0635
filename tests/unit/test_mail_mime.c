/* Unit tests for the e-mail wire format (src/integrations/mail/mime.c): quoted-printable,
   RFC 2047 encoded words, the whole multipart message (CRLF only, line lengths, boundary), and
   header injection refused. */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
