/*
 * Staff accounts over the real request path: an administrator creates an account (the
 * temporary-password mail is in the outbox, written with the account), the new colleague signs
 * in with it and must choose a password (policy errors next to the field), the new one works;
 * disabling stops sign-in, an administrator cannot disable themself, a reset mails a new
 * temporary password; TOTP enrolment (QR code as SVG, never cached) then sign-in asks for the
 * code, a wrong code is refused and a code works only once; repeated wrong passwords give the
 * wait message and then the lock; every POST of the staff routes refuses a missing or wrong CSRF
 * token. Codes are computed in the test for the current time step (the server accepts +-1).
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
#include <sqlite3.h>

#include "domain/totp.h"
#include "harness.h"
#include "web/route.h"

extern const struct route staff_routes[];

#define TENANT     HARNESS_DEMO_TENANT
#define ADMIN      "admin@comune.esempio.it"
#define NEW_EMAIL  "sara.neri@comune.esempio.it"
#define NEW_PASS   "Refettorio-Nuova-2026!"
#define TOTP_EMAIL "gestore@ristorazione-esempio.it"
#define LOCK_EMAIL "cucina@ristorazione-esempio.it"
#define WRONG      "Sbagliata-Davvero-42"
#define BODY_MAX   4096

/* ---- helpers ------------------------------------------------------------------------------ */

