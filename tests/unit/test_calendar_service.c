/*
 * The office's calendar changes (services/calendar.h) on a migrated database with a faked
 * clock: the first changeable day around the cut-off, the frozen-day rule for the service, for
 * exceptions of the school and of a class and for deletions, the input checks with the field
 * each belongs to, the copy to other schools (whole-school exceptions replaced, class ones kept
 * and counted, all or nothing) and the summaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cutoff.h"
#include "services/audit.h"
#include "services/calendar.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

struct fixture {
    char dir[64];
    struct db *db;
    int64_t tenant, year, rodari, milani, montessori, class_3a, class_4a;
    struct arena a;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-cal-XXXXXX");
    char path[128], err[256];
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.sqlite", f->dir);
    if (store_init(path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    arena_init(&f->a, 4096);
    log_set_quiet(1);
    struct tenant_new tn = {.slug = "prova", .name = "Comune di Prova", .email = "u@prova.it"};
    if (tenant_create(f->db, &tn, &f->tenant) != TENANT_OK ||
        school_year_create(f->db, f->tenant, "2026/2027", "2026-09-14", "2027-06-30", &f->year) !=
            TENANT_OK ||
        school_create(f->db, f->tenant, "Infanzia Rodari", SCHOOL_INFANZIA, "", "", &f->rodari) !=
            TENANT_OK ||
        school_create(f->db, f->tenant, "Primaria Milani", SCHOOL_PRIMARIA, "", "", &f->milani) !=
            TENANT_OK ||
        school_create(f->db, f->tenant, "Primaria Montessori", SCHOOL_PRIMARIA, "", "",
                      &f->montessori) != TENANT_OK ||
        class_create(f->db, f->tenant, f->milani, f->year, "3A", &f->class_3a) != TENANT_OK ||
        class_create(f->db, f->tenant, f->montessori, f->year, "4A", &f->class_4a) != TENANT_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    time_set_fake(0);
    store_thread_done();
    arena_free(&f->a);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

static long day_of(const char *ymd)
{
    long d = 0;
    assert_true(school_calendar_parse_day(ymd, &d));
    return d;
}

/* The clock at hh:mm on the Europe/Rome wall clock of day. */
static void at(const char *ymd, int hh, int mm)
{
    time_set_fake(cutoff_rome_instant(day_of(ymd), hh * 60 + mm));
}

static enum calendar_err add(struct fixture *f, int64_t school, const char *kind, const char *from,
                             const char *to, int64_t class_id, const char *note,
                             struct calendar_problem *p)
{
    struct calendar_exception_input in = {
        .kind = kind, .from_day = from, .to_day = to, .note = note, .class_id = class_id};
    return calendar_add_exception(f->db, f->tenant, school, f->year, &in, "ufficio@prova.it", NULL,
                                  p);
}

static bool has_service(struct fixture *f, int64_t school, const char *ymd, int64_t class_id)
{
    struct calendar c;
    assert_int_equal(calendar_load(f->db, &f->a, f->tenant, school, f->year, &c), 1);
    return school_calendar_has_service(&c.cal, day_of(ymd), class_id, NULL, NULL);
}

static void test_first_changeable_day(void **state)
{
    struct fixture *f = *state;
    long day;
    /* The tenant's cut-off is 09:30: until 09:29:59 today may still change, from 09:30 not. */
    at("2026-11-24", 9, 29);
    assert_int_equal(calendar_first_changeable_day(f->db, f->tenant, &day), 0);
    assert_int_equal(day, day_of("2026-11-24"));
    at("2026-11-24", 9, 30);
    assert_int_equal(calendar_first_changeable_day(f->db, f->tenant, &day), 0);
    assert_int_equal(day, day_of("2026-11-25"));
    /* In winter Rome is UTC+1: 23:30 on the 24th is still the 24th. */
    at("2026-11-24", 23, 30);
    assert_int_equal(calendar_first_changeable_day(f->db, f->tenant, &day), 0);
    assert_int_equal(day, day_of("2026-11-25"));
}

