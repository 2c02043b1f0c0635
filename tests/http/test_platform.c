/*
 * The platform's administration area over the real request path. Super-admins are made with
 * `refettorio admin superadmin-create`. Sign-in: an anonymous visit goes to the sign-in, a wrong
 * password or a municipality's staff account is refused, the right one goes straight in without
 * a second factor, with a cookie for /piattaforma/ only and a session row without a tenant;
 * repeated failures give the wait message and then the lock, which the CLI lifts; a super-admin
 * with TOTP on must give the code. A municipality created from the form answers at /<slug>/, its
 * administrator's temporary password is in the outbox and works at /<slug>/ufficio/accedi;
 * validation errors stand next to their fields with what was typed kept. A municipality's
 * session never opens the platform, nor the reverse, and every POST checks the CSRF token.
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

#include "domain/totp.h"
#include "harness.h"

#define TENANT     HARNESS_DEMO_TENANT
#define ROOT       "root@piattaforma.example.it"
#define ROOT_PASS  "Piattaforma-Root-2026"
#define LOCKED     "bloccato@piattaforma.example.it"
#define TOTP_ROOT  "totp@piattaforma.example.it"
#define WRONG      "Sbagliata-Davvero-42"
#define NEW_SLUG   "prova"
#define NEW_ADMIN  "anna.rossi@comune.prova.it"
#define NEW_CF     "01234567897" /* valid check digit */
#define BODY_MAX   4096
#define LANG_EN    "; lang=en"
#define COOKIE_MAX (HARNESS_TOKEN_MAX + 32)
#define PLATFORM   "/piattaforma/"
#define NEW_TENANT "/piattaforma/comuni/nuovo"

