/*
 * The kitchen sheet and the office's meal pages over the real request path, on the demo
 * municipality. A school day is frozen with `refettorio admin cutoff` (the cut-off job), then:
 * the kitchen reads the sheet (page, CSV, PDF) and every total equals the meal rows in the
 * database (per school and class, per diet), the medical notes of a diet never appear (only its
 * code), the kitchens' e-mails were queued with the CSV attached, bad filters are refused; a
 * day not frozen yet is a forecast equal to what the cut-off then freezes. The office sees the
 * counts, removes a meal (status removed, exactly one new ledger entry giving the price back,
 * a second removal changes nothing), toggles a plain meal (no money), records and undoes a
 * cancellation from the pupil's page (a correction on a frozen day, a booking change before
 * the cut-off job), and bad input is refused with nothing changed. The kitchen and the catering
 * operator cannot correct.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/school_calendar.h"
#include "harness.h"
#include "util/time.h"
#include "util/time_local.h"

#define T         "/" HARNESS_DEMO_TENANT
#define KITCHEN   T "/ufficio/cucina"
#define MEALS     T "/ufficio/pasti"
#define UFFICIO   "ufficio@comune.esempio.it"
#define GESTORE   "gestore@ristorazione-esempio.it"
#define CUCINA    "cucina@ristorazione-esempio.it"
#define DAY       "2026-11-20" /* a Friday of the demo's school year */
#define DAY_SHOWN "20/11/2026"
#define GIULIA    "RSSGLI18E62H501A"            /* Montessori 3A, no diet */
#define MATTEO    "SPSMTT17B11F839K"            /* Montessori 4B */
#define NOTE      "NOTA-SANITARIA-RISERVATA-7Q" /* put into the medical diet's notes */
#define BODY_MAX  16384

struct who {
    struct harness_session s;
    char cookie[HARNESS_TOKEN_MAX + 32]; /* with lang=en, so texts are the English msgids */
};

struct world {
    struct harness_server s;
    char future[16];  /* a school day after today, not frozen ("" when none is left) */
    char future2[16]; /* the school day after it */
};

/* ---- helpers -------------------------------------------------------------------------------- */

static void sign_in(struct world *w, const char *email, struct who *x)
{
    memset(x, 0, sizeof(*x));
    harness_sign_in(&w->s, HARNESS_DEMO_TENANT, email, HARNESS_DEMO_PASSWORD, 303, &x->s);
    snprintf(x->cookie, sizeof(x->cookie), "%s; lang=en", x->s.cookie);
}

static void get(struct world *w, const struct who *x, const char *path, long status,
                struct harness_resp *r)
{
    harness_expect_get(&w->s, path, x->cookie, status, r);
}

static void post(struct world *w, const struct who *x, const char *path, const char *fields,
                 long status, struct harness_resp *r)
{
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s&%s", x->s.csrf, fields);
    harness_expect_post(&w->s, path, body, x->cookie, status, r);
}

static void assert_has(const struct harness_resp *r, const char *needle)
{
    if (!harness_body_has(r, needle))
        fail_msg("missing in the response: %s", needle);
}

static long long q1(struct world *w, const char *sql, const char *p1)
{
    const char *const p[] = {p1, NULL};
    return harness_db_int(&w->s, sql, p);
}

static long long q2(struct world *w, const char *sql, const char *p1, const char *p2)
{
    const char *const p[] = {p1, p2, NULL};
    return harness_db_int(&w->s, sql, p);
}

static long long q3(struct world *w, const char *sql, const char *p1, const char *p2,
                    const char *p3)
{
    const char *const p[] = {p1, p2, p3, NULL};
    return harness_db_int(&w->s, sql, p);
}

static long long served(struct world *w, const char *day)
{
    return q1(w, "SELECT count(*) FROM meal WHERE day = ?1 AND status = 'served'", day);
}

static long long pupil_id(struct world *w, const char *cf)
{
    return q1(w, "SELECT id FROM pupil WHERE fiscal_code = ?1", cf);
}

static long long entries(struct world *w)
{
    return harness_db_int(&w->s, "SELECT count(*) FROM ledger_entry", NULL);
}

