/*
 * Bookings: a pupil with a confirmed enrollment is booked for lunch on every day their school
 * serves and the family chose (services/calendar.h); the family changes that default day by day
 * before the cut-off (domain/cutoff.h, the municipality's rule):
 *
 *   cancel   one day or a range of days (from..to): no meal, no charge;
 *   plain    a plain meal ("pasto in bianco") for one or more consecutive days, at most the
 *            municipality's plain_max_days consecutive service days without a medical
 *            certificate (counting plain days already booked next to the range);
 *   restore  undo either for one day or a range: back to the normal booking;
 *   absence  an extended absence ("assenza prolungata") from a day, until a resume day (the
 *            first day the pupil eats again, so to = resume - 1) or open-ended (to NULL in the
 *            receipt, stored as cancelled days up to the school year's last day of service);
 *   resume   end an open-ended absence ("riattiva") from a day on: the cancelled days from that
 *            day on become booked again.
 *
 * Rules, in this order, each a clear refusal that changes nothing:
 *   - the pupil is the family's (else BOOKING_NOT_FOUND: no hint that the id exists);
 *   - the day is a real date (BOOKING_BAD_DATE); to >= from and at most SCHOOL_CALENDAR_RANGE_MAX
 *     days (BOOKING_BAD_RANGE);
 *   - the pupil has a confirmed enrollment for a school year containing from (BOOKING_NOT_ENROLLED)
 *     and the days lie within its calendar's first..last day of service (BOOKING_OUTSIDE_YEAR);
 *   - for one day: the pupil eats that day (BOOKING_NO_SERVICE, with the calendar's reason); for
 *     a range: at least one day of it has service (else BOOKING_NO_SERVICE); days without service
 *     inside a range are skipped (nothing to cancel on a holiday);
 *   - the cut-off for the first day changed (BOOKING_TOO_LATE / BOOKING_TOO_EARLY / BOOKING_PAST,
 *     with the cutoff_decision to explain it). A family's range whose first day is too late is
 *     refused whole (it must start tomorrow instead: the message says so). The earliest time is
 *     applied to single-day changes and to a range's first day only when that day is today or
 *     tomorrow; an absence planned further ahead is what "assenza prolungata" is for;
 *   - plain: the consecutive run would exceed plain_max_days (BOOKING_PLAIN_LIMIT).
 * Staff changes (actor staff, reason required: BOOKING_REASON_REQUIRED) skip the cut-off but not
 * the other rules, and never touch a frozen day (a day whose cut-off job has run: BOOKING_FROZEN;
 * the office corrects frozen days through services/meal.h).
 *
 * Every accepted change is one meal_request row with a receipt number ("<year>-<7 digits>",
 * unique per tenant, e.g. "2026-0000123"), the time, and days_changed (0 when the days were
 * already so: the receipt still proves the request); the meal_day rows change in the same
 * transaction, which is audit-logged (entity "meal_request", action "meal.<action>"). The same
 * request_key for the same pupil returns the first receipt again and changes nothing
 * (BOOKING_OK with *repeated set), so pressing twice makes one change. When the family asks, the
 * receipt is queued by e-mail in the same transaction.
 */
#ifndef REFETTORIO_SERVICES_BOOKING_H
#define REFETTORIO_SERVICES_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/time.h"

#define BOOKING_RECEIPT_SIZE 16 /* "2026-0000123" + NUL */
#define BOOKING_KEY_MIN      8
#define BOOKING_KEY_MAX      64
#define BOOKING_REASON_MAX   500
#define BOOKING_PUPILS_MAX   20 /* children one family-wide change may cover */

enum booking_action {
    BOOKING_CANCEL,
    BOOKING_PLAIN,
    BOOKING_RESTORE,
    BOOKING_ABSENCE,
    BOOKING_RESUME,
};

