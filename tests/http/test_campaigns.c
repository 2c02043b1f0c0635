/*
 * Enrollment campaigns over the real request path: the office creates a campaign (its window
 * typed as Italian local time and stored in UTC, classes ticked one by one or a whole school at
 * once), sees it listed with the state of its window, opens and changes it; every wrong field
 * answers 422 with the Italian message next to that field and everything else typed kept;
 * nothing is written then, and each change that is written has its audit entry. The kitchen and
 * the catering operator are refused, a missing CSRF token is refused, the ISEE bands form adds
 * bands and refuses a taken code, and the regulations PDF is stored with the campaign (a file
 * that is not a PDF is refused) and served to everyone.
 *
 * The school years the test uses (2035/2036 and 2036/2037, with their classes) are inserted by
 * the group setup, so the test does not depend on the demo's own years or on today's date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "web/route.h"

extern const struct route campaign_routes[];

#define TENANT   HARNESS_DEMO_TENANT
#define BASE     "/" TENANT "/ufficio/campagne"
#define ADMIN    "admin@comune.esempio.it"
#define KITCHEN  "cucina@ristorazione-esempio.it"
#define OPERATOR "gestore@ristorazione-esempio.it"
#define BODY_MAX 32768
#define SCHOOL_A "Scuola primaria Maria Montessori"
#define SCHOOL_B "Scuola dell'infanzia Gianni Rodari"
#define TITLE    "Iscrizioni e rinnovi 2035/2036"
#define PRIVACY  "Informativa ai sensi dell'art. 13 del Regolamento (UE) 2016/679."
#define BOUNDARY "rf-test-boundary-7d3a"
#define DECL_1   "Dichiaro di aver preso visione del Regolamento del servizio."
#define DECL_2   "Mi impegno a comunicare tempestivamente ogni variazione."
#define MINI_PDF                                                                                   \
    "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

/* Ids of the rows the group setup inserts, as text (form values and query parameters). */
static char year_a[24], year_b[24], class_a1[24], class_a2[24], class_a3[24], class_b1[24],
    class_r1[24], school_a[24], school_r[24];

/* ---- fixtures ----------------------------------------------------------------------------- */

static long long db_int(void **state, const char *sql, const char *p1, const char *p2)
{
    const char *const params[] = {p1, p2, NULL};
    return harness_db_int(*state, sql, params);
}

static void insert_id(void **state, const char *sql, const char *p1, const char *p2, char out[24])
{
    const char *const params[] = {p1, p2, NULL};
    long long id = harness_db_write_int(*state, sql, params);
    assert_true(id > 0);
    snprintf(out, 24, "%lld", id);
}

static void insert_year(void **state, const char *label, const char *starts, char out[24])
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO school_year (tenant_id, label, starts_on, ends_on, created_at) "
             "SELECT id, ?1, ?2, '%.4s-06-30', '2026-01-01T00:00:00Z' FROM tenant "
             "WHERE slug = '" TENANT "' RETURNING id",
             label + 5);
    insert_id(state, sql, label, starts, out);
}

static void insert_class(void **state, const char *school_id, const char *year, const char *name,
                         char out[24])
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO class (tenant_id, school_id, school_year_id, name, created_at) "
             "SELECT tenant_id, id, ?2, '%s', '2026-01-01T00:00:00Z' FROM school WHERE id = ?1 "
             "RETURNING id",
             name);
    insert_id(state, sql, school_id, year, out);
}

static int group_setup(void **state)
{
    if (harness_group_setup(state) != 0)
        return -1;
    snprintf(school_a, sizeof(school_a), "%lld",
             db_int(state, "SELECT id FROM school WHERE name = ?1", SCHOOL_A, NULL));
    snprintf(school_r, sizeof(school_r), "%lld",
             db_int(state, "SELECT id FROM school WHERE name = ?1", SCHOOL_B, NULL));
    insert_year(state, "2035/2036", "2035-09-01", year_a);
    insert_year(state, "2036/2037", "2036-09-01", year_b);
    insert_class(state, school_a, year_a, "1A", class_a1);
    insert_class(state, school_a, year_a, "1B", class_a2);
    insert_class(state, school_a, year_a, "2A", class_a3);
    insert_class(state, school_r, year_a, "Sezione A", class_r1);
    insert_class(state, school_a, year_b, "1A", class_b1);
    return 0;
}

