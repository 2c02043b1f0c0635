/*
 * Unit tests: the multipart/form-data parser (web/multipart.c). Valid bodies as browsers and curl
 * send them, every limit gone past, malformed framing and headers, and every prefix of a valid
 * body parsed from a buffer of exactly that size (so AddressSanitizer sees any over-read).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "web/multipart.h"

#define CT "multipart/form-data; boundary=----WebKitFormBoundaryX3aQ"
#define B  "------WebKitFormBoundaryX3aQ" /* "--" + boundary */

static struct arena test_arena;

static int setup(void **state)
{
    arena_init(&test_arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    arena_free(&test_arena);
    return 0;
}

/* Parse n bytes of body from a malloc'd copy of exactly n bytes. File data points into the copy,
   so the copy is kept in *copy for the caller to free. */
static enum multipart_err parse_n(const char *ct, const void *body, size_t n, struct multipart *m,
                                  void **copy)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, body, n);
    enum multipart_err e = multipart_parse(&test_arena, ct, p, n, m);
    if (copy)
        *copy = p;
    else
        free(p);
    return e;
}

static enum multipart_err parse(const char *ct, const char *body, struct multipart *m)
{
    return parse_n(ct, body, strlen(body), m, NULL);
}

static const char *field(const struct multipart *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (!strcmp(m->fields[i].name, name))
            return m->fields[i].value;
    return NULL;
}

/* A body with one text part named name holding value, closed. */
static enum multipart_err one_text(const char *headers, const char *value)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_printf(&b, B "\r\n%s\r\n\r\n%s\r\n" B "--\r\n", headers, value);
    struct multipart m;
    enum multipart_err e = parse_n(CT, b.data, b.len, &m, NULL);
    buf_free(&b);
    return e;
}

/* A body with one file part whose Content-Disposition parameters are params; *name gets the
   decoded filename. */
static enum multipart_err one_file(const char *params, const char **name)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_printf(&b, B "\r\nContent-Disposition: form-data; name=\"f\"; %s\r\n\r\nX\r\n" B "--",
               params);
    struct multipart m;
    enum multipart_err e = parse_n(CT, b.data, b.len, &m, NULL);
    buf_free(&b);
    *name = e == MULTIPART_OK && m.nfiles == 1 ? m.files[0].filename : NULL;
    return e;
}

/* The enrollment form as Chrome sends it: the CSRF token, text fields (one with UTF-8 and a
   newline), a PDF with CRLFs, NULs and dashes inside, and an unchosen file. */
static const char browser_body[] =
    B "\r\n"
      "Content-Disposition: form-data; name=\"csrf\"\r\n"
      "\r\n"
      "tok-123\r\n" B "\r\n"
      "Content-Disposition: form-data; name=\"diet_notes\"\r\n"
      "\r\n"
      "Niente glutine,\r\nné lattosio\r\n" B "\r\n"
      "Content-Disposition: form-data; name=\"certificate\"; filename=\"cert.pdf\"\r\n"
      "Content-Type: application/pdf\r\n"
      "\r\n"
      "%PDF-1.4\r\n\000\001\377\r\n--\r\n-" B "x\r\nz" B "\r\n%%EOF\r\n" B "\r\n"
      "Content-Disposition: form-data; name=\"other\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n"
      "\r\n"
      "\r\n" B "--\r\n";
/* The file's bytes: note the delimiter-like text that is not a delimiter (one dash more, or not at
   the start of a line). A real delimiter followed by anything else is refused (test_framing). */
static const char browser_file[] = "%PDF-1.4\r\n\000\001\377\r\n--\r\n-" B "x\r\nz" B "\r\n%%EOF";

