/*
 * The bookings part of the demo: the Rossi family has already changed a few of the coming days
 * through the family area, as any family would (services/booking.h): Giulia's meal cancelled on
 * one day and a plain meal on another, and Luca away for a week (an extended absence with the day
 * he is back). The demo runs on the real clock, so the days are the children's next school days
 * from the day after tomorrow on; a change the rules refuse (the end of the school year is near,
 * the summer) is simply left out. Fixed request keys make each change once.
 */
#include <string.h>

#include "services/booking.h"
#include "services/calendar.h"
#include "services/demo.h"
#include "util/arena.h"
#include "util/time.h"

#define DEMO_BOOKINGS_LOOKAHEAD 60 /* days searched for the next school days */
#define DEMO_BOOKINGS_ABSENCE   5  /* school days of Luca's absence */

/* The pupil (and its family) with this codice fiscale: 1, 0 none, -1 error. */
static int demo_bookings_pupil(struct db *db, int64_t tenant_id, const char *cf, int64_t *pupil_id,
                               int64_t *guardian_id)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLL_PUPIL_BY_CF);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, cf);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        *pupil_id = db_col_int(st, 0);
        *guardian_id = db_col_int(st, 1);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* Up to max school days of the pupil from day `from` on, into days; how many, or -1. */
static int demo_bookings_days(struct db *db, struct arena *a, int64_t tenant_id, int64_t pupil_id,
                              long from, long *days, int max)
{
    int n = 0;
    for (long d = from; d < from + DEMO_BOOKINGS_LOOKAHEAD && n < max; d++) {
        char ymd[SCHOOL_CALENDAR_DAY_SIZE];
        school_calendar_format_day(d, ymd);
        struct calendar_pupil p;
        struct calendar cal;
        int found = calendar_pupil_on(db, a, tenant_id, pupil_id, ymd, &p, &cal);
        if (found < 0)
            return -1;
        if (found && calendar_pupil_has_service(&cal, &p, d, NULL))
            days[n++] = d;
    }
    return n;
}

/* One change as the family makes it; a refusal leaves it out. 0, or -1 on a database error. */
static int demo_bookings_apply(struct db *db, int64_t tenant_id, int64_t guardian_id,
                               int64_t pupil_id, enum booking_action action, long from, long to,
                               const char *key)
{
    char f[SCHOOL_CALENDAR_DAY_SIZE], t[SCHOOL_CALENDAR_DAY_SIZE] = "";
    school_calendar_format_day(from, f);
    if (to)
        school_calendar_format_day(to, t);
    struct booking_input in = {.tenant_id = tenant_id,
                               .guardian_id = guardian_id,
                               .pupil_id = pupil_id,
                               .action = action,
                               .from = f,
                               .to = t,
                               .request_key = key,
                               .actor_label = "Mario Rossi"};
    struct booking_result res;
    return booking_apply_tx(db, &in, &res) == BOOKING_DB ? -1 : 0;
}

int demo_seed_bookings(struct db *db, int64_t tenant_id)
{
    int64_t giulia, luca, guardian, g2;
    if (demo_bookings_pupil(db, tenant_id, "RSSGLI18E62H501A", &giulia, &guardian) != 1 ||
        demo_bookings_pupil(db, tenant_id, "RSSLCU21P03H501G", &luca, &g2) != 1 || g2 != guardian)
        return -1;
    long start = cutoff_rome_day(time_now()) + 2;
    struct arena a;
    arena_init(&a, 16384);
    long days[DEMO_BOOKINGS_ABSENCE + 4];
    int rc = -1;
    int n = demo_bookings_days(db, &a, tenant_id, giulia, start, days, 3);
    if (n < 0)
        goto out;
    if (n >= 1 && demo_bookings_apply(db, tenant_id, guardian, giulia, BOOKING_CANCEL, days[0], 0,
                                      "demo-giulia-cancel") != 0)
        goto out;
    if (n >= 3 && demo_bookings_apply(db, tenant_id, guardian, giulia, BOOKING_PLAIN, days[2], 0,
                                      "demo-giulia-plain") != 0)
        goto out;
    /* Luca: away from his third school day for a week; back the school day after. */
    n = demo_bookings_days(db, &a, tenant_id, luca, start, days, DEMO_BOOKINGS_ABSENCE + 3);
    if (n < 0)
        goto out;
    if (n == DEMO_BOOKINGS_ABSENCE + 3 &&
        demo_bookings_apply(db, tenant_id, guardian, luca, BOOKING_ABSENCE, days[2],
                            days[2 + DEMO_BOOKINGS_ABSENCE], "demo-luca-absence") != 0)
        goto out;
    rc = 0;
out:
    arena_free(&a);
    return rc;
}