/* ---- the form ----------------------------------------------------------------------------- */

struct form {
    const char *school_year, *title, *kind, *opens_date, *opens_time, *closes_date, *closes_time;
    const char *weekdays[6];
    const char *classes[6];
    const char *schools[3];
    const char *declarations, *privacy, *fee, *debt;
    bool diets, direct_debit;
};

static struct form valid_form(void)
{
    return (struct form){
        .school_year = year_a,
        .title = TITLE,
        .kind = "both",
        .opens_date = "2035-01-15",
        .opens_time = "09:00",
        .closes_date = "2035-02-28",
        .closes_time = "12:00",
        .weekdays = {"1", "2", "3", "4", "5"},
        .classes = {class_a1, class_a2},
        .declarations = DECL_1 "\r\n\r\n" DECL_2 "\r\n",
        .privacy = PRIVACY "\r\nTitolare del trattamento: Comune di Esempio.",
        .fee = "25,00",
        .debt = "-30,00",
        .diets = true,
        .direct_debit = true,
    };
}

/* name=value pairs of f, in order, for an urlencoded body or a multipart one. */
struct pairs {
    const char *name[32];
    const char *value[32];
    size_t n;
};

static void pair(struct pairs *p, const char *name, const char *value)
{
    if (!value)
        return;
    assert_true(p->n < 32);
    p->name[p->n] = name;
    p->value[p->n++] = value;
}

static void form_pairs(const struct harness_session *s, const struct form *f, struct pairs *p)
{
    p->n = 0;
    pair(p, "csrf", s->csrf);
    pair(p, "school_year", f->school_year);
    pair(p, "title", f->title);
    pair(p, "kind", f->kind);
    pair(p, "opens_date", f->opens_date);
    pair(p, "opens_time", f->opens_time);
    pair(p, "closes_date", f->closes_date);
    pair(p, "closes_time", f->closes_time);
    for (size_t i = 0; i < 6 && f->weekdays[i]; i++)
        pair(p, "weekday[]", f->weekdays[i]);
    for (size_t i = 0; i < 6 && f->classes[i]; i++)
        pair(p, "class[]", f->classes[i]);
    for (size_t i = 0; i < 3 && f->schools[i]; i++)
        pair(p, "school[]", f->schools[i]);
    pair(p, "declarations", f->declarations);
    pair(p, "privacy_notice", f->privacy);
    pair(p, "fee", f->fee);
    pair(p, "debt_threshold", f->debt);
    if (f->diets)
        pair(p, "diets", "1");
    if (f->direct_debit)
        pair(p, "direct_debit", "1");
}

static void form_body(const struct harness_session *s, const struct form *f, char *out, size_t n)
{
    struct pairs p;
    form_pairs(s, f, &p);
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p.n; i++) {
        char name[64], value[8192];
        harness_urlencode(p.name[i], name, sizeof(name));
        harness_urlencode(p.value[i], value, sizeof(value));
        len += (size_t)snprintf(out + len, n - len, "%s%s=%s", i ? "&" : "", name, value);
        assert_true(len < n);
    }
}

/* POST f (urlencoded) to path; the response is left in r. */
static void post_form(void **state, const struct harness_session *s, const char *path,
                      const struct form *f, long status, struct harness_resp *r)
{
    static char body[BODY_MAX];
    form_body(s, f, body, sizeof(body));
    harness_expect_post(*state, path, body, s->cookie, status, r);
}

