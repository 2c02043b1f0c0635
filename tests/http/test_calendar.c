/*
 * The office's school calendars over the real request path, against the demo's database: the
 * list of schools for the school year and a school's month view (service, national holidays,
 * the demo's closures, the class trip); saving the days of service and weekdays; a closure for
 * the whole school and a trip for one class, both in the month view, one deleted; the copy of a
 * calendar to another school (the class trip stays behind and is counted as skipped). Bad input
 * is refused with the message next to its field, what was typed kept and nothing written: a
 * malformed date, a date outside the school year, an end before the start, a class of another
 * school, a day already frozen, no weekday, no school to copy to. The kitchen changes nothing
 * (403) and the catering operator only reads.
 *
 * The server runs on the real clock, so the days the test changes are computed from today (in
 * Europe/Rome): future days with service for the changes, a past day with service for the
 * frozen refusal. The demo's school year 2026/2027 runs from 2026-09-14 to 2027-06-30.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "harness.h"

#define TENANT     HARNESS_DEMO_TENANT
#define T          "/" TENANT
#define BASE       T "/ufficio/calendari"
#define ADMIN      "admin@comune.esempio.it"
#define KITCHEN    "cucina@ristorazione-esempio.it"
#define OPERATOR   "gestore@ristorazione-esempio.it"
#define MONTESSORI "Scuola primaria Maria Montessori"
#define MILANI     "Scuola primaria Don Lorenzo Milani"

struct session {
    struct harness_session s;
    char cookie[HARNESS_TOKEN_MAX + 32]; /* with lang=en: the messages read as in the code */
};

static long long db_int(void **state, const char *sql, const char *p1, const char *p2)
{
    const char *const params[] = {p1, p2, NULL};
    return harness_db_int(*state, sql, params);
}

static void staff(void **state, const char *email, struct session *s)
{
    memset(s, 0, sizeof(*s));
    harness_sign_in(*state, TENANT, email, HARNESS_DEMO_PASSWORD, 303, &s->s);
    snprintf(s->cookie, sizeof(s->cookie), "%s; lang=en", s->s.cookie);
}

static long long school_id(void **state, const char *name)
{
    return db_int(state, "SELECT id FROM school WHERE name = ?1", name, NULL);
}

static long long year_id(void **state, const char *label)
{
    return db_int(state, "SELECT id FROM school_year WHERE label = ?1", label, NULL);
}

static long long class_id(void **state, const char *school, const char *name)
{
    return db_int(state,
                  "SELECT k.id FROM class k JOIN school s ON s.id = k.school_id JOIN school_year y "
                  "ON y.id = k.school_year_id WHERE s.name = ?1 AND k.name = ?2 AND "
                  "y.label = '2026/2027'",
                  school, name);
}

/* The path of a school's page for 2026/2027, plus suffix. */
static void school_path(void **state, const char *school, const char *suffix, char *out, size_t n)
{
    snprintf(out, n, BASE "/%lld/%lld%s", school_id(state, school), year_id(state, "2026/2027"),
             suffix);
}

static long long exceptions_of(void **state, const char *school)
{
    return db_int(state,
                  "SELECT count(*) FROM calendar_exception x JOIN school s ON s.id = x.school_id "
                  "WHERE s.name = ?1",
                  school, NULL);
}

static long long audits(void **state)
{
    return db_int(state, "SELECT count(*) FROM audit_log WHERE action LIKE 'calendar.%'", NULL,
                  NULL);
}

/* ---- days ------------------------------------------------------------------------------------ */

static long today(void)
{
    return cutoff_rome_day(time(NULL));
}

/* Whether the demo gives the two primary schools service on day (whole school): Monday to
   Friday from 2026-09-21 to 2027-06-08, without national holidays, the holidays, the patron
   saint and the strike at Milani. */
static bool demo_service(long day)
{
    static const char *const off[][2] = {
        {"2026-12-23", "2027-01-06"}, {"2027-03-25", "2027-03-30"}, {"2027-01-20", "2027-01-20"},
        {"2026-12-11", "2026-12-11"}, {"2026-12-03", "2026-12-03"}, /* 4A's trip, to be safe */
    };
    long first = school_calendar_day(2026, 9, 21), last = school_calendar_day(2027, 6, 8);
    if (day < first || day > last || school_calendar_weekday(day) > 5 ||
        school_calendar_national_holiday(day, NULL))
        return false;
    for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
        long a, b;
        if (school_calendar_parse_day(off[i][0], &a) && school_calendar_parse_day(off[i][1], &b) &&
            day >= a && day <= b)
            return false;
    }
    return true;
}

