/*
 * Unit tests of services/booking.h on the demo municipality (created once by demo_seed in a
 * temporary database): the cut-off at 09:29:59 and 09:30:00, the earliest time on the evening
 * before, both summer-time change days, pressing twice, the family-wide cancel of today, the
 * plain-meal limit, an open-ended absence and its end, the staff's changes, the month view and
 * every refusal of bad input with the rows counted before and after. The clock is faked with
 * time_set_fake; the days chosen are checked to be school days of the demo calendars first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/audit.h"
#include "services/booking.h"
#include "services/calendar.h"
#include "services/demo.h"
#include "services/job.h"
#include "services/password.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"

struct kid {
    int64_t id, guardian;
};

struct fixture {
    char dir[64];
    char path[128];
    struct db *db;
    sqlite3 *peek; /* a second connection for counting rows */
    int64_t tenant;
    struct kid giulia, luca; /* the Rossi family */
    struct kid matteo;       /* the Esposito family */
    struct kid tommaso;      /* Colombo: applied for 2027/2028 only, not confirmed */
    struct kid alice;        /* Greco: confirmed for 2027/2028 */
};

static long long peek_int(struct fixture *f, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->peek, sql, -1, &st, NULL), SQLITE_OK);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static struct kid kid_by(struct fixture *f, const char *name, const char *surname)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT id FROM pupil WHERE name = '%s' AND surname = '%s'", name,
             surname);
    struct kid k = {peek_int(f, sql), 0};
    snprintf(sql, sizeof(sql), "SELECT guardian_id FROM pupil WHERE id = %lld", (long long)k.id);
    k.guardian = peek_int(f, sql);
    assert_true(k.id > 0 && k.guardian > 0);
    return k;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-booking-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.sqlite", f->dir);
    char err[256];
    log_set_quiet(1);
    if (password_init() != 0 || store_init(f->path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    bool created;
    if (demo_seed(f->db, "http://127.0.0.1:8080", &created) != 0 || !created)
        return -1;
    if (sqlite3_open_v2(f->path, &f->peek, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    struct arena a;
    arena_init(&a, 1024);
    struct tenant t;
    int found = tenant_find(f->db, &a, DEMO_TENANT_SLUG, &t);
    arena_free(&a);
    if (found != 1)
        return -1;
    f->tenant = t.id;
    *state = f;
    f->giulia = kid_by(f, "Giulia", "Rossi");
    f->luca = kid_by(f, "Luca", "Rossi");
    f->matteo = kid_by(f, "Matteo", "Esposito");
    f->tommaso = kid_by(f, "Tommaso", "Colombo");
    f->alice = kid_by(f, "Alice", "Greco");
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    time_set_fake(0);
    sqlite3_close(f->peek);
    store_thread_done();
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

/* ---- helpers --------------------------------------------------------------------------------- */

/* The instant of hh:mm:ss on day in Europe/Rome. */
static time_t rome(const char *day, const char *hhmm, int seconds)
{
    char iso[TIME_ISO_MAX];
    assert_int_equal(time_rome_to_utc(day, hhmm, iso), TIME_LOCAL_OK);
    time_t t;
    assert_true(time_parse_iso(iso, &t));
    return t + seconds;
}

static time_t utc(const char *iso)
{
    time_t t;
    assert_true(time_parse_iso(iso, &t));
    return t;
}

static long day_of(const char *ymd)
{
    long d;
    assert_true(school_calendar_parse_day(ymd, &d));
    return d;
}

/* The demo calendar gives the pupil a meal on day: the premise of the tests that use it. */
static void need_service(struct fixture *f, const struct kid *k, const char *day)
{
    struct arena a;
    arena_init(&a, 4096);
    struct calendar_pupil p;
    struct calendar cal;
    assert_int_equal(calendar_pupil_on(f->db, &a, f->tenant, k->id, day, &p, &cal), 1);
    if (!calendar_pupil_has_service(&cal, &p, day_of(day), NULL))
        fail_msg("the demo calendar has no service on %s for pupil %lld", day, (long long)k->id);
    arena_free(&a);
}

/* School days of the pupil from..to. */
static long service_days(struct fixture *f, const struct kid *k, const char *from, const char *to)
{
    struct arena a;
    arena_init(&a, 4096);
    struct calendar_pupil p;
    struct calendar cal;
    assert_int_equal(calendar_pupil_on(f->db, &a, f->tenant, k->id, from, &p, &cal), 1);
    long n = school_calendar_count_service(&cal.cal, day_of(from), day_of(to), p.class_id,
                                           p.weekdays[0] ? p.weekdays : NULL);
    arena_free(&a);
    return n;
}

static enum booking_err apply(struct fixture *f, const struct kid *k, enum booking_action action,
                              const char *from, const char *to, const char *key,
                              struct booking_result *res)
{
    struct booking_input in = {.tenant_id = f->tenant,
                               .guardian_id = k->guardian,
                               .pupil_id = k->id,
                               .action = action,
                               .from = from,
                               .to = to,
                               .request_key = key,
                               .actor_label = "test family"};
    return booking_apply(f->db, &in, res);
}

static long long requests(struct fixture *f)
{
    return peek_int(f, "SELECT count(*) FROM meal_request");
}

static long long days_rows(struct fixture *f)
{
    return peek_int(f, "SELECT count(*) FROM meal_day");
}

/* The stored state of the pupil's day: 'c', 'p' or 0. */
static char state_of(struct fixture *f, const struct kid *k, const char *day)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT CASE state WHEN 'cancelled' THEN 99 ELSE 112 END FROM meal_day "
             "WHERE pupil_id = %lld AND day = '%s'",
             (long long)k->id, day);
    long long v = peek_int(f, sql);
    return v < 0 ? 0 : (char)v;
}

static void assert_receipt_form(const char *receipt, const char *year)
{
    assert_int_equal(strlen(receipt), 12);
    assert_memory_equal(receipt, year, 4);
    assert_int_equal(receipt[4], '-');
    for (int i = 5; i < 12; i++)
        assert_true(receipt[i] >= '0' && receipt[i] <= '9');
}

static void set_rules(struct fixture *f, const char *latest, const char *earliest, int plain)
{
    const char *field = NULL;
    assert_int_equal(booking_rules_save(f->db, f->tenant, latest, earliest, plain, "test", &field),
                     BOOKING_OK);
}

/* ---- the cut-off ----------------------------------------------------------------------------- */

static void test_latest_time(void **state)
{
    struct fixture *f = *state;
    need_service(f, &f->giulia, "2026-12-01");
    struct booking_result res;
    long long before = requests(f), audits = audit_count(f->db, f->tenant, "meal.cancel");
    time_set_fake(rome("2026-12-01", "09:29", 59));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-01", NULL, "key-latest-1", &res),
                     BOOKING_OK);
    assert_false(res.repeated);
    assert_int_equal(res.days_changed, 1);
    assert_receipt_form(res.receipt, "2026");
    assert_int_equal(state_of(f, &f->giulia, "2026-12-01"), 'c');
    assert_int_equal(requests(f), before + 1);
    assert_int_equal(audit_count(f->db, f->tenant, "meal.cancel"), audits + 1);
    /* 09:30:00: too late, for a plain meal and an undo alike, with the cut-off said. */
    time_set_fake(rome("2026-12-01", "09:30", 0));
    long long rows = days_rows(f);
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2026-12-01", NULL, "key-latest-2", &res),
                     BOOKING_TOO_LATE);
    assert_int_equal(res.err, BOOKING_TOO_LATE);
    assert_int_equal(res.decision.verdict, CUTOFF_TOO_LATE);
    assert_int_equal(res.decision.closes_at, utc("2026-12-01T08:30:00Z"));
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_RESTORE, "2026-12-01", NULL, "key-latest-3", &res),
        BOOKING_TOO_LATE);
    /* A range starting today is refused whole; from tomorrow it is accepted. */
    assert_int_equal(
        apply(f, &f->luca, BOOKING_CANCEL, "2026-12-01", "2026-12-02", "key-latest-4", &res),
        BOOKING_TOO_LATE);
    assert_int_equal(requests(f), before + 1);
    assert_int_equal(days_rows(f), rows);
    assert_int_equal(state_of(f, &f->giulia, "2026-12-01"), 'c');
    /* A past day. */
    assert_int_equal(apply(f, &f->luca, BOOKING_CANCEL, "2026-11-30", NULL, "key-latest-5", &res),
                     BOOKING_PAST);
    assert_int_equal(res.decision.verdict, CUTOFF_PAST);
    assert_int_equal(requests(f), before + 1);
}

