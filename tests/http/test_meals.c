/*
 * HTTP tests of the family's meal bookings and the office's meal settings against the real
 * demo server, on the real clock: the days used are computed here from the demo's calendars
 * (the next school days of a child from the day after tomorrow on, still booked), so the tests
 * hold on any school day of the year and skip in the summer. The Rossi family signs in, reads
 * the month, cancels a day and reaches the receipt, sends the same form again (same receipt, one
 * change), is refused with a message next to the field for bad input (and nothing changes),
 * plans an absence with the day back, one until further notice and ends it; another family's
 * child is a 404 or a refusal. The office saves and validates the rule. Pages are read in
 * English (lang cookie) so the assertions do not depend on the catalogue.
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
#include "domain/school_calendar.h"
#include "http/harness.h"
#include "services/calendar.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"

#define T        "/" HARNESS_DEMO_TENANT
#define LOGIN    "RSSGLI18E62H501A" /* Giulia Rossi: the Rossi family */
#define PASSWORD "Pranzo-Sereno-2026"

struct world {
    struct harness_server s;
    char cookie[HARNESS_TOKEN_MAX + 32]; /* "sid=...; lang=en" */
    char csrf[HARNESS_TOKEN_MAX];
    int64_t tenant_id, giulia, luca, matteo;
    long today;
};

/* ---- days ---------------------------------------------------------------------------------- */

static void day_text(long day, char out[SCHOOL_CALENDAR_DAY_SIZE])
{
    school_calendar_format_day(day, out);
}

/* "dd/mm/yyyy" */
static void day_display(long day, char out[SCHOOL_CALENDAR_DAY_SIZE])
{
    char ymd[SCHOOL_CALENDAR_DAY_SIZE];
    day_text(day, ymd);
    snprintf(out, SCHOOL_CALENDAR_DAY_SIZE, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
}

static bool has_service(struct world *w, int64_t pupil, long day)
{
    char ymd[SCHOOL_CALENDAR_DAY_SIZE];
    day_text(day, ymd);
    struct arena a;
    arena_init(&a, 4096);
    struct calendar_pupil p;
    struct calendar cal;
    bool yes = calendar_pupil_on(store_db(), &a, w->tenant_id, pupil, ymd, &p, &cal) == 1 &&
               calendar_pupil_has_service(&cal, &p, day, NULL);
    arena_free(&a);
    return yes;
}

static bool untouched(struct world *w, int64_t pupil, long day)
{
    char ymd[SCHOOL_CALENDAR_DAY_SIZE], id[32];
    day_text(day, ymd);
    snprintf(id, sizeof(id), "%lld", (long long)pupil);
    const char *params[] = {id, ymd, NULL};
    return harness_db_int(&w->s, "SELECT count(*) FROM meal_day WHERE pupil_id = ?1 AND day = ?2",
                          params) == 0;
}

/* The first school day of the pupil from `from` on that nobody has changed; 0 when none is left
   within the next 120 days (the summer). */
static long next_free_day(struct world *w, int64_t pupil, long from)
{
    for (long d = from; d < from + 120; d++)
        if (has_service(w, pupil, d) && untouched(w, pupil, d))
            return d;
    return 0;
}

/* A day without service for the pupil from `from` on (a weekend comes within a week). */
static long next_closed_day(struct world *w, int64_t pupil, long from)
{
    for (long d = from; d < from + 14; d++)
        if (!has_service(w, pupil, d))
            return d;
    return 0;
}

/* ---- setup --------------------------------------------------------------------------------- */

static int64_t pupil_id(struct world *w, const char *cf)
{
    const char *params[] = {cf, NULL};
    return harness_db_int(&w->s, "SELECT id FROM pupil WHERE fiscal_code = ?1", params);
}

static void sign_in(struct world *w)
{
    struct harness_resp r;
    harness_expect_get(&w->s, T "/famiglie/accedi", NULL, 200, &r);
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    assert_true(harness_form_input(&r, "csrf", w->csrf, sizeof(w->csrf)));
    harness_resp_free(&r);
    snprintf(w->cookie, sizeof(w->cookie), "sid=%s; lang=en", sid);
    char body[512];
    snprintf(body, sizeof(body), "csrf=%s&login=%s&password=%s", w->csrf, LOGIN, PASSWORD);
    harness_expect_post(&w->s, T "/famiglie/accedi", body, w->cookie, 303, &r);
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_resp_free(&r);
    snprintf(w->cookie, sizeof(w->cookie), "sid=%s; lang=en", sid);
}

static int group_setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));
    if (!w || harness_start(&w->s, NULL) != 0)
        return -1;
    log_set_quiet(1);
    *state = w;
    char err[256];
    if (store_init(w->s.db_path, err, sizeof(err)) != 0)
        return -1;
    w->tenant_id = harness_db_int(&w->s, "SELECT id FROM tenant WHERE slug = 'esempio'", NULL);
    w->giulia = pupil_id(w, "RSSGLI18E62H501A");
    w->luca = pupil_id(w, "RSSLCU21P03H501G");
    w->matteo = pupil_id(w, "SPSMTT17B11F839K");
    w->today = cutoff_rome_day(time(NULL));
    sign_in(w);
    return 0;
}