enum booking_err {
    BOOKING_OK = 0,
    BOOKING_NOT_FOUND,       /* no such pupil in this family */
    BOOKING_BAD_DATE,        /* a malformed date */
    BOOKING_BAD_RANGE,       /* to before from, or too long */
    BOOKING_NOT_ENROLLED,    /* no confirmed enrollment for the school year of the day */
    BOOKING_OUTSIDE_YEAR,    /* before the first / after the last day of service */
    BOOKING_NO_SERVICE,      /* no service on the day (or on any day of the range) */
    BOOKING_TOO_LATE,        /* the cut-off has passed */
    BOOKING_TOO_EARLY,       /* the window has not opened yet */
    BOOKING_PAST,            /* the day is before today */
    BOOKING_PLAIN_LIMIT,     /* more consecutive plain days than allowed */
    BOOKING_NO_ABSENCE,      /* resume: no open-ended absence covers the day */
    BOOKING_FROZEN,          /* staff: the day's meals are frozen; correct them instead */
    BOOKING_REASON_REQUIRED, /* staff: a reason is required */
    BOOKING_BAD_KEY,         /* request_key missing or malformed (8..64 of [A-Za-z0-9_-]) */
    BOOKING_INVALID,         /* booking_rules_save: a bad setting (see *field) */
    BOOKING_DB,
};

struct booking_input {
    int64_t tenant_id;
    int64_t guardian_id; /* the family: the pupil must be its own */
    int64_t pupil_id;
    enum booking_action action;
    const char *from; /* "YYYY-MM-DD" */
    const char *to;   /* "YYYY-MM-DD"; NULL/"" for one day (cancel, plain, restore), or for an
                         open-ended absence; for an absence with a resume day, the resume day
                         (the first day the pupil eats again) */
    const char *request_key; /* from the form, one per rendered form */
    bool staff;              /* the office on the family's behalf: no cut-off, reason required */
    const char *actor_label; /* who: the family's name or the staff user's e-mail */
    const char *reason;      /* staff: required; family: ignored */
    bool mail_receipt;       /* queue the receipt by e-mail to the family */
};

struct booking_result {
    enum booking_err err;
    bool repeated; /* the request_key had already been used: the first receipt is returned */
    char receipt[BOOKING_RECEIPT_SIZE];
    char at[TIME_ISO_MAX]; /* when the change was accepted (UTC) */
    long days_changed;
    long first_day, last_day;        /* the days the change covers (day numbers) */
    enum school_calendar_reason why; /* BOOKING_NO_SERVICE: the calendar's reason */
    struct cutoff_decision decision; /* TOO_LATE / TOO_EARLY / PAST: the cut-off verdict */
    int plain_max_days;              /* BOOKING_PLAIN_LIMIT: the limit */
    int64_t request_id;
};

/* Applies one change for one pupil in its own transaction, judged at time_now(). Staff may
   leave guardian_id 0: the pupil's own family is then recorded. */
enum booking_err booking_apply(struct db *db, const struct booking_input *in,
                               struct booking_result *out);
/* The same inside the caller's open transaction (the demo seeds through it). Every check comes
   before any write, so a refusal has written nothing; after BOOKING_DB the caller rolls back. */
enum booking_err booking_apply_tx(struct db *db, const struct booking_input *in,
                                  struct booking_result *out);

/* "Cancel today for all my children": one cancel of today for every child of the family with
   service today, each its own receipt (request_key shared, so repeating is harmless). Children
   without service today are skipped and reported in *skipped. One transaction: either every
   child's change or none (a late request refuses all, with the cut-off). results has room for
   BOOKING_PUPILS_MAX. */
enum booking_err booking_cancel_today_all(struct db *db, int64_t tenant_id, int64_t guardian_id,
                                          const char *request_key, const char *actor_label,
                                          bool mail_receipt, struct booking_result *results,
                                          size_t *n, size_t *skipped);