/* Sum of the correction entries of a pupil, shifted so that negative sums read as positive. */
static long long fix_sum(struct world *w, long long pid)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", pid);
    return q1(w,
              "SELECT ifnull(sum(amount_cents), 0) + 1000000 FROM ledger_entry WHERE pupil_id = ?1 "
              "AND ref LIKE 'meal-fix:%'",
              id) -
           1000000;
}

static void cutoff(struct world *w, const char *day)
{
    const char *args[] = {"admin", "cutoff", "--db", w->s.db_path, "--tenant", HARNESS_DEMO_TENANT,
                          "--day", day,      NULL};
    char out[4096];
    int rc = harness_run_cli(&w->s, args, NULL, out, sizeof(out));
    if (rc != 0)
        fail_msg("admin cutoff %s failed (%d): %s", day, rc, out);
}

/* The number in <dd id="ID">N</dd>. */
static long dd_number(const struct harness_resp *r, const char *id)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "<dd id=\"%s\">", id);
    const char *at = strstr(r->body, needle);
    if (!at)
        fail_msg("no %s in the page", id);
    return atol(at + strlen(needle));
}

/* The part of the page about one school (from its heading to the next school's). */
static char *school_section(const struct harness_resp *r, long long school_id)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "<h3 id=\"school-%lld\">", school_id);
    const char *at = strstr(r->body, needle);
    if (!at) {
        fail_msg("no section for school %lld", school_id);
        return NULL;
    }
    const char *end = strchr(at, '>');
    end = end ? strstr(end, "<h3 id=\"school-") : NULL;
    size_t n = end ? (size_t)(end - at) : strlen(at);
    char *s = malloc(n + 1);
    memcpy(s, at, n);
    s[n] = '\0';
    return s;
}

/* The school days after today in the demo's school year: the first two more than a week
   ahead (so no catch-up of the cut-off has touched them), Monday to Friday, no holiday. */
static void future_days(struct world *w)
{
    char today[TIME_LOCAL_DATE_MAX], d[TIME_LOCAL_DATE_MAX];
    time_today("Europe/Rome", today);
    w->future[0] = w->future2[0] = '\0';
    for (long i = 8; i < 400 && !w->future2[0]; i++) {
        long n;
        if (!time_date_add_days(today, i, d) || strcmp(d, "2027-06-30") > 0)
            break;
        if (!school_calendar_parse_day(d, &n) || school_calendar_weekday(n) > 5 ||
            school_calendar_national_holiday(n, NULL))
            continue;
        /* No exception of the demo's calendars on it. */
        if (q1(w, "SELECT count(*) FROM calendar_exception WHERE from_day <= ?1 AND to_day >= ?1",
               d) != 0)
            continue;
        snprintf(w->future[0] ? w->future2 : w->future, sizeof(w->future), "%s", d);
    }
}

/* ---- fixtures ------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));
    if (!w || harness_start(&w->s, NULL) != 0)
        return -1;
    *state = w;
    /* A recognisable medical note on the approved diet: it must never reach the kitchen. */
    const char *const p[] = {NOTE, NULL};
    if (harness_db_write_int(&w->s,
                             "UPDATE enrollment SET diet_notes = ?1 WHERE diet_code = 'APLV' "
                             "RETURNING id",
                             p) <= 0)
        return -1;
    cutoff(w, DAY);
    future_days(w);
    return 0;
}

static int group_teardown(void **state)
{
    struct world *w = *state;
    harness_destroy(&w->s);
    free(w);
    return 0;
}

/* ---- the kitchen sheet ---------------------------------------------------------------------- */