static int platform_setup(void **state)
{
    if (harness_group_setup(state) != 0)
        return -1;
    const struct harness_server *s = *state;
    if (harness_superadmin_create(s, ROOT, "Root Piattaforma", ROOT_PASS) != 0 ||
        harness_superadmin_create(s, LOCKED, "Da Bloccare", ROOT_PASS) != 0 ||
        harness_superadmin_create(s, TOTP_ROOT, "Con Codice", ROOT_PASS) != 0)
        return -1;
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static long long db_int(void **state, const char *sql, const char *param)
{
    const char *const params[] = {param, NULL};
    return harness_db_int(*state, sql, params);
}

static void assert_location(const struct harness_resp *r, const char *want)
{
    const char *loc = harness_header(r, "Location", 0);
    if (!loc || strcmp(loc, want))
        fprintf(stderr, "# Location %s, expected %s\n", loc ? loc : "(none)", want);
    assert_non_null(loc);
    assert_string_equal(loc, want);
}

/* POST the platform sign-in form in English with a fresh anonymous session; returns the
   status (the response is left in r). */
static long platform_login(void **state, struct harness_session *s, const char *email,
                           const char *pass, struct harness_resp *r)
{
    memset(s, 0, sizeof(*s));
    harness_open_platform_login(*state, s);
    char body[BODY_MAX], cookie[COOKIE_MAX];
    harness_login_body(s, email, pass, NULL, body, sizeof(body));
    snprintf(cookie, sizeof(cookie), "%s" LANG_EN, s->cookie);
    struct harness_req rq = {.path = HARNESS_PLATFORM_LOGIN, .body = body, .cookie = cookie};
    harness_request(*state, &rq, r);
    return r->status;
}

static void code_at(const char *secret, time_t t, char out[TOTP_DIGITS + 1])
{
    unsigned char key[TOTP_KEY_MAX];
    long n = base32_decode(secret, key, sizeof(key));
    assert_true(n > 0);
    totp_format(totp_at(key, (size_t)n, t, TOTP_DIGITS), TOTP_DIGITS, out);
}

/* The new-municipality form body; NULL values are left out. */
static void tenant_body(const struct harness_session *s, const char *slug, const char *name,
                        const char *cf, const char *website, const char *admin_email, char *out,
                        size_t n)
{
    char e_name[256], e_admin[256], e_site[256];
    harness_urlencode(name, e_name, sizeof(e_name));
    harness_urlencode(admin_email, e_admin, sizeof(e_admin));
    harness_urlencode(website ? website : "", e_site, sizeof(e_site));
    snprintf(out, n,
             "csrf=%s&slug=%s&name=%s&fiscal_code=%s&address=Piazza+Municipio+1&phone=0612345678"
             "&email=urp%%40comune.prova.it&pec=protocollo%%40pec.comune.prova.it"
             "&office_hours=lun-ven+9-12&website=%s&admin_name=Anna+Rossi&admin_email=%s",
             s->csrf, slug, e_name, cf, e_site, e_admin);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_sign_in(void **state)
{
    struct harness_resp r;
    /* Anonymous: every super-admin page sends to the platform's own sign-in. */
    harness_expect_get(*state, PLATFORM, NULL, 303, &r);
    assert_location(&r, HARNESS_PLATFORM_LOGIN);
    harness_resp_free(&r);
    harness_expect_get(*state, NEW_TENANT, NULL, 303, &r);
    assert_location(&r, HARNESS_PLATFORM_LOGIN);
    harness_resp_free(&r);
    harness_expect_get(*state, "/piattaforma", NULL, 308, &r);
    assert_location(&r, PLATFORM);
    harness_resp_free(&r);

    /* The sign-in page's session is the platform's: its cookie is for /piattaforma/ only. */
    harness_expect_get(*state, HARNESS_PLATFORM_LOGIN, NULL, 200, &r);
    const char *cookie = harness_set_cookie(&r, "sid");
    assert_non_null(cookie);
    assert_non_null(strstr(cookie, "Path=/piattaforma/;"));
    assert_non_null(strstr(cookie, "HttpOnly"));
    harness_resp_free(&r);

    struct harness_session s;
    assert_int_equal(platform_login(state, &s, ROOT, WRONG, &r), 422);
    assert_true(harness_body_has(&r, "Wrong e-mail address or password."));
    assert_null(harness_set_cookie(&r, "sid"));
    harness_resp_free(&r);
    /* A municipality's staff account is not a platform account, even with its password. */
    assert_int_equal(platform_login(state, &s, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, &r), 422);
    assert_true(harness_body_has(&r, "Wrong e-mail address or password."));
    harness_resp_free(&r);

    /* The right password goes straight in: no second factor was turned on. */
    assert_int_equal(platform_login(state, &s, ROOT, ROOT_PASS, &r), 303);
    assert_location(&r, PLATFORM);
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    assert_non_null(strstr(harness_set_cookie(&r, "sid"), "Path=/piattaforma/;"));
    harness_resp_free(&r);
    harness_session_set_sid(&s, sid);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM session s JOIN staff_user u ON "
                            "u.id = s.staff_user_id WHERE u.email = ?1 AND s.tenant_id IS NULL "
                            "AND s.mfa_pending = 0",
                            ROOT),
                     1);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM audit_log WHERE action = 'staff.login' AND "
                            "tenant_id IS NULL AND actor_label = ?1",
                            ROOT),
                     1);

    /* The list of municipalities with their staff counts. */
    char cookie_en[COOKIE_MAX];
    snprintf(cookie_en, sizeof(cookie_en), "%s" LANG_EN, s.cookie);
    harness_expect_get(*state, PLATFORM, cookie_en, 200, &r);
    assert_true(harness_body_has(&r, "Comune di Esempio"));
    assert_true(harness_body_has(&r, "href=\"/" TENANT "/\""));
    assert_true(harness_body_has(&r, "Staff accounts"));
    assert_true(harness_body_has(&r, "action=\"/piattaforma/esci\""));
    char count[32];
    snprintf(count, sizeof(count), "<td class=\"text-end\">%lld</td>",
             db_int(state,
                    "SELECT count(*) FROM staff_user WHERE tenant_id = "
                    "(SELECT id FROM tenant WHERE slug = ?1)",
                    TENANT));
    assert_true(harness_body_has(&r, count));
    harness_resp_free(&r);
    /* Signed in, the sign-in page sends home. */
    harness_expect_get(*state, HARNESS_PLATFORM_LOGIN, s.cookie, 303, &r);
    assert_location(&r, PLATFORM);
    harness_resp_free(&r);

    /* Sign-out ends the session. */
    harness_expect_get(*state, PLATFORM, s.cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", s.csrf, sizeof(s.csrf)));
    harness_resp_free(&r);
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s", s.csrf);
    harness_expect_post(*state, "/piattaforma/esci", body, s.cookie, 303, &r);
    assert_location(&r, "/");
    harness_resp_free(&r);
    harness_expect_get(*state, PLATFORM, s.cookie, 303, &r);
    harness_resp_free(&r);
}

