/*
 * HTTP tests of the family's enrollment flow against the real server (the demo's open campaign
 * "Iscrizioni e rinnovi 2027/2028", id 2): a new pupil from the codice fiscale through the
 * e-mail code (read from the outbox), every step with wrong values first (the message next to
 * the field, the other values kept), the draft that creates the account, the summary, the
 * submission with the credentials letter attached to the e-mail, the PDFs, a duplicate codice
 * fiscale sent to "modify", a known pupil sent to sign in, a renewal with the class promoted,
 * and the debt gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "http/harness.h"

#define T        "/" HARNESS_DEMO_TENANT
#define CAMPAIGN T "/iscrizioni/2"
/* A pupil not in the demo: Marta Verdi, born in Rome on 10/03/2021. */
#define NEW_CF "VRDMRT21C50H501G"

struct flow {
    char cookie[160];
    char csrf[128];
    char app[96]; /* "/esempio/iscrizioni/domanda/<id>" */
};

/* GET path, expect status, keep a new sid and the page's csrf. */
static void flow_get(const struct harness_server *s, struct flow *f, const char *path, long status,
                     struct harness_resp *out)
{
    harness_expect_get(s, path, f->cookie[0] ? f->cookie : NULL, status, out);
    char sid[128];
    if (harness_cookie_value(out, "sid", sid, sizeof(sid)))
        snprintf(f->cookie, sizeof(f->cookie), "sid=%s", sid);
    harness_form_input(out, "csrf", f->csrf, sizeof(f->csrf));
}

static void flow_post(const struct harness_server *s, struct flow *f, const char *path,
                      const char *fields, long status, struct harness_resp *out)
{
    char body[4096];
    snprintf(body, sizeof(body), "csrf=%s&%s", f->csrf, fields);
    if (getenv("ENROLL_TRACE"))
        fprintf(stderr, "POST %s %s\n", path, fields);
    harness_expect_post(s, path, body, f->cookie, status, out);
    char sid[128];
    if (harness_cookie_value(out, "sid", sid, sizeof(sid)))
        snprintf(f->cookie, sizeof(f->cookie), "sid=%s", sid);
}

static const char *location(const struct harness_resp *r)
{
    const char *l = harness_header(r, "Location", 0);
    assert_non_null(l);
    return l;
}

/* Start a new enrollment for NEW_CF and verify the e-mail with the code from the outbox. */
static void start_and_verify(const struct harness_server *s, struct flow *f)
{
    struct harness_resp r;
    flow_get(s, f, CAMPAIGN "/nuova", 200, &r);
    harness_resp_free(&r);
    flow_post(s, f, CAMPAIGN "/nuova", "fiscal_code=vrdmrt21c50h501g", 303, &r);
    const char *l = strstr(location(&r), T "/iscrizioni/domanda/");
    assert_non_null(l);
    snprintf(f->app, sizeof(f->app), "%.*s", (int)(strstr(l, "/email") - l), l);
    harness_resp_free(&r);
    char path[160];
    snprintf(path, sizeof(path), "%s/email", f->app);
    flow_get(s, f, path, 200, &r);
    harness_resp_free(&r);
    flow_post(s, f, path, "email=marta.verdi%40example.it", 200, &r);
    harness_resp_free(&r);
    /* A wrong code first. */
    snprintf(path, sizeof(path), "%s/email/codice", f->app);
    flow_post(s, f, path, "email=marta.verdi%40example.it&code=000000", 422, &r);
    harness_resp_free(&r);
    const char *params[] = {"marta.verdi@example.it", NULL};
    long long code = harness_db_int(s,
                                    "SELECT count(*) FROM mail_outbox WHERE recipient = ?1 AND "
                                    "kind = 'verification_code'",
                                    params);
    assert_int_equal(code, 1);
    char body[160], text[64] = "";
    /* The code is in the mail body: six digits. */
    FILE *p = NULL;
    char cmd[PATH_MAX + 256];
    snprintf(cmd, sizeof(cmd),
             "sqlite3 '%s' \"SELECT body_text FROM mail_outbox WHERE recipient = "
             "'marta.verdi@example.it' ORDER BY id DESC LIMIT 1\" | grep -o '\\b[0-9]\\{6\\}\\b' "
             "| head -1",
             s->db_path);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(text, sizeof(text), p));
    pclose(p);
    text[6] = '\0';
    snprintf(body, sizeof(body), "email=marta.verdi%%40example.it&code=%s", text);
    flow_post(s, f, path, body, 303, &r);
    assert_non_null(strstr(location(&r), "/passo/1"));
    harness_resp_free(&r);
}

