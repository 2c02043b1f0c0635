/*
 * The mail sender: a background thread that delivers due outbox messages over SMTP with
 * libcurl. It owns the delivery state machine of an outbox row:
 *
 *   queued/retrying --claim--> sending --> sent
 *                                      --> retrying (next attempt after 1, 2, 4 ... minutes,
 *                                          at most SENDER_BACKOFF_MAX_MINUTES)
 *                                      --> failed (after mail.max_attempts, or a permanent 5xx
 *                                          refusal), with an audit entry
 *
 * A claim is one UPDATE that moves due rows to sending under a random token, so two senders
 * (threads or nodes) never take the same message; a row left in sending by a sender that died
 * is taken again after SENDER_STALE_MINUTES (longer than any SMTP attempt may last).
 * With mail.url empty nothing is started and messages stay queued.
 */
#ifndef REFETTORIO_INTEGRATIONS_MAIL_SENDER_H
#define REFETTORIO_INTEGRATIONS_MAIL_SENDER_H

#include <stdbool.h>

#include "util/config.h"

#define SENDER_BATCH_MAX           20  /* messages claimed at once */
#define SENDER_RUN_MAX             200 /* messages sent by one sender_run_once */
#define SENDER_BACKOFF_MAX_MINUTES 60
#define SENDER_STALE_MINUTES       15
#define SENDER_CONNECT_TIMEOUT     10  /* seconds */
#define SENDER_TIMEOUT             60  /* seconds for one whole SMTP exchange */
#define SENDER_ERROR_MAX           300 /* bytes of error text kept on the row */

/* Remember the mail settings (copied) for sender_run_once and the thread. -1 when mail.url or
   mail.tls is unusable (logged). */
int sender_configure(const struct config *cfg);
/* Configure and start the thread; with mail.url empty, does nothing and returns 0. -1 on error
   (logged). Call from the main thread before serving. */
int sender_start(const struct config *cfg);
/* Stop the thread (waits for the message in flight). Safe when not started. */
void sender_stop(void);
/* Deliver what is due now on this thread's connection. Returns the number of messages
   attempted, or -1 on a database error. */
int sender_run_once(void);
/* The wait before attempt number attempts + 1 (attempts >= 1 already made), in minutes. */
int sender_backoff_minutes(int attempts);

#endif