static int group_teardown(void **state)
{
    struct world *w = *state;
    store_thread_done();
    harness_destroy(&w->s);
    free(w);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static void page(struct world *w, const char *path, long status, struct harness_resp *r)
{
    harness_expect_get(&w->s, path, w->cookie, status, r);
    char csrf[HARNESS_TOKEN_MAX];
    if (status == 200 && harness_form_input(r, "csrf", csrf, sizeof(csrf)))
        snprintf(w->csrf, sizeof(w->csrf), "%s", csrf);
}

/* The request_key of the form with id form_id (e.g. "cancel-form") in the page. */
static void form_key(const struct harness_resp *r, const char *form_id, char *out, size_t n)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "id=\"%s\"", form_id);
    const char *p = strstr(r->body, needle);
    assert_non_null(p);
    p = strstr(p, "name=\"request_key\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"request_key\" value=\"");
    size_t len = strcspn(p, "\"");
    assert_true(len >= 16 && len < n);
    memcpy(out, p, len);
    out[len] = '\0';
}

/* A fresh key from the calendar page, for a form of the pupil. */
static void fresh_key(struct world *w, int64_t pupil, const char *form_id, char *out, size_t n)
{
    char path[128];
    snprintf(path, sizeof(path), T "/famiglie/pasti?alunno=%lld", (long long)pupil);
    struct harness_resp r;
    page(w, path, 200, &r);
    form_key(&r, form_id, out, n);
    harness_resp_free(&r);
}

/* POST the form at /famiglie/pasti/<action> with "name=value&..." after the common fields. */
static void post(struct world *w, const char *action, int64_t pupil, const char *key,
                 const char *fields, long status, struct harness_resp *r)
{
    char path[128], body[1024];
    snprintf(path, sizeof(path), T "/famiglie/pasti/%s", action);
    snprintf(body, sizeof(body), "csrf=%s&alunno=%lld&request_key=%s&%s", w->csrf, (long long)pupil,
             key ? key : "", fields);
    harness_expect_post(&w->s, path, body, w->cookie, status, r);
}