static void test_sheet_matches_meal_rows(void **state)
{
    struct world *w = *state;
    long long total = served(w, DAY);
    assert_true(total >= 4); /* the demo's four confirmed pupils at least */
    struct who k;
    sign_in(w, CUCINA, &k);
    struct harness_resp r;
    get(w, &k, KITCHEN "?giorno=" DAY, 200, &r);
    assert_has(&r, "Final: frozen at the cut-off");
    assert_has(&r, "Friday " DAY_SHOWN);
    assert_int_equal(dd_number(&r, "total-meals"), total);
    assert_int_equal(dd_number(&r, "total-diets"),
                     q1(w,
                        "SELECT count(*) FROM meal WHERE day = ?1 AND status = 'served' AND "
                        "diet_code <> ''",
                        DAY));
    /* Per school and class, as many as the meal rows. */
    long long montessori =
        q1(w, "SELECT id FROM school WHERE name = ?1", "Scuola primaria Maria Montessori");
    char *sec = school_section(&r, montessori);
    const char *classes[] = {"3A", "4B"};
    for (size_t i = 0; i < 2; i++) {
        char id[24], want[160];
        snprintf(id, sizeof(id), "%lld", montessori);
        long long n = q3(w,
                         "SELECT count(*) FROM meal m JOIN class k ON k.id = m.class_id WHERE "
                         "m.day = ?1 AND m.status = 'served' AND m.school_id = ?2 AND k.name = ?3",
                         DAY, id, classes[i]);
        assert_true(n >= 1);
        snprintf(want, sizeof(want),
                 "<tr><th scope=\"row\">%s</th><td class=\"text-end\">%lld</td>", classes[i], n);
        if (!strstr(sec, want))
            fail_msg("class %s: expected %s", classes[i], want);
    }
    free(sec);
    /* The special list: the diet codes, never the notes; the notes are nowhere. */
    assert_has(&r, "APLV");
    assert_has(&r, "NO-SUINO");
    assert_has(&r, "<th scope=\"row\">Rossi Luca</th>");
    assert_false(harness_body_has(&r, NOTE));
    assert_false(harness_body_has(&r, "latte vaccino"));
    assert_has(&r, "foglio.pdf?giorno=" DAY);
    assert_has(&r, "foglio.csv?giorno=" DAY);
    harness_resp_free(&r);

    /* One school: only its section. */
    char path[256];
    snprintf(path, sizeof(path), KITCHEN "?giorno=" DAY "&scuola=%lld", montessori);
    get(w, &k, path, 200, &r);
    char id[24];
    snprintf(id, sizeof(id), "%lld", montessori);
    assert_int_equal(dd_number(&r, "total-meals"),
                     q2(w,
                        "SELECT count(*) FROM meal WHERE day = ?1 AND status = 'served' AND "
                        "school_id = ?2",
                        DAY, id));
    assert_false(harness_body_has(&r, "Rossi Luca")); /* another school */
    harness_resp_free(&r);
}

/* The CSV: its per-class lines add up to the meal rows of each class, its diet lines to the
   meals of each diet; the special list follows. */
static void test_sheet_csv(void **state)
{
    struct world *w = *state;
    struct who k;
    sign_in(w, CUCINA, &k);
    struct harness_resp r;
    get(w, &k, KITCHEN "/foglio.csv?giorno=" DAY, 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "text/csv; charset=utf-8");
    /* In the municipality's language whoever downloads it (the kitchens' file). */
    assert_memory_equal(r.body,
                        "\xEF\xBB\xBF"
                        "Scuola;Classe;Dieta;",
                        3 + 20);
    assert_false(harness_body_has(&r, NOTE));
    char *copy = strdup(r.body + 3);
    long sum = 0, aplv = 0, lines = 0;
    bool special = false, special_aplv = false;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        if (!strncmp(line, "Scuola;Classe;Dieta", 19))
            continue;
        if (!strncmp(line, "Scuola;Classe;Cognome", 21)) {
            special = true;
            continue;
        }
        char *cells[8];
        size_t n = 0;
        char *cs = NULL;
        for (char *c = strtok_r(line, ";", &cs); c && n < 8; c = strtok_r(NULL, ";", &cs))
            cells[n++] = c;
        if (special) {
            assert_int_equal(n, 6);
            if (!strcmp(cells[4], "APLV") && !strcmp(cells[2], "Rossi"))
                special_aplv = true;
            continue;
        }
        assert_int_equal(n, 5);
        long count = atol(cells[4]);
        sum += count;
        lines++;
        if (!strcmp(cells[2], "APLV"))
            aplv += count;
        /* This (school, class, diet, plain) group against the database. */
        const char *const p[] = {DAY, cells[0], cells[1], NULL};
        bool normal = !strcmp(cells[2], "Menù normale") || !strcmp(cells[2], "Normal menu");
        const char *diet = normal ? "" : cells[2];
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM meal m JOIN school s ON s.id = m.school_id LEFT JOIN class "
                 "k ON k.id = m.class_id WHERE m.day = ?1 AND m.status = 'served' AND s.name = ?2 "
                 "AND ifnull(k.name, '') = ?3 AND m.diet_code = '%s' AND m.plain = %d",
                 diet, !strcmp(cells[3], "Sì") || !strcmp(cells[3], "Yes"));
        assert_int_equal(count, harness_db_int(&w->s, sql, p));
    }
    assert_true(lines >= 4);
    assert_int_equal(sum, served(w, DAY));
    assert_int_equal(aplv, q1(w,
                              "SELECT count(*) FROM meal WHERE day = ?1 AND status = 'served' AND "
                              "diet_code = 'APLV'",
                              DAY));
    assert_true(special_aplv);
    free(copy);
    harness_resp_free(&r);
}

