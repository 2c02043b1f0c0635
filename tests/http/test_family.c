/*
 * HTTP tests of the family area against the real server: sign-in by a pupil's codice fiscale,
 * wrong passwords and throttling, the forced change of a temporary password, the e-mail change
 * with a code (read back from the outbox, as the family would read it from its mailbox), the
 * forgotten-password link (single use), the office lifting a lock, and CSRF on every form.
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

#include "http/harness.h"

#define T "/" HARNESS_DEMO_TENANT
/* Demo families (src/services/demo.c). */
#define ROSSI_LOGIN       "RSSGLI18E62H501A"
#define ROSSI_PASSWORD    "Pranzo-Sereno-2026"
#define ESPOSITO_LOGIN    "SPSMTT17B11F839K"
#define ESPOSITO_PASSWORD "Provvisoria-2026"
#define BIANCHI_LOGIN     "FRRSFO19T41F205D"

/* The newest outbox text body for a recipient, into out. */
static bool latest_mail(const struct harness_server *s, const char *to, char *out, size_t n)
{
    sqlite3 *db;
    bool found = false;
    if (sqlite3_open_v2(s->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return false;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT body_text FROM mail_outbox WHERE recipient = ?1 "
                           "ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
            found = true;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return found;
}

/* The first run of exactly six digits in text. */
static bool six_digits(const char *text, char out[7])
{
    for (const char *p = text; *p; p++) {
        size_t n = 0;
        while (p[n] >= '0' && p[n] <= '9')
            n++;
        if (n == 6 && (p == text || p[-1] < '0' || p[-1] > '9')) {
            memcpy(out, p, 6);
            out[6] = '\0';
            return true;
        }
        if (n)
            p += n - 1;
    }
    return false;
}

/* Open a family form page (GET path), keeping the session cookie and its csrf. */
static void open_form(const struct harness_server *s, const char *path,
                      struct harness_session *session)
{
    struct harness_resp r;
    harness_expect_get(s, path, session->cookie[0] ? session->cookie : NULL, 200, &r);
    char sid[HARNESS_TOKEN_MAX];
    if (harness_cookie_value(&r, "sid", sid, sizeof(sid)))
        harness_session_set_sid(session, sid);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

/* Sign a family in; expect status from the POST; on 303 the session is the signed-in one. */
static void family_sign_in(const struct harness_server *s, const char *login, const char *password,
                           long status, struct harness_session *session, struct harness_resp *out)
{
    memset(session, 0, sizeof(*session));
    open_form(s, T "/famiglie/accedi", session);
    char body[512], enc[256];
    harness_urlencode(password, enc, sizeof(enc));
    snprintf(body, sizeof(body), "csrf=%s&login=%s&password=%s", session->csrf, login, enc);
    harness_expect_post(s, T "/famiglie/accedi", body, session->cookie, status, out);
    char sid[HARNESS_TOKEN_MAX];
    if (status == 303 && harness_cookie_value(out, "sid", sid, sizeof(sid)))
        harness_session_set_sid(session, sid);
}

static void test_sign_in_by_pupil_codice_fiscale(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session;
    struct harness_resp r;
    harness_expect_get(s, T "/famiglie/", NULL, 303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "/famiglie/accedi"));
    harness_resp_free(&r);
    /* Lower case and spaces are fine. */
    family_sign_in(s, "rssgli18e62+h501a", ROSSI_PASSWORD, 303, &session, &r);
    assert_string_equal(harness_header(&r, "Location", 0), T "/famiglie/");
    harness_resp_free(&r);
    harness_expect_get(s, T "/famiglie/", session.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Mario Rossi"));
    assert_true(harness_body_has(&r, "RSSLCU21P03H501G")); /* the sibling */
    harness_resp_free(&r);
    /* A family session does not open the back office. */
    harness_expect_get(s, T "/ufficio/", session.cookie, 403, &r);
    harness_resp_free(&r);
    assert_true(
        harness_db_int(s, "SELECT count(*) FROM audit_log WHERE action='family.login'", NULL) >= 1);
}

static void test_wrong_password_keeps_login_and_hides_accounts(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session;
    struct harness_resp known, unknown;
    family_sign_in(s, ROSSI_LOGIN, "Sbagliata-2026", 422, &session, &known);
    family_sign_in(s, "ZZZZZZZZ", "Sbagliata-2026", 422, &session, &unknown);
    /* The same message for a wrong password and an account that does not exist. */
    assert_true(harness_body_has(&known, "role=\"alert\""));
    const char *a = strstr(known.body, "id=\"form-error\">");
    const char *b = strstr(unknown.body, "id=\"form-error\">");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(strncmp(a, b, 80), 0);
    assert_true(harness_body_has(&known, "value=\"" ROSSI_LOGIN "\""));
    assert_false(harness_body_has(&known, "Sbagliata-2026"));
    harness_resp_free(&known);
    harness_resp_free(&unknown);
}

static void test_temporary_password_must_be_changed(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session;
    struct harness_resp r;
    family_sign_in(s, ESPOSITO_LOGIN, ESPOSITO_PASSWORD, 303, &session, &r);
    assert_string_equal(harness_header(&r, "Location", 0), T "/famiglie/password");
    harness_resp_free(&r);
    /* Every other page sends back to the change. */
    harness_expect_get(s, T "/famiglie/", session.cookie, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), T "/famiglie/password");
    harness_resp_free(&r);
    open_form(s, T "/famiglie/password", &session);
    char body[512];
    /* Policy and confirmation errors are shown next to their fields. */
    snprintf(body, sizeof(body), "csrf=%s&password=qwertyuiop&confirm=qwertyuiop", session.csrf);
    harness_expect_post(s, T "/famiglie/password", body, session.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"password-error\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&password=Merenda-Buona-77&confirm=Merenda-Buona-78",
             session.csrf);
    harness_expect_post(s, T "/famiglie/password", body, session.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"confirm-error\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&password=Merenda-Buona-77&confirm=Merenda-Buona-77",
             session.csrf);
    harness_expect_post(s, T "/famiglie/password", body, session.cookie, 200, &r);
    harness_resp_free(&r);
    harness_expect_get(s, T "/famiglie/", session.cookie, 200, &r);
    harness_resp_free(&r);
    /* The old temporary password no longer works, the new one does. */
    family_sign_in(s, ESPOSITO_LOGIN, ESPOSITO_PASSWORD, 422, &session, &r);
    harness_resp_free(&r);
    family_sign_in(s, ESPOSITO_LOGIN, "Merenda-Buona-77", 303, &session, &r);
    assert_string_equal(harness_header(&r, "Location", 0), T "/famiglie/");
    harness_resp_free(&r);
}

static void test_email_change_with_code(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session;
    struct harness_resp r;
    char body[512], mail[4096], code[7];
    family_sign_in(s, BIANCHI_LOGIN, ROSSI_PASSWORD, 303, &session, &r);
    harness_resp_free(&r);
    open_form(s, T "/famiglie/email", &session);
    snprintf(body, sizeof(body), "csrf=%s&email=chiara%%40example.org", session.csrf);
    harness_expect_post(s, T "/famiglie/email", body, session.cookie, 200, &r);
    assert_true(harness_body_has(&r, "c***@example.org"));
    harness_resp_free(&r);
    /* Asking again at once is refused with the time to wait; the code is unchanged. */
    harness_expect_post(s, T "/famiglie/email", body, session.cookie, 200, &r);
    assert_true(harness_body_has(&r, "c***@example.org"));
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM mail_outbox WHERE recipient = "
                                    "'chiara@example.org' AND kind = 'verification_code'",
                                    NULL),
                     1);
    assert_true(latest_mail(s, "chiara@example.org", mail, sizeof(mail)));
    assert_true(six_digits(mail, code));
    /* A wrong code counts down, then the right one changes the address. */
    const char *wrong = strcmp(code, "000000") ? "000000" : "111111";
    snprintf(body, sizeof(body), "csrf=%s&email=chiara%%40example.org&code=%s", session.csrf,
             wrong);
    harness_expect_post(s, T "/famiglie/email/codice", body, session.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"code-error\""));
    harness_resp_free(&r);
    /* Another browser session cannot use the code. */
    struct harness_session other;
    family_sign_in(s, BIANCHI_LOGIN, ROSSI_PASSWORD, 303, &other, &r);
    harness_resp_free(&r);
    open_form(s, T "/famiglie/email", &other);
    snprintf(body, sizeof(body), "csrf=%s&email=chiara%%40example.org&code=%s", other.csrf, code);
    harness_expect_post(s, T "/famiglie/email/codice", body, other.cookie, 422, &r);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&email=chiara%%40example.org&code=%s", session.csrf, code);
    harness_expect_post(s, T "/famiglie/email/codice", body, session.cookie, 200, &r);
    harness_resp_free(&r);
    harness_expect_get(s, T "/famiglie/", session.cookie, 200, &r);
    assert_true(harness_body_has(&r, "chiara@example.org"));
    harness_resp_free(&r);
}