static long long count(struct world *w, const char *sql)
{
    return harness_db_int(&w->s, sql, NULL);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_month_page(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    /* The family home links here. */
    page(w, T "/famiglie/", 200, &r);
    assert_true(harness_body_has(&r, "href=\"" T "/famiglie/pasti\""));
    harness_resp_free(&r);
    page(w, T "/famiglie/pasti", 200, &r);
    assert_true(harness_body_has(&r, ">Your account</a>")); /* English: see the lang cookie */
    assert_true(harness_body_has(&r, "<h1>Meal bookings</h1>"));
    assert_true(harness_body_has(&r, "until 09:30 of the day itself"));
    assert_true(harness_body_has(&r, ">Giulia Rossi</a>"));
    assert_true(harness_body_has(&r, ">Luca Rossi</a>"));
    assert_true(harness_body_has(&r, "id=\"cancel-form\""));
    assert_true(harness_body_has(&r, "id=\"absence-form\""));
    assert_true(harness_body_has(&r, "id=\"plain-form\""));
    assert_true(harness_body_has(&r, "id=\"restore-form\""));
    assert_true(harness_body_has(&r, "Cancel today for all my children") ||
                harness_body_has(&r, "Today's time limit (09:30) has passed") ||
                harness_body_has(&r, "Today&#39;s time limit (09:30) has passed"));
    /* Every form has its own key. */
    char k1[80], k2[80];
    form_key(&r, "cancel-form", k1, sizeof(k1));
    form_key(&r, "plain-form", k2, sizeof(k2));
    assert_string_not_equal(k1, k2);
    harness_resp_free(&r);
    /* A month of the school year: a grid with the days in words. */
    long day = next_free_day(w, w->giulia, w->today + 2);
    if (!day)
        skip();
    char ymd[SCHOOL_CALENDAR_DAY_SIZE], path[160], needle[80];
    day_text(day, ymd);
    snprintf(path, sizeof(path), T "/famiglie/pasti?alunno=%lld&mese=%.7s", (long long)w->giulia,
             ymd);
    page(w, path, 200, &r);
    assert_true(harness_body_has(&r, "id=\"meal-calendar\""));
    snprintf(needle, sizeof(needle), "data-day=\"%s\" data-state=\"booked\"", ymd);
    assert_true(harness_body_has(&r, needle));
    assert_true(harness_body_has(&r, "data-state=\"no-service\""));
    assert_true(harness_body_has(&r, "<th scope=\"col\" class=\"position-relative\">"));
    assert_true(harness_body_has(&r, "id=\"month-totals\""));
    harness_resp_free(&r);
    /* Another family's child, and a month that is not one. */
    snprintf(path, sizeof(path), T "/famiglie/pasti?alunno=%lld", (long long)w->matteo);
    page(w, path, 404, &r);
    harness_resp_free(&r);
    page(w, T "/famiglie/pasti?mese=2026-13", 422, &r);
    harness_resp_free(&r);
}

static void test_cancel_receipt_and_repeat(void **state)
{
    struct world *w = *state;
    long day = next_free_day(w, w->giulia, w->today + 2);
    if (!day)
        skip();
    char ymd[SCHOOL_CALENDAR_DAY_SIZE], shown[SCHOOL_CALENDAR_DAY_SIZE], key[80], fields[256];
    day_text(day, ymd);
    day_display(day, shown);
    fresh_key(w, w->giulia, "cancel-form", key, sizeof(key));
    long long before = count(w, "SELECT count(*) FROM meal_request");
    snprintf(fields, sizeof(fields), "mese=%.7s&cancel_from=%s", ymd, ymd);
    struct harness_resp r;
    post(w, "disdici", w->giulia, key, fields, 303, &r);
    const char *loc = harness_header(&r, "Location", 0);
    assert_non_null(loc);
    char location[256];
    snprintf(location, sizeof(location), "%s", loc);
    assert_int_equal(strncmp(location, T "/famiglie/pasti/ricevute/", 33), 0);
    const char *receipt = location + 33;
    assert_int_equal(strlen(receipt), 12);
    assert_int_equal(receipt[4], '-');
    harness_resp_free(&r);
    assert_false(untouched(w, w->giulia, day));
    assert_int_equal(count(w, "SELECT count(*) FROM meal_request"), before + 1);
    /* The receipt's page. */
    page(w, location, 200, &r);
    assert_true(harness_body_has(&r, receipt));
    assert_true(harness_body_has(&r, "Cancellation"));
    assert_true(harness_body_has(&r, shown));
    assert_true(harness_body_has(&r, "Giulia Rossi"));
    harness_resp_free(&r);
    /* The same form again: the same receipt, no second change. */
    post(w, "disdici", w->giulia, key, fields, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), location);
    harness_resp_free(&r);
    assert_int_equal(count(w, "SELECT count(*) FROM meal_request"), before + 1);
    /* The month shows the day cancelled, and the list has the receipt. */
    char path[160], needle[80];
    snprintf(path, sizeof(path), T "/famiglie/pasti?alunno=%lld&mese=%.7s", (long long)w->giulia,
             ymd);
    page(w, path, 200, &r);
    snprintf(needle, sizeof(needle), "data-day=\"%s\" data-state=\"cancelled\"", ymd);
    assert_true(harness_body_has(&r, needle));
    harness_resp_free(&r);
    page(w, T "/famiglie/pasti/ricevute", 200, &r);
    assert_true(harness_body_has(&r, receipt));
    harness_resp_free(&r);
    /* Someone else's receipt number is not found. */
    page(w, T "/famiglie/pasti/ricevute/1999-0000001", 404, &r);
    harness_resp_free(&r);
}

