/* RFC 5322 / 2045 / 2047 message building; see mime.h. */
#include "integrations/mail/mime.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "domain/normalize.h"
#include "web/html.h"

/* An encoded word is "=?UTF-8?B?" + base64 + "?=": at most MIME_WORD_BYTES bytes of text per
   word keeps "Subject: " plus one word within MIME_LINE_MAX. */
#define MIME_WORD_BYTES 39

static bool mime_ascii_plain(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* Header values may hold any UTF-8 text but no control character: a CR or LF would start a
   new header (injection), the others have no business in a subject or a name. */
static bool mime_header_value_ok(const char *s)
{
    size_t n = strlen(s);
    if (n > MIME_HEADER_MAX || !html_utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

/* Length of the UTF-8 sequence starting with byte c (input already validated). */
static size_t mime_utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xf0)
        return 4;
    if (c >= 0xe0)
        return 3;
    return 2;
}

static void mime_encoded_word(struct buf *out, const char *s, size_t n)
{
    char b64[sodium_base64_ENCODED_LEN(MIME_WORD_BYTES + 4, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, n,
                      sodium_base64_VARIANT_ORIGINAL);
    buf_printf(out, "=?UTF-8?B?%s?=", b64);
}

int mime_header_text(struct buf *out, const char *name, const char *value)
{
    if (!mime_header_value_ok(value))
        return -1;
    size_t n = strlen(value);
    size_t prefix = strlen(name) + 2;
    if (mime_ascii_plain(value) && prefix + n <= MIME_LINE_MAX &&
        !strstr(value, "=?")) { /* text that looks like an encoded word is encoded too */
        buf_printf(out, "%s: %s\r\n", name, value);
        return 0;
    }
    buf_printf(out, "%s:", name);
    /* Words never split a UTF-8 sequence (RFC 2047 section 5); folded lines start with a
       space, which decoders drop between adjacent encoded words. */
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n) {
            size_t l = mime_utf8_len((unsigned char)value[end]);
            if (end + l - i > MIME_WORD_BYTES)
                break;
            end += l;
        }
        buf_puts(out, i == 0 ? " " : "\r\n ");
        mime_encoded_word(out, value + i, end - i);
        i = end;
    }
    buf_puts(out, "\r\n");
    return 0;
}

/* The display name as a quoted string when it is plain ASCII, else as encoded words. */
static int mime_header_from(struct buf *out, const char *name, const char *addr)
{
    if (!name || !*name) {
        buf_printf(out, "From: %s\r\n", addr);
        return 0;
    }
    if (!mime_header_value_ok(name))
        return -1;
    size_t n = strlen(name);
    if (mime_ascii_plain(name) && n + strlen(addr) + 12 <= MIME_LINE_MAX && !strstr(name, "=?")) {
        buf_puts(out, "From: \"");
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_printf(out, "\" <%s>\r\n", addr);
        return 0;
    }
    buf_puts(out, "From:");
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n) {
            size_t l = mime_utf8_len((unsigned char)name[end]);
            if (end + l - i > MIME_WORD_BYTES)
                break;
            end += l;
        }
        buf_puts(out, i == 0 ? " " : "\r\n ");
        mime_encoded_word(out, name + i, end - i);
        i = end;
    }
    buf_printf(out, "\r\n <%s>\r\n", addr);
    return 0;
}

/* An address goes into a header bare: printable ASCII without spaces, brackets or commas. */
static bool mime_addr_ok(const char *a)
{
    if (!a || !*a || strlen(a) > 254 || !strchr(a, '@'))
        return false;
    for (; *a; a++) {
        unsigned char c = (unsigned char)*a;
        if (c <= 0x20 || c >= 0x7f || strchr("<>,;\"()[]\\", c))
            return false;
    }
    return true;
}

