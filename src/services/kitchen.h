/*
 * The kitchen sheet of a day: what each school's kitchen must cook, from the frozen meal rows
 * (status 'served') of the day. Totals per school and per class, per diet code and plain meal,
 * and the list of pupils with a special diet (name, class and diet code only: never the medical
 * details of enrollment.diet_notes). Before the day is frozen the sheet is a forecast from the
 * bookings (services/booking.h) and says so.
 *
 * Shown to the `cucina` role (and the office) as a page, a PDF (docs/, in a child process) and a
 * CSV; e-mailed to each school's kitchen_email by the cut-off job.
 */
#ifndef REFETTORIO_SERVICES_KITCHEN_H
#define REFETTORIO_SERVICES_KITCHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/tenant.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"

struct kitchen_diet_count {
    const char *diet_code; /* "" for the normal menu */
    long meals, plain;
};
struct kitchen_class {
    int64_t class_id; /* 0: no class */
    const char *class_name;
    long meals, plain, diets; /* diets: meals with a diet code */
};
struct kitchen_pupil {
    const char *surname, *name, *class_name, *diet_code;
    bool plain;
};
struct kitchen_school {
    int64_t school_id;
    const char *school_name, *kitchen_email;
    long meals, plain, diets;
    struct kitchen_class *classes;
    size_t nclasses;
    struct kitchen_diet_count *diet_counts; /* the normal menu first, then by code */
    size_t ndiet_counts;
    struct kitchen_pupil *special; /* pupils with a diet code or a plain meal, by class, surname */
    size_t nspecial;
};
struct kitchen_sheet {
    char day[11];
    bool frozen; /* false: a forecast from the bookings */
    long meals, plain, diets;
    struct kitchen_school *schools;
    size_t nschools;
};

/* The sheet of day ("YYYY-MM-DD") for school_id (0: every school). 0 or -1. */
int kitchen_sheet_load(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                       int64_t school_id, struct kitchen_sheet *out);
/* The sheet as CSV (one line per school, class, diet code and plain flag with the count, then
   the special-diet list), into out. 0 or -1. */
int kitchen_sheet_csv(const struct kitchen_sheet *s, struct buf *out);
/* Queues one e-mail per school of the day's frozen sheet that has a kitchen address, with the
   CSV attached, inside the caller's transaction. *queued (may be NULL) gets how many. 0 or -1. */
int kitchen_mail_queue_tx(struct db *db, struct arena *a, const struct tenant *t, const char *day,
                          size_t *queued);

#endif