static void test_earliest_time(void **state)
{
    struct fixture *f = *state;
    need_service(f, &f->giulia, "2026-12-03");
    set_rules(f, "09:30", "18:00", 3);
    struct booking_result res;
    long long before = requests(f);
    time_set_fake(rome("2026-12-02", "17:59", 59));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-03", NULL, "key-early-1", &res),
                     BOOKING_TOO_EARLY);
    assert_int_equal(res.decision.verdict, CUTOFF_TOO_EARLY);
    assert_int_equal(res.decision.opens_at, utc("2026-12-02T17:00:00Z"));
    /* A range starting tomorrow waits for the evening too; one starting later does not. */
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-03", "2026-12-04", "key-early-2", &res),
        BOOKING_TOO_EARLY);
    assert_int_equal(requests(f), before);
    assert_int_equal(
        apply(f, &f->luca, BOOKING_ABSENCE, "2026-12-14", "2026-12-16", "key-early-3", &res),
        BOOKING_OK);
    assert_int_equal(res.days_changed, 2);
    time_set_fake(rome("2026-12-02", "18:00", 0));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-03", NULL, "key-early-4", &res),
                     BOOKING_OK);
    assert_int_equal(state_of(f, &f->giulia, "2026-12-03"), 'c');
    assert_int_equal(requests(f), before + 2);
    set_rules(f, "09:30", "", 3);
}