static void test_new_enrollment_end_to_end(void **state)
{
    const struct harness_server *s = *state;
    struct flow f = {0};
    struct harness_resp r;
    start_and_verify(s, &f);
    char path[160];

    /* Step 1: a surname that does not fit the codice fiscale is named, the rest kept. */
    snprintf(path, sizeof(path), "%s/passo/1", f.app);
    flow_get(s, &f, path, 200, &r);
    harness_resp_free(&r);
    flow_post(s, &f, path,
              "name=Marta&surname=Rossi&birth_date=2021-03-10&sex=F&birth_place=Roma&action=next",
              422, &r);
    assert_true(harness_body_has(&r, "id=\"surname-error\""));
    assert_false(harness_body_has(&r, "id=\"name-error\""));
    assert_true(harness_body_has(&r, "value=\"Rossi\""));
    assert_true(harness_body_has(&r, "value=\"Roma\""));
    harness_resp_free(&r);
    flow_post(s, &f, path,
              "name=Marta&surname=Verdi&birth_date=2021-03-10&sex=M&birth_place=Roma&action=next",
              422, &r);
    assert_true(harness_body_has(&r, "id=\"sex-error\""));
    harness_resp_free(&r);
    flow_post(s, &f, path,
              "name=Marta&surname=Verdi&birth_date=31/02/2021&sex=F&birth_place=Roma&action=next",
              422, &r);
    assert_true(harness_body_has(&r, "id=\"birth_date-error\""));
    harness_resp_free(&r);
    flow_post(s, &f, path,
              "name=Marta&surname=Verdi&birth_date=2021-03-10&sex=F&birth_place=Atlantide&"
              "action=next",
              422, &r);
    assert_true(harness_body_has(&r, "id=\"birth_place-error\""));
    harness_resp_free(&r);
    /* "Save draft" before the parent's data is refused, nothing created. */
    flow_post(s, &f, path,
              "name=Marta&surname=Verdi&birth_date=10/03/2021&sex=F&birth_place=roma&action=draft",
              409, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM guardian WHERE fiscal_code = "
                                    "'VRDGPP80A01H501U'",
                                    NULL),
                     0);
    flow_post(s, &f, path,
              "name=Marta&surname=Verdi&birth_date=10/03/2021&sex=F&birth_place=roma&action=next",
              303, &r);
    harness_resp_free(&r);

    /* Step 2: wrong codice fiscale, landline, no privacy consent. */
    snprintf(path, sizeof(path), "%s/passo/2", f.app);
    flow_post(s, &f, path,
              "fiscal_code=VRDGPP80A01H501X&name=Giuseppe&surname=Verdi&mobile=06+1234567&"
              "address=Via+Roma+1&resident=yes&action=next",
              422, &r);
    assert_true(harness_body_has(&r, "id=\"fiscal_code-error\""));
    assert_true(harness_body_has(&r, "id=\"mobile-error\""));
    assert_true(harness_body_has(&r, "id=\"privacy-error\""));
    assert_true(harness_body_has(&r, "value=\"Via Roma 1\""));
    harness_resp_free(&r);
    /* Save draft: the account is created and a temporary password e-mailed. */
    flow_post(s, &f, path,
              "fiscal_code=VRDGPP80A01H501U&name=Giuseppe&surname=Verdi&mobile=333+1234567&"
              "address=Via+Roma+1&resident=yes&privacy=yes&action=draft",
              303, &r);
    assert_non_null(strstr(location(&r), "salvata=1&account=1"));
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM mail_outbox WHERE recipient = "
                                    "'marta.verdi@example.it' AND kind = 'temporary_password'",
                                    NULL),
                     1);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM enrollment WHERE pupil_fiscal_code = "
                                    "'" NEW_CF "' AND status = 'draft' AND guardian_id IS NOT "
                                    "NULL AND first_saved_at IS NOT NULL AND step = 2",
                                    NULL),
                     1);
    /* The status page of a draft shows no badge yet. */
    flow_get(s, &f, f.app, 200, &r);
    assert_false(harness_body_has(&r, "rf-code\">0"));
    harness_resp_free(&r);

    /* Step 3: no day, then a class and three days. */
    snprintf(path, sizeof(path), "%s/passo/3", f.app);
    flow_get(s, &f, path, 200, &r);
    harness_resp_free(&r);
    long long class_id = harness_db_int(
        s,
        "SELECT k.id FROM class k JOIN school_year y ON y.id = k.school_year_id JOIN school s ON "
        "s.id = k.school_id WHERE y.label = '2027/2028' AND s.kind = 'infanzia' AND k.name = "
        "'Sezione A'",
        NULL);
    char body[512];
    snprintf(body, sizeof(body), "class_id=%lld&action=next", class_id);
    flow_post(s, &f, path, body, 422, &r);
    assert_true(harness_body_has(&r, "id=\"weekdays-error\""));
    harness_resp_free(&r);
    flow_post(s, &f, path, "class_id=99999&wd_1=yes&action=next", 422, &r);
    assert_true(harness_body_has(&r, "id=\"class_id-error\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "class_id=%lld&wd_1=yes&wd_3=yes&wd_5=yes&action=next", class_id);
    flow_post(s, &f, path, body, 303, &r);
    harness_resp_free(&r);

    /* Step 4: an ethical diet needs its details. */
    snprintf(path, sizeof(path), "%s/passo/4", f.app);
    flow_post(s, &f, path, "diet_kind=ethical&action=next", 422, &r);
    assert_true(harness_body_has(&r, "id=\"diet_notes-error\""));
    harness_resp_free(&r);
    flow_post(s, &f, path, "diet_kind=medical&diet_notes=Celiachia&action=next", 422, &r);
    assert_true(harness_body_has(&r, "id=\"certificate-error\""));
    harness_resp_free(&r);
    flow_post(s, &f, path, "diet_kind=ethical&diet_notes=Senza+carne+di+maiale&action=next", 303,
              &r);
    harness_resp_free(&r);

    /* Step 5: a mistyped IBAN, then direct debit with the mandate and an ISEE band. */
    snprintf(path, sizeof(path), "%s/passo/5", f.app);
    flow_post(s, &f, path,
              "payment_method=direct_debit&iban=IT60X0542811101000000123457&iban_holder="
              "Giuseppe+Verdi&action=next",
              422, &r);
    assert_true(harness_body_has(&r, "id=\"iban-error\""));
    assert_true(harness_body_has(&r, "id=\"mandate-error\""));
    assert_true(harness_body_has(&r, "value=\"Giuseppe Verdi\""));
    harness_resp_free(&r);
    flow_post(s, &f, path,
              "payment_method=direct_debit&iban=IT60X0542811101000000123456&iban_holder="
              "Giuseppe+Verdi&mandate=yes&action=next",
              303, &r);
    harness_resp_free(&r);

    /* Step 6: every declaration is required. */
    snprintf(path, sizeof(path), "%s/passo/6", f.app);
    flow_post(s, &f, path, "decl_1=yes&decl_2=yes&action=next", 422, &r);
    assert_true(harness_body_has(&r, "id=\"decl_3-error\""));
    harness_resp_free(&r);
    flow_post(s, &f, path, "decl_1=yes&decl_2=yes&decl_3=yes&action=next", 303, &r);
    assert_non_null(strstr(location(&r), "/riepilogo"));
    harness_resp_free(&r);

    /* Summary, then submit. */
    snprintf(path, sizeof(path), "%s/riepilogo", f.app);
    flow_get(s, &f, path, 200, &r);
    assert_true(harness_body_has(&r, "IT60X0542811101000000123456"));
    assert_true(harness_body_has(&r, "Senza carne di maiale"));
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/invia", f.app);
    flow_post(s, &f, path, "x=1", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM enrollment WHERE pupil_fiscal_code = "
                                    "'" NEW_CF "' AND status = 'submitted' AND submitted_at IS "
                                    "NOT NULL AND diet_status = 'pending'",
                                    NULL),
                     1);
    /* The credentials letter went out with the PDF attached. */
    assert_int_equal(
        harness_db_int(s,
                       "SELECT count(*) FROM mail_outbox o JOIN mail_attachment a ON "
                       "a.outbox_id = o.id WHERE o.recipient = "
                       "'marta.verdi@example.it' AND o.kind = "
                       "'enrollment_submitted' AND a.content_type = "
                       "'application/pdf' AND CAST(substr(a.data, 1, 5) AS TEXT) = '%PDF-'",
                       NULL),
        1);
    assert_true(harness_db_int(s,
                               "SELECT count(*) FROM audit_log WHERE action = "
                               "'enrollment.submit'",
                               NULL) >= 1);
    assert_true(harness_db_int(s,
                               "SELECT count(*) FROM enrollment_history h JOIN enrollment e ON "
                               "e.id = h.enrollment_id WHERE e.pupil_fiscal_code = '" NEW_CF "'",
                               NULL) >= 7);
    /* The documents. */
    snprintf(path, sizeof(path), "%s/lettera-credenziali.pdf", f.app);
    flow_get(s, &f, path, 200, &r);
    assert_true(r.body_len > 1000 && memcmp(r.body, "%PDF-", 5) == 0);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/riepilogo.pdf", f.app);
    flow_get(s, &f, path, 200, &r);
    assert_true(memcmp(r.body, "%PDF-", 5) == 0);
    harness_resp_free(&r);
    /* Another browser cannot see it. */
    harness_expect_get(s, f.app, NULL, 303, &r);
    harness_resp_free(&r);

    /* The same codice fiscale again, from a new browser: sent to modify, no duplicate. */
    struct flow g = {0};
    flow_get(s, &g, CAMPAIGN "/nuova", 200, &r);
    harness_resp_free(&r);
    flow_post(s, &g, CAMPAIGN "/nuova", "fiscal_code=" NEW_CF, 409, &r);
    assert_true(harness_body_has(&r, "id=\"fiscal_code-error\""));
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM enrollment WHERE pupil_fiscal_code = "
                                    "'" NEW_CF "'",
                                    NULL),
                     1);
}