/* POST f as multipart/form-data with a file part "regulations". */
static void post_multipart(void **state, const struct harness_session *s, const char *path,
                           const struct form *f, const char *filename, const char *data,
                           size_t data_len, long status, struct harness_resp *r)
{
    static char body[BODY_MAX];
    struct pairs p;
    form_pairs(s, f, &p);
    size_t len = 0;
    for (size_t i = 0; i < p.n; i++) {
        len += (size_t)snprintf(body + len, sizeof(body) - len,
                                "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\""
                                "\r\n\r\n%s\r\n",
                                p.name[i], p.value[i]);
        assert_true(len < sizeof(body));
    }
    len +=
        (size_t)snprintf(body + len, sizeof(body) - len,
                         "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"regulations\"; "
                         "filename=\"%s\"\r\nContent-Type: application/pdf\r\n\r\n",
                         filename);
    assert_true(len + data_len + 64 < sizeof(body));
    memcpy(body + len, data, data_len);
    len += data_len;
    len += (size_t)snprintf(body + len, sizeof(body) - len, "\r\n--" BOUNDARY "--\r\n");
    const char *headers[] = {"Content-Type: multipart/form-data; boundary=" BOUNDARY, NULL};
    struct harness_req rq = {.method = "POST",
                             .path = path,
                             .headers = headers,
                             .body = body,
                             .body_len = len,
                             .cookie = s->cookie};
    harness_expect(*state, &rq, status, r);
}

static void expect_has(const struct harness_resp *r, const char *needle)
{
    if (!harness_body_has(r, needle))
        fprintf(stderr, "# missing in the page: %s\n", needle);
    assert_true(harness_body_has(r, needle));
}

static long long campaigns(void **state)
{
    return db_int(state, "SELECT count(*) FROM campaign", NULL, NULL);
}

static long long audits(void **state, const char *action)
{
    return db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", action, NULL);
}