/* The earliest time on the evening of a summer-time change: 18:00 is 17:00 UTC on the last
   Sunday of October and 16:00 UTC on the last Sunday of March. */
static void test_summer_time_days(void **state)
{
    struct fixture *f = *state;
    set_rules(f, "09:30", "18:00", 3);
    struct booking_result res;
    /* Autumn: Sunday 25 October 2026 (CET from 01:00 UTC), for Monday 26. */
    need_service(f, &f->giulia, "2026-10-26");
    time_set_fake(utc("2026-10-25T16:00:00Z")); /* 18:00 of summer time: not yet */
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-10-26", NULL, "key-dst-1", &res),
                     BOOKING_TOO_EARLY);
    assert_int_equal(res.decision.opens_at, utc("2026-10-25T17:00:00Z"));
    time_set_fake(utc("2026-10-25T16:59:59Z"));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-10-26", NULL, "key-dst-2", &res),
                     BOOKING_TOO_EARLY);
    time_set_fake(utc("2026-10-25T17:00:00Z"));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-10-26", NULL, "key-dst-3", &res),
                     BOOKING_OK);
    /* The cut-off of Monday 26 at 09:30 CET is 08:30 UTC. */
    time_set_fake(utc("2026-10-26T08:29:59Z"));
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2026-10-26", NULL, "key-dst-4", &res),
                     BOOKING_OK);
    time_set_fake(utc("2026-10-26T08:30:00Z"));
    assert_int_equal(apply(f, &f->giulia, BOOKING_RESTORE, "2026-10-26", NULL, "key-dst-5", &res),
                     BOOKING_TOO_LATE);
    assert_int_equal(res.decision.closes_at, utc("2026-10-26T08:30:00Z"));
    /* Spring: Sunday 26 March 2028 (CEST from 01:00 UTC), for Monday 27 (Alice, 2027/2028). */
    need_service(f, &f->alice, "2028-03-27");
    time_set_fake(utc("2028-03-26T15:59:59Z"));
    assert_int_equal(apply(f, &f->alice, BOOKING_CANCEL, "2028-03-27", NULL, "key-dst-6", &res),
                     BOOKING_TOO_EARLY);
    assert_int_equal(res.decision.opens_at, utc("2028-03-26T16:00:00Z"));
    time_set_fake(utc("2028-03-26T16:00:00Z"));
    assert_int_equal(apply(f, &f->alice, BOOKING_CANCEL, "2028-03-27", NULL, "key-dst-7", &res),
                     BOOKING_OK);
    assert_receipt_form(res.receipt, "2028");
    /* 09:30 CEST on Monday is 07:30 UTC. */
    time_set_fake(utc("2028-03-27T07:29:59Z"));
    assert_int_equal(apply(f, &f->alice, BOOKING_RESTORE, "2028-03-27", NULL, "key-dst-8", &res),
                     BOOKING_OK);
    assert_int_equal(state_of(f, &f->alice, "2028-03-27"), 0);
    time_set_fake(utc("2028-03-27T07:30:00Z"));
    assert_int_equal(apply(f, &f->alice, BOOKING_CANCEL, "2028-03-27", NULL, "key-dst-9", &res),
                     BOOKING_TOO_LATE);
    assert_int_equal(state_of(f, &f->alice, "2028-03-27"), 0);
    set_rules(f, "09:30", "", 3);
}

/* ---- pressing twice -------------------------------------------------------------------------- */

