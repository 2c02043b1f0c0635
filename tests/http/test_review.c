/*
 * The office's review of enrollments over the real request path. Fixtures are written with SQL
 * into the demo municipality (two campaigns of its school year, applications of the demo
 * families' pupils and of a few made-up ones, a medical certificate, a ledger debt), so the
 * tests do not depend on what the demo seeds. Covered: the list and its filters (status,
 * school, kind, diet, dates judged in Europe/Rome, search by surname, by "name surname" and by a
 * piece of a codice fiscale; anonymous forms in progress never listed; the newest campaign is
 * the default), the detail with its history and the IBAN masked, confirm (status, decided_at
 * and decided_by, the history row, the audit row, the family's e-mail in its language), reject
 * (a missing or too short reason is refused next to the field and changes nothing; the reason
 * is in the e-mail), no decision on an application that is not submitted, a bulk decision over
 * three with one already decided, the diet decision with the kitchen's code, the debt-gate
 * override (reason required), the CSV export (BOM, ';', CRLF, the Italian header, quoting and
 * formula neutralisation), the medical certificate (served and audit-logged), the kitchen
 * refused on every route and the catering operator allowed, and CSRF on every form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "harness.h"
#include "web/route.h"

extern const struct route review_routes[];

#define T        "/" HARNESS_DEMO_TENANT
#define LIST     T "/ufficio/iscrizioni"
#define UFFICIO  "ufficio@comune.esempio.it"
#define GESTORE  "gestore@ristorazione-esempio.it"
#define CUCINA   "cucina@ristorazione-esempio.it"
#define ROSSI    "RSSMRA82C14H501K" /* guardian Mario Rossi (it) */
#define ESPOSITO "SPSNNA87S70F839K" /* guardian Anna Esposito (it) */
#define BIANCHI  "BNCCHR90L48F205V" /* guardian Chiara Bianchi (en) */
#define BODY_MAX 8192
#define PDF      "%PDF-1.4\n% certificato medico di prova\n%%EOF\n"

/* Fixture ids, as text for SQL parameters and paths. */
static char campaign_a[24], campaign_b[24];
static char giulia[24], luca[24], matteo[24], sofia[24], csv_row[24], anonymous[24];
static char montessori[24];
static int pupil_seq;

/* ---- SQL fixtures --------------------------------------------------------------------------- */

static const struct harness_server *review_server; /* the group's server, for the fixtures */

static long long sql_int(const char *sql, const char *const *params)
{
    return harness_db_int(review_server, sql, params);
}

static long long sql_write(const char *sql, const char *const *params)
{
    long long v = harness_db_write_int(review_server, sql, params);
    if (v < 0)
        fprintf(stderr, "# fixture failed: %s\n", sql);
    return v;
}

static void id_text(char *out, size_t n, long long v)
{
    snprintf(out, n, "%lld", v);
}

static long long campaign_new(const char *title, const char *opens_at, const char *threshold)
{
    const char *const p[] = {title, opens_at, threshold, NULL};
    return sql_write(
        "INSERT INTO campaign (tenant_id, school_year_id, title, kind, opens_at, closes_at, "
        "weekdays, privacy_notice, debt_threshold_cents, created_at, updated_at) "
        "SELECT t.id, y.id, ?1, 'both', ?2, '2031-01-01T00:00:00Z', '12345', 'Informativa', "
        "CAST(nullif(?3, '') AS INTEGER), '2026-01-10T08:00:00Z', '2026-01-10T08:00:00Z' "
        "FROM tenant t JOIN school_year y ON y.tenant_id = t.id AND y.label = '2026/2027' "
        "WHERE t.slug = 'esempio' RETURNING id",
        p);
}

static long long class_id(const char *school, const char *name)
{
    const char *const p[] = {school, name, NULL};
    return sql_int("SELECT k.id FROM class k JOIN school s ON s.id = k.school_id "
                   "WHERE s.name = ?1 AND k.name = ?2",
                   p);
}

static void campaign_class(const char *campaign, long long klass)
{
    char k[24];
    id_text(k, sizeof(k), klass);
    const char *const p[] = {campaign, k, NULL};
    assert_true(sql_write("INSERT INTO campaign_class (campaign_id, class_id) VALUES (?1, ?2) "
                          "RETURNING campaign_id",
                          p) > 0);
}

/* A made-up pupil of the guardian: codice fiscale TSTPPLnnA01H501Z, badge 99000000nn. */
static void pupil_new(const char *guardian_cf, char cf[17], const char *name, const char *surname)
{
    unsigned n = (unsigned)++pupil_seq % 100u; /* fewer than 100 made-up pupils */
    char badge[16];
    snprintf(cf, 17, "TSTPPL%02uA01H501Z", n);
    snprintf(badge, sizeof(badge), "99%08u", n);
    const char *const p[] = {guardian_cf, cf, name, surname, badge, NULL};
    assert_true(sql_write("INSERT INTO pupil (tenant_id, guardian_id, fiscal_code, name, surname, "
                          "birth_date, sex, badge_code, created_at) "
                          "SELECT g.tenant_id, g.id, ?2, ?3, ?4, '2018-01-01', 'F', ?5, "
                          "'2026-01-01T00:00:00Z' FROM guardian g WHERE g.fiscal_code = ?1 "
                          "RETURNING id",
                          p) > 0);
}

struct app {
    const char *campaign, *guardian_cf, *pupil_cf;
    const char *status; /* "submitted" ... */
    long long klass;
    const char *kind;                    /* "new", "renewal" */
    const char *diet_kind, *diet_status; /* "none", "none" */
    const char *submitted_at;            /* NULL: not submitted */
    const char *surname, *name;          /* NULL: the pupil's */
    bool anonymous;                      /* guardian_id NULL */
};