static void test_forgotten_password_link_is_single_use(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session = {0};
    struct harness_resp r;
    char body[512], mail[4096];
    open_form(s, T "/famiglie/password-dimenticata", &session);
    /* Unknown and known logins get the same page. */
    snprintf(body, sizeof(body), "csrf=%s&login=ZZZZZZZZ", session.csrf);
    harness_expect_post(s, T "/famiglie/password-dimenticata", body, session.cookie, 200, &r);
    char *unknown_page = strdup(strstr(r.body, "<main"));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&login=" ROSSI_LOGIN, session.csrf);
    harness_expect_post(s, T "/famiglie/password-dimenticata", body, session.cookie, 200, &r);
    assert_string_equal(strstr(r.body, "<main"), unknown_page);
    free(unknown_page);
    harness_resp_free(&r);
    assert_true(latest_mail(s, "mario.rossi@example.it", mail, sizeof(mail)));
    const char *link = strstr(mail, "/famiglie/reimposta?token=");
    assert_non_null(link);
    char token[64] = "";
    sscanf(link, "/famiglie/reimposta?token=%63[A-Za-z0-9_-]", token);
    assert_int_equal(strlen(token), 43);
    char path[160];
    snprintf(path, sizeof(path), T "/famiglie/reimposta?token=%s", token);
    open_form(s, path, &session);
    snprintf(body, sizeof(body),
             "csrf=%s&token=%s&password=Colazione-Lenta-5&confirm=Colazione-Lenta-5", session.csrf,
             token);
    harness_expect_post(s, T "/famiglie/reimposta", body, session.cookie, 200, &r);
    harness_resp_free(&r);
    /* Replayed: refused, and the form is not shown again. */
    harness_expect_post(s, T "/famiglie/reimposta", body, session.cookie, 410, &r);
    harness_resp_free(&r);
    harness_expect_get(s, path, session.cookie, 410, &r);
    harness_resp_free(&r);
    struct harness_session signed_in;
    family_sign_in(s, ROSSI_LOGIN, "Colazione-Lenta-5", 303, &signed_in, &r);
    harness_resp_free(&r);
}

