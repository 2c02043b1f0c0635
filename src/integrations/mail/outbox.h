/*
 * The mail outbox. Every message is rendered from templates and written to the outbox table in
 * the same transaction as the action that causes it (a sign-in code, a reset link, a credentials
 * letter), so a message is sent if and only if the action happened. A background sender
 * (mail/sender.h) delivers queued messages over SMTP with retries and backoff; the office sees
 * each message's status (queued, sending, sent, retrying, failed).
 *
 * Templates: templates/mail/<name>.txt is the plain-text part, whose first line is the subject;
 * templates/mail/<name>.html is the HTML part. Both are rendered in the recipient's language with
 * the data given plus the municipality (tenant.*: name, address, phone, email, pec, hours,
 * website) so every message carries the municipality's name and contacts.
 *
 * Attachments (mail_attach) are stored next to the message in mail_attachment, in the same
 * transaction, and sent in the order they were added; the office sees their names and sizes,
 * never their content.
 */
#ifndef REFETTORIO_INTEGRATIONS_MAIL_OUTBOX_H
#define REFETTORIO_INTEGRATIONS_MAIL_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "integrations/mail/mime.h"
#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"
#include "web/tmpl.h"

/* Queue the message named name (e.g. "verification_code") to address to. Call inside the
   caller's transaction. *id (may be NULL) receives the outbox id. 0 on success, -1 on error
   (unknown template, invalid address, database error; logged). */
int mail_queue(struct db *db, struct arena *a, const struct tenant *t, const char *to,
               const char *lang, const char *name, struct tv *data, int64_t *id);

/* Limits: a rendered part, the subject line, rows in one office list, one attached file and
   the files of one message (together they must also fit MIME_MESSAGE_MAX once encoded). */
#define MAIL_BODY_MAX        (128 * 1024)
#define MAIL_SUBJECT_MAX     200
#define MAIL_LIST_MAX        100
#define MAIL_ATTACHMENT_MAX  (4 * 1024 * 1024)
#define MAIL_ATTACHMENTS_MAX MIME_ATTACHMENTS_MAX

/* Attach a file to the message outbox_id that mail_queue has just queued (the id it gave),
   inside the same transaction. filename is what the family sees: valid UTF-8 of at most
   MIME_FILENAME_MAX bytes that attachment_filename_sanitize keeps as it is (no folder, no
   control, line-separator or bidirectional characters, no leading or trailing dots or spaces).
   content_type is application/pdf, text/csv or image/png (any letter case), and the bytes must
   be one (pdf_file_is_pdf, png_file_is_png). 1 to MAIL_ATTACHMENT_MAX bytes, at most
   MAIL_ATTACHMENTS_MAX files, and the whole message as sent must stay within MIME_MESSAGE_MAX.
   Only a message nobody has tried to send yet takes attachments. 0, or -1 (refused or a
   database error; logged; nothing stored), after which the caller rolls back. */
int mail_attach(struct db *db, int64_t outbox_id, const char *filename, const char *content_type,
                const void *data, size_t len);
/* The allowed spelling of content_type (any letter case) among the types mail_attach takes,
   or NULL. */
const char *mail_attachment_type(const char *content_type);

/* Render the message named name without queueing it (the same data mail_queue sees): the
   subject, the plain text and the HTML, in the arena. 0, or -1 (unknown template, empty or
   over-long subject, part past MAIL_BODY_MAX). */
int mail_render(struct arena *a, const struct tenant *t, const char *lang, const char *name,
                struct tv *data, const char **subject, const char **text, const char **html);

/* A file sent with a message, as the office sees it: name and size, never the content. */
struct mail_attachment_info {
    const char *filename, *content_type;
    int64_t size; /* bytes */
};

/* One outbox row as the office sees it. Times are UTC ISO-8601; sent_at is "" until sent. */
struct mail_row {
    int64_t id;
    const char *recipient, *kind, *subject, *status, *last_error;
    const char *created_at, *sent_at, *next_attempt_at;
    int64_t attempts;
    const struct mail_attachment_info *attachments; /* in the order they are sent */
    size_t nattachments;
};

/* queued, sending, sent, retrying, failed. */
bool mail_status_valid(const char *status);
/* English msgid of the status, for tr(). */
const char *mail_status_label(const char *status);
/* The tenant's latest messages, newest first, at most limit (capped at MAIL_LIST_MAX);
   status NULL or "" for all. 0 or -1. */
int mail_list(struct db *db, struct arena *a, int64_t tenant_id, const char *status, int limit,
              struct mail_row **out, size_t *n);
/* 1 found, 0 not in this tenant, -1 error. */
int mail_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id, struct mail_row *out);
/* Give a failed message a new round of attempts, due now. 1 done, 0 not a failed message of
   this tenant, -1 error. Call inside the caller's transaction (with its audit entry). */
int mail_requeue(struct db *db, int64_t tenant_id, int64_t id);

#endif