static long long app_new(const struct app *a)
{
    char k[24];
    id_text(k, sizeof(k), a->klass);
    const char *const p[] = {a->campaign,
                             a->guardian_cf,
                             a->pupil_cf,
                             a->status,
                             k,
                             a->kind,
                             a->diet_kind ? a->diet_kind : "none",
                             a->diet_status ? a->diet_status : "none",
                             a->submitted_at ? a->submitted_at : "",
                             a->surname ? a->surname : "",
                             a->name ? a->name : "",
                             a->anonymous ? "1" : "",
                             NULL};
    return sql_write(
        "INSERT INTO enrollment (tenant_id, campaign_id, kind, status, step, guardian_id, "
        "pupil_id, pupil_fiscal_code, pupil_name, pupil_surname, pupil_birth_date, pupil_sex, "
        "pupil_birth_place, guardian_fiscal_code, guardian_name, guardian_surname, "
        "guardian_email, guardian_mobile, guardian_address, privacy_accepted_at, school_id, "
        "class_id, weekdays, diet_kind, diet_status, declarations_accepted_at, created_at, "
        "updated_at, submitted_at, session_hash) "
        "SELECT g.tenant_id, CAST(?1 AS INTEGER), ?6, ?4, 6, "
        "CASE WHEN ?12 = '' THEN g.id END, CASE WHEN ?12 = '' THEN p.id END, p.fiscal_code, "
        "ifnull(nullif(?11, ''), p.name), ifnull(nullif(?10, ''), p.surname), p.birth_date, "
        "p.sex, 'H501', g.fiscal_code, g.name, g.surname, g.email, g.mobile, g.address, "
        "'2026-03-01T09:00:00Z', k.school_id, k.id, '135', ?7, ?8, '2026-03-01T09:00:00Z', "
        "'2026-03-01T08:00:00Z', '2026-03-01T09:00:00Z', nullif(?9, ''), "
        "CASE WHEN ?12 <> '' THEN 'anonymous-session' END "
        "FROM guardian g JOIN pupil p ON p.tenant_id = g.tenant_id AND p.fiscal_code = ?3 "
        "JOIN class k ON k.id = CAST(?5 AS INTEGER) WHERE g.fiscal_code = ?2 RETURNING id",
        p);
}

/* A fresh submitted application in campaign B for a made-up pupil of guardian_cf. */
static void app_fresh(const char *guardian_cf, const char *status, const char *diet_kind,
                      char id[24])
{
    char cf[17];
    char name[24];
    snprintf(name, sizeof(name), "Prova%d", pupil_seq + 1);
    pupil_new(guardian_cf, cf, name, "Verdi");
    struct app a = {.campaign = campaign_b,
                    .guardian_cf = guardian_cf,
                    .pupil_cf = cf,
                    .status = status,
                    .klass = class_id("Scuola primaria Maria Montessori", "5A"),
                    .kind = "new",
                    .diet_kind = diet_kind,
                    .diet_status = diet_kind && strcmp(diet_kind, "none") ? "pending" : "none",
                    .submitted_at = "2026-03-10T10:00:00Z"};
    long long v = app_new(&a);
    assert_true(v > 0);
    id_text(id, 24, v);
}