/* A refused form: 422, the message next to field, what was typed kept, nothing changed. */
static void refused(struct world *w, const char *action, int64_t pupil, const char *key,
                    const char *fields, const char *field, const char *typed, const char *message)
{
    long long reqs = count(w, "SELECT count(*) FROM meal_request");
    long long days = count(w, "SELECT count(*) FROM meal_day");
    struct harness_resp r;
    post(w, action, pupil, key, fields, 422, &r);
    char needle[256];
    if (field) {
        snprintf(needle, sizeof(needle), "id=\"%s-error\"", field);
        if (!harness_body_has(&r, needle))
            fail_msg("no error next to %s for %s", field, fields);
        snprintf(needle, sizeof(needle), "name=\"%s\" value=\"%s\"", field, typed);
        if (typed && !harness_body_has(&r, needle))
            fail_msg("%s not kept for %s", typed, fields);
    }
    if (!harness_body_has(&r, message))
        fail_msg("\"%s\" missing for %s", message, fields);
    harness_resp_free(&r);
    assert_int_equal(count(w, "SELECT count(*) FROM meal_request"), reqs);
    assert_int_equal(count(w, "SELECT count(*) FROM meal_day"), days);
}

static void test_bad_input(void **state)
{
    struct world *w = *state;
    long day = next_free_day(w, w->giulia, w->today + 2);
    long closed = next_closed_day(w, w->giulia, w->today + 1);
    if (!day || !closed)
        skip();
    char ymd[SCHOOL_CALENDAR_DAY_SIZE], key[80], fields[256], value[16];
    day_text(day, ymd);
    fresh_key(w, w->giulia, "cancel-form", key, sizeof(key));
    /* A day without service. */
    char closed_ymd[SCHOOL_CALENDAR_DAY_SIZE];
    day_text(closed, closed_ymd);
    snprintf(fields, sizeof(fields), "cancel_from=%s", closed_ymd);
    refused(w, "disdici", w->giulia, key, fields, "cancel_from", closed_ymd,
            "There is no meal service on");
    /* Outside the school year. */
    refused(w, "disdici", w->giulia, key, "cancel_from=2031-07-15", "cancel_from", "2031-07-15",
            "outside the school year");
    /* A malformed date. */
    refused(w, "disdici", w->giulia, key, "cancel_from=2027-02-30", "cancel_from", "2027-02-30",
            "Enter a date like 15/01/2027.");
    refused(w, "bianco", w->giulia, key, "plain_from=domani", "plain_from", "domani",
            "Enter a date like 15/01/2027.");
    /* The last day before the first. */
    char before_ymd[SCHOOL_CALENDAR_DAY_SIZE];
    day_text(day - 1, before_ymd);
    snprintf(fields, sizeof(fields), "cancel_from=%s&cancel_to=%s", ymd, before_ymd);
    refused(w, "disdici", w->giulia, key, fields, "cancel_to", before_ymd,
            "The last day must not come before the first one");
    /* A past day. */
    long past = w->today - 1;
    while (!has_service(w, w->giulia, past) && past > w->today - 10)
        past--;
    if (has_service(w, w->giulia, past)) {
        day_text(past, value);
        snprintf(fields, sizeof(fields), "cancel_from=%s", value);
        refused(w, "disdici", w->giulia, key, fields, "cancel_from", value, "has passed");
    }
    /* Another family's child: refused, and nothing recorded for him. */
    snprintf(fields, sizeof(fields), "cancel_from=%s", ymd);
    refused(w, "disdici", w->matteo, key, fields, NULL, NULL, "This child is not among yours.");
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)w->matteo);
    const char *params[] = {id, NULL};
    assert_int_equal(
        harness_db_int(&w->s, "SELECT count(*) FROM meal_request WHERE pupil_id = ?1", params), 0);
    /* No key, or a made-up one. */
    refused(w, "disdici", w->giulia, NULL, fields, NULL, NULL, "This form has expired");
    refused(w, "disdici", w->giulia, "short", fields, NULL, NULL, "This form has expired");
    /* An absence needs the day back or "until further notice", not both. */
    snprintf(fields, sizeof(fields), "absence_from=%s&absence_open=1&absence_resume=%s", ymd, ymd);
    refused(w, "assenza", w->giulia, key, fields, "absence_resume", ymd, "Leave the day back");
    snprintf(fields, sizeof(fields), "absence_from=%s", ymd);
    refused(w, "assenza", w->giulia, key, fields, "absence_resume", NULL,
            "Enter the day your child is back at school");
    /* Nothing was kept under this key: it still works. */
    struct harness_resp r;
    snprintf(fields, sizeof(fields), "plain_from=%s", ymd);
    post(w, "bianco", w->giulia, key, fields, 303, &r);
    harness_resp_free(&r);
    assert_false(untouched(w, w->giulia, day));
}