static void test_service_and_frozen_days(void **state)
{
    struct fixture *f = *state;
    struct calendar_problem p;
    /* Before the year starts anything may change. */
    at("2026-09-01", 12, 0);
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-21",
                                           "2027-06-08", "12345", "ufficio@prova.it", &p),
                     CALENDAR_OK);
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.service"), 1);
    /* Input checks, each with its field. */
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-02-30",
                                           "2027-06-08", "12345", NULL, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "first_day");
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-01",
                                           "2027-06-08", "12345", NULL, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "first_day");
    assert_string_equal(p.message, "The date is outside the school year.");
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-21",
                                           "2026-09-20", "12345", NULL, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "last_day");
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-21",
                                           "2027-06-08", "531", NULL, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "weekdays");
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, 999999, "2026-09-21",
                                           "2027-06-08", "12345", NULL, &p),
                     CALENDAR_NOT_FOUND);
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.service"), 1);

    /* Tuesday 24 November 2026, after the cut-off: days up to the 24th are frozen. */
    at("2026-11-24", 10, 0);
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-21",
                                           "2027-06-08", "1234", NULL, &p),
                     CALENDAR_FROZEN);
    assert_string_equal(p.field, "first_day");
    assert_string_equal(p.day, "2026-11-24");
    assert_non_null(strstr(p.message, "{day}"));
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-28",
                                           "2027-06-08", "12345", NULL, &p),
                     CALENDAR_FROZEN);
    /* The last day moves: only later days change. */
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, f->year, "2026-09-21",
                                           "2027-06-10", "12345", NULL, &p),
                     CALENDAR_OK);

    /* Today is frozen after the cut-off, tomorrow is not. */
    assert_int_equal(add(f, f->milani, "strike", "2026-11-24", NULL, 0, "", &p), CALENDAR_FROZEN);
    assert_string_equal(p.field, "from_day");
    assert_true(has_service(f, f->milani, "2026-11-24", 0));
    assert_int_equal(add(f, f->milani, "strike", "2026-11-25", "", 0, "Sciopero", &p), CALENDAR_OK);
    assert_false(has_service(f, f->milani, "2026-11-25", 0));
    /* A range reaching back into frozen days is refused whole. */
    assert_int_equal(add(f, f->milani, "closure", "2026-11-20", "2026-11-27", 0, "", &p),
                     CALENDAR_FROZEN);
    /* A past Saturday had no service anyway: recording it changes nothing frozen. */
    assert_int_equal(add(f, f->milani, "closure", "2026-11-21", "2026-11-22", 0, "", &p),
                     CALENDAR_OK);
    /* A class: its past days are frozen too, its future ones not. */
    assert_int_equal(add(f, f->milani, "trip", "2026-11-23", NULL, f->class_3a, "", &p),
                     CALENDAR_FROZEN);
    assert_int_equal(add(f, f->milani, "trip", "2026-11-26", NULL, f->class_3a, "Museo", &p),
                     CALENDAR_OK);
    assert_false(has_service(f, f->milani, "2026-11-26", f->class_3a));
    assert_true(has_service(f, f->milani, "2026-11-26", 0));
    /* Before the cut-off, today may still change (at another school with its defaults). */
    at("2026-11-24", 9, 0);
    assert_int_equal(add(f, f->rodari, "closure", "2026-11-24", NULL, 0, "Elezioni", &p),
                     CALENDAR_OK);
    assert_false(has_service(f, f->rodari, "2026-11-24", 0));
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.exception_add"), 4);

    /* Deleting: a future exception goes, one whose days are frozen stays. */
    at("2026-11-26", 10, 0);
    struct calendar c;
    assert_int_equal(calendar_load(f->db, &f->a, f->tenant, f->milani, f->year, &c), 1);
    int64_t strike = 0, trip = 0;
    for (size_t i = 0; i < c.nrows; i++) {
        if (!strcmp(c.rows[i].kind, "strike"))
            strike = c.rows[i].id;
        if (!strcmp(c.rows[i].kind, "trip"))
            trip = c.rows[i].id;
    }
    assert_int_equal(
        calendar_delete_exception(f->db, f->tenant, f->milani, f->year, strike, NULL, &p),
        CALENDAR_FROZEN);
    assert_null(p.field);
    assert_string_equal(p.day, "2026-11-26");
    assert_int_equal(
        calendar_delete_exception(f->db, f->tenant, f->milani, f->year, trip, NULL, &p),
        CALENDAR_FROZEN);
    at("2026-11-25", 8, 0);
    assert_int_equal(
        calendar_delete_exception(f->db, f->tenant, f->milani, f->year, trip, NULL, &p),
        CALENDAR_OK);
    assert_true(has_service(f, f->milani, "2026-11-26", f->class_3a));
    assert_int_equal(
        calendar_delete_exception(f->db, f->tenant, f->milani, f->year, trip, NULL, &p),
        CALENDAR_NOT_FOUND);
    /* Not through another school's path. */
    assert_int_equal(
        calendar_delete_exception(f->db, f->tenant, f->montessori, f->year, strike, NULL, &p),
        CALENDAR_NOT_FOUND);
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.exception_delete"), 1);
}

