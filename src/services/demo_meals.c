/*
 * The meals part of the demo: the municipality's last school days already frozen, so the
 * families' calendars show meals eaten and charged, the office's counts have days in them and
 * the kitchen sheet of a past day is final. Each day goes through the real cut-off job
 * (services/cutoff_job.h): meal rows, one charge per meal, the kitchen e-mails. Today is
 * included when its cut-off has already passed.
 */
#include <stdio.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "services/booking.h"
#include "services/cutoff_job.h"
#include "services/demo.h"
#include "services/tenant.h"
#include "util/arena.h"
#include "util/time.h"

int demo_seed_meal_history(struct db *db, int days)
{
    if (days <= 0)
        return 0;
    struct arena a;
    arena_init(&a, 1024);
    struct tenant t;
    int found = tenant_find(db, &a, DEMO_TENANT_SLUG, &t);
    arena_free(&a);
    struct booking_rules rules;
    if (found != 1 || booking_rules_load(db, t.id, &rules) != 0)
        return -1;
    time_t now = time_now();
    long today = cutoff_rome_day(now);
    long last = cutoff_closes_at(&rules.cutoff, today) <= now ? today : today - 1;
    for (long day = today - days; day <= last; day++) {
        char ymd[SCHOOL_CALENDAR_DAY_SIZE];
        school_calendar_format_day(day, ymd);
        struct cutoff_job_result res;
        if (cutoff_job_run(db, t.id, ymd, "refettorio demo", &res) != 0)
            return -1;
    }
    return 0;
}
