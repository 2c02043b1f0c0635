/*
 * The reconciliation job of `serve`: a thread that runs payment_reconcile_all every interval
 * (pagopa.reconcile_seconds), and at once when payment_worker_kick asks. Several nodes may run it
 * at the same time: a receipt credits once whoever sees it first (see payment.h).
 */
#ifndef REFETTORIO_SERVICES_PAYMENT_WORKER_H
#define REFETTORIO_SERVICES_PAYMENT_WORKER_H

/* 0, or -1 when the thread cannot start. Nothing is started when payments are disabled. */
int payment_worker_start(int interval_seconds);
/* Run a pass now (without waiting for it). */
void payment_worker_kick(void);
/* Stop and join the thread; a pass in flight finishes first. */
void payment_worker_stop(void);

#endif