static void test_browser_body(void **state)
{
    struct multipart m;
    void *copy;
    assert_int_equal(parse_n(CT, browser_body, sizeof(browser_body) - 1, &m, &copy), MULTIPART_OK);
    assert_int_equal(m.nfields, 2);
    assert_string_equal(field(&m, "csrf"), "tok-123");
    assert_string_equal(field(&m, "diet_notes"), "Niente glutine,\r\nné lattosio");
    assert_int_equal(m.nfiles, 2);
    assert_string_equal(m.files[0].field, "certificate");
    assert_string_equal(m.files[0].filename, "cert.pdf");
    assert_string_equal(m.files[0].content_type, "application/pdf");
    assert_int_equal(m.files[0].len, sizeof(browser_file) - 1);
    assert_memory_equal(m.files[0].data, browser_file, sizeof(browser_file) - 1);
    /* Nothing chosen: kept as an empty part, which req_file does not return. */
    assert_string_equal(m.files[1].field, "other");
    assert_string_equal(m.files[1].filename, "");
    assert_int_equal(m.files[1].len, 0);

    struct req r;
    memset(&r, 0, sizeof(r));
    r.files = m.files;
    r.nfiles = m.nfiles;
    assert_ptr_equal(req_file(&r, "certificate"), &m.files[0]);
    assert_null(req_file(&r, "other"));
    assert_null(req_file(&r, "csrf"));
    assert_null(req_file(&r, "missing"));
    r.nfiles = 0;
    r.files = NULL;
    assert_null(req_file(&r, "certificate"));
    free(copy);
}

static void test_curl_body_and_boundaries(void **state)
{
    /* curl: a quoted boundary, no trailing CRLF, lower-case header names, extra spaces. */
    struct multipart m;
    const char *ct = "Multipart/Form-Data ; charset=utf-8; boundary=\"a b'():=?,+_./-\"";
    assert_int_equal(parse(ct,
                           "--a b'():=?,+_./-\r\n"
                           "content-disposition:form-data;name=x ;  filename=logo.png\r\n"
                           "content-type: IMAGE/PNG; x=1\r\n"
                           "x-ignored: yes\r\n"
                           "\r\n"
                           "\x89PNG\r\n"
                           "--a b'():=?,+_./-  \t\r\n"
                           "Content-Disposition: form-data; name=\"y\"\r\n"
                           "Content-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: 8bit\r\n"
                           "\r\n"
                           "1\r\n"
                           "--a b'():=?,+_./---",
                           &m),
                     MULTIPART_OK);
    assert_int_equal(m.nfiles, 1);
    assert_string_equal(m.files[0].filename, "logo.png");
    assert_string_equal(m.files[0].content_type, "image/png");
    assert_int_equal(m.files[0].len, 4);
    assert_string_equal(field(&m, "y"), "1");

    /* No Content-Type on a file part: application/octet-stream. An epilogue is ignored. */
    assert_int_equal(parse(CT,
                           B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n"
                             "\r\nZ\r\n" B "--\r\nepilogue",
                           &m),
                     MULTIPART_OK);
    assert_string_equal(m.files[0].content_type, "application/octet-stream");
    /* No parts at all. */
    assert_int_equal(parse(CT, B "--", &m), MULTIPART_OK);
    assert_int_equal(m.nfields + m.nfiles, 0);

    /* Boundaries: the longest allowed and one past it. */
    char ct70[128], body[256];
    char b70[MULTIPART_MAX_BOUNDARY + 2];
    memset(b70, 'b', sizeof(b70));
    b70[MULTIPART_MAX_BOUNDARY] = '\0';
    snprintf(ct70, sizeof(ct70), "multipart/form-data; boundary=%s", b70);
    snprintf(body, sizeof(body),
             "--%s\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--%s--", b70, b70);
    assert_int_equal(parse(ct70, body, &m), MULTIPART_OK);
    assert_string_equal(field(&m, "a"), "v");
    b70[MULTIPART_MAX_BOUNDARY] = 'b';
    b70[MULTIPART_MAX_BOUNDARY + 1] = '\0';
    snprintf(ct70, sizeof(ct70), "multipart/form-data; boundary=%s", b70);
    assert_int_equal(parse(ct70, body, &m), MULTIPART_ERR_CONTENT_TYPE);

    /* Content types without a usable boundary. */
    const char *bad[] = {
        NULL,
        "",
        "multipart/form-data",
        "multipart/form-data;",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\"abc",
        "multipart/form-data; boundary=\"ends with space \"",
        "multipart/form-data; boundary=a;boundary=b",
        "multipart/form-data; boundary=a\"b",
        "multipart/form-data; boundary=\"a\\\\b\"",
        "multipart/form-data; boundary=\"a\xc3\xa8\"",
        "multipart/form-data; boundary=\"a\tb\"",
        "multipart/form-datax; boundary=a",
        "multipart/mixed; boundary=a",
        "application/x-www-form-urlencoded",
        "multipart/form-data boundary=a",
        "multipart/form-data; boundary",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *b;
        if (multipart_boundary(&test_arena, bad[i], &b) != MULTIPART_ERR_CONTENT_TYPE)
            fail_msg("content type accepted: %s", bad[i] ? bad[i] : "(null)");
        assert_int_equal(parse(bad[i], B "--", &m), MULTIPART_ERR_CONTENT_TYPE);
    }
    const char *b;
    assert_int_equal(multipart_boundary(&test_arena, "multipart/form-data;boundary=x;", &b),
                     MULTIPART_OK);
    assert_string_equal(b, "x");
}