static void test_same_key_twice(void **state)
{
    struct fixture *f = *state;
    need_service(f, &f->giulia, "2026-12-09");
    time_set_fake(rome("2026-12-07", "12:00", 0));
    struct booking_result a, b;
    long long reqs = requests(f), rows = days_rows(f);
    long long audits = audit_count(f->db, f->tenant, "meal.cancel");
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-09", NULL, "twice-key-1", &a),
                     BOOKING_OK);
    assert_false(a.repeated);
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-09", NULL, "twice-key-1", &b),
                     BOOKING_OK);
    assert_true(b.repeated);
    assert_string_equal(a.receipt, b.receipt);
    assert_string_equal(a.at, b.at);
    assert_int_equal(a.request_id, b.request_id);
    assert_int_equal(b.days_changed, 1);
    /* Even once the cut-off has passed, the repeat finds the receipt. */
    time_set_fake(rome("2026-12-09", "10:00", 0));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-09", NULL, "twice-key-1", &b),
                     BOOKING_OK);
    assert_true(b.repeated);
    assert_string_equal(a.receipt, b.receipt);
    assert_int_equal(requests(f), reqs + 1);
    assert_int_equal(days_rows(f), rows + 1);
    assert_int_equal(audit_count(f->db, f->tenant, "meal.cancel"), audits + 1);
    /* The same day again with a new key: a receipt of its own, nothing to change. */
    time_set_fake(rome("2026-12-07", "12:00", 0));
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-09", NULL, "twice-key-2", &b),
                     BOOKING_OK);
    assert_false(b.repeated);
    assert_int_equal(b.days_changed, 0);
    assert_string_not_equal(a.receipt, b.receipt);
    assert_int_equal(days_rows(f), rows + 1);
    /* Receipts count up within the tenant's year. */
    assert_true(strcmp(b.receipt, a.receipt) > 0);
}

/* ---- the whole family ------------------------------------------------------------------------ */

static void test_cancel_today_for_all(void **state)
{
    struct fixture *f = *state;
    need_service(f, &f->giulia, "2026-12-10");
    need_service(f, &f->luca, "2026-12-10");
    struct booking_result res[BOOKING_PUPILS_MAX];
    size_t n, skipped;
    long long reqs = requests(f);
    time_set_fake(rome("2026-12-10", "08:00", 0));
    assert_int_equal(booking_cancel_today_all(f->db, f->tenant, f->giulia.guardian, "today-all-1",
                                              "test family", false, res, &n, &skipped),
                     BOOKING_OK);
    assert_int_equal(n, 2);
    assert_int_equal(skipped, 0);
    assert_string_not_equal(res[0].receipt, res[1].receipt);
    assert_int_equal(state_of(f, &f->giulia, "2026-12-10"), 'c');
    assert_int_equal(state_of(f, &f->luca, "2026-12-10"), 'c');
    assert_int_equal(requests(f), reqs + 2);
    struct booking_receipt *rows;
    size_t nr;
    struct arena a;
    arena_init(&a, 4096);
    assert_int_equal(booking_receipts_find(f->db, &a, f->tenant, f->giulia.guardian, 0,
                                           "today-all-1", NULL, 0, &rows, &nr, NULL),
                     0);
    assert_int_equal(nr, 2);
    arena_free(&a);
    /* Pressed twice: the same receipts. */
    struct booking_result again[BOOKING_PUPILS_MAX];
    assert_int_equal(booking_cancel_today_all(f->db, f->tenant, f->giulia.guardian, "today-all-1",
                                              "test family", false, again, &n, &skipped),
                     BOOKING_OK);
    assert_int_equal(n, 2);
    assert_true(again[0].repeated && again[1].repeated);
    assert_string_equal(again[0].receipt, res[0].receipt);
    assert_int_equal(requests(f), reqs + 2);
    /* Late the next day: nobody's meal changes, and the cut-off is told. */
    need_service(f, &f->giulia, "2026-12-11");
    time_set_fake(rome("2026-12-11", "09:30", 0));
    long long days = days_rows(f);
    assert_int_equal(booking_cancel_today_all(f->db, f->tenant, f->giulia.guardian, "today-all-2",
                                              "test family", true, res, &n, &skipped),
                     BOOKING_TOO_LATE);
    assert_int_equal(n, 0);
    assert_int_equal(res[0].decision.closes_at, utc("2026-12-11T08:30:00Z"));
    assert_int_equal(requests(f), reqs + 2);
    assert_int_equal(days_rows(f), days);
    /* A Sunday: nothing to cancel for anyone. */
    time_set_fake(rome("2026-12-13", "08:00", 0));
    assert_int_equal(booking_cancel_today_all(f->db, f->tenant, f->giulia.guardian, "today-all-3",
                                              "test family", false, res, &n, &skipped),
                     BOOKING_NO_SERVICE);
    assert_int_equal(n, 0);
    assert_int_equal(skipped, 2);
    /* A malformed key changes nothing either. */
    time_set_fake(rome("2026-12-14", "08:00", 0));
    assert_int_equal(booking_cancel_today_all(f->db, f->tenant, f->giulia.guardian, "bad key!",
                                              "test family", false, res, &n, &skipped),
                     BOOKING_BAD_KEY);
    assert_int_equal(requests(f), reqs + 2);
    assert_int_equal(days_rows(f), days);
}

/* ---- plain meals ----------------------------------------------------------------------------- */

