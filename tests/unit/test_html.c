/* Unit tests for src/web/html.c: one group per escaping context, the URL attacks, and the
   strict UTF-8 check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "web/html.h"

typedef enum buf_err (*escaper)(struct buf *, const char *, size_t);

/* Runs one escaper on s (with its exact length, so NULs count) and compares the output. */
static void check(escaper fn, const char *s, size_t n, const char *want)
{
    struct buf b;
    buf_init(&b, 4096);
    assert_int_equal(fn(&b, s, n), BUF_OK);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

#define CHECK(fn, lit, want) check(fn, lit, sizeof(lit) - 1, want)

static void test_text_specials(void **state)
{
    CHECK(html_text, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
    CHECK(html_text, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK(html_text, "plain text, no change", "plain text, no change");
    CHECK(html_text, "a\tb\nc`", "a\tb\nc`");
    CHECK(html_text, "caff\xc3\xa8 \xe2\x82\xac", "caff\xc3\xa8 \xe2\x82\xac");
}

static void test_text_empty_and_nul(void **state)
{
    CHECK(html_text, "", "");
    check(html_text, NULL, 0, "");
    CHECK(html_text, "a\0b",
          "a\xef\xbf\xbd"
          "b");
}

static void test_text_invalid_utf8_passthrough(void **state)
{
    /* Bytes >= 0x80 are copied: they can never form an ASCII byte the parser reacts to. */
    CHECK(html_text, "\xff<\xc0\xaf", "\xff&lt;\xc0\xaf");
}

static void test_attr_specials(void **state)
{
    CHECK(html_attr, "&<>\"'`", "&amp;&lt;&gt;&quot;&#39;&#96;");
    CHECK(html_attr, "\" onmouseover=\"alert(1)", "&quot; onmouseover=&quot;alert(1)");
    CHECK(html_attr, "' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x");
    CHECK(html_attr, "a\nb\tc\rd", "a&#10;b&#9;c&#13;d");
    CHECK(html_attr, "", "");
    CHECK(html_attr, "x\0y", "x\xef\xbf\xbdy");
    CHECK(html_attr, "\xe2\x82\xac\xfe", "\xe2\x82\xac\xfe");
}

static void test_url_allowed(void **state)
{
    CHECK(html_url, "https://example.org/a?b=1&c=\"2\"",
          "https://example.org/a?b=1&amp;c=&quot;2&quot;");
    CHECK(html_url, "http://x", "http://x");
    CHECK(html_url, "HTTPS://X.example", "HTTPS://X.example");
    CHECK(html_url, "mailto:ufficio@comune.example", "mailto:ufficio@comune.example");
    CHECK(html_url, "TeL:+39061234", "TeL:+39061234");
    CHECK(html_url, "/comune/iscrizioni?anno=2024", "/comune/iscrizioni?anno=2024");
    CHECK(html_url, "menu.pdf", "menu.pdf");
    CHECK(html_url, "?page=2", "?page=2");
    CHECK(html_url, "#main", "#main");
    CHECK(html_url, "a/b:c", "a/b:c");   /* colon after the first '/' is path */
    CHECK(html_url, "?x=a:b", "?x=a:b"); /* colon in the query */
    CHECK(html_url, "", "");
    /* Documented: protocol-relative URLs are relative (they can only be http or https). */
    CHECK(html_url, "//evil.example/x", "//evil.example/x");
    /* Leading and trailing blanks are trimmed, as browsers do. */
    CHECK(html_url, "  https://x/ \n", "https://x/");
}

static void test_url_refused(void **state)
{
    CHECK(html_url, "javascript:alert(1)", "#");
    CHECK(html_url, "JaVaScRiPt:alert(1)", "#");
    CHECK(html_url, "java\tscript:alert(1)", "#");
    CHECK(html_url, "java\nscript:alert(1)", "#");
    CHECK(html_url, " javascript:alert(1)", "#");
    CHECK(html_url, "\x01javascript:alert(1)", "#");
    CHECK(html_url, "\x7fjavascript:alert(1)", "#");
    CHECK(html_url, "javascript&#58;alert(1)", "#");
    CHECK(html_url, "javascript&colon;alert(1)", "#");
    CHECK(html_url, "javascript%3Aalert(1)", "#");
    CHECK(html_url, "javascript%3aalert(1)", "#");
    CHECK(html_url, "vbscript:msgbox(1)", "#");
    CHECK(html_url, "data:text/html,<script>alert(1)</script>", "#");
    CHECK(html_url, "file:///etc/passwd", "#");
    CHECK(html_url, "https\0:x", "#");
    CHECK(html_url, "javascript\0:alert(1)", "#");
    assert_false(html_url_allowed("JAVASCRIPT:x", 12));
    assert_true(html_url_allowed("/ok", 3));
}

static void test_url_component(void **state)
{
    CHECK(html_url_component, "AZaz09-._~", "AZaz09-._~");
    CHECK(html_url_component, "a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g");
    CHECK(html_url_component, "\"'<>`", "%22%27%3C%3E%60");
    CHECK(html_url_component, "javascript:alert(1)", "javascript%3Aalert%281%29");
    CHECK(html_url_component, "caff\xc3\xa8", "caff%C3%A8");
    CHECK(html_url_component, "\xff\x00", "%FF%00");
    CHECK(html_url_component, "%", "%25");
    CHECK(html_url_component, "", "");
}

static void test_buffer_limit(void **state)
{
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(html_text(&b, "<<<", 3), BUF_TOOBIG);
    /* Sticky: later appends report the first failure. */
    assert_int_equal(html_text(&b, "a", 1), BUF_TOOBIG);
    buf_free(&b);
}

#define VALID(lit)   assert_true(html_utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(html_utf8_valid(lit, sizeof(lit) - 1))

static void test_utf8(void **state)
{
    VALID("");
    VALID("ascii \x7f");
    VALID("\xc2\x80");         /* U+0080 */
    VALID("\xdf\xbf");         /* U+07FF */
    VALID("\xe0\xa0\x80");     /* U+0800 */
    VALID("\xed\x9f\xbf");     /* U+D7FF */
    VALID("\xee\x80\x80");     /* U+E000 */
    VALID("\xef\xbf\xbf");     /* U+FFFF */
    VALID("\xf0\x90\x80\x80"); /* U+10000 */
    VALID("\xf4\x8f\xbf\xbf"); /* U+10FFFF */
    VALID("Citt\xc3\xa0 \xe2\x82\xac \xf0\x9f\x8d\x9d");
    INVALID("\x80");             /* lone continuation */
    INVALID("\xc0\xaf");         /* overlong '/' */
    INVALID("\xc1\xbf");         /* overlong */
    INVALID("\xe0\x80\xaf");     /* overlong 3-byte */
    INVALID("\xe0\x9f\xbf");     /* overlong 3-byte, top */
    INVALID("\xf0\x80\x80\xaf"); /* overlong 4-byte */
    INVALID("\xf0\x8f\xbf\xbf"); /* overlong 4-byte, top */
    INVALID("\xed\xa0\x80");     /* U+D800 */
    INVALID("\xed\xbf\xbf");     /* U+DFFF */
    INVALID("\xf4\x90\x80\x80"); /* U+110000 */
    INVALID("\xf5\x80\x80\x80");
    INVALID("\xff");
    INVALID("\xc3");         /* truncated */
    INVALID("\xe2\x82");     /* truncated */
    INVALID("\xe2\x28\xa1"); /* bad continuation */
    INVALID("\xf0\x90\x80\x28");
    /* The length is honoured: the sequence is cut by n. */
    assert_false(html_utf8_valid("\xc3\xa8", 1));
    assert_true(html_utf8_valid("a\0b", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_specials),
        cmocka_unit_test(test_text_empty_and_nul),
        cmocka_unit_test(test_text_invalid_utf8_passthrough),
        cmocka_unit_test(test_attr_specials),
        cmocka_unit_test(test_url_allowed),
        cmocka_unit_test(test_url_refused),
        cmocka_unit_test(test_url_component),
        cmocka_unit_test(test_buffer_limit),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