static void test_exception_checks(void **state)
{
    struct fixture *f = *state;
    struct calendar_problem p;
    at("2026-10-01", 12, 0);
    long long before = audit_count(f->db, f->tenant, "calendar.exception_add");
    assert_int_equal(add(f, f->montessori, "closure", "2026-13-01", NULL, 0, "", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "from_day");
    assert_string_equal(p.message, "Enter a valid date.");
    /* Montessori has no stored service: the school year's dates. */
    assert_int_equal(add(f, f->montessori, "closure", "2027-07-01", NULL, 0, "", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "from_day");
    assert_string_equal(p.message, "The date is outside the school year.");
    assert_int_equal(add(f, f->montessori, "closure", "2026-12-10", "2026-12-09", 0, "", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "to_day");
    assert_int_equal(add(f, f->montessori, "closure", "2026-12-10", "2027-07-09", 0, "", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "to_day");
    assert_int_equal(add(f, f->montessori, "holidays", "2026-12-10", NULL, 0, "", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "kind");
    /* 3A is Milani's. */
    assert_int_equal(add(f, f->montessori, "trip", "2026-12-10", NULL, f->class_3a, "", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "class_id");
    char note[CALENDAR_NOTE_MAX + 2];
    memset(note, 'x', CALENDAR_NOTE_MAX + 1);
    note[CALENDAR_NOTE_MAX + 1] = '\0';
    assert_int_equal(add(f, f->montessori, "closure", "2026-12-10", NULL, 0, note, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "note");
    assert_int_equal(add(f, f->montessori, "closure", "2026-12-10", NULL, 0, "a\nb", &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "note");
    /* CALENDAR_NOTE_MAX characters, accented ones counted once, are fine. */
    char accents[2 * CALENDAR_NOTE_MAX + 1] = "";
    for (int i = 0; i < CALENDAR_NOTE_MAX; i++)
        strcat(accents, "\xc3\xa8");
    assert_int_equal(add(f, f->montessori, "closure", "2026-12-10", NULL, 0, accents, &p),
                     CALENDAR_OK);
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.exception_add"), before + 1);
}

static void test_copy(void **state)
{
    struct fixture *f = *state;
    struct calendar_problem p;
    struct calendar_copy_result res;
    /* Start again in a new school year, before it begins. */
    int64_t year, a_class, b_class;
    assert_int_equal(
        school_year_create(f->db, f->tenant, "2027/2028", "2027-09-13", "2028-06-30", &year),
        TENANT_OK);
    assert_int_equal(class_create(f->db, f->tenant, f->milani, year, "1A", &a_class), TENANT_OK);
    assert_int_equal(class_create(f->db, f->tenant, f->montessori, year, "1B", &b_class),
                     TENANT_OK);
    at("2027-08-01", 12, 0);
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->milani, year, "2027-09-20",
                                           "2028-06-07", "12345", NULL, &p),
                     CALENDAR_OK);
    struct calendar_exception_input in[] = {
        {"closure", "2027-12-23", "2028-01-06", "Vacanze di Natale", 0},
        {"holiday", "2028-01-20", NULL, "Santo patrono", 0},
        {"trip", "2027-10-05", NULL, "Gita", a_class},
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(
            calendar_add_exception(f->db, f->tenant, f->milani, year, &in[i], NULL, NULL, &p),
            CALENDAR_OK);
    /* Montessori: a whole-school strike (replaced by the copy) and a trip of its own class. */
    struct calendar_exception_input own[] = {
        {"strike", "2027-11-11", NULL, "Sciopero", 0},
        {"trip", "2027-10-12", NULL, "Museo", b_class},
    };
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(
            calendar_add_exception(f->db, f->tenant, f->montessori, year, &own[i], NULL, NULL, &p),
            CALENDAR_OK);

    /* Refusals: nothing chosen, the source itself, a school of nobody, twice the same. */
    assert_int_equal(calendar_copy(f->db, f->tenant, f->milani, year, NULL, 0, NULL, &res, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "targets");
    int64_t self[] = {f->milani};
    assert_int_equal(calendar_copy(f->db, f->tenant, f->milani, year, self, 1, NULL, &res, &p),
                     CALENDAR_INVALID);
    int64_t unknown[] = {f->montessori, 999999};
    assert_int_equal(calendar_copy(f->db, f->tenant, f->milani, year, unknown, 2, NULL, &res, &p),
                     CALENDAR_INVALID);
    assert_string_equal(p.field, "targets");
    /* ... and nothing of the first target was changed by the failed copy. */
    struct calendar c;
    assert_int_equal(calendar_load(f->db, &f->a, f->tenant, f->montessori, year, &c), 1);
    assert_false(c.stored);
    assert_int_equal(c.nrows, 2);

    int64_t both[] = {f->montessori, f->rodari};
    assert_int_equal(
        calendar_copy(f->db, f->tenant, f->milani, year, both, 2, "u@prova.it", &res, &p),
        CALENDAR_OK);
    assert_int_equal(res.schools, 2);
    assert_int_equal(res.exceptions, 2);
    assert_int_equal(res.skipped_class_only, 1);
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.copy"), 2);
    assert_int_equal(calendar_load(f->db, &f->a, f->tenant, f->montessori, year, &c), 1);
    assert_true(c.stored);
    assert_string_equal(c.first_day, "2027-09-20");
    assert_string_equal(c.last_day, "2028-06-07");
    assert_string_equal(c.weekdays, "12345");
    /* Its own class trip stays, its strike is gone, the source's two are there. */
    assert_int_equal(c.nrows, 3);
    bool trip = false, strike = false, christmas = false;
    for (size_t i = 0; i < c.nrows; i++) {
        trip |= c.rows[i].class_id == b_class;
        strike |= !strcmp(c.rows[i].kind, "strike");
        christmas |= !strcmp(c.rows[i].note, "Vacanze di Natale") && c.rows[i].class_id == 0;
    }
    assert_true(trip);
    assert_false(strike);
    assert_true(christmas);
    assert_int_equal(calendar_load(f->db, &f->a, f->tenant, f->rodari, year, &c), 1);
    assert_int_equal(c.nrows, 2);

    /* Once the year is under way a copy that would change a school's past days is refused. */
    at("2027-10-20", 12, 0);
    assert_int_equal(calendar_save_service(f->db, f->tenant, f->rodari, year, "2027-09-20",
                                           "2028-06-30", "12345", NULL, &p),
                     CALENDAR_OK);
    int64_t rodari[] = {f->rodari};
    assert_int_equal(
        calendar_copy(f->db, f->tenant, f->montessori, year, rodari, 1, NULL, &res, &p),
        CALENDAR_OK);
    assert_int_equal(calendar_add_exception(f->db, f->tenant, f->rodari, year,
                                            &(struct calendar_exception_input){
                                                "closure", "2027-11-02", NULL, "Ponte", 0},
                                            NULL, NULL, &p),
                     CALENDAR_OK);
    at("2027-11-10", 12, 0);
    int64_t milani[] = {f->montessori, f->rodari};
    assert_int_equal(calendar_copy(f->db, f->tenant, f->milani, year, milani, 2, NULL, &res, &p),
                     CALENDAR_FROZEN);
    assert_string_equal(p.field, "targets");
    assert_int_equal(p.school_id, f->rodari);
    assert_string_equal(p.day, "2027-11-10");
    assert_non_null(strstr(p.message, "{school}"));
    assert_int_equal(audit_count(f->db, f->tenant, "calendar.copy"), 3);
}

static void test_summaries_and_lists(void **state)
{
    struct fixture *f = *state;
    struct calendar_summary *s;
    size_t n;
    assert_int_equal(calendar_summaries(f->db, &f->a, f->tenant, f->year, &s, &n), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        struct calendar c;
        assert_int_equal(calendar_load(f->db, &f->a, f->tenant, s[i].school_id, f->year, &c), 1);
        assert_int_equal(s[i].stored, c.stored);
        assert_int_equal(s[i].nexceptions, c.nrows);
        assert_int_equal(s[i].service_days, school_calendar_count_service(&c.cal, c.cal.first_day,
                                                                          c.cal.last_day, 0, NULL));
        if (s[i].school_id == f->milani) {
            assert_true(s[i].stored);
            assert_string_equal(s[i].last_day, "2027-06-10");
        }
        if (s[i].school_id == f->montessori)
            assert_false(s[i].stored);
    }
    struct calendar_year *years;
    assert_int_equal(calendar_years(f->db, &f->a, f->tenant, &years, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(years[0].label, "2026/2027");
    assert_string_equal(years[1].starts_on, "2027-09-13");
    struct calendar_year y;
    assert_int_equal(calendar_year_find(f->db, &f->a, f->tenant, f->year, &y), 1);
    assert_int_equal(calendar_year_find(f->db, &f->a, f->tenant + 1, f->year, &y), 0);
    struct calendar_class *classes;
    assert_int_equal(calendar_classes(f->db, &f->a, f->tenant, f->milani, f->year, &classes, &n),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(classes[0].name, "3A");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_changeable_day), cmocka_unit_test(test_service_and_frozen_days),
        cmocka_unit_test(test_exception_checks),     cmocka_unit_test(test_copy),
        cmocka_unit_test(test_summaries_and_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