static int review_setup(void **state)
{
    if (harness_group_setup(state) != 0)
        return -1;
    review_server = *state;
    if (sodium_init() < 0)
        return -1;
    long long a = campaign_new("Revisione A", "2026-02-01T08:00:00Z", "");
    long long b = campaign_new("Revisione B", "2026-02-02T08:00:00Z", "-5000");
    if (a <= 0 || b <= 0)
        return -1;
    id_text(campaign_a, sizeof(campaign_a), a);
    id_text(campaign_b, sizeof(campaign_b), b);
    long long m3a = class_id("Scuola primaria Maria Montessori", "3A");
    long long m1a = class_id("Scuola primaria Maria Montessori", "1A");
    long long m2a = class_id("Scuola primaria Maria Montessori", "2A");
    long long m5a = class_id("Scuola primaria Maria Montessori", "5A");
    long long rsa = class_id("Scuola dell'infanzia Gianni Rodari", "Sezione A");
    long long l4a = class_id("Scuola primaria Don Lorenzo Milani", "4A");
    if (m3a <= 0 || m1a <= 0 || m2a <= 0 || m5a <= 0 || rsa <= 0 || l4a <= 0)
        return -1;
    const char *const school[] = {"Scuola primaria Maria Montessori", NULL};
    id_text(montessori, sizeof(montessori),
            sql_int("SELECT id FROM school WHERE name = ?1", school));
    campaign_class(campaign_a, m3a);
    campaign_class(campaign_a, m1a);
    campaign_class(campaign_a, m2a);
    campaign_class(campaign_a, rsa);
    campaign_class(campaign_a, l4a);
    campaign_class(campaign_b, m5a);

    /* Campaign A: five applications and an anonymous form in progress. */
    struct app apps[] = {
        {campaign_a, ROSSI, "RSSGLI18E62H501A", "submitted", m3a, "renewal", "medical", "pending",
         "2026-03-02T09:00:00Z", NULL, NULL, false},
        /* 23:30 UTC on 5 March is 00:30 on 6 March in Rome. */
        {campaign_a, ROSSI, "RSSLCU21P03H501G", "submitted", rsa, "new", "none", "none",
         "2026-03-05T23:30:00Z", NULL, NULL, false},
        {campaign_a, ESPOSITO, "SPSMTT17B11F839K", "confirmed", l4a, "renewal", "ethical",
         "approved", "2026-03-03T10:00:00Z", NULL, NULL, false},
        {campaign_a, BIANCHI, "FRRSFO19T41F205D", "submitted", m1a, "new", "none", "none",
         "2026-03-04T08:00:00Z", NULL, NULL, false},
        {campaign_a, ROSSI, NULL, "submitted", m2a, "new", "none", "none", "2026-03-06T08:00:00Z",
         "Rossi;Bianchi", "=HYPERLINK(\"http://x\")", false},
        {campaign_a, ROSSI, NULL, "draft", m2a, "new", "none", "none", NULL, "Anonimo", "Nessuno",
         true},
    };
    char csv_cf[17], anon_cf[17];
    pupil_new(ROSSI, csv_cf, "Csv", "Prova");
    pupil_new(ROSSI, anon_cf, "Anonimo", "Prova");
    apps[4].pupil_cf = csv_cf;
    apps[5].pupil_cf = anon_cf;
    char *ids[] = {giulia, luca, matteo, sofia, csv_row, anonymous};
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        long long v = app_new(&apps[i]);
        if (v <= 0)
            return -1;
        id_text(ids[i], 24, v);
    }
    const char *const sofia_p[] = {sofia, NULL};
    if (sql_write("UPDATE enrollment SET payment_method = 'direct_debit', "
                  "iban = 'IT60X0542811101000000123456', iban_holder = 'Chiara Bianchi', "
                  "mandate_accepted_at = '2026-03-04T08:00:00Z' WHERE id = ?1 RETURNING id",
                  sofia_p) <= 0)
        return -1;
    const char *const matteo_p[] = {matteo, NULL};
    if (sql_write("UPDATE enrollment SET diet_code = 'HAL-01', decided_at = "
                  "'2026-03-04T10:00:00Z', decided_by = 'ufficio@comune.esempio.it' "
                  "WHERE id = ?1 RETURNING id",
                  matteo_p) <= 0)
        return -1;
    /* Giulia's history and her medical certificate. */
    const char *const hist[] = {giulia, NULL};
    if (sql_write("INSERT INTO enrollment_history (enrollment_id, at, actor_kind, actor_label, "
                  "action, status, detail) VALUES (?1, '2026-03-02T09:00:00Z', 'family', "
                  "'mario.rossi@example.it', 'submit', 'submitted', '') RETURNING id",
                  hist) <= 0)
        return -1;
    unsigned char h[crypto_hash_sha256_BYTES];
    char sha[65], size[16];
    crypto_hash_sha256(h, (const unsigned char *)PDF, strlen(PDF));
    sodium_bin2hex(sha, sizeof(sha), h, sizeof(h));
    snprintf(size, sizeof(size), "%zu", strlen(PDF));
    const char *const att[] = {PDF, sha, size, giulia, NULL};
    long long cert = sql_write(
        "INSERT INTO attachment (tenant_id, kind, filename, content_type, size, sha256, data, "
        "uploaded_at, uploaded_by) SELECT tenant_id, 'medical_certificate', 'certificato.pdf', "
        "'application/pdf', CAST(?3 AS INTEGER), ?2, CAST(?1 AS BLOB), '2026-03-02T09:00:00Z', "
        "'family' FROM enrollment WHERE id = ?4 RETURNING id",
        att);
    if (cert <= 0)
        return -1;
    char cert_id[24];
    id_text(cert_id, sizeof(cert_id), cert);
    const char *const link[] = {cert_id, giulia, NULL};
    if (sql_write("UPDATE enrollment SET certificate_id = ?1 WHERE id = ?2 RETURNING id", link) <=
        0)
        return -1;
    return 0;
}

/* ---- requests ------------------------------------------------------------------------------- */

struct who {
    struct harness_session s;
    char cookie[HARNESS_TOKEN_MAX + 32]; /* with lang=en, so texts are the English msgids */
};

static void sign_in(void **state, const char *email, struct who *w)
{
    memset(w, 0, sizeof(*w));
    harness_sign_in(*state, HARNESS_DEMO_TENANT, email, HARNESS_DEMO_PASSWORD, 303, &w->s);
    snprintf(w->cookie, sizeof(w->cookie), "%s; lang=en", w->s.cookie);
}

static void get(void **state, const struct who *w, const char *path, long status,
                struct harness_resp *r)
{
    harness_expect_get(*state, path, w->cookie, status, r);
}

/* POST "csrf=...&" + fields. */
static void post(void **state, const struct who *w, const char *path, const char *fields,
                 long status, struct harness_resp *r)
{
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s%s%s", w->s.csrf, fields && *fields ? "&" : "",
             fields ? fields : "");
    harness_expect_post(*state, path, body, w->cookie, status, r);
}

static long long db_int1(void **state, const char *sql, const char *p1)
{
    const char *const p[] = {p1, NULL};
    return harness_db_int(*state, sql, p);
}

static long long db_int2(void **state, const char *sql, const char *p1, const char *p2)
{
    const char *const p[] = {p1, p2, NULL};
    return harness_db_int(*state, sql, p);
}

static void assert_has(const struct harness_resp *r, const char *needle)
{
    if (!harness_body_has(r, needle))
        fprintf(stderr, "# missing in the response: %s\n", needle);
    assert_true(harness_body_has(r, needle));
}

/* GET the list of campaign A with extra query arguments; expect "Enrollments found: n". */
static void list_count(void **state, const struct who *w, const char *query, int n)
{
    char path[512], want[64];
    snprintf(path, sizeof(path), LIST "?campagna=%s%s", campaign_a, query);
    snprintf(want, sizeof(want), "Enrollments found: %d", n);
    struct harness_resp r;
    get(state, w, path, 200, &r);
    if (!harness_body_has(&r, want))
        fprintf(stderr, "# %s: expected %s\n", path, want);
    assert_true(harness_body_has(&r, want));
    harness_resp_free(&r);
}