static void db_exec(void **state, const char *sql, const char *param)
{
    const struct harness_server *s = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(s->db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static long long db_int(void **state, const char *sql, const char *param)
{
    const char *const params[] = {param, NULL};
    return harness_db_int(*state, sql, params);
}

/* The temporary password in the newest temporary_password mail to email: "xxxx-xxxx-xxxx-xxxx". */
static void temp_password_from_outbox(void **state, const char *email, char out[32])
{
    if (!harness_temp_password(*state, email, out))
        fail_msg("no temporary password in the mail");
}

static void post(void **state, const char *path, const char *body, const char *cookie, long status,
                 struct harness_resp *r)
{
    harness_expect_post(*state, path, body, cookie, status, r);
}

static void assert_location(const struct harness_resp *r, const char *want)
{
    const char *loc = harness_header(r, "Location", 0);
    if (!loc || strcmp(loc, want))
        fprintf(stderr, "# Location %s, expected %s\n", loc ? loc : "(none)", want);
    assert_non_null(loc);
    assert_string_equal(loc, want);
}

/* POST the sign-in form; returns the response (caller frees) after checking status. */
static void login(void **state, struct harness_session *s, const char *email, const char *pass,
                  const char *lang_cookie, long status, struct harness_resp *r)
{
    memset(s, 0, sizeof(*s));
    harness_open_login(*state, TENANT, s);
    char body[BODY_MAX], cookie[HARNESS_TOKEN_MAX + 32];
    harness_login_body(s, email, pass, NULL, body, sizeof(body));
    snprintf(cookie, sizeof(cookie), "%s%s", s->cookie, lang_cookie ? lang_cookie : "");
    post(state, "/" TENANT "/ufficio/accedi", body, cookie, status, r);
}

/* Take the new sid from r, then GET path and read its CSRF token. */
static void follow(void **state, struct harness_session *s, const struct harness_resp *r,
                   const char *path, long status)
{
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(s, sid);
    struct harness_resp g;
    harness_expect_get(*state, path, s->cookie, status, &g);
    if (status == 200)
        assert_true(harness_form_input(&g, "csrf", s->csrf, sizeof(s->csrf)));
    harness_resp_free(&g);
}

static void password_body(const struct harness_session *s, const char *pw, const char *confirm,
                          char *out, size_t n)
{
    char a[256], b[256];
    harness_urlencode(pw, a, sizeof(a));
    harness_urlencode(confirm, b, sizeof(b));
    snprintf(out, n, "csrf=%s&new_password=%s&confirm_password=%s", s->csrf, a, b);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_create_temporary_password_forced_change(void **state)
{
    struct harness_session admin = {0};
    harness_sign_in(*state, TENANT, ADMIN, HARNESS_DEMO_PASSWORD, 303, &admin);
    struct harness_resp r;
    harness_expect_get(*state, "/" TENANT "/ufficio/personale/nuovo", admin.cookie, 200, &r);
    assert_false(harness_body_has(&r, "aria-invalid")); /* a fresh form shows no errors */
    harness_resp_free(&r);

    long long audits =
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "staff.create");
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s&name=Sara+Neri&email=%s&role=ufficio", admin.csrf,
             "sara.neri%40comune.esempio.it");
    post(state, "/" TENANT "/ufficio/personale/nuovo", body, admin.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/personale?esito=creato");
    harness_resp_free(&r);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM mail_outbox WHERE recipient = ?1 AND "
                            "kind = 'temporary_password'",
                            NEW_EMAIL),
                     1);
    assert_int_equal(
        db_int(state, "SELECT password_temporary FROM staff_user WHERE email = ?1", NEW_EMAIL), 1);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "staff.create"),
        audits + 1);
    /* The list shows the new account; a duplicate e-mail is refused next to the field. */
    harness_expect_get(*state, "/" TENANT "/ufficio/personale", admin.cookie, 200, &r);
    assert_true(harness_body_has(&r, NEW_EMAIL));
    harness_resp_free(&r);
    post(state, "/" TENANT "/ufficio/personale/nuovo", body, admin.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"email-error\""));
    harness_resp_free(&r);

    /* Sign in with the temporary password: only the password change opens. */
    char temp[32];
    temp_password_from_outbox(state, NEW_EMAIL, temp);
    struct harness_session s;
    login(state, &s, NEW_EMAIL, temp, NULL, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/password");
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(&s, sid);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/", s.cookie, 303, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/profilo", s.cookie, 303, &r);
    harness_resp_free(&r);
    char cookie[HARNESS_TOKEN_MAX + 32];
    snprintf(cookie, sizeof(cookie), "%s; lang=en", s.cookie);
    harness_expect_get(*state, "/" TENANT "/ufficio/password", cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", s.csrf, sizeof(s.csrf)));
    assert_true(harness_body_has(&r, "temporary password"));
    assert_false(harness_body_has(&r, "current_password")); /* forced: no current password */
    harness_resp_free(&r);

    /* Policy errors, shown next to the field. */
    const char *bad[] = {"corta", "password123", "aaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        password_body(&s, bad[i], bad[i], body, sizeof(body));
        post(state, "/" TENANT "/ufficio/password", body, cookie, 422, &r);
        assert_true(harness_body_has(&r, "id=\"new_password-error\""));
        assert_true(
            harness_body_has(&r, "aria-describedby=\"new_password-help new_password-error\""));
        harness_resp_free(&r);
    }
    password_body(&s, NEW_PASS, "Refettorio-Diversa-2026!", body, sizeof(body));
    post(state, "/" TENANT "/ufficio/password", body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"confirm_password-error\""));
    harness_resp_free(&r);
    password_body(&s, temp, temp, body, sizeof(body)); /* the temporary one is not new */
    post(state, "/" TENANT "/ufficio/password", body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"new_password-error\""));
    harness_resp_free(&r);

    password_body(&s, NEW_PASS, NEW_PASS, body, sizeof(body));
    post(state, "/" TENANT "/ufficio/password", body, cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/");
    follow(state, &s, &r, "/" TENANT "/ufficio/", 200);
    harness_resp_free(&r);
    assert_int_equal(
        db_int(state, "SELECT password_temporary FROM staff_user WHERE email = ?1", NEW_EMAIL), 0);

    /* The new password works and goes straight in; the temporary one no longer does. */
    login(state, &s, NEW_EMAIL, NEW_PASS, NULL, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/");
    harness_resp_free(&r);
    login(state, &s, NEW_EMAIL, temp, NULL, 422, &r);
    harness_resp_free(&r);
    /* Not an administrator: the staff list is refused. */
    harness_sign_in(*state, TENANT, NEW_EMAIL, NEW_PASS, 303, &s);
    harness_expect_get(*state, "/" TENANT "/ufficio/personale", s.cookie, 403, &r);
    harness_resp_free(&r);
}

static void test_disable_enable_reset(void **state)
{
    struct harness_session admin = {0};
    harness_sign_in(*state, TENANT, ADMIN, HARNESS_DEMO_PASSWORD, 303, &admin);
    long long id = db_int(state, "SELECT id FROM staff_user WHERE email = ?1", NEW_EMAIL);
    long long me = db_int(state, "SELECT id FROM staff_user WHERE email = ?1", ADMIN);
    assert_true(id > 0 && me > 0);
    char path[256], body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s", admin.csrf);
    struct harness_resp r;

    snprintf(path, sizeof(path), "/" TENANT "/ufficio/personale/%lld/disattiva", id);
    post(state, path, body, admin.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/personale?esito=disattivato");
    harness_resp_free(&r);
    assert_int_equal(db_int(state, "SELECT disabled FROM staff_user WHERE email = ?1", NEW_EMAIL),
                     1);
    struct harness_session s;
    login(state, &s, NEW_EMAIL, NEW_PASS, "; lang=en", 422, &r);
    assert_true(harness_body_has(&r, "This account is disabled"));
    harness_resp_free(&r);

    snprintf(path, sizeof(path), "/" TENANT "/ufficio/personale/%lld/riattiva", id);
    post(state, path, body, admin.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/personale?esito=riattivato");
    harness_resp_free(&r);
    login(state, &s, NEW_EMAIL, NEW_PASS, NULL, 303, &r);
    harness_resp_free(&r);

    /* An administrator cannot disable themself (the last administrator, too). */
    snprintf(path, sizeof(path), "/" TENANT "/ufficio/personale/%lld/disattiva", me);
    post(state, path, body, admin.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/personale?esito=se-stesso");
    harness_resp_free(&r);
    assert_int_equal(db_int(state, "SELECT disabled FROM staff_user WHERE email = ?1", ADMIN), 0);
    snprintf(path, sizeof(path), "/" TENANT "/ufficio/personale/999999/disattiva");
    post(state, path, body, admin.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/personale?esito=non-trovato");
    harness_resp_free(&r);

    /* Reset: a new temporary password by mail; the old password stops working. */
    long long mails =
        db_int(state, "SELECT count(*) FROM mail_outbox WHERE recipient = ?1", NEW_EMAIL);
    snprintf(path, sizeof(path), "/" TENANT "/ufficio/personale/%lld/reimposta-password", id);
    post(state, path, body, admin.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/personale?esito=reimpostato");
    harness_resp_free(&r);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM mail_outbox WHERE recipient = ?1", NEW_EMAIL),
        mails + 1);
    login(state, &s, NEW_EMAIL, NEW_PASS, NULL, 422, &r);
    harness_resp_free(&r);
    char temp[32];
    temp_password_from_outbox(state, NEW_EMAIL, temp);
    login(state, &s, NEW_EMAIL, temp, NULL, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/password");
    harness_resp_free(&r);
}

static void code_at(const char *secret, time_t t, char out[TOTP_DIGITS + 1])
{
    unsigned char key[TOTP_KEY_MAX];
    long n = base32_decode(secret, key, sizeof(key));
    assert_true(n > 0);
    totp_format(totp_at(key, (size_t)n, t, TOTP_DIGITS), TOTP_DIGITS, out);
}

static void test_totp_enrolment_and_sign_in(void **state)
{
    struct harness_session s = {0};
    harness_sign_in(*state, TENANT, TOTP_EMAIL, HARNESS_DEMO_PASSWORD, 303, &s);
    struct harness_resp r;
    char body[BODY_MAX];
    /* Nothing to show before an enrolment starts. */
    harness_expect_get(*state, "/" TENANT "/ufficio/profilo/2fa.svg", s.cookie, 404, &r);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s", s.csrf);
    post(state, "/" TENANT "/ufficio/profilo/2fa", body, s.cookie, 303, &r);
    harness_resp_free(&r);

    harness_expect_get(*state, "/" TENANT "/ufficio/profilo", s.cookie, 200, &r);
    const char *p = strstr(r.body, "id=\"totp-secret\">");
    assert_non_null(p);
    p += strlen("id=\"totp-secret\">");
    char secret[64];
    size_t k = 0;
    for (; *p && *p != '<' && k + 1 < sizeof(secret); p++)
        if (*p != ' ')
            secret[k++] = *p;
    secret[k] = '\0';
    assert_int_equal(strlen(secret), TOTP_SECRET_B32);
    assert_true(harness_body_has(&r, "/ufficio/profilo/2fa.svg"));
    assert_true(harness_body_has(&r, "autocomplete=\"one-time-code\""));
    harness_resp_free(&r);

    harness_expect_get(*state, "/" TENANT "/ufficio/profilo/2fa.svg", s.cookie, 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "image/svg+xml");
    assert_string_equal(harness_header(&r, "Cache-Control", 0), "no-store");
    assert_true(strncmp(r.body, "<?xml", 5) == 0);
    assert_true(harness_body_has(&r, "role=\"img\""));
    assert_true(harness_body_has(&r, "<title"));
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/profilo/2fa.svg", NULL, 303, &r);
    harness_resp_free(&r);

    /* A wrong code does not confirm; the right one does. */
    char code[TOTP_DIGITS + 1], wrong[16];
    time_t now = time(NULL);
    code_at(secret, now, code);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 500000) % 1000000);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, wrong);
    post(state, "/" TENANT "/ufficio/profilo/2fa/conferma", body, s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"code-error\""));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, code);
    post(state, "/" TENANT "/ufficio/profilo/2fa/conferma", body, s.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/profilo?esito=2fa-attiva");
    harness_resp_free(&r);
    assert_int_equal(
        db_int(state, "SELECT totp_enabled FROM staff_user WHERE email = ?1", TOTP_EMAIL), 1);
    /* The secret is never shown again. */
    harness_expect_get(*state, "/" TENANT "/ufficio/profilo/2fa.svg", s.cookie, 404, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/profilo", s.cookie, 200, &r);
    assert_false(harness_body_has(&r, "totp-secret"));
    harness_resp_free(&r);

    /* Sign-in now stops at the code; the pending session opens nothing else. */
    login(state, &s, TOTP_EMAIL, HARNESS_DEMO_PASSWORD, NULL, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/accedi/codice");
    follow(state, &s, &r, "/" TENANT "/ufficio/accedi/codice", 200);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/", s.cookie, 303, &r);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, wrong);
    post(state, "/" TENANT "/ufficio/accedi/codice", body, s.cookie, 422, &r);
    harness_resp_free(&r);
    /* The code used for the confirmation is spent. */
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, code);
    post(state, "/" TENANT "/ufficio/accedi/codice", body, s.cookie, 422, &r);
    harness_resp_free(&r);
    /* The next step's code (inside the +-1 window, later than the last used). */
    char next[TOTP_DIGITS + 1];
    code_at(secret, time(NULL) + TOTP_STEP_SECONDS, next);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, next);
    post(state, "/" TENANT "/ufficio/accedi/codice", body, s.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/");
    follow(state, &s, &r, "/" TENANT "/ufficio/", 200);
    harness_resp_free(&r);

    /* The same code cannot be used twice. */
    login(state, &s, TOTP_EMAIL, HARNESS_DEMO_PASSWORD, NULL, 303, &r);
    follow(state, &s, &r, "/" TENANT "/ufficio/accedi/codice", 200);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, next);
    post(state, "/" TENANT "/ufficio/accedi/codice", body, s.cookie, 422, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/", s.cookie, 303, &r);
    harness_resp_free(&r);
    /* Without a pending sign-in the code page sends to the sign-in. */
    harness_expect_get(*state, "/" TENANT "/ufficio/accedi/codice", NULL, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/accedi");
    harness_resp_free(&r);
}

/* POST the sign-in form and return the status (no expectation). */
static long login_status(void **state, const char *email, const char *pass, struct harness_resp *r)
{
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    char body[BODY_MAX], cookie[HARNESS_TOKEN_MAX + 32];
    harness_login_body(&s, email, pass, NULL, body, sizeof(body));
    snprintf(cookie, sizeof(cookie), "%s; lang=en", s.cookie);
    struct harness_req rq = {.path = "/" TENANT "/ufficio/accedi", .body = body, .cookie = cookie};
    harness_request(*state, &rq, r);
    return r->status;
}

static void test_throttling_wait_then_lock(void **state)
{
    struct harness_session s;
    struct harness_resp r;
    for (int i = 0; i < 3; i++) {
        login(state, &s, LOCK_EMAIL, WRONG, "; lang=en", 422, &r);
        assert_true(harness_body_has(&r, "Wrong e-mail address or password."));
        harness_resp_free(&r);
    }
    /* From the fourth failure on, each one makes the next attempt wait (1 s, 2 s, 4 s ...): a
       wait answer comes within a few attempts however slow this machine is. */
    long status = 0;
    for (int i = 0; i < 8 && status != 429; i++) {
        status = login_status(state, LOCK_EMAIL, WRONG, &r);
        if (status == 429) {
            assert_true(harness_body_has(&r, "Too many attempts: try again in"));
            assert_null(harness_set_cookie(&r, "sid"));
        } else {
            assert_int_equal(status, 422);
        }
        harness_resp_free(&r);
    }
    assert_int_equal(status, 429);
    /* While waiting, even the right password is not checked. */
    db_exec(state,
            "UPDATE sign_in_throttle SET delay_until = '2999-01-01T00:00:00Z' WHERE key = ?1",
            "staff:" LOCK_EMAIL);
    login(state, &s, LOCK_EMAIL, HARNESS_DEMO_PASSWORD, "; lang=en", 429, &r);
    assert_null(harness_set_cookie(&r, "sid"));
    harness_resp_free(&r);

    /* Skip the growing delays: one failure short of the lock, nothing to wait for. */
    for (int i = 0; i < 10 && !db_int(state,
                                      "SELECT locked FROM sign_in_throttle WHERE key = ?1 "
                                      "AND scope = 'account'",
                                      "staff:" LOCK_EMAIL);
         i++) {
        db_exec(state,
                "UPDATE sign_in_throttle SET delay_until = '2000-01-01T00:00:00Z' "
                "WHERE key = ?1",
                "staff:" LOCK_EMAIL);
        login(state, &s, LOCK_EMAIL, WRONG, "; lang=en", 422, &r);
        harness_resp_free(&r);
    }
    assert_int_equal(db_int(state,
                            "SELECT locked FROM sign_in_throttle WHERE key = ?1 AND "
                            "scope = 'account'",
                            "staff:" LOCK_EMAIL),
                     1);
    db_exec(state,
            "UPDATE sign_in_throttle SET delay_until = '2000-01-01T00:00:00Z' "
            "WHERE key = ?1",
            "staff:" LOCK_EMAIL);
    login(state, &s, LOCK_EMAIL, HARNESS_DEMO_PASSWORD, "; lang=en", 423, &r);
    assert_true(harness_body_has(&r, "This account is locked"));
    assert_null(harness_set_cookie(&r, "sid"));
    harness_resp_free(&r);
}

static void test_csrf_on_every_post(void **state)
{
    struct harness_session admin = {0};
    harness_sign_in(*state, TENANT, ADMIN, HARNESS_DEMO_PASSWORD, 303, &admin);
    long long id = db_int(state, "SELECT id FROM staff_user WHERE email = ?1", NEW_EMAIL);
    int posts = 0;
    for (const struct route *rt = staff_routes; rt->handler; rt++) {
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
        post(state, path, "code=123456&new_password=x", admin.cookie, 403, &r);
        harness_resp_free(&r);
        char body[BODY_MAX];
        struct harness_session forged = admin;
        forged.csrf[0] = forged.csrf[0] == 'A' ? 'B' : 'A';
        snprintf(body, sizeof(body), "csrf=%s&code=123456", forged.csrf);
        post(state, path, body, admin.cookie, 403, &r);
        harness_resp_free(&r);
        posts++;
    }
    assert_true(posts >= 8);
    assert_int_equal(db_int(state, "SELECT disabled FROM staff_user WHERE email = ?1", NEW_EMAIL),
                     0);
    harness_assert_healthy(*state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_temporary_password_forced_change),
        cmocka_unit_test(test_disable_enable_reset),
        cmocka_unit_test(test_totp_enrolment_and_sign_in),
        cmocka_unit_test(test_throttling_wait_then_lock),
        cmocka_unit_test(test_csrf_on_every_post),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