/* The nth day with service from the day after tomorrow on (n from 0), as "YYYY-MM-DD". */
static void future_day(int n, char out[SCHOOL_CALENDAR_DAY_SIZE])
{
    long day = today() + 2;
    for (int found = -1; day < today() + 400; day++)
        if (demo_service(day) && ++found == n)
            break;
    assert_true(demo_service(day));
    school_calendar_format_day(day, out);
}

/* The latest day before today with service: frozen. */
static void past_day(char out[SCHOOL_CALENDAR_DAY_SIZE])
{
    long day = today() - 1;
    while (day > school_calendar_day(2026, 9, 1) && !demo_service(day))
        day--;
    assert_true(demo_service(day));
    school_calendar_format_day(day, out);
}

/* ---- requests -------------------------------------------------------------------------------- */

/* POST body to path as s, expect status; the response is returned. */
static void post(void **state, const struct session *s, const char *path, const char *body,
                 long status, struct harness_resp *r)
{
    char full[2048];
    snprintf(full, sizeof(full), "csrf=%s%s%s", s->s.csrf, *body ? "&" : "", body);
    harness_expect_post(*state, path, full, s->cookie, status, r);
}

static void post_free(void **state, const struct session *s, const char *path, const char *body,
                      long status)
{
    struct harness_resp r;
    post(state, s, path, body, status, &r);
    harness_resp_free(&r);
}

/* GET the month ("YYYY-MM") of a school's page and look for needle. */
static bool month_has(void **state, const struct session *s, const char *school, const char *month,
                      const char *needle)
{
    char path[256];
    school_path(state, school, "", path, sizeof(path));
    snprintf(path + strlen(path), sizeof(path) - strlen(path), "?mese=%.7s", month);
    struct harness_resp r;
    harness_expect_get(*state, path, s->cookie, 200, &r);
    bool has = harness_body_has(&r, needle);
    harness_resp_free(&r);
    return has;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_list_and_month_view(void **state)
{
    struct session s;
    staff(state, ADMIN, &s);
    struct harness_resp r;
    harness_expect_get(*state, BASE, s.cookie, 200, &r);
    /* The school year in progress, each school with its stored days of service. */
    assert_true(harness_body_has(&r, "School year 2026/2027"));
    assert_true(harness_body_has(&r, "Scuola dell&#39;infanzia Gianni Rodari") ||
                harness_body_has(&r, "Scuola dell&#x27;infanzia Gianni Rodari"));
    assert_true(harness_body_has(&r, MONTESSORI));
    assert_true(harness_body_has(&r, "From 14/09/2026 to 30/06/2027"));
    assert_true(harness_body_has(&r, "From 21/09/2026 to 08/06/2027"));
    assert_true(harness_body_has(&r, "Monday to Friday"));
    harness_resp_free(&r);
    /* Another school year through the select: the defaults, not stored. */
    char path[256];
    snprintf(path, sizeof(path), BASE "?anno=%lld", year_id(state, "2027/2028"));
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "School year 2027/2028"));
    assert_true(harness_body_has(&r, "Not set yet"));
    harness_resp_free(&r);

    /* December at Montessori: a grid with weekday headers, the trip of 4A on a day with
       service, the strike is not this school's, Christmas is a national holiday, the holidays
       a closure with their note. */
    school_path(state, MONTESSORI, "?mese=2026-12", path, sizeof(path));
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "<caption>December 2026</caption>"));
    assert_true(harness_body_has(&r, "<th scope=\"col\">Monday</th>"));
    assert_true(harness_body_has(&r, "<th scope=\"col\">Sunday</th>"));
    assert_true(harness_body_has(&r, "Class 4A: School trip (Uscita didattica al museo)"));
    assert_false(harness_body_has(&r, "Sciopero del personale della ristorazione"));
    assert_true(harness_body_has(&r, "Christmas Day"));
    assert_true(harness_body_has(&r, "Immaculate Conception"));
    assert_true(harness_body_has(&r, "Vacanze di Natale"));
    assert_true(harness_body_has(&r, "School closed"));
    assert_true(harness_body_has(&r, "No service on this weekday"));
    assert_true(harness_body_has(&r, "Previous month: November 2026"));
    assert_true(harness_body_has(&r, "Next month: January 2027"));
    assert_true(harness_body_has(&r, "Legend"));
    /* The forms for an office clerk. */
    assert_true(harness_body_has(&r, "name=\"from_day\""));
    assert_true(harness_body_has(&r, "id=\"weekday-6\""));
    assert_true(harness_body_has(&r, "name=\"school[]\""));
    harness_resp_free(&r);
    /* Milani's strike; September before the canteen opens. */
    assert_true(
        month_has(state, &s, MILANI, "2026-12", "Sciopero del personale della ristorazione"));
    assert_true(month_has(state, &s, MILANI, "2026-09", "Before the first day of service"));
    /* A month outside the school year falls back to one inside it. */
    school_path(state, MONTESSORI, "?mese=2030-01", path, sizeof(path));
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_false(harness_body_has(&r, "January 2030"));
    harness_resp_free(&r);
    /* A school or year not of the tenant. */
    harness_expect_get(*state, BASE "/999999/1", s.cookie, 404, &r);
    harness_resp_free(&r);
}