static void detail_path(char *out, size_t n, const char *id, const char *suffix)
{
    snprintf(out, n, LIST "/%s%s", id, suffix ? suffix : "");
}

static long long mails(void **state, const char *kind)
{
    return db_int1(state, "SELECT count(*) FROM mail_outbox WHERE kind = ?1", kind);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_list_and_filters(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    struct harness_resp r;
    char path[512];
    snprintf(path, sizeof(path), LIST "?campagna=%s", campaign_a);
    get(state, &w, path, 200, &r);
    assert_has(&r, "Enrollments found: 5");
    assert_has(&r, "Rossi Giulia");
    assert_has(&r, "FRRSFO19T41F205D");
    assert_has(&r, "Rossi;Bianchi =HYPERLINK(&quot;http://x&quot;)"); /* escaped */
    assert_false(harness_body_has(&r, "Anonimo"));                    /* not an application */
    assert_has(&r, "name=\"iscrizione[]\"");
    assert_has(&r, "<section class=\"table-responsive\" tabindex=\"0\"");
    harness_resp_free(&r);

    list_count(state, &w, "&stato=submitted", 4);
    list_count(state, &w, "&stato=confirmed", 1);
    list_count(state, &w, "&stato=rejected", 0);
    char q[64];
    snprintf(q, sizeof(q), "&scuola=%s", montessori);
    list_count(state, &w, q, 3);
    list_count(state, &w, "&tipo=renewal", 2);
    list_count(state, &w, "&dieta=medical", 1);
    list_count(state, &w, "&dieta=ethical", 1);
    list_count(state, &w, "&dieta=none", 3);
    list_count(state, &w, "&dieta=pending", 1);
    list_count(state, &w, "&q=ROSSI", 3);        /* surnames of pupils and parent */
    list_count(state, &w, "&q=bianchi", 2);      /* a parent and a pupil's surname */
    list_count(state, &w, "&q=giulia+rossi", 1); /* name surname */
    list_count(state, &w, "&q=spsmtt17", 1);     /* a piece of a codice fiscale */
    list_count(state, &w, "&q=BNCCHR90L48F205V", 1);
    /* Dates are days in Rome: 23:30 UTC on 5 March belongs to 6 March. */
    list_count(state, &w, "&dal=2026-03-06", 2);
    list_count(state, &w, "&al=2026-03-05", 3);
    list_count(state, &w, "&dal=03%2F03%2F2026&al=04%2F03%2F2026", 2); /* typed dd/mm/yyyy */
    list_count(state, &w, "&stato=submitted&tipo=new&dieta=none", 3);

    /* Every campaign: campaign B's applications too; the default is the newest campaign. */
    get(state, &w, LIST "?campagna=0", 200, &r);
    assert_has(&r, "<option value=\"0\" selected>");
    harness_resp_free(&r);
    long long newest = harness_db_int(
        *state,
        "SELECT c.id FROM campaign c JOIN tenant t ON t.id = c.tenant_id WHERE t.slug = "
        "'esempio' ORDER BY c.opens_at DESC, c.id DESC LIMIT 1",
        NULL);
    char want[64];
    snprintf(want, sizeof(want), "<option value=\"%lld\" selected>", newest);
    get(state, &w, LIST, 200, &r);
    assert_has(&r, want);
    harness_resp_free(&r);

    /* A filter that is not valid is shown next to its field. */
    snprintf(path, sizeof(path), LIST "?campagna=%s&stato=nessuno&dal=2026-02-30", campaign_a);
    get(state, &w, path, 422, &r);
    assert_has(&r, "id=\"stato-error\"");
    assert_has(&r, "aria-describedby=\"stato-error\"");
    assert_has(&r, "id=\"dal-error\"");
    harness_resp_free(&r);
}

static void test_pagination(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    /* 51 applications in a campaign of their own: two pages. */
    long long c = campaign_new("Revisione pagine", "2026-01-15T08:00:00Z", "");
    char cid[24];
    id_text(cid, sizeof(cid), c);
    long long k = class_id("Scuola primaria Maria Montessori", "4A");
    campaign_class(cid, k);
    for (int i = 0; i < 51; i++) {
        char cf[17];
        pupil_new(ESPOSITO, cf, "Pagina", "Elenco");
        struct app a = {.campaign = cid,
                        .guardian_cf = ESPOSITO,
                        .pupil_cf = cf,
                        .status = "submitted",
                        .klass = k,
                        .kind = "new",
                        .submitted_at = "2026-03-10T10:00:00Z"};
        assert_true(app_new(&a) > 0);
    }
    char path[256];
    snprintf(path, sizeof(path), LIST "?campagna=%s", cid);
    struct harness_resp r;
    get(state, &w, path, 200, &r);
    assert_has(&r, "Enrollments found: 51");
    assert_has(&r, "Page 1 of 2");
    assert_has(&r, "pagina=2");
    harness_resp_free(&r);
    snprintf(path, sizeof(path), LIST "?campagna=%s&pagina=2", cid);
    get(state, &w, path, 200, &r);
    assert_has(&r, "Page 2 of 2");
    size_t rows = 0;
    for (const char *p = r.body; (p = strstr(p, "name=\"iscrizione[]\"")); p++)
        rows++;
    assert_int_equal(rows, 1);
    harness_resp_free(&r);
}

static void test_detail_with_history(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char path[256];
    struct harness_resp r;
    detail_path(path, sizeof(path), giulia, NULL);
    get(state, &w, path, 200, &r);
    assert_has(&r, "<h1>Giulia Rossi</h1>");
    assert_has(&r, "RSSGLI18E62H501A");
    assert_has(&r, "RSSMRA82C14H501K");
    assert_has(&r, "Monday, Wednesday, Friday");
    assert_has(&r, "02/03/2026 10:00"); /* submitted at 09:00 UTC: 10:00 in Rome */
    assert_has(&r, "Medical diet");
    assert_has(&r, "/certificato");
    assert_has(&r, "<th scope=\"row\">Submitted</th>"); /* the history row */
    assert_has(&r, "mario.rossi@example.it");
    assert_has(&r, "not active until the enrollment is confirmed");
    assert_has(&r, "action=\"" LIST "/");
    assert_has(&r, "name=\"motivo\"");
    assert_has(&r, "name=\"codice_dieta\"");
    assert_has(&r, "name=\"motivo_deroga\"");
    harness_resp_free(&r);

    /* Direct debit: the IBAN masked but for its last 4 characters. */
    detail_path(path, sizeof(path), sofia, NULL);
    get(state, &w, path, 200, &r);
    assert_has(&r, "***********************3456");
    assert_false(harness_body_has(&r, "IT60X0542811101000000123456"));
    assert_has(&r, "SEPA direct debit");
    harness_resp_free(&r);

    /* A confirmed one: the badge is active, no decision forms. */
    detail_path(path, sizeof(path), matteo, NULL);
    get(state, &w, path, 200, &r);
    assert_has(&r, "- active");
    assert_has(&r, "HAL-01");
    assert_false(harness_body_has(&r, "name=\"motivo\""));
    harness_resp_free(&r);

    /* Unknown ids and anonymous forms in progress are not found. */
    detail_path(path, sizeof(path), anonymous, NULL);
    get(state, &w, path, 404, &r);
    harness_resp_free(&r);
    get(state, &w, LIST "/999999999", 404, &r);
    harness_resp_free(&r);
    get(state, &w, LIST "/abc", 404, &r);
    harness_resp_free(&r);
}

static void test_confirm(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char id[24], path[256];
    app_fresh(ROSSI, "submitted", "none", id);
    long long audits =
        db_int1(state,
                "SELECT count(*) FROM audit_log WHERE action = 'enrollment.confirm' AND "
                "entity_id = ?1 AND from_state = 'submitted' AND to_state = 'confirmed'",
                id);
    assert_int_equal(audits, 0);
    long long confirmed_mails = mails(state, "enrollment_confirmed");
    struct harness_resp r;
    detail_path(path, sizeof(path), id, "/conferma");
    post(state, &w, path, NULL, 303, &r);
    char want[256];
    snprintf(want, sizeof(want), LIST "/%s?esito=confermata", id);
    assert_string_equal(harness_header(&r, "Location", 0), want);
    harness_resp_free(&r);

    assert_int_equal(db_int2(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND status = ?2 AND "
                             "decided_at IS NOT NULL AND decided_by = 'ufficio@comune.esempio.it'",
                             id, "confirmed"),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment_history WHERE enrollment_id = ?1 "
                             "AND action = 'confirm' AND status = 'confirmed' AND "
                             "actor_kind = 'staff'",
                             id),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM audit_log WHERE action = 'enrollment.confirm' "
                             "AND entity_id = ?1 AND from_state = 'submitted' AND "
                             "to_state = 'confirmed' AND actor_kind = 'staff'",
                             id),
                     1);
    assert_int_equal(mails(state, "enrollment_confirmed"), confirmed_mails + 1);
    /* To the guardian, in the guardian's language, with the badge code. */
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM mail_outbox o JOIN enrollment e ON e.id = ?1 "
                             "JOIN pupil p ON p.id = e.pupil_id WHERE o.kind = "
                             "'enrollment_confirmed' AND o.recipient = 'mario.rossi@example.it' "
                             "AND o.lang = 'it' AND instr(o.body_text, p.badge_code) > 0 AND "
                             "instr(o.body_html, p.badge_code) > 0",
                             id),
                     1);

    /* The page after the redirect says so and shows the badge active. */
    snprintf(want, sizeof(want), LIST "/%s?esito=confermata", id);
    get(state, &w, want, 200, &r);
    assert_has(&r, "id=\"outcome\"");
    assert_has(&r, "- active");
    harness_resp_free(&r);

    /* Not submitted any more: refused, nothing changes. */
    post(state, &w, path, NULL, 409, &r);
    assert_has(&r, "id=\"form-error\"");
    harness_resp_free(&r);
    assert_int_equal(mails(state, "enrollment_confirmed"), confirmed_mails + 1);
    detail_path(path, sizeof(path), matteo, "/conferma"); /* confirmed in the fixtures */
    post(state, &w, path, NULL, 409, &r);
    harness_resp_free(&r);
    char draft[24];
    app_fresh(ROSSI, "draft", "none", draft);
    detail_path(path, sizeof(path), draft, "/conferma");
    post(state, &w, path, NULL, 409, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "status = 'draft' AND decided_at IS NULL",
                             draft),
                     1);
    detail_path(path, sizeof(path), anonymous, "/conferma");
    post(state, &w, path, NULL, 404, &r);
    harness_resp_free(&r);
}