static void test_sheet_pdf_and_mail(void **state)
{
    struct world *w = *state;
    struct who k;
    sign_in(w, CUCINA, &k);
    struct harness_resp r;
    get(w, &k, KITCHEN "/foglio.pdf?giorno=" DAY, 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "application/pdf");
    assert_true(r.body_len > 4 && !memcmp(r.body, "%PDF", 4));
    /* The text of the PDF: the codes, not the notes. */
    char path[64] = "/tmp/refettorio-kitchen-XXXXXX.pdf";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r.body, r.body_len), (ssize_t)r.body_len);
    close(fd);
    char cmd[128], text[65536];
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s -", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(text, 1, sizeof(text) - 1, p);
    text[n] = '\0';
    assert_int_equal(pclose(p), 0);
    unlink(path);
    assert_non_null(strstr(text, "APLV"));
    assert_non_null(strstr(text, "Kitchen sheet"));
    assert_null(strstr(text, NOTE));
    harness_resp_free(&r);

    /* The cut-off queued one e-mail per school with meals, to its kitchen, with the CSV. */
    long long schools = q1(w, "SELECT count(DISTINCT school_id) FROM meal WHERE day = ?1", DAY);
    assert_true(schools >= 3);
    assert_int_equal(q1(w,
                        "SELECT count(*) FROM mail_outbox WHERE kind = 'kitchen_sheet' AND "
                        "recipient LIKE 'cucina.%' AND subject LIKE '%' || ?1 || '%'",
                        DAY_SHOWN),
                     schools);
    assert_int_equal(q1(w,
                        "SELECT count(*) FROM mail_attachment a JOIN mail_outbox o ON o.id = "
                        "a.outbox_id WHERE o.kind = 'kitchen_sheet' AND a.content_type = "
                        "'text/csv' AND o.subject LIKE '%' || ?1 || '%'",
                        DAY_SHOWN),
                     schools);
    assert_int_equal(q1(w,
                        "SELECT count(*) FROM mail_outbox WHERE kind = 'kitchen_sheet' AND "
                        "(body_text LIKE '%' || ?1 || '%' OR body_html LIKE '%' || ?1 || '%')",
                        NOTE),
                     0);
}

static void test_sheet_bad_input(void **state)
{
    struct world *w = *state;
    struct who k;
    sign_in(w, CUCINA, &k);
    struct harness_resp r;
    get(w, &k, KITCHEN "?giorno=2026-13-45", 422, &r);
    assert_has(&r, "Enter a date like 15/01/2027.");
    assert_has(&r, "value=\"2026-13-45\"");
    harness_resp_free(&r);
    get(w, &k, KITCHEN "?giorno=ieri", 422, &r);
    assert_has(&r, "Enter a date like 15/01/2027.");
    harness_resp_free(&r);
    get(w, &k, KITCHEN "/foglio.pdf?giorno=31/02/2026", 422, &r);
    harness_resp_free(&r);
    get(w, &k, KITCHEN "/foglio.csv?scuola=abc", 422, &r);
    harness_resp_free(&r);
    get(w, &k, KITCHEN "?giorno=" DAY "&scuola=999999", 404, &r);
    harness_resp_free(&r);
    get(w, &k, KITCHEN "/foglio.csv?giorno=" DAY "&scuola=999999", 404, &r);
    harness_resp_free(&r);
    /* Typed the Italian way, the day is understood. */
    get(w, &k, KITCHEN "?giorno=20%2F11%2F2026", 200, &r);
    assert_has(&r, "value=\"" DAY "\"");
    harness_resp_free(&r);
    /* The kitchen reads the sheet only. */
    get(w, &k, MEALS, 403, &r);
    harness_resp_free(&r);
    harness_assert_healthy(&w->s);
}

/* Before the cut-off the sheet is a forecast from the bookings; the cut-off then freezes
   exactly that. */