static void test_changes(void **state)
{
    struct session s;
    staff(state, ADMIN, &s);
    char path[256], body[512];
    long long before = audits(state);

    /* Next school year: nothing is frozen there, the weekdays may change. */
    snprintf(path, sizeof(path), BASE "/%lld/%lld/servizio", school_id(state, MILANI),
             year_id(state, "2027/2028"));
    post_free(state, &s, path,
              "first_day=20%2F09%2F2027&last_day=2028-06-09&weekday%5B%5D=1&weekday%5B%5D=2"
              "&weekday%5B%5D=3&weekday%5B%5D=4&weekday%5B%5D=5&weekday%5B%5D=6",
              303);
    char milani[24];
    snprintf(milani, sizeof(milani), "%lld", school_id(state, MILANI));
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM school_calendar c JOIN school_year y ON "
                            "y.id = c.school_year_id WHERE y.label = '2027/2028' AND "
                            "c.school_id = ?1 AND c.first_day = '2027-09-20' AND "
                            "c.last_day = '2028-06-09' AND c.weekdays = '123456'",
                            milani, NULL),
                     1);
    /* This year: only the last day moves (later days), the weekdays stay. */
    school_path(state, MILANI, "/servizio", path, sizeof(path));
    struct harness_resp r;
    post(state, &s, path,
         "first_day=2026-09-21&last_day=2027-06-10&weekday%5B%5D=1&weekday%5B%5D=2"
         "&weekday%5B%5D=3&weekday%5B%5D=4&weekday%5B%5D=5",
         303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "esito=servizio"));
    harness_resp_free(&r);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM school_calendar c JOIN school s ON s.id = "
                            "c.school_id WHERE s.name = ?1 AND c.last_day = '2027-06-10' AND "
                            "c.weekdays = '12345'",
                            MILANI, NULL),
                     1);
    assert_int_equal(audits(state), before + 2);

    /* A closure for the whole school, a trip for class 3A, both in the month view. */
    char closure[SCHOOL_CALENDAR_DAY_SIZE], trip[SCHOOL_CALENDAR_DAY_SIZE];
    future_day(0, closure);
    future_day(1, trip);
    school_path(state, MILANI, "/eccezioni", path, sizeof(path));
    snprintf(body, sizeof(body),
             "from_day=%s&to_day=&kind=closure&class_id=&note=Elezioni+regionali", closure);
    post(state, &s, path, body, 303, &r);
    char where[256];
    school_path(state, MILANI, "", where, sizeof(where));
    snprintf(where + strlen(where), sizeof(where) - strlen(where), "?mese=%.7s&esito=aggiunta",
             closure);
    assert_string_equal(harness_header(&r, "Location", 0), where);
    harness_resp_free(&r);
    char class_3a[24];
    snprintf(class_3a, sizeof(class_3a), "%lld", class_id(state, MILANI, "3A"));
    snprintf(body, sizeof(body), "from_day=%s&kind=trip&class_id=%s&note=Gita+al+parco", trip,
             class_3a);
    post_free(state, &s, path, body, 303);
    assert_true(month_has(state, &s, MILANI, closure, "Elezioni regionali"));
    assert_true(month_has(state, &s, MILANI, trip, "Class 3A: School trip (Gita al parco)"));
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM calendar_exception WHERE note = 'Gita al parco' "
                            "AND kind = 'trip' AND from_day = ?1 AND to_day = ?1 AND class_id = ?2",
                            trip, class_3a),
                     1);
    assert_int_equal(audits(state), before + 4);

    /* Copy Milani to Montessori: the closure goes, the class trip does not. The strike the demo
       put at Milani only is removed first (straight in the database), so that the two schools'
       past days agree whatever today is and the frozen-day rule lets the copy through. */
    harness_db_write_int(*state, "DELETE FROM calendar_exception WHERE kind = 'strike' RETURNING 1",
                         NULL);
    long long trips_montessori =
        db_int(state,
               "SELECT count(*) FROM calendar_exception x JOIN school s ON s.id = x.school_id "
               "WHERE s.name = ?1 AND x.class_id IS NOT NULL",
               MONTESSORI, NULL);
    school_path(state, MILANI, "/copia", path, sizeof(path));
    snprintf(body, sizeof(body), "school%%5B%%5D=%lld", school_id(state, MONTESSORI));
    post(state, &s, path, body, 303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "esito=copiato&scuole=1&saltate=1"));
    harness_resp_free(&r);
    assert_true(month_has(state, &s, MONTESSORI, closure, "Elezioni regionali"));
    assert_false(month_has(state, &s, MONTESSORI, trip, "Gita al parco"));
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM school_calendar c JOIN school s ON s.id = "
                            "c.school_id WHERE s.name = ?1 AND c.last_day = '2027-06-10'",
                            MONTESSORI, NULL),
                     1);
    /* Montessori's own class trip (4A) is still there. */
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM calendar_exception x JOIN school s ON "
                            "s.id = x.school_id WHERE s.name = ?1 AND x.class_id IS NOT NULL",
                            MONTESSORI, NULL),
                     trips_montessori);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = 'calendar.copy'", NULL, NULL),
        1);
    /* The page after the copy says what happened. */
    school_path(state, MILANI, "?esito=copiato&scuole=1&saltate=1", path, sizeof(path));
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "The calendar was copied to 1 schools."));
    assert_true(harness_body_has(&r, "1 entries for single classes were not copied"));
    harness_resp_free(&r);

    /* Delete the trip: gone from the database and from the month view. */
    char id[24];
    snprintf(id, sizeof(id), "%lld",
             db_int(state, "SELECT id FROM calendar_exception WHERE note = 'Gita al parco'", NULL,
                    NULL));
    snprintf(body, sizeof(body), "/eccezioni/%s/elimina", id);
    school_path(state, MILANI, body, path, sizeof(path));
    post_free(state, &s, path, "", 303);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM calendar_exception WHERE id = ?1", id, NULL), 0);
    assert_false(month_has(state, &s, MILANI, trip, "Gita al parco"));
    /* Deleting it again: not found. */
    post_free(state, &s, path, "", 404);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = 'calendar.exception_delete'",
               NULL, NULL),
        1);
}