static void test_throttle_lock_and_office_unlock(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session;
    struct harness_resp r;
    /* Three free failures, then each failure sets a growing delay and an attempt during the
       delay gets 429 whatever the password. Time is moved on by rewriting the delay in the
       database rather than by sleeping; the tenth failure locks the login name (423). */
    for (int i = 0; i < 3; i++) {
        family_sign_in(s, "AAAAAAAA", "Sbagliata-2026", 422, &session, &r);
        harness_resp_free(&r);
    }
    family_sign_in(s, "AAAAAAAA", "Sbagliata-2026", 422, &session, &r);
    harness_resp_free(&r);
    family_sign_in(s, "AAAAAAAA", "Sbagliata-2026", 429, &session, &r);
    assert_true(harness_body_has(&r, "role=\"alert\""));
    harness_resp_free(&r);
    assert_int_equal(harness_db_write_int(s,
                                          "UPDATE sign_in_throttle SET failures = 9, delay_until = "
                                          "'2000-01-01T00:00:00Z' WHERE key = 'family:AAAAAAAA' "
                                          "RETURNING failures",
                                          NULL),
                     9);
    family_sign_in(s, "AAAAAAAA", "Sbagliata-2026", 422, &session, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_write_int(s,
                                          "UPDATE sign_in_throttle SET delay_until = "
                                          "'2000-01-01T00:00:00Z' WHERE key = 'family:AAAAAAAA' "
                                          "RETURNING locked",
                                          NULL),
                     1);
    family_sign_in(s, "AAAAAAAA", "Sbagliata-2026", 423, &session, &r);
    harness_resp_free(&r);
    /* The office sees the lock and lifts it. */
    struct harness_session office;
    harness_sign_in(s, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &office);
    harness_expect_get(s, T "/ufficio/blocchi", office.cookie, 200, &r);
    assert_true(harness_body_has(&r, "AAAAAAAA"));
    char csrf[HARNESS_TOKEN_MAX];
    assert_true(harness_form_input(&r, "csrf", csrf, sizeof(csrf)));
    harness_resp_free(&r);
    char body[256];
    snprintf(body, sizeof(body), "csrf=%s&login=family%%3AAAAAAAAA", csrf);
    harness_expect_post(s, T "/ufficio/blocchi/sblocca", body, office.cookie, 200, &r);
    assert_false(harness_body_has(&r, "<th scope=\"row\" class=\"rf-code\">AAAAAAAA"));
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM audit_log WHERE action IN "
                                    "('signin.locked', 'signin.unlocked')",
                                    NULL),
                     2);
    /* A family cannot open the office page. */
    struct harness_session fam;
    family_sign_in(s, ROSSI_LOGIN, "Colazione-Lenta-5", 303, &fam, &r);
    harness_resp_free(&r);
    harness_expect_get(s, T "/ufficio/blocchi", fam.cookie, 403, &r);
    harness_resp_free(&r);
}