static void test_throttling_wait_then_lock(void **state)
{
    struct harness_session s;
    struct harness_resp r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(platform_login(state, &s, LOCKED, WRONG, &r), 422);
        harness_resp_free(&r);
    }
    /* From the fourth failure on, each one makes the next attempt wait. */
    long status = 0;
    for (int i = 0; i < 8 && status != 429; i++) {
        status = platform_login(state, &s, LOCKED, WRONG, &r);
        if (status == 429) {
            assert_true(harness_body_has(&r, "Too many attempts: try again in"));
            assert_null(harness_set_cookie(&r, "sid"));
        } else {
            assert_int_equal(status, 422);
        }
        harness_resp_free(&r);
    }
    assert_int_equal(status, 429);
    /* The counters are the platform's: no municipality's office sees them. */
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM sign_in_throttle WHERE tenant_id IS NULL AND "
                            "scope = 'account' AND key = ?1",
                            "superadmin:" LOCKED),
                     1);

    /* Skip the growing delays up to the lock. */
    for (int i = 0; i < 10 && !db_int(state,
                                      "SELECT locked FROM sign_in_throttle WHERE key = ?1 "
                                      "AND scope = 'account'",
                                      "superadmin:" LOCKED);
         i++) {
        harness_db_write_int(*state,
                             "UPDATE sign_in_throttle SET delay_until = '2000-01-01T00:00:00Z' "
                             "WHERE tenant_id IS NULL RETURNING 1",
                             NULL);
        platform_login(state, &s, LOCKED, WRONG, &r);
        harness_resp_free(&r);
    }
    assert_int_equal(
        db_int(state, "SELECT locked FROM sign_in_throttle WHERE key = ?1", "superadmin:" LOCKED),
        1);
    harness_db_write_int(*state,
                         "UPDATE sign_in_throttle SET delay_until = '2000-01-01T00:00:00Z' "
                         "WHERE tenant_id IS NULL AND scope = 'account' RETURNING 1",
                         NULL);
    assert_int_equal(platform_login(state, &s, LOCKED, ROOT_PASS, &r), 423);
    assert_true(harness_body_has(&r, "This account is locked"));
    assert_true(harness_body_has(&r, "superadmin-unlock"));
    assert_null(harness_set_cookie(&r, "sid"));
    harness_resp_free(&r);

    /* The command line lifts the lock (audit-logged); the right password then works. */
    const struct harness_server *srv = *state;
    const char *argv[] = {"admin", "superadmin-unlock", "--db", srv->db_path, "--email", LOCKED,
                          NULL};
    char out[1024];
    assert_int_equal(harness_run_cli(srv, argv, NULL, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "unlocked"));
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM audit_log WHERE action = 'signin.unlocked' AND "
                            "tenant_id IS NULL AND detail = ?1",
                            "superadmin:" LOCKED),
                     1);
    assert_int_equal(platform_login(state, &s, LOCKED, ROOT_PASS, &r), 303);
    harness_resp_free(&r);
}

static void test_totp_second_step(void **state)
{
    /* The second factor as the profile would leave it (secret confirmed, step 0). */
    const char *secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const char *const params[] = {secret, TOTP_ROOT, NULL};
    assert_int_equal(harness_db_write_int(*state,
                                          "UPDATE staff_user SET totp_secret = ?1, "
                                          "totp_enabled = 1 WHERE email = ?2 RETURNING 1",
                                          params),
                     1);
    struct harness_session s;
    struct harness_resp r;
    assert_int_equal(platform_login(state, &s, TOTP_ROOT, ROOT_PASS, &r), 303);
    assert_location(&r, "/piattaforma/accedi/codice");
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(&s, sid);
    harness_resp_free(&r);
    /* The pending session opens nothing else. */
    harness_expect_get(*state, PLATFORM, s.cookie, 303, &r);
    assert_location(&r, HARNESS_PLATFORM_LOGIN);
    harness_resp_free(&r);
    harness_expect_get(*state, "/piattaforma/accedi/codice", s.cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", s.csrf, sizeof(s.csrf)));
    assert_true(harness_body_has(&r, "autocomplete=\"one-time-code\""));
    harness_resp_free(&r);

    char code[TOTP_DIGITS + 1], wrong[16], body[BODY_MAX];
    code_at(secret, time(NULL), code);
    snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 500000) % 1000000);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, wrong);
    harness_expect_post(*state, "/piattaforma/accedi/codice", body, s.cookie, 422, &r);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&code=%s", s.csrf, code);
    harness_expect_post(*state, "/piattaforma/accedi/codice", body, s.cookie, 303, &r);
    assert_location(&r, PLATFORM);
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(&s, sid);
    harness_resp_free(&r);
    harness_expect_get(*state, PLATFORM, s.cookie, 200, &r);
    harness_resp_free(&r);
    /* Without a pending sign-in the code page sends to the sign-in. */
    harness_expect_get(*state, "/piattaforma/accedi/codice", NULL, 303, &r);
    assert_location(&r, HARNESS_PLATFORM_LOGIN);
    harness_resp_free(&r);
}