static void test_reject(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char id[24], path[256];
    app_fresh(BIANCHI, "submitted", "none", id);
    long long rejected_mails = mails(state, "enrollment_rejected");
    detail_path(path, sizeof(path), id, "/rifiuta");
    struct harness_resp r;
    /* No reason, or too short: 422 with the message next to the field, nothing changed. */
    post(state, &w, path, NULL, 422, &r);
    assert_has(&r, "id=\"motivo-error\"");
    assert_has(&r, "aria-describedby=\"motivo-help motivo-error\"");
    assert_has(&r, "This field is required.");
    harness_resp_free(&r);
    post(state, &w, path, "motivo=++ab++", 422, &r);
    assert_has(&r, "Write the reason: at least 3 characters.");
    assert_has(&r, ">  ab  </textarea>"); /* what was typed stays */
    harness_resp_free(&r);
    assert_int_equal(db_int2(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND status = ?2 "
                             "AND reject_reason = '' AND decided_at IS NULL",
                             id, "submitted"),
                     1);
    assert_int_equal(mails(state, "enrollment_rejected"), rejected_mails);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment_history WHERE "
                             "enrollment_id = ?1",
                             id),
                     0);

    char body[512];
    char reason[256];
    harness_urlencode("Il bambino non è residente nel Comune & manca l'ISEE.", reason,
                      sizeof(reason));
    snprintf(body, sizeof(body), "motivo=%s", reason);
    post(state, &w, path, body, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int2(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND status = ?2 "
                             "AND reject_reason = 'Il bambino non è residente nel Comune "
                             "& manca l''ISEE.' AND decided_at IS NOT NULL",
                             id, "rejected"),
                     1);
    assert_int_equal(mails(state, "enrollment_rejected"), rejected_mails + 1);
    /* In English (Chiara Bianchi's language), with the reason. */
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM mail_outbox WHERE kind = "
                             "'enrollment_rejected' AND recipient = ?1 AND lang = 'en' AND "
                             "subject LIKE 'Enrollment not accepted: %' AND "
                             "instr(body_text, 'manca l''ISEE') > 0 AND "
                             "instr(body_html, 'manca l&#39;ISEE') > 0",
                             "chiara.bianchi@example.it"),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM audit_log WHERE action = 'enrollment.reject' "
                             "AND entity_id = ?1 AND from_state = 'submitted' AND "
                             "to_state = 'rejected'",
                             id),
                     1);
    /* Decided: a second rejection is refused. */
    post(state, &w, path, body, 409, &r);
    harness_resp_free(&r);
    assert_int_equal(mails(state, "enrollment_rejected"), rejected_mails + 1);
}