static void test_absences(void **state)
{
    struct world *w = *state;
    /* A week away with the day back, for Giulia. */
    long first = next_free_day(w, w->giulia, w->today + 2);
    if (!first)
        skip();
    long back = first + 7;
    char from[SCHOOL_CALENDAR_DAY_SIZE], to[SCHOOL_CALENDAR_DAY_SIZE], key[80], fields[256];
    day_text(first, from);
    day_text(back, to);
    fresh_key(w, w->giulia, "absence-form", key, sizeof(key));
    snprintf(fields, sizeof(fields), "absence_from=%s&absence_resume=%s", from, to);
    struct harness_resp r;
    post(w, "assenza", w->giulia, key, fields, 303, &r);
    char location[256];
    snprintf(location, sizeof(location), "%s", harness_header(&r, "Location", 0));
    harness_resp_free(&r);
    page(w, location, 200, &r);
    assert_true(harness_body_has(&r, "Extended absence"));
    assert_true(harness_body_has(&r, "back at school on"));
    harness_resp_free(&r);
    for (long d = first; d < back; d++)
        if (has_service(w, w->giulia, d))
            assert_false(untouched(w, w->giulia, d));
    if (has_service(w, w->giulia, back))
        assert_true(untouched(w, w->giulia, back));
    /* Luca away until further notice: the page offers to end it, and ending it books again. */
    long start = next_free_day(w, w->luca, w->today + 2);
    if (!start)
        skip();
    day_text(start, from);
    fresh_key(w, w->luca, "absence-form", key, sizeof(key));
    snprintf(fields, sizeof(fields), "absence_from=%s&absence_open=1", from);
    post(w, "assenza", w->luca, key, fields, 303, &r);
    harness_resp_free(&r);
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)w->luca);
    const char *params[] = {id, from, NULL};
    long long away = harness_db_int(
        &w->s, "SELECT count(*) FROM meal_day WHERE pupil_id = ?1 AND day >= ?2", params);
    assert_true(away > 0);
    char path[128];
    snprintf(path, sizeof(path), T "/famiglie/pasti?alunno=%lld", (long long)w->luca);
    page(w, path, 200, &r);
    assert_true(harness_body_has(&r, "id=\"resume-form\""));
    assert_true(harness_body_has(&r, "absent until further notice"));
    form_key(&r, "resume-form", key, sizeof(key));
    harness_resp_free(&r);
    snprintf(fields, sizeof(fields), "resume_from=%s", from);
    post(w, "riattiva", w->luca, key, fields, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(&w->s,
                                    "SELECT count(*) FROM meal_day d JOIN meal_request q ON "
                                    "q.id = d.request_id WHERE d.pupil_id = ?1 AND d.day >= ?2 "
                                    "AND q.action = 'absence' AND q.to_day IS NULL",
                                    params),
                     0);
    page(w, path, 200, &r);
    assert_false(harness_body_has(&r, "id=\"resume-form\""));
    harness_resp_free(&r);
    /* Nothing left to end. */
    fresh_key(w, w->luca, "absence-form", key, sizeof(key));
    refused(w, "riattiva", w->luca, key, fields, "resume_from", from,
            "There is no open-ended absence to end from this day.");
}