static void sign_in(void **state, const char *email, struct harness_session *s)
{
    memset(s, 0, sizeof(*s));
    harness_sign_in(*state, TENANT, email, HARNESS_DEMO_PASSWORD, 303, s);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_create_list_edit(void **state)
{
    struct harness_session s;
    sign_in(state, HARNESS_DEMO_EMAIL, &s);
    struct harness_resp r;
    harness_expect_get(*state, BASE "/nuova", s.cookie, 200, &r);
    assert_false(harness_body_has(&r, "aria-invalid")); /* a fresh form shows no errors */
    expect_has(&r, "Nuova campagna");
    expect_has(&r, "name=\"class[]\"");
    expect_has(&r, "Tutte le classi di questa scuola");
    expect_has(&r, "enctype=\"multipart/form-data\"");
    harness_resp_free(&r);

    long long before = campaigns(state), created = audits(state, "campaign.create");
    struct form f = valid_form();
    post_form(state, &s, BASE "/nuova", &f, 303, &r);
    long long id = db_int(state, "SELECT id FROM campaign WHERE title = ?1", TITLE, NULL);
    char id_text[24], location[128];
    snprintf(id_text, sizeof(id_text), "%lld", id);
    snprintf(location, sizeof(location), BASE "/%lld?esito=creata", id);
    assert_string_equal(harness_header(&r, "Location", 0), location);
    harness_resp_free(&r);
    assert_int_equal(campaigns(state), before + 1);
    assert_int_equal(audits(state, "campaign.create"), created + 1);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM audit_log WHERE action = 'campaign.create' AND "
                            "entity_id = ?1 AND to_state = 'not_yet_open' AND actor_label = ?2",
                            id_text, HARNESS_DEMO_EMAIL),
                     1);
    /* Italian local time to UTC: 09:00 in January is 08:00 UTC. */
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM campaign WHERE id = ?1 AND "
                            "opens_at = '2035-01-15T08:00:00Z' AND "
                            "closes_at = '2035-02-28T11:00:00Z' AND weekdays = '12345' AND "
                            "kind = 'both' AND fee_cents = 2500 AND debt_threshold_cents = -3000 "
                            "AND diets_offered = 1 AND direct_debit_offered = 1 AND "
                            "privacy_notice = ?2",
                            id_text, PRIVACY "\nTitolare del trattamento: Comune di Esempio."),
                     1);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM campaign_class WHERE campaign_id = ?1", id_text, NULL),
        2);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM campaign_declaration WHERE campaign_id = ?1 "
                            "AND ((position = 1 AND text = ?2) OR position = 2)",
                            id_text, DECL_1),
                     2);

    /* Listed with its window and state; its page shows everything. */
    harness_expect_get(*state, BASE, s.cookie, 200, &r);
    expect_has(&r, "Campagne di iscrizione");
    expect_has(&r, TITLE);
    expect_has(&r, "15/01/2035 09:00");
    expect_has(&r, "Non ancora aperta");
    expect_has(&r, "Nuove iscrizioni e rinnovi");
    harness_resp_free(&r);
    char path[128];
    snprintf(path, sizeof(path), BASE "/%lld?esito=creata", id);
    harness_expect_get(*state, path, s.cookie, 200, &r);
    expect_has(&r, "La campagna è stata creata.");
    expect_has(&r, DECL_2);
    expect_has(&r, "25,00 €");
    expect_has(&r, "-30,00 €");
    expect_has(&r, "Lunedì, Martedì, Mercoledì, Giovedì, Venerdì");
    expect_has(&r, "<strong>" SCHOOL_A "</strong>: 1A, 1B");
    harness_resp_free(&r);

    /* The edit form holds what was saved. */
    snprintf(path, sizeof(path), BASE "/%lld/modifica", id);
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_false(harness_body_has(&r, "aria-invalid"));
    expect_has(&r, "value=\"" TITLE "\"");
    expect_has(&r, "value=\"2035-01-15\"");
    expect_has(&r, "value=\"09:00\"");
    expect_has(&r, "value=\"25,00\"");
    expect_has(&r, "value=\"-30,00\"");
    char needle[128];
    snprintf(needle, sizeof(needle), "value=\"%s\" checked", class_a2);
    expect_has(&r, needle);
    harness_resp_free(&r);

    /* Change it: another title, closed already, one more class; the audit says what changed. */
    long long updated = audits(state, "campaign.update");
    f.title = TITLE " (riapertura)";
    f.opens_date = "01/01/2020"; /* typed the Italian way where there is no date picker */
    f.closes_date = "31/01/2020";
    f.classes[2] = class_r1;
    post_form(state, &s, path, &f, 303, &r);
    snprintf(location, sizeof(location), BASE "/%lld?esito=modificata", id);
    assert_string_equal(harness_header(&r, "Location", 0), location);
    harness_resp_free(&r);
    assert_int_equal(audits(state, "campaign.update"), updated + 1);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM audit_log WHERE action = 'campaign.update' AND "
                            "entity_id = ?1 AND from_state = 'not_yet_open' AND "
                            "to_state = 'closed' AND detail LIKE '%title%' AND "
                            "detail LIKE '%classes%'",
                            id_text, NULL),
                     1);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM campaign_class WHERE campaign_id = ?1", id_text, NULL),
        3);
    assert_int_equal(campaigns(state), before + 1);
    harness_expect_get(*state, BASE, s.cookie, 200, &r);
    expect_has(&r, TITLE " (riapertura)");
    expect_has(&r, "Chiusa");
    harness_resp_free(&r);

    /* A whole school at once, in a campaign open now. */
    f = valid_form();
    f.title = "Rinnovi aperti";
    f.kind = "renewal";
    f.opens_date = "2020-01-01";
    f.closes_date = "2035-12-31";
    f.classes[0] = NULL;
    snprintf(needle, sizeof(needle), "%s-%s", year_a, school_a);
    f.schools[0] = needle;
    post_form(state, &s, BASE "/nuova", &f, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM campaign_class cc JOIN campaign c ON "
                            "c.id = cc.campaign_id WHERE c.title = ?1",
                            "Rinnovi aperti", NULL),
                     3);
    harness_expect_get(*state, BASE, s.cookie, 200, &r);
    expect_has(&r, ">Aperta<");
    expect_has(&r, ">Rinnovi<");
    harness_resp_free(&r);
    harness_assert_healthy(*state);
}