static void test_filenames(void **state)
{
    const char *name;
    /* Any folder is dropped: Windows paths sent unescaped by old browsers, Unix paths. */
    assert_int_equal(one_file("filename=\"C:\\Users\\anna\\Documenti\\cert.pdf\"", &name),
                     MULTIPART_OK);
    assert_string_equal(name, "cert.pdf");
    assert_int_equal(one_file("filename=\"../../etc/passwd\"", &name), MULTIPART_OK);
    assert_string_equal(name, "passwd");
    assert_int_equal(one_file("filename=\"a/..\"", &name), MULTIPART_OK);
    assert_string_equal(name, "");
    /* Quoted-string escapes of '"' and '\\'; browsers' %22, %0D, %0A. */
    assert_int_equal(one_file("filename=\"say \\\"hi\\\".pdf\"", &name), MULTIPART_OK);
    assert_string_equal(name, "say \"hi\".pdf");
    assert_int_equal(one_file("filename=\"dir\\\\file.pdf\"", &name), MULTIPART_OK);
    assert_string_equal(name, "file.pdf");
    assert_int_equal(one_file("filename=\"say %22hi%22%0D%0A.pdf\"", &name), MULTIPART_OK);
    assert_string_equal(name, "say \"hi\"\r\n.pdf");
    /* Raw UTF-8 as browsers send it. */
    assert_int_equal(one_file("filename=\"Nicolò.pdf\"", &name), MULTIPART_OK);
    assert_string_equal(name, "Nicolò.pdf");
    /* RFC 8187 filename*, which wins over filename. */
    assert_int_equal(
        one_file("filename=\"fallback.pdf\"; filename*=UTF-8''Nicol%C3%B2%20%E2%82%AC.pdf", &name),
        MULTIPART_OK);
    assert_string_equal(name, "Nicolò €.pdf");
    assert_int_equal(one_file("filename*=utf-8'it'%2Ftmp%2Fx.pdf", &name), MULTIPART_OK);
    assert_string_equal(name, "x.pdf");
    /* Malformed or undecodable names. */
    assert_int_equal(one_file("filename*=UTF-8''bad%2", &name), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_file("filename*=UTF-8''bad%zz", &name), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_file("filename*=UTF-8'bad", &name), MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_file("filename*=\"UTF-8''a b\"", &name), MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_file("filename*=UTF-8''a%00b", &name), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_file("filename*=UTF-8''caff%E8", &name), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_file("filename*=KOI8-R''x", &name), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_file("filename*=iso-8859-1''caff%E8.pdf", &name),
                     MULTIPART_ERR_ENCODING); /* only UTF-8 */
    assert_int_equal(one_file("filename=\"caff\xe8.pdf\"", &name), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_file("filename=\"unterminated.pdf", &name), MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_file("filename=\"a\"; filename=\"b\"", &name), MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_file("filename=", &name), MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_file("filename=a b", &name), MULTIPART_ERR_DISPOSITION);
}

