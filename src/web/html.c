#include "web/html.h"

#include <string.h>

/* One replacement per byte value; NULL means the byte is copied. Runs of safe bytes are
   appended with one buf_append, so the common case costs one table load per byte. */
struct html_rep {
    const char *s;
    unsigned char len;
};

#define HTML_REP(str)                                                                              \
    {                                                                                              \
        str, sizeof(str) - 1                                                                       \
    }
#define HTML_FFFD HTML_REP("\xEF\xBF\xBD")

static const struct html_rep html_text_table[256] = {
    [0] = HTML_FFFD,          ['&'] = HTML_REP("&amp;"),  ['<'] = HTML_REP("&lt;"),
    ['>'] = HTML_REP("&gt;"), ['"'] = HTML_REP("&quot;"), ['\''] = HTML_REP("&#39;"),
};

static const struct html_rep html_attr_table[256] = {
    [0] = HTML_FFFD,
    ['\t'] = HTML_REP("&#9;"),
    ['\n'] = HTML_REP("&#10;"),
    ['\r'] = HTML_REP("&#13;"),
    ['&'] = HTML_REP("&amp;"),
    ['<'] = HTML_REP("&lt;"),
    ['>'] = HTML_REP("&gt;"),
    ['"'] = HTML_REP("&quot;"),
    ['\''] = HTML_REP("&#39;"),
    /* Old Internet Explorer accepted backticks as attribute quotes. */
    ['`'] = HTML_REP("&#96;"),
};

static enum buf_err html_escape(struct buf *out, const char *s, size_t n,
                                const struct html_rep *table)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const struct html_rep *r = &table[(unsigned char)s[i]];
        if (!r->s)
            continue;
        if (i > run)
            buf_append(out, s + run, i - run);
        buf_append(out, r->s, r->len);
        run = i + 1;
    }
    if (n > run)
        buf_append(out, s + run, n - run);
    return out->err;
}

enum buf_err html_text(struct buf *out, const char *s, size_t n)
{
    return html_escape(out, s, n, html_text_table);
}

enum buf_err html_attr(struct buf *out, const char *s, size_t n)
{
    return html_escape(out, s, n, html_attr_table);
}

/* What browsers strip from both ends of a URL before parsing it. */
static bool html_url_trimmed(unsigned char c)
{
    return c <= 0x20;
}

static bool html_ascii_ieq(const char *s, size_t n, const char *lower)
{
    if (strlen(lower) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lower[i])
            return false;
    }
    return true;
}

static void html_url_trim(const char **s, size_t *n)
{
    while (*n > 0 && html_url_trimmed((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && html_url_trimmed((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool html_url_check(const char *s, size_t n)
{
    static const char *const allowed[] = {"http", "https", "mailto", "tel"};
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    size_t seg = 0; /* length of the part before the first '/', '?' or '#' */
    while (seg < n && s[seg] != '/' && s[seg] != '?' && s[seg] != '#' && s[seg] != '\\')
        seg++;
    const char *colon = memchr(s, ':', seg);
    if (colon) {
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
            if (html_ascii_ieq(s, (size_t)(colon - s), allowed[i]))
                return true;
        return false;
    }
    for (size_t i = 0; i < seg; i++) {
        if (s[i] == '&')
            return false;
        if (s[i] == '%' && i + 2 < seg && s[i + 1] == '3' && (s[i + 2] == 'a' || s[i + 2] == 'A'))
            return false;
    }
    return true;
}

bool html_url_allowed(const char *s, size_t n)
{
    html_url_trim(&s, &n);
    return html_url_check(s, n);
}

enum buf_err html_url(struct buf *out, const char *s, size_t n)
{
    html_url_trim(&s, &n);
    if (!html_url_check(s, n)) {
        buf_append(out, "#", 1);
        return out->err;
    }
    return html_attr(out, s, n);
}

static bool html_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

enum buf_err html_url_component(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (html_unreserved(c))
            continue;
        if (i > run)
            buf_append(out, s + run, i - run);
        char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
        buf_append(out, enc, sizeof(enc));
        run = i + 1;
    }
    if (n > run)
        buf_append(out, s + run, n - run);
    return out->err;
}

bool html_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong below U+0800 */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates U+D800..U+DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong below U+10000 */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return false; /* continuation byte, C0/C1 overlong lead, or F5..FF */
        }
        if (n - i < len)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}