/* One wrong value: 422, the message next to its field (id="<key>-error"), the rest kept. */
static void expect_refused(void **state, const struct harness_session *s, const struct form *f,
                           const char *key, const char *message)
{
    struct harness_resp r;
    post_form(state, s, BASE "/nuova", f, 422, &r);
    char needle[128];
    snprintf(needle, sizeof(needle), "id=\"%s-error\"", key);
    expect_has(&r, needle);
    expect_has(&r, message);
    expect_has(&r, "Controlla i campi segnalati qui sotto.");
    /* Everything else is still there. */
    if (strcmp(key, "title"))
        expect_has(&r, "value=\"" TITLE "\"");
    if (strcmp(key, "opens_date") && strcmp(key, "opens_time"))
        expect_has(&r, "value=\"2035-01-15\"");
    expect_has(&r, strcmp(key, "declarations") ? DECL_2 : DECL_1);
    expect_has(&r, "Informativa ai sensi dell&#39;art. 13");
    if (strcmp(key, "debt_threshold"))
        expect_has(&r, "value=\"-30,00\"");
    if (strcmp(key, "classes")) {
        snprintf(needle, sizeof(needle), "value=\"%s\" checked", class_a1);
        expect_has(&r, needle);
    }
    if (strcmp(key, "weekdays"))
        expect_has(&r, "id=\"weekday-3\" value=\"3\" checked");
    expect_has(&r, "id=\"direct_debit\" value=\"1\" checked");
    harness_resp_free(&r);
}

static void test_wrong_fields(void **state)
{
    struct harness_session s;
    sign_in(state, HARNESS_DEMO_EMAIL, &s);
    long long before = campaigns(state), created = audits(state, "campaign.create");
    struct form f;

    f = valid_form();
    f.title = "";
    expect_refused(state, &s, &f, "title", "Questo campo è obbligatorio.");
    f = valid_form();
    f.title = "Ab";
    expect_refused(state, &s, &f, "title", "Scrivi un titolo da 3 a 120 caratteri.");
    f = valid_form();
    f.closes_date = "2035-01-10";
    expect_refused(state, &s, &f, "closes_date",
                   "La chiusura deve essere successiva all&#39;apertura.");
    f = valid_form();
    f.closes_date = "31/02/2035";
    expect_refused(state, &s, &f, "closes_date", "Inserisci una data come 15/01/2027.");
    f = valid_form();
    f.opens_date = "2035-03-25"; /* summer time starts: 02:00-02:59 does not exist */
    f.opens_time = "02:30";
    expect_refused(state, &s, &f, "opens_time", "passaggio all&#39;ora legale");
    f = valid_form();
    memset(f.weekdays, 0, sizeof(f.weekdays));
    expect_refused(state, &s, &f, "weekdays", "Scegli almeno un giorno della settimana.");
    f = valid_form();
    f.weekdays[1] = "6";
    expect_refused(state, &s, &f, "weekdays", "Scegli tra i giorni elencati.");
    f = valid_form();
    memset(f.classes, 0, sizeof(f.classes));
    expect_refused(state, &s, &f, "classes", "Scegli almeno una classe.");
    f = valid_form();
    f.classes[2] = class_b1; /* 2036/2037 */
    expect_refused(state, &s, &f, "classes",
                   "Scegli solo classi dell&#39;anno scolastico 2035/2036.");
    char other[64];
    snprintf(other, sizeof(other), "%s-%s", year_b, school_a);
    f = valid_form();
    f.schools[0] = other;
    expect_refused(state, &s, &f, "classes",
                   "Scegli solo classi dell&#39;anno scolastico 2035/2036.");
    f = valid_form();
    f.fee = "12,345";
    expect_refused(state, &s, &f, "fee", "Usa al massimo due decimali, ad esempio 12,35.");
    f = valid_form();
    f.fee = "-5,00";
    expect_refused(state, &s, &f, "fee", "La quota deve essere compresa tra 0,00 e 1.000,00 euro.");
    f = valid_form();
    f.debt = "trenta";
    expect_refused(state, &s, &f, "debt_threshold",
                   "Inserisci un importo in euro, ad esempio 25,00.");
    f = valid_form();
    static char many[4096];
    size_t len = (size_t)snprintf(many, sizeof(many), "%s\r\n", DECL_1);
    for (int i = 2; i <= 13; i++)
        len += (size_t)snprintf(many + len, sizeof(many) - len, "Dichiarazione numero %d\r\n", i);
    f.declarations = many;
    expect_refused(state, &s, &f, "declarations",
                   "Scrivi al massimo 12 dichiarazioni, una per riga.");
    f = valid_form();
    f.declarations = DECL_1 "\r\nno\r\n";
    expect_refused(state, &s, &f, "declarations",
                   "Ogni dichiarazione deve avere da 3 a 1000 caratteri.");
    f = valid_form();
    f.privacy = " \r\n ";
    struct harness_resp r;
    post_form(state, &s, BASE "/nuova", &f, 422, &r);
    expect_has(&r, "id=\"privacy_notice-error\"");
    harness_resp_free(&r);

    /* Several at once, each next to its own field. */
    f = valid_form();
    f.title = "";
    f.fee = "-1";
    memset(f.weekdays, 0, sizeof(f.weekdays));
    post_form(state, &s, BASE "/nuova", &f, 422, &r);
    expect_has(&r, "id=\"title-error\"");
    expect_has(&r, "id=\"fee-error\"");
    expect_has(&r, "id=\"weekdays-error\"");
    expect_has(&r, "aria-describedby=\"fee-help fee-error\"");
    harness_resp_free(&r);

    assert_int_equal(campaigns(state), before);
    assert_int_equal(audits(state, "campaign.create"), created);
}