static void test_forecast_then_frozen(void **state)
{
    struct world *w = *state;
    if (!w->future[0])
        skip();
    struct who k;
    sign_in(w, CUCINA, &k);
    struct harness_resp r;
    char path[128];
    snprintf(path, sizeof(path), KITCHEN "?giorno=%s", w->future);
    get(w, &k, path, 200, &r);
    assert_has(&r, "Forecast from the bookings");
    long forecast = dd_number(&r, "total-meals");
    assert_true(forecast >= 1);
    assert_int_equal(served(w, w->future), 0);
    harness_resp_free(&r);
    cutoff(w, w->future);
    get(w, &k, path, 200, &r);
    assert_has(&r, "Final: frozen at the cut-off");
    assert_int_equal(dd_number(&r, "total-meals"), forecast);
    assert_int_equal(served(w, w->future), forecast);
    harness_resp_free(&r);
}

/* ---- the office ----------------------------------------------------------------------------- */

static void test_office_counts(void **state)
{
    struct world *w = *state;
    struct who o;
    sign_in(w, UFFICIO, &o);
    struct harness_resp r;
    get(w, &o, MEALS "?mese=2026-11", 200, &r);
    assert_has(&r, "November 2026");
    assert_has(&r, "/ufficio/pasti/giorno/" DAY);
    assert_has(&r, "School year 2026/2027");
    assert_has(&r, "/ufficio/impostazioni-pasti");
    assert_has(&r, "/ufficio/cucina");
    long long month = q1(
        w, "SELECT count(*) FROM meal WHERE day LIKE ?1 || '%' AND status = 'served'", "2026-11");
    char want[96];
    snprintf(want, sizeof(want), "<td class=\"text-end\" id=\"month-meals\">%lld</td>", month);
    assert_has(&r, want);
    harness_resp_free(&r);
    get(w, &o, MEALS "?mese=2026-13", 422, &r);
    assert_has(&r, "Enter a month like 2026-09.");
    harness_resp_free(&r);
    /* Open a day, find a pupil. */
    get(w, &o, MEALS "/giorno?giorno=" DAY, 303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "/ufficio/pasti/giorno/" DAY));
    harness_resp_free(&r);
    get(w, &o, MEALS "/alunni?codice_fiscale=" GIULIA, 303, &r);
    char loc[64];
    snprintf(loc, sizeof(loc), "/ufficio/pasti/alunni/%lld", pupil_id(w, GIULIA));
    assert_non_null(strstr(harness_header(&r, "Location", 0), loc));
    harness_resp_free(&r);
    get(w, &o, MEALS "/alunni?codice_fiscale=AAAAAA00A00A000A", 422, &r);
    assert_has(&r, "No pupil of the municipality has this codice fiscale.");
    harness_resp_free(&r);
    get(w, &o, MEALS "/giorno/" DAY, 200, &r);
    assert_has(&r, "Rossi Giulia");
    assert_has(&r, "name=\"motivo\"");
    assert_has(&r, "Add a meal");
    harness_resp_free(&r);
    get(w, &o, MEALS "/giorno/2026-02-31", 404, &r);
    harness_resp_free(&r);
}

