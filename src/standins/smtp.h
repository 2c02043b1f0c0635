/*
 * The SMTP stand-in: a small real SMTP server (a subset of RFC 5321) on 127.0.0.1 that stores
 * every message it accepts as a file, <dir>/<seq>.eml, and reads them back decoded. It exists
 * for the tests and the demo, so that e-mail goes through the same libcurl SMTP path as in
 * production; it is NEVER the production path and never relays anything anywhere.
 *
 * Speaks EHLO/HELO, AUTH PLAIN and LOGIN (only when credentials are configured, and then
 * required), MAIL FROM, RCPT TO, DATA (dot-unstuffed, CRLF kept), RSET, NOOP, QUIT; no STARTTLS.
 * Limits: lines of SMTP_STANDIN_LINE_MAX, messages of SMTP_STANDIN_MESSAGE_MAX (552 past it),
 * SMTP_STANDIN_RCPT_MAX recipients. Test conventions: a recipient whose local part is "bounce"
 * is refused for good (550), "tempfail" for now (451).
 *
 * A stored file starts with three envelope lines (X-Standin-Mail-From, X-Standin-Rcpt-To,
 * X-Standin-Received) followed by the message as received.
 *
 * Reading a stored message back walks its MIME tree (multipart inside multipart, bounded in
 * depth and in parts): the first text/plain and text/html parts become the text and the HTML,
 * every part with Content-Disposition: attachment or a file name becomes an attachment, decoded
 * from base64 or quoted-printable, its name from RFC 2231 filename* (also split in segments),
 * filename or Content-Type's name. The reader never fails on what it reads: a malformed or cut
 * message gives whatever parts could be found.
 */
#ifndef REFETTORIO_STANDINS_SMTP_H
#define REFETTORIO_STANDINS_SMTP_H

#include <stddef.h>

#include "util/arena.h"

#define SMTP_STANDIN_LINE_MAX    1000               /* with CRLF (RFC 5321 section 4.5.3.1.6) */
#define SMTP_STANDIN_MESSAGE_MAX (16 * 1024 * 1024) /* over MIME_MESSAGE_MAX, see smtp.c */
#define SMTP_STANDIN_RCPT_MAX    100
#define SMTP_STANDIN_LIST_MAX    200   /* messages read back at once */
#define SMTP_STANDIN_IDLE_MS     30000 /* a silent client is dropped */
/* Reading a stored message back. */
#define SMTP_STANDIN_PARTS_MAX       64  /* MIME parts looked at in one message */
#define SMTP_STANDIN_DEPTH_MAX       4   /* multiparts inside multiparts */
#define SMTP_STANDIN_ATTACHMENTS_MAX 16  /* attachments kept per message */
#define SMTP_STANDIN_BOUNDARY_MAX    200 /* a longer boundary: the multipart is not read */
#define SMTP_STANDIN_FILENAME_MAX    512 /* bytes of a decoded file name; longer ones are cut */
#define SMTP_STANDIN_SEGMENTS_MAX    64  /* RFC 2231 filename*N segments */

struct smtp_standin_opts {
    const char *dir;      /* where messages are stored (created if missing) */
    int port;             /* 0: any free port */
    const char *username; /* NULL: no AUTH offered or required */
    const char *password;
};

struct smtp_standin;

/* Bind 127.0.0.1:port and serve from a thread. NULL with err filled on failure. */
struct smtp_standin *smtp_standin_start(const struct smtp_standin_opts *o, char *err, size_t errsz);
int smtp_standin_port(const struct smtp_standin *s);
/* Messages stored since start. */
unsigned smtp_standin_count(struct smtp_standin *s);
/* Stop the thread, close the socket, free s. NULL is ignored. */
void smtp_standin_stop(struct smtp_standin *s);

/* A file attached to a stored message, decoded. */
struct smtp_standin_attachment {
    const char *filename;      /* as decoded, any bytes but NUL; "" when the part has none */
    const char *content_type;  /* the media type, lower-cased, without parameters; may be "" */
    const unsigned char *data; /* the decoded bytes */
    size_t len;
};

/* A stored message, decoded: the envelope, the main headers (subject decoded from RFC 2047),
   the plain-text and HTML parts decoded from quoted-printable, and the attachments in the
   order they came. Strings live in the arena; absent ones are "". */
struct smtp_standin_msg {
    unsigned seq;
    const char *mail_from, *rcpt_to, *received_at;
    const char *from, *to, *subject, *date, *message_id, *tenant, *content_type;
    const char *text, *html;
    const struct smtp_standin_attachment *attachments;
    size_t nattachments;
    const char *raw; /* the message as received, CRLF line ends */
    size_t raw_len;
};

/* Up to max (capped at SMTP_STANDIN_LIST_MAX) messages from dir, newest first. 0, or -1 when
   dir cannot be read (a missing dir is 0 messages). */
int smtp_standin_read(struct arena *a, const char *dir, size_t max, struct smtp_standin_msg **out,
                      size_t *n);
/* The message stored with sequence number seq. 1, 0 when there is none, -1 when it cannot be
   read. */
int smtp_standin_read_one(struct arena *a, const char *dir, unsigned seq,
                          struct smtp_standin_msg *out);
/* Decode raw[0..n) (a stored file: envelope lines, then the message) into m, as the readers
   above do; m's fields point into the arena and into raw, which must outlive m. Never fails.
   Exposed for the tests and for fuzzing. */
void smtp_standin_parse(struct arena *a, const char *raw, size_t n, struct smtp_standin_msg *m);

#endif