static void test_malformed_parts(void **state)
{
    const char *cd = "Content-Disposition: form-data; name=\"a\"";
    assert_int_equal(one_text(cd, "ok"), MULTIPART_OK);
    /* Disposition: absent, not form-data, without a name, twice. */
    assert_int_equal(one_text("Content-Type: text/plain", "x"), MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_text("Content-Disposition: attachment; name=\"a\"", "x"),
                     MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_text("Content-Disposition: form-data", "x"), MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"\"", "x"),
                     MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"\r\n"
                              "Content-Disposition: form-data; name=\"b\"",
                              "x"),
                     MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"; name=\"b\"", "x"),
                     MULTIPART_ERR_DISPOSITION);
    assert_int_equal(one_text("Content-Disposition: form-data name=\"a\"", "x"),
                     MULTIPART_ERR_DISPOSITION);
    /* Header lines: folding, a bare LF or CR, no colon, a control character, two types. */
    assert_int_equal(one_text("Content-Disposition: form-data;\r\n name=\"a\"", "x"),
                     MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"\nX-A: 1", "x"),
                     MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"\rX-A: 1", "x"),
                     MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_text("Content-Disposition form-data; name=\"a\"", "x"),
                     MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\x01\"", "x"),
                     MULTIPART_ERR_SYNTAX);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"\r\n"
                              "Content-Type: text/plain\r\nContent-Type: text/plain",
                              "x"),
                     MULTIPART_ERR_SYNTAX);
    /* Text fields: NUL, invalid UTF-8, a charset we do not read, a transfer encoding. */
    struct buf b;
    buf_init(&b, 1024);
    buf_printf(&b, B "\r\n%s\r\n\r\n", cd);
    buf_append(&b, "a\0b", 3);
    buf_puts(&b, "\r\n" B "--");
    struct multipart m;
    assert_int_equal(parse_n(CT, b.data, b.len, &m, NULL), MULTIPART_ERR_ENCODING);
    buf_free(&b);
    assert_int_equal(one_text(cd, "caff\xe8"), MULTIPART_ERR_ENCODING);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"caff\xe8\"", "x"),
                     MULTIPART_ERR_ENCODING);
    assert_int_equal(
        one_text("Content-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; "
                 "charset=iso-8859-1",
                 "x"),
        MULTIPART_ERR_ENCODING);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"\r\n"
                              "Content-Transfer-Encoding: base64",
                              "eA=="),
                     MULTIPART_ERR_ENCODING);
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"\r\n"
                              "Content-Type: text/plain; charset=\"UTF-8\"",
                              "è"),
                     MULTIPART_OK);
    /* A file part with a malformed media type. */
    assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"; filename=\"x\"\r\n"
                              "Content-Type: application",
                              "x"),
                     MULTIPART_ERR_SYNTAX);
    /* No headers at all. */
    assert_int_equal(parse(CT, B "\r\n\r\nvalue\r\n" B "--", &m), MULTIPART_ERR_DISPOSITION);
}

