/*
 * The cut-off job: at each municipality's cut-off (tenant.cutoff_time on the day, Europe/Rome,
 * domain/cutoff.h) it freezes the day. Run once per (tenant, day) through services/job.h (kind
 * "cutoff", run_key the day "YYYY-MM-DD"), so it runs once even if the server restarts or several
 * nodes run the scheduler. In one transaction, ended with job_finish_tx:
 *
 *   1. one meal row per pupil eating that day: a confirmed enrollment for the school year
 *      containing the day, the school serving it and the family having chosen the weekday
 *      (services/calendar.h rules, exceptions for the school or the class included), no
 *      'cancelled' meal_day row, and the family's service not suspended for debt; with school,
 *      class, approved diet code and the plain flag (meal_day 'plain'). INSERT ... ON CONFLICT
 *      DO NOTHING: a rerun adds nothing;
 *   2. each new meal charged to the family's ledger at tariff_for_pupil's price for that day
 *      (kind meal, negative amount, ref "meal:<pupil>:<day>", pupil attributed), once; meals
 *      without a price are frozen with price 0 and no entry (reported in the result);
 *   3. the kitchen e-mail of each school with a kitchen address queued (services/kitchen.h), only
 *      for rows new in this run;
 *   4. one audit row ("meal.cutoff", entity "job_run") with the counts.
 *
 * Meals are charged with ledger_append_many (one wallet update and one balance alert per family,
 * one audit row for the batch), because a municipality can have tens of thousands of pupils.
 */
#ifndef REFETTORIO_SERVICES_CUTOFF_JOB_H
#define REFETTORIO_SERVICES_CUTOFF_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/job.h"
#include "store/db.h"

#define CUTOFF_JOB_KIND  "cutoff"
#define CUTOFF_JOB_LEASE 600 /* seconds */

struct cutoff_job_result {
    enum job_err claim;    /* JOB_CLAIMED when this call ran the body */
    long meals;            /* meal rows inserted by this run */
    long plain;            /* of which plain meals */
    long charged;          /* ledger entries appended */
    long unpriced;         /* meals frozen without a price (no tariff in force) */
    int64_t charged_cents; /* total charged (positive) */
    long mails;            /* kitchen e-mails queued */
};

/* One pupil eating on a day by the bookings (step 1 above), before anything is frozen. */
struct cutoff_eater {
    int64_t pupil_id, guardian_id, enrollment_id, school_id, class_id; /* class_id 0: none */
    const char *diet_code; /* approved diet code, "" for none; valid during the callback */
    bool plain;
};
typedef int (*cutoff_eater_fn)(const struct cutoff_eater *e, void *ctx);
/* Calls fn for every pupil eating on day ("YYYY-MM-DD") by the current bookings, ordered by
   school, class, pupil; fn returns 0 to go on, nonzero to stop (returned). The job's step 1 and
   the kitchen's forecast before the cut-off both use it. 0, fn's nonzero, or -1 on error. */
int cutoff_job_eaters(struct db *db, int64_t tenant_id, const char *day, cutoff_eater_fn fn,
                      void *ctx);

/* Runs the cut-off of day ("YYYY-MM-DD") for the tenant now, whatever the clock says (the
   scheduler calls it once the cut-off has passed; tests and `refettorio admin cutoff` call it
   directly). 0 when the run is done (by this call or earlier: res->claim tells which), 1 when
   another node holds it (JOB_BUSY), -1 on error (the run is marked failed and will be retried). */
int cutoff_job_run(struct db *db, int64_t tenant_id, const char *day, const char *node,
                   struct cutoff_job_result *res);

/* Whether the day has been frozen for the tenant (its cut-off job is done). 1, 0, -1. */
int cutoff_job_frozen(struct db *db, int64_t tenant_id, const char *day);

/* Which days of first..last (day numbers) have been frozen: frozen[d - first] is set for each,
   cleared for the others (frozen has last - first + 1 entries). 0, or -1 on a database error. */
int cutoff_job_frozen_days(struct db *db, int64_t tenant_id, long first, long last, bool *frozen);

/* The scheduler's step: for every tenant, every day from the last frozen (at most 7 days back)
   to today whose cut-off has passed at now, runs cutoff_job_run. Returns how many runs it did,
   -1 on a database error. Called by the meals worker thread in `serve` every minute. */
int cutoff_job_tick(struct db *db, time_t now, const char *node);

#endif