static void test_create_municipality(void **state)
{
    struct harness_session s = {0};
    harness_sign_in_platform(*state, ROOT, ROOT_PASS, 303, &s);
    struct harness_resp r;
    char cookie[COOKIE_MAX], body[BODY_MAX];
    snprintf(cookie, sizeof(cookie), "%s" LANG_EN, s.cookie);
    harness_expect_get(*state, NEW_TENANT, cookie, 200, &r);
    assert_false(harness_body_has(&r, "aria-invalid")); /* a fresh form shows no errors */
    assert_true(harness_body_has(&r, "name=\"admin_email\""));
    harness_resp_free(&r);

    /* Errors next to their fields, everything typed kept. */
    tenant_body(&s, "Piattaforma", "Comune di Prova", "01234567890", "ftp://comune.prova.it",
                "non-un-indirizzo", body, sizeof(body));
    harness_expect_post(*state, NEW_TENANT, body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"form-error\""));
    assert_true(harness_body_has(&r, "id=\"slug-error\""));
    assert_true(harness_body_has(&r, "id=\"fiscal_code-error\""));
    assert_true(harness_body_has(&r, "This codice fiscale is not valid"));
    assert_true(harness_body_has(&r, "id=\"website-error\""));
    assert_true(harness_body_has(&r, "id=\"admin_email-error\""));
    assert_false(harness_body_has(&r, "id=\"name-error\""));
    assert_true(harness_body_has(&r, "aria-describedby=\"slug-help slug-error\""));
    assert_true(harness_body_has(&r, "value=\"Comune di Prova\""));
    assert_true(harness_body_has(&r, "value=\"Piattaforma\""));
    assert_true(harness_body_has(&r, "value=\"01234567890\""));
    assert_true(harness_body_has(&r, "value=\"Piazza Municipio 1\""));
    assert_true(harness_body_has(&r, "value=\"non-un-indirizzo\""));
    harness_resp_free(&r);
    /* A slug already taken: the message stands next to the slug. */
    tenant_body(&s, TENANT, "Comune di Prova", NEW_CF, NULL, NEW_ADMIN, body, sizeof(body));
    harness_expect_post(*state, NEW_TENANT, body, cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"slug-error\""));
    assert_true(harness_body_has(&r, "Another municipality already uses this address."));
    harness_resp_free(&r);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM tenant WHERE name = ?1", "Comune di Prova"), 0);

    long long audits =
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "tenant.create");
    tenant_body(&s, NEW_SLUG, "Comune di Prova", "IT " NEW_CF, "https://www.comune.prova.it",
                NEW_ADMIN, body, sizeof(body));
    harness_expect_post(*state, NEW_TENANT, body, cookie, 303, &r);
    assert_location(&r, "/piattaforma/?esito=creato");
    harness_resp_free(&r);
    harness_expect_get(*state, "/piattaforma/?esito=creato", cookie, 200, &r);
    assert_true(harness_body_has(&r, "The municipality was created"));
    assert_true(harness_body_has(&r, "href=\"/" NEW_SLUG "/\""));
    harness_resp_free(&r);

    /* What was stored, in one transaction with its audit entries and the mail. */
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM tenant WHERE slug = ?1 AND fiscal_code = "
                            "'" NEW_CF "' AND website = 'https://www.comune.prova.it'",
                            NEW_SLUG),
                     1);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "tenant.create"),
        audits + 1);
    assert_int_equal(db_int(state,
                            "SELECT count(*) FROM staff_user u JOIN tenant t ON t.id = u.tenant_id "
                            "WHERE u.email = ?1 AND u.role = 'admin' AND u.password_temporary = 1 "
                            "AND t.slug = '" NEW_SLUG "'",
                            NEW_ADMIN),
                     1);
    assert_int_equal(
        db_int(state,
               "SELECT count(*) FROM mail_outbox m JOIN tenant t ON t.id = m.tenant_id "
               "WHERE m.recipient = ?1 AND m.kind = 'temporary_password' AND "
               "t.slug = '" NEW_SLUG "' AND m.body_text LIKE '%/" NEW_SLUG "/ufficio/accedi%'",
               NEW_ADMIN),
        1);

    /* The new municipality answers, and its administrator signs in with the temporary
       password (then must choose their own). */
    harness_expect_get(*state, "/" NEW_SLUG "/", NULL, 200, &r);
    assert_true(harness_body_has(&r, "Comune di Prova"));
    harness_resp_free(&r);
    char temp[32];
    assert_true(harness_temp_password(*state, NEW_ADMIN, temp));
    struct harness_session admin = {0};
    harness_open_login(*state, NEW_SLUG, &admin);
    harness_login_body(&admin, NEW_ADMIN, temp, NULL, body, sizeof(body));
    harness_expect_post(*state, "/" NEW_SLUG "/ufficio/accedi", body, admin.cookie, 303, &r);
    assert_location(&r, "/" NEW_SLUG "/ufficio/password");
    harness_resp_free(&r);
}