void mime_qp_encode(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue; /* the LF that follows ends the line */
        if (c == '\n') {
            buf_puts(out, "\r\n");
            col = 0;
            continue;
        }
        bool at_eol =
            i + 1 == n || s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n');
        /* Encoded: '=', non-ASCII, controls except tab, whitespace that ends a line (mail
           software strips it) and a dot that starts one (some relays mishandle it). */
        bool enc = c == '=' || c > 0x7e || (c < 0x20 && c != '\t') ||
                   ((c == ' ' || c == '\t') && at_eol) || (c == '.' && col == 0);
        size_t w = enc ? 3 : 1;
        /* Keep room for the soft break "=" unless this is the last character of the line. */
        if (col + w > (at_eol ? MIME_QP_LINE_MAX : MIME_QP_LINE_MAX - 1)) {
            buf_puts(out, "=\r\n");
            col = 0;
            if (c == '.')
                enc = true, w = 3;
        }
        if (enc) {
            char e[3] = {'=', hex[c >> 4], hex[c & 15]};
            buf_append(out, e, 3);
        } else {
            buf_putc(out, (char)c);
        }
        col += w;
    }
}

static int mime_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void mime_qp_decode(struct buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        if (s[i] != '=') {
            buf_putc(out, s[i]);
            continue;
        }
        if (i + 1 < n && s[i + 1] == '\n') {
            i += 1; /* soft break */
        } else if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (i + 2 < n && mime_hex(s[i + 1]) >= 0 && mime_hex(s[i + 2]) >= 0) {
            buf_putc(out, (char)(mime_hex(s[i + 1]) * 16 + mime_hex(s[i + 2])));
            i += 2;
        } else {
            buf_putc(out, '=');
        }
    }
}