static void test_office_corrections(void **state)
{
    struct world *w = *state;
    struct who o;
    sign_in(w, UFFICIO, &o);
    long long giulia = pupil_id(w, GIULIA), matteo = pupil_id(w, MATTEO);
    char gid[24], mid[24];
    snprintf(gid, sizeof(gid), "%lld", giulia);
    snprintf(mid, sizeof(mid), "%lld", matteo);
    const char *status_sql = "SELECT status = 'served' FROM meal WHERE pupil_id = ?1 AND day = ?2";
    long long price =
        q2(w, "SELECT price_cents FROM meal WHERE pupil_id = ?1 AND day = ?2", gid, DAY);
    assert_true(price > 0);
    long long before = entries(w), total = served(w, DAY);
    struct harness_resp r;
    char fields[512];

    /* A bad reason, a bad action: refused, nothing changed. */
    snprintf(fields, sizeof(fields), "alunno=%s&azione=remove&motivo=ab", gid);
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 422, &r);
    assert_has(&r, "Write the reason: from 3 to 500 characters.");
    assert_has(&r, "value=\"ab\"");
    harness_resp_free(&r);
    snprintf(fields, sizeof(fields), "alunno=%s&azione=explode&motivo=Mandata+a+casa", gid);
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 422, &r);
    harness_resp_free(&r);
    assert_int_equal(q2(w, status_sql, gid, DAY), 1);
    assert_int_equal(entries(w), before);
    assert_int_equal(harness_db_int(&w->s, "SELECT count(*) FROM meal_correction", NULL), 0);

    /* Remove: the meal is removed and its price given back, once. */
    snprintf(fields, sizeof(fields), "alunno=%s&azione=remove&motivo=Mandata+a+casa+con+la+febbre",
             gid);
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "esito=remove"));
    harness_resp_free(&r);
    assert_int_equal(q2(w, status_sql, gid, DAY), 0);
    assert_int_equal(entries(w), before + 1);
    assert_int_equal(fix_sum(w, giulia), price);
    assert_int_equal(served(w, DAY), total - 1);
    assert_int_equal(harness_db_int(&w->s,
                                    "SELECT count(*) FROM audit_log WHERE action = "
                                    "'meal.correct.remove'",
                                    NULL),
                     1);
    assert_int_equal(q1(w,
                        "SELECT count(*) FROM ledger_entry l JOIN meal_correction c ON "
                        "c.ledger_entry_id = l.id AND l.ref = 'meal-fix:' || c.id WHERE "
                        "l.description LIKE '% ' || ?1 AND l.kind = 'meal'",
                        DAY_SHOWN),
                     1);
    /* Again: already removed, nothing moves. */
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 409, &r);
    assert_has(&r, "already removed");
    harness_resp_free(&r);
    assert_int_equal(entries(w), before + 1);
    assert_int_equal(harness_db_int(&w->s, "SELECT count(*) FROM meal_correction", NULL), 1);

    /* The kitchen sees one meal less. */
    get(w, &o, KITCHEN "?giorno=" DAY, 200, &r);
    assert_int_equal(dd_number(&r, "total-meals"), total - 1);
    harness_resp_free(&r);

    /* Plain meal: the flag only, no money; then back. */
    snprintf(fields, sizeof(fields), "alunno=%s&azione=plain&motivo=Mal+di+pancia", mid);
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(q2(w, "SELECT plain FROM meal WHERE pupil_id = ?1 AND day = ?2", mid, DAY), 1);
    assert_int_equal(entries(w), before + 1);
    get(w, &o, KITCHEN "?giorno=" DAY, 200, &r);
    assert_int_equal(dd_number(&r, "total-plain"), 1);
    assert_has(&r, "<th scope=\"row\">Esposito Matteo</th>");
    harness_resp_free(&r);
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 409, &r);
    assert_has(&r, "already a plain meal");
    harness_resp_free(&r);
    snprintf(fields, sizeof(fields), "alunno=%s&azione=unplain&motivo=Sta+meglio", mid);
    post(w, &o, MEALS "/giorno/" DAY "/correzioni", fields, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(q2(w, "SELECT plain FROM meal WHERE pupil_id = ?1 AND day = ?2", mid, DAY), 0);

    /* Add by codice fiscale: an unknown one is refused next to the field. */
    post(w, &o, MEALS "/giorno/" DAY "/correzioni",
         "azione=add&codice_fiscale=AAAAAA00A00A000A&motivo=Arrivato+tardi", 422, &r);
    assert_has(&r, "No pupil of the municipality has this codice fiscale.");
    assert_has(&r, "value=\"AAAAAA00A00A000A\"");
    harness_resp_free(&r);

    /* Undo the removal from the pupil's page: the day is frozen, so the meal is served again
       and charged, once. */
    char path[128];
    snprintf(path, sizeof(path), MEALS "/alunni/%s?mese=2026-11", gid);
    get(w, &o, path, 200, &r);
    assert_has(&r, "Giulia Rossi");
    assert_has(&r, "Record or undo a cancellation");
    assert_has(&r, "name=\"chiave\"");
    harness_resp_free(&r);
    snprintf(path, sizeof(path), MEALS "/alunni/%s/disdette", gid);
    post(w, &o, path, "giorno=" DAY "&azione=restore&motivo=Era+in+mensa&chiave=restore-key-0001",
         303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "esito=aggiunto"));
    harness_resp_free(&r);
    assert_int_equal(q2(w, status_sql, gid, DAY), 1);
    assert_int_equal(entries(w), before + 2);
    assert_int_equal(fix_sum(w, giulia), 0);
    post(w, &o, path, "giorno=" DAY "&azione=restore&motivo=Era+in+mensa&chiave=restore-key-0002",
         409, &r);
    assert_has(&r, "already has a meal");
    harness_resp_free(&r);
    assert_int_equal(entries(w), before + 2);
    /* A bad reason on the pupil's page: nothing changed. */
    post(w, &o, path, "giorno=" DAY "&azione=cancel&motivo=x&chiave=cancel-key-0001", 422, &r);
    assert_has(&r, "Write the reason: from 3 to 500 characters.");
    harness_resp_free(&r);
    assert_int_equal(q2(w, status_sql, gid, DAY), 1);
    assert_int_equal(entries(w), before + 2);
    assert_int_equal(served(w, DAY), total);
    harness_assert_healthy(&w->s);
}

