/*
 * The meals scheduler of `serve`: a thread that runs cutoff_job_tick (services/cutoff_job.h) at
 * start and every minute, so each municipality's day is frozen and charged soon after its
 * cut-off. Several nodes may run it at once: each (municipality, day) runs once whoever claims
 * it first (services/job.h).
 */
#ifndef REFETTORIO_SERVICES_MEAL_WORKER_H
#define REFETTORIO_SERVICES_MEAL_WORKER_H

#define MEAL_WORKER_INTERVAL 60 /* seconds between two ticks */

/* 0, or -1 when the thread cannot start. */
int meal_worker_start(void);
/* Stop and join the thread; a run in flight finishes first (it is one transaction). */
void meal_worker_stop(void);

#endif