static void test_known_pupil_and_bad_codes(void **state)
{
    const struct harness_server *s = *state;
    struct flow f = {0};
    struct harness_resp r;
    flow_get(s, &f, CAMPAIGN "/nuova", 200, &r);
    harness_resp_free(&r);
    /* A pupil already in an account is sent to sign in. */
    flow_post(s, &f, CAMPAIGN "/nuova", "fiscal_code=RSSGLI18E62H501A", 409, &r);
    assert_true(harness_body_has(&r, "id=\"fiscal_code-error\""));
    harness_resp_free(&r);
    /* A wrong check character. */
    flow_post(s, &f, CAMPAIGN "/nuova", "fiscal_code=RSSGLI18E62H501B", 422, &r);
    assert_true(harness_body_has(&r, "value=\"RSSGLI18E62H501B\""));
    harness_resp_free(&r);
    /* A closed campaign refuses new applications. */
    flow_get(s, &f, T "/iscrizioni/1/nuova", 200, &r);
    harness_resp_free(&r);
    flow_post(s, &f, T "/iscrizioni/1/nuova", "fiscal_code=VRDLCA20A01H501X", 422, &r);
    harness_resp_free(&r);
}

/* Sign in as a demo family and return the session. */
static void family_sign_in(const struct harness_server *s, struct flow *f, const char *login,
                           const char *password)
{
    struct harness_resp r;
    flow_get(s, f, T "/famiglie/accedi", 200, &r);
    harness_resp_free(&r);
    char body[256];
    snprintf(body, sizeof(body), "login=%s&password=%s", login, password);
    flow_post(s, f, T "/famiglie/accedi", body, 303, &r);
    harness_resp_free(&r);
}

