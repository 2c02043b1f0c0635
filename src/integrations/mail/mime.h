/*
 * MIME: turns one outbox message into the bytes handed to the SMTP server (RFC 5322 headers,
 * RFC 2045/2046 multipart/alternative with a plain-text and an HTML part, RFC 2047 encoded
 * words for non-ASCII header text). This module owns the wire format: CRLF line endings, header
 * lines of at most MIME_LINE_MAX characters, quoted-printable bodies whose lines stay within
 * MIME_QP_LINE_MAX, and a boundary that quoted-printable text can never contain. It refuses
 * header values with CR, LF or other control characters (header injection) rather than
 * cleaning them. No I/O, no clock, no randomness: the caller passes the date and Message-ID.
 */
#ifndef REFETTORIO_INTEGRATIONS_MAIL_MIME_H
#define REFETTORIO_INTEGRATIONS_MAIL_MIME_H

#include <stddef.h>
#include <time.h>

#include "util/buf.h"

#define MIME_LINE_MAX    78           /* header lines (RFC 5322 "should") */
#define MIME_QP_LINE_MAX 76           /* quoted-printable lines (RFC 2045) */
#define MIME_HEADER_MAX  998          /* a header value before encoding */
#define MIME_BODY_MAX    (256 * 1024) /* one part before encoding */
#define MIME_MESSAGE_MAX (2 * 1024 * 1024)

struct mime_msg {
    const char *from_name;  /* display name (UTF-8), e.g. the municipality; may be NULL */
    const char *from_addr;  /* bare address */
    const char *to;         /* bare address */
    const char *subject;    /* UTF-8, one line */
    const char *lang;       /* Content-Language, "it" or "en"; may be NULL */
    const char *message_id; /* without angle brackets: "local@domain" */
    const char *tenant;     /* slug, sent as X-Refettorio-Tenant; may be NULL */
    const char *text;       /* plain-text part, UTF-8, LF or CRLF line ends */
    const char *html;       /* HTML part, UTF-8 */
    time_t date;
};

enum mime_err {
    MIME_OK = 0,
    MIME_ERR_HEADER, /* CR, LF or another control character in a header value, or too long */
    MIME_ERR_UTF8,   /* a header value or a part is not valid UTF-8 */
    MIME_ERR_FIELD,  /* a required field is missing */
    MIME_ERR_TOOBIG, /* a part or the whole message is past its limit */
};

/* Append the whole message to out (CRLF line ends, ready for SMTP DATA). On error out may hold
   a partial message; the caller discards it. */
enum mime_err mime_build(struct buf *out, const struct mime_msg *m);
const char *mime_strerror(enum mime_err e);

/* Building blocks, exposed for the tests and the SMTP stand-in's reader. */
/* Quoted-printable of s[0..n): LF or CRLF become CRLF, lines at most MIME_QP_LINE_MAX. */
void mime_qp_encode(struct buf *out, const char *s, size_t n);
/* Decode quoted-printable (soft breaks removed, CRLF kept as LF). */
void mime_qp_decode(struct buf *out, const char *s, size_t n);
/* A header field "Name: value" folded as RFC 2047 encoded words when value is not plain
   printable ASCII or is too long for one line; ends with CRLF. -1 if the value is refused. */
int mime_header_text(struct buf *out, const char *name, const char *value);
/* Decode RFC 2047 encoded words (B and Q, UTF-8 or US-ASCII) in an unfolded header value. */
void mime_header_decode(struct buf *out, const char *value);

#endif