static void test_plain_limit(void **state)
{
    struct fixture *f = *state;
    const char *const needed[] = {"2027-02-01", "2027-02-02", "2027-02-03", "2027-02-04",
                                  "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10",
                                  "2027-02-15", "2027-02-18", "2027-02-22", "2027-02-25"};
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
        need_service(f, &f->giulia, needed[i]);
    time_set_fake(rome("2027-01-29", "12:00", 0));
    struct booking_result res;
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-01", "2027-02-03", "key-plain-1", &res),
        BOOKING_OK);
    assert_int_equal(res.days_changed, 3);
    long long reqs = requests(f), rows = days_rows(f);
    /* The fourth day in a row, next to the three already booked. */
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-04", NULL, "key-plain-2", &res),
                     BOOKING_PLAIN_LIMIT);
    assert_int_equal(res.plain_max_days, 3);
    assert_int_equal(requests(f), reqs);
    assert_int_equal(days_rows(f), rows);
    /* Friday is not next to them (Thursday stays normal); the weekend does not break a run. */
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-05", NULL, "key-plain-3", &res),
                     BOOKING_OK);
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-08", "2027-02-09", "key-plain-4", &res),
        BOOKING_OK);
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-10", NULL, "key-plain-5", &res),
                     BOOKING_PLAIN_LIMIT);
    /* Four days at once. */
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-15", "2027-02-18", "key-plain-6", &res),
        BOOKING_PLAIN_LIMIT);
    /* Plain days already booked after the range count too. */
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-24", "2027-02-25", "key-plain-7", &res),
        BOOKING_OK);
    reqs = requests(f);
    rows = days_rows(f);
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-22", "2027-02-23", "key-plain-8", &res),
        BOOKING_PLAIN_LIMIT);
    assert_int_equal(requests(f), reqs);
    assert_int_equal(days_rows(f), rows);
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2027-02-23", NULL, "key-plain-9", &res),
                     BOOKING_OK);
    assert_int_equal(state_of(f, &f->giulia, "2027-02-23"), 'p');
    /* A cancelled day in between is not a plain one; a restored day ends the run. */
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_RESTORE, "2027-02-01", "2027-02-05", "key-plain-10", &res),
        BOOKING_OK);
    assert_int_equal(res.days_changed, 4);
    assert_int_equal(state_of(f, &f->giulia, "2027-02-02"), 0);
}

/* ---- extended absence ------------------------------------------------------------------------ */

static void test_absence_and_resume(void **state)
{
    struct fixture *f = *state;
    time_set_fake(rome("2027-02-26", "12:00", 0));
    struct booking_result res;
    char sql[256];
    /* Open-ended from 1 March: every school day to the end of Luca's school year. */
    long expected = service_days(f, &f->luca, "2027-03-01", "2027-06-30");
    assert_true(expected > 50);
    assert_int_equal(apply(f, &f->luca, BOOKING_ABSENCE, "2027-03-01", NULL, "key-absence-1", &res),
                     BOOKING_OK);
    assert_int_equal(res.days_changed, expected);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM meal_day WHERE pupil_id = %lld AND day >= '2027-03-01' AND "
             "state = 'cancelled'",
             (long long)f->luca.id);
    assert_int_equal(peek_int(f, sql), expected);
    assert_int_equal(peek_int(f, "SELECT count(*) FROM meal_request WHERE request_key = "
                                 "'key-absence-1' AND to_day IS NULL"),
                     1);
    char first[SCHOOL_CALENDAR_DAY_SIZE];
    assert_int_equal(booking_open_absence(f->db, f->tenant, f->luca.id, "2027-02-26", first), 1);
    assert_string_equal(first, "2027-03-01");
    /* A day cancelled on its own inside the absence: nothing changes now, but it stays
       cancelled when the absence ends. */
    need_service(f, &f->luca, "2027-04-20");
    assert_int_equal(apply(f, &f->luca, BOOKING_CANCEL, "2027-04-20", NULL, "key-absence-6", &res),
                     BOOKING_OK);
    assert_int_equal(res.days_changed, 0);
    /* Back from 12 April. */
    long after = service_days(f, &f->luca, "2027-04-12", "2027-06-30") - 1;
    assert_int_equal(apply(f, &f->luca, BOOKING_RESUME, "2027-04-12", NULL, "key-absence-2", &res),
                     BOOKING_OK);
    assert_int_equal(res.days_changed, after);
    assert_int_equal(peek_int(f, sql), expected - after);
    assert_int_equal(state_of(f, &f->luca, "2027-04-12"), 0);
    assert_int_equal(state_of(f, &f->luca, "2027-04-20"), 'c');
    assert_int_equal(state_of(f, &f->luca, "2027-04-09"), 'c');
    /* Nothing left to resume from then on. */
    long long reqs = requests(f);
    assert_int_equal(apply(f, &f->luca, BOOKING_RESUME, "2027-04-12", NULL, "key-absence-3", &res),
                     BOOKING_NO_ABSENCE);
    assert_int_equal(requests(f), reqs);
    /* An absence with the day back at school: the days before it. */
    need_service(f, &f->giulia, "2027-04-19");
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_ABSENCE, "2027-04-12", "2027-04-19", "key-absence-4", &res),
        BOOKING_OK);
    assert_int_equal(res.days_changed, service_days(f, &f->giulia, "2027-04-12", "2027-04-18"));
    assert_int_equal(state_of(f, &f->giulia, "2027-04-16"), 'c');
    assert_int_equal(state_of(f, &f->giulia, "2027-04-19"), 0);
    assert_int_equal(peek_int(f, "SELECT count(*) FROM meal_request WHERE request_key = "
                                 "'key-absence-4' AND to_day = '2027-04-18'"),
                     1);
    /* The day back must come after the first day. */
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_ABSENCE, "2027-04-12", "2027-04-12", "key-absence-5", &res),
        BOOKING_BAD_RANGE);
    /* The month shows the open-ended days as such. */
    struct arena a;
    arena_init(&a, 8192);
    struct booking_month m;
    assert_int_equal(booking_month(f->db, &a, f->tenant, f->luca.guardian, f->luca.id, 2027, 3, &m),
                     1);
    assert_true(m.enrolled);
    assert_int_equal(m.days[0].state, BOOKING_DAY_CANCELLED); /* Monday 1 March */
    assert_true(m.days[0].open_ended);
    assert_non_null(m.days[0].receipt);
    assert_int_equal(m.cancelled, service_days(f, &f->luca, "2027-03-01", "2027-03-31"));
    arena_free(&a);
}

