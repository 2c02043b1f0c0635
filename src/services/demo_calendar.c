/*
 * The calendars part of the demo: the three schools' service for 2026/2027 as an office would
 * set it (the nursery school serves from the first to the last day of school, the primary
 * schools' canteens start a week later and stop a few days before the end of lessons), the
 * Christmas and Easter holidays and the patron saint's day for every school, a strike of the
 * catering staff at one primary school and a museum trip of class 4A. Written through the
 * calendar service inside demo_seed's transaction, without the frozen-day rule (the year is
 * already under way when the demo runs).
 */
#include <stddef.h>
#include <string.h>

#include "services/calendar.h"
#include "services/demo.h"
#include "services/tenant.h"
#include "util/arena.h"
#include "util/log.h"

#define DEMO_CAL_INFANZIA   "Scuola dell'infanzia Gianni Rodari"
#define DEMO_CAL_MONTESSORI "Scuola primaria Maria Montessori"
#define DEMO_CAL_MILANI     "Scuola primaria Don Lorenzo Milani"

static const struct {
    const char *school, *first_day, *last_day;
} demo_cal_services[] = {
    {DEMO_CAL_INFANZIA, "2026-09-14", "2027-06-30"},
    {DEMO_CAL_MONTESSORI, "2026-09-21", "2027-06-08"},
    {DEMO_CAL_MILANI, "2026-09-21", "2027-06-08"},
};

/* Exceptions; school NULL: every school. */
static const struct {
    const char *school, *class_name, *kind, *from_day, *to_day, *note;
} demo_cal_exceptions[] = {
    {NULL, NULL, "closure", "2026-12-23", "2027-01-06", "Vacanze di Natale"},
    {NULL, NULL, "holiday", "2027-01-20", "2027-01-20", "Santo patrono"},
    {NULL, NULL, "closure", "2027-03-25", "2027-03-30", "Vacanze di Pasqua"},
    {DEMO_CAL_MILANI, NULL, "strike", "2026-12-11", "2026-12-11",
     "Sciopero del personale della ristorazione"},
    {DEMO_CAL_MONTESSORI, "4A", "trip", "2026-12-03", "2026-12-03", "Uscita didattica al museo"},
};

/* The id of class_name in the school's year, 0 when it has none. */
static int64_t demo_cal_class(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_id,
                              int64_t year_id, const char *class_name)
{
    struct calendar_class *classes;
    size_t n;
    if (calendar_classes(db, a, tenant_id, school_id, year_id, &classes, &n) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(classes[i].name, class_name))
            return classes[i].id;
    return 0;
}

static int demo_cal_school_exceptions(struct db *db, struct arena *a, int64_t tenant_id,
                                      int64_t year_id, const char *school, int64_t school_id)
{
    for (size_t i = 0; i < sizeof(demo_cal_exceptions) / sizeof(demo_cal_exceptions[0]); i++) {
        if (demo_cal_exceptions[i].school && strcmp(demo_cal_exceptions[i].school, school))
            continue;
        struct calendar_exception_input in = {
            .kind = demo_cal_exceptions[i].kind,
            .from_day = demo_cal_exceptions[i].from_day,
            .to_day = demo_cal_exceptions[i].to_day,
            .note = demo_cal_exceptions[i].note,
        };
        if (demo_cal_exceptions[i].class_name) {
            in.class_id = demo_cal_class(db, a, tenant_id, school_id, year_id,
                                         demo_cal_exceptions[i].class_name);
            if (!in.class_id)
                return -1;
        }
        struct calendar_problem p;
        if (calendar_add_exception_tx(db, tenant_id, school_id, year_id, &in, NULL, NULL, &p) !=
            CALENDAR_OK) {
            log_error("demo: a calendar exception was refused", "note", in.note, "problem",
                      p.message ? p.message : "");
            return -1;
        }
    }
    return 0;
}

int demo_seed_calendar(struct db *db, int64_t tenant_id, int64_t year_id)
{
    struct arena a;
    arena_init(&a, 4096);
    int rc = -1;
    for (size_t i = 0; i < sizeof(demo_cal_services) / sizeof(demo_cal_services[0]); i++) {
        int64_t school_id = school_find(db, tenant_id, demo_cal_services[i].school);
        struct calendar_problem p;
        if (!school_id ||
            calendar_save_service_tx(db, tenant_id, school_id, year_id,
                                     demo_cal_services[i].first_day, demo_cal_services[i].last_day,
                                     "12345", NULL, &p) != CALENDAR_OK ||
            demo_cal_school_exceptions(db, &a, tenant_id, year_id, demo_cal_services[i].school,
                                       school_id) != 0)
            goto out;
    }
    rc = 0;
out:
    arena_free(&a);
    return rc;
}