static void test_roles(void **state)
{
    static const char *const who[] = {KITCHEN, OPERATOR};
    long long id = db_int(state, "SELECT id FROM campaign ORDER BY id LIMIT 1", NULL, NULL);
    assert_true(id > 0);
    char detail[128], edit[128];
    snprintf(detail, sizeof(detail), BASE "/%lld", id);
    snprintf(edit, sizeof(edit), BASE "/%lld/modifica", id);
    const char *gets[] = {BASE, BASE "/nuova", BASE "/fasce-isee", detail, edit};
    for (size_t k = 0; k < 2; k++) {
        struct harness_session s;
        sign_in(state, who[k], &s);
        struct harness_resp r;
        for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
            harness_expect_get(*state, gets[i], s.cookie, 403, &r);
            harness_resp_free(&r);
        }
        struct form f = valid_form();
        f.title = "Non autorizzata";
        post_form(state, &s, BASE "/nuova", &f, 403, &r);
        harness_resp_free(&r);
        post_form(state, &s, edit, &f, 403, &r);
        harness_resp_free(&r);
        char body[512];
        snprintf(body, sizeof(body), "csrf=%s&code=Z&label=Vietata", s.csrf);
        harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 403, &r);
        harness_resp_free(&r);
    }
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM campaign WHERE title = ?1", "Non autorizzata", NULL),
        0);
    assert_int_equal(db_int(state, "SELECT count(*) FROM isee_band WHERE code = 'Z'", NULL, NULL),
                     0);
    /* Without a session: the sign-in; an administrator: the pages. */
    struct harness_resp r;
    harness_expect_get(*state, BASE, NULL, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), "/" TENANT "/ufficio/accedi");
    harness_resp_free(&r);
    struct harness_session admin;
    sign_in(state, ADMIN, &admin);
    harness_expect_get(*state, BASE, admin.cookie, 200, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, detail, admin.cookie, 200, &r);
    harness_resp_free(&r);
    /* Unknown or malformed ids. */
    harness_expect_get(*state, BASE "/999999", admin.cookie, 404, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, BASE "/abc/modifica", admin.cookie, 404, &r);
    harness_resp_free(&r);
}