static void test_office_settings(void **state)
{
    struct world *w = *state;
    struct harness_session office;
    memset(&office, 0, sizeof(office));
    harness_sign_in(&w->s, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &office);
    char cookie[HARNESS_TOKEN_MAX + 32];
    snprintf(cookie, sizeof(cookie), "%s; lang=en", office.cookie);
    struct harness_resp r;
    harness_expect_get(&w->s, T "/ufficio/impostazioni-pasti", cookie, 200, &r);
    assert_true(harness_body_has(&r, "<h1>Meal settings</h1>"));
    assert_true(harness_body_has(&r, "name=\"cutoff_time\" value=\"09:30\""));
    assert_true(harness_body_has(&r, "name=\"plain_max_days\" value=\"3\""));
    harness_resp_free(&r);
    char body[512];
    long long audits = count(w, "SELECT count(*) FROM audit_log WHERE action = 'meal_rules.save'");
    snprintf(body, sizeof(body), "csrf=%s&cutoff_time=25:99&earliest_time=&plain_max_days=3",
             office.csrf);
    harness_expect_post(&w->s, T "/ufficio/impostazioni-pasti", body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"cutoff_time-error\""));
    assert_true(harness_body_has(&r, "value=\"25:99\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&cutoff_time=09:30&earliest_time=sera&plain_max_days=3",
             office.csrf);
    harness_expect_post(&w->s, T "/ufficio/impostazioni-pasti", body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"earliest_time-error\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&cutoff_time=09:30&earliest_time=&plain_max_days=0",
             office.csrf);
    harness_expect_post(&w->s, T "/ufficio/impostazioni-pasti", body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"plain_max_days-error\""));
    harness_resp_free(&r);
    assert_int_equal(count(w, "SELECT plain_max_days FROM tenant WHERE slug = 'esempio'"), 3);
    assert_int_equal(count(w, "SELECT count(*) FROM audit_log WHERE action = 'meal_rules.save'"),
                     audits);
    snprintf(body, sizeof(body), "csrf=%s&cutoff_time=9.45&earliest_time=&plain_max_days=4",
             office.csrf);
    harness_expect_post(&w->s, T "/ufficio/impostazioni-pasti", body, cookie, 200, &r);
    assert_true(harness_body_has(&r, "The settings have been saved."));
    assert_true(harness_body_has(&r, "name=\"cutoff_time\" value=\"09:45\""));
    harness_resp_free(&r);
    assert_int_equal(count(w, "SELECT plain_max_days FROM tenant WHERE slug = 'esempio'"), 4);
    assert_int_equal(count(w, "SELECT count(*) FROM audit_log WHERE action = 'meal_rules.save'"),
                     audits + 1);
    /* The families read the new rule. */
    page(w, T "/famiglie/pasti", 200, &r);
    assert_true(harness_body_has(&r, "until 09:45 of the day itself"));
    assert_true(harness_body_has(&r, "at most 4 school days"));
    harness_resp_free(&r);
    /* The kitchen may not change it; a family may not even see it. */
    struct harness_session kitchen;
    memset(&kitchen, 0, sizeof(kitchen));
    harness_sign_in(&w->s, HARNESS_DEMO_TENANT, "cucina@ristorazione-esempio.it",
                    HARNESS_DEMO_PASSWORD, 303, &kitchen);
    harness_expect_get(&w->s, T "/ufficio/impostazioni-pasti", kitchen.cookie, 403, &r);
    harness_resp_free(&r);
    harness_expect_get(&w->s, T "/ufficio/impostazioni-pasti", w->cookie, 403, &r);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&cutoff_time=09:30&earliest_time=&plain_max_days=3",
             office.csrf);
    harness_expect_post(&w->s, T "/ufficio/impostazioni-pasti", body, cookie, 200, &r);
    harness_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_page),      cmocka_unit_test(test_cancel_receipt_and_repeat),
        cmocka_unit_test(test_bad_input),       cmocka_unit_test(test_absences),
        cmocka_unit_test(test_office_settings),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