static void test_csrf_on_every_family_form(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session;
    struct harness_resp r;
    family_sign_in(s, BIANCHI_LOGIN, ROSSI_PASSWORD, 303, &session, &r);
    harness_resp_free(&r);
    static const char *const forms[] = {
        T "/famiglie/accedi",    T "/famiglie/password-dimenticata",
        T "/famiglie/reimposta", T "/famiglie/password",
        T "/famiglie/email",     T "/famiglie/email/codice",
        T "/famiglie/esci",
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        harness_expect_post(s, forms[i], "csrf=forged&login=x&email=a%40b.it", session.cookie, 403,
                            &r);
        harness_resp_free(&r);
    }
    /* Sign-out with the right token works and ends the session. */
    open_form(s, T "/famiglie/email", &session);
    char body[256];
    snprintf(body, sizeof(body), "csrf=%s", session.csrf);
    harness_expect_post(s, T "/famiglie/esci", body, session.cookie, 303, &r);
    harness_resp_free(&r);
    harness_expect_get(s, T "/famiglie/", session.cookie, 303, &r);
    harness_resp_free(&r);
}

static void test_session_renewed_at_sign_in_and_expires(void **state)
{
    struct harness_server *s = *state;
    struct harness_session session = {0};
    struct harness_resp r;
    /* The anonymous session of the sign-in form is replaced at sign-in (no fixation). */
    open_form(s, T "/famiglie/accedi", &session);
    char anonymous[HARNESS_TOKEN_MAX];
    snprintf(anonymous, sizeof(anonymous), "%s", session.sid);
    char body[512];
    snprintf(body, sizeof(body), "csrf=%s&login=" BIANCHI_LOGIN "&password=" ROSSI_PASSWORD,
             session.csrf);
    harness_expect_post(s, T "/famiglie/accedi", body, session.cookie, 303, &r);
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_resp_free(&r);
    assert_string_not_equal(sid, anonymous);
    char old_cookie[HARNESS_TOKEN_MAX + 8];
    snprintf(old_cookie, sizeof(old_cookie), "sid=%s", anonymous);
    harness_expect_get(s, T "/famiglie/", old_cookie, 303, &r);
    harness_resp_free(&r);
    harness_session_set_sid(&session, sid);
    harness_expect_get(s, T "/famiglie/", session.cookie, 200, &r);
    harness_resp_free(&r);
    /* After the idle time the session ends: make this family's sessions expire now. */
    assert_true(harness_db_write_int(s,
                                     "UPDATE session SET expires_at = '2000-01-01T00:00:00Z' "
                                     "WHERE guardian_id IS NOT NULL RETURNING 1",
                                     NULL) == 1);
    harness_expect_get(s, T "/famiglie/", session.cookie, 303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "/famiglie/accedi"));
    harness_resp_free(&r);
}

static void test_clean_exit(void **state)
{
    struct harness_server *s = *state;
    assert_int_equal(harness_stop(s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_in_by_pupil_codice_fiscale),
        cmocka_unit_test(test_wrong_password_keeps_login_and_hides_accounts),
        cmocka_unit_test(test_temporary_password_must_be_changed),
        cmocka_unit_test(test_email_change_with_code),
        cmocka_unit_test(test_forgotten_password_link_is_single_use),
        cmocka_unit_test(test_throttle_lock_and_office_unlock),
        cmocka_unit_test(test_csrf_on_every_family_form),
        cmocka_unit_test(test_session_renewed_at_sign_in_and_expires),
        cmocka_unit_test(test_clean_exit),
    };
    return cmocka_run_group_tests_name("http family", tests, harness_group_setup,
                                       harness_group_teardown);
}
