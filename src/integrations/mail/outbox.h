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
 */
#ifndef REFETTORIO_INTEGRATIONS_MAIL_OUTBOX_H
#define REFETTORIO_INTEGRATIONS_MAIL_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"
#include "web/tmpl.h"

/* Queue the message named name (e.g. "verification_code") to address to. Call inside the
   caller's transaction. *id (may be NULL) receives the outbox id. 0 on success, -1 on error
   (unknown template, invalid address, database error; logged). */
int mail_queue(struct db *db, struct arena *a, const struct tenant *t, const char *to,
               const char *lang, const char *name, struct tv *data, int64_t *id);

/* Limits: a rendered part, the subject line, rows in one office list. */
#define MAIL_BODY_MAX    (128 * 1024)
#define MAIL_SUBJECT_MAX 200
#define MAIL_LIST_MAX    100

/* Render the message named name without queueing it (the same data mail_queue sees): the
   subject, the plain text and the HTML, in the arena. 0, or -1 (unknown template, empty or
   over-long subject, part past MAIL_BODY_MAX). */
int mail_render(struct arena *a, const struct tenant *t, const char *lang, const char *name,
                struct tv *data, const char **subject, const char **text, const char **html);

/* One outbox row as the office sees it. Times are UTC ISO-8601; sent_at is "" until sent. */
struct mail_row {
    int64_t id;
    const char *recipient, *kind, *subject, *status, *last_error;
    const char *created_at, *sent_at, *next_attempt_at;
    int64_t attempts;
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