static void test_framing(void **state)
{
    struct multipart m;
    const char *part = "Content-Disposition: form-data; name=\"a\"\r\n\r\nv";
    char body[512];
    /* The final boundary missing, or cut short. */
    snprintf(body, sizeof(body), B "\r\n%s\r\n", part);
    assert_int_equal(parse(CT, body, &m), MULTIPART_ERR_SYNTAX);
    snprintf(body, sizeof(body), B "\r\n%s", part);
    assert_int_equal(parse(CT, body, &m), MULTIPART_ERR_SYNTAX);
    snprintf(body, sizeof(body), B "\r\n%s\r\n" B, part);
    assert_int_equal(parse(CT, body, &m), MULTIPART_ERR_SYNTAX);
    snprintf(body, sizeof(body), B "\r\n%s\r\n" B "-", part);
    assert_int_equal(parse(CT, body, &m), MULTIPART_ERR_SYNTAX);
    /* A preamble, another boundary, a delimiter followed by text, LF-only line ends. */
    snprintf(body, sizeof(body), "preamble\r\n" B "\r\n%s\r\n" B "--", part);
    assert_int_equal(parse(CT, body, &m), MULTIPART_ERR_SYNTAX);
    assert_int_equal(parse("multipart/form-data; boundary=other", B "--", &m),
                     MULTIPART_ERR_SYNTAX);
    snprintf(body, sizeof(body), B "\r\n%s\r\n" B "x\r\n%s\r\n" B "--", part, part);
    assert_int_equal(parse(CT, body, &m), MULTIPART_ERR_SYNTAX);
    assert_int_equal(
        parse(CT, B "\nContent-Disposition: form-data; name=\"a\"\n\nv\n" B "--\n", &m),
        MULTIPART_ERR_SYNTAX);
    assert_int_equal(parse(CT, "", &m), MULTIPART_ERR_SYNTAX);
    assert_int_equal(multipart_parse(&test_arena, CT, NULL, 0, &m), MULTIPART_ERR_SYNTAX);
    /* Headers never ended. */
    assert_int_equal(parse(CT, B "\r\nContent-Disposition: form-data; name=\"a\"\r\n", &m),
                     MULTIPART_ERR_SYNTAX);
    /* On an error nothing is returned. */
    assert_null(m.fields);
    assert_int_equal(m.nfields + m.nfiles, 0);
}

