/*
 * MIME: turns one outbox message into the bytes handed to the SMTP server (RFC 5322 headers,
 * RFC 2045/2046 multipart/alternative with a plain-text and an HTML part, RFC 2047 encoded
 * words for non-ASCII header text). This module owns the wire format: CRLF line endings, header
 * lines of at most MIME_LINE_MAX characters, quoted-printable bodies whose lines stay within
 * MIME_QP_LINE_MAX, and a boundary that quoted-printable text can never contain. It refuses
 * header values with CR, LF or other control characters (header injection) rather than
 * cleaning them. No I/O, no clock, no randomness: the caller passes the date and Message-ID.
 *
 * A message with attachments is multipart/mixed: the same multipart/alternative first, then
 * each file base64-encoded (lines of MIME_QP_LINE_MAX characters) with Content-Disposition:
 * attachment, its name as an ASCII filename= and, when that is not the name itself, as RFC 2231
 * filename*=UTF-8''... (split into filename*0*, filename*1* ... to keep lines short). The two
 * boundaries differ in their fifth character, so neither is a prefix of the other, and contain
 * "=_", which neither quoted-printable nor base64 text can hold. Without attachments the
 * output is exactly the plain multipart/alternative message.
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
/* The whole message as handed to SMTP. Base64 makes a file about 37% larger (4/3, plus a CRLF
   every 76 characters), so this leaves room for about 8.5 MiB of attachments: two at
   MAIL_ATTACHMENT_MAX, or many credentials letters. Common providers accept 10 to 25 MB. */
#define MIME_MESSAGE_MAX     (12 * 1024 * 1024)
#define MIME_ATTACHMENTS_MAX 10  /* files in one message */
#define MIME_FILENAME_MAX    200 /* bytes of a file name (UTF-8) */
#define MIME_TYPE_MAX        60  /* "type/subtype": keeps the Content-Type line short */
#define MIME_FALLBACK_MAX    60  /* bytes of the ASCII filename= written next to filename* */

/* A file sent with the message; data may hold any bytes. */
struct mime_attachment {
    const char *filename;     /* UTF-8, no control characters, at most MIME_FILENAME_MAX */
    const char *content_type; /* "type/subtype", no parameters */
    const unsigned char *data;
    size_t len;
};

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
    const struct mime_attachment *attachments; /* in the order they are sent; may be NULL */
    size_t nattachments;                       /* 0: a plain multipart/alternative message */
};

enum mime_err {
    MIME_OK = 0,
    MIME_ERR_HEADER, /* CR, LF or another control character in a header value, or too long;
                        an attachment's file name or content type that cannot be sent */
    MIME_ERR_UTF8,   /* a header value, a file name or a part is not valid UTF-8 */
    MIME_ERR_FIELD,  /* a required field is missing */
    MIME_ERR_TOOBIG, /* a part, the number of attachments or the whole message is past its limit */
};

/* Append the whole message to out (CRLF line ends, ready for SMTP DATA). On error out may hold
   a partial message; the caller discards it. */
enum mime_err mime_build(struct buf *out, const struct mime_msg *m);
const char *mime_strerror(enum mime_err e);

/* Upper bounds of what mime_build writes, so that a caller can keep a message within
   MIME_MESSAGE_MAX before it is built (mail_attach does): the message without attachments, for
   parts of text_len and html_len bytes and header values at their limits, and what one
   attachment of len bytes adds (its part headers at their limits and the base64 body). */
size_t mime_size_max(size_t text_len, size_t html_len);
size_t mime_attachment_size_max(size_t len);

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
/* The ASCII form of a file name for a plain filename= parameter, NUL-terminated in out: Latin
   letters lose their accents (normalize_fold_ascii), other characters and any of \ " % * ? = /
   become "_"; cut to MIME_FALLBACK_MAX bytes keeping a short extension; "attachment" when the
   name is empty. */
void mime_filename_ascii(char out[MIME_FALLBACK_MAX + 1], const char *name);

#endif