/* ---- bad input ------------------------------------------------------------------------------- */

static void test_bad_input_changes_nothing(void **state)
{
    struct fixture *f = *state;
    time_set_fake(rome("2026-12-14", "12:00", 0));
    struct booking_result res;
    long long reqs = requests(f), rows = days_rows(f);
    /* After the school year (and in no other one). */
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2027-07-15", NULL, "key-bad-1", &res),
                     BOOKING_OUTSIDE_YEAR);
    /* Inside the school year, after Giulia's school's last day of service (8 June). */
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2027-06-20", NULL, "key-bad-2", &res),
                     BOOKING_OUTSIDE_YEAR);
    assert_int_equal(res.last_day, day_of("2027-06-08"));
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_CANCEL, "2027-06-01", "2027-06-20", "key-bad-3", &res),
        BOOKING_OUTSIDE_YEAR);
    /* A Sunday, and a national holiday. */
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-20", NULL, "key-bad-4", &res),
                     BOOKING_NO_SERVICE);
    assert_int_equal(res.why, SCHOOL_CALENDAR_SCHOOL_WEEKDAY);
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2026-12-08", NULL, "key-bad-5", &res),
                     BOOKING_NO_SERVICE);
    assert_int_equal(res.why, SCHOOL_CALENDAR_NATIONAL_HOLIDAY);
    /* A weekend as a range: no day with service. */
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-19", "2026-12-20", "key-bad-6", &res),
        BOOKING_NO_SERVICE);
    /* Another family's child (the Rossi asking for Matteo Esposito). */
    struct booking_input in = {.tenant_id = f->tenant,
                               .guardian_id = f->giulia.guardian,
                               .pupil_id = f->matteo.id,
                               .action = BOOKING_CANCEL,
                               .from = "2026-12-15",
                               .request_key = "bad-7-key",
                               .actor_label = "test family"};
    need_service(f, &f->matteo, "2026-12-15");
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_NOT_FOUND);
    in.pupil_id = 999999;
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_NOT_FOUND);
    /* A child without a confirmed enrollment for the school year. */
    assert_int_equal(apply(f, &f->tommaso, BOOKING_CANCEL, "2026-12-15", NULL, "key-bad-8", &res),
                     BOOKING_NOT_ENROLLED);
    /* Malformed dates and ranges. */
    const char *const bad_days[] = {"2026-13-01", "2027-02-30", "15/12/2026",
                                    "abc",        "",           "2026-12-15x"};
    for (size_t i = 0; i < sizeof(bad_days) / sizeof(bad_days[0]); i++) {
        assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, bad_days[i], NULL, "key-bad-9", &res),
                         BOOKING_BAD_DATE);
        assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-15",
                               bad_days[i][0] ? bad_days[i] : "x", "key-bad-10", &res),
                         BOOKING_BAD_DATE);
    }
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, NULL, NULL, "key-bad-11", &res),
                     BOOKING_BAD_DATE);
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-16", "2026-12-15", "key-bad-12", &res),
        BOOKING_BAD_RANGE);
    assert_int_equal(
        apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-15", "2027-12-31", "key-bad-13", &res),
        BOOKING_BAD_RANGE);
    /* Keys. */
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-15", NULL, "short", &res),
                     BOOKING_BAD_KEY);
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-15", NULL, "with space 1", &res),
                     BOOKING_BAD_KEY);
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2026-12-15", NULL, NULL, &res),
                     BOOKING_BAD_KEY);
    assert_int_equal(requests(f), reqs);
    assert_int_equal(days_rows(f), rows);
}