/* POST body to a Milani form, expect 422 with needle in the page and nothing written. */
static void refused(void **state, const struct session *s, const char *form, const char *body,
                    const char *field_error, const char *needle)
{
    long long exceptions = exceptions_of(state, MILANI), audit = audits(state);
    long long service = db_int(state,
                               "SELECT count(*) FROM school_calendar c JOIN school s ON "
                               "s.id = c.school_id WHERE s.name = ?1 AND c.first_day = "
                               "'2026-09-21' AND c.weekdays = '12345'",
                               MILANI, NULL);
    char path[256];
    school_path(state, MILANI, form, path, sizeof(path));
    struct harness_resp r;
    post(state, s, path, body, 422, &r);
    if (!harness_body_has(&r, needle) || !harness_body_has(&r, field_error))
        fail_msg("expected %s and %s for %s", needle, field_error, body);
    assert_true(harness_body_has(&r, "id=\"form-error\""));
    harness_resp_free(&r);
    assert_int_equal(exceptions_of(state, MILANI), exceptions);
    assert_int_equal(audits(state), audit);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM school_calendar c JOIN school s ON "
                            "s.id = c.school_id WHERE s.name = ?1 AND c.first_day = "
                            "'2026-09-21' AND c.weekdays = '12345'",
                            MILANI, NULL),
                     service);
}