static void test_renewal_promotes_the_class(void **state)
{
    const struct harness_server *s = *state;
    struct flow f = {0};
    struct harness_resp r;
    family_sign_in(s, &f, "RSSGLI18E62H501A", "Pranzo-Sereno-2026");
    flow_get(s, &f, T "/famiglie/", 200, &r);
    assert_true(harness_body_has(&r, "Giulia Rossi"));
    harness_resp_free(&r);
    long long giulia = harness_db_int(s,
                                      "SELECT id FROM pupil WHERE fiscal_code = "
                                      "'RSSGLI18E62H501A'",
                                      NULL);
    char body[128];
    snprintf(body, sizeof(body), "campaign=2&pupil=%lld", giulia);
    flow_post(s, &f, T "/famiglie/rinnova", body, 303, &r);
    harness_resp_free(&r);
    /* Last year 3A at the Montessori: this year 4A, same school, pre-filled. */
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM enrollment e JOIN class k ON k.id = "
                                    "e.class_id WHERE e.pupil_fiscal_code = 'RSSGLI18E62H501A' "
                                    "AND e.campaign_id = 2 AND e.kind = 'renewal' AND k.name = "
                                    "'4A' AND e.guardian_name = 'Mario'",
                                    NULL),
                     1);
    /* Luca turns six in 2027: moves to the primaria, the family picks the school. */
    long long luca = harness_db_int(s,
                                    "SELECT id FROM pupil WHERE fiscal_code = "
                                    "'RSSLCU21P03H501G'",
                                    NULL);
    snprintf(body, sizeof(body), "campaign=2&pupil=%lld", luca);
    flow_post(s, &f, T "/famiglie/rinnova", body, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM enrollment WHERE pupil_fiscal_code = "
                                    "'RSSLCU21P03H501G' AND campaign_id = 2 AND class_id IS NULL",
                                    NULL),
                     1);
    /* Another family's pupil cannot be renewed from this account. */
    long long matteo = harness_db_int(s,
                                      "SELECT id FROM pupil WHERE fiscal_code = "
                                      "'SPSMTT17B11F839K'",
                                      NULL);
    snprintf(body, sizeof(body), "campaign=2&pupil=%lld", matteo);
    flow_post(s, &f, T "/famiglie/rinnova", body, 404, &r);
    harness_resp_free(&r);
}