/* ---- staff ----------------------------------------------------------------------------------- */

static void test_staff_changes(void **state)
{
    struct fixture *f = *state;
    need_service(f, &f->matteo, "2026-12-16");
    need_service(f, &f->matteo, "2026-12-17");
    time_set_fake(rome("2026-12-16", "10:00", 0));
    struct booking_input in = {.tenant_id = f->tenant,
                               .pupil_id = f->matteo.id,
                               .action = BOOKING_CANCEL,
                               .from = "2026-12-16",
                               .request_key = "staff-key-1",
                               .staff = true,
                               .actor_label = "ufficio@comune.esempio.it"};
    struct booking_result res;
    long long reqs = requests(f);
    /* A reason is required. */
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_REASON_REQUIRED);
    in.reason = "   ";
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_REASON_REQUIRED);
    assert_int_equal(requests(f), reqs);
    /* After the cut-off, with a reason: accepted, for the pupil's own family. */
    in.reason = "Sent home with a fever";
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_OK);
    assert_int_equal(state_of(f, &f->matteo, "2026-12-16"), 'c');
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM meal_request WHERE id = %lld AND actor_kind = 'staff' AND "
             "guardian_id = %lld AND reason = 'Sent home with a fever'",
             (long long)res.request_id, (long long)f->matteo.guardian);
    assert_int_equal(peek_int(f, sql), 1);
    /* A frozen day is not changed, by the office nor by the family. */
    struct job_claim c;
    assert_int_equal(job_claim(f->db, f->tenant, "cutoff", "2026-12-17", "test", 60, &c),
                     JOB_CLAIMED);
    assert_int_equal(job_finish(f->db, &c, "test"), JOB_OK);
    in.from = "2026-12-17";
    in.request_key = "staff-key-2";
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_FROZEN);
    struct booking_result fam;
    assert_int_equal(apply(f, &f->matteo, BOOKING_CANCEL, "2026-12-17", NULL, "staff-key-3", &fam),
                     BOOKING_FROZEN);
    assert_int_equal(state_of(f, &f->matteo, "2026-12-17"), 0);
    /* Staff naming the wrong family are refused like anyone. */
    in.guardian_id = f->giulia.guardian;
    in.from = "2026-12-18";
    assert_int_equal(booking_apply(f->db, &in, &res), BOOKING_NOT_FOUND);
    assert_int_equal(requests(f), reqs + 1);
}

/* ---- the month ------------------------------------------------------------------------------- */