static void test_isee_bands(void **state)
{
    struct harness_session s;
    sign_in(state, HARNESS_DEMO_EMAIL, &s);
    struct harness_resp r;
    harness_expect_get(*state, BASE "/fasce-isee", s.cookie, 200, &r);
    expect_has(&r, "Fasce ISEE");
    assert_false(harness_body_has(&r, "aria-invalid"));
    harness_resp_free(&r);
    long long before = audits(state, "isee_band.create");
    char body[1024];
    snprintf(body, sizeof(body),
             "csrf=%s&code=T1&label=ISEE+fino+a+6.000+euro&max_isee=6.000%%2C00", s.csrf);
    harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), BASE "/fasce-isee?esito=fascia");
    harness_resp_free(&r);
    assert_int_equal(db_int(state,
                            "SELECT max_isee_cents FROM isee_band WHERE code = 'T1' AND "
                            "label = 'ISEE fino a 6.000 euro'",
                            NULL, NULL),
                     600000);
    snprintf(body, sizeof(body), "csrf=%s&code=T9&label=Oltre+i+20.000+euro", s.csrf);
    harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(
        db_int(state, "SELECT max_isee_cents IS NULL FROM isee_band WHERE code = 'T9'", NULL, NULL),
        1);
    assert_int_equal(audits(state, "isee_band.create"), before + 2);
    harness_expect_get(*state, BASE "/fasce-isee?esito=fascia", s.cookie, 200, &r);
    expect_has(&r, "La fascia ISEE è stata aggiunta.");
    expect_has(&r, "6.000,00 €");
    expect_has(&r, "Nessun limite massimo");
    harness_resp_free(&r);

    /* A taken code, a wrong amount, a wrong code: next to the field, with the rest kept. */
    snprintf(body, sizeof(body), "csrf=%s&code=T1&label=Doppia", s.csrf);
    harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 422, &r);
    expect_has(&r, "id=\"code-error\"");
    expect_has(&r, "Esiste già una fascia con questo codice.");
    expect_has(&r, "value=\"Doppia\"");
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=T2&label=Errata&max_isee=seimila", s.csrf);
    harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 422, &r);
    expect_has(&r, "id=\"max_isee-error\"");
    expect_has(&r, "Inserisci un importo in euro, ad esempio 25,00.");
    expect_has(&r, "value=\"T2\"");
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=T_2&label=Errata", s.csrf);
    harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 422, &r);
    expect_has(&r, "Usa fino a 8 lettere, cifre o trattini.");
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=T3&label=Negativa&max_isee=-1", s.csrf);
    harness_expect_post(*state, BASE "/fasce-isee", body, s.cookie, 422, &r);
    expect_has(&r, "Il massimo deve essere compreso tra 0,00 e 1.000.000,00 euro.");
    harness_resp_free(&r);
    assert_int_equal(audits(state, "isee_band.create"), before + 2);
}