static void test_sessions_do_not_cross(void **state)
{
    struct harness_session staff = {0}, root = {0};
    harness_sign_in(*state, TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303, &staff);
    harness_sign_in_platform(*state, ROOT, ROOT_PASS, 303, &root);
    struct harness_resp r;
    char body[BODY_MAX];

    /* A municipality's staff session on the platform: nobody is signed in there. */
    harness_expect_get(*state, PLATFORM, staff.cookie, 303, &r);
    assert_location(&r, HARNESS_PLATFORM_LOGIN);
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s", staff.csrf);
    harness_expect_post(*state, "/piattaforma/esci", body, staff.cookie, 403, &r);
    harness_resp_free(&r);

    /* A platform session in a municipality's back office: nobody is signed in there either. */
    harness_expect_get(*state, "/" TENANT "/ufficio/", root.cookie, 303, &r);
    assert_location(&r, "/" TENANT "/ufficio/accedi");
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s", root.csrf);
    harness_expect_post(*state, "/" TENANT "/ufficio/esci", body, root.cookie, 403, &r);
    harness_resp_free(&r);

    /* Both still work where they belong. */
    harness_expect_get(*state, PLATFORM, root.cookie, 200, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, "/" TENANT "/ufficio/", staff.cookie, 200, &r);
    harness_resp_free(&r);
    /* "piattaforma" is not a municipality's slug. */
    harness_expect_get(*state, "/piattaforma/ufficio/", root.cookie, 404, &r);
    harness_resp_free(&r);
}

static void test_csrf_refused(void **state)
{
    struct harness_session root = {0};
    harness_sign_in_platform(*state, ROOT, ROOT_PASS, 303, &root);
    long long tenants = db_int(state, "SELECT count(*) FROM tenant WHERE slug <> ?1", "");
    static const char *const posts[] = {NEW_TENANT, "/piattaforma/esci", HARNESS_PLATFORM_LOGIN,
                                        "/piattaforma/accedi/codice"};
    for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
        char body[BODY_MAX];
        struct harness_session forged = root;
        forged.csrf[0] = forged.csrf[0] == 'A' ? 'B' : 'A';
        tenant_body(&forged, "csrf", "Comune Falso", NEW_CF, NULL, "falso@example.it", body,
                    sizeof(body));
        struct harness_resp r;
        harness_expect_post(*state, posts[i], body, root.cookie, 403, &r);
        harness_resp_free(&r);
        harness_expect_post(*state, posts[i], body + strlen("csrf=") + strlen(forged.csrf) + 1,
                            root.cookie, 403, &r);
        harness_resp_free(&r);
    }
    assert_int_equal(db_int(state, "SELECT count(*) FROM tenant WHERE slug <> ?1", ""), tenants);
    /* Still signed in: the refused sign-out did nothing. */
    struct harness_resp r;
    harness_expect_get(*state, PLATFORM, root.cookie, 200, &r);
    harness_resp_free(&r);
    harness_assert_healthy(*state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_in),
        cmocka_unit_test(test_throttling_wait_then_lock),
        cmocka_unit_test(test_totp_second_step),
        cmocka_unit_test(test_create_municipality),
        cmocka_unit_test(test_sessions_do_not_cross),
        cmocka_unit_test(test_csrf_refused),
    };
    return cmocka_run_group_tests(tests, platform_setup, harness_group_teardown);
}