static void test_month_view(void **state)
{
    struct fixture *f = *state;
    need_service(f, &f->giulia, "2027-05-03");
    need_service(f, &f->giulia, "2027-05-04");
    need_service(f, &f->giulia, "2027-05-05");
    need_service(f, &f->giulia, "2027-05-06");
    need_service(f, &f->giulia, "2027-05-12");
    time_set_fake(rome("2027-04-30", "12:00", 0));
    struct booking_result res;
    assert_int_equal(apply(f, &f->giulia, BOOKING_CANCEL, "2027-05-03", NULL, "key-month-1", &res),
                     BOOKING_OK);
    assert_int_equal(apply(f, &f->giulia, BOOKING_PLAIN, "2027-05-04", NULL, "key-month-2", &res),
                     BOOKING_OK);
    /* 5 May eaten (a frozen meal at 4,50), 6 May frozen without a meal. */
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO meal (tenant_id, day, pupil_id, guardian_id, enrollment_id, school_id, "
             "class_id, plain, price_cents, created_at) SELECT %lld, '2027-05-05', p.id, "
             "p.guardian_id, e.id, e.school_id, e.class_id, 0, 450, '2027-05-05T07:30:00Z' "
             "FROM pupil p JOIN enrollment e ON e.pupil_id = p.id AND e.status = 'confirmed' "
             "WHERE p.id = %lld",
             (long long)f->tenant, (long long)f->giulia.id);
    assert_int_equal(db_exec_script(f->db, sql), DB_OK);
    struct job_claim c;
    assert_int_equal(job_claim(f->db, f->tenant, "cutoff", "2027-05-06", "test", 60, &c),
                     JOB_CLAIMED);
    assert_int_equal(job_finish(f->db, &c, "test"), JOB_OK);
    struct arena a;
    arena_init(&a, 8192);
    struct booking_month m;
    assert_int_equal(
        booking_month(f->db, &a, f->tenant, f->giulia.guardian, f->giulia.id, 2027, 5, &m), 1);
    assert_int_equal(m.ndays, 31);
    assert_int_equal(m.first_weekday, 6); /* 1 May 2027 is a Saturday */
    assert_true(m.enrolled);
    assert_int_equal(m.days[0].state, BOOKING_DAY_NO_SERVICE);
    assert_int_equal(m.days[0].reason, SCHOOL_CALENDAR_SCHOOL_WEEKDAY);
    assert_int_equal(m.days[2].state, BOOKING_DAY_CANCELLED);
    assert_non_null(m.days[2].receipt);
    assert_false(m.days[2].open_ended);
    assert_true(m.days[2].changeable);
    assert_int_equal(m.days[3].state, BOOKING_DAY_PLAIN);
    assert_int_equal(m.days[4].state, BOOKING_DAY_EATEN);
    assert_int_equal(m.days[4].charged_cents, 450);
    assert_false(m.days[4].changeable);
    assert_int_equal(m.days[5].state, BOOKING_DAY_NOT_EATEN);
    assert_false(m.days[5].changeable);
    assert_int_equal(m.days[11].state, BOOKING_DAY_BOOKED);
    assert_true(m.days[11].changeable);
    assert_int_equal(m.eaten, 1);
    assert_int_equal(m.charged_cents, 450);
    assert_int_equal(m.cancelled, 1);
    assert_int_equal(m.plain, 1);
    assert_int_equal(m.booked, service_days(f, &f->giulia, "2027-05-01", "2027-05-31") - 4);
    /* Another family's child, and a summer month without an enrollment. */
    assert_int_equal(
        booking_month(f->db, &a, f->tenant, f->giulia.guardian, f->matteo.id, 2027, 5, &m), 0);
    assert_int_equal(
        booking_month(f->db, &a, f->tenant, f->giulia.guardian, f->giulia.id, 2027, 8, &m), 1);
    assert_false(m.enrolled);
    assert_int_equal(m.booked, 0);
    arena_free(&a);
}

/* ---- the settings ---------------------------------------------------------------------------- */

static void test_rules(void **state)
{
    struct fixture *f = *state;
    const char *field = NULL;
    long long audits = audit_count(f->db, f->tenant, "meal_rules.save");
    assert_int_equal(booking_rules_save(f->db, f->tenant, "25:00", "", 3, "test", &field),
                     BOOKING_INVALID);
    assert_string_equal(field, "cutoff_time");
    assert_int_equal(booking_rules_save(f->db, f->tenant, "09:30", "ieri", 3, "test", &field),
                     BOOKING_INVALID);
    assert_string_equal(field, "earliest_time");
    assert_int_equal(booking_rules_save(f->db, f->tenant, "09:30", "", 0, "test", &field),
                     BOOKING_INVALID);
    assert_string_equal(field, "plain_max_days");
    assert_int_equal(booking_rules_save(f->db, f->tenant, "09:30", "", 31, "test", &field),
                     BOOKING_INVALID);
    assert_int_equal(audit_count(f->db, f->tenant, "meal_rules.save"), audits);
    assert_int_equal(booking_rules_save(f->db, f->tenant, "9.45", "17:30", 5, "test", &field),
                     BOOKING_OK);
    struct booking_rules r;
    assert_int_equal(booking_rules_load(f->db, f->tenant, &r), 0);
    assert_int_equal(r.cutoff.latest_minute, 9 * 60 + 45);
    assert_int_equal(r.cutoff.earliest_minute, 17 * 60 + 30);
    assert_int_equal(r.plain_max_days, 5);
    assert_int_equal(audit_count(f->db, f->tenant, "meal_rules.save"), audits + 1);
    set_rules(f, "09:30", "", 3);
    assert_int_equal(booking_rules_load(f->db, f->tenant, &r), 0);
    assert_int_equal(r.cutoff.earliest_minute, CUTOFF_NO_EARLIEST);
    /* Names. */
    enum booking_action act;
    assert_true(booking_action_parse("absence", &act));
    assert_int_equal(act, BOOKING_ABSENCE);
    assert_false(booking_action_parse("delete", &act));
    assert_string_equal(booking_action_name(BOOKING_RESUME), "resume");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latest_time),
        cmocka_unit_test(test_earliest_time),
        cmocka_unit_test(test_summer_time_days),
        cmocka_unit_test(test_same_key_twice),
        cmocka_unit_test(test_cancel_today_for_all),
        cmocka_unit_test(test_plain_limit),
        cmocka_unit_test(test_absence_and_resume),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_staff_changes),
        cmocka_unit_test(test_month_view),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