static void test_bulk(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char a[24], b[24], c[24];
    app_fresh(ROSSI, "submitted", "none", a);
    app_fresh(ESPOSITO, "submitted", "none", b);
    app_fresh(ROSSI, "confirmed", "none", c);
    long long before = mails(state, "enrollment_confirmed");
    char fields[512];
    struct harness_resp r;
    /* Nothing selected; no action. */
    post(state, &w, LIST "/decisioni", "azione=conferma", 422, &r);
    assert_has(&r, "Select at least one enrollment in the list.");
    harness_resp_free(&r);
    snprintf(fields, sizeof(fields), "iscrizione%%5B%%5D=%s", a);
    post(state, &w, LIST "/decisioni", fields, 422, &r);
    harness_resp_free(&r);
    /* A rejection without a reason changes nothing. */
    snprintf(fields, sizeof(fields), "azione=rifiuta&iscrizione%%5B%%5D=%s&iscrizione%%5B%%5D=%s",
             a, b);
    post(state, &w, LIST "/decisioni", fields, 422, &r);
    assert_has(&r, "To reject, write the reason");
    harness_resp_free(&r);
    assert_int_equal(db_int2(state,
                             "SELECT count(*) FROM enrollment WHERE id IN (?1, ?2) AND "
                             "status = 'submitted'",
                             a, b),
                     2);

    snprintf(fields, sizeof(fields),
             "azione=conferma&ritorno=%%2Fesempio%%2Fufficio%%2Fiscrizioni%%3Fstato%%3Dsubmitted&"
             "iscrizione%%5B%%5D=%s&iscrizione%%5B%%5D=%s&iscrizione%%5B%%5D=%s",
             a, c, b);
    post(state, &w, LIST "/decisioni", fields, 200, &r);
    assert_has(&r, "Confirmed: 2. Skipped: 1.");
    assert_has(&r, "Skipped: it was not awaiting a decision.");
    assert_has(&r, "href=\"/esempio/ufficio/iscrizioni?stato=submitted\"");
    harness_resp_free(&r);
    assert_int_equal(db_int2(state,
                             "SELECT count(*) FROM enrollment WHERE id IN (?1, ?2) AND "
                             "status = 'confirmed' AND decided_at IS NOT NULL",
                             a, b),
                     2);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "decided_at IS NULL",
                             c),
                     1);
    assert_int_equal(mails(state, "enrollment_confirmed"), before + 2);
    assert_int_equal(db_int2(state,
                             "SELECT count(*) FROM audit_log WHERE entity_id IN (?1, ?2) "
                             "AND action = 'enrollment.confirm'",
                             a, b),
                     2);

    /* Bulk rejection with a reason, and an id that does not exist. */
    char d[24];
    app_fresh(ESPOSITO, "submitted", "none", d);
    long long rejected = mails(state, "enrollment_rejected");
    snprintf(fields, sizeof(fields),
             "azione=rifiuta&motivo_gruppo=Posti+esauriti&iscrizione%%5B%%5D=%s&"
             "iscrizione%%5B%%5D=987654321",
             d);
    post(state, &w, LIST "/decisioni", fields, 200, &r);
    assert_has(&r, "Rejected: 1. Skipped: 1.");
    assert_has(&r, "Skipped: this enrollment does not exist.");
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "status = 'rejected' AND reject_reason = 'Posti esauriti'",
                             d),
                     1);
    assert_int_equal(mails(state, "enrollment_rejected"), rejected + 1);
}