static void test_bad_input_changes_nothing(void **state)
{
    struct session s;
    staff(state, ADMIN, &s);
    char body[512], day[SCHOOL_CALENDAR_DAY_SIZE], next[SCHOOL_CALENDAR_DAY_SIZE];
    future_day(2, day);
    future_day(3, next);

    /* A malformed date: the message next to it, what was typed kept. */
    refused(state, &s, "/eccezioni", "from_day=31%2F02%2F2027&kind=closure&note=Nota+mantenuta",
            "id=\"from_day-error\"", "Enter a date like 15/01/2027.");
    {
        char path[256];
        school_path(state, MILANI, "/eccezioni", path, sizeof(path));
        struct harness_resp r;
        post(state, &s, path, "from_day=31%2F02%2F2027&kind=strike&note=Nota+mantenuta", 422, &r);
        assert_true(harness_body_has(&r, "value=\"31/02/2027\""));
        assert_true(harness_body_has(&r, "value=\"Nota mantenuta\""));
        assert_true(harness_body_has(&r, "<option value=\"strike\" selected>"));
        harness_resp_free(&r);
    }
    /* Outside the school's days of service. */
    refused(state, &s, "/eccezioni", "from_day=2027-07-15&kind=closure", "id=\"from_day-error\"",
            "The date is outside the school year.");
    refused(state, &s, "/eccezioni", "from_day=2026-09-01&kind=closure", "id=\"from_day-error\"",
            "The date is outside the school year.");
    /* The end before the start. */
    snprintf(body, sizeof(body), "from_day=%s&to_day=%s&kind=closure", next, day);
    refused(state, &s, "/eccezioni", body, "id=\"to_day-error\"",
            "The end date cannot be before the start date.");
    /* A class of another school. */
    snprintf(body, sizeof(body), "from_day=%s&kind=trip&class_id=%lld", day,
             class_id(state, MONTESSORI, "4A"));
    refused(state, &s, "/eccezioni", body, "id=\"class_id-error\"",
            "Choose a class of this school.");
    /* An unknown kind. */
    snprintf(body, sizeof(body), "from_day=%s&kind=vacation", day);
    refused(state, &s, "/eccezioni", body, "id=\"kind-error\"",
            "Choose one of the options listed.");
    /* A day already frozen: a past day with service. */
    char past[SCHOOL_CALENDAR_DAY_SIZE];
    past_day(past);
    snprintf(body, sizeof(body), "from_day=%s&kind=strike", past);
    refused(state, &s, "/eccezioni", body, "id=\"from_day-error\"", "are already frozen");
    /* ...nor a range that starts there. */
    snprintf(body, sizeof(body), "from_day=%s&to_day=%s&kind=closure", past, day);
    refused(state, &s, "/eccezioni", body, "id=\"from_day-error\"", "are already frozen");
    /* The weekdays of a year under way change past days too. */
    refused(state, &s, "/servizio",
            "first_day=2026-09-21&last_day=2027-06-08&weekday%5B%5D=1&weekday%5B%5D=3",
            "id=\"first_day-error\"", "are already frozen");
    /* No weekday, a last day before the first, a day outside the school year. */
    refused(state, &s, "/servizio", "first_day=2026-09-21&last_day=2027-06-08",
            "id=\"weekdays-error\"", "Choose at least one weekday.");
    refused(state, &s, "/servizio", "first_day=2027-06-08&last_day=2026-09-21&weekday%5B%5D=1",
            "id=\"last_day-error\"", "The end date cannot be before the start date.");
    refused(state, &s, "/servizio", "first_day=2026-09-21&last_day=2027-07-31&weekday%5B%5D=1",
            "id=\"last_day-error\"", "The date is outside the school year.");
    refused(state, &s, "/servizio", "first_day=2026-09-21&last_day=2027-06-08&weekday%5B%5D=9",
            "id=\"weekdays-error\"", "Choose among the days listed.");
    /* A copy to no school, or to the school itself. */
    refused(state, &s, "/copia", "", "id=\"schools-error\"", "Choose at least one school.");
    snprintf(body, sizeof(body), "school%%5B%%5D=%lld", school_id(state, MILANI));
    refused(state, &s, "/copia", body, "id=\"schools-error\"", "Choose among the schools listed.");
    /* A copy that would change the infanzia's past days (its service started a week earlier). */
    snprintf(body, sizeof(body), "school%%5B%%5D=%lld",
             school_id(state, "Scuola dell'infanzia Gianni Rodari"));
    refused(state, &s, "/copia", body, "id=\"schools-error\"", "Scuola dell");
    /* Deleting a closure of a past day with service would change a frozen day: 409, and it
       stays. The closure is put there straight in the database, as no form may. */
    char milani[24];
    snprintf(milani, sizeof(milani), "%lld", school_id(state, MILANI));
    const char *const params[] = {milani, past, NULL};
    long long closed = harness_db_write_int(
        *state,
        "INSERT INTO calendar_exception (tenant_id, school_id, school_year_id, kind, from_day, "
        "to_day, note, created_at) SELECT tenant_id, id, (SELECT id FROM school_year WHERE label "
        "= '2026/2027'), 'closure', ?2, ?2, 'Chiusura passata', '2026-09-01T00:00:00Z' FROM "
        "school WHERE id = ?1 RETURNING id",
        params);
    assert_true(closed > 0);
    char path[256], suffix[64];
    snprintf(suffix, sizeof(suffix), "/eccezioni/%lld/elimina", closed);
    school_path(state, MILANI, suffix, path, sizeof(path));
    struct harness_resp r;
    post(state, &s, path, "", 409, &r);
    assert_true(harness_body_has(&r, "are already frozen"));
    harness_resp_free(&r);
    snprintf(suffix, sizeof(suffix), "%lld", closed);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM calendar_exception WHERE id = ?1", suffix, NULL), 1);
}