static void test_debt_gate(void **state)
{
    const struct harness_server *s = *state;
    struct flow f = {0};
    struct harness_resp r;
    /* Anna Esposito owes 45 euro; the campaign's threshold is -30 euro. */
    long long gid = harness_db_int(s,
                                   "SELECT id FROM guardian WHERE fiscal_code = "
                                   "'SPSNNA87S70F839K'",
                                   NULL);
    assert_true(gid > 0);
    family_sign_in(s, &f, "SPSMTT17B11F839K", "Provvisoria-2026");
    long long matteo = harness_db_int(s,
                                      "SELECT id FROM pupil WHERE fiscal_code = "
                                      "'SPSMTT17B11F839K'",
                                      NULL);
    char body[128];
    snprintf(body, sizeof(body), "campaign=2&pupil=%lld", matteo);
    flow_get(s, &f, T "/iscrizioni", 200, &r);
    harness_resp_free(&r);
    flow_post(s, &f, T "/famiglie/rinnova", body, 303, &r);
    char app[160];
    snprintf(app, sizeof(app), "%s", location(&r));
    harness_resp_free(&r);
    char *p = strstr(app, "/passo/1");
    assert_non_null(p);
    *p = '\0';
    char path[200];
    snprintf(path, sizeof(path), "%s/passo/1", strstr(app, T "/"));
    flow_get(s, &f, path, 200, &r);
    harness_resp_free(&r);
    flow_post(s, &f, path,
              "name=Matteo&surname=Esposito&birth_date=2017-02-11&sex=M&birth_place=Napoli&"
              "action=next",
              303, &r);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/passo/2", strstr(app, T "/"));
    flow_post(s, &f, path,
              "fiscal_code=SPSNNA87S70F839K&name=Anna&surname=Esposito&mobile=3479876543&"
              "address=Via+Roma+40&resident=yes&privacy=yes&action=next",
              303, &r);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/passo/3", strstr(app, T "/"));
    flow_post(s, &f, path, "action=next&wd_1=yes&wd_2=yes&wd_3=yes&wd_4=yes&wd_5=yes&class_id=0",
              422, &r); /* 4B -> 5B pre-selected only on GET; a wrong class is refused */
    harness_resp_free(&r);
    long long k = harness_db_int(s,
                                 "SELECT class_id FROM enrollment WHERE pupil_fiscal_code = "
                                 "'SPSMTT17B11F839K' AND campaign_id = 2",
                                 NULL);
    assert_true(k > 0);
    snprintf(body, sizeof(body), "class_id=%lld&wd_1=yes&wd_2=yes&action=next", k);
    flow_post(s, &f, path, body, 303, &r);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/passo/4", strstr(app, T "/"));
    flow_post(s, &f, path, "diet_kind=none&action=next", 303, &r);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/passo/5", strstr(app, T "/"));
    flow_post(s, &f, path, "payment_method=prepaid&action=next", 303, &r);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/passo/6", strstr(app, T "/"));
    flow_post(s, &f, path, "decl_1=yes&decl_2=yes&decl_3=yes&action=next", 303, &r);
    harness_resp_free(&r);
    /* The summary says why, and submitting is refused. */
    snprintf(path, sizeof(path), "%s/riepilogo", strstr(app, T "/"));
    flow_get(s, &f, path, 200, &r);
    assert_true(harness_body_has(&r, "id=\"blocker\""));
    assert_true(harness_body_has(&r, "45,00"));
    harness_resp_free(&r);
    snprintf(path, sizeof(path), "%s/invia", strstr(app, T "/"));
    flow_post(s, &f, path, "x=1", 422, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM enrollment WHERE pupil_fiscal_code = "
                                    "'SPSMTT17B11F839K' AND campaign_id = 2 AND status = 'draft'",
                                    NULL),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_enrollment_end_to_end),
        cmocka_unit_test(test_known_pupil_and_bad_codes),
        cmocka_unit_test(test_renewal_promotes_the_class),
        cmocka_unit_test(test_debt_gate),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