static void test_diet_decision(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char id[24], path[256];
    app_fresh(ROSSI, "submitted", "medical", id);
    struct harness_resp r;
    detail_path(path, sizeof(path), id, "/dieta/approva");
    post(state, &w, path, "codice_dieta=senza+glutine!", 422, &r);
    assert_has(&r, "id=\"codice_dieta-error\"");
    harness_resp_free(&r);
    post(state, &w, path, "codice_dieta=cel-01&nota_dieta=Certificato+valido", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND diet_status = "
                             "'approved' AND diet_code = 'CEL-01' AND diet_decision_note = "
                             "'Certificato valido' AND status = 'submitted'",
                             id),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment_history WHERE "
                             "enrollment_id = ?1 AND action = 'diet_approve'",
                             id),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM audit_log WHERE entity_id = ?1 AND action = "
                             "'enrollment.diet_approve' AND from_state = 'pending' AND "
                             "to_state = 'approved'",
                             id),
                     1);
    detail_path(path, sizeof(path), id, NULL);
    get(state, &w, path, 200, &r);
    assert_has(&r, "CEL-01");
    assert_has(&r, "Approved");
    harness_resp_free(&r);

    /* Rejecting a diet needs a note. */
    char other[24];
    app_fresh(ESPOSITO, "submitted", "ethical", other);
    detail_path(path, sizeof(path), other, "/dieta/rifiuta");
    post(state, &w, path, NULL, 422, &r);
    assert_has(&r, "id=\"nota_rifiuto_dieta-error\"");
    harness_resp_free(&r);
    post(state, &w, path, "nota_rifiuto_dieta=Manca+la+richiesta+firmata", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "diet_status = 'rejected' AND diet_code = ''",
                             other),
                     1);

    /* No diet asked for: refused. */
    char none[24];
    app_fresh(ROSSI, "submitted", "none", none);
    detail_path(path, sizeof(path), none, "/dieta/approva");
    post(state, &w, path, "codice_dieta=CEL-01", 409, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "diet_status = 'none' AND diet_code = ''",
                             none),
                     1);
}

static void test_debt_override(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    /* Campaign B's threshold is -50,00 euro; Anna Esposito owes 80,00 more. */
    const char *const debt[] = {ESPOSITO, NULL};
    assert_true(harness_db_write_int(*state,
                                     "INSERT INTO ledger_entry (tenant_id, guardian_id, kind, "
                                     "amount_cents, description, at) SELECT tenant_id, id, "
                                     "'opening', -8000, 'Saldo iniziale', "
                                     "'2026-01-01T00:00:00Z' FROM guardian WHERE fiscal_code = "
                                     "?1 RETURNING id",
                                     debt) > 0);
    char id[24], path[256];
    app_fresh(ESPOSITO, "draft", "none", id);
    struct harness_resp r;
    detail_path(path, sizeof(path), id, NULL);
    get(state, &w, path, 200, &r);
    assert_has(&r, "-50,00 €");
    /* The family's balance, whatever else the demo put in the ledger. */
    long long cents = db_int1(state,
                              "SELECT -sum(l.amount_cents) FROM ledger_entry l JOIN guardian g "
                              "ON g.id = l.guardian_id WHERE g.fiscal_code = ?1",
                              ESPOSITO);
    char balance[64];
    snprintf(balance, sizeof(balance), "<dd>-%lld,%02lld €", cents / 100, cents % 100);
    assert_has(&r, balance);
    assert_has(&r, "below the threshold");
    harness_resp_free(&r);

    detail_path(path, sizeof(path), id, "/deroga-debito");
    post(state, &w, path, "motivo_deroga=", 422, &r);
    assert_has(&r, "id=\"motivo_deroga-error\"");
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "debt_override_reason = ''",
                             id),
                     1);
    post(state, &w, path, "motivo_deroga=Piano+di+rientro+concordato", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "debt_override_reason = 'Piano di rientro concordato'",
                             id),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM audit_log WHERE entity_id = ?1 AND "
                             "action = 'enrollment.debt_override' AND "
                             "detail = 'Piano di rientro concordato'",
                             id),
                     1);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment_history WHERE "
                             "enrollment_id = ?1 AND action = 'debt_override'",
                             id),
                     1);
    /* Once decided, no override. */
    detail_path(path, sizeof(path), matteo, "/deroga-debito");
    post(state, &w, path, "motivo_deroga=Troppo+tardi", 409, &r);
    harness_resp_free(&r);
}

static void test_csv(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char path[256];
    snprintf(path, sizeof(path), LIST ".csv?campagna=%s", campaign_a);
    struct harness_resp r;
    get(state, &w, path, 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "text/csv; charset=utf-8");
    assert_string_equal(harness_header(&r, "Content-Disposition", 0),
                        "attachment; filename=\"iscrizioni.csv\"");
    static const char header[] =
        "\xEF\xBB\xBF"
        "Cognome;Nome;Codice fiscale;Data di nascita;Scuola;Classe;Giorni;Dieta;Stato dieta;"
        "Codice dieta;Pagamento;Fascia ISEE;Genitore;Codice fiscale genitore;E-mail;Cellulare;"
        "Tipo;Stato;Inviata il;Codice badge\r\n";
    assert_memory_equal(r.body, header, strlen(header));
    /* Header + 5 applications, every line ends with CRLF, no bare LF. */
    size_t lines = 0;
    for (size_t i = 0; i < r.body_len; i++)
        if (r.body[i] == '\n') {
            assert_true(i > 0 && r.body[i - 1] == '\r');
            lines++;
        }
    assert_int_equal(lines, 6);
    assert_int_equal(r.body[r.body_len - 1], '\n');
    /* Quoting and formula neutralisation. */
    assert_has(&r, "\r\n\"Rossi;Bianchi\";\"'=HYPERLINK(\"\"http://x\"\")\";TSTPPL");
    assert_has(&r, "Rossi;Giulia;RSSGLI18E62H501A;22/05/2018;Scuola primaria Maria Montessori;"
                   "3A;");
    assert_has(&r, ";'+393331234567;");   /* a mobile number starting with + is not a formula */
    assert_has(&r, ";02/03/2026 10:00;"); /* submitted, in Rome */
    assert_has(&r, ";HAL-01;");
    assert_false(harness_body_has(&r, "Anonimo"));
    harness_resp_free(&r);

    /* The same filters as the list. */
    snprintf(path, sizeof(path), LIST ".csv?campagna=%s&stato=confirmed", campaign_a);
    get(state, &w, path, 200, &r);
    lines = 0;
    for (size_t i = 0; i < r.body_len; i++)
        lines += r.body[i] == '\n';
    assert_int_equal(lines, 2);
    assert_has(&r, "SPSMTT17B11F839K");
    harness_resp_free(&r);
}