static void test_roles(void **state)
{
    struct session kitchen, operator;
    staff(state, KITCHEN, &kitchen);
    staff(state, OPERATOR, &operator);
    char path[256], body[256], day[SCHOOL_CALENDAR_DAY_SIZE];
    future_day(4, day);
    long long exceptions = exceptions_of(state, MILANI), audit = audits(state);
    struct harness_resp r;
    /* The kitchen neither reads nor changes the calendars. */
    harness_expect_get(*state, BASE, kitchen.cookie, 403, &r);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "from_day=%s&kind=closure", day);
    school_path(state, MILANI, "/eccezioni", path, sizeof(path));
    post_free(state, &kitchen, path, body, 403);
    school_path(state, MILANI, "/servizio", path, sizeof(path));
    post_free(state, &kitchen, path, "first_day=2026-09-21&last_day=2027-06-08&weekday%5B%5D=1",
              403);
    school_path(state, MILANI, "/copia", path, sizeof(path));
    snprintf(body, sizeof(body), "school%%5B%%5D=%lld", school_id(state, MONTESSORI));
    post_free(state, &kitchen, path, body, 403);
    snprintf(body, sizeof(body), "/eccezioni/%lld/elimina",
             db_int(state, "SELECT max(id) FROM calendar_exception", NULL, NULL));
    school_path(state, MILANI, body, path, sizeof(path));
    post_free(state, &kitchen, path, "", 403);
    /* The catering operator reads, without the forms, and cannot change. */
    school_path(state, MILANI, "", path, sizeof(path));
    harness_expect_get(*state, path, operator.cookie, 200, &r);
    assert_true(harness_body_has(&r, "<caption>"));
    assert_false(harness_body_has(&r, "name=\"from_day\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "from_day=%s&kind=closure", day);
    school_path(state, MILANI, "/eccezioni", path, sizeof(path));
    post_free(state, &operator, path, body, 403);
    assert_int_equal(exceptions_of(state, MILANI), exceptions);
    assert_int_equal(audits(state), audit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_and_month_view),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