/* Before the day is frozen the office's cancellation is a booking change with a reason. */
static void test_office_cancellation_before_freeze(void **state)
{
    struct world *w = *state;
    if (!w->future2[0])
        skip();
    struct who o;
    sign_in(w, UFFICIO, &o);
    char gid[24], path[128], fields[256];
    snprintf(gid, sizeof(gid), "%lld", pupil_id(w, GIULIA));
    snprintf(path, sizeof(path), MEALS "/alunni/%s/disdette", gid);
    snprintf(fields, sizeof(fields),
             "giorno=%s&azione=cancel&motivo=Gita+di+classe&chiave=cancel-key-0002", w->future2);
    long long before = entries(w);
    struct harness_resp r;
    post(w, &o, path, fields, 303, &r);
    const char *loc = harness_header(&r, "Location", 0);
    assert_non_null(strstr(loc, "esito=disdetta"));
    assert_non_null(strstr(loc, "ricevuta="));
    harness_resp_free(&r);
    assert_int_equal(q2(w,
                        "SELECT count(*) FROM meal_day WHERE pupil_id = ?1 AND day = ?2 AND "
                        "state = 'cancelled'",
                        gid, w->future2),
                     1);
    assert_int_equal(q2(w,
                        "SELECT count(*) FROM meal_request WHERE pupil_id = ?1 AND "
                        "from_day = ?2 AND actor_kind = 'staff' AND reason = 'Gita di classe'",
                        gid, w->future2),
                     1);
    assert_int_equal(entries(w), before);
    /* And the office undoes it. */
    snprintf(fields, sizeof(fields),
             "giorno=%s&azione=restore&motivo=Gita+annullata&chiave=restore-key-0003", w->future2);
    post(w, &o, path, fields, 303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "esito=ripristino"));
    harness_resp_free(&r);
    assert_int_equal(
        q2(w, "SELECT count(*) FROM meal_day WHERE pupil_id = ?1 AND day = ?2", gid, w->future2),
        0);
}

static void test_roles(void **state)
{
    struct world *w = *state;
    struct who g;
    sign_in(w, GESTORE, &g);
    struct harness_resp r;
    get(w, &g, MEALS "/giorno/" DAY, 200, &r);
    assert_false(harness_body_has(&r, "name=\"motivo\"")); /* reads only */
    harness_resp_free(&r);
    get(w, &g, KITCHEN "?giorno=" DAY, 200, &r);
    harness_resp_free(&r);
    char fields[256];
    snprintf(fields, sizeof(fields), "alunno=%lld&azione=remove&motivo=Prova+gestore",
             pupil_id(w, GIULIA));
    long long before = entries(w);
    post(w, &g, MEALS "/giorno/" DAY "/correzioni", fields, 403, &r);
    harness_resp_free(&r);
    struct who k;
    sign_in(w, CUCINA, &k);
    post(w, &k, MEALS "/giorno/" DAY "/correzioni", fields, 403, &r);
    harness_resp_free(&r);
    assert_int_equal(entries(w), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sheet_matches_meal_rows),
        cmocka_unit_test(test_sheet_csv),
        cmocka_unit_test(test_sheet_pdf_and_mail),
        cmocka_unit_test(test_sheet_bad_input),
        cmocka_unit_test(test_forecast_then_frozen),
        cmocka_unit_test(test_office_counts),
        cmocka_unit_test(test_office_corrections),
        cmocka_unit_test(test_office_cancellation_before_freeze),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
