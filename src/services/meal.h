/*
 * Frozen meals for the office: counts per day, school and month, the meal rows of a day, and
 * corrections of a frozen day with a reason. A correction never edits money: it appends a new
 * ledger entry (ref "meal-fix:<correction id>") and a meal_correction row, and is audit-logged
 * (entity "meal", action "meal.correct.<action>"):
 *
 *   remove   the pupil did not eat (sent home sick, a trip the calendar missed): the meal row
 *            becomes 'removed' and its charge is given back (kind meal, +price);
 *   add      the pupil ate though not frozen (cancelled, or a late arrival): a meal row is added
 *            (or a removed one served again) and charged at the day's tariff (kind meal, -price);
 *   plain / unplain  the plain flag changes; no money moves.
 *
 * The office's "record or undo a cancellation after the cut-off" on a frozen day is a remove or
 * an add; on a day not yet frozen it is booking_apply with staff set (services/booking.h).
 */
#ifndef REFETTORIO_SERVICES_MEAL_H
#define REFETTORIO_SERVICES_MEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

#define MEAL_REASON_MIN 3
#define MEAL_REASON_MAX 500

enum meal_fix {
    MEAL_FIX_REMOVE,
    MEAL_FIX_ADD,
    MEAL_FIX_PLAIN,
    MEAL_FIX_UNPLAIN,
};

enum meal_err {
    MEAL_OK = 0,
    MEAL_NOT_FOUND,    /* no such pupil (or meal) in the tenant */
    MEAL_NOT_FROZEN,   /* the day has not been frozen yet: change the booking instead */
    MEAL_NO_CHANGE,    /* already so (removed, served, plain...) */
    MEAL_NOT_ENROLLED, /* add: no confirmed enrollment for the day */
    MEAL_BAD_REASON,   /* reason shorter than MEAL_REASON_MIN or longer than MAX */
    MEAL_BAD_DATE,
    MEAL_DB,
};

/* Corrects pupil's meal of a frozen day ("YYYY-MM-DD"), in its own transaction. *correction_id
   (may be NULL) gets the meal_correction row. */
enum meal_err meal_correct(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *day,
                           enum meal_fix fix, const char *reason, const char *actor_label,
                           int64_t *correction_id);

/* Counts of served meals, grouped. */
struct meal_count {
    const char *key;   /* the day "YYYY-MM-DD" or the month "YYYY-MM" */
    int64_t school_id; /* 0 in totals over every school */
    const char *school_name;
    long meals, plain, diets, removed;
    int64_t charged_cents;
};
/* Per day and school for a month ("YYYY-MM"), days ascending; school_id 0 for every school. */
int meal_counts_month(struct db *db, struct arena *a, int64_t tenant_id, const char *month,
                      int64_t school_id, struct meal_count **rows, size_t *n);
/* Per month and school for a school year (its id), months ascending. */
int meal_counts_year(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                     int64_t school_id, struct meal_count **rows, size_t *n);

/* The meal rows of a day (served and removed), for the day's page and corrections. */
struct meal_row {
    int64_t id, pupil_id, school_id, class_id;
    const char *pupil_name, *school_name, *class_name, *diet_code, *status;
    bool plain;
    int64_t price_cents;
    long corrections;
};
int meal_day_rows(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                  int64_t school_id, struct meal_row **rows, size_t *n);

const char *meal_fix_name(enum meal_fix f);
bool meal_fix_parse(const char *s, enum meal_fix *out);
const char *meal_strerror(enum meal_err e);

/* For the office's pages: a pupil of the tenant by id (fiscal_code NULL) or by codice fiscale
   (id 0), and the school year whose dates overlap the days from..to ("YYYY-MM-DD"). 1 found,
   0 not, -1 on error; strings in the arena. */
struct meal_pupil {
    int64_t id, guardian_id;
    const char *name, *surname, *fiscal_code;
};
int meal_pupil_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                    const char *fiscal_code, struct meal_pupil *out);
int meal_school_year(struct db *db, struct arena *a, int64_t tenant_id, const char *from,
                     const char *to, int64_t *id, const char **label);

#endif
