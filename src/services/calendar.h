/*
 * School calendars as stored, and a pupil's place on a day. The rules are
 * domain/school_calendar.h's; this module reads a school's service for a school year (its
 * school_calendar row, or the school year's dates and Monday to Friday when the office has not
 * set one) with its exceptions, and finds the confirmed enrollment that puts a pupil in a school
 * and class on a day. Bookings, the cut-off job and the pages all ask here.
 */
#ifndef REFETTORIO_SERVICES_CALENDAR_H
#define REFETTORIO_SERVICES_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/school_calendar.h"
#include "store/db.h"
#include "util/arena.h"

#define CALENDAR_EXCEPTIONS_MAX 1000 /* exceptions one school year of one school may hold */
#define CALENDAR_NOTE_MAX       200  /* characters of an exception's note */

/* One exception as stored, for the office's pages. */
struct calendar_exception_row {
    int64_t id, class_id; /* class_id 0: the whole school */
    const char *kind;     /* "holiday", "closure", "strike", "trip" */
    const char *from_day, *to_day, *note, *class_name;
};

/* A school's calendar for a school year. cal points into the arena (weekdays, exceptions). */
struct calendar {
    int64_t school_id, school_year_id;
    bool stored; /* false: the defaults (school year's dates, "12345") */
    char first_day[SCHOOL_CALENDAR_DAY_SIZE], last_day[SCHOOL_CALENDAR_DAY_SIZE];
    char weekdays[8];
    struct school_calendar cal;
    struct calendar_exception_row *rows; /* the same exceptions as cal, with ids and notes */
    size_t nrows;
};

/* Loads the calendar of school_id for school_year_id: 1 loaded, 0 no such school or school year
   in the tenant, -1 on a database error (also for stored rows that fail the domain checks). */
int calendar_load(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_id,
                  int64_t school_year_id, struct calendar *out);

/* Where a pupil eats on a day, from the confirmed enrollment of the school year containing it. */
struct calendar_pupil {
    int64_t pupil_id, enrollment_id, guardian_id, school_id, class_id, school_year_id;
    char weekdays[8];   /* the family's choice; "" when it made none (every served weekday) */
    char diet_code[33]; /* the approved diet's code, "" for none */
    const char *name, *surname, *school_name, *class_name; /* in the arena */
};

/* The pupil's enrollment on day ("YYYY-MM-DD") and its school's calendar (cal may be NULL):
   1 found, 0 the pupil has no confirmed enrollment for a school year containing day (or is not
   of the tenant), -1 on a database error. */
int calendar_pupil_on(struct db *db, struct arena *a, int64_t tenant_id, int64_t pupil_id,
                      const char *day, struct calendar_pupil *out, struct calendar *cal);

/* Whether the pupil eats on day (a day number) by the calendar, and if not why. */
bool calendar_pupil_has_service(const struct calendar *cal, const struct calendar_pupil *p,
                                long day, enum school_calendar_reason *reason);

#endif
