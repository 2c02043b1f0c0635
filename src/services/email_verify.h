/*
 * E-mail verification codes. A person enters an address, receives a 6-digit code there, and
 * types it in. Codes expire after EMAIL_CODE_MINUTES, allow EMAIL_CODE_ATTEMPTS attempts, can be
 * re-sent after EMAIL_CODE_RESEND_SECONDS, are stored hashed (keyed with the session and the
 * address), and are bound to the address and to the browser session that asked for them: a new
 * request in the same session replaces the previous code.
 */
#ifndef REFETTORIO_SERVICES_EMAIL_VERIFY_H
#define REFETTORIO_SERVICES_EMAIL_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"

#define EMAIL_CODE_DIGITS         6
#define EMAIL_CODE_MINUTES        15
#define EMAIL_CODE_ATTEMPTS       5
#define EMAIL_CODE_RESEND_SECONDS 60

enum email_verify_result {
    EMAIL_VERIFY_SENT,      /* a new code went to the outbox */
    EMAIL_VERIFY_TOO_SOON,  /* asked again before EMAIL_CODE_RESEND_SECONDS; *wait set */
    EMAIL_VERIFY_OK,        /* the code is right: the address is verified for this session */
    EMAIL_VERIFY_WRONG,     /* wrong code; *attempts_left set (> 0) */
    EMAIL_VERIFY_EXPIRED,   /* the code is too old: ask for a new one */
    EMAIL_VERIFY_EXHAUSTED, /* too many wrong attempts: ask for a new one */
    EMAIL_VERIFY_NO_CODE,   /* no code was asked for this address in this session */
    EMAIL_VERIFY_ERROR,
};

/* Send a code to email (already validated) for this session; call inside a transaction (the
   mail is queued with it). wait: seconds until a re-send is allowed, for TOO_SOON. */
enum email_verify_result email_verify_send(struct db *db, struct arena *a, const struct tenant *t,
                                           const char *session_hash, const char *email,
                                           const char *lang, long *wait);
/* Check a typed code. */
enum email_verify_result email_verify_check(struct db *db, int64_t tenant_id,
                                            const char *session_hash, const char *email,
                                            const char *code, int *attempts_left);
/* Whether the address was verified in this session (and not replaced since). */
bool email_verify_done(struct db *db, int64_t tenant_id, const char *session_hash,
                       const char *email);
/* "m***@example.it": the address as shown back on screen. */
const char *email_verify_mask(struct arena *a, const char *email);

#endif