static void test_regulations_upload(void **state)
{
    struct harness_session s;
    sign_in(state, HARNESS_DEMO_EMAIL, &s);
    long long before = campaigns(state);
    long long files = db_int(state, "SELECT count(*) FROM attachment", NULL, NULL);
    struct harness_resp r;
    struct form f = valid_form();
    f.title = "Con regolamento";
    static const char not_pdf[] = "<html>non sono un PDF</html>";
    post_multipart(state, &s, BASE "/nuova", &f, "regolamento.pdf", not_pdf, sizeof(not_pdf) - 1,
                   422, &r);
    expect_has(&r, "id=\"regulations-error\"");
    expect_has(&r, "Il file deve essere un documento PDF.");
    expect_has(&r, "value=\"Con regolamento\"");
    harness_resp_free(&r);
    assert_int_equal(campaigns(state), before);
    assert_int_equal(db_int(state, "SELECT count(*) FROM attachment", NULL, NULL), files);

    post_multipart(state, &s, BASE "/nuova", &f, "Regolamento mensa.pdf", MINI_PDF,
                   sizeof(MINI_PDF) - 1, 303, &r);
    harness_resp_free(&r);
    long long id = db_int(state,
                          "SELECT c.id FROM campaign c JOIN attachment a ON "
                          "a.id = c.regulations_attachment_id WHERE c.title = ?1 AND "
                          "a.kind = 'regulations'",
                          "Con regolamento", NULL);
    assert_true(id > 0);
    char path[128], id_text[24];
    snprintf(id_text, sizeof(id_text), "%lld", id);
    snprintf(path, sizeof(path), "/" TENANT "/iscrizioni/%lld/regolamento", id);
    harness_expect_get(*state, path, NULL, 200, &r); /* public */
    const char *type = harness_header(&r, "Content-Type", 0);
    assert_non_null(type);
    assert_non_null(strstr(type, "application/pdf"));
    assert_int_equal(r.body_len, sizeof(MINI_PDF) - 1);
    assert_memory_equal(r.body, MINI_PDF, sizeof(MINI_PDF) - 1);
    harness_resp_free(&r);
    /* The campaign's page links it; the edit keeps it when no new file is chosen. */
    snprintf(path, sizeof(path), BASE "/%lld", id);
    harness_expect_get(*state, path, s.cookie, 200, &r);
    expect_has(&r, "Regolamento mensa.pdf");
    harness_resp_free(&r);
    long long att = db_int(state, "SELECT regulations_attachment_id FROM campaign WHERE id = ?1",
                           id_text, NULL);
    snprintf(path, sizeof(path), BASE "/%lld/modifica", id);
    f.fee = "30,00";
    post_form(state, &s, path, &f, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int(state, "SELECT regulations_attachment_id FROM campaign WHERE id = ?1",
                            id_text, NULL),
                     att);
    /* No document, or no such campaign: 404. */
    long long bare = db_int(
        state, "SELECT id FROM campaign WHERE regulations_attachment_id IS NULL", NULL, NULL);
    snprintf(path, sizeof(path), "/" TENANT "/iscrizioni/%lld/regolamento", bare);
    harness_expect_get(*state, path, NULL, 404, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/iscrizioni/999999/regolamento", NULL, 404, &r);
    harness_resp_free(&r);
}

static void test_csrf_on_every_post(void **state)
{
    struct harness_session s;
    sign_in(state, HARNESS_DEMO_EMAIL, &s);
    long long id = db_int(state, "SELECT id FROM campaign ORDER BY id LIMIT 1", NULL, NULL);
    long long before = campaigns(state);
    int posts = 0;
    for (const struct route *rt = campaign_routes; rt->handler; rt++) {
        if (rt->method != HTTP_POST)
            continue;
        char path[256];
        const char *brace = strchr(rt->pattern, '{');
        if (brace)
            snprintf(path, sizeof(path), "/" TENANT "%.*s%lld%s", (int)(brace - rt->pattern),
                     rt->pattern, id, strchr(brace, '}') + 1);
        else
            snprintf(path, sizeof(path), "/" TENANT "%s", rt->pattern);
        struct harness_resp r;
        harness_expect_post(*state, path, "title=Senza+token&code=X&label=Senza", s.cookie, 403,
                            &r);
        harness_resp_free(&r);
        harness_expect_post(*state, path, "csrf=sbagliato&title=Senza+token", s.cookie, 403, &r);
        harness_resp_free(&r);
        posts++;
    }
    assert_int_equal(posts, 3);
    assert_int_equal(campaigns(state), before);
    harness_assert_healthy(*state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_list_edit),
        cmocka_unit_test(test_wrong_fields),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_isee_bands),
        cmocka_unit_test(test_regulations_upload),
        cmocka_unit_test(test_csrf_on_every_post),
    };
    return cmocka_run_group_tests(tests, group_setup, harness_group_teardown);
}
