/*
 * Staff sign-in over the real request path: the session cookie's attributes, CSRF on every
 * unsafe request, wrong passwords, session rotation on sign-in (no fixation), the back office
 * behind the session, sign-out, the audit trail, and undeclared fields being dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define TENANT      HARNESS_DEMO_TENANT
#define LOGIN_PATH  "/esempio/ufficio/accedi"
#define HOME_PATH   "/esempio/ufficio/"
#define LOGOUT_PATH "/esempio/ufficio/esci"
#define STAFF_NAME  "Giulia Bianchi"
#define WRONG_PASS  "Sbagliata-Davvero-42"
#define BODY_MAX    2048

static long long audit_count(void **state, const char *action)
{
    const char *const params[] = {action, NULL};
    long long n =
        harness_db_int(*state, "SELECT count(*) FROM audit_log WHERE action = ?1", params);
    assert_true(n >= 0);
    return n;
}

/* The office home answers 303 to the sign-in page for this cookie. */
static void assert_not_signed_in(void **state, const char *cookie)
{
    struct harness_resp r;
    harness_expect_get(*state, HOME_PATH, cookie, 303, &r);
    const char *loc = harness_header(&r, "Location", 0);
    assert_non_null(loc);
    assert_string_equal(loc, LOGIN_PATH);
    assert_false(harness_body_has(&r, STAFF_NAME));
    harness_resp_free(&r);
}

static void post_login(void **state, const struct harness_session *s, const char *password,
                       const char *extra, const char *cookie, long status, struct harness_resp *out)
{
    char body[BODY_MAX];
    harness_login_body(s, HARNESS_DEMO_EMAIL, password, extra, body, sizeof(body));
    harness_expect_post(*state, LOGIN_PATH, body, cookie, status, out);
}

static void test_login_form_cookie_and_csrf(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, LOGIN_PATH, NULL, 200, &r);
    const char *c = harness_set_cookie(&r, "sid");
    assert_non_null(c);
    assert_non_null(strstr(c, "; HttpOnly"));
    assert_non_null(strstr(c, "; SameSite=Lax"));
    assert_non_null(strstr(c, "; Path=/esempio/"));
    assert_null(strstr(c, "; Secure")); /* server.tls is off */
    char sid[HARNESS_TOKEN_MAX], csrf[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    assert_true(strlen(sid) >= 32);
    assert_true(harness_form_input(&r, "csrf", csrf, sizeof(csrf)));
    assert_true(strlen(csrf) >= 32);
    assert_string_not_equal(csrf, sid);
    assert_true(harness_body_has(&r, "name=\"csrf\""));
    const char *cache = harness_header(&r, "Cache-Control", 0);
    assert_non_null(cache);
    assert_string_equal(cache, "no-store"); /* a page with a session is never cached */
    harness_resp_free(&r);
}

static void test_post_without_csrf_403(void **state)
{
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    struct harness_resp r;
    harness_expect_post(*state, LOGIN_PATH,
                        "email=ufficio%40comune.esempio.it&password=Mensa-Esempio-2026", s.cookie,
                        403, &r);
    assert_null(harness_set_cookie(&r, "sid"));
    harness_resp_free(&r);
    assert_not_signed_in(state, s.cookie);
}

static void test_post_wrong_csrf_403(void **state)
{
    struct harness_session s = {0}, other = {0};
    harness_open_login(*state, TENANT, &s);
    harness_open_login(*state, TENANT, &other);
    struct harness_resp r;

    struct harness_session forged = s;
    snprintf(forged.csrf, sizeof(forged.csrf), "%s", other.csrf); /* valid, someone else's */
    post_login(state, &forged, HARNESS_DEMO_PASSWORD, NULL, s.cookie, 403, &r);
    harness_resp_free(&r);

    forged.csrf[0] = forged.csrf[0] == 'A' ? 'B' : 'A'; /* same length, one character off */
    post_login(state, &forged, HARNESS_DEMO_PASSWORD, NULL, s.cookie, 403, &r);
    harness_resp_free(&r);

    post_login(state, &s, HARNESS_DEMO_PASSWORD, NULL, NULL, 403, &r); /* right token, no cookie */
    harness_resp_free(&r);
    assert_not_signed_in(state, s.cookie);
}

static void test_wrong_password_422(void **state)
{
    long long failed = audit_count(state, "staff.login_failed");
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    char cookie[HARNESS_TOKEN_MAX + 32];
    snprintf(cookie, sizeof(cookie), "%s; lang=en", s.cookie);
    struct harness_resp r;
    post_login(state, &s, WRONG_PASS, NULL, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"form-error\""));
    assert_true(harness_body_has(&r, "Wrong e-mail address or password."));
    assert_true(harness_body_has(&r, "value=\"" HARNESS_DEMO_EMAIL "\""));
    assert_false(harness_body_has(&r, WRONG_PASS));
    assert_null(harness_set_cookie(&r, "sid")); /* still the anonymous session */
    harness_resp_free(&r);
    assert_int_equal(audit_count(state, "staff.login_failed"), failed + 1);
    assert_not_signed_in(state, s.cookie);
}