/* One encoded word's text at s[0..n) ("charset?E?payload"); false when it is not one. */
static bool mime_word_decode(struct buf *out, const char *s, size_t n)
{
    const char *q1 = memchr(s, '?', n);
    if (!q1 || (size_t)(q1 - s) + 3 > n || q1[2] != '?')
        return false;
    char enc = q1[1];
    const char *p = q1 + 3;
    size_t pn = n - (size_t)(p - s);
    if (enc == 'B' || enc == 'b') {
        unsigned char bin[MIME_HEADER_MAX];
        size_t len = 0;
        if (sodium_base642bin(bin, sizeof(bin), p, pn, NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            return false;
        buf_append(out, bin, len);
        return true;
    }
    if (enc == 'Q' || enc == 'q') {
        for (size_t i = 0; i < pn; i++) {
            if (p[i] == '_') {
                buf_putc(out, ' ');
            } else if (p[i] == '=' && i + 2 < pn && mime_hex(p[i + 1]) >= 0 &&
                       mime_hex(p[i + 2]) >= 0) {
                buf_putc(out, (char)(mime_hex(p[i + 1]) * 16 + mime_hex(p[i + 2])));
                i += 2;
            } else {
                buf_putc(out, p[i]);
            }
        }
        return true;
    }
    return false;
}

void mime_header_decode(struct buf *out, const char *v)
{
    bool last_word = false;
    while (*v) {
        const char *start = strstr(v, "=?");
        const char *end = start ? strstr(start + 2, "?=") : NULL;
        /* "?=" may occur inside "=?UTF-8?Q?" itself; skip past charset and encoding. */
        if (start && end) {
            const char *q1 = strchr(start + 2, '?');
            const char *q2 = q1 ? strchr(q1 + 1, '?') : NULL;
            end = q2 ? strstr(q2 + 1, "?=") : NULL;
        }
        if (!start || !end) {
            buf_puts(out, v);
            return;
        }
        /* Whitespace between two encoded words is dropped (RFC 2047 section 6.2). */
        bool gap_blank = true;
        for (const char *p = v; p < start; p++)
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                gap_blank = false;
        if (!(last_word && gap_blank))
            buf_append(out, v, (size_t)(start - v));
        size_t mark = out->len;
        if (!mime_word_decode(out, start + 2, (size_t)(end - start - 2))) {
            out->len = mark;
            buf_append(out, start, (size_t)(end + 2 - start));
        }
        last_word = true;
        v = end + 2;
    }
}

static enum mime_err mime_part(struct buf *out, const char *boundary, const char *type,
                               const char *body)
{
    size_t n = strlen(body);
    if (n > MIME_BODY_MAX)
        return MIME_ERR_TOOBIG;
    if (!html_utf8_valid(body, n))
        return MIME_ERR_UTF8;
    buf_printf(out,
               "--%s\r\nContent-Type: %s; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
               boundary, type);
    mime_qp_encode(out, body, n);
    buf_puts(out, "\r\n");
    return MIME_OK;
}

/* The plain-text and HTML parts and the closing delimiter of the multipart/alternative. */
static enum mime_err mime_alternative(struct buf *out, const char *boundary,
                                      const struct mime_msg *m)
{
    enum mime_err e = mime_part(out, boundary, "text/plain", m->text);
    if (e == MIME_OK)
        e = mime_part(out, boundary, "text/html", m->html);
    if (e == MIME_OK)
        buf_printf(out, "--%s--\r\n", boundary);
    return e;
}

/* ---- attachments ------------------------------------------------------------------------- */

/* Bytes of the RFC 2231 value on one filename*N*= line: with " filename*NN*=" and ";" the line
   stays within MIME_LINE_MAX, also for the first one with its "UTF-8''". */
#define MIME_PCT_CHUNK 54
/* Upper bound of the message headers up to the first delimiter (From and Subject at
   MIME_HEADER_MAX as encoded words, addresses at 254) and of one part's headers. */
#define MIME_HEAD_WIRE_MAX        8192
#define MIME_PART_HEAD_WIRE_MAX   256
#define MIME_ATTACH_HEAD_WIRE_MAX 2048

/* Base64 in lines of MIME_QP_LINE_MAX characters joined by CRLF (none after the last). */
static void mime_base64_lines(struct buf *out, const unsigned char *data, size_t n)
{
    /* 57 bytes are 76 characters of base64. */
    enum { IN = MIME_QP_LINE_MAX / 4 * 3 };
    char line[sodium_base64_ENCODED_LEN(IN, sodium_base64_VARIANT_ORIGINAL)];
    for (size_t i = 0; i < n && out->err == BUF_OK; i += IN) {
        size_t k = n - i < IN ? n - i : IN;
        sodium_bin2base64(line, sizeof(line), data + i, k, sodium_base64_VARIANT_ORIGINAL);
        if (i > 0)
            buf_puts(out, "\r\n");
        buf_puts(out, line);
    }
}

/* RFC 2231 attribute-char: what a filename* value holds without percent-encoding. */
static bool mime_attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$&+-.^_`|~", c));
}

/* RFC 2231 percent-encoding for filename*: attr-chars as they are, other bytes as %XX. */
static void mime_pct_encode(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (mime_attr_char(c)) {
            buf_putc(out, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, e, 3);
        }
    }
}

void mime_filename_ascii(char out[MIME_FALLBACK_MAX + 1], const char *name)
{
    /* Accents dropped, other characters as '?' and controls as spaces (normalize_fold_ascii),
       then what a quoted-string or a reader's own decoding would misread replaced. */
    char tmp[MIME_FILENAME_MAX + 1];
    size_t n = normalize_fold_ascii(name ? name : "", tmp, sizeof(tmp));
    for (size_t i = 0; i < n; i++)
        if (strchr("\\\"%*?=/", tmp[i]))
            tmp[i] = '_';
    /* A short extension is kept whole when the name is cut: "letter.pdf" stays a PDF. */
    const char *dot = strrchr(tmp, '.');
    size_t el = dot && dot > tmp && n - (size_t)(dot - tmp) <= 16 ? n - (size_t)(dot - tmp) : 0;
    size_t keep = n <= MIME_FALLBACK_MAX ? n : MIME_FALLBACK_MAX - el;
    memcpy(out, tmp, keep);
    if (n > MIME_FALLBACK_MAX) {
        memcpy(out + keep, tmp + n - el, el);
        keep += el;
    }
    out[keep] = '\0';
    if (keep == 0)
        snprintf(out, MIME_FALLBACK_MAX + 1, "attachment");
}

/* A media type we can put on a header line: "type/subtype" of RFC 6838 restricted-name
   characters, no parameters. */
static bool mime_type_ok(const char *t)
{
    size_t n = strlen(t), slash = strcspn(t, "/");
    if (n > MIME_TYPE_MAX || slash == 0 || slash >= n - 1 || strchr(t + slash + 1, '/'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (i != slash && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || (c && strchr("!#$&-^_.+", c))))
            return false;
    }
    return true;
}

static enum mime_err mime_attachments_ok(const struct mime_msg *m)
{
    if (m->nattachments == 0)
        return MIME_OK;
    if (!m->attachments)
        return MIME_ERR_FIELD;
    if (m->nattachments > MIME_ATTACHMENTS_MAX)
        return MIME_ERR_TOOBIG;
    for (size_t i = 0; i < m->nattachments; i++) {
        const struct mime_attachment *f = &m->attachments[i];
        if (!f->filename || !*f->filename || !f->content_type || (!f->data && f->len))
            return MIME_ERR_FIELD;
        size_t n = strlen(f->filename);
        if (!html_utf8_valid(f->filename, n))
            return MIME_ERR_UTF8;
        if (n > MIME_FILENAME_MAX || !mime_header_value_ok(f->filename) ||
            !mime_type_ok(f->content_type))
            return MIME_ERR_HEADER;
        if (f->len > MIME_MESSAGE_MAX)
            return MIME_ERR_TOOBIG;
    }
    return MIME_OK;
}

/* filename*= (RFC 2231) for a name that its ASCII form does not carry: on one line when it
   fits, else as filename*0*, filename*1* ... segments that never split a UTF-8 sequence (some
   readers decode each segment on its own). */
static void mime_filename_ext(struct buf *out, const char *name)
{
    size_t n = strlen(name);
    struct buf v;
    buf_init(&v, 3 * MIME_FILENAME_MAX + 1);
    mime_pct_encode(&v, name, n);
    if (strlen(" filename*=UTF-8''") + v.len <= MIME_LINE_MAX) {
        buf_printf(out, ";\r\n filename*=UTF-8''%s", buf_str(&v));
        buf_free(&v);
        return;
    }
    buf_reset(&v);
    unsigned seg = 0;
    for (size_t i = 0; i < n;) {
        size_t l = mime_utf8_len((unsigned char)name[i]);
        size_t mark = v.len;
        mime_pct_encode(&v, name + i, l);
        if (v.len > MIME_PCT_CHUNK && mark > 0) {
            buf_printf(out, ";\r\n filename*%u*=%s%.*s", seg, seg == 0 ? "UTF-8''" : "", (int)mark,
                       buf_str(&v));
            seg++;
            memmove(v.data, v.data + mark, v.len - mark);
            v.len -= mark;
            v.data[v.len] = '\0';
        }
        i += l;
    }
    if (v.len)
        buf_printf(out, ";\r\n filename*%u*=%s%s", seg, seg == 0 ? "UTF-8''" : "", buf_str(&v));
    buf_free(&v);
}

static void mime_attachment(struct buf *out, const char *boundary, const struct mime_attachment *f)
{
    char ascii[MIME_FALLBACK_MAX + 1];
    mime_filename_ascii(ascii, f->filename);
    /* name= on Content-Type for readers that ignore Content-Disposition; filename= first, as
       RFC 6266 advises, for readers that take the first parameter they know. */
    buf_printf(out,
               "--%s\r\nContent-Type: %s;\r\n name=\"%s\"\r\n"
               "Content-Disposition: attachment;\r\n filename=\"%s\"",
               boundary, f->content_type, ascii, ascii);
    if (strcmp(ascii, f->filename) != 0)
        mime_filename_ext(out, f->filename);
    buf_puts(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    mime_base64_lines(out, f->data, f->len);
    buf_puts(out, "\r\n");
}

size_t mime_size_max(size_t text_len, size_t html_len)
{
    /* Quoted-printable writes at most 3 characters per byte, plus a 3-character soft break
       for every 73 characters or so: under 4 per byte. The multipart/mixed wrapper counts as
       one more part head. */
    return MIME_HEAD_WIRE_MAX + 3 * MIME_PART_HEAD_WIRE_MAX + 4 * text_len + 4 * html_len;
}

size_t mime_attachment_size_max(size_t len)
{
    size_t lines = (len + 56) / 57;
    return MIME_ATTACH_HEAD_WIRE_MAX + 4 * ((len + 2) / 3) + 2 * lines;
}

enum mime_err mime_build(struct buf *out, const struct mime_msg *m)
{
    if (!m->from_addr || !m->to || !m->subject || !m->message_id || !m->text || !m->html)
        return MIME_ERR_FIELD;
    if (!mime_addr_ok(m->from_addr) || !mime_addr_ok(m->to) || !mime_addr_ok(m->message_id))
        return MIME_ERR_HEADER;
    if (m->tenant && !mime_ascii_plain(m->tenant))
        return MIME_ERR_HEADER;
    if (m->lang && (!mime_ascii_plain(m->lang) || strlen(m->lang) > 8))
        return MIME_ERR_HEADER;
    enum mime_err e = mime_attachments_ok(m);
    if (e != MIME_OK)
        return e;
    char date[64];
    struct tm tm;
    gmtime_r(&m->date, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    /* "=_" never occurs in quoted-printable or base64 text, so a boundary cannot appear in a
       part; "=_rf_" and "=_rm_" differ before either ends, so neither is a prefix of the
       other. */
    uint32_t h = 2166136261u; /* FNV-1a of the Message-ID: a different boundary per message */
    for (const char *p = m->message_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    char boundary[32], mixed[32];
    snprintf(boundary, sizeof(boundary), "=_rf_%08x", (unsigned)h);
    snprintf(mixed, sizeof(mixed), "=_rm_%08x", (unsigned)h);
    buf_printf(out, "Date: %s\r\n", date);
    if (mime_header_from(out, m->from_name, m->from_addr) != 0)
        return MIME_ERR_HEADER;
    buf_printf(out, "To: %s\r\n", m->to);
    if (mime_header_text(out, "Subject", m->subject) != 0)
        return MIME_ERR_HEADER;
    buf_printf(out, "Message-ID: <%s>\r\n", m->message_id);
    if (m->lang)
        buf_printf(out, "Content-Language: %s\r\n", m->lang);
    if (m->tenant)
        buf_printf(out, "X-Refettorio-Tenant: %s\r\n", m->tenant);
    if (m->nattachments == 0) {
        buf_printf(out,
                   "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
                   "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n"
                   "This is a message in MIME format.\r\n\r\n",
                   boundary);
        e = mime_alternative(out, boundary, m);
    } else {
        buf_printf(out,
                   "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
                   "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n"
                   "This is a message in MIME format.\r\n\r\n"
                   "--%s\r\nContent-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
                   mixed, mixed, boundary);
        e = mime_alternative(out, boundary, m);
        for (size_t i = 0; e == MIME_OK && i < m->nattachments && out->err == BUF_OK; i++)
            mime_attachment(out, mixed, &m->attachments[i]);
        if (e == MIME_OK)
            buf_printf(out, "--%s--\r\n", mixed);
    }
    if (e != MIME_OK)
        return e;
    if (out->err != BUF_OK || out->len > MIME_MESSAGE_MAX)
        return MIME_ERR_TOOBIG;
    return MIME_OK;
}

const char *mime_strerror(enum mime_err e)
{
    switch (e) {
    case MIME_OK:
        return "ok";
    case MIME_ERR_HEADER:
        return "header value refused (control character, line break or bad address)";
    case MIME_ERR_UTF8:
        return "not valid UTF-8";
    case MIME_ERR_FIELD:
        return "a required field is missing";
    case MIME_ERR_TOOBIG:
        return "message too large";
    }
    return "?";
}