static void test_certificate(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char path[256];
    detail_path(path, sizeof(path), giulia, "/certificato");
    long long reads = harness_db_int(
        *state, "SELECT count(*) FROM audit_log WHERE action = 'attachment.read'", NULL);
    struct harness_resp r;
    get(state, &w, path, 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "application/pdf");
    assert_int_equal(r.body_len, strlen(PDF));
    assert_memory_equal(r.body, PDF, strlen(PDF));
    assert_non_null(strstr(harness_header(&r, "Cache-Control", 0), "no-store"));
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(*state,
                                    "SELECT count(*) FROM audit_log WHERE action = "
                                    "'attachment.read'",
                                    NULL),
                     reads + 1);
    assert_int_equal(harness_db_int(*state,
                                    "SELECT count(*) FROM audit_log WHERE action = "
                                    "'attachment.read' AND actor_label = "
                                    "'ufficio@comune.esempio.it' AND actor_kind = 'staff'",
                                    NULL),
                     1);
    /* No certificate: not found. */
    detail_path(path, sizeof(path), luca, "/certificato");
    get(state, &w, path, 404, &r);
    harness_resp_free(&r);
    /* The kitchen never, and nothing is recorded. */
    struct who k;
    sign_in(state, CUCINA, &k);
    detail_path(path, sizeof(path), giulia, "/certificato");
    get(state, &k, path, 403, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(*state,
                                    "SELECT count(*) FROM audit_log WHERE action = "
                                    "'attachment.read'",
                                    NULL),
                     reads + 1);
}

/* The route pattern with {id} replaced. */
static void route_path(const struct route *rt, const char *id, char *out, size_t n)
{
    const char *brace = strchr(rt->pattern, '{');
    if (brace)
        snprintf(out, n, T "%.*s%s%s", (int)(brace - rt->pattern), rt->pattern, id,
                 strchr(brace, '}') + 1);
    else
        snprintf(out, n, T "%s", rt->pattern);
}

static void test_roles(void **state)
{
    struct who k;
    sign_in(state, CUCINA, &k);
    char id[24];
    app_fresh(ROSSI, "submitted", "medical", id);
    int routes = 0;
    for (const struct route *rt = review_routes; rt->handler; rt++) {
        char path[256];
        route_path(rt, id, path, sizeof(path));
        struct harness_resp r;
        if (rt->method == HTTP_GET)
            get(state, &k, path, 403, &r);
        else
            post(state, &k, path,
                 "motivo=Prova+ruoli&azione=conferma&codice_dieta=X&nota_rifiuto_dieta=Prova&"
                 "motivo_deroga=Prova",
                 403, &r);
        harness_resp_free(&r);
        routes++;
    }
    assert_true(routes >= 10);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "status = 'submitted' AND diet_status = 'pending' AND "
                             "debt_override_reason = ''",
                             id),
                     1);

    /* The catering operator may review when the municipality delegates it. */
    struct who g;
    sign_in(state, GESTORE, &g);
    char path[256];
    struct harness_resp r;
    snprintf(path, sizeof(path), LIST "?campagna=%s", campaign_a);
    get(state, &g, path, 200, &r);
    assert_has(&r, "Enrollments found: ");
    harness_resp_free(&r);
    detail_path(path, sizeof(path), id, NULL);
    get(state, &g, path, 200, &r);
    harness_resp_free(&r);
    detail_path(path, sizeof(path), id, "/conferma");
    post(state, &g, path, NULL, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND status = "
                             "'confirmed' AND decided_by = 'gestore@ristorazione-esempio.it'",
                             id),
                     1);
    /* Not signed in: the sign-in page. */
    harness_expect_get(*state, LIST, NULL, 303, &r);
    harness_resp_free(&r);
}

static void test_csrf_on_every_post(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    char id[24];
    app_fresh(ROSSI, "submitted", "medical", id);
    int posts = 0;
    for (const struct route *rt = review_routes; rt->handler; rt++) {
        if (rt->method != HTTP_POST)
            continue;
        char path[256], body[BODY_MAX];
        route_path(rt, id, path, sizeof(path));
        struct harness_resp r;
        harness_expect_post(*state, path, "motivo=Senza+token&azione=conferma", w.cookie, 403, &r);
        harness_resp_free(&r);
        snprintf(body, sizeof(body), "csrf=%c%s&motivo=Token+sbagliato",
                 w.s.csrf[0] == 'A' ? 'B' : 'A', w.s.csrf + 1);
        harness_expect_post(*state, path, body, w.cookie, 403, &r);
        harness_resp_free(&r);
        posts++;
    }
    assert_true(posts >= 6);
    assert_int_equal(db_int1(state,
                             "SELECT count(*) FROM enrollment WHERE id = ?1 AND "
                             "status = 'submitted'",
                             id),
                     1);
    harness_assert_healthy(*state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_and_filters),
        cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_detail_with_history),
        cmocka_unit_test(test_confirm),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_diet_decision),
        cmocka_unit_test(test_debt_override),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_certificate),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_csrf_on_every_post),
    };
    return cmocka_run_group_tests(tests, review_setup, harness_group_teardown);
}
