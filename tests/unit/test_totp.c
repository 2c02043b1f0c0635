/*
 * Unit tests: SHA-1 (RFC 3174 section 7.3 vectors), HMAC-SHA1 (RFC 2202), HOTP (RFC 4226
 * Appendix D), TOTP (RFC 6238 Appendix B, SHA-1 rows), the +-1 step window and replay refusal,
 * base32 (RFC 4648 section 10), the otpauth URI, and the QR code SVG (well-formed, one dark
 * module in the drawing for each dark module of the symbol).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/sha1.h"
#include "domain/totp.h"
#include "util/buf.h"
#include "web/qr_svg.h"

#define RFC_KEY "12345678901234567890"

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void assert_sha1(const void *data, size_t len, size_t repeat, const char *want)
{
    struct sha1_ctx c;
    unsigned char d[SHA1_DIGEST_BYTES];
    char h[2 * SHA1_DIGEST_BYTES + 1];
    sha1_init(&c);
    for (size_t i = 0; i < repeat; i++)
        sha1_update(&c, data, len);
    sha1_final(&c, d);
    hex(d, sizeof(d), h);
    assert_string_equal(h, want);
}

static void test_sha1_rfc3174(void **state)
{
    assert_sha1("abc", 3, 1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *t2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_sha1(t2, strlen(t2), 1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    assert_sha1("a", 1, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    const char *t4 = "0123456701234567012345670123456701234567012345670123456701234567";
    assert_sha1(t4, strlen(t4), 10, "dea356a2cddd90c7a7ecedc5ebb563934f460452");
    assert_sha1("", 0, 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    /* 55, 56 and 64 bytes: the padding edges. */
    char m[64];
    memset(m, 'a', sizeof(m));
    assert_sha1(m, 55, 1, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    assert_sha1(m, 56, 1, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    assert_sha1(m, 64, 1, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

static void assert_hmac(const void *key, size_t kl, const char *msg, const char *want)
{
    unsigned char d[SHA1_DIGEST_BYTES];
    char h[2 * SHA1_DIGEST_BYTES + 1];
    totp_hmac_sha1(key, kl, msg, strlen(msg), d);
    hex(d, sizeof(d), h);
    assert_string_equal(h, want);
}

static void test_hmac_sha1_rfc2202(void **state)
{
    unsigned char k1[20], k3[80];
    memset(k1, 0x0b, sizeof(k1));
    memset(k3, 0xaa, sizeof(k3));
    assert_hmac(k1, sizeof(k1), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00");
    assert_hmac("Jefe", 4, "what do ya want for nothing?",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    assert_hmac(k3, sizeof(k3), "Test Using Larger Than Block-Size Key - Hash Key First",
                "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    /* RFC 4226 Appendix D: the HMAC of count 0. */
    unsigned char zero[8] = {0}, d[SHA1_DIGEST_BYTES];
    char h[2 * SHA1_DIGEST_BYTES + 1];
    totp_hmac_sha1(RFC_KEY, 20, zero, sizeof(zero), d);
    hex(d, sizeof(d), h);
    assert_string_equal(h, "cc93cf18508d94934c64b65d8ba7667fb7cde4b0");
}

static void test_hotp_rfc4226(void **state)
{
    static const uint32_t want[10] = {755224, 287082, 359152, 969429, 338314,
                                      254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(totp_hotp(RFC_KEY, 20, c, 6), want[c]);
    char s[9];
    totp_format(7081804, 8, s);
    assert_string_equal(s, "07081804");
    totp_format(42, 6, s);
    assert_string_equal(s, "000042");
}

static void test_totp_rfc6238(void **state)
{
    static const struct {
        int64_t t;
        const char *code;
    } v[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char s[9];
        totp_format(totp_at(RFC_KEY, 20, (time_t)v[i].t, 8), 8, s);
        assert_string_equal(s, v[i].code);
    }
    assert_int_equal(totp_step(59), 1);
    assert_int_equal(totp_step(1111111109), 37037036);
}

static void test_totp_verify_window_and_replay(void **state)
{
    char secret[TOTP_SECRET_B32 + 1];
    assert_int_equal(base32_encode(RFC_KEY, 20, false, secret, sizeof(secret)), 32);
    assert_string_equal(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    time_t now = 1111111111; /* step 37037037 */
    char prev[7], cur[7], next[7], far[7];
    totp_format(totp_at(RFC_KEY, 20, now - 30, 6), 6, prev);
    totp_format(totp_at(RFC_KEY, 20, now, 6), 6, cur);
    totp_format(totp_at(RFC_KEY, 20, now + 30, 6), 6, next);
    totp_format(totp_at(RFC_KEY, 20, now + 90, 6), 6, far);
    int64_t step = 0;
    assert_true(totp_verify(secret, cur, now, 0, &step));
    assert_int_equal(step, 37037037);
    assert_true(totp_verify(secret, prev, now, 0, &step));
    assert_int_equal(step, 37037036);
    assert_true(totp_verify(secret, next, now, 0, &step));
    assert_int_equal(step, 37037038);
    if (strcmp(far, cur) && strcmp(far, prev) && strcmp(far, next))
        assert_false(totp_verify(secret, far, now, 0, &step));
    /* Replay: a step at or below the last accepted one is refused. */
    assert_false(totp_verify(secret, cur, now, 37037037, &step));
    assert_false(totp_verify(secret, prev, now, 37037037, &step));
    assert_true(totp_verify(secret, next, now, 37037037, &step));
    /* Malformed codes. */
    assert_false(totp_verify(secret, "12345", now, 0, &step));
    assert_false(totp_verify(secret, "1234567", now, 0, &step));
    assert_false(totp_verify(secret, "12a456", now, 0, &step));
    assert_false(totp_verify(secret, "", now, 0, &step));
    assert_false(totp_verify("not base32!", cur, now, 0, &step));
}

static void assert_b32(const char *in, const char *padded)
{
    char out[64];
    unsigned char back[64];
    base32_encode(in, strlen(in), true, out, sizeof(out));
    assert_string_equal(out, padded);
    long n = base32_decode(padded, back, sizeof(back));
    assert_int_equal(n, (long)strlen(in));
    assert_memory_equal(back, in, strlen(in));
}

static void test_base32_rfc4648(void **state)
{
    assert_b32("", "");
    assert_b32("f", "MY======");
    assert_b32("fo", "MZXQ====");
    assert_b32("foo", "MZXW6===");
    assert_b32("foob", "MZXW6YQ=");
    assert_b32("fooba", "MZXW6YTB");
    assert_b32("foobar", "MZXW6YTBOI======");
    unsigned char out[16];
    assert_int_equal(base32_decode("mzxw 6ytb", out, sizeof(out)), 5); /* case, spaces */
    assert_memory_equal(out, "fooba", 5);
    assert_int_equal(base32_decode("MZXW6YT1", out, sizeof(out)), -1); /* '1' not base32 */
    assert_int_equal(base32_decode("M", out, sizeof(out)), -1);        /* 5 bits left over */
    assert_int_equal(base32_decode("MZ=X", out, sizeof(out)), -1);     /* data after padding */
    assert_int_equal(base32_decode("MZXW6YTB", out, 4), -1);           /* out too small */
    char big[BASE32_ENCODED_MAX + 2];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(base32_decode(big, out, sizeof(out)), -1);
    char small[4];
    assert_int_equal(base32_encode("foobar", 6, false, small, sizeof(small)), 3);
    assert_string_equal(small, "MZX");
}

static void test_otpauth_uri(void **state)
{
    char uri[TOTP_URI_MAX];
    int n = totp_uri("Comune di Esempio", "ufficio@comune.esempio.it",
                     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", uri, sizeof(uri));
    assert_true(n > 0);
    assert_string_equal(uri, "otpauth://totp/Comune%20di%20Esempio:ufficio%40comune.esempio.it"
                             "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                             "&issuer=Comune%20di%20Esempio&algorithm=SHA1&digits=6&period=30");
    assert_int_equal(n, (int)strlen(uri));
    /* A colon or ampersand in a name cannot break the label or the query. */
    assert_true(totp_uri("A:B&C", "x", "AA", uri, sizeof(uri)) > 0);
    assert_non_null(strstr(uri, "totp/A%3AB%26C:x?"));
    assert_int_equal(totp_uri("", "x", "AA", uri, sizeof(uri)), -1);
    assert_int_equal(totp_uri("Comune", "x", "AA", uri, 20), -1);
    assert_string_equal(uri, "");
}

/* A minimal XML check: balanced tags, every attribute value quoted, one root. */
static void assert_xml_balanced(const char *s)
{
    const char *stack[32];
    size_t stack_len[32];
    int depth = 0, roots = 0;
    const char *p = s;
    if (!strncmp(p, "<?xml", 5)) {
        p = strstr(p, "?>");
        assert_non_null(p);
        p += 2;
    }
    for (; *p; p++) {
        if (*p != '<')
            continue;
        assert_int_not_equal(p[1], '!');
        bool close = p[1] == '/';
        const char *name = p + 1 + close;
        size_t nl = strcspn(name, " />\n");
        const char *end = strchr(p, '>');
        assert_non_null(end);
        for (const char *q = name + nl; q < end; q++)
            if (*q == '=')
                assert_int_equal(q[1], '"');
        bool self = end[-1] == '/';
        if (close) {
            assert_true(depth > 0);
            depth--;
            assert_int_equal(stack_len[depth], nl);
            assert_memory_equal(stack[depth], name, nl);
        } else if (!self) {
            if (depth == 0)
                roots++;
            assert_true(depth < 32);
            stack[depth] = name;
            stack_len[depth++] = nl;
        }
        p = end;
    }
    assert_int_equal(depth, 0);
    assert_int_equal(roots, 1);
}

static void test_qr_svg(void **state)
{
    const char *text = "otpauth://totp/Comune%20di%20Esempio:ufficio%40comune.esempio.it"
                       "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Comune%20di%20Esempio";
    struct buf b;
    buf_init(&b, 256 * 1024);
    int width = qr_svg_render(text, "Codice <QR> & \"segreto\"", &b);
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    assert_int_equal(width, qr->width);
    const char *svg = buf_str(&b);
    assert_xml_balanced(svg);
    assert_non_null(strstr(svg, "role=\"img\""));
    assert_non_null(strstr(svg, "<title id=\"qr-title\">Codice &lt;QR&gt; &amp; &quot;segreto"));
    char vb[64];
    int side = qr->width + 2 * QR_SVG_QUIET_ZONE;
    snprintf(vb, sizeof(vb), "viewBox=\"0 0 %d %d\"", side, side);
    assert_non_null(strstr(svg, vb));

    /* Redraw the path into a grid and compare it with the symbol, module by module. */
    unsigned char *grid = calloc((size_t)side * (size_t)side, 1);
    const char *d = strstr(svg, " d=\"");
    assert_non_null(d);
    d += 4;
    int x, y, run, run2, used, dark = 0;
    while (*d != '"') {
        assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &run2, &used), 4);
        assert_int_equal(run, run2);
        assert_true(x >= QR_SVG_QUIET_ZONE && y >= QR_SVG_QUIET_ZONE);
        assert_true(x + run <= side - QR_SVG_QUIET_ZONE && y < side - QR_SVG_QUIET_ZONE);
        for (int i = 0; i < run; i++)
            grid[y * side + x + i]++;
        dark += run;
        d += used;
    }
    int want = 0;
    for (int yy = 0; yy < qr->width; yy++)
        for (int xx = 0; xx < qr->width; xx++) {
            int on = qr->data[yy * qr->width + xx] & 1;
            want += on;
            assert_int_equal(grid[(yy + QR_SVG_QUIET_ZONE) * side + xx + QR_SVG_QUIET_ZONE], on);
        }
    assert_int_equal(dark, want);
    free(grid);
    QRcode_free(qr);

    /* Limits: empty and over-long text, and an output buffer too small. */
    buf_reset(&b);
    assert_int_equal(qr_svg_render("", "t", &b), -1);
    char *big = malloc(QR_SVG_TEXT_MAX + 2);
    memset(big, 'a', QR_SVG_TEXT_MAX + 1);
    big[QR_SVG_TEXT_MAX + 1] = '\0';
    assert_int_equal(qr_svg_render(big, "t", &b), -1);
    free(big);
    buf_free(&b);
    struct buf tiny;
    buf_init(&tiny, 100);
    assert_int_equal(qr_svg_render(text, "t", &tiny), -1);
    buf_free(&tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_rfc3174),
        cmocka_unit_test(test_hmac_sha1_rfc2202),
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_totp_verify_window_and_replay),
        cmocka_unit_test(test_base32_rfc4648),
        cmocka_unit_test(test_otpauth_uri),
        cmocka_unit_test(test_qr_svg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