static void test_login_rotates_session(void **state)
{
    long long logins = audit_count(state, "staff.login");
    struct harness_session anon = {0};
    harness_open_login(*state, TENANT, &anon);
    struct harness_resp r;
    post_login(state, &anon, HARNESS_DEMO_PASSWORD, NULL, anon.cookie, 303, &r);
    const char *loc = harness_header(&r, "Location", 0);
    assert_non_null(loc);
    assert_string_equal(loc, HOME_PATH);
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    assert_string_not_equal(sid, anon.sid);
    const char *c = harness_set_cookie(&r, "sid");
    assert_non_null(strstr(c, "; HttpOnly"));
    assert_non_null(strstr(c, "; SameSite=Lax"));
    assert_non_null(strstr(c, "; Path=/esempio/"));
    harness_resp_free(&r);
    assert_int_equal(audit_count(state, "staff.login"), logins + 1);

    struct harness_session signed_in = {0};
    harness_session_set_sid(&signed_in, sid);
    harness_expect_get(*state, HOME_PATH, signed_in.cookie, 200, &r);
    assert_true(harness_body_has(&r, STAFF_NAME));
    harness_resp_free(&r);

    /* The anonymous session is gone: neither its cookie nor its token work any more. */
    assert_not_signed_in(state, anon.cookie);
    post_login(state, &anon, HARNESS_DEMO_PASSWORD, NULL, anon.cookie, 403, &r);
    harness_resp_free(&r);
}

static void test_office_home_shows_staff(void **state)
{
    struct harness_session s = {0};
    harness_sign_in(*state, TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303, &s);
    struct harness_resp r;
    harness_expect_get(*state, HOME_PATH, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, STAFF_NAME));
    assert_true(harness_body_has(&r, "Scuola primaria Maria Montessori"));
    harness_resp_free(&r);
    /* Signed in, the sign-in page sends to the back office. */
    harness_expect_get(*state, LOGIN_PATH, s.cookie, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), HOME_PATH);
    harness_resp_free(&r);
}

static void test_office_home_requires_session(void **state)
{
    assert_not_signed_in(state, NULL);
    assert_not_signed_in(state, "sid=not-a-session");
    assert_not_signed_in(state,
                         "sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); /* well formed */
}

static void test_logout(void **state)
{
    long long logouts = audit_count(state, "staff.logout");
    struct harness_session s = {0};
    harness_sign_in(*state, TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303, &s);
    struct harness_resp r;
    harness_expect_post(*state, LOGOUT_PATH, "", s.cookie, 403, &r); /* no csrf */
    harness_resp_free(&r);

    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s", s.csrf);
    harness_expect_post(*state, LOGOUT_PATH, body, s.cookie, 303, &r);
    const char *cleared = harness_set_cookie(&r, "sid");
    assert_non_null(cleared);
    assert_non_null(strstr(cleared, "Max-Age=0"));
    harness_resp_free(&r);
    assert_int_equal(audit_count(state, "staff.logout"), logouts + 1);
    assert_not_signed_in(state, s.cookie);
}

static void test_audit_log_has_each_action(void **state)
{
    assert_true(audit_count(state, "staff.login") >= 1);
    assert_true(audit_count(state, "staff.login_failed") >= 1);
    assert_true(audit_count(state, "staff.logout") >= 1);
    const char *const params[] = {HARNESS_DEMO_EMAIL, NULL};
    long long labelled = harness_db_int(
        *state,
        "SELECT count(*) FROM audit_log WHERE action LIKE 'staff.log%' AND actor_label = ?1 "
        "AND client_addr = '127.0.0.1'",
        params);
    assert_true(labelled >= 3);
}

static void test_undeclared_field_ignored(void **state)
{
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    struct harness_resp r;
    post_login(state, &s, WRONG_PASS, "role=superadmin", s.cookie, 422, &r);
    assert_false(harness_body_has(&r, "superadmin"));
    harness_resp_free(&r);
    post_login(state, &s, HARNESS_DEMO_PASSWORD, "role=superadmin&is_admin=1", s.cookie, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), HOME_PATH);
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_resp_free(&r);

    const char *const params[] = {HARNESS_DEMO_EMAIL, NULL};
    long long superadmins = harness_db_int(
        *state, "SELECT count(*) FROM staff_user WHERE email = ?1 AND role <> 'ufficio'", params);
    assert_int_equal(superadmins, 0);
}

static void test_clean_exit(void **state)
{
    struct harness_server *s = *state;
    assert_int_equal(harness_stop(s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_form_cookie_and_csrf),
        cmocka_unit_test(test_post_without_csrf_403),
        cmocka_unit_test(test_post_wrong_csrf_403),
        cmocka_unit_test(test_wrong_password_422),
        cmocka_unit_test(test_login_rotates_session),
        cmocka_unit_test(test_office_home_shows_staff),
        cmocka_unit_test(test_office_home_requires_session),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_audit_log_has_each_action),
        cmocka_unit_test(test_undeclared_field_ignored),
        cmocka_unit_test(test_clean_exit),
    };
    return cmocka_run_group_tests_name("http auth", tests, harness_group_setup,
                                       harness_group_teardown);
}