/* The state of each day of a month for one pupil, for the family's calendar page. */
enum booking_day_state {
    BOOKING_DAY_NO_SERVICE, /* why in reason */
    BOOKING_DAY_BOOKED,
    BOOKING_DAY_CANCELLED,
    BOOKING_DAY_PLAIN,
    BOOKING_DAY_EATEN,     /* a frozen meal (served) */
    BOOKING_DAY_NOT_EATEN, /* frozen, no meal (cancelled in time, or removed by the office) */
};
struct booking_day {
    long day;
    enum booking_day_state state;
    enum school_calendar_reason reason; /* NO_SERVICE */
    bool plain;                         /* EATEN: was a plain meal */
    bool changeable;                    /* the family may still change it now */
    bool open_ended;                    /* cancelled by an open-ended absence */
    int64_t charged_cents;              /* EATEN: the price charged */
    const char *receipt;                /* the receipt that set CANCELLED/PLAIN, or NULL */
};
struct booking_month {
    int year, month, ndays, first_weekday;
    struct booking_day days[SCHOOL_CALENDAR_MONTH_MAX];
    long booked, cancelled, plain, eaten; /* counts over the month */
    int64_t charged_cents;                /* sum over the month */
    bool enrolled;                        /* false: no confirmed enrollment in this month */
};
/* The month (1..12) of year for pupil (of guardian_id); 1 filled, 0 pupil not the family's,
   -1 on error. */
int booking_month(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                  int64_t pupil_id, int year, int month, struct booking_month *out);

/* A family's receipts, newest first (at most limit). */
struct booking_receipt {
    int64_t id, pupil_id;
    const char *receipt, *action, *from_day, *to_day, *actor_kind, *actor_label, *reason,
        *created_at, *pupil_name;
    long days_changed;
};
int booking_receipts(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                     int64_t pupil_id, int limit, struct booking_receipt **rows, size_t *n);
#define BOOKING_RECEIPTS_MAX 200 /* rows one list returns */
/* The same, narrowed (each NULL/"" or 0 for any): to one pupil, to the requests made with one
   request_key (the family-wide cancel), to one receipt number (the receipt's page). limit 0 or
   past BOOKING_RECEIPTS_MAX selects BOOKING_RECEIPTS_MAX. *mail_requested (may be NULL) tells
   whether the newest row was asked for by e-mail. 0 or -1. */
int booking_receipts_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t guardian_id,
                          int64_t pupil_id, const char *request_key, const char *receipt, int limit,
                          struct booking_receipt **rows, size_t *n, bool *mail_requested);
/* The first day from from_day ("YYYY-MM-DD") on that an open-ended absence keeps cancelled,
   into first_day: 1 found (the family may "riattiva"), 0 none, -1 on error. */
int booking_open_absence(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *from_day,
                         char first_day[SCHOOL_CALENDAR_DAY_SIZE]);
/* The family's last choice of receipts by e-mail (guardian.meal_receipt_mail), remembered by
   every change it makes: 1, 0 (also for no such family), -1 on error. */
int booking_mail_choice(struct db *db, int64_t tenant_id, int64_t guardian_id);

/* The municipality's rule as stored (tenant.cutoff_time, earliest_time, plain_max_days). */
struct booking_rules {
    struct cutoff_rule cutoff;
    int plain_max_days;
};
int booking_rules_load(struct db *db, int64_t tenant_id, struct booking_rules *out);
/* The office's settings form: times as typed ("09:30", "" for no earliest), audit-logged. On
   BOOKING_INVALID, *field names the bad field ("cutoff_time", "earliest_time",
   "plain_max_days"). */
enum booking_err booking_rules_save(struct db *db, int64_t tenant_id, const char *latest,
                                    const char *earliest, int plain_max_days,
                                    const char *actor_label, const char **field);

/* Names: "cancel", ... and back; labels for people as N_() msgids. */
const char *booking_action_name(enum booking_action a);
bool booking_action_parse(const char *s, enum booking_action *out);
const char *booking_action_label(const char *name);
const char *booking_strerror(enum booking_err e);

#endif