static void test_limits(void **state)
{
    struct multipart m;
    struct buf b;
    /* MULTIPART_MAX_PARTS parts are read, one more is refused. */
    for (int extra = 0; extra <= 1; extra++) {
        buf_init(&b, 1 << 20);
        for (int i = 0; i < MULTIPART_MAX_PARTS + extra; i++)
            buf_printf(&b, B "\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%d\r\n", i,
                       i);
        buf_puts(&b, B "--");
        assert_int_equal(parse_n(CT, b.data, b.len, &m, NULL),
                         extra ? MULTIPART_ERR_TOO_MANY : MULTIPART_OK);
        if (!extra)
            assert_int_equal(m.nfields, MULTIPART_MAX_PARTS);
        buf_free(&b);
    }
    /* MULTIPART_MAX_FILES files, and one more. */
    for (int extra = 0; extra <= 1; extra++) {
        buf_init(&b, 1 << 20);
        for (int i = 0; i < MULTIPART_MAX_FILES + extra; i++)
            buf_printf(&b,
                       B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"%d.pdf\"\r\n"
                         "\r\n%d\r\n",
                       i, i);
        buf_puts(&b, B "--");
        assert_int_equal(parse_n(CT, b.data, b.len, &m, NULL),
                         extra ? MULTIPART_ERR_TOO_MANY : MULTIPART_OK);
        buf_free(&b);
    }
    /* A part's header block at MULTIPART_MAX_HEADER_BYTES, and one byte past it. */
    const char *cd = "Content-Disposition: form-data; name=\"a\"\r\nX-Pad: ";
    for (int extra = 0; extra <= 1; extra++) {
        size_t pad = MULTIPART_MAX_HEADER_BYTES - strlen(cd) + (size_t)extra;
        char *p = malloc(pad + 1);
        assert_non_null(p);
        memset(p, 'p', pad);
        p[pad] = '\0';
        buf_init(&b, 1 << 20);
        buf_printf(&b, B "\r\n%s%s\r\n\r\nv\r\n" B "--", cd, p);
        assert_int_equal(parse_n(CT, b.data, b.len, &m, NULL),
                         extra ? MULTIPART_ERR_HEADER_SIZE : MULTIPART_OK);
        /* A header block that never ends, longer than the limit: refused as too long. */
        buf_reset(&b);
        buf_printf(&b, B "\r\n%s%s%s", cd, p, p);
        if (extra)
            assert_int_equal(parse_n(CT, b.data, b.len, &m, NULL), MULTIPART_ERR_HEADER_SIZE);
        buf_free(&b);
        free(p);
    }
    /* MULTIPART_MAX_HEADER_LINES lines, and one more. */
    for (int extra = 0; extra <= 1; extra++) {
        buf_init(&b, 1 << 20);
        buf_puts(&b, B "\r\nContent-Disposition: form-data; name=\"a\"\r\n");
        for (int i = 1; i < MULTIPART_MAX_HEADER_LINES + extra; i++)
            buf_puts(&b, "X-Other: 1\r\n");
        buf_puts(&b, "\r\nv\r\n" B "--");
        assert_int_equal(parse_n(CT, b.data, b.len, &m, NULL),
                         extra ? MULTIPART_ERR_HEADER_SIZE : MULTIPART_OK);
        buf_free(&b);
    }
    /* A text field at HTTP_MAX_FIELD_BYTES, and one byte past it; files have no such limit. */
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = HTTP_MAX_FIELD_BYTES + (size_t)extra;
        char *v = malloc(n + 1);
        assert_non_null(v);
        memset(v, 'v', n);
        v[n] = '\0';
        assert_int_equal(one_text("Content-Disposition: form-data; name=\"a\"", v),
                         extra ? MULTIPART_ERR_TOO_LONG : MULTIPART_OK);
        assert_int_equal(
            one_text("Content-Disposition: form-data; name=\"a\"; filename=\"a.txt\"", v),
            MULTIPART_OK);
        free(v);
    }
    /* Too many parameters in one header. */
    assert_int_equal(one_text("Content-Disposition: form-data; name=a; b=1; c=2; d=3; e=4; "
                              "f=5; g=6; h=7; i=8",
                              "v"),
                     MULTIPART_ERR_DISPOSITION);
}

static void test_every_truncation(void **state)
{
    /* Every prefix of the browser's body, from a buffer of exactly that size: an error until
       the close delimiter is complete, never a crash or a read past the end. */
    size_t full = sizeof(browser_body) - 1;
    size_t closed = full - 2; /* without the final CRLF, which is epilogue */
    for (size_t n = 0; n <= full; n++) {
        struct multipart m;
        enum multipart_err e = parse_n(CT, browser_body, n, &m, NULL);
        if (n < closed && e == MULTIPART_OK)
            fail_msg("prefix of %zu bytes accepted", n);
        if (n >= closed && e != MULTIPART_OK)
            fail_msg("whole body of %zu bytes refused: %s", n, multipart_err_reason(e));
    }
    /* And every single-byte corruption of it: any result, no crash. */
    char *p = malloc(full);
    assert_non_null(p);
    for (size_t i = 0; i < full; i++) {
        static const char bytes[] = {'\r', '\n', '-', '"', ';', '\\', '\0', 'x'};
        for (size_t k = 0; k < sizeof(bytes); k++) {
            memcpy(p, browser_body, full);
            p[i] = bytes[k];
            struct multipart m;
            multipart_parse(&test_arena, CT, p, full, &m);
        }
    }
    free(p);
    for (int e = MULTIPART_OK; e <= MULTIPART_ERR_ENCODING; e++)
        assert_string_not_equal(multipart_err_reason((enum multipart_err)e), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browser_body),     cmocka_unit_test(test_curl_body_and_boundaries),
        cmocka_unit_test(test_filenames),        cmocka_unit_test(test_malformed_parts),
        cmocka_unit_test(test_framing),          cmocka_unit_test(test_limits),
        cmocka_unit_test(test_every_truncation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
