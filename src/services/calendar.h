/*
 * School calendars as stored, and a pupil's place on a day. The rules are
 * domain/school_calendar.h's; this module reads a school's service for a school year (its
 * school_calendar row, or the school year's dates and Monday to Friday when the office has not
 * set one) with its exceptions, and finds the confirmed enrollment that puts a pupil in a school
 * and class on a day. Bookings, the cut-off job and the pages all ask here.
 *
 * The office's changes are here too: a school's service for a school year (first and last day,
 * weekdays), its exceptions (added, removed) and the copy of a school's calendar to others. Each
 * is one transaction, audit-logged, and obeys one rule that keeps the meals already frozen true:
 * a change may not alter whether any day before the first changeable day has service, for the
 * whole school or any class with exceptions. The first changeable day is today (Europe/Rome)
 * while now is before today's cut-off (the tenant's cutoff_time, domain/cutoff.h), else
 * tomorrow. "Now" is time_now(), so tests may fake it.
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

/* ---- the office's changes ----------------------------------------------------------------- */

#define CALENDAR_YEARS_MAX   50  /* school years calendar_years returns */
#define CALENDAR_CLASSES_MAX 200 /* classes of a school calendar_classes returns */
#define CALENDAR_COPY_MAX    100 /* schools one copy may reach */

enum calendar_err {
    CALENDAR_OK = 0,
    CALENDAR_INVALID,   /* an input is not valid: see the problem */
    CALENDAR_FROZEN,    /* the change would alter a day already frozen: see the problem */
    CALENDAR_NOT_FOUND, /* no such school, school year or exception in the tenant */
    CALENDAR_DB,
};

/* Why a change was refused, for the field it belongs to. Fields: "first_day", "last_day",
   "weekdays" (calendar_save_service); "from_day", "to_day", "kind", "class_id", "note"
   (calendar_add_exception; "from_day" also when the school year holds CALENDAR_EXCEPTIONS_MAX
   exceptions); "targets" (calendar_copy); NULL for a deletion that would change frozen days.
   message is an English N_() msgid; a CALENDAR_FROZEN message holds {day}, the last frozen day
   ("dd/mm/yyyy" for people: day is "YYYY-MM-DD" here), and for a copy also {school}, the name
   of the school school_id whose frozen days would change. */
struct calendar_problem {
    const char *field;
    const char *message;
    char day[SCHOOL_CALENDAR_DAY_SIZE];
    int64_t school_id;
};

/* The first day whose service may still change now (see above), as a day number: 0, or -1 on
   a database error. */
int calendar_first_changeable_day(struct db *db, int64_t tenant_id, long *day);

/* A school's service for a school year: first_day..last_day ("YYYY-MM-DD", inside the school
   year's dates, last not before first) and the weekdays served (ISO digits, increasing). The
   school_calendar row is written or replaced; the exceptions stay. *problem (may be NULL) says
   why on CALENDAR_INVALID or CALENDAR_FROZEN. actor_label NULL records the system. */
enum calendar_err calendar_save_service(struct db *db, int64_t tenant_id, int64_t school_id,
                                        int64_t school_year_id, const char *first_day,
                                        const char *last_day, const char *weekdays,
                                        const char *actor_label, struct calendar_problem *problem);

/* An exception to add: kind "holiday", "closure", "strike" or "trip"; from_day..to_day
   inclusive (to_day NULL or "" for one day), inside the school's first..last day of service and
   at most SCHOOL_CALENDAR_RANGE_MAX days; class_id 0 for the whole school, else a class of that
   school and school year; note at most CALENDAR_NOTE_MAX characters, one line, may be empty. */
struct calendar_exception_input {
    const char *kind, *from_day, *to_day, *note;
    int64_t class_id;
};
enum calendar_err calendar_add_exception(struct db *db, int64_t tenant_id, int64_t school_id,
                                         int64_t school_year_id,
                                         const struct calendar_exception_input *in,
                                         const char *actor_label, int64_t *id,
                                         struct calendar_problem *problem);
/* Removes exception id of that school and school year (CALENDAR_NOT_FOUND when it is not). */
enum calendar_err calendar_delete_exception(struct db *db, int64_t tenant_id, int64_t school_id,
                                            int64_t school_year_id, int64_t id,
                                            const char *actor_label,
                                            struct calendar_problem *problem);

/* The same two writes inside the caller's transaction and without the frozen-day rule: for the
   demo, which records a calendar already under way. actor_label NULL records the system. */
enum calendar_err calendar_save_service_tx(struct db *db, int64_t tenant_id, int64_t school_id,
                                           int64_t school_year_id, const char *first_day,
                                           const char *last_day, const char *weekdays,
                                           const char *actor_label,
                                           struct calendar_problem *problem);
enum calendar_err calendar_add_exception_tx(struct db *db, int64_t tenant_id, int64_t school_id,
                                            int64_t school_year_id,
                                            const struct calendar_exception_input *in,
                                            const char *actor_label, int64_t *id,
                                            struct calendar_problem *problem);

/* What a copy did. */
struct calendar_copy_result {
    size_t schools;            /* schools whose calendar now is the source's */
    size_t exceptions;         /* whole-school exceptions copied to each of them */
    size_t skipped_class_only; /* the source's class exceptions, not copied (classes differ) */
};
/* Copies school from_school_id's calendar for the school year to the schools targets[0..n-1]
   (other schools of the tenant, at most CALENDAR_COPY_MAX, none twice): each gets the source's
   first and last day and weekdays, and its whole-school exceptions are replaced by the
   source's; its class exceptions stay. One transaction: every school or none (a target that is
   not the tenant's, or the source itself: CALENDAR_INVALID "targets"; frozen days that would
   change at one of them: CALENDAR_FROZEN with its school_id). */
enum calendar_err calendar_copy(struct db *db, int64_t tenant_id, int64_t from_school_id,
                                int64_t school_year_id, const int64_t *targets, size_t ntargets,
                                const char *actor_label, struct calendar_copy_result *result,
                                struct calendar_problem *problem);

/* One school's calendar at a glance, for the office's list. */
struct calendar_summary {
    int64_t school_id;
    const char *school_name; /* in the arena */
    int school_kind;         /* enum school_kind */
    bool stored;             /* false: the defaults */
    char first_day[SCHOOL_CALENDAR_DAY_SIZE], last_day[SCHOOL_CALENDAR_DAY_SIZE];
    char weekdays[8];
    size_t nexceptions;
    long service_days; /* days the whole school is served (class exceptions not counted) */
};
/* Every school of the tenant for school_year_id, in school_list's order. 0, or -1 on an error
   (also for a school year not of the tenant). */
int calendar_summaries(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                       struct calendar_summary **out, size_t *n);

/* A school year, for the office's pages. */
struct calendar_year {
    int64_t id;
    const char *label; /* "2026/2027" */
    char starts_on[SCHOOL_CALENDAR_DAY_SIZE], ends_on[SCHOOL_CALENDAR_DAY_SIZE];
};
/* The tenant's school years, oldest first (at most CALENDAR_YEARS_MAX). 0 or -1. */
int calendar_years(struct db *db, struct arena *a, int64_t tenant_id, struct calendar_year **out,
                   size_t *n);
/* One of them: 1 found, 0 not the tenant's, -1 error. */
int calendar_year_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                       struct calendar_year *out);

/* A class a class exception may name. */
struct calendar_class {
    int64_t id;
    const char *name;
};
/* The classes of a school in a school year, by name (at most CALENDAR_CLASSES_MAX). 0 or -1. */
int calendar_classes(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_id,
                     int64_t school_year_id, struct calendar_class **out, size_t *n);

#endif
